#!/usr/bin/env bash
# check_test.sh TRUSTSCAN SAMPLES_DIR SOURCE_DIR TEST_NAME — issue 19, docs/monitoring.md:
#   state   -o state=FILE: the document against docs/schema/state.schema.json, its counts against
#           the JSON report of the same scan, written atomically (a temporary and a rename)
#   check   trustscan check: exit codes 0-3, the status line and perfdata, -w/-c, --max-age,
#           a missing/damaged state and bad options (UNKNOWN on standard output), --scan, --timeout
#   icinga  a private Icinga 2 daemon runs trustscan check as a CheckCommand every second; its
#           PerfdataWriter records the state (CRITICAL with a finding, OK without) and the perfdata
#   zabbix  the shipped Zabbix items (packaging/zabbix/trustscan.conf) through `zabbix_agent2 -t`
# The icinga and zabbix tests fail (not skip) when Debian's icinga2 / zabbix-agent2 is missing
# (tools/setup.sh --test installs them).
set -euo pipefail
TS=$1 SAMPLES=$2 SRC=$3 NAME=$4
WORK=$(mktemp -d /tmp/trustscan-check.XXXXXX)
DAEMON_PGID=
cleanup() {
  if [[ -n $DAEMON_PGID ]]; then
    kill -TERM -- "-$DAEMON_PGID" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 -- "-$DAEMON_PGID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$DAEMON_PGID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
PY=/usr/bin/python3
# shellcheck source=../lib/test_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/test_lib.sh"

VIMG=${SAMPLES%/*}/vendor-samples/vendor-image  # a finding (klif.sys: Kaspersky, RU)
CLEAN=$SAMPLES/pe                                # none

# make_state ROOT FILE: scans ROOT, writing the state to FILE.
make_state() {
  set +e; "$TS" scan -q -o "state=$2" -o "json=$2.report.json" "$1" >/dev/null 2>"$WORK/scan.err"; local rc=$?; set -e
  [[ $rc == 0 || $rc == 1 ]] || { cat "$WORK/scan.err" >&2; fail "scan of $1 exited $rc"; }
  [[ -s $2 ]] || fail "no state written for $1"
}

# first_line: the status line of the last expect_exit's output.
status_line() { head -1 "$WORK/out"; }

case $NAME in
state)
  [[ -f $VIMG/Windows/System32/drivers/klif.sys ]] || fail "vendor image missing (tools/make_vendor_image.sh)"
  make_state "$VIMG" "$WORK/state.json"
  $PY "$SRC/tools/validate_report.py" --schema "$SRC/docs/schema/state.schema.json" "$WORK/state.json" \
    || fail "the state does not match docs/schema/state.schema.json"
  ls "$WORK" | grep partial >/dev/null && fail "a temporary was left beside the state"
  # Its counts are the report's: findings (vendor policy or known-bad, each record once), kernel binaries, unsigned.
  $PY - "$WORK/state.json" "$WORK/state.json.report.json" <<'PY' || fail "state and report disagree"
import json, sys
state, report = (json.load(open(p)) for p in sys.argv[1:3])
files = report["files"]
kernel = [f for f in files if f["trustscan"]["privilege"] == "kernel"]
findings = [f for f in files if (f["trustscan"].get("finding") or {}).get("status") == "finding"
            or "known_bad_severity" in f["trustscan"]]
c = state["counts"]
assert c["findings"] == len(findings) >= 1, (c, len(findings))
assert c["kernel_binaries"] == len(kernel) == sum(c["kernel_by_signature"].values()), c
assert c["unsigned_kernel"] == c["kernel_by_signature"].get("unsigned", 0), c
assert {f["path"] for f in state["findings"]} == {f["file"]["path"] for f in findings}
assert state["scan"]["exit_code"] == 1 and state["scan"]["complete"] is True, state["scan"]
assert state["scan"]["started"] == report["scan"]["start"] and state["scan"]["finished"] == report["scan"]["end"]
assert any(f["path"].endswith("/klif.sys") and f["country"] == "RU" and f["vendor"] for f in state["findings"])
PY
  # The monitoring agents' users read it: 0644 under the unit's UMask=0027; a report beside it keeps the umask.
  (umask 0027 && make_state "$VIMG" "$WORK/umask.json")
  [[ $(stat -c %a "$WORK/umask.json") == 644 ]] || fail "state mode $(stat -c %a "$WORK/umask.json") under umask 0027, not 644"
  [[ $(stat -c %a "$WORK/umask.json.report.json") == 640 ]] || fail "report mode $(stat -c %a "$WORK/umask.json.report.json"), not 640"
  # A clean tree: no findings, exit code 0.
  make_state "$CLEAN" "$WORK/clean.json"
  $PY "$SRC/tools/validate_report.py" --schema "$SRC/docs/schema/state.schema.json" "$WORK/clean.json" || fail "clean state"
  $PY -c 'import json,sys; s=json.load(open(sys.argv[1])); assert s["counts"]["findings"] == 0 and s["findings"] == [] and s["scan"]["exit_code"] == 0, s' \
    "$WORK/clean.json" || fail "clean state: $(cat "$WORK/clean.json")"
  # Replaced by rename, never rewritten in place: a reader holding the old file keeps it whole.
  ino=$(stat -c %i "$WORK/clean.json")
  make_state "$CLEAN" "$WORK/clean.json"
  [[ $(stat -c %i "$WORK/clean.json") != "$ino" ]] || fail "the state was rewritten in place"
  # --baseline has nothing to reduce in a state: refused, like any format without a baseline mode.
  "$TS" scan -q -o "json=$WORK/base.json" "$CLEAN" >/dev/null 2>&1 || true
  expect_exit 2 "$TS" scan -q --baseline "$WORK/base.json" -o "state=$WORK/b.json" "$CLEAN"
  grep -q "state has no baseline mode" "$WORK/err" || fail "baseline: $(cat "$WORK/err")" ;;
check)
  make_state "$VIMG" "$WORK/bad.json"
  make_state "$CLEAN" "$WORK/clean.json"
  # Defaults: any finding is CRITICAL.
  expect_exit 2 "$TS" check --state "$WORK/bad.json"
  status_line | grep -Eq '^TRUSTSCAN CRITICAL - [1-9][0-9]* findings? .*\|findings=[1-9][0-9]*;;0;0 kernel_binaries=[0-9]+;;;0 unsigned_kernel=[0-9]+;;;0 scan_age=[0-9]+s;172800;;0 read_errors=[0-9]+;;;0$' \
    || fail "critical status line: $(status_line)"
  grep -q '/klif.sys - .*(RU)' "$WORK/out" || fail "long output lacks the finding: $(cat "$WORK/out")"
  (($(wc -c <"$WORK/out") < 8192)) || fail "output over 8 KiB"
  expect_exit 0 "$TS" check --state "$WORK/clean.json"
  status_line | grep -Eq '^TRUSTSCAN OK - 0 findings, [0-9]+ kernel binar(y|ies) \([0-9]+ unsigned\), scan [0-9]+s ago\|findings=0;;0;0 ' \
    || fail "ok status line: $(status_line)"
  [[ $(wc -l <"$WORK/out") == 1 ]] || fail "long output without findings: $(cat "$WORK/out")"
  # -w/-c ranges on the number of findings.
  n=$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["counts"]["findings"])' "$WORK/bad.json")
  expect_exit 1 "$TS" check --state "$WORK/bad.json" -w 0 -c "$((n + 1))"
  status_line | grep "^TRUSTSCAN WARNING - .*|findings=$n;0;$((n + 1));0 " >/dev/null || fail "warning: $(status_line)"
  expect_exit 0 "$TS" check --state "$WORK/bad.json" -c "~:$n"
  expect_exit 2 "$TS" check --state "$WORK/bad.json" -w 0 -c "@$n:$n"
  # A stale state: --max-age, WARNING or CRITICAL (--stale) even without findings.
  sleep 2.1  # ages are whole seconds: over 1 s means 2
  expect_exit 1 "$TS" check --state "$WORK/clean.json" --max-age 1
  status_line | grep "^TRUSTSCAN WARNING - .*over --max-age 1s|.*scan_age=[0-9]*s;1;;0" >/dev/null || fail "stale: $(status_line)"
  expect_exit 2 "$TS" check --state "$WORK/clean.json" --max-age 1 --stale critical
  status_line | grep "scan_age=[0-9]*s;;1;0" >/dev/null || fail "stale critical perfdata: $(status_line)"
  expect_exit 0 "$TS" check --state "$WORK/clean.json" --max-age 0
  # UNKNOWN (3), on standard output: missing, damaged or foreign state, bad options.
  expect_exit 3 "$TS" check --state "$WORK/none.json"
  status_line | grep "^TRUSTSCAN UNKNOWN - cannot read the state $WORK/none.json" >/dev/null || fail "missing: $(status_line)"
  head -c 100 "$WORK/bad.json" >"$WORK/cut.json"
  expect_exit 3 "$TS" check --state "$WORK/cut.json"
  status_line | grep "^TRUSTSCAN UNKNOWN - the state $WORK/cut.json: not a JSON object" >/dev/null || fail "damaged: $(status_line)"
  expect_exit 3 "$TS" check --state "$WORK/bad.json.report.json"
  status_line | grep "not a trustscan state" >/dev/null || fail "foreign: $(status_line)"
  sed 's/"version":"1\.[0-9.]*"/"version":"2.0.0"/' "$WORK/bad.json" >"$WORK/v2.json"
  expect_exit 3 "$TS" check --state "$WORK/v2.json"
  status_line | grep 'state schema version "2.0.0"' >/dev/null || fail "v2: $(status_line)"
  expect_exit 3 "$TS" check --state "$WORK/bad.json" -w 5:1
  status_line | grep "^TRUSTSCAN UNKNOWN - threshold range '5:1'" >/dev/null || fail "bad range: $(status_line)"
  expect_exit 3 "$TS" check --state "$WORK/bad.json" --no-such-option
  status_line | grep "^TRUSTSCAN UNKNOWN - " >/dev/null || fail "bad option: $(status_line)"
  expect_exit 3 "$TS" check --state "$WORK/bad.json" --scan "$CLEAN"
  expect_exit 3 "$TS" check --state "$WORK/none.json" --zabbix nope
  status_line | grep "^TRUSTSCAN UNKNOWN - --zabbix nope: no such item" >/dev/null || fail "bad item: $(status_line)"
  # --scan: scans now, decides the same way.
  expect_exit 2 "$TS" check --scan "$VIMG" -t 60
  status_line | grep '^TRUSTSCAN CRITICAL - ' >/dev/null || fail "--scan: $(status_line)"
  expect_exit 0 "$TS" check --scan "$CLEAN" -t 60
  # --timeout: UNKNOWN within the budget, the process does not outlive it. The real tree and
  # this host's /usr: more than any machine scans in 0.5 s (the real tree alone took 0.4-0.6 s on
  # the project machine in December 2026, and the check then passed or failed by that).
  REAL=${TRUSTSCAN_REAL_TREE:-/var/cache/trustscan/realtree}
  [[ -d $REAL/usr ]] || fail "real tree missing at $REAL (tools/fetch_real_tree.sh)"
  start=$(date +%s%N)
  expect_exit 3 "$TS" check --scan "$REAL" /usr -t 0.5
  elapsed_ms=$((($(date +%s%N) - start) / 1000000))
  status_line | grep -Eq '^TRUSTSCAN UNKNOWN - (timed out after 0.5|the scan did not finish within --timeout 0.5)' \
    || fail "timeout: $(status_line)"
  ((elapsed_ms < 5000)) || fail "timeout 0.5 s took $elapsed_ms ms" ;;
icinga)
  need icinga2 icinga2-bin
  make_state "$VIMG" "$WORK/bad.json"
  make_state "$CLEAN" "$WORK/clean.json"
  I=$WORK/icinga
  mkdir -p "$I"/{lib,cache,log,spool,run,perfdata,tmp}
  cat >"$I/icinga2.conf" <<EOF
object CheckerComponent "checker" { }
object PerfdataWriter "perfdata" {
  service_perfdata_path = "$I/perfdata/service-perfdata"
  host_perfdata_path = "$I/perfdata/host-perfdata"
  service_temp_path = "$I/tmp/service-perfdata"
  host_temp_path = "$I/tmp/host-perfdata"
  service_format_template = "SERVICEDESC::\$service.name\$\tSERVICESTATE::\$service.state\$\tSERVICEPERFDATA::\$service.perfdata\$\tSERVICEOUTPUT::\$service.output\$"
  rotation_interval = 1s
}
object CheckCommand "trustscan" {
  command = [ "$TS", "check" ]
  arguments = {
    "--state" = { value = "\$trustscan_state\$"; required = true }
    "-w" = "\$trustscan_warning\$"
    "-c" = "\$trustscan_critical\$"
  }
  timeout = 10s
}
object CheckCommand "always-up" { command = [ "/bin/true" ] }
object Host "scanned" { check_command = "always-up"; check_interval = 1m }
object Service "trustscan-findings" {
  host_name = "scanned"; check_command = "trustscan"; check_interval = 1s; retry_interval = 1s
  vars.trustscan_state = "$WORK/bad.json"
}
object Service "trustscan-clean" {
  host_name = "scanned"; check_command = "trustscan"; check_interval = 1s; retry_interval = 1s
  vars.trustscan_state = "$WORK/clean.json"
}
object Service "trustscan-warning" {
  host_name = "scanned"; check_command = "trustscan"; check_interval = 1s; retry_interval = 1s
  vars.trustscan_state = "$WORK/bad.json"
  vars.trustscan_warning = "0"
  vars.trustscan_critical = "1000"
}
EOF
  defs=(-DConfiguration.CacheDir="$I/cache" -DConfiguration.DataDir="$I/lib" -DConfiguration.LogDir="$I/log"
        -DConfiguration.SpoolDir="$I/spool" -DConfiguration.InitRunDir="$I/run" -DConfiguration.PidPath="$I/run/icinga2.pid"
        -DConfiguration.VarsPath="$I/cache/icinga2.vars" -DConfiguration.ObjectsPath="$I/cache/icinga2.debug"
        -DConfiguration.StatePath="$I/lib/icinga2.state" -DConfiguration.ModAttrPath="$I/lib/modified-attributes.conf"
        -DConfiguration.RunAsUser="$(id -un)" -DConfiguration.RunAsGroup="$(id -gn)")
  icinga2 daemon -C -c "$I/icinga2.conf" "${defs[@]}" >"$I/validate.log" 2>&1 \
    || { cat "$I/validate.log" >&2; fail "icinga2 daemon -C rejects the configuration"; }
  grep -q "Instantiated 2 CheckCommands" "$I/validate.log" || fail "validation: $(cat "$I/validate.log")"
  # Its own process group, so that the cleanup stops the daemon and its workers together.
  setsid icinga2 daemon -c "$I/icinga2.conf" "${defs[@]}" >"$I/daemon.log" 2>&1 &
  DAEMON_PGID=$!
  # The rotated perfdata files: wait for a result of each service (30 s).
  for _ in $(seq 300); do
    cat "$I"/perfdata/service-perfdata.* 2>/dev/null >"$I/all" || true
    if grep -q 'SERVICEDESC::trustscan-findings' "$I/all" && grep -q 'SERVICEDESC::trustscan-clean' "$I/all" \
       && grep -q 'SERVICEDESC::trustscan-warning' "$I/all"; then break; fi
    kill -0 "$DAEMON_PGID" 2>/dev/null || { cat "$I/daemon.log" >&2; fail "icinga2 stopped"; }
    sleep 0.1
  done
  cat "$I/all"
  n=$($PY -c 'import json,sys; s=json.load(open(sys.argv[1])); print(s["counts"]["findings"], s["counts"]["kernel_binaries"], s["counts"]["unsigned_kernel"])' "$WORK/bad.json")
  read -r findings kernel unsigned <<<"$n"
  # The first line of each record (the output's long lines, the findings, follow it).
  line() { grep "^SERVICEDESC::$1	" "$I/all" | tail -1; }
  line trustscan-findings | grep -Eq "^SERVICEDESC::trustscan-findings	SERVICESTATE::CRITICAL	SERVICEPERFDATA::findings=$findings;;0;0 kernel_binaries=$kernel;;;0 unsigned_kernel=$unsigned;;;0 scan_age=[0-9]+s;172800;;0 read_errors=[0-9]+;;;0	SERVICEOUTPUT::TRUSTSCAN CRITICAL - $findings findings? " \
    || fail "findings service: $(line trustscan-findings)"
  grep -q "^high .*/klif.sys - Kaspersky (RU): " "$I/all" || fail "the findings are not in the long output"
  line trustscan-clean | grep "SERVICESTATE::OK	SERVICEPERFDATA::findings=0;;0;0 .*	SERVICEOUTPUT::TRUSTSCAN OK - 0 findings" >/dev/null \
    || fail "clean service: $(line trustscan-clean)"
  line trustscan-warning | grep "SERVICESTATE::WARNING	SERVICEPERFDATA::findings=$findings;0;1000;0 .*	SERVICEOUTPUT::TRUSTSCAN WARNING - " >/dev/null \
    || fail "warning service: $(line trustscan-warning)"
  # The state file changes: the next checks see it (no restart, no cache in between).
  cp "$WORK/clean.json" "$WORK/bad.json.new" && mv "$WORK/bad.json.new" "$WORK/bad.json"
  for _ in $(seq 300); do
    cat "$I"/perfdata/service-perfdata.* 2>/dev/null >"$I/all" || true
    line trustscan-findings | grep "SERVICESTATE::OK" >/dev/null && break
    sleep 0.1
  done
  line trustscan-findings | grep "SERVICESTATE::OK" >/dev/null || fail "the findings service did not turn OK: $(line trustscan-findings)" ;;
zabbix)
  need zabbix_agent2 zabbix-agent2
  make_state "$VIMG" "$WORK/bad.json"
  Z=$WORK/zabbix
  mkdir -p "$Z/conf.d"
  # The shipped items, with this build's binary and the test's state instead of the installed ones.
  sed "s|/usr/bin/trustscan check |$TS check --state $WORK/bad.json |" "$SRC/packaging/zabbix/trustscan.conf" \
    >"$Z/conf.d/trustscan.conf"
  grep -c '^UserParameter=' "$Z/conf.d/trustscan.conf" | grep -x 7 >/dev/null || fail "expected 7 items in the shipped file"
  cat >"$Z/agent2.conf" <<EOF
LogType=console
PidFile=$Z/agent2.pid
ControlSocket=$Z/agent2.sock
Timeout=10
Include=$Z/conf.d/*.conf
EOF
  item() {  # item KEY: the value zabbix_agent2 -t reports ("[s|VALUE]")
    zabbix_agent2 -c "$Z/agent2.conf" -t "$1" 2>"$Z/err" | sed -n 's/^[^ ]* *\[s|\(.*\)\]$/\1/p'
  }
  read -r findings kernel unsigned read_errors <<<"$($PY -c 'import json,sys; c=json.load(open(sys.argv[1]))["counts"]; print(c["findings"], c["kernel_binaries"], c["unsigned_kernel"], c["errors"]["read"])' "$WORK/bad.json")"
  [[ $(item trustscan.findings) == "$findings" ]] || fail "trustscan.findings: '$(item trustscan.findings)' $(cat "$Z/err")"
  [[ $(item trustscan.kernel_binaries) == "$kernel" ]] || fail "trustscan.kernel_binaries: $(item trustscan.kernel_binaries)"
  [[ $(item trustscan.unsigned_kernel) == "$unsigned" ]] || fail "trustscan.unsigned_kernel: $(item trustscan.unsigned_kernel)"
  [[ $(item trustscan.read_errors) == "$read_errors" ]] || fail "trustscan.read_errors: $(item trustscan.read_errors)"
  [[ $(item trustscan.status) == 2 ]] || fail "trustscan.status: $(item trustscan.status)"
  age=$(item trustscan.scan_age)
  [[ $age =~ ^[0-9]+$ ]] && ((age < 600)) || fail "trustscan.scan_age: $age"
  # Low-level discovery: a JSON array (Zabbix >= 4.2) of objects whose macros are all strings.
  item trustscan.findings.discovery >"$Z/lld.json"
  $PY - "$Z/lld.json" "$WORK/bad.json" <<'PY' || fail "LLD: $(cat "$Z/lld.json")"
import json, sys
lld, state = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
assert isinstance(lld, list) and len(lld) == len(state["findings"]) >= 1, lld
for entity, f in zip(lld, state["findings"]):
    assert set(entity) == {"{#PATH}", "{#VENDOR}", "{#COUNTRY}", "{#SEVERITY}", "{#SHA256}"}, entity
    assert all(isinstance(v, str) for v in entity.values()), entity
    assert entity["{#PATH}"] == f["path"] and entity["{#SEVERITY}"] == f["severity"], (entity, f)
assert any(e["{#PATH}"].endswith("/klif.sys") and e["{#COUNTRY}"] == "RU" for e in lld), lld
PY
  # No state: the status item says UNKNOWN (3); a numeric item gets the reason (unsupported).
  rm "$WORK/bad.json"
  [[ $(item trustscan.status) == 3 ]] || fail "status without a state: $(item trustscan.status)"
  item trustscan.findings | grep "^TRUSTSCAN UNKNOWN - cannot read the state" >/dev/null || fail "findings without a state: $(item trustscan.findings)" ;;
*)
  fail "unknown test $NAME" ;;
esac
