#!/usr/bin/env bash
# syslog_rsyslog_test.sh TRUSTSCAN SAMPLES_DIR SOURCE_DIR
#
# --syslog against a real rsyslogd (Debian's rsyslog, installed by tools/setup.sh --test): a
# private rsyslogd on loopback (own config, work directory and pid file in a temp dir; high ports,
# so it needs no privilege) receives trustscan's messages over UDP and TCP and writes each one
# twice: as received (%rawmsg%) and as rsyslog parsed it (PRI, version, app-name, procid, msgid,
# structured data). The test then parses every raw message as RFC 5424 itself, checks the JSON
# payload against the JSON report and the event schema, and checks that rsyslog's own parse agrees.
set -euo pipefail
TS=$1 SAMPLES=$2 SRC=$3
PY=/usr/bin/python3
RSYSLOGD=${RSYSLOGD:-/usr/sbin/rsyslogd}
fail() { echo "FAIL(syslog_rsyslog): $*" >&2; exit 1; }
[[ -x $RSYSLOGD ]] || fail "$RSYSLOGD not found: install Debian's rsyslog (tools/setup.sh --test)"
VI=${SAMPLES%/*}/vendor-samples; IMG=$VI/vendor-image
[[ -f $IMG/Windows/System32/drivers/klif.sys ]] || fail "vendor image missing (tools/make_vendor_image.sh $VI)"

WORK=$(mktemp -d /tmp/trustscan-syslog.XXXXXX)
RSYSLOG_PID=
cleanup() {
  if [[ -n $RSYSLOG_PID ]] && kill -0 "$RSYSLOG_PID" 2>/dev/null; then
    kill "$RSYSLOG_PID" 2>/dev/null || true
    wait "$RSYSLOG_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

# Two free loopback ports (released just before rsyslogd binds them; a clash fails the readiness wait).
read -r UDP_PORT TCP_PORT < <($PY -c '
import socket
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("127.0.0.1", 0))
t = socket.socket(); t.bind(("127.0.0.1", 0))
print(u.getsockname()[1], t.getsockname()[1])')
mkdir -p "$WORK/spool"
cat >"$WORK/rsyslog.conf" <<EOF
global(workDirectory="$WORK/spool" maxMessageSize="64k")
module(load="imudp")
module(load="imtcp")
template(name="raw" type="string" string="%rawmsg%\n")
template(name="parsed" type="string"
         string="%pri%|%protocol-version%|%hostname%|%app-name%|%procid%|%msgid%|%structured-data%\n")
ruleset(name="udp") {
  action(type="omfile" file="$WORK/udp.raw" template="raw")
  action(type="omfile" file="$WORK/udp.parsed" template="parsed")
}
ruleset(name="tcp") {
  action(type="omfile" file="$WORK/tcp.raw" template="raw")
  action(type="omfile" file="$WORK/tcp.parsed" template="parsed")
}
input(type="imudp" address="127.0.0.1" port="$UDP_PORT" ruleset="udp")
input(type="imtcp" address="127.0.0.1" port="$TCP_PORT" ruleset="tcp")
EOF
"$RSYSLOGD" -N1 -f "$WORK/rsyslog.conf" >"$WORK/check.log" 2>&1 || fail "rsyslog rejects the config: $(cat "$WORK/check.log")"
"$RSYSLOGD" -n -f "$WORK/rsyslog.conf" -i "$WORK/rsyslogd.pid" >"$WORK/rsyslogd.log" 2>&1 &
RSYSLOG_PID=$!

# lines FILE: lines in FILE (0 when absent). wait_lines FILE N: until FILE has N lines (20 s).
lines() { if [[ -f $1 ]]; then wc -l <"$1"; else echo 0; fi; }
wait_lines() {
  for _ in $(seq 200); do
    [[ $(lines "$1") -ge $2 ]] && return 0
    kill -0 "$RSYSLOG_PID" 2>/dev/null || fail "rsyslogd died: $(cat "$WORK/rsyslogd.log")"
    sleep 0.1
  done
  fail "$1 has $(lines "$1") lines after 20 s, expected $2 (rsyslogd: $(cat "$WORK/rsyslogd.log"))"
}
# Readiness: a probe on each input must come through (UDP cannot be probed by connecting).
for _ in $(seq 100); do
  $PY - "$UDP_PORT" "$TCP_PORT" <<'PY' && break
import socket, sys
t = socket.create_connection(("127.0.0.1", int(sys.argv[2])), timeout=1)
t.sendall(b"<13>1 - - probe - - - tcp probe\n"); t.close()
socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"<13>1 - - probe - - - udp probe", ("127.0.0.1", int(sys.argv[1])))
PY
  sleep 0.1
done
wait_lines "$WORK/udp.raw" 1
wait_lines "$WORK/tcp.raw" 1

args=(--trust-store "$VI/vendor-image-ca" "$IMG")
run() {  # run WANT_EXIT ARGS...: trustscan with the vendor image, report to $WORK/r.json
  local want=$1; shift
  set +e; "$TS" scan -f json -o "$WORK/r.json" "$@" "${args[@]}" 2>"$WORK/err"; local got=$?; set -e
  [[ $got == "$want" ]] || fail "trustscan $* exited $got, expected $want: $(cat "$WORK/err")"
}
# Findings and the summary over UDP (facility local3), every event over TCP (default facility user).
run 1 --syslog "udp://127.0.0.1:$UDP_PORT" --syslog-facility local3
cp "$WORK/r.json" "$WORK/udp.json"
wait_lines "$WORK/udp.raw" 5   # probe + 3 findings + summary
run 1 --syslog "tcp://127.0.0.1:$TCP_PORT" --syslog-all
cp "$WORK/r.json" "$WORK/tcp.json"
wait_lines "$WORK/tcp.raw" 9   # probe + 7 records + summary
sleep 0.5                      # nothing more may arrive
[[ $(lines "$WORK/udp.raw") == 5 && $(lines "$WORK/tcp.raw") == 9 ]] \
  || fail "unexpected extra messages: udp $(lines "$WORK/udp.raw"), tcp $(lines "$WORK/tcp.raw")"

$PY - "$WORK" "$SRC" <<'PY' || fail "syslog messages not as expected"
import json, re, subprocess, sys
from datetime import datetime
work, src = sys.argv[1], sys.argv[2]

def parse_sd(s):
    """RFC 5424 STRUCTURED-DATA -> ([(sd_id, {name: value})], rest). Values unescape \\" \\\\ \\]."""
    elems, i = [], 0
    while i < len(s) and s[i] == "[":
        m = re.match(r"\[([!#-~]{1,32}?)(?=[ \]])", s[i:])
        assert m and "=" not in m.group(1), s[i:]
        sd_id, i, params = m.group(1), i + m.end(), {}
        while s[i] == " ":
            m = re.match(r' ([!#-<>-\\^-~]{1,32})="', s[i:])  # PARAM-NAME: no '=', ' ', ']', '"'
            assert m, s[i:]
            name, i, val = m.group(1), i + m.end(), []
            while s[i] != '"':
                if s[i] == "\\" and s[i + 1] in '"\\]':
                    val.append(s[i + 1]); i += 2
                else:
                    val.append(s[i]); i += 1
            params[name] = "".join(val); i += 1
        assert s[i] == "]", s[i:]
        elems.append((sd_id, params)); i += 1
    return elems, s[i:]

HEADER = re.compile(r"<(\d{1,3})>(\d{1,2}) (\S+) (\S{1,255}) (\S{1,48}) (\S{1,128}) (\S{1,32}) ")

def parse(line):
    m = HEADER.match(line)
    assert m, line[:200]
    pri, version, ts, host, app, procid, msgid = m.groups()
    assert all(33 <= ord(c) <= 126 for c in "".join(m.groups())), "header fields must be PRINTUSASCII"
    sd, rest = parse_sd(line[m.end():])
    assert sd and rest.startswith(" "), line[:300]
    return dict(pri=int(pri), version=int(version), ts=ts, host=host, app=app, procid=procid, msgid=msgid,
                sd=sd, sd_raw=line[m.end():len(line) - len(rest)], msg=rest[1:])

SEV = {"critical": 2, "high": 3, "medium": 4, "low": 5}
for transport, facility, compact in (("udp", 19, True), ("tcp", 1, False)):
    report = json.load(open(f"{work}/{transport}.json"))
    files = {f["file"]["path"]: f for f in report["files"]}
    findings = {f["path"] for f in report["findings"] if not f["suppressed"]}
    raw = [l for l in open(f"{work}/{transport}.raw", encoding="utf-8").read().splitlines() if " probe " not in l]
    parsed = [l for l in open(f"{work}/{transport}.parsed", encoding="utf-8").read().splitlines() if "|probe|" not in l]
    assert len(raw) == len(parsed), (len(raw), len(parsed))
    msgs = [parse(l) for l in raw]
    procids = {m["procid"] for m in msgs}
    assert len(procids) == 1 and procids.pop().isdigit(), procids
    events = []
    for n, (m, p) in enumerate(zip(msgs, parsed), 1):
        assert m["version"] == 1 and m["app"] == "trustscan", m
        assert m["host"] == report["scan"]["observer"]["hostname"], (m["host"], report["scan"]["observer"])
        t = datetime.fromisoformat(m["ts"].replace("Z", "+00:00"))
        assert m["ts"].endswith("Z") and t.tzinfo is not None, m["ts"]
        assert dict(m["sd"]) == {"origin": {"software": "trustscan", "swVersion": report["scan"]["tool"]["version"]},
                                 "meta": {"sequenceId": str(n)}}, m["sd"]
        ev = json.loads(m["msg"])
        events.append(ev)
        assert m["pri"] // 8 == facility, (m["pri"], facility)
        kind, dataset = ev["event"]["kind"], ev["event"]["dataset"]
        if dataset == "trustscan.summary":
            assert m["msgid"] == "summary" and m["pri"] % 8 == 5 and n == len(msgs), (m["msgid"], m["pri"], n)
            assert ev["trustscan"]["summary"] == report["summary"], ev["trustscan"]["summary"]
            continue
        path = ev["file"]["path"]
        rec = files[path]
        assert ev["file"]["hash"]["sha256"] == rec["file"]["hash"]["sha256"]
        assert ev["trustscan"]["vendor"] == rec["trustscan"]["vendor"] and ev["trustscan"]["finding"] == rec["trustscan"]["finding"]
        assert ("authenticode" in ev["trustscan"]) == (not compact and "authenticode" in rec["trustscan"]), path
        if kind == "alert":
            assert m["msgid"] == "finding" and m["pri"] % 8 == SEV[ev["trustscan"]["finding"]["severity"]], (m, path)
            assert path in findings and ev["trustscan"]["finding"]["status"] == "finding", path
        else:
            assert m["msgid"] == "file" and m["pri"] % 8 == 6 and path not in findings, (m["msgid"], path)
    # rsyslog's own RFC 5424 parse of the same messages agrees with ours.
    for m, p in zip(msgs, parsed):
        pri, ver, host, app, procid, msgid, sd = p.split("|", 6)
        assert (int(pri), int(ver), host, app, procid, msgid) == (m["pri"], 1, m["host"], "trustscan", m["procid"], m["msgid"]), p
        assert sd == m["sd_raw"], (sd, m["sd_raw"])
    alerts = {e["file"]["path"] for e in events if e["event"]["kind"] == "alert"}
    assert alerts == findings and len(alerts) == 3, (alerts, findings)
    if transport == "tcp":
        assert {e["file"]["path"] for e in events if "file" in e} == set(files), "--syslog-all must send every record"
    else:
        assert len(events) == 4, len(events)
    # The payloads, in order, are a valid NDJSON stream (the summary is last).
    with open(f"{work}/{transport}.ndjson", "w", encoding="utf-8") as f:
        for m in msgs:
            f.write(m["msg"] + "\n")
    r = subprocess.run(["/usr/bin/python3", f"{src}/tools/validate_report.py", "--ndjson", "--schema",
                        f"{src}/docs/schema/event.schema.json", f"{work}/{transport}.ndjson"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-2000:]
    print(f"{transport}: {len(msgs)} messages, {sum(len(l.encode()) for l in raw)} bytes, largest {max(len(l.encode()) for l in raw)}")
PY
echo "ok: syslog_rsyslog"
