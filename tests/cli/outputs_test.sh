#!/usr/bin/env bash
# Outputs of one scan (issue 20), one case per invocation:
#   outputs_test.sh TRUSTSCAN SAMPLES_DIR SOURCE_DIR TEST_NAME
#
#   multi            -o table -o json=F -o ndjson=F -o csv=F: one scan, four reports of the same
#                    result; -f FORMAT -o FILE, -o - and -o FORMAT=- as before/stdout; two outputs
#                    on standard output, an unknown FORMAT= and a file twice are usage errors; one
#                    output that cannot be written is exit 2 naming it, the others are written.
#   csv              RFC 4180 (read back by Python's csv module), a header row, one row per record,
#                    skip and unreadable path; the finding columns of a flagged driver; cells that
#                    would start a formula (crafted file names) are prefixed with a quote; baseline mode.
#   baseline_ndjson  --baseline accepts the NDJSON report of an earlier run (same changes as from
#                    its JSON report); a truncated NDJSON and a --cache SQLite file are refused.
#   dated_keep       -o json=DIR/scan-%Y%m%dT%H%M%SZ.json names the report by the scan's start
#                    (UTC); --keep N deletes the oldest reports of that pattern beyond N and nothing
#                    else (other suffixes, other names, symlinks, directories); umask honoured.
#   journal_summary  one summary line on standard error when it is the journal ($JOURNAL_STREAM),
#                    with a syslog priority; --summary always/never; nothing when merely piped.
#   systemd_unit     the packaged unit's ExecStart= (paths moved into a temporary directory) writes
#                    dated NDJSON and JSON of the same run with retention; the remote-syslog recipe
#                    is one that works under the unit's PrivateNetwork=yes.
set -euo pipefail
TS=$1 SAMPLES=$2 SRC=$3 NAME=$4
WORK=$(mktemp -d /tmp/trustscan-outputs.XXXXXX)
trap 'chmod -R u+rwx "$WORK" 2>/dev/null; rm -rf "$WORK"' EXIT

# shellcheck source=../lib/test_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/test_lib.sh"

VI=${SAMPLES%/*}/vendor-samples
DRIVERS=$VI/vendor-image/Windows/System32/drivers
VENDOR=(--trust-store "$VI/vendor-image-ca")

case $NAME in
multi)
  # Two -f: one format a run, and the message says how to get several (issue 20).
  expect_exit 2 "$TS" scan -f json -f table "$SAMPLES/pe"
  grep -q -- '-o table -o json=FILE' "$WORK/err" || fail "two -f without a hint at -o: $(cat "$WORK/err")"
  expect_exit 0 "$TS" scan -o table -o "json=$WORK/r.json" -o "ndjson=$WORK/r.ndjson" -o "csv=$WORK/r.csv" "$SAMPLES/pe"
  grep -q 'KERNEL- AND BOOT-PRIVILEGED BINARIES' "$WORK/out" || fail "no table on standard output: $(head -5 "$WORK/out")"
  validate_json "$WORK/r.json"
  validate_json "$WORK/r.ndjson" --ndjson
  $PY - "$WORK/r.json" "$WORK/r.ndjson" "$WORK/r.csv" <<'PY' || fail "the outputs are not of one scan"
import csv, json, sys
doc = json.load(open(sys.argv[1]))
events = [json.loads(l) for l in open(sys.argv[2])]
rows = list(csv.DictReader(open(sys.argv[3], newline="")))
summary = events[-1]["trustscan"]
assert summary["scan"]["start"] == doc["scan"]["start"] and summary["scan"]["end"] == doc["scan"]["end"], "two scans"
paths = sorted(f["file"]["path"] for f in doc["files"])
assert paths and paths == sorted(e["file"]["path"] for e in events if e["event"]["dataset"] == "trustscan.file")
assert paths == sorted(r["path"] for r in rows if r["kind"] == "file"), rows
PY
  # As before: -f FORMAT -o FILE, -o - (standard output); and FORMAT=- for standard output.
  expect_exit 0 "$TS" scan -f json -o "$WORK/legacy.json" "$SAMPLES/pe"
  validate_json "$WORK/legacy.json"
  (cd "$WORK" && expect_exit 0 "$TS" scan -f ndjson -o - -o "csv=$WORK/also.csv" "$SAMPLES/pe")
  [[ ! -e $WORK/- && -s $WORK/also.csv ]] || fail "-o - with a second output"
  tail -1 "$WORK/out" | grep '"trustscan.summary"' >/dev/null || fail "-f ndjson -o -: no NDJSON on standard output"
  expect_exit 0 "$TS" scan -o json=- -o "ndjson=$WORK/n2.ndjson" "$SAMPLES/pe"
  $PY -c 'import json, sys; json.load(open(sys.argv[1]))' "$WORK/out" || fail "json=-: no JSON on standard output"
  # -f FORMAT that no -o uses goes to standard output, besides the -o FORMAT=FILE outputs.
  expect_exit 0 "$TS" scan -f json -o "ndjson=$WORK/n3.ndjson" "$SAMPLES/pe"
  $PY -c 'import json, sys; json.load(open(sys.argv[1]))' "$WORK/out" || fail "-f json beside -o ndjson=F"
  # Usage errors, before the scan.
  expect_exit 2 "$TS" scan -o table -o json "$SAMPLES/pe"
  grep -q "two outputs on standard output (table and json)" "$WORK/err" || fail "two stdout: $(cat "$WORK/err")"
  expect_exit 2 "$TS" scan -o "xml=$WORK/r.xml" "$SAMPLES/pe"
  grep -q "'xml' is no output format" "$WORK/err" || fail "xml=: $(cat "$WORK/err")"
  expect_exit 2 "$TS" scan -o "json=$WORK/same" -o "csv=$WORK/same" "$SAMPLES/pe"
  grep -q "two outputs to the same file" "$WORK/err" || fail "same file: $(cat "$WORK/err")"
  # One output that cannot be written: exit 2 naming it; the others are still written.
  rm -f "$WORK/r.json" "$WORK/r.csv"
  expect_exit 2 "$TS" scan -o "json=$WORK/r.json" -o "ndjson=$WORK/no/such/dir/r.ndjson" -o "csv=$WORK/r.csv" "$SAMPLES/pe"
  grep -q "output ndjson=$WORK/no/such/dir/r.ndjson was not written" "$WORK/err" || fail "unnamed failure: $(cat "$WORK/err")"
  validate_json "$WORK/r.json"
  [[ -s $WORK/r.csv ]] || fail "the output after the failed one was not written" ;;
csv)
  T=$WORK/tree; vendor_tree "$T"
  # Names chosen by whoever made the files: formulas, separators, quotes, a newline. Scanned by
  # relative paths, so that the path cells start with them.
  names=('=HYPERLINK("http:x","y").sys' '+1.sys' '-2.sys' '@SUM(A1).sys' 'a,"b".sys' $'line\nbreak.sys')
  for name in "${names[@]}"; do cp "$SAMPLES/pe/driver.sys" "$T/drivers/$name"; done
  (cd "$T/drivers" && expect_exit 1 "$TS" scan -o "csv=$WORK/r.csv" -o "json=$WORK/r.json" "${VENDOR[@]}" \
    -- klif.sys oemavflt.sys oemhwflt.sys "${names[@]}" "$SAMPLES/other")
  head -1 "$WORK/r.csv" | grep $'^kind,path,format,type,privilege,signature_status,signer,.*,sha256,size,errors,skip_reason,baseline_change\r$' >/dev/null \
    || fail "header: $(head -1 "$WORK/r.csv")"
  $PY - "$WORK/r.csv" "$WORK/r.json" <<'PY' || fail "CSV not as expected"
import csv, json, sys
raw = open(sys.argv[1], newline="").read()
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
doc = json.load(open(sys.argv[2]))
files = [r for r in rows if r["kind"] == "file"]
assert len(files) == len(doc["files"]) > 9, (len(files), len(doc["files"]))
assert [r["path"] for r in files] == [("'" if f["file"]["path"][0] in "=+-@" else "") + f["file"]["path"] for f in doc["files"]]
by_path = {r["path"]: r for r in files}
klif = by_path["klif.sys"]
assert (klif["format"], klif["privilege"], klif["vendor_id"], klif["country"], klif["finding"], klif["severity"]) == \
    ("pe", "kernel", "kaspersky", "RU", "finding", "critical"), klif
assert klif["signature_status"] == "valid" and klif["rule"] == "country:RU" and len(klif["sha256"]) == 64, klif
# A cell that would start a formula starts with a quote, the value follows unchanged.
for name in ['=HYPERLINK("http:x","y").sys', "+1.sys", "-2.sys", "@SUM(A1).sys"]:
    assert "'" + name in by_path, (name, sorted(by_path))
for name in ['a,"b".sys', "line\nbreak.sys"]:
    assert name in by_path, (name, sorted(by_path))
for r in rows:
    for k, v in r.items():
        assert not v or v[0] not in "=+-@\t\r", (k, v)
# Records with errors carry them; the summary's error count is the CSV's.
assert sum(1 for r in files if r["errors"]) == doc["summary"]["errors"] - len(doc["errors"]) > 0
assert len([r for r in rows if r["kind"] == "skipped"]) == len(doc["skipped"])
assert len([r for r in rows if r["kind"] == "error"]) == len(doc["errors"])
assert raw.endswith("\r\n")
PY
  # Baseline mode: the changed and the gone record, with their change.
  expect_exit 1 "$TS" scan -o "json=$WORK/before.json" "${VENDOR[@]}" "$T"
  printf '\x01' | dd of="$T/drivers/klif.sys" bs=1 seek=1100 conv=notrunc 2>/dev/null
  rm "$T/drivers/oemavflt.sys"
  expect_exit 1 "$TS" scan -o csv --baseline "$WORK/before.json" "${VENDOR[@]}" "$T"
  $PY - "$WORK/out" "$T" <<'PY' || fail "baseline CSV: $(cat "$WORK/out")"
import csv, sys
rows = [r for r in csv.DictReader(open(sys.argv[1], newline="")) if r["kind"] == "file"]
got = sorted((r["path"][len(sys.argv[2]) + 1:], r["baseline_change"]) for r in rows)
assert got == [("drivers/klif.sys", "changed"), ("drivers/oemavflt.sys", "gone")], got
PY
  ;;
baseline_ndjson)
  T=$WORK/tree; vendor_tree "$T"
  expect_exit 1 "$TS" scan -f json -o "$WORK/before.json" "${VENDOR[@]}" "$T"
  expect_exit 1 "$TS" scan -f ndjson -o "$WORK/before.ndjson" "${VENDOR[@]}" "$T"
  cp "$DRIVERS/SentinelMonitor.sys" "$T/drivers/"                                         # new
  printf '\x01' | dd of="$T/drivers/klif.sys" bs=1 seek=1100 conv=notrunc 2>/dev/null  # changed
  rm "$T/drivers/oemavflt.sys"                                                          # gone
  expect_exit 1 "$TS" scan -f json -o "$WORK/from-json.json" --baseline "$WORK/before.json" "${VENDOR[@]}" "$T"
  expect_exit 1 "$TS" scan -f json -o "$WORK/from-ndjson.json" --baseline "$WORK/before.ndjson" "${VENDOR[@]}" "$T"
  validate_json "$WORK/from-ndjson.json"
  $PY - "$WORK/from-json.json" "$WORK/from-ndjson.json" "$T" <<'PY' || fail "NDJSON baseline differs from JSON baseline"
import json, sys
a, b, root = json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), sys.argv[3]
changes = lambda d: sorted((f["file"]["path"], json.dumps(f["trustscan"]["baseline"], sort_keys=True)) for f in d["files"])
assert changes(a) == changes(b), (changes(a), changes(b))
assert b["summary"]["baseline"] == {"new": 1, "changed": 1, "gone": 1, "unchanged": 1, "findings": 1}, b["summary"]["baseline"]
gone = [f for f in b["files"] if f["trustscan"]["baseline"]["change"] == "gone"][0]
assert gone["file"]["name"] == "oemavflt.sys" and gone["trustscan"]["finding"]["status"] == "finding", gone
assert b["scan"]["baseline"]["report"].endswith("before.ndjson")
PY
  # Against its own NDJSON nothing changed.
  expect_exit 1 "$TS" scan -f ndjson -o "$WORK/full.ndjson" "${VENDOR[@]}" "$T"
  expect_exit 0 "$TS" scan -f json --baseline "$WORK/full.ndjson" "${VENDOR[@]}" "$T"
  $PY -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["files"] == [], d["files"]' "$WORK/out" \
    || fail "an unchanged tree reported changes against its NDJSON"
  # Refused with a clear message, before the scan: a truncated NDJSON (no summary), a delta NDJSON,
  # the --cache database.
  head -n 2 "$WORK/full.ndjson" >"$WORK/cut.ndjson"
  expect_exit 2 "$TS" scan -f json --baseline "$WORK/cut.ndjson" "$T"
  grep -q "cut.ndjson: NDJSON report without its summary event" "$WORK/err" || fail "truncated: $(cat "$WORK/err")"
  expect_exit 1 "$TS" scan -f ndjson -o "$WORK/delta.ndjson" --baseline "$WORK/before.ndjson" "${VENDOR[@]}" "$T"
  expect_exit 2 "$TS" scan -f json --baseline "$WORK/delta.ndjson" "$T"
  grep -q "itself written with --baseline" "$WORK/err" || fail "delta NDJSON: $(cat "$WORK/err")"
  expect_exit 1 "$TS" scan -f json -o /dev/null --cache "$WORK/cache.db" "${VENDOR[@]}" "$T"
  expect_exit 2 "$TS" scan -f json --baseline "$WORK/cache.db" "$T"
  grep -q "an SQLite database (a --cache file?) is no report" "$WORK/err" || fail "cache: $(cat "$WORK/err")" ;;
dated_keep)
  R=$WORK/reports; mkdir -p "$R"
  for t in 20260101T000000Z 20260102T000000Z 20260103T000000Z 20260104T000000Z; do
    echo old >"$R/scan-$t.json"; echo old >"$R/scan-$t.ndjson"
  done
  # Never deleted: another suffix, another name, a symlink and a directory that match, a temporary.
  echo keep >"$R/scan-20250101T000000Z.json.bak"; echo keep >"$R/notes-20250101T000000Z.json"
  echo target >"$WORK/target"; ln -s "$WORK/target" "$R/scan-20240101T000000Z.json"
  mkdir "$R/scan-20230101T000000Z.json"
  before=$(date -u +%s)
  (umask 0027 && expect_exit 0 "$TS" scan -o "json=$R/scan-%Y%m%dT%H%M%SZ.json" -o "ndjson=$R/scan-%Y%m%dT%H%M%SZ.ndjson" \
    --keep 2 "$SAMPLES/pe")
  after=$(date -u +%s)
  $PY - "$R" "$before" "$after" <<'PY' || fail "dated report or retention not as expected: $(ls "$R")"
import datetime, json, os, sys
root, lo, hi = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
old = {f"scan-202601{d:02}T000000Z.{x}" for d in range(1, 5) for x in ("json", "ndjson")}
never = {"scan-20250101T000000Z.json.bak", "notes-20250101T000000Z.json", "scan-20240101T000000Z.json",
         "scan-20230101T000000Z.json"}
new = sorted(set(os.listdir(root)) - old - never)
assert len(new) == 2 and new[0].endswith(".json") and new[1] == new[0][:-5] + ".ndjson", new
stamp = datetime.datetime.strptime(new[0], "scan-%Y%m%dT%H%M%SZ.json").replace(tzinfo=datetime.timezone.utc)
start = json.load(open(os.path.join(root, new[0])))["scan"]["start"]
assert start.startswith(stamp.strftime("%Y-%m-%dT%H:%M:%S")) and lo <= stamp.timestamp() <= hi, (stamp, start)
# --keep 2: the new report and the newest old one of each pattern; nothing else touched.
want = set(new) | never | {"scan-20260104T000000Z.json", "scan-20260104T000000Z.ndjson"}
assert set(os.listdir(root)) == want, sorted(set(os.listdir(root)) ^ want)
assert oct(os.stat(os.path.join(root, new[0])).st_mode & 0o777) == "0o640", "umask 0027 not honoured"
PY
  [[ -L $R/scan-20240101T000000Z.json && -f $WORK/target ]] || fail "a symlink or its target was deleted"
  [[ -z $(find "$R" -name '*.partial-*') ]] || fail "temporary left behind"
  # Usage errors: --keep without a dated report, an unsupported placeholder, one in the directory.
  expect_exit 2 "$TS" scan -o "json=$R/fixed.json" --keep 3 "$SAMPLES/pe"
  grep -q -- "--keep needs a dated report" "$WORK/err" || fail "--keep alone: $(cat "$WORK/err")"
  expect_exit 2 "$TS" scan -o "json=$R/scan-%Q.json" "$SAMPLES/pe"
  grep -q "unsupported placeholder %Q" "$WORK/err" || fail "%Q: $(cat "$WORK/err")"
  expect_exit 2 "$TS" scan -o "json=$R/%Y/scan.json" "$SAMPLES/pe"
  grep -q "only in the file name" "$WORK/err" || fail "%Y in the directory: $(cat "$WORK/err")" ;;
journal_summary)
  T=$WORK/tree; vendor_tree "$T"
  # systemd sets JOURNAL_STREAM=DEVICE:INODE of the stream it connects standard error to.
  journal_scan() {  # journal_scan ERRFILE ARGS...: stderr into ERRFILE, which JOURNAL_STREAM names
    local errfile=$1; shift
    : >"$errfile"
    local stream; stream=$($PY -c 'import os, sys; s = os.stat(sys.argv[1]); print(f"{s.st_dev}:{s.st_ino}")' "$errfile")
    set +e; JOURNAL_STREAM=$stream "$TS" scan "$@" >"$WORK/out" 2>>"$errfile"; local rc=$?; set -e
    echo "$rc"
  }
  rc=$(journal_scan "$WORK/journal" -f ndjson -o "$WORK/r.ndjson" "${VENDOR[@]}" "$T")
  [[ $rc == 1 ]] || fail "exit $rc: $(cat "$WORK/journal")"
  [[ $(wc -l <"$WORK/journal") == 1 ]] || fail "not one line in the journal: $(cat "$WORK/journal")"
  grep -Eq "^<4>trustscan: scan complete in [0-9.]+ s: 3 findings \(critical 2, high 1\), 0 known-bad drivers, 0 errors, 0 skipped, 3 files scanned; reports: ndjson=$WORK/r.ndjson$" \
    "$WORK/journal" || fail "journal line: $(cat "$WORK/journal")"
  # Nothing flagged, malformed files (listed as errors of kind malformed, exit 0): priority notice,
  # the errors counted.
  rc=$(journal_scan "$WORK/journal2" -f json -o "$WORK/r2.json" "$SAMPLES/other")
  [[ $rc == 0 ]] || fail "exit $rc"
  grep -Eq '^<5>trustscan: scan complete in [0-9.]+ s: 0 findings, 0 known-bad drivers, [1-9][0-9]* errors?, ' "$WORK/journal2" \
    || fail "journal line with errors: $(cat "$WORK/journal2")"
  # JOURNAL_STREAM naming another stream (inherited by a child whose stderr is elsewhere): nothing.
  set +e; JOURNAL_STREAM=1:1 "$TS" scan -o "json=$WORK/r3.json" "${VENDOR[@]}" "$T" >/dev/null 2>"$WORK/err"; set -e
  [[ ! -s $WORK/err ]] || fail "summary written to a stream that is not the journal: $(cat "$WORK/err")"
  rc=$(journal_scan "$WORK/journal3" --summary never -o "json=$WORK/r4.json" "${VENDOR[@]}" "$T")
  [[ ! -s $WORK/journal3 ]] || fail "--summary never: $(cat "$WORK/journal3")"
  # --summary always: the line without a priority prefix, wherever standard error goes.
  expect_exit 1 "$TS" scan --summary always -o "json=$WORK/r5.json" "${VENDOR[@]}" "$T"
  grep -Eq '^trustscan: scan complete in [0-9.]+ s: 3 findings ' "$WORK/err" || fail "--summary always: $(cat "$WORK/err")"
  # A failed output is named in the line (priority err).
  rc=$(journal_scan "$WORK/journal4" -o "json=$WORK/no/dir/r.json" "${VENDOR[@]}" "$T")
  [[ $rc == 2 ]] || fail "failed output: exit $rc"
  grep -q "^<3>trustscan: scan complete .*; NOT WRITTEN: json=$WORK/no/dir/r.json$" "$WORK/journal4" \
    || fail "failed output in the journal line: $(cat "$WORK/journal4")" ;;
systemd_unit)
  UNIT=$SRC/packaging/systemd/trustscan.service
  exec_start=$(sed -n 's/^ExecStart=//p' "$UNIT")
  # systemd's own unescaping of the specifiers: %% is a '%'.
  cmdline=${exec_start//%%/%}
  cmdline=${cmdline//\/usr\/bin\/trustscan/$TS}
  cmdline=${cmdline//\/var\/log\/trustscan/$WORK/log}
  cmdline=${cmdline//\/var\/lib\/trustscan/$WORK/lib}  # the monitoring state (issue 19)
  cmdline=${cmdline//\$TRUSTSCAN_OPTS/}
  cmdline=${cmdline//\$TRUSTSCAN_ROOTS/$SAMPLES/pe}
  grep -Eq '^(LogsDirectory|StateDirectory)=.*trustscan/reports' "$UNIT" || fail "the unit creates no reports directory"
  mkdir -p "$WORK/log/reports" "$WORK/lib"
  for t in 20260101T000000Z 20260102T000000Z; do echo old >"$WORK/log/reports/scan-$t.json"; echo old >"$WORK/log/reports/scan-$t.ndjson"; done
  keep=$(grep -oE -- '--keep [0-9]+' <<<"$cmdline" | cut -d' ' -f2)
  [[ -n $keep ]] || fail "the unit keeps no history: $exec_start"
  # shellcheck disable=SC2086  # split at whitespace as systemd does
  (umask 0027 && expect_exit 0 $cmdline)
  json=$(find "$WORK/log/reports" -name 'scan-*.json' ! -name 'scan-2026010*')
  [[ $(wc -l <<<"$json") == 1 && -f $json ]] || fail "not one dated JSON report: $(ls -R "$WORK/log")"
  validate_json "$json"
  validate_json "${json%.json}.ndjson" --ndjson
  $PY - "$json" "${json%.json}.ndjson" <<'PY' || fail "JSON and NDJSON not of the same run"
import json, sys
a = json.load(open(sys.argv[1]))["scan"]
b = [json.loads(l) for l in open(sys.argv[2])][-1]["trustscan"]["scan"]
assert a["start"] == b["start"] and a["end"] == b["end"], (a["start"], b["start"])
PY
  # The monitoring state of the same run, where trustscan check looks by default (docs/monitoring.md).
  grep -q -- "-o state=/var/lib/trustscan/state.json " "$UNIT" || fail "the unit writes no state for trustscan check"
  $PY -c 'import json,sys; s=json.load(open(sys.argv[1])); r=json.load(open(sys.argv[2])); assert s["scan"]["started"] == r["scan"]["start"], s' \
    "$WORK/lib/state.json" "$json" || fail "no state of the same run in $WORK/lib"
  if ((keep <= 2)); then [[ ! -e $WORK/log/reports/scan-20260101T000000Z.json ]] || fail "--keep $keep did not prune"; fi
  # The remote syslog recipe: under PrivateNetwork=yes only the local socket works; the docs give
  # the local syslog daemon's forwarding, or a drop-in that lifts PrivateNetwork= for tcp/udp.
  grep -qx 'PrivateNetwork=yes' "$UNIT" || fail "the unit lost PrivateNetwork=yes"
  grep -q 'PrivateNetwork=no' "$SRC/docs/deployment.md" || fail "deployment.md: no drop-in for a remote --syslog"
  grep -q 'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6' "$SRC/docs/deployment.md" \
    || fail "deployment.md: the drop-in must allow AF_INET"
  ! grep -q -- '--syslog tcp://' "$SRC/packaging/default/trustscan" || fail "default file recommends tcp syslog"
  tr '\n' ' ' <"$SRC/README.md" | grep -- '--syslog tcp://[^(]*(not under the packaged unit' >/dev/null \
    || fail "README: the tcp:// recipe does not say it needs the drop-in under the unit" ;;
*) fail "unknown test" ;;
esac
echo "ok: $NAME"
