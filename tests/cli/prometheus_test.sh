#!/usr/bin/env bash
# -o prometheus=FILE for node_exporter's textfile collector (issue 19), one case per invocation:
#   prometheus_test.sh TRUSTSCAN SAMPLES_DIR SOURCE_DIR TEST_NAME
#
#   node_exporter  a scan with findings writes DIR/trustscan.prom (mode 0644, by a rename);
#                  `promtool check metrics` (Debian's prometheus) passes it without a lint problem
#                  and fails a broken copy; a real prometheus-node-exporter, started here on
#                  127.0.0.1 with only the textfile collector, serves the trustscan_ metrics with the
#                  values of the JSON report of the same scan and node_textfile_scrape_error 0, also
#                  while scans keep replacing the file; it is stopped at the end (trap).
#   name           a prometheus file must be named *.prom (exit 2 before the scan); standard output works.
#   baseline       under --baseline the counts of new, changed and gone records are added.
#   systemd_unit   the packaged unit's ExecStart= writes trustscan.prom; its ExecStartPost= copies it
#                  into node_exporter's textfile directory (Debian's default, the one the installed
#                  exporter reports) with mode 0644 under the unit's UMask=, does nothing and exits 0
#                  without the directory, and makes only system calls the unit's filter allows.
set -euo pipefail
TS=$1 SAMPLES=$2 SRC=$3 NAME=$4
WORK=$(mktemp -d /tmp/trustscan-prometheus.XXXXXX)
EXPORTER_PID=
cleanup() {
  if [[ -n $EXPORTER_PID ]]; then
    kill "$EXPORTER_PID" 2>/dev/null || true
    wait "$EXPORTER_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 143' TERM INT  # ctest's timeout: the EXIT trap still stops the exporter

# shellcheck source=../lib/test_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/test_lib.sh"

VI=${SAMPLES%/*}/vendor-samples
# shellcheck disable=SC2034  # read by vendor_tree (test_lib.sh)
DRIVERS=$VI/vendor-image/Windows/System32/drivers
VENDOR=(--trust-store "$VI/vendor-image-ca")

# promtool_ok FILE: `promtool check metrics` reads it and reports no problem at all.
promtool_ok() {
  promtool check metrics <"$1" >"$WORK/promtool" 2>&1 || { cat "$WORK/promtool" >&2; fail "promtool check metrics: $1"; }
  [[ ! -s $WORK/promtool ]] || { cat "$WORK/promtool" >&2; fail "promtool reported problems in $1"; }
}

# The values of the JSON report's summary, as "name{labels} value" lines the .prom must hold.
expected_from_json() {
  $PY - "$1" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
s = d["summary"]
for sev in ("low", "medium", "high", "critical"):
    print(f'trustscan_findings{{severity="{sev}"}} {s["findings_by_severity"].get(sev, 0)}')
print(f'trustscan_binaries {s["binaries"]}')
print(f'trustscan_known_bad_findings {s["known_bad_findings"]}')
for kind in ("read", "malformed"):
    print(f'trustscan_errors{{kind="{kind}"}} {s["errors_by_kind"][kind]}')
print(f'trustscan_scan_complete {1 if d["scan"]["complete"] else 0}')
esc = lambda v: v.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
print(f'trustscan_info{{version="{esc(d["scan"]["tool"]["version"])}",schema_version="{d["schema_version"]}",policy="{esc(d["scan"]["policy"])}"}} 1')
for ds in d["scan"]["datasets"]:
    print(f'trustscan_dataset_info{{name="{esc(ds["name"])}",version="{esc(ds["version"])}",imported_at="{ds["imported_at"]}"}} 1')
PY
}

# has_samples EXPECTED FILE: every "name{labels} value" line of EXPECTED is a sample of FILE (in
# the exposition format: labels in any order, values compared as numbers).
has_samples() {
  $PY - "$1" "$2" <<'PY'
import re, sys
sample = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$')
label = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')
def samples(path):
    out = {}
    for line in open(path):
        m = sample.match(line.rstrip("\n"))
        if m and not line.startswith("#"):
            out[(m[1], tuple(sorted(label.findall(m[2] or ""))))] = float(m[3])
    return out
want, got = samples(sys.argv[1]), samples(sys.argv[2])
missing = [k for k, v in want.items() if got.get(k) != v]
for k in missing:
    print(f"missing or different: {k} {want[k]} (got {got.get(k)})", file=sys.stderr)
sys.exit(1 if missing or not want else 0)
PY
}

# start_exporter DIR: a prometheus-node-exporter on a free loopback port reading DIR; sets PORT.
start_exporter() {
  PORT=$($PY -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  prometheus-node-exporter --collector.disable-defaults --collector.textfile --collector.textfile.directory="$1" \
    --web.listen-address="127.0.0.1:$PORT" >"$WORK/exporter.log" 2>&1 &
  EXPORTER_PID=$!
  for _ in $(seq 100); do
    curl -fsS "http://127.0.0.1:$PORT/metrics" >/dev/null 2>&1 && return 0
    kill -0 "$EXPORTER_PID" 2>/dev/null || { cat "$WORK/exporter.log" >&2; fail "node_exporter exited"; }
    sleep 0.1
  done
  cat "$WORK/exporter.log" >&2
  fail "node_exporter did not answer on 127.0.0.1:$PORT"
}

scrape() { curl -fsS "http://127.0.0.1:$PORT/metrics"; }

case $NAME in
node_exporter)
  need promtool prometheus
  need prometheus-node-exporter prometheus-node-exporter
  need curl curl
  vendor_tree "$WORK/tree"
  mkdir "$WORK/textfile"
  # The public data sets (../shared/data) imported: their versions become trustscan_dataset_info.
  SHARED=$SRC/../shared/data
  [[ -d $SHARED/loldrivers && -d $SHARED/wdac ]] || fail "public data sets missing at $SHARED"
  expect_exit 0 "$TS" data import "$SHARED" --data-dir "$WORK/data"
  VENDOR+=(--data-dir "$WORK/data")
  (umask 0022 && expect_exit 1 "$TS" scan "${VENDOR[@]}" -o "prometheus=$WORK/textfile/trustscan.prom" \
    -o "json=$WORK/r.json" "$WORK/tree")
  PROM=$WORK/textfile/trustscan.prom
  [[ $(stat -c %a "$PROM") == 644 ]] || fail "mode $(stat -c %a "$PROM") under umask 0022, not 644"
  [[ $(ls "$WORK/textfile") == trustscan.prom ]] || fail "temporary files left: $(ls "$WORK/textfile")"
  promtool_ok "$PROM"
  # The linter can fail: a counter without _total, a gauge named in milliseconds, no HELP.
  { cat "$PROM"; printf '# TYPE trustscan_files counter\ntrustscan_files 3\n# HELP trustscan_scan_ms x\n# TYPE trustscan_scan_ms gauge\ntrustscan_scan_ms 2\n'; } >"$WORK/broken.prom"
  if promtool check metrics <"$WORK/broken.prom" >"$WORK/promtool" 2>&1; then fail "promtool passed a broken file"; fi
  grep -q 'counter metrics should have "_total" suffix' "$WORK/promtool" || { cat "$WORK/promtool" >&2; fail "promtool missed the counter"; }
  expected_from_json "$WORK/r.json" >"$WORK/expected"
  grep -q 'trustscan_findings{severity="critical"} [1-9]' "$WORK/expected" \
    || grep 'trustscan_findings{severity="high"} [1-9]' "$WORK/expected" >/dev/null || fail "the test tree has no finding"
  [[ $(grep -c '^trustscan_dataset_info{name="loldrivers"' "$WORK/expected") == 1 ]] || fail "no data set in the report"
  has_samples "$WORK/expected" "$PROM" || fail "the .prom does not hold the JSON report's values"
  # A real node_exporter serves them.
  start_exporter "$WORK/textfile"
  scrape >"$WORK/scrape"
  grep -qx 'node_textfile_scrape_error 0' "$WORK/scrape" || { grep node_textfile "$WORK/scrape" >&2; fail "textfile scrape error"; }
  has_samples "$WORK/expected" "$WORK/scrape" || fail "node_exporter does not serve the values of the JSON report"
  has_samples "$PROM" "$WORK/scrape" || fail "node_exporter serves other values than the .prom's"
  for family in trustscan_kernel_binaries trustscan_last_scan_timestamp_seconds trustscan_scan_duration_seconds \
                trustscan_dataset_info; do
    grep -q "^# TYPE $family gauge" "$WORK/scrape" || fail "node_exporter does not serve $family"
  done
  [[ $(grep -c '^trustscan_kernel_binaries{signature_status=' "$WORK/scrape") == 6 ]] || fail "not every signature status"
  grep -q "^node_textfile_mtime_seconds{file=\"$PROM\"}" "$WORK/scrape" \
    || grep '^node_textfile_mtime_seconds{file="trustscan.prom"}' "$WORK/scrape" >/dev/null || fail "no mtime of trustscan.prom"
  # Scans replacing the file while node_exporter reads it: never a parse error (the temporary file
  # beside it is not *.prom, the rename is atomic).
  errors=0 scrapes=0
  for i in $(seq 8); do
    "$TS" scan "${VENDOR[@]}" -o "prometheus=$PROM" "$WORK/tree" >/dev/null 2>&1 &
    scan=$!
    while kill -0 "$scan" 2>/dev/null; do
      scrape >"$WORK/s" || fail "scrape failed"
      scrapes=$((scrapes + 1))
      grep -qx 'node_textfile_scrape_error 0' "$WORK/s" || errors=$((errors + 1))
      grep -q '^trustscan_findings{severity="low"}' "$WORK/s" || errors=$((errors + 1))
    done
    set +e; wait "$scan"; rc=$?; set -e
    [[ $rc == 1 ]] || fail "scan $i exited $rc"
  done
  echo "scrapes during 8 rewrites: $scrapes, with an error or without the metrics: $errors"
  ((scrapes > 0)) || fail "no scrape ran while the file was replaced: nothing was checked"
  ((errors == 0)) || fail "node_exporter saw a broken or missing trustscan.prom"
  [[ $(ls "$WORK/textfile") == trustscan.prom ]] || fail "temporary files left: $(ls "$WORK/textfile")" ;;
name)
  expect_exit 2 "$TS" scan -o "prometheus=$WORK/metrics.txt" "$SAMPLES/pe"
  grep -q "reads only files named \*.prom" "$WORK/err" || fail "no .prom message: $(cat "$WORK/err")"
  [[ ! -e $WORK/metrics.txt ]] || fail "written anyway"
  expect_exit 0 "$TS" scan -o prometheus "$SAMPLES/pe"
  grep -q '^trustscan_binaries [1-9]' "$WORK/out" || fail "no metrics on standard output: $(head -3 "$WORK/out")"
  # node_exporter runs as its own user: the file is readable by all whatever the umask.
  (umask 0027 && expect_exit 0 "$TS" scan -o "prometheus=$WORK/m.prom" "$SAMPLES/pe")
  [[ $(stat -c %a "$WORK/m.prom") == 644 ]] || fail "mode $(stat -c %a "$WORK/m.prom") under umask 0027, not 644" ;;
baseline)
  vendor_tree "$WORK/tree"
  expect_exit 1 "$TS" scan "${VENDOR[@]}" -o "json=$WORK/base.json" "$WORK/tree"
  cp -r "$SAMPLES/pe" "$WORK/tree/more"      # new records
  rm "$WORK/tree/drivers/oemhwflt.sys"        # a gone one
  set +e; "$TS" scan "${VENDOR[@]}" --baseline "$WORK/base.json" -o "prometheus=$WORK/b.prom" \
    -o "json=$WORK/b.json" "$WORK/tree" >/dev/null 2>"$WORK/err"; rc=$?; set -e
  [[ $rc == 0 || $rc == 1 ]] || { cat "$WORK/err" >&2; fail "baseline scan exited $rc"; }
  $PY - "$WORK/b.json" "$WORK/b.prom" <<'PY' || fail "baseline counts differ from the JSON report"
import json, re, sys
doc = json.load(open(sys.argv[1]))
changes = {k: doc["summary"]["baseline"][k] for k in ("new", "changed", "gone")}
prom = open(sys.argv[2]).read()
got = {m[0]: int(m[1]) for m in re.findall(r'^trustscan_baseline_records\{change="(\w+)"\} (\d+)$', prom, re.M)}
assert got == changes, (got, changes)
assert changes["new"] > 0 and changes["gone"] == 1, changes
# The whole scan's counts, not the difference: every binary of the tree.
assert int(re.search(r"^trustscan_binaries (\d+)$", prom, re.M)[1]) == doc["summary"]["binaries"]
PY
  ;;
systemd_unit)
  need promtool prometheus
  need prometheus-node-exporter prometheus-node-exporter
  need strace
  UNIT=$SRC/packaging/systemd/trustscan.service
  TEXTFILE_DIR=/var/lib/prometheus/node-exporter
  # Debian's exporter reads this directory unless told otherwise.
  # Read whole first: under pipefail, grep -q leaving early would make the exporter (which writes
  # its help a line at a time) die of SIGPIPE now and then, failing the test for nothing.
  help=$(prometheus-node-exporter --help 2>&1 || true)
  grep -q -- "--collector.textfile.directory=\"$TEXTFILE_DIR\"" <<<"$help" \
    || fail "the installed node_exporter's default textfile directory is not $TEXTFILE_DIR"
  grep -qx "ReadWritePaths=-$TEXTFILE_DIR" "$UNIT" || fail "the unit cannot write $TEXTFILE_DIR (ReadWritePaths=-...)"
  exec_start=$(sed -n 's/^ExecStart=//p' "$UNIT")
  post=$(sed -n 's/^ExecStartPost=-//p' "$UNIT")
  [[ -n $post ]] || fail "no ExecStartPost=- (a failure must not fail the unit)"
  # systemd's unescaping (%% and $$), then the paths moved into $WORK.
  unit_paths() {
    local c=${1//%%/%}
    c=${c//\$\$/\$}
    c=${c//\/usr\/bin\/trustscan/$TS}
    c=${c//\/var\/log\/trustscan/$WORK/log}
    c=${c//\/var\/lib\/trustscan/$WORK/lib}
    c=${c//$TEXTFILE_DIR/$WORK/textfile}
    c=${c//\$TRUSTSCAN_OPTS/${VENDOR[*]}}
    printf '%s' "${c//\$TRUSTSCAN_ROOTS/$WORK/tree}"
  }
  vendor_tree "$WORK/tree"
  mkdir -p "$WORK/log/reports" "$WORK/lib"
  # shellcheck disable=SC2046  # split at whitespace as systemd does
  (umask 0027 && expect_exit 1 $(unit_paths "$exec_start"))
  [[ -f $WORK/log/trustscan.prom ]] || fail "ExecStart= wrote no trustscan.prom: $(ls "$WORK/log")"
  promtool_ok "$WORK/log/trustscan.prom"
  # Without node_exporter's directory: nothing, and success.
  (umask 0027 && eval "$(unit_paths "$post")") || fail "ExecStartPost= failed without the textfile directory"
  [[ ! -e $WORK/textfile ]] || fail "ExecStartPost= created the textfile directory"
  # With it: the same file, readable by node_exporter's user, nothing else left there; traced.
  mkdir "$WORK/textfile"
  echo 'stale 1' >"$WORK/textfile/trustscan.prom"
  (umask 0027 && eval "strace -f -qq -o $WORK/trace $(unit_paths "$post")") || fail "ExecStartPost= failed"
  cmp -s "$WORK/log/trustscan.prom" "$WORK/textfile/trustscan.prom" || fail "the textfile copy differs"
  [[ $(stat -c %a "$WORK/textfile/trustscan.prom") == 644 ]] || fail "textfile copy is $(stat -c %a "$WORK/textfile/trustscan.prom"), not 644"
  [[ $(ls -A "$WORK/textfile") == trustscan.prom ]] || fail "left in the textfile directory: $(ls -A "$WORK/textfile")"
  allowed_syscalls "$UNIT" >"$WORK/allowed"
  grep -oE '^[0-9]+ +[a-z_0-9]+\(' "$WORK/trace" | awk '{ print $2 }' | tr -d '(' | sort -u >"$WORK/used"
  { grep -qE '^(rename|renameat2?)$' "$WORK/used" && grep -qx execve "$WORK/used"; } || fail "the trace shows no copy: $(tr '\n' ' ' <"$WORK/used")"
  comm -23 "$WORK/used" "$WORK/allowed" >"$WORK/denied"
  [[ ! -s $WORK/denied ]] || fail "ExecStartPost= calls what the unit's SystemCallFilter= denies: $(tr '\n' ' ' <"$WORK/denied")" ;;
*) fail "unknown test" ;;
esac
echo "ok: $NAME"
