#!/usr/bin/env bash
# CLI tests, one per invocation: cli_test.sh TRUSTSCAN SAMPLES_DIR SOURCE_DIR TEST_NAME
# Each test checks exit codes and output of the real binary; any failed check exits non-zero.
set -euo pipefail
TS=$1 SAMPLES=$2 SRC=$3 NAME=$4
WORK=$(mktemp -d /tmp/trustscan-cli.XXXXXX)
trap 'chmod -R u+rwx "$WORK" 2>/dev/null; rm -rf "$WORK"' EXIT
PY=/usr/bin/python3

# shellcheck source=../lib/test_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/test_lib.sh"

case $NAME in
version)
  # The program, the libraries it runs with, and the data (issue 20: it printed only the number).
  expect_exit 0 env TRUSTSCAN_DATA_DIR="$SRC" "$TS" --version
  head -1 "$WORK/out" | grep -Eq '^trustscan [0-9]+\.[0-9]+\.[0-9]+$' || fail "bad --version: $(cat "$WORK/out")"
  for lib in "LIEF 0.9" "YARA 4." "OpenSSL 3." "The Sleuth Kit 4." liblzma libzstd SQLite ICU libcurl; do
    grep -q "^libraries: .*$lib" "$WORK/out" || fail "--version lacks $lib: $(cat "$WORK/out")"
  done
  grep -qx "shipped data: $SRC" "$WORK/out" || fail "--version lacks the shipped data: $(cat "$WORK/out")"
  grep -q "^imported data (/var/lib/trustscan/data):" "$WORK/out" || fail "--version lacks the imported data"
  # libtsk, libewf and libcurl are loaded when first needed (core/shared_library.hpp): a scan of a
  # directory without disk images never maps them, nor the libraries they bring (libafflib, gnutls).
  ! readelf -d "$TS" | grep -Eq 'NEEDED.*(libtsk|libewf|libcurl)' || fail "the program is linked to libtsk, libewf or libcurl"
  mkdir "$WORK/plain" && printf 'text' >"$WORK/plain/a.txt"
  LD_DEBUG=files "$TS" scan -q -f json -o "$WORK/plain.json" "$WORK/plain" 2>"$WORK/ld" || fail "scan of a plain directory"
  ! grep -Eq 'file=(libtsk|libewf|libcurl|libafflib)' "$WORK/ld" || fail "a scan without images loaded: $(grep -E 'file=lib(tsk|ewf|curl|afflib)' "$WORK/ld" | head -3)"
  LD_DEBUG=files "$TS" --version >/dev/null 2>"$WORK/ld" || fail "--version under LD_DEBUG"
  grep -q 'file=libtsk' "$WORK/ld" || fail "--version did not load libtsk (LD_DEBUG shows no loads: the check above proves nothing)" ;;
help)
  expect_exit 0 "$TS" scan --help
  grep -q -- '--format' "$WORK/out" || fail "help lacks --format"
  # trustscan help [COMMAND...] (issue 20: it said "A subcommand is required").
  expect_exit 0 "$TS" help
  grep -q "scan" "$WORK/out" && grep -q "data" "$WORK/out" || fail "trustscan help: $(cat "$WORK/out")"
  expect_exit 0 "$TS" help scan
  grep -q -- '--format' "$WORK/out" || fail "trustscan help scan lacks --format"
  expect_exit 0 "$TS" help data import
  grep -q "SRC" "$WORK/out" || fail "trustscan help data import: $(cat "$WORK/out")"
  expect_exit 2 "$TS" help scna
  grep -q "no help on 'scna'" "$WORK/err" || fail "trustscan help scna: $(cat "$WORK/err")" ;;
commands)
  # A mistyped or missing command names the commands (issue 20: "A subcommand is required").
  expect_exit 2 "$TS" scna /tmp
  grep -q "unknown command 'scna': the commands are scan, explain, vendors, policies, data, check or help" "$WORK/err" || fail "scna: $(cat "$WORK/err")"
  expect_exit 2 "$TS"
  grep -q "a command is required: scan, explain, vendors, policies, data, check or help" "$WORK/err" || fail "no command: $(cat "$WORK/err")"
  expect_exit 2 "$TS" data frobnicate
  grep -q "Run 'trustscan data --help'" "$WORK/err" || fail "data frobnicate: $(cat "$WORK/err")" ;;
missing_root)
  # A root that does not exist or cannot be opened is a usage error (issue 20: exit 3 and an
  # empty FINDINGS section, counted as success by the systemd unit).
  expect_exit 2 "$TS" scan -f json "$SAMPLES/pe" /nonexistent/trustscan-root
  grep -q "cannot scan '/nonexistent/trustscan-root': No such file or directory" "$WORK/err" \
    || fail "missing root: $(cat "$WORK/err")"
  [[ ! -s $WORK/out ]] || fail "a report was written for a missing root"
  # A root its user may not open: mode 000 keeps out everyone but root, so as root the scan runs
  # as nobody (the directory above stays traversable).
  chmod 711 "$WORK"
  mkdir "$WORK/closed"; chmod 000 "$WORK/closed"
  runas=()
  [[ $(id -u) == 0 ]] && runas=(setpriv --reuid=65534 --regid=65534 --clear-groups)
  expect_exit 2 "${runas[@]}" "$TS" scan -f json "$WORK/closed"
  grep -q "cannot scan '$WORK/closed': cannot open it: Permission denied" "$WORK/err" \
    || fail "unreadable root: $(cat "$WORK/err")" ;;
output_stdout_umask)
  # -o - is standard output (issue 20: it wrote a file named '-'); reports honour the umask
  # (issue 20: forced to 0644; the unit's UMask=0027 promises 0640).
  (cd "$WORK" && expect_exit 0 "$TS" scan -f json -o - "$SAMPLES/pe")
  [[ ! -e $WORK/- ]] || fail "-o - wrote a file named '-'"
  $PY -c 'import json, sys; json.load(open(sys.argv[1]))' "$WORK/out" || fail "-o -: no JSON on standard output"
  for mask in 0027 0022 0077; do
    rm -f "$WORK/r.json"
    (umask $mask && expect_exit 0 "$TS" scan -f json -o "$WORK/r.json" "$SAMPLES/pe")
    want=$(printf '%o' $((0666 & ~8#$mask)))
    [[ $(stat -c %a "$WORK/r.json") == "$want" ]] || fail "umask $mask: report mode $(stat -c %a "$WORK/r.json"), want $want"
  done ;;
usage_errors)
  expect_exit 2 "$TS" scan --no-such-option
  expect_exit 2 "$TS" scan --format xml "$SAMPLES"
  expect_exit 2 "$TS" scan --threads -1 "$SAMPLES"
  expect_exit 2 "$TS"
  grep -q "trustscan" "$WORK/err" || fail "no message on usage error" ;;
exit_clean)
  expect_exit 0 "$TS" scan --format json "$SAMPLES/pe" "$SAMPLES/elf" "$SAMPLES/macho" ;;
exit_file_errors)
  # Malformed files are listed with their errors, and do not by themselves exit 3 (issue 20:
  # tests/cli/hostfs_test.sh exit_kinds has a file that cannot be read, which does).
  expect_exit 0 "$TS" scan --format json "$SAMPLES/other"
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
  expect_exit 0 "$TS" scan --format json -o "$WORK/r.json" "$SAMPLES"
  validate_json "$WORK/r.json" ;;
ndjson_schema)
  expect_exit 0 "$TS" scan --format ndjson "$SAMPLES"
  cp "$WORK/out" "$WORK/r.ndjson"
  validate_json "$WORK/r.ndjson" --ndjson
  lines=$(wc -l <"$WORK/r.ndjson")
  [[ $lines -ge 19 ]] || fail "expected >= 19 NDJSON lines, got $lines" ;;
table)
  expect_exit 0 env COLUMNS=100 "$TS" scan --format table "$SAMPLES/pe" "$SAMPLES/elf" "$SAMPLES/macho" "$SAMPLES/other"
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
output_special)
  # -o onto a FIFO or a character device writes through it and leaves the node as it was (a
  # temporary + rename would replace it by a regular file: fatal for /dev/null, as root).
  mkfifo "$WORK/fifo"
  cat "$WORK/fifo" >"$WORK/from-fifo" &
  reader=$!
  expect_exit 0 timeout 60 "$TS" scan --format json -o "$WORK/fifo" "$SAMPLES/pe"
  wait "$reader"
  [[ -p $WORK/fifo ]] || fail "-o FIFO replaced the FIFO"
  $PY -c 'import json, sys; json.load(open(sys.argv[1]))' "$WORK/from-fifo" || fail "report through the FIFO is not JSON"
  if [[ $(id -u) == 0 ]]; then
    mknod -m 666 "$WORK/null" c 1 3   # a private /dev/null
    expect_exit 0 "$TS" scan --format json -o "$WORK/null" "$SAMPLES/pe"
    [[ -c $WORK/null ]] || fail "-o on a character device replaced the device by a $(stat -c %F "$WORK/null")"
  fi
  [[ -z $(find "$WORK" -name '*.partial-*') ]] || fail "temporary left behind" ;;
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
vendor_image_default)
  # The vendor image of tools/make_vendor_image.sh (fixture build_vendor_image), default policy:
  # exactly the three Kaspersky drivers are findings; the Chinese and US drivers and the
  # Kaspersky-signed user-mode files are attributed but are not findings.
  VI=${SAMPLES%/*}/vendor-samples; IMG=$VI/vendor-image
  [[ -f $IMG/Windows/System32/drivers/klif.sys ]] || fail "vendor image missing (tools/make_vendor_image.sh $VI)"
  expect_exit 1 "$TS" scan -f json --trust-store "$VI/vendor-image-ca" "$IMG"
  cp "$WORK/out" "$WORK/r.json"
  validate_json "$WORK/r.json"
  $PY - "$WORK/r.json" "$IMG" <<'PY' || fail "vendor image findings not as expected"
import json, sys
d, root = json.load(open(sys.argv[1])), sys.argv[2]
rel = lambda p: p[len(root) + 1:]
drv = "Windows/System32/drivers/"
want = {drv + "klif.sys": "critical", drv + "oemhwflt.sys": "critical", drv + "oemavflt.sys": "high"}
got = {rel(f["path"]): f for f in d["findings"]}
assert set(got) == set(want), sorted(got)
for path, f in got.items():
    assert f["vendor"]["id"] == "kaspersky" and f["vendor"]["country"] == "RU", (path, f["vendor"])
    assert f["severity"] == want[path], (path, f["severity"])
    assert f["suppressed"] is False and f["privilege"] == "kernel" and f["type"] == "driver", (path, f)
    assert [r["id"] for r in f["rules"]] == ["country:RU"] and f["rules"][0]["via"] == "country", (path, f["rules"])
    assert f["evidence"], path
assert d["summary"]["findings"] == 3 and d["summary"]["suppressed"] == 0, d["summary"]
assert d["summary"]["findings_by_severity"] == {"critical": 2, "high": 1}, d["summary"]
files = {rel(f["file"]["path"]): f for f in d["files"]}
assert "Users/Public/readme.txt" not in files and d["summary"]["non_binaries"] == 1, sorted(files)
def ev(path):
    v = files[path]["trustscan"]["vendor"]
    return v, {(e["kind"], e["vendor"]) for e in v["evidence"]}
# Russian AV, signed by the vendor itself: signer (valid chain -> high) + known file name.
v, kinds = ev(drv + "klif.sys")
assert {("signer", "kaspersky"), ("file_name", "kaspersky")} <= kinds and v["confidence"] == "high", kinds
assert files[drv + "klif.sys"]["file"]["code_signature"]["trusted"] is True
# Attestation-style: primary signer is the Microsoft WHCP signing service, the vendor is only in
# the nested signature; no file-name clue.
f = files[drv + "oemhwflt.sys"]
sigs = f["trustscan"]["authenticode"]["signatures"]
assert [s["nested"] for s in sigs] == [False, True], sigs
assert sigs[0]["signer"]["common_name"] == "Microsoft Windows Hardware Compatibility Publisher"
assert sigs[1]["signer"]["organization"] == "AO Kaspersky Lab" and all(s["status"] == "valid" for s in sigs)
v, kinds = ev(drv + "oemhwflt.sys")
assert v["id"] == "kaspersky" and ("signing_service", "microsoft") in kinds and ("signer", "kaspersky") in kinds, kinds
assert not any(k == "file_name" for k, _ in kinds), kinds
assert any(e["kind"] == "signer" and "nested" in e.get("note", "") for e in v["evidence"]), v["evidence"]
# The WHCP signer is recorded as the signing service: no candidate, no contradiction (issue 15).
assert "microsoft" not in v["candidates"] and not v["contradictions"], v
assert [s["vendor"] for s in f["trustscan"]["signing_services"]] == ["microsoft"], f["trustscan"]["signing_services"]
# Unsigned, neutral name, no version resource: only a YARA rule (white-labelled engine strings).
v, kinds = ev(drv + "oemavflt.sys")
assert kinds == {("rule", "kaspersky")}, kinds
assert any(e["value"].endswith("Kaspersky_ScanEngineSdk") for e in v["evidence"]), v["evidence"]
assert files[drv + "oemavflt.sys"]["file"]["code_signature"]["exists"] is False
assert got[drv + "oemavflt.sys"]["evidence"] == ["rule: rules:Kaspersky_ScanEngineSdk"], got[drv + "oemavflt.sys"]
# Attributed, not flagged by the default policy.
for path, vid, cc in ((drv + "360fsflt.sys", "qihoo-360", "CN"), (drv + "SentinelMonitor.sys", "sentinelone", "US")):
    t = files[path]["trustscan"]
    assert t["vendor"]["id"] == vid and t["country"] == cc and t["privilege"] == "kernel", (path, t["vendor"])
    assert ("signer", vid) in ev(path)[1] and t["finding"]["status"] == "no_match", (path, t["finding"])
for path in ("Program Files/Kaspersky Lab/avp.exe", "Program Files/Kaspersky Lab/avpui.dll"):
    t = files[path]["trustscan"]
    assert t["vendor"]["id"] == "kaspersky" and t["privilege"] == "user", (path, t["vendor"], t["privilege"])
    assert t["finding"]["status"] == "out_of_scope", (path, t["finding"])
    assert files[path]["file"]["code_signature"]["valid"] is True, path
PY
  expect_exit 1 "$TS" scan -f table --trust-store "$VI/vendor-image-ca" "$IMG"
  cp "$WORK/out" "$WORK/r.txt"
  $PY - "$WORK/r.txt" <<'PY' || { cat "$WORK/r.txt" >&2; fail "table findings section not as expected"; }
import re, sys
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
i = lines.index("FINDINGS (3)  policy: default")
j = next(k for k in range(i, len(lines)) if lines[k].startswith("KERNEL- AND BOOT-PRIVILEGED BINARIES"))
section = lines[i:j]
groups = [l for l in section if re.match(r"^\S.*\((RU|BY|CN|US|-), [a-z-]+\)", l)]
assert len(groups) == 1 and groups[0].startswith("Kaspersky (RU, antivirus)"), groups
rows = [l for l in section if re.match(r"^  (critical|high|medium|low) ", l)]
assert len(rows) == 3, rows
for name in ("klif.sys", "oemhwflt.sys", "oemavflt.sys"):
    assert sum(l.endswith(name) for l in rows) == 1, (name, rows)
assert not any(n in l for l in section for n in ("360fsflt", "SentinelMonitor", "avp.exe", "avpui.dll")), section
assert any("rule 'rules:Kaspersky_ScanEngineSdk'" in l for l in section), section
PY
  # At 100 columns (COLUMNS; issue 20: no limit when not a terminal), no line is wider.
  expect_exit 1 env COLUMNS=100 "$TS" scan -f table --trust-store "$VI/vendor-image-ca" "$IMG"
  cp "$WORK/out" "$WORK/r.txt"
  $PY -c 'import sys; sys.exit(any(len(l.rstrip("\n")) > 100 for l in open(sys.argv[1], encoding="utf-8")))' "$WORK/r.txt" \
    || { grep -nE '^.{101,}$' "$WORK/r.txt" >&2; fail "table wider than 100 columns"; } ;;
vendor_image_suppressed)
  VI=${SAMPLES%/*}/vendor-samples; IMG=$VI/vendor-image
  [[ -f $IMG/Windows/System32/drivers/klif.sys ]] || fail "vendor image missing (tools/make_vendor_image.sh $VI)"
  # Default RU/BY rules + suppressions covering every finding (and an expired one listed first).
  expect_exit 0 "$TS" scan -f json --trust-store "$VI/vendor-image-ca" \
    --policy "$SRC/tests/data/policy/vendor-image-suppressed.yaml" "$IMG"
  cp "$WORK/out" "$WORK/r.json"
  validate_json "$WORK/r.json"
  $PY - "$WORK/r.json" "$IMG" <<'PY' || fail "suppressions not reported as expected"
import json, re, sys
d, root = json.load(open(sys.argv[1])), sys.argv[2]
drv = root + "/Windows/System32/drivers/"
got = {f["path"]: f for f in d["findings"]}
assert set(got) == {drv + n for n in ("klif.sys", "oemhwflt.sys", "oemavflt.sys")}, sorted(got)
assert all(f["suppressed"] is True and f["suppression_id"] == "kaspersky-drivers-lab" for f in got.values()), got
assert d["summary"]["findings"] == 0 and d["summary"]["suppressed"] == 3, d["summary"]
sup = {s["id"]: s for s in d["suppressions"]}
assert list(sup) == ["expired-klif-exception", "kaspersky-drivers-lab", "kaspersky-anywhere", "drweb-never-installed"], list(sup)
assert all(re.search(r"/tests/data/policy/vendor-image-suppressed\.yaml:[0-9]+$", s["origin"]) for s in sup.values()), sup
e = sup["expired-klif-exception"]
assert e["state"] == "expired" and e["uses"] == 0 and e["matches_after_expiry"] == 1, e
u = sup["kaspersky-drivers-lab"]
assert u["state"] == "used" and u["uses"] == 3 and u["expires"] == "2099-12-31", u
assert sup["kaspersky-anywhere"]["state"] == "unused" and sup["drweb-never-installed"]["state"] == "unused", sup
fin = {f["file"]["path"]: f["trustscan"]["finding"] for f in d["files"]}
assert fin[drv + "klif.sys"]["status"] == "suppressed", fin[drv + "klif.sys"]
assert fin[drv + "klif.sys"].get("expired_suppressions") == ["expired-klif-exception"], fin[drv + "klif.sys"]
PY
  expect_exit 0 "$TS" scan -f table --trust-store "$VI/vendor-image-ca" \
    --policy "$SRC/tests/data/policy/vendor-image-suppressed.yaml" "$IMG"
  grep -q '^FINDINGS (0, 3 suppressed)' "$WORK/out" || fail "table lacks the suppressed count"
  grep -Eq '^  expired +0 uses +expired-klif-exception' "$WORK/out" || fail "table does not report the expired suppression"
  grep -Eq '^  used +3 uses +kaspersky-drivers-lab' "$WORK/out" || fail "table does not report the used suppression"
  # Only an expired suppression (it must not suppress), plus a valid one by SHA-256 for klif.sys.
  sha=$(sha256sum "$IMG/Windows/System32/drivers/klif.sys" | cut -c1-64)
  { cat "$SRC/tests/data/policy/vendor-image-expired.yaml"
    printf '  - id: klif-by-hash\n    reason: this klif.sys build is approved (ticket 77)\n'
    printf '    expires: 2099-12-31\n    match:\n      sha256: %s\n' "${sha^^}"; } >"$WORK/expired.yaml"
  expect_exit 1 "$TS" scan -f json --trust-store "$VI/vendor-image-ca" --policy "$WORK/expired.yaml" "$IMG"
  cp "$WORK/out" "$WORK/e.json"
  validate_json "$WORK/e.json"
  $PY - "$WORK/e.json" "$IMG" <<'PY' || fail "expired suppression not reported as expected"
import json, sys
d, root = json.load(open(sys.argv[1])), sys.argv[2]
drv = root + "/Windows/System32/drivers/"
got = {f["path"]: f["suppressed"] for f in d["findings"]}
assert got == {drv + "klif.sys": True, drv + "oemhwflt.sys": False, drv + "oemavflt.sys": False}, got
sup = {s["id"]: s for s in d["suppressions"]}
assert sup["kaspersky-expired"]["state"] == "expired" and sup["kaspersky-expired"]["uses"] == 0, sup
assert sup["kaspersky-expired"]["matches_after_expiry"] == 3, sup
assert sup["klif-by-hash"]["state"] == "used" and sup["klif-by-hash"]["uses"] == 1, sup
assert d["summary"]["findings"] == 2 and d["summary"]["suppressed"] == 1, d["summary"]
PY
  ;;
vendor_image_flags)
  VI=${SAMPLES%/*}/vendor-samples; IMG=$VI/vendor-image; D=$IMG/Windows/System32/drivers
  [[ -f $D/klif.sys ]] || fail "vendor image missing (tools/make_vendor_image.sh $VI)"
  findings() {  # findings FILE: "name vendor country severity rule" per finding, sorted
    $PY -c 'import json, sys
for f in sorted(json.load(open(sys.argv[1]))["findings"], key=lambda f: f["path"]):
    print(f["path"].rsplit("/", 1)[1], f["vendor"]["id"], f["vendor"]["country"], f["severity"],
          ",".join(r["id"] for r in f["rules"]), f["suppressed"])' "$1"
  }
  # --flag-country adds to the policy (issue 20: it used to replace the default silently): the
  # default's RU findings plus the Chinese AV; the same with the default given as a file, by its
  # preset name, or not at all.
  want_ru=$'klif.sys kaspersky RU critical country:RU False\noemavflt.sys kaspersky RU high country:RU False'
  want_ru+=$'\noemhwflt.sys kaspersky RU critical country:RU False'
  want=$'360fsflt.sys qihoo-360 CN critical country:CN False\n'"$want_ru"
  for policy in "" "--policy=$SRC/rules/policy/default.yaml" --policy=default; do
    expect_exit 1 "$TS" scan -f json --trust-store "$VI/vendor-image-ca" $policy --flag-country cn "$IMG"
    validate_json "$WORK/out"
    [[ $(findings "$WORK/out") == "$want" ]] || fail "$policy --flag-country CN: $(findings "$WORK/out")"
  done
  # --only-flag-country replaces the policy: only the Chinese AV is flagged.
  expect_exit 1 "$TS" scan -f json --trust-store "$VI/vendor-image-ca" --only-flag-country CN "$IMG"
  [[ $(findings "$WORK/out") == "360fsflt.sys qihoo-360 CN critical country:CN False" ]] \
    || fail "--only-flag-country CN: $(findings "$WORK/out")"
  expect_exit 2 "$TS" scan -f json --policy default --only-flag-country CN "$IMG"
  grep -q "exclude each other" "$WORK/err" || fail "--policy with --only-flag-country: $(cat "$WORK/err")"
  # --only-flag-vendor: the Chinese AV by id; the US EDR only when the US itself is flagged.
  expect_exit 1 "$TS" scan -f json --trust-store "$VI/vendor-image-ca" --only-flag-vendor qihoo-360 "$IMG"
  [[ $(findings "$WORK/out") == "360fsflt.sys qihoo-360 CN critical vendor:qihoo-360 False" ]] \
    || fail "--only-flag-vendor qihoo-360: $(findings "$WORK/out")"
  expect_exit 1 "$TS" scan -f json --trust-store "$VI/vendor-image-ca" --only-flag-country US "$IMG"
  [[ $(findings "$WORK/out") == "SentinelMonitor.sys sentinelone US critical country:US False" ]] \
    || fail "--only-flag-country US: $(findings "$WORK/out")"
  # A preset by name: nl-2018 flags Kaspersky anti-virus only.
  expect_exit 1 "$TS" scan -f json --trust-store "$VI/vendor-image-ca" --policy nl-2018 "$IMG"
  [[ $(findings "$WORK/out" | awk '{print $2}' | sort -u) == kaspersky ]] || fail "--policy nl-2018: $(findings "$WORK/out")"
  expect_exit 2 "$TS" scan -f json --policy nl-2019 "$IMG"
  grep -q "nor a shipped preset (bsi-2022, default, nl-2018" "$WORK/err" || fail "--policy nl-2019: $(cat "$WORK/err")"
  # --fail-on: the rule-only driver is a 'high' finding (kernel, medium confidence).
  expect_exit 0 "$TS" scan -f json --trust-store "$VI/vendor-image-ca" --fail-on critical "$D/oemavflt.sys"
  [[ $(findings "$WORK/out") == "oemavflt.sys kaspersky RU high country:RU False" ]] \
    || fail "--fail-on critical: finding not reported: $(findings "$WORK/out")"
  expect_exit 1 "$TS" scan -f json --trust-store "$VI/vendor-image-ca" --fail-on high "$D/oemavflt.sys"
  expect_exit 0 "$TS" scan -f json --trust-store "$VI/vendor-image-ca" --fail-on none "$IMG"
  [[ $(findings "$WORK/out" | wc -l) == 3 ]] || fail "--fail-on none: findings not reported"
  # --all-privileges: the Kaspersky-signed user-mode files become (medium) findings.
  expect_exit 1 "$TS" scan -f json --trust-store "$VI/vendor-image-ca" --all-privileges "$IMG/Program Files"
  want=$'avp.exe kaspersky RU medium country:RU False\navpui.dll kaspersky RU medium country:RU False'
  [[ $(findings "$WORK/out") == "$want" ]] || fail "--all-privileges: $(findings "$WORK/out")"
  expect_exit 0 "$TS" scan -f json --trust-store "$VI/vendor-image-ca" --all-privileges --fail-on high "$IMG/Program Files"
  expect_exit 2 "$TS" scan -f json --flag-country UK "$IMG"
  grep -q "'UK' is not an ISO 3166-1 alpha-2 country code (did you mean 'GB'?)" "$WORK/err" || fail "no hint for UK"
  expect_exit 2 "$TS" scan -f json --flag-vendor kasperski "$IMG"
  grep -q "did you mean 'kaspersky'" "$WORK/err" || fail "no hint for kasperski" ;;
bad_config)
  # Malformed vendor list, policy and rule files: exit 2, each message names file:line.
  VI=${SAMPLES%/*}/vendor-samples; IMG=$VI/vendor-image
  [[ -d $IMG ]] || fail "vendor image missing (tools/make_vendor_image.sh $VI)"
  cat >"$WORK/vendors.yaml" <<'EOF'
vendors:
  - id: acme-av
    name: Acme AV
    country: US
    category: antivirus
    homepage: https://acme.example
    sources:
      - fact: Acme AV is a test vendor
        source: https://acme.example/about
EOF
  expect_exit 2 "$TS" scan -f json --vendors "$WORK/vendors.yaml" "$IMG"
  grep -q "$WORK/vendors.yaml:6: vendor 'acme-av': unknown key 'homepage'" "$WORK/err" || fail "vendors: $(cat "$WORK/err")"
  [[ ! -s $WORK/out ]] || fail "a report was written despite the configuration error"
  cat >"$WORK/policy-key.yaml" <<'EOF'
name: bad-key
countries:
  - code: RU
    reasons: a typo of reason
    source: https://example.invalid/ru
EOF
  expect_exit 2 "$TS" scan -f json --policy "$WORK/policy-key.yaml" "$IMG"
  grep -q "$WORK/policy-key.yaml:4: country 'RU': unknown key 'reasons' (did you mean 'reason'?)" "$WORK/err" \
    || fail "policy key: $(cat "$WORK/err")"
  cat >"$WORK/policy-country.yaml" <<'EOF'
name: bad-country
countries:
  - code: RU
    reason: Russia
    source: https://example.invalid/ru
  - code: UK
    reason: a code that does not exist
    source: https://example.invalid/uk
EOF
  expect_exit 2 "$TS" scan -f json --policy "$WORK/policy-country.yaml" "$IMG"
  grep -q "$WORK/policy-country.yaml:6: .*'UK' is not an ISO 3166-1 alpha-2 country code" "$WORK/err" \
    || fail "policy country: $(cat "$WORK/err")"
  cat >"$WORK/broken.yar" <<'EOF'
rule Broken_Test
{
    meta:
        vendor = "kaspersky"
        description = "syntax error on purpose"
        confidence = "low"
        reference = "tests/cli/cli_test.sh"
    strings:
        $a = "broken_test_token" ascii
    condition:
        $a and and
}
EOF
  expect_exit 2 "$TS" scan -f json --rules "$WORK/broken.yar" "$IMG"
  grep -q "$WORK/broken.yar:11: " "$WORK/err" || fail "rule syntax: $(cat "$WORK/err")"
  # shellcheck disable=SC2016  # $a is YARA, not shell
  printf 'rule No_Meta\n{\n    strings:\n        $a = "no_meta_token"\n    condition:\n        $a\n}\n' >"$WORK/nometa.yar"
  expect_exit 2 "$TS" scan -f json --rules "$WORK/nometa.yar" "$IMG"
  grep -q "$WORK/nometa.yar:1: rule 'No_Meta' lacks required meta 'vendor'" "$WORK/err" || fail "rule meta: $(cat "$WORK/err")" ;;
ndjson_alerts)
  VI=${SAMPLES%/*}/vendor-samples; IMG=$VI/vendor-image
  [[ -d $IMG ]] || fail "vendor image missing (tools/make_vendor_image.sh $VI)"
  expect_exit 1 "$TS" scan -f ndjson --trust-store "$VI/vendor-image-ca" "$IMG"
  cp "$WORK/out" "$WORK/r.ndjson"
  validate_json "$WORK/r.ndjson" --ndjson
  $PY - "$WORK/r.ndjson" <<'PY' || fail "NDJSON alerts not as expected"
import json, sys
events = [json.loads(l) for l in open(sys.argv[1])]
kinds = [e["event"]["kind"] for e in events]
assert kinds == ["alert"] * 3 + ["event"] * 4 + ["state"], kinds
for e in events[:3]:
    assert e["rule"]["id"] == "country:RU" and e["rule"]["reference"].startswith("https://"), e["rule"]
    assert e["trustscan"]["finding"]["status"] == "finding" and e["trustscan"]["vendor"]["id"] == "kaspersky", e["trustscan"]
    assert e["trustscan"]["country"] == "RU" and e["trustscan"]["finding"]["severity"] in ("critical", "high")
assert sorted(e["file"]["name"] for e in events[:3]) == ["klif.sys", "oemavflt.sys", "oemhwflt.sys"]
assert all("rule" not in e for e in events[3:]), [e.get("rule") for e in events[3:]]
assert {e["file"]["name"]: e["trustscan"]["finding"]["status"] for e in events[3:7]} == {
    "avp.exe": "out_of_scope", "avpui.dll": "out_of_scope", "360fsflt.sys": "no_match", "SentinelMonitor.sys": "no_match"}
PY
  ;;
windows_image)
  # Issue 6, acceptance 1: catalog-signed, unsigned, registered, missing; Windows paths; boot start.
  WS=${SAMPLES%/*}/windows-samples; IMG=$WS/windows-image
  [[ -f $IMG/WINDOWS/System32/config/SYSTEM ]] || fail "windows image missing (tools/make_windows_image.sh)"
  expect_exit 1 "$TS" scan -f json -o "$WORK/r.json" --trust-store "$WS/catalog-ca" "$IMG"
  validate_json "$WORK/r.json"
  expect_exit 1 "$TS" scan -f ndjson -o "$WORK/r.ndjson" --trust-store "$WS/catalog-ca" "$IMG"
  validate_json "$WORK/r.ndjson" --ndjson
  $PY - "$WORK/r.json" "$WORK/r.ndjson" "$IMG" <<'PY' || fail "Windows image not reported as expected"
import json, sys
d = json.load(open(sys.argv[1])); img = sys.argv[3]
files = {f["file"]["name"]: f for f in d["files"]}
assert sorted(files) == ["driver.sys", "oemavflt.sys", "other.sys"], sorted(files)
drv = files["driver.sys"]
cs = drv["file"]["code_signature"]
assert cs["source"] == "catalog" and cs["trusted"] and cs["status"] == "valid", cs
assert cs["catalog"] == img + "/WINDOWS/System32/CatRoot/{F750E6C3-38EE-11D1-85E5-00C04FC295EE}/driver.cat", cs
assert drv["trustscan"]["authenticode"]["status"] == "unsigned"
cats = drv["trustscan"]["catalog_signatures"]
assert len(cats) == 1 and cats[0]["digest_algorithm"] == "sha256" and cats[0]["member_file_name"] == "driver.sys", cats
assert cats[0]["signature"]["signer"]["common_name"] == "trustscan Catalog Signer", cats
w = drv["trustscan"]["windows"]
assert w["path"] == "C:\\WINDOWS\\System32\\drivers\\driver.sys" and w["loads_at_boot"], w
assert [(s["name"], s["type"], s["start"]) for s in w["services"]] == [("testdrv", "kernel_driver", "boot")], w
other = files["other.sys"]
assert other["file"]["code_signature"] == {"exists": False}, other["file"]["code_signature"]
assert "catalog_signatures" not in other["trustscan"]
assert [(s["name"], s["start"]) for s in other["trustscan"]["windows"]["services"]] == [("otherdrv", "demand")]
assert not other["trustscan"]["windows"]["loads_at_boot"]
# The boot-start minifilter of a flagged vendor: critical (it is 'high' unregistered: vendor_image_flags).
[f] = d["findings"]
assert f["path"].endswith("/oemavflt.sys") and f["severity"] == "critical" and f["loads_at_boot"], f
assert f["windows_path"] == "C:\\WINDOWS\\System32\\drivers\\oemavflt.sys", f
assert f["services"][0]["altitude"] == "328010" and f["services"][0]["group"] == "FSFilter Anti-Virus", f
[image] = d["windows"]["images"]
assert image["path"] == img and image["computer_name"] == "EVIDENCE-PC" and image["control_set"] == "ControlSet002", image
assert image["version"]["product_name"] == "Windows 10 Pro" and image["version"]["current_build"] == "19045"
status = {s["name"]: (s["file_status"], s["start"]) for s in image["services"]}
assert status == {"testdrv": ("scanned", "boot"), "otherdrv": ("scanned", "demand"), "oemavflt": ("scanned", "boot"),
                  "missingdrv": ("missing", "system"), "notesdrv": ("not_binary", "demand"),
                  "Spooler": ("missing", "auto"), "netshare": ("unresolved", "demand")}, status
assert image["missing_count"] == 2 and image["drivers_count"] == 5 and image["catalog_files"] == 1, image
# Issue 16: how it was recognised (the test image has both hives and CatRoot, not the kernel).
assert image["depth"] == 0 and image["recognised_by"] == "system_hive", image
assert image["parts"] == {"found": ["system_hive", "software_hive", "catroot"], "missing": ["ntoskrnl"]}, image["parts"]
cat = d["windows"]["catalogs"]
assert cat["files"] == 1 and cat["by_status"] == {"valid": 1} and cat["not_trusted"] == [] and cat["errors"] == [], cat
assert d["summary"]["catalog_signed"] == 1
events = [json.loads(l) for l in open(sys.argv[2])]
missing = sorted(e["trustscan"]["windows"]["service"]["name"] for e in events if e["event"]["dataset"] == "trustscan.service")
assert missing == ["Spooler", "missingdrv"], missing
PY
  # The table names the image and lists the missing registered files.
  expect_exit 1 "$TS" scan --trust-store "$WS/catalog-ca" "$IMG"
  grep -q "^WINDOWS IMAGE .*Windows 10 Pro 22H2 (build 19045), computer EVIDENCE-PC" "$WORK/out" || fail "table: no image line"
  grep -q "^  recognised by SYSTEM hive; missing: ntoskrnl.exe$" "$WORK/out" || fail "table: no recognition line"
  grep -Eq "^    system +kernel_driver +missingdrv +C:.Windows.System32.drivers.missing.sys" "$WORK/out" \
    || fail "table: missing driver not listed"
  # VENDOR and COUNTRY (issue 20): the catalog signer's publisher, of no known country.
  grep -Eq "^kernel +driver +cat:valid +trustscan tests +- " "$WORK/out" || fail "table: catalog signature not shown"
  # Without the test root the catalog is intact but untrusted; --no-windows-image turns it all off.
  expect_exit 1 "$TS" scan -f json "$IMG"
  $PY -c 'import json,sys; d=json.load(open(sys.argv[1])); f={x["file"]["name"]: x for x in d["files"]}
cs=f["driver.sys"]["file"]["code_signature"]; assert cs["source"]=="catalog" and cs["status"]=="untrusted" and not cs["trusted"], cs' "$WORK/out" \
    || fail "untrusted catalog"
  expect_exit 1 "$TS" scan -f json --no-windows-image --trust-store "$WS/catalog-ca" "$IMG"
  $PY -c 'import json,sys; d=json.load(open(sys.argv[1])); assert "windows" not in d
kl = {"kernel_load", "kernel_load_basis", "kernel_load_reason"}  # from the file alone: no image needed
assert all(set(f["trustscan"].get("windows", {})) <= kl and "catalog_signatures" not in f["trustscan"] for f in d["files"])
assert d["findings"][0]["severity"] == "high", d["findings"]' "$WORK/out" || fail "--no-windows-image" ;;
windows_tampered_catalog)
  # A tampered catalog: its signature is invalid and nothing is trusted through it.
  WS=${SAMPLES%/*}/windows-samples; IMG=$WS/windows-image-tampered
  [[ -d $IMG ]] || fail "tampered windows image missing (tools/make_windows_image.sh)"
  expect_exit 1 "$TS" scan -f json -o "$WORK/r.json" --trust-store "$WS/catalog-ca" "$IMG"
  validate_json "$WORK/r.json"
  $PY - "$WORK/r.json" <<'PY' || fail "tampered catalog trusted"
import json, sys
d = json.load(open(sys.argv[1]))
files = {f["file"]["name"]: f for f in d["files"]}
cs = files["driver.sys"]["file"]["code_signature"]
assert cs["source"] == "catalog" and cs["status"] == "invalid" and not cs["trusted"] and not cs["valid"], cs
assert "bad_digest" in cs["flags"] or "bad_signature" in cs["flags"], cs
assert not any(f["file"].get("code_signature", {}).get("trusted") for f in d["files"])
cat = d["windows"]["catalogs"]
assert cat["by_status"] == {"invalid": 1} and len(cat["not_trusted"]) == 1, cat
assert cat["not_trusted"][0]["path"].endswith("/driver-tampered.cat"), cat
PY
  ;;
windows_catalog_dir)
  # --catalog-dir: catalogs outside any image; a file listed by several reports every one of them.
  CAT=$SAMPLES/catalog
  expect_exit 0 "$TS" scan -f json --trust-store "$CAT/ca" --catalog-dir "$CAT" "$CAT/driver.sys" "$CAT/other.sys" \
    "$CAT/signed-both.sys"
  validate_json "$WORK/out"
  $PY - "$WORK/out" <<'PY' || fail "--catalog-dir"
import json, sys
d = json.load(open(sys.argv[1]))
files = {f["file"]["name"]: f for f in d["files"]}
cats = {c["catalog"].rsplit("/", 1)[1]: c["signature"]["status"] for c in files["driver.sys"]["trustscan"]["catalog_signatures"]}
assert cats == {"driver.cat": "valid", "driver-tampered.cat": "invalid", "big.cat": "valid",
                "driver-ts.cat": "valid", "driver-ts-pkcs9.cat": "valid", "driver-ts-bad.cat": "invalid"}, cats
# Timestamped catalogs whose signer expired in 2021: checked at the verified timestamp.
sigs = {c["catalog"].rsplit("/", 1)[1]: c["signature"] for c in files["driver.sys"]["trustscan"]["catalog_signatures"]}
for name, kind in (("driver-ts.cat", "rfc3161"), ("driver-ts-pkcs9.cat", "pkcs9")):
    s = sigs[name]
    assert s["verification_time_source"] == "timestamp" and s["timestamp_kind"] == kind, s
    assert s["timestamp"] == "2020-06-01T00:00:00Z", s
bad = sigs["driver-ts-bad.cat"]
assert bad["verification_time_source"] == "scan_time" and {"expired", "bad_timestamp"} <= set(bad["flags"]), bad
cs = files["driver.sys"]["file"]["code_signature"]
assert cs["trusted"] and cs["source"] == "catalog" and cs["catalog"].endswith(("/driver.cat", "/big.cat")), cs
assert "catalog_signatures" not in files["other.sys"]["trustscan"]
# Signed both ways: both are reported; the valid embedded one stands for the file.
both = files["signed-both.sys"]
assert both["trustscan"]["authenticode"]["status"] == "valid", both["trustscan"]["authenticode"]
[bc] = both["trustscan"]["catalog_signatures"]
assert bc["catalog"].endswith("/both.cat") and bc["signature"]["status"] == "valid", bc
assert both["file"]["code_signature"]["source"] == "embedded" and both["file"]["code_signature"]["trusted"]
assert d["windows"]["images"] == [] and d["windows"]["catalogs"]["files"] == 7, d["windows"]["catalogs"]
assert d["windows"]["catalogs"]["members"] >= 5000 + 2 * 2, d["windows"]["catalogs"]
PY
  ;;
catalog_image_sha1)
  # The SHA-1 authentihash of a user-mode PE without a certificate table is computed only where
  # something reads it (pipeline/analyze.hpp, wants_image_sha1): with catalogs, which may list the
  # file by it alone, as this test's catalog does (its SHA-256 member is another file's). A cached
  # record made without it is not used by a scan with catalogs.
  source "$SRC/tools/lib/test_ca.sh"
  make_ca_config "$WORK/ca"
  issue() { issue_cert "$WORK/ca" "$WORK" "$@"; }
  issue root "/C=XX/O=trustscan tests/CN=SHA-1 Catalog Test Root" self v3_root 20200101000000Z 20450101000000Z
  issue signer "/C=XX/O=trustscan tests/CN=SHA-1 Catalog Signer" root v3_codesign 20200101000000Z 20400101000000Z
  mkdir "$WORK/tree" "$WORK/cats" "$WORK/anchors"
  cp "$SAMPLES/pe/hello.exe" "$WORK/tree/app.exe"
  cp "$WORK/root.pem" "$WORK/anchors/root.pem"
  read -r sha256 sha1 _ < <($PY "$SRC/tools/authentihash.py" "$WORK/tree/app.exe")
  $PY "$SRC/tools/make_catalog.py" ctl "$WORK/app.ctl" "$sha1:$(printf '%064d' 0):app.exe"
  sign_catalog "$WORK/signer.pem" "$WORK/signer.key" "$WORK/root.pem" "$WORK/app.ctl" "$WORK/cats/app.cat"
  scan() {  # scan REPORT [OPTIONS...]
    local report=$1
    shift
    expect_exit 0 "$TS" scan -q -f json -o "$report" --fail-on none --trust-store "$WORK/anchors" \
      --cache "$WORK/cache.db" "$@" "$WORK/tree"
    validate_json "$report"
  }
  sleep 3  # the copy is cached once its ctime is 2 s old (docs/cache.md, "racy" files)
  scan "$WORK/plain.json"
  scan "$WORK/cats.json" --catalog-dir "$WORK/cats"
  scan "$WORK/again.json" --catalog-dir "$WORK/cats"
  $PY - "$WORK" "$sha256" "$sha1" <<'PY' || fail "SHA-1 authentihash"
import json, sys
work, sha256, sha1 = sys.argv[1:]
def app(name):
    d = json.load(open(f"{work}/{name}.json"))
    (f,) = d["files"]
    return f, d["summary"]["cache"]
plain, cache = app("plain")
a = plain["trustscan"]["authenticode"]
assert plain["trustscan"]["privilege"] == "user" and a["status"] == "unsigned", (plain["trustscan"]["privilege"], a)
assert a["hash_sha256"] == sha256 and "hash_sha1" not in a, a
assert "catalog_signatures" not in plain["trustscan"], plain["trustscan"]["catalog_signatures"]
for name, want in (("cats", {"hits": 0, "misses": 1, "invalidated": 1}), ("again", {"hits": 1, "misses": 0, "invalidated": 0})):
    f, cache = app(name)
    a = f["trustscan"]["authenticode"]
    assert (a["hash_sha256"], a.get("hash_sha1")) == (sha256, sha1), (name, a)
    [c] = f["trustscan"]["catalog_signatures"]
    assert c["catalog"].endswith("/app.cat") and c["signature"]["status"] == "valid", (name, c)
    assert f["file"]["code_signature"]["source"] == "catalog" and f["file"]["code_signature"]["trusted"], (name, f["file"]["code_signature"])
    assert cache == want, (name, cache)
PY
  ;;
windows_readonly)
  # Issue 6, acceptance 3: the image on a read-only mount scans the same, and nothing changes.
  WS=${SAMPLES%/*}/windows-samples
  [[ -d $WS/windows-image ]] || fail "windows image missing"
  cp -a "$WS/windows-image" "$WORK/img"
  # Contents first (reading updates atimes), then every atime set to the past so that any read
  # without O_NOATIME would move it (relatime), then a stat-only snapshot (stat reads no data).
  (cd "$WORK/img" && find . -type f -exec sha256sum {} + | sort) >"$WORK/sums"
  find "$WORK/img" | sort >"$WORK/list"
  xargs -d '\n' touch -h -a -d '2020-01-02 03:04:05' <"$WORK/list"
  snapshot() { xargs -d '\n' stat -c '%n %s %Y %X %Z %a' <"$WORK/list"; }
  snapshot >"$WORK/before"
  mkdir "$WORK/ro"
  runner=(unshare -m)
  [[ $(id -u) == 0 ]] || runner=(unshare -rm)
  "${runner[@]}" -- sh -c 'mount --bind "$1" "$2" && mount -o remount,bind,ro "$2" &&
      if touch "$2/probe" 2>/dev/null; then echo "mount is writable" >&2; exit 9; fi &&
      { "$3" scan -f json --trust-store "$4" "$2" >"$5"; echo $? >"$6"; }' \
      sh "$WORK/img" "$WORK/ro" "$TS" "$WS/catalog-ca" "$WORK/ro.json" "$WORK/ro.rc" \
    || fail "could not scan on a read-only bind mount"
  [[ $(cat "$WORK/ro.rc") == 1 ]] || fail "read-only scan exited $(cat "$WORK/ro.rc")"
  expect_exit 1 "$TS" scan -f json --trust-store "$WS/catalog-ca" "$WORK/img"
  $PY - "$WORK/ro.json" "$WORK/out" <<'PY' || fail "read-only mount results differ"
import json, sys
def digest(p):
    d = json.load(open(p)); root = d["scan"]["roots"][0]
    files = sorted((f["file"]["path"][len(root):], f["file"]["code_signature"].get("status"),
                    f["trustscan"].get("windows", {}).get("path")) for f in d["files"])
    services = sorted((s["name"], s["file_status"]) for s in d["windows"]["images"][0]["services"])
    return files, services, [f["severity"] for f in d["findings"]]
a, b = digest(sys.argv[1]), digest(sys.argv[2])
assert a == b, (a, b)
assert ("/WINDOWS/System32/drivers/driver.sys", "valid", "C:\\WINDOWS\\System32\\drivers\\driver.sys") in a[0], a
PY
  snapshot >"$WORK/after"
  diff "$WORK/before" "$WORK/after" >&2 || fail "the image changed (sizes, mtimes, atimes or ctimes)"
  (cd "$WORK/img" && find . -type f -exec sha256sum {} + | sort) | diff "$WORK/sums" - >&2 || fail "contents changed" ;;
interrupt)
  # Issue 7, acceptance 4: SIGINT/SIGTERM midway still give a complete, valid report marked incomplete.
  # The signal is sent once the scan's own progress line (standard error on a pseudo-terminal)
  # shows files done, not after a fixed delay or a sampled /proc entry: start-up time and scan
  # speed vary with the machine and its load (signal_midway.py).
  T="$WORK/many"; mkdir -p "$T"
  # Links to a copy: a link to the shared sample would change its ctime (its link count) under
  # the tests that scan the samples meanwhile (engine_test compares two scans of them).
  cp "$SAMPLES/pe/hello.exe" "$WORK/hello.exe"
  $PY -c 'import os, sys
for i in range(30000): os.link(sys.argv[1], f"{sys.argv[2]}/f{i}.exe")' "$WORK/hello.exe" "$T"
  midway() { "$PY" "$SRC/tests/cli/signal_midway.py" "$@"; }
  for sig in INT TERM; do
    set +e
    midway "$sig" 30000 "$WORK/$sig.out" "$TS" scan -f json -o "$WORK/$sig.json" --threads 1 --no-kernel-keys "$T"
    rc=$?
    set -e
    want=$((128 + $(kill -l "$sig")))
    [[ $rc == "$want" ]] || fail "SIG$sig: exit $rc, expected $want"
    [[ $sig == INT ]] && validate_json "$WORK/$sig.json"  # thousands of records: validate once
    $PY - "$WORK/$sig.json" "SIG$sig" <<'PY' || fail "interrupted report not as expected"
import json, sys
d = json.load(open(sys.argv[1]))
s, scan = d["summary"], d["scan"]
assert scan["complete"] is False and scan["interrupted"]["signal"] == sys.argv[2], scan
assert s["files_not_scanned"] > 0 and s["binaries"] > 0, s
assert len(d["files"]) == s["binaries"], (len(d["files"]), s["binaries"])
if scan["interrupted"]["walk_complete"]:
    assert s["files_scanned"] + s["files_not_scanned"] == 30000, s
PY
  done
  # The same in NDJSON on standard output: the last line is the summary, marked incomplete.
  set +e
  midway INT 30000 "$WORK/r.ndjson" "$TS" scan -f ndjson --threads 1 --no-kernel-keys "$T"; rc=$?
  set -e
  [[ $rc == 130 ]] || fail "NDJSON SIGINT: exit $rc"
  $PY -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' "$WORK/r.ndjson" || fail "NDJSON lines not JSON"
  tail -1 "$WORK/r.ndjson" | $PY -c 'import json,sys; e=json.load(sys.stdin); assert e["event"]["dataset"]=="trustscan.summary" and e["trustscan"]["scan"]["complete"] is False, e["trustscan"]["scan"]' \
    || fail "NDJSON summary not marked incomplete" ;;
closed_pipe)
  # A reader that goes away: a clear message and a non-zero exit, not a silent SIGPIPE death.
  set +e
  "$TS" scan -f ndjson "$SAMPLES" 2>"$WORK/err" | head -c 10 >/dev/null
  rc=${PIPESTATUS[0]}
  set -e
  [[ $rc == 2 ]] || fail "closed pipe: exit $rc, expected 2"
  grep -q "standard output failed" "$WORK/err" || fail "closed pipe: no message: $(cat "$WORK/err")" ;;
cef)
  # A crafted tree: a Kaspersky driver whose file name holds CEF's metacharacters | = \, and the
  # rule-only Kaspersky engine driver signed here by a certificate whose CN holds them too.
  VI=${SAMPLES%/*}/vendor-samples; D=$VI/vendor-image/Windows/System32/drivers
  [[ -f $D/klif.sys ]] || fail "vendor image missing (tools/make_vendor_image.sh $VI)"
  T="$WORK/tree"; mkdir -p "$T/drivers" "$T/oem" "$WORK/ca/trust"
  cp "$D/klif.sys" "$T/drivers/"$'a|b=c\\d.sys'
  # shellcheck source=../../tools/lib/test_ca.sh
  source "$SRC/tools/lib/test_ca.sh"
  make_ca_config "$WORK/ca/db" 3000
  openssl genpkey -quiet -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$WORK/ca/root.key"
  openssl req -new -key "$WORK/ca/root.key" -subj '/O=trustscan tests/CN=CEF Test Root' -out "$WORK/ca/root.csr"
  openssl ca -batch -notext -selfsign -keyfile "$WORK/ca/root.key" -config "$WORK/ca/db/ca.cnf" -in "$WORK/ca/root.csr" \
    -out "$WORK/ca/trust/root.pem" -extensions v3_root -startdate 20200101000000Z -enddate 20400101000000Z 2>/dev/null
  openssl genpkey -quiet -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$WORK/ca/leaf.key"
  openssl req -new -utf8 -key "$WORK/ca/leaf.key" -subj '/O=AO Kaspersky Lab/CN=Kaspersky | Lab = Test \\ Signing/C=RU' \
    -out "$WORK/ca/leaf.csr"
  openssl ca -batch -notext -preserveDN -utf8 -config "$WORK/ca/db/ca.cnf" -cert "$WORK/ca/trust/root.pem" \
    -keyfile "$WORK/ca/root.key" -in "$WORK/ca/leaf.csr" -out "$WORK/ca/leaf.pem" -extensions v3_codesign \
    -startdate 20200101000000Z -enddate 20400101000000Z 2>/dev/null
  osslsigncode sign -certs "$WORK/ca/leaf.pem" -key "$WORK/ca/leaf.key" -h sha256 -in "$D/oemavflt.sys" \
    -out "$T/oem/oemavflt.sys" >/dev/null || fail "osslsigncode failed"
  args=(--trust-store "$WORK/ca/trust" "$T")
  expect_exit 1 "$TS" scan -f cef "${args[@]}"
  cp "$WORK/out" "$WORK/r.cef"
  expect_exit 1 "$TS" scan -f json -o "$WORK/r.json" "${args[@]}"
  validate_json "$WORK/r.json"
  $PY - "$WORK/r.cef" "$WORK/r.json" <<'PY' || { cat "$WORK/r.cef" >&2; fail "CEF does not match the JSON report"; }
import json, re, sys
from datetime import datetime

def unescape(raw, allowed):
    out, i = [], 0
    while i < len(raw):
        if raw[i] == "\\":
            assert i + 1 < len(raw) and raw[i + 1] in allowed, f"bad escape in {raw!r}"
            out.append(allowed[raw[i + 1]]); i += 2
        else:
            out.append(raw[i]); i += 1
    return "".join(out)

def parse(line):
    """Independent CEF:0 parser: 7 header fields up to unescaped '|', then key=value pairs split
    at unescaped '=' (a key is the word before it, its value runs to the space before the next key)."""
    assert line.startswith("CEF:0|") and "\n" not in line and "\r" not in line, line
    fields, cur, i = [], [], 0
    while len(fields) < 7:
        c = line[i]
        if c == "\\":
            assert line[i + 1] in "\\|", f"bad header escape at {i}: {line!r}"
            cur.append(line[i + 1]); i += 2
        elif c == "|":
            fields.append("".join(cur)); cur = []; i += 1
        else:
            cur.append(c); i += 1
    ext, eqs, j = line[i:], [], 0
    while j < len(ext):
        if ext[j] == "\\": j += 2; continue
        if ext[j] == "=": eqs.append(j)
        j += 1
    pairs = {}
    for n, p in enumerate(eqs):
        key = ext[ext.rfind(" ", 0, p) + 1:p]
        assert re.fullmatch(r"[A-Za-z][A-Za-z0-9]*", key), (key, line)
        end = ext.rfind(" ", 0, eqs[n + 1]) if n + 1 < len(eqs) else len(ext)
        assert key not in pairs, ("duplicate key", key)
        pairs[key] = unescape(ext[p + 1:end], {"\\": "\\", "=": "=", "n": "\n", "r": "\r"})
    return fields, pairs

lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
d = json.load(open(sys.argv[2]))
files = {f["file"]["path"]: f for f in d["files"]}
findings = {f["path"]: f for f in d["findings"] if not f["suppressed"]}
assert len(findings) == 2 and len(lines) == 2, (sorted(findings), lines)
sev = {"low": 3, "medium": 6, "high": 8, "critical": 10}
start_ms = int(datetime.fromisoformat(d["scan"]["start"].replace("Z", "+00:00")).timestamp() * 1000)
seen = set()
for line in lines:
    (ver, vendor, product, version, sig_id, name, severity), x = parse(line)
    path = x["filePath"]; seen.add(path)
    f, rec = findings[path], files[path]
    assert (ver, vendor, product, version) == ("CEF:0", "trustscan", "trustscan", d["scan"]["tool"]["version"])
    assert sig_id == f["rules"][0]["id"] and int(severity) == sev[f["severity"]], (sig_id, severity, f)
    assert name.endswith(": " + rec["file"]["name"]) and f["vendor"]["name"] in name, name
    assert x["fname"] == rec["file"]["name"] and x["fileHash"] == f["sha256"] == rec["file"]["hash"]["sha256"]
    assert int(x["fsize"]) == rec["file"]["size"] and x["fileType"] == rec["trustscan"]["type"]
    # rt is the end of the CEF run, which finished just before the JSON run began.
    assert x["dvchost"] == d["scan"]["observer"]["hostname"] and 0 <= start_ms - int(x["rt"]) < 120000, (x["rt"], start_ms)
    labels = {x[k + "Label"]: x[k] for k in ("cs1", "cs2", "cs3", "cs4", "cs5", "cs6", "cn1", "flexString1") if k in x}
    assert labels["vendor"] == f["vendor"]["name"] and labels["vendorCountry"] == f["vendor"]["country"]
    assert labels["vendorId"] == f["vendor"]["id"] and labels["privilege"] == f["privilege"]
    assert labels["policy"] == d["scan"]["policy"]
    cs = rec["file"]["code_signature"]
    assert labels["signatureStatus"] == cs.get("status", "unsigned"), (labels, cs)
    assert labels.get("signer") == cs.get("subject_name"), (labels, cs)
    assert x["msg"].endswith(f["rules"][0]["reason"]) and x["cat"] == "vendor-jurisdiction" and "act" not in x
assert seen == set(findings), (seen, set(findings))
# The test means something only if the crafted strings reached the output, escaped.
crafted = [p for p in seen if p.endswith("a|b=c\\d.sys")]
assert len(crafted) == 1, seen
signer = files[[p for p in seen if p.endswith("oemavflt.sys")][0]]["file"]["code_signature"]["subject_name"]
assert signer == "Kaspersky | Lab = Test \\ Signing", signer
raw = "\n".join(lines)
assert "a\\|b=c\\\\d.sys|" in raw and "fname=a|b\\=c\\\\d.sys " in raw and "cs3=Kaspersky | Lab \\= Test \\\\ Signing " in raw, raw
PY
  # Nothing to report: no line at all, exit 0.
  expect_exit 0 "$TS" scan -f cef "$SAMPLES/pe"
  [[ ! -s $WORK/out ]] || fail "CEF lines without findings: $(cat "$WORK/out")" ;;
baseline)
  # Scan, then add one driver, change another's bytes, remove a third, and scan against the first
  # report: exactly those three are reported, with the right change kinds, in every format.
  VI=${SAMPLES%/*}/vendor-samples; D=$VI/vendor-image/Windows/System32/drivers
  [[ -f $D/klif.sys ]] || fail "vendor image missing (tools/make_vendor_image.sh $VI)"
  T="$WORK/tree"; mkdir -p "$T/drivers"
  cp "$D/klif.sys" "$D/oemhwflt.sys" "$D/oemavflt.sys" "$D/360fsflt.sys" "$T/drivers/"
  args=(--trust-store "$VI/vendor-image-ca")
  expect_exit 1 "$TS" scan -f json -o "$WORK/before.json" "${args[@]}" "$T"
  cp "$D/SentinelMonitor.sys" "$T/drivers/"                                             # new
  printf '\x01' | dd of="$T/drivers/klif.sys" bs=1 seek=1100 conv=notrunc 2>/dev/null  # changed: signed bytes
  rm "$T/drivers/oemavflt.sys"                                                          # gone
  expect_exit 1 "$TS" scan -f json -o "$WORK/after.json" --baseline "$WORK/before.json" "${args[@]}" "$T"
  validate_json "$WORK/after.json"
  $PY - "$WORK/after.json" "$T" <<'PY' || fail "baseline JSON not as expected"
import json, sys
d, root = json.load(open(sys.argv[1])), sys.argv[2]
got = {f["file"]["path"][len(root) + 1:]: f["trustscan"]["baseline"] for f in d["files"]}
assert {p: b["change"] for p, b in got.items()} == {
    "drivers/SentinelMonitor.sys": "new", "drivers/klif.sys": "changed", "drivers/oemavflt.sys": "gone"}, got
changes = {c["field"]: (c["old"], c["new"]) for c in got["drivers/klif.sys"]["changes"]}
# A broken signature's names are only text (docs/attribution.md): the tampered driver is still
# Kaspersky by its names and content, no longer verified, so one step less severe.
assert set(changes) == {"sha256", "signature.status", "severity"}, changes
assert changes["signature.status"] == ("valid", "invalid") and changes["sha256"][0] != changes["sha256"][1], changes
assert changes["severity"] == ("critical", "high"), changes
assert d["summary"]["baseline"] == {"new": 1, "changed": 1, "gone": 1, "unchanged": 2, "findings": 1}, d["summary"]["baseline"]
assert [(f["path"][len(root) + 1:], f["baseline_change"]) for f in d["findings"]] == [("drivers/klif.sys", "changed")], d["findings"]
gone = [f for f in d["files"] if f["trustscan"]["baseline"]["change"] == "gone"][0]
assert gone["trustscan"]["finding"]["status"] == "finding" and gone["file"]["name"] == "oemavflt.sys", gone
b = d["scan"]["baseline"]
assert b["previous_schema_version"] == d["schema_version"] and b["root_pairs"] == [{"previous": root, "current": root}], b
assert b["fields"][:2] == ["sha256", "signature.status"] and b["report"].endswith("before.json"), b
PY
  expect_exit 1 "$TS" scan -f ndjson --baseline "$WORK/before.json" "${args[@]}" "$T"
  cp "$WORK/out" "$WORK/after.ndjson"
  validate_json "$WORK/after.ndjson" --ndjson
  $PY - "$WORK/after.ndjson" <<'PY' || fail "baseline NDJSON not as expected"
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
files = [(e["file"]["name"], e["event"]["kind"], e["event"]["type"], e["trustscan"]["baseline"]["change"]) for e in ev[:-1]]
assert files == [("klif.sys", "alert", ["change"], "changed"), ("SentinelMonitor.sys", "event", ["creation"], "new"),
                 ("oemavflt.sys", "event", ["deletion"], "gone")], files
assert ev[-1]["trustscan"]["summary"]["baseline"]["gone"] == 1 and "baseline" in ev[-1]["trustscan"]["scan"]
PY
  expect_exit 1 "$TS" scan -f cef --baseline "$WORK/before.json" "${args[@]}" "$T"
  [[ $(wc -l <"$WORK/out") == 2 ]] || fail "baseline CEF: $(cat "$WORK/out")"
  grep -q '|Changed flagged kernel driver from Kaspersky (RU): klif.sys|8|.* act=changed .*oldFileHash=' "$WORK/out" \
    || fail "baseline CEF lacks the changed finding"
  grep -q '|Removed flagged kernel driver from Kaspersky (RU): oemavflt.sys|1|.* act=gone ' "$WORK/out" \
    || fail "baseline CEF lacks the gone finding"
  expect_exit 1 "$TS" scan -f table --baseline "$WORK/before.json" "${args[@]}" "$T"
  grep -q '^CHANGES SINCE THE BASELINE: 1 new, 1 changed, 1 gone; 2 unchanged' "$WORK/out" || fail "table: $(cat "$WORK/out")"
  grep -Eq '^  changed +high .*klif\.sys$' "$WORK/out" || fail "table lacks the changed row"
  grep -q '^           signature.status: valid -> invalid$' "$WORK/out" || fail "table lacks the changed field"
  # Against its own report nothing changed: exit 0 although the tree still holds findings; --fail-on
  # applies to new/changed findings only.
  expect_exit 1 "$TS" scan -f json -o "$WORK/full.json" "${args[@]}" "$T"
  expect_exit 0 "$TS" scan -f json --baseline "$WORK/full.json" "${args[@]}" "$T"
  $PY -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["files"] == [] and d["findings"] == [], d' "$WORK/out" \
    || fail "an unchanged tree reported changes"
  expect_exit 0 "$TS" scan -f json --fail-on none --baseline "$WORK/before.json" "${args[@]}" "$T"
  # The same tree under another mount point compares by the path below the root.
  cp -a "$T" "$WORK/moved"
  expect_exit 0 "$TS" scan -f json --baseline "$WORK/full.json" "${args[@]}" "$WORK/moved"
  # Baselines that cannot be compared: a clear message, exit 2, no scan.
  $PY -c 'import json,sys; d=json.load(open(sys.argv[1])); d["schema_version"]="2.0.0"; json.dump(d,open(sys.argv[2],"w"))' \
    "$WORK/before.json" "$WORK/v2.json"
  expect_exit 2 "$TS" scan -f json --baseline "$WORK/v2.json" "$T"
  grep -q "v2.json: report schema 2.0.0 is incompatible" "$WORK/err" || fail "major: $(cat "$WORK/err")"
  [[ ! -s $WORK/out ]] || fail "a report was written for an incompatible baseline"
  expect_exit 2 "$TS" scan -f json --baseline "$WORK/after.json" "$T"
  grep -q "itself written with --baseline" "$WORK/err" || fail "delta baseline: $(cat "$WORK/err")"
  # NDJSON is read as a baseline too (issue 20; cli_outputs_baseline_ndjson), but not a delta one.
  expect_exit 2 "$TS" scan -f json --baseline "$WORK/after.ndjson" "$T"
  grep -q "itself written with --baseline" "$WORK/err" || fail "ndjson delta baseline: $(cat "$WORK/err")" ;;
syslog_errors)
  # A receiver that is not there: the report is still written, a clear message, exit 2.
  port=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  expect_exit 2 "$TS" scan -f json -o "$WORK/r.json" --syslog "tcp://127.0.0.1:$port" "$SAMPLES/pe"
  grep -q "syslog tcp://127.0.0.1:$port: connect: Connection refused" "$WORK/err" || fail "tcp refused: $(cat "$WORK/err")"
  validate_json "$WORK/r.json"
  expect_exit 2 "$TS" scan -f json --syslog "unix:$WORK/no-such.sock" "$SAMPLES/pe"
  grep -q "syslog unix:$WORK/no-such.sock: connect: No such file or directory" "$WORK/err" || fail "unix: $(cat "$WORK/err")"
  grep -q '"schema_version"' "$WORK/out" || fail "report not written before the syslog error"
  # Bad targets and options fail before the scan.
  for bad in "http://x" "udp://h:99999" "tcp://::1:514"; do
    expect_exit 2 "$TS" scan -f json --syslog "$bad" "$SAMPLES/pe"
    grep -q "expected unix, unix:PATH, udp://HOST\[:PORT\] or tcp://HOST\[:PORT\]" "$WORK/err" || fail "target $bad: $(cat "$WORK/err")"
    [[ ! -s $WORK/out ]] || fail "scanned despite a bad --syslog $bad"
  done
  expect_exit 2 "$TS" scan -f json --syslog udp://127.0.0.1:514 --syslog-facility local9 "$SAMPLES/pe"
  grep -q "syslog-facility" "$WORK/err" || fail "facility: $(cat "$WORK/err")"
  expect_exit 2 "$TS" scan -f json --syslog-all "$SAMPLES/pe"
  grep -q "need --syslog TARGET" "$WORK/err" || fail "--syslog-all alone: $(cat "$WORK/err")" ;;
hostile_tree_full)
  # Issue 7, acceptance 3: every kind of hostile entry in one tree, scanned as an unprivileged user
  # (so that a mode-000 file really is unreadable), under strace to prove nothing outside the root
  # is opened; the tree is unchanged afterwards (contents, sizes, mtimes, atimes).
  command -v strace >/dev/null || fail "strace missing (tools/setup.sh --test installs it)"
  chmod 755 "$WORK"
  T="$WORK/tree"; mkdir -p "$T/sub" "$T/loop"
  cp "$SAMPLES/pe/driver.sys" "$SAMPLES/pe/hello.exe" "$T/sub/"
  cp "$SAMPLES/pe/hello.exe" "$T/$(printf 'bad\xff\x1b[31mname.exe')"
  cp "$SAMPLES/pe/hello.exe" "$T/$(printf 'esc\x1b]0;pwned\x07title\x1b[2J.exe')"
  cp "$SAMPLES/pe/app.efi" "$T/unreadable.efi"; chmod 000 "$T/unreadable.efi"
  : >"$T/empty.sys"
  head -c 3000000 /dev/zero >"$T/big.bin"
  ln -s /etc/passwd "$T/passwd"                 # absolute, out of the root
  ln -s ../../.. "$T/sub/up"                    # relative, out of the root
  ln -s "$SAMPLES/pe/app.efi" "$T/outside.efi"  # a real binary outside the root
  ln -s b "$T/loop/a"; ln -s a "$T/loop/b"      # a loop
  ln -s . "$T/loop/self"
  mkfifo "$T/fifo"
  $PY -c 'import socket, sys; s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])' "$T/socket"
  # Owned by the scanning user: O_NOATIME is only permitted to a file's owner (or CAP_FOWNER);
  # mode 000 still keeps the owner out.
  [[ $(id -u) == 0 ]] && chown -hR 65534:65534 "$T"
  mapfile -t paths < <(find "$T")
  contents() { for p in "${paths[@]}"; do if [[ -f $p && ! -L $p && -r $p ]]; then sha256sum <"$p"; fi; done; }
  times() { for p in "${paths[@]}"; do if [[ -L $p ]]; then stat -c '%n %s %Y' "$p"; else stat -c '%n %s %Y %X %a' "$p"; fi; done; }
  sums_before=$(contents)
  touch -a -h -d '2001-01-01 00:00:00' "${paths[@]}"
  times_before=$(times)
  runas=()
  [[ $(id -u) == 0 ]] && runas=(setpriv --reuid=65534 --regid=65534 --clear-groups)
  set +e
  mkdir -m 1777 "$WORK/out"
  timeout 120 strace -f -qq -e trace=execve,open,openat,openat2 -o "$WORK/trace" "${runas[@]}" \
    "$TS" scan -f json -o "$WORK/out/r.json" --max-file-size 2MB --no-kernel-keys "$T" 2>"$WORK/err"
  rc=$?
  set -e
  [[ $rc == 3 ]] || { cat "$WORK/err" >&2; fail "exit $rc, expected 3 (the unreadable file is an error)"; }
  times_after=$(times)
  [[ $times_before == "$times_after" ]] || { diff <(echo "$times_before") <(echo "$times_after") >&2; fail "the scan changed sizes, modes, mtimes or atimes"; }
  [[ $sums_before == "$(contents)" ]] || fail "the scan changed file contents"
  # Nothing outside the root: no open of a symlink target, of anything through a symlink, of /etc/passwd
  # (only trustscan's own calls: setpriv reads /etc/passwd before it runs trustscan).
  sed -n "\|execve(\"$TS\"|,\$p" "$WORK/trace" >"$WORK/trace.ts"
  [[ -s $WORK/trace.ts ]] || fail "no trace of trustscan"
  mv "$WORK/trace.ts" "$WORK/trace"
  if grep -aE 'passwd|outside\.efi|/up/|loop/(a|b|self)/' "$WORK/trace" | grep -v ENOENT >&2; then fail "opened a path through a symlink"; fi
  if grep -aq "$SAMPLES/pe/app.efi" "$WORK/trace"; then fail "opened the outside target"; fi
  validate_json "$WORK/out/r.json"
  $PY - "$WORK/out/r.json" "$T" <<'PY' || fail "hostile tree not reported as expected"
import json, sys
d, root = json.load(open(sys.argv[1])), sys.argv[2]
rel = lambda p: p[len(root) + 1:]
files = sorted(rel(f["file"]["path"]) for f in d["files"])
assert len(files) == 4 and "sub/driver.sys" in files and "sub/hello.exe" in files, files
assert sum("\x1b" in f for f in files) == 2 and sum("\\xff" in f for f in files) == 1, files
raw = open(sys.argv[1], "rb").read()
assert not any(b < 0x20 and b not in b"\n" for b in raw), "raw control character in the JSON text"
skipped = {rel(s["path"]): s for s in d["skipped"]}
assert skipped["fifo"]["reason"] == "special_file" and skipped["socket"]["reason"] == "special_file", skipped
assert skipped["big.bin"]["reason"] == "too_large", skipped
assert skipped["passwd"]["reason"] == "symlink" and skipped["sub/up"]["reason"] == "symlink", skipped
s = d["summary"]
assert s["empty_files"] == 1, s
assert s["skipped"]["symlink"] >= 6 and s["skipped"]["special_file"] == 2 and s["skipped"]["too_large"] == 1, s["skipped"]
errors = {rel(e["path"]): e for e in d["errors"]}
assert list(errors) == ["unreadable.efi"] and errors["unreadable.efi"]["code"] == "permission_denied", errors
PY
  "${runas[@]}" "$TS" scan --no-kernel-keys --max-file-size 2MB "$T" >"$WORK/table" 2>&1 || true
  if grep -aq $'\x1b\|\x07' "$WORK/table"; then fail "raw control characters reached the table output"; fi
  grep -q 'unreadable.efi' "$WORK/table" || fail "table does not list the unreadable file" ;;
windows_baseline)
  # Issue 8 x 6: a driver whose registered start type changes is a `changed` record in baseline mode.
  WS=${SAMPLES%/*}/windows-samples
  [[ -d $WS/windows-image ]] || fail "windows image missing"
  cp -a "$WS/windows-image" "$WORK/img"
  expect_exit 1 "$TS" scan -f json -o "$WORK/before.json" --trust-store "$WS/catalog-ca" "$WORK/img"
  /usr/bin/python3 - "$WORK/img/WINDOWS/System32/config/SYSTEM" <<'PY' || fail "could not edit the hive"
import struct, sys, hivex
h = hivex.Hivex(sys.argv[1], write=True)
services = h.node_get_child(h.node_get_child(h.root(), "ControlSet002"), "Services")
node = h.node_get_child(services, "otherdrv")
values = [{"key": h.value_key(v), "t": h.value_type(v)[0], "value": h.value_value(v)[1]} for v in h.node_values(node)]
for v in values:
    if v["key"] == "Start":
        v["value"] = struct.pack("<I", 0)
h.node_set_values(node, values)
h.commit(None)
PY
  expect_exit 0 "$TS" scan -f json -o "$WORK/after.json" --trust-store "$WS/catalog-ca" --baseline "$WORK/before.json" "$WORK/img"
  validate_json "$WORK/after.json"
  $PY - "$WORK/after.json" <<'PY' || fail "start type change not reported"
import json, sys
d = json.load(open(sys.argv[1]))
changed = {f["file"]["name"]: f["trustscan"]["baseline"] for f in d["files"]}
assert list(changed) == ["other.sys"], changed
b = changed["other.sys"]
assert b["change"] == "changed", b
assert {"field": "windows.start", "old": "otherdrv:demand", "new": "otherdrv:boot"} in b["changes"], b["changes"]
assert d["summary"]["baseline"]["changed"] == 1 and d["summary"]["baseline"]["new"] == 0, d["summary"]["baseline"]
PY
  ;;
cache|cache_in_tree)
  # Issue 8: --cache. A tree (the samples + a copy of the vendor image) scanned twice: the second
  # scan opens no file of the tree (strace counts every openat/openat2 that returns an fd on a
  # non-directory below it) and reports the same; then one changed file, then a new rule, then
  # damaged and foreign cache files.
  command -v strace >/dev/null || fail "strace missing (tools/setup.sh --test installs it)"
  VI=${SAMPLES%/*}/vendor-samples
  [[ -f $VI/vendor-image/Windows/System32/drivers/klif.sys ]] || fail "vendor image missing"
  T="$WORK/tree"; mkdir -p "$T"
  cp -a "$SAMPLES" "$T/samples"
  cp -a "$VI/vendor-image" "$T/vendor-image"
  args=(-f json --trust-store "$VI/vendor-image-ca" --no-kernel-keys)
  # A file changed less than 2 s before it is read is not cached (docs/cache.md, "racy" files).
  sleep 3
  opened() { opened_below "$1" "$T"; }  # opened LOG: the non-directories below $T that the traced run opened
  traced() {  # traced NAME ARGS...: one scan under strace; exit code in $WORK/NAME.rc
    set +e
    strace -f -y -e trace=openat,openat2 -e signal=none -o "$WORK/$1.strace" "$TS" scan "${args[@]}" \
      -o "$WORK/$1.json" "${@:2}" 2>"$WORK/$1.err"
    echo $? >"$WORK/$1.rc"
    set -e
    validate_json "$WORK/$1.json"
    opened "$WORK/$1.strace" >"$WORK/$1.opened"
  }
  same_records() { same_report "$1" "$2"; }  # the reports agree on everything but timing and the cache counts
  C="$WORK/cache.db"
  if [[ $NAME == cache_in_tree ]]; then
    # The user asked for the cache inside the tree: a warning, and its files are not scanned.
    C="$T/cache.db"
    expect_exit 1 "$TS" scan "${args[@]}" -o "$WORK/in1.json" --cache "$C" "$T/vendor-image" "$T"
    grep -q "warning: the --cache file $C is inside the scanned tree $T" "$WORK/err" || fail "no warning: $(cat "$WORK/err")"
    expect_exit 1 "$TS" scan "${args[@]}" -o "$WORK/in2.json" --cache "$C" "$T/vendor-image" "$T"
    validate_json "$WORK/in2.json"
    $PY - "$WORK/in1.json" "$WORK/in2.json" "$C" <<'PY' || fail "cache files inside the tree were scanned"
import json, sys
a, b, db = json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), sys.argv[3]
for d in (a, b):
    assert not any(f["file"]["path"].startswith(db) for f in d["files"]), [f["file"]["path"] for f in d["files"]]
skipped = {s["path"]: s for s in b["skipped"]}
assert skipped[db]["reason"] == "excluded" and "--cache" in skipped[db]["detail"], skipped.get(db)
# The shared-memory file is 32 KiB from the open on. The WAL of this scan, which writes nothing
# (every file a hit), is empty: excluded too, not counted with the tree's empty files.
for own in (db + "-shm", db + "-wal"):
    assert skipped[own]["reason"] == "excluded" and "--cache" in skipped[own]["detail"], (own, sorted(skipped))
import os
tree = os.path.dirname(db)
empty = sum(1 for top, _, names in os.walk(tree) for n in names
            if not os.path.join(top, n).startswith(db) and os.path.isfile(os.path.join(top, n))
            and not os.path.islink(os.path.join(top, n)) and os.path.getsize(os.path.join(top, n)) == 0)
assert b["summary"]["empty_files"] == empty, (b["summary"]["empty_files"], empty)
c = b["summary"]["cache"]
assert c["misses"] == 0 and c["hits"] == b["summary"]["files_scanned"] > 0, c
PY
    # The cache file given as a root of its own: excluded too, never scanned.
    set +e; "$TS" scan "${args[@]}" -o "$WORK/in_root.json" --cache "$C" "$C" "$T/vendor-image" 2>"$WORK/err"; set -e
    $PY - "$WORK/in_root.json" "$C" <<'PY' || fail "the cache file given as a root was scanned"
import json, sys
d, db = json.load(open(sys.argv[1])), sys.argv[2]
assert not any(f["file"]["path"] == db for f in d["files"]), [f["file"]["path"] for f in d["files"]]
s = [x for x in d["skipped"] if x["path"] == db]
assert len(s) == 1 and s[0]["reason"] == "excluded" and "--cache" in s[0]["detail"], s
PY
    # Damaged: the cache is replaced by an empty one (new files, new inodes) when it is opened;
    # none of its files is scanned, nothing else is missing, nothing comes from the damaged one.
    for round in 1 2 3; do
      $PY - "$C" <<'PY'
import os, sys
size = os.path.getsize(sys.argv[1])
assert size > 8 * 4096, size
with open(sys.argv[1], "r+b") as f:  # pages 3.. overwritten, the header (ours) left intact
    f.seek(2 * 4096); f.write(b"\x5a" * (size - 3 * 4096))
PY
      expect_exit 1 "$TS" scan "${args[@]}" -o "$WORK/in3.json" --cache "$C" "$T"
      grep -q "the cache was corrupt" "$WORK/err" || fail "damaged cache in the tree: no note: $(cat "$WORK/err")"
      $PY - "$WORK/in3.json" "$WORK/in2.json" "$C" <<'PY' || fail "damaged cache in the tree (round $round)"
import json, sys
d, before, db = json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), sys.argv[3]
assert not d["errors"], d["errors"]
assert not any(f["file"]["path"].startswith(db) for f in d["files"]), [f["file"]["path"] for f in d["files"]]
assert {f["file"]["path"] for f in d["files"]} == {f["file"]["path"] for f in before["files"]}
c = d["summary"]["cache"]
assert c["hits"] == 0 and c["misses"] == d["summary"]["files_scanned"] > 0, c
PY
    done
    echo "ok: $NAME"; exit 0
  fi

  traced first --cache "$C" "$T"
  [[ -s $C ]] || fail "no cache written"
  traced second --cache "$C" "$T"
  [[ $(cat "$WORK/first.rc") == "$(cat "$WORK/second.rc")" ]] || fail "exit codes differ"
  [[ $(wc -l <"$WORK/first.opened") -ge 40 ]] || fail "the first scan opened only $(wc -l <"$WORK/first.opened") files: strace filter broken?"
  [[ ! -s $WORK/second.opened ]] || fail "the second scan opened files of the tree: $(head "$WORK/second.opened")"
  same_records "$WORK/first.json" "$WORK/second.json" || fail "the cached scan reports differently"
  $PY - "$WORK/first.json" "$WORK/second.json" "$WORK/first.opened" <<'PY' || fail "cache counts wrong"
import json, sys
a, b = json.load(open(sys.argv[1]))["summary"], json.load(open(sys.argv[2]))["summary"]
n = a["files_scanned"]
assert n == len(open(sys.argv[3]).read().split("\n")) - 1, (n, "files opened by the first scan")
assert a["cache"] == {"hits": 0, "misses": n, "invalidated": 0}, a["cache"]
assert b["cache"] == {"hits": n, "misses": 0, "invalidated": 0}, b["cache"]
PY

  # One file's bytes change (same size; the write moves mtime and ctime): exactly it is read.
  K=vendor-image/Windows/System32/drivers/klif.sys
  printf '\x01' | dd of="$T/$K" bs=1 seek=1100 conv=notrunc 2>/dev/null
  sleep 3  # old enough to be cached by this scan
  traced changed --cache "$C" "$T"
  [[ $(cat "$WORK/changed.opened") == "$K" ]] || fail "after changing $K the scan opened: $(cat "$WORK/changed.opened")"
  $PY - "$WORK/second.json" "$WORK/changed.json" "$T/$K" <<'PY' || fail "changed file not re-analysed"
import json, sys
a, b, k = json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), sys.argv[3]
n = b["summary"]["files_scanned"]
assert b["summary"]["cache"] == {"hits": n - 1, "misses": 1, "invalidated": 1}, b["summary"]["cache"]
fa = {f["file"]["path"]: f for f in a["files"]}
fb = {f["file"]["path"]: f for f in b["files"]}
assert fa[k]["file"]["hash"]["sha256"] != fb[k]["file"]["hash"]["sha256"]
assert fb[k]["file"]["code_signature"]["status"] == "invalid", fb[k]["file"]["code_signature"]
assert {p: f for p, f in fa.items() if p != k} == {p: f for p, f in fb.items() if p != k}
PY

  # Another rule: every file must be matched again, so every file is read.
  cat >"$WORK/extra.yar" <<'YAR'
rule Cache_Test_Extra_Rule
{
    meta:
        vendor = "kaspersky"
        description = "cache test: a rule that only adds to the rule set"
        confidence = "low"
        reference = "tests/cli/cli_test.sh"
    strings:
        $a = "trustscan cache test marker that no sample contains"
    condition:
        $a
}
YAR
  traced rules --cache "$C" --rules "$WORK/extra.yar" "$T"
  (cd "$T" && find . -type f -size +0 | sed 's|^\./||' | sort) >"$WORK/all-files"
  diff "$WORK/all-files" "$WORK/rules.opened" >&2 || fail "with a new rule not every file was read again"
  $PY - "$WORK/rules.json" <<'PY' || fail "rule change: cache counts wrong"
import json, sys
s = json.load(open(sys.argv[1]))["summary"]
assert s["cache"] == {"hits": 0, "misses": s["files_scanned"], "invalidated": s["files_scanned"]}, s["cache"]
PY

  # Our cache, damaged (header intact, pages overwritten): rebuilt with a message, scan unharmed.
  size=$(stat -c %s "$C")
  [[ $size -gt 16384 ]] || fail "cache unexpectedly small ($size bytes)"
  head -c $((size - 8192)) /dev/zero | tr '\0' 'Z' | dd of="$C" bs=4096 seek=1 conv=notrunc 2>/dev/null
  set +e; "$TS" scan "${args[@]}" -o "$WORK/rebuilt.json" --cache "$C" "$T" 2>"$WORK/err"; rc=$?; set -e
  [[ $rc == "$(cat "$WORK/first.rc")" ]] || { cat "$WORK/err" >&2; fail "damaged cache: exit $rc"; }
  grep -q "trustscan: --cache $C: the cache was corrupt (.*); deleted it and started an empty one" "$WORK/err" \
    || fail "damaged cache: message: $(cat "$WORK/err")"
  same_records "$WORK/changed.json" "$WORK/rebuilt.json" || fail "damaged cache: the report differs"
  $PY - "$WORK/rebuilt.json" <<'PY' || fail "damaged cache: counts"
import json, sys
s = json.load(open(sys.argv[1]))["summary"]
assert s["cache"] == {"hits": 0, "misses": s["files_scanned"], "invalidated": 0}, s["cache"]
PY
  traced after_rebuild --cache "$C" "$T"
  [[ ! -s $WORK/after_rebuild.opened ]] || fail "the rebuilt cache is not used: $(head -3 "$WORK/after_rebuild.opened")"

  # Not ours: refused before the scan (exit 2), left as it was.
  printf 'my notes\n%.0s' {1..50} >"$WORK/notes.txt"
  cp "$WORK/notes.txt" "$WORK/notes.orig"
  expect_exit 2 "$TS" scan "${args[@]}" --cache "$WORK/notes.txt" "$T"
  grep -q "not a trustscan cache (not an SQLite database); refusing to overwrite it" "$WORK/err" || fail "text file: $(cat "$WORK/err")"
  [[ ! -s $WORK/out ]] || fail "scanned despite a foreign cache file"
  cmp -s "$WORK/notes.txt" "$WORK/notes.orig" || fail "a foreign file was modified"
  $PY -c 'import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute("create table t(x)"); c.commit()' "$WORK/other.db"
  cp "$WORK/other.db" "$WORK/other.orig"
  expect_exit 2 "$TS" scan "${args[@]}" --cache "$WORK/other.db" "$T"
  grep -q "an SQLite database of another program" "$WORK/err" || fail "foreign database: $(cat "$WORK/err")"
  cmp -s "$WORK/other.db" "$WORK/other.orig" || fail "a foreign database was modified"
  expect_exit 2 "$TS" scan "${args[@]}" --cache "$WORK" "$T"
  grep -q "not a regular file" "$WORK/err" || fail "directory as cache: $(cat "$WORK/err")" ;;
fat_macho_status)
  # Issue 18, acceptance 2: a universal Mach-O with one valid and one invalid slice has ONE
  # signature status — the worst slice's, as verify decides it — in the table, the JSON, the
  # NDJSON, CEF, and after a cached re-scan. A real Developer ID signed universal binary from the
  # real tree (tools/fetch_real_tree.sh), with one byte of its second slice's code changed.
  REAL=${TRUSTSCAN_REAL_TREE:-/var/cache/trustscan/realtree}
  BIN=$REAL/opt/npm/@sentry/cli-darwin/bin/sentry-cli
  [[ -f $BIN ]] || skip_without_real_tree "$BIN not fetched (tools/fetch_real_tree.sh)"
  mkdir -p "$WORK/t"; cp "$BIN" "$WORK/t/sentry-cli"
  $PY - "$WORK/t/sentry-cli" <<'PY' || fail "cannot tamper with the second slice"
import struct, sys
with open(sys.argv[1], "r+b") as f:
    magic, n = struct.unpack(">II", f.read(8))
    assert magic == 0xCAFEBABE and n >= 2, (hex(magic), n)
    arches = [struct.unpack(">iiIII", f.read(20)) for _ in range(n)]
    offset = arches[1][2]
    f.seek(offset + 0x8000)  # inside the second slice's __TEXT: covered by its page hashes
    b = f.read(1)
    f.seek(offset + 0x8000)
    f.write(bytes([b[0] ^ 0xFF]))
PY
  sleep 3  # older than the cache's racy window (docs/cache.md), so that the scan is cached
  opts=(--flag-vendor sentry --all-privileges --verify-time 2026-06-01 --no-kernel-keys)
  expect_exit 1 "$TS" scan -f json "${opts[@]}" --cache "$WORK/cache.db" "$WORK/t"
  $PY - "$WORK/out" <<'PY' || fail "JSON: not the worst slice's status"
import json, sys
f = json.load(open(sys.argv[1]))["files"][0]
assert [s["status"] for s in f["trustscan"]["macho_signatures"]] == ["valid", "invalid"], f["trustscan"]["macho_signatures"]
assert f["file"]["code_signature"]["status"] == "invalid", f["file"]["code_signature"]
PY
  for run in fresh cached; do
    cache=(); [[ $run == cached ]] && cache=(--cache "$WORK/cache.db")
    expect_exit 1 "$TS" scan -f table "${opts[@]}" "${cache[@]}" "$WORK/t"
    grep -E '^  (critical|high|medium|low) .* invalid ' "$WORK/out" >/dev/null \
      || { cat "$WORK/out" >&2; fail "table ($run): the finding's SIGNATURE is not 'invalid'"; }
  done
  expect_exit 1 "$TS" scan -f json "${opts[@]}" --cache "$WORK/cache.db" "$WORK/t"
  $PY - "$WORK/out" <<'PY' || fail "cached JSON: not the worst slice's status"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["summary"]["cache"]["hits"] == 1, d["summary"]["cache"]
assert d["files"][0]["file"]["code_signature"]["status"] == "invalid"
PY
  expect_exit 1 "$TS" scan -f ndjson "${opts[@]}" "$WORK/t"
  $PY - "$WORK/out" <<'PY' || fail "NDJSON: not the worst slice's status"
import json, sys
alert = [e for e in map(json.loads, open(sys.argv[1])) if e["event"]["kind"] == "alert"]
assert len(alert) == 1 and alert[0]["file"]["code_signature"]["status"] == "invalid", alert
PY
  expect_exit 1 "$TS" scan -f cef "${opts[@]}" "$WORK/t"
  grep -q 'cs4Label=signatureStatus cs4=invalid' "$WORK/out" || fail "CEF: $(cat "$WORK/out")" ;;
progress)
  # Issue 8: a progress line on a terminal's standard error, never on standard output, erased at
  # the end; none when standard error is not a terminal, none with --quiet. `script` (util-linux)
  # gives the command a pseudo-terminal; standard output goes to a file.
  command -v script >/dev/null || fail "script (util-linux) missing"
  T="$WORK/many"; mkdir -p "$T"
  cp "$SAMPLES/pe/hello.exe" "$WORK/hello.exe"  # (links to a copy: as in "interrupt")
  $PY -c 'import os, sys
for i in range(20000): os.link(sys.argv[1], f"{sys.argv[2]}/f{i}.exe")' "$WORK/hello.exe" "$T"
  tty_scan() {  # tty_scan TYPESCRIPT ARGS...: stderr on a pty, stdout to TYPESCRIPT.out
    local ts=$1; shift
    script -qec "$(printf '%q ' "$TS" scan -f json --threads 1 --no-kernel-keys "$@" "$T") >$(printf '%q' "$ts.out")" "$ts" \
      >/dev/null </dev/null || fail "script: the scan failed: $(cat "$ts")"
  }
  tty_scan "$WORK/tty"
  $PY - "$WORK/tty" "$WORK/tty.out" <<'PY' || { cat -v "$WORK/tty" | tail -c 2000 >&2; fail "no progress line on the terminal"; }
import json, re, sys
term = open(sys.argv[1], "rb").read().decode("utf-8", "replace")
# A pseudo-terminal of script(1) says 0 columns: the line is cut to 80 (the root's middle elided).
lines = re.findall(r"\r(?:trustscan: )?(\d+)/20000 files  [0-9.]+/[0-9.]+ MB  \d+ files/s  [0-9.]+ MB/s  ETA [0-9:-]+  \S*many\x1b\[K", term)
assert len(lines) >= 2, term[-500:]
assert all(int(a) <= int(b) for a, b in zip(lines, lines[1:])), lines  # counts only grow
assert term.rfind("\r\x1b[K") > term.rfind("files/s"), repr(term[-200:])  # erased at the end
assert "\n" not in term[term.find("files/s"):term.rfind("\r\x1b[K")], "the line scrolled"
out = open(sys.argv[2], "rb").read()
assert b"\r" not in out and b"files/s" not in out, "progress on standard output"
assert json.loads(out)["summary"]["files_scanned"] == 20000
PY
  tty_scan "$WORK/quiet" --quiet
  if grep -q "files/s" "$WORK/quiet"; then fail "--quiet still shows progress"; fi
  set +e; "$TS" scan -f json --threads 1 --no-kernel-keys "$T" >"$WORK/piped.out" 2>"$WORK/piped.err"; set -e
  if grep -q "files/s" "$WORK/piped.err" "$WORK/piped.out"; then fail "progress shown without a terminal"; fi
  [[ ! -s $WORK/piped.err ]] || fail "unexpected standard error when piped: $(head -c 300 "$WORK/piped.err")" ;;
*) fail "unknown test" ;;
esac
echo "ok: $NAME"
