#!/usr/bin/env bash
# The gates fail when they should: each check is run on a copy of the tree (or a small git
# repository) with one violation added, and must name it; the copy without it must pass.
#   gates_selftest.sh SRC
set -euo pipefail
SRC=$(cd "$1" && pwd)
NAME=gate_selftest
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
source "$SRC/tests/lib/test_lib.sh"

# --- include direction: a core header that includes a later stage
mkdir -p "$WORK/inc/tools"
cp -r "$SRC/scanner" "$WORK/inc/scanner"
cp "$SRC/tools/check_includes.py" "$WORK/inc/tools/"
expect_exit 0 "$PY" "$WORK/inc/tools/check_includes.py"
line=$(($(wc -l < "$WORK/inc/scanner/core/error.hpp") + 1))
echo '#include "pipeline/pipeline.hpp"' >> "$WORK/inc/scanner/core/error.hpp"
expect_exit 1 "$PY" "$WORK/inc/tools/check_includes.py"
grep -q "scanner/core/error.hpp:$line: stage 'core' includes \"pipeline/pipeline.hpp\" of the later stage 'pipeline'" \
  "$WORK/out" || fail "include check did not name file, line and stages: $(cat "$WORK/out")"
mkdir "$WORK/inc/scanner/newstage" && touch "$WORK/inc/scanner/newstage/a.hpp"
expect_exit 1 "$PY" "$WORK/inc/tools/check_includes.py"
grep -q "folder 'newstage' has no place in the stage order" "$WORK/out" || fail "unknown folder not reported"

# --- function size: a 101-line body fails, a 100-line one passes
mkdir -p "$WORK/fs/tools"
cp -r "$SRC/scanner" "$WORK/fs/scanner"
cp "$SRC/tools/check_function_size.py" "$WORK/fs/tools/"
expect_exit 0 "$PY" "$WORK/fs/tools/check_function_size.py"
body() { echo "int $1() {"; for ((i = 0; i < $2 - 1; ++i)); do echo "  // line $i"; done; echo "  return 0;"; echo "}"; }
{ echo "namespace trustscan {"; body fits 99; echo "struct S {"; body too_long 100; echo "};"; echo "}"; } \
  > "$WORK/fs/scanner/core/long.cpp"
expect_exit 1 "$PY" "$WORK/fs/tools/check_function_size.py"
grep -q "scanner/core/long.cpp:[0-9]*: function 'S::too_long' is 101 lines long" "$WORK/out" \
  || fail "long function not named: $(cat "$WORK/out")"
grep -q "fits" "$WORK/out" && fail "a 100-line function was reported"

# --- clang-format: changed lines only
if command -v clang-format >/dev/null; then
  repo="$WORK/repo"
  mkdir -p "$repo/tools" "$repo/scanner/core"
  cp "$SRC/.clang-format" "$repo/"
  cp "$SRC/tools/check_changed.py" "$repo/tools/"
  printf 'int  badly_formatted( int x ){return x;}\nint f() { return 1; }\n' > "$repo/scanner/core/x.cpp"
  git -C "$repo" init -q -b main
  git -C "$repo" -c user.name=t -c user.email=t@t add -A
  git -C "$repo" -c user.name=t -c user.email=t@t commit -q -m base
  git -C "$repo" checkout -q -b change
  expect_exit 0 "$PY" "$repo/tools/check_changed.py" format  # nothing changed
  sed -i 's/return 1;/return 2;/' "$repo/scanner/core/x.cpp"
  expect_exit 0 "$PY" "$repo/tools/check_changed.py" format  # the old badly formatted line is not checked
  sed -i 's/int f() { return 2; }/int  f( ) {return 2;}/' "$repo/scanner/core/x.cpp"
  expect_exit 1 "$PY" "$repo/tools/check_changed.py" format
  grep -q "scanner/core/x.cpp:2" "$WORK/out" || fail "misformatted changed line not named: $(cat "$WORK/out")"
  printf 'int  g( ){return 3;}\n' > "$repo/scanner/core/new.cpp"  # untracked: checked whole
  git -C "$repo" checkout -q scanner/core/x.cpp
  expect_exit 1 "$PY" "$repo/tools/check_changed.py" format
  grep -q "scanner/core/new.cpp:1" "$WORK/out" || fail "new file not checked: $(cat "$WORK/out")"
fi
echo "gate self-test: ok"
