#!/usr/bin/env bash
# The golden example reports of samples/expected/ (issue 19): golden_test.sh BUILD_DIR SOURCE_DIR TEST_NAME
#   match           tools/make_golden.sh regenerates them into a temporary directory from samples
#                   built at test time; they must equal the committed files (a difference is shown
#                   with the command that regenerates them on purpose).
#   catches_change  the same with --flag-country US (SentinelOne's driver becomes a finding): the
#                   files must differ, in the verdict, so the redaction hides no verdict.
set -euo pipefail
BUILD=$1 SRC=$2 NAME=$3
WORK=$(mktemp -d /tmp/trustscan-golden.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
# shellcheck source=../lib/test_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/test_lib.sh"
need python3
need diff diffutils
EXPECTED=$SRC/samples/expected
[[ -f $EXPECTED/exit-status.txt ]] || fail "$EXPECTED has no golden files (tools/make_golden.sh $BUILD)"

regenerate() {  # regenerate OUTDIR [extra scan options]
  TRUSTSCAN_GOLDEN_OPTIONS=${2:-} "$SRC/tools/make_golden.sh" "$BUILD" "$1" >"$WORK/make.log" 2>&1 ||
    fail "tools/make_golden.sh failed: $(cat "$WORK/make.log")"
}

# ndjson_fields A B: the fields that differ between the NDJSON files of A and B, event by event
# (a diff of one-line events shows whole lines).
ndjson_fields() {
  $PY - "$1" "$2" <<'PY'
import json, pathlib, sys
def flat(v, key=""):
    if isinstance(v, dict):
        for k, x in v.items():
            yield from flat(x, f"{key}.{k}" if key else k)
    elif isinstance(v, list):
        for i, x in enumerate(v):
            yield from flat(x, f"{key}[{i}]")
    else:
        yield key, v
for a in sorted(pathlib.Path(sys.argv[1]).glob("*.ndjson")):
    b = pathlib.Path(sys.argv[2]) / a.name
    if not b.exists():
        continue
    old, new = a.read_text().splitlines(), b.read_text().splitlines()
    for n, (x, y) in enumerate(zip(old, new), 1):
        fx, fy = dict(flat(json.loads(x))), dict(flat(json.loads(y)))
        for k in sorted(fx.keys() | fy.keys()):
            if fx.get(k) != fy.get(k):
                print(f"{a.name} event {n}: {k}: {fx.get(k)!r} -> {fy.get(k)!r}")
    if len(old) != len(new):
        print(f"{a.name}: {len(old)} events committed, {len(new)} regenerated")
PY
}

case $NAME in
match)
  regenerate "$WORK/out"
  if ! diff -ru "$EXPECTED" "$WORK/out" >"$WORK/diff"; then
    cat "$WORK/diff" >&2
    ndjson_fields "$EXPECTED" "$WORK/out" >&2
    fail "the reports differ from samples/expected/ (diff above: - committed, + this build). If the change" \
         "is intended, regenerate them with 'tools/make_golden.sh $BUILD', review 'git diff samples/expected'" \
         "and commit it with the change."
  fi
  ;;
catches_change)
  regenerate "$WORK/out" "--flag-country US"
  ! diff -ru "$EXPECTED" "$WORK/out" >"$WORK/diff" || fail "--flag-country US changed no golden file"
  grep -q '^+file,tree/windows/SentinelMonitor.sys,.*,finding,' "$WORK/diff" ||
    fail "the CSV diff lacks SentinelMonitor.sys as a finding: $(head -40 "$WORK/diff")"
  grep -q '^+  .*tree/windows/SentinelMonitor.sys$' "$WORK/diff" ||
    fail "the table diff lacks SentinelMonitor.sys under FINDINGS: $(head -40 "$WORK/diff")"
  grep -q '^+CEF:.*filePath=tree/windows/SentinelMonitor.sys ' "$WORK/diff" ||
    fail "the CEF diff lacks SentinelMonitor.sys: $(head -40 "$WORK/diff")"
  grep -q '^+critical tree/windows/SentinelMonitor.sys - SentinelOne (US)' "$WORK/diff" ||
    fail "the check line's diff lacks SentinelMonitor.sys: $(head -40 "$WORK/diff")"
  ;;
*) fail "unknown test $NAME" ;;
esac
