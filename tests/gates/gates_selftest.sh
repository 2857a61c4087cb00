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

# --- the changed-files checks: a small repository with main and a branch
for tool in git clang-format clang-tidy-16; do
  command -v "$tool" >/dev/null || fail "$tool not found (tools/setup.sh --test installs it)"
done
repo="$WORK/repo"
g() { git -C "$repo" -c user.name=t -c user.email=t@t "$@"; }
mkdir -p "$repo/tools" "$repo/scanner/core" "$repo/build"
cp "$SRC/.clang-format" "$SRC/.clang-tidy" "$repo/"
cp "$SRC/tools/check_changed.py" "$repo/tools/"
printf 'int  badly_formatted( int x ){return x;}\nint f() { return 1; }\n' > "$repo/scanner/core/x.cpp"
g init -q -b main
g add -A
g commit -q -m base
g checkout -q -b change
CHECK=("$PY" "$repo/tools/check_changed.py")

# clang-format: changed lines only
expect_exit 0 "${CHECK[@]}" format  # nothing changed
grep -q "branch change has no commit of its own" "$WORK/out" || fail "base not HEAD: $(cat "$WORK/out")"
sed -i 's/return 1;/return 2;/' "$repo/scanner/core/x.cpp"
expect_exit 0 "${CHECK[@]}" format  # the old badly formatted line is not checked
sed -i 's/int f() { return 2; }/int  f( ) {return 2;}/' "$repo/scanner/core/x.cpp"
expect_exit 1 "${CHECK[@]}" format
grep -q "scanner/core/x.cpp:2" "$WORK/out" || fail "misformatted changed line not named: $(cat "$WORK/out")"
printf 'int  g( ){return 3;}\n' > "$repo/scanner/core/new.cpp"  # untracked: checked whole
g checkout -q scanner/core/x.cpp
expect_exit 1 "${CHECK[@]}" format
grep -q "scanner/core/new.cpp:1" "$WORK/out" || fail "new file not checked: $(cat "$WORK/out")"
rm "$repo/scanner/core/new.cpp"

# clang-tidy: a changed file with a 101-line function fails (readability-function-size)
root=$(cd "$repo" && pwd -P)
{ echo "int too_long() {"; for ((i = 0; i < 99; ++i)); do echo "  // line $i"; done; echo "  return 0;"; echo "}"; } \
  > "$repo/scanner/core/long.cpp"
printf '[{"directory": "%s", "command": "c++ -std=c++23 -c scanner/core/long.cpp", "file": "%s"}]\n' \
  "$root" "$root/scanner/core/long.cpp" > "$repo/build/compile_commands.json"
expect_exit 1 "${CHECK[@]}" tidy --build-dir "$repo/build" -j 1
grep -q "long.cpp:1:.*exceeds recommended size.*readability-function-size" "$WORK/out" \
  || fail "clang-tidy did not report the long function: $(cat "$WORK/out")"
sed -i '2d' "$repo/scanner/core/long.cpp"  # 100 lines: passes
expect_exit 0 "${CHECK[@]}" tidy --build-dir "$repo/build" -j 1
grep -q "1 translation unit(s)" "$WORK/out" || fail "the changed file was not checked: $(cat "$WORK/out")"
g add -A
g commit -q -m "long function"
expect_exit 0 "${CHECK[@]}" list
grep -q "the merge base with main" "$WORK/out" && grep -q "^scanner/core/long.cpp 1-" "$WORK/out" \
  || fail "branch with a commit: not compared with the merge base: $(cat "$WORK/out")"

# The base without a merge base below HEAD: on main itself, and in a checkout of the branch alone
# (detached, no main), the last commit is checked; a shallow clone without HEAD's parent and a
# copy without git history are skipped (77) with the reason.
g checkout -q main
g merge -q --no-ff -m merge change
expect_exit 0 "${CHECK[@]}" list
grep -q "HEAD~1 (no merge base with main below HEAD" "$WORK/out" && grep -q "^scanner/core/long.cpp 1-" "$WORK/out" \
  || fail "on main, the merged branch was not listed: $(cat "$WORK/out")"
git clone -q --single-branch --branch change "file://$repo" "$WORK/single"
git -C "$WORK/single" checkout -q --detach
expect_exit 0 "$PY" "$WORK/single/tools/check_changed.py" list
grep -q "HEAD~1" "$WORK/out" && grep -q "^scanner/core/long.cpp 1-" "$WORK/out" \
  || fail "detached checkout without main: last commit not listed: $(cat "$WORK/out")"
git clone -q --depth 1 --branch main "file://$repo" "$WORK/shallow"
expect_exit 77 "$PY" "$WORK/shallow/tools/check_changed.py" format
grep -q "skipped: shallow clone" "$WORK/out" || fail "shallow clone: no reason given: $(cat "$WORK/out")"
expect_exit 2 "${CHECK[@]}" format --base no-such-ref
grep -q "base 'no-such-ref' is not a commit" "$WORK/err" || fail "bad base not reported: $(cat "$WORK/err")"
mkdir "$WORK/tarball" && git -C "$repo" archive HEAD | tar -x -C "$WORK/tarball"
expect_exit 77 "$PY" "$WORK/tarball/tools/check_changed.py" tidy
grep -q "skipped: no git history" "$WORK/out" || fail "no git: no reason given: $(cat "$WORK/out")"
# --- registry hosts: a mirror named in a script fails (also in an untracked file and without git);
# web sites of the same domains that serve no packages do not
mkdir -p "$WORK/hosts/tools" "$WORK/hosts/docs"
cp "$SRC/tools/check_registry_hosts.py" "$WORK/hosts/tools/"
printf 'Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\nsource: https://lists.debian.org/x\n' \
  > "$WORK/hosts/docs/ok.md"
expect_exit 0 "$PY" "$WORK/hosts/tools/check_registry_hosts.py"
tld=org  # written apart, so that this file does not name the hosts itself
for host in deb.debian.$tld ftp.de.debian.$tld security.debian.$tld registry.npmjs.$tld files.pythonhosted.$tld; do
  printf '#!/bin/sh\n# fetch\nMIRROR=http://%s/debian\n' "$host" > "$WORK/hosts/tools/get.sh"
  expect_exit 1 "$PY" "$WORK/hosts/tools/check_registry_hosts.py"
  grep -qx "tools/get.sh:3: names the package registry host $host" "$WORK/out" || fail "$host not named: $(cat "$WORK/out")"
done
git -C "$WORK/hosts" init -q
expect_exit 1 "$PY" "$WORK/hosts/tools/check_registry_hosts.py"
grep -q "^tools/get.sh:3: " "$WORK/out" || fail "untracked file not checked: $(cat "$WORK/out")"
echo "gate self-test: ok"
