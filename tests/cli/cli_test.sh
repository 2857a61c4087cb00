#!/usr/bin/env bash
# CLI tests, one per invocation: cli_test.sh TRUSTSCAN SAMPLES_DIR SOURCE_DIR TEST_NAME
# Each test checks exit codes and output of the real binary; any failed check exits non-zero.
set -euo pipefail
TS=$1 SAMPLES=$2 SRC=$3 NAME=$4
WORK=$(mktemp -d /tmp/trustscan-cli.XXXXXX)
trap 'chmod -R u+rwx "$WORK" 2>/dev/null; rm -rf "$WORK"' EXIT
PY=/usr/bin/python3

fail() { echo "FAIL($NAME): $*" >&2; exit 1; }
expect_exit() {  # expect_exit CODE CMD...
  local want=$1; shift
  set +e; "$@" >"$WORK/out" 2>"$WORK/err"; local got=$?; set -e
  [[ $got == "$want" ]] || { cat "$WORK/err" >&2; fail "'$*' exited $got, expected $want"; }
}
validate_json() {  # validate_json FILE [--ndjson]
  if [[ -x "$SRC/tools/validate_report.py" && -f "$SRC/docs/schema/report.schema.json" ]] && $PY -c 'import jsonschema' 2>/dev/null; then
    if [[ ${2:-} == --ndjson ]]; then
      $PY "$SRC/tools/validate_report.py" --ndjson --schema "$SRC/docs/schema/event.schema.json" "$1" || fail "NDJSON does not match the schema"
    else
      $PY "$SRC/tools/validate_report.py" --schema "$SRC/docs/schema/report.schema.json" "$1" || fail "JSON does not match the schema"
    fi
  else
    fail "schema validator unavailable (tools/validate_report.py, python3-jsonschema)"
  fi
}

case $NAME in
version)
  expect_exit 0 "$TS" --version
  grep -Eq '^trustscan [0-9]+\.[0-9]+\.[0-9]+$' "$WORK/out" || fail "bad --version: $(cat "$WORK/out")" ;;
help)
  expect_exit 0 "$TS" scan --help
  grep -q -- '--format' "$WORK/out" || fail "help lacks --format" ;;
usage_errors)
  expect_exit 2 "$TS" scan --no-such-option
  expect_exit 2 "$TS" scan --format xml "$SAMPLES"
  expect_exit 2 "$TS" scan --threads -1 "$SAMPLES"
  expect_exit 2 "$TS"
  grep -q "trustscan" "$WORK/err" || fail "no message on usage error" ;;
exit_clean)
  expect_exit 0 "$TS" scan --format json "$SAMPLES/pe" "$SAMPLES/elf" "$SAMPLES/macho" ;;
exit_file_errors)
  expect_exit 3 "$TS" scan --format json "$SAMPLES/other"
  $PY - "$WORK/out" <<'PY' || fail "errors not reported in the records"
import json, sys
d = json.load(open(sys.argv[1]))
bad = {f["file"]["name"]: f["trustscan"]["errors"] for f in d["files"] if f["trustscan"]["errors"]}
assert set(bad) == {"truncated.exe", "elf-magic-only"}, bad
assert all(e[0]["stage"] == "parse" and e[0]["code"] == "malformed" for e in bad.values()), bad
assert d["summary"]["errors"] == 2
PY
  ;;
json_schema)
  expect_exit 3 "$TS" scan --format json -o "$WORK/r.json" "$SAMPLES"
  validate_json "$WORK/r.json" ;;
ndjson_schema)
  expect_exit 3 "$TS" scan --format ndjson "$SAMPLES"
  cp "$WORK/out" "$WORK/r.ndjson"
  validate_json "$WORK/r.ndjson" --ndjson
  lines=$(wc -l <"$WORK/r.ndjson")
  [[ $lines -ge 19 ]] || fail "expected >= 19 NDJSON lines, got $lines" ;;
table)
  expect_exit 3 "$TS" scan --format table "$SAMPLES/pe" "$SAMPLES/elf" "$SAMPLES/macho" "$SAMPLES/other"
  grep -q 'KERNEL- AND BOOT-PRIVILEGED BINARIES (8)' "$WORK/out" || fail "table lacks the privileged section"
  $PY -c 'import sys; sys.exit(any(len(l.rstrip("\n")) > 100 for l in open(sys.argv[1], encoding="utf-8")))' "$WORK/out" \
    || fail "table wider than 100 columns" ;;
output_errors)
  expect_exit 2 "$TS" scan --format json -o "$WORK/no/such/dir/r.json" "$SAMPLES/pe"
  grep -q "cannot" "$WORK/err" || fail "no clear message for an unwritable output"
  if [[ -w /dev/full ]]; then
    set +e; "$TS" scan --format json "$SAMPLES" >/dev/full 2>"$WORK/err"; rc=$?; set -e
    [[ $rc == 2 ]] || fail "full disk on stdout exited $rc"
  fi
  [[ ! -e "$WORK/no/such/dir/r.json" ]] || fail "partial report left behind" ;;
hostile_tree)
  # Symlinks out of the root, a FIFO, a socket-free stand-in and a crafted name: the scan must finish,
  # report each, read nothing outside the root and leave the tree unchanged.
  T="$WORK/tree"; mkdir -p "$T/sub"
  cp "$SAMPLES/pe/driver.sys" "$T/sub/"
  cp "$SAMPLES/pe/hello.exe" "$T/$(printf 'bad\xff\x1b[31mname.exe')"
  ln -s /etc/passwd "$T/passwd"
  ln -s ../../.. "$T/sub/up"
  ln -s "$SAMPLES/pe/app.efi" "$T/outside.efi"   # a real binary outside the root: must not be scanned
  mkfifo "$T/fifo"
  # Put every atime in the past (then any read would update it, even under relatime) and take
  # the snapshot with stat(1), which reads no directory. A symlink's own atime is left out: the
  # kernel updates it on readlink(2) and offers no O_NOATIME for that (docs/evidence-safety.md).
  mapfile -t paths < <(find "$T")
  contents() { for p in "${paths[@]}"; do if [[ -f $p && ! -L $p ]]; then sha256sum <"$p"; fi; done; }
  times() { for p in "${paths[@]}"; do if [[ -L $p ]]; then stat -c '%n %s %Y' "$p"; else stat -c '%n %s %Y %X' "$p"; fi; done; }
  sums_before=$(contents)   # reads the files: done before the atimes are set
  touch -a -h -d '2001-01-01 00:00:00' "${paths[@]}"
  times_before=$(times)
  expect_exit 0 timeout 60 "$TS" scan --format json -o "$WORK/r.json" "$T"
  times_after=$(times)
  [[ $times_before == "$times_after" ]] || { diff <(echo "$times_before") <(echo "$times_after") >&2; fail "the scan changed sizes, mtimes or atimes"; }
  [[ $sums_before == "$(contents)" ]] || fail "the scan changed file contents"
  validate_json "$WORK/r.json"
  $PY - "$WORK/r.json" "$T" <<'PY' || fail "hostile tree not reported as expected"
import json, sys
d, root = json.load(open(sys.argv[1])), sys.argv[2]
paths = [f["file"]["path"] for f in d["files"]]
assert all(p.startswith(root + "/") for p in paths), paths
assert not any(p.endswith("outside.efi") or p.endswith("passwd") for p in paths), paths
assert len(paths) == 2, paths
skipped = {s["path"][len(root) + 1:]: s for s in d["skipped"]}
assert skipped["fifo"]["reason"] == "special_file", skipped
assert skipped["sub/up"]["reason"] == "symlink" and "outside" in skipped["sub/up"]["detail"], skipped
assert skipped["passwd"]["reason"] == "symlink" and "/etc/passwd" in skipped["passwd"]["detail"], skipped
bad = [f for f in d["files"] if f["trustscan"].get("path_escaped")]
assert len(bad) == 1 and "\\xff" in bad[0]["file"]["path"], bad
PY
  expect_exit 0 timeout 60 "$TS" scan --format table "$T"
  if grep -q $'\x1b' "$WORK/out"; then fail "raw ESC reached the table output"; fi ;;
*) fail "unknown test" ;;
esac
echo "ok: $NAME"
