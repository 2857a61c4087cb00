#!/usr/bin/env bash
# trustscan explain / vendors / policies and the module-key note (issue 20), one case per invocation:
#   commands_test.sh TRUSTSCAN BUILD_DIR SOURCE_DIR TEST_NAME
#
#   explain_real      real signed binaries of the real tree (tools/fetch_real_tree.sh): shim (a
#                     Microsoft-signed EFI application) and a Debian kernel module. The text names
#                     every stage, each signer of the JSON report with its chain's thumbprints, the
#                     module signature valid against the tree's own vmlinuz (taken from the module's
#                     ROOT/boot, as a scan of ROOT does); --format json is exactly the record a scan
#                     of the same file reports.
#   explain_sample    synthetic samples: a Kaspersky-signed driver of the vendor image (flagged, with
#                     the rule, the evidence and RU), a Kaspersky user-mode file (attributed, not
#                     flagged: out of scope), a catalog-signed driver of a Windows image (its
#                     CatRoot indexed), a file that is no binary (said so, exit 0).
#   explain_missing   a missing file and a directory: a clear message and exit 2.
#   vendors           the shipped vendor list; --country RU holds every vendor the YAML gives RU
#                     and only vendors of (or owned from) RU; --category; JSON; a bad code exits 2.
#   policies          every preset of rules/policy with its description and the countries and
#                     vendors its YAML flags; JSON; `trustscan help` lists the new commands.
#   module_key_note   a directory of signed kernel modules with no kernel image: the table, JSON and
#                     NDJSON say that no module-signing key was loaded and how to supply one; no
#                     note with --kernel FILE, with --module-keys DIR, or for a root holding /boot.
set -euo pipefail
TS=$1 BUILD=$2 SRC=$3 NAME=$4
WORK=$(mktemp -d /tmp/trustscan-commands.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

# shellcheck source=../lib/test_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/test_lib.sh"

SAMPLES=$BUILD/samples
REAL=${TRUSTSCAN_REAL_TREE:-/var/cache/trustscan/realtree}
SHIM=$REAL/usr/lib/shim/shimx64.efi.signed
# the kernel the tests set fetched (its flavour and ABI number follow the archive)
KVER=
for m in "$REAL"/lib/modules/*/kernel/net/key/af_key.ko; do
  k=${m#"$REAL"/lib/modules/}; k=${k%%/*}
  [[ -f $REAL/boot/vmlinuz-$k ]] && { KVER=$k; break; }
done
KVER=${KVER:-none}
MODULE=$REAL/lib/modules/$KVER/kernel/net/key/af_key.ko
need_real() {
  for f in "$SHIM" "$MODULE" "$REAL/boot/vmlinuz-$KVER"; do
    [[ -f $f ]] || skip_without_real_tree "$f not fetched (tools/fetch_real_tree.sh)"
  done
}

# explain FILE's --format json must be the record `scan -f json FILE` reports (same pipeline).
same_record() {  # same_record FILE [OPTIONS...]
  local file=$1; shift
  expect_exit 0 "$TS" explain -f json "$@" "$file"
  cp "$WORK/out" "$WORK/explain.json"
  set +e; "$TS" scan -q -f json "$@" "$file" >"$WORK/scan.json" 2>"$WORK/err"; set -e
  $PY - "$WORK/explain.json" "$WORK/scan.json" <<'PY' || fail "explain -f json differs from the scan's record of $file"
import json, sys
explained, scanned = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
assert len(scanned["files"]) == 1, len(scanned["files"])
want = scanned["files"][0]
assert explained == want, [k for k in want["trustscan"] if explained["trustscan"].get(k) != want["trustscan"][k]]
PY
}

case $NAME in
explain_real)
  need_real
  same_record "$SHIM"
  cp "$WORK/explain.json" "$WORK/shim.json"
  expect_exit 0 "$TS" explain "$SHIM"
  for want in "FILE $SHIM" IDENTIFY PARSE HASHES SIGNATURES "YARA RULES" ATTRIBUTION POLICY "KNOWN-BAD DRIVERS" \
              "VERIFIED AGAINST" "privilege: boot, because: PE subsystem EFI_APPLICATION" "embedded #0: valid" \
              "sha256: $(sha256sum "$SHIM" | cut -d' ' -f1)" "architecture: x86_64, 64-bit" "trust_basis: program" \
              "anchor set: uefi" "verdict: not flagged"; do
    grep -qF -- "$want" "$WORK/out" || { cat "$WORK/out" >&2; fail "shim: no '$want' in the explanation"; }
  done
  # Every certificate of every signature (the JSON report's) is there with subject, issuer and thumbprint.
  $PY - "$WORK/shim.json" "$WORK/out" <<'PY' || fail "shim: a signer or chain certificate is missing"
import json, sys
rec, text = json.load(open(sys.argv[1])), open(sys.argv[2]).read()
sigs = rec["trustscan"]["authenticode"]["signatures"]
assert len(sigs) >= 2, len(sigs)
for s in sigs:
    for c in s["chain"]:
        for v in (c["subject"], c["issuer"], c["thumbprint_sha256"], c["thumbprint_sha1"]):
            assert v in text, v
    assert s["timestamp"] in text and s["timestamp_authority"] in text, s["timestamp"]
PY
  # A Debian module: verified against ROOT/boot/vmlinuz-VER of its own tree, as a scan of ROOT is.
  expect_exit 0 "$TS" explain "$MODULE"
  for want in "privilege: kernel, because: ELF relocatable with .modinfo" "module: valid" \
              "key_source: $REAL/boot/vmlinuz-$KVER" "module keys: $REAL/boot/vmlinuz-$KVER" "intree" "vermagic"; do
    grep -qF -- "$want" "$WORK/out" || { cat "$WORK/out" >&2; fail "af_key.ko: no '$want' in the explanation"; }
  done
  grep -q "unknown_key" "$WORK/out" && fail "af_key.ko: unknown_key although its tree has its kernel"
  same_record "$MODULE" --kernel "$REAL/boot/vmlinuz-$KVER" ;;
explain_sample)
  VI=$BUILD/vendor-samples; IMG=$VI/vendor-image
  [[ -f $IMG/Windows/System32/drivers/klif.sys ]] || fail "vendor image missing (tools/make_vendor_image.sh $VI)"
  expect_exit 0 "$TS" explain --trust-store "$VI/vendor-image-ca" "$IMG/Windows/System32/drivers/klif.sys"
  for want in "privilege: kernel" "embedded #0: valid" "vendor: Kaspersky [kaspersky]" "vendor -> country: RU" \
              "signer [verified" "verdict: FLAGGED, severity critical: Kaspersky (RU)" "rule country:RU (via country)" \
              "policy: default"; do
    grep -qF -- "$want" "$WORK/out" || { cat "$WORK/out" >&2; fail "klif.sys: no '$want' in the explanation"; }
  done
  same_record "$IMG/Windows/System32/drivers/klif.sys" --trust-store "$VI/vendor-image-ca"
  expect_exit 0 "$TS" explain --trust-store "$VI/vendor-image-ca" "$IMG/Program Files/Kaspersky Lab/avp.exe"
  grep -qF "verdict: not flagged: rules match Kaspersky (RU), but this file's privilege is outside the policy's scope" \
    "$WORK/out" || { cat "$WORK/out" >&2; fail "avp.exe: the verdict does not say why it is not flagged"; }
  # --policy and --only-flag-country are the scan's: a preset that flags nothing Kaspersky does not match.
  expect_exit 0 "$TS" explain --trust-store "$VI/vendor-image-ca" --only-flag-country CN \
    "$IMG/Windows/System32/drivers/klif.sys"
  grep -qF "verdict: not flagged: Kaspersky (RU) matches no rule of policy 'command line'" "$WORK/out" \
    || { cat "$WORK/out" >&2; fail "klif.sys under --only-flag-country CN"; }
  expect_exit 0 "$TS" explain "$SAMPLES/modsig/demo-signed.ko"
  grep -qF "module: unknown_key" "$WORK/out" || fail "demo-signed.ko: $(cat "$WORK/out")"
  grep -qF -- "--module-keys DIR" "$WORK/out" || fail "demo-signed.ko: no hint where module keys come from"
  expect_exit 0 "$TS" explain --module-keys "$SAMPLES/modsig/keys" "$SAMPLES/modsig/demo-signed.ko"
  grep -qF "module: valid" "$WORK/out" || fail "demo-signed.ko with its key: $(cat "$WORK/out")"
  # A driver of a Windows image: its installation's CatRoot is indexed, as a scan of the image does.
  WS=$BUILD/windows-samples; WIMG=$WS/windows-image
  [[ -f $WIMG/WINDOWS/System32/drivers/driver.sys ]] || fail "windows image missing (tools/make_windows_image.sh)"
  expect_exit 0 "$TS" explain --trust-store "$WS/catalog-ca" "$WIMG/WINDOWS/System32/drivers/driver.sys"
  for want in "the file as a whole: valid, decided by the catalog signature" "catalog #0: valid" \
              "member_file_name: driver.sys" "kernel_load: test_signing_only" \
              "note: the file lies in the Windows installation $WIMG"; do
    grep -qF -- "$want" "$WORK/out" || { cat "$WORK/out" >&2; fail "driver.sys: no '$want' in the explanation"; }
  done
  expect_exit 0 "$TS" explain "$SAMPLES/other/readme.txt"
  grep -q "not a binary" "$WORK/out" || fail "readme.txt: $(cat "$WORK/out")" ;;
explain_missing)
  expect_exit 2 "$TS" explain "$WORK/nonexistent.sys"
  grep -q "nonexistent.sys: No such file or directory" "$WORK/err" || fail "missing file: $(cat "$WORK/err")"
  [[ ! -s $WORK/out ]] || fail "missing file: something on standard output"
  expect_exit 2 "$TS" explain "$WORK"
  grep -q "is a directory" "$WORK/err" || fail "directory: $(cat "$WORK/err")"
  expect_exit 2 "$TS" explain
  expect_exit 2 "$TS" explain --format yaml "$SAMPLES/pe/driver.sys" ;;
vendors)
  expect_exit 0 "$TS" vendors
  grep -Eq '^kaspersky +Kaspersky +RU +antivirus' "$WORK/out" || fail "no kaspersky row: $(head "$WORK/out")"
  expect_exit 0 "$TS" vendors --country ru -f json
  cp "$WORK/out" "$WORK/ru.json"
  expect_exit 0 "$TS" vendors --country RU
  cp "$WORK/out" "$WORK/ru.txt"
  $PY - "$SRC/signatures/vendors" "$WORK/ru.json" "$WORK/ru.txt" <<'PY' || fail "vendors --country RU"
import glob, json, sys, yaml
own_ru = set()
for f in glob.glob(sys.argv[1] + "/*.yaml"):
    for v in (yaml.safe_load(open(f)) or {}).get("vendors", []) or []:
        if v.get("country") == "RU":
            own_ru.add(v["id"])
listed = json.load(open(sys.argv[2]))
ids = {v["id"] for v in listed}
assert own_ru and own_ru <= ids, own_ru - ids
assert all("RU" in v["jurisdictions"] for v in listed), [v["id"] for v in listed if "RU" not in v["jurisdictions"]]
assert "microsoft" not in ids
rows = [l for l in open(sys.argv[3]).read().splitlines()[1:] if l and not l.endswith(" vendors")]
assert len(rows) == len(listed), (len(rows), len(listed))
PY
  expect_exit 0 "$TS" vendors --category antivirus -f json
  $PY -c 'import json,sys; l=json.load(open(sys.argv[1])); assert l and all(v["category"]=="antivirus" for v in l)' \
    "$WORK/out" || fail "vendors --category antivirus"
  expect_exit 2 "$TS" vendors --country XX
  grep -q "'XX' is not an ISO 3166-1 alpha-2" "$WORK/err" || fail "bad country: $(cat "$WORK/err")"
  expect_exit 2 "$TS" vendors --category nonsense ;;
policies)
  expect_exit 0 "$TS" policies -f json
  cp "$WORK/out" "$WORK/p.json"
  expect_exit 0 "$TS" policies
  cp "$WORK/out" "$WORK/p.txt"
  $PY - "$SRC/rules/policy" "$WORK/p.json" "$WORK/p.txt" <<'PY' || fail "policies do not list what the presets flag"
import glob, json, os, sys, yaml
listed = {p["name"]: p for p in json.load(open(sys.argv[2]))}
text = open(sys.argv[3]).read()
files = sorted(glob.glob(sys.argv[1] + "/*.yaml"))
assert files and set(listed) == {os.path.basename(f)[:-5] for f in files}, (set(listed), files)
for f in files:
    y, p = yaml.safe_load(open(f)), listed[os.path.basename(f)[:-5]]
    assert "error" not in p, p
    want = {"country:" + c["code"] for c in y.get("countries", []) or []} | \
           {"vendor:" + v["id"] for v in y.get("vendors", []) or []}
    assert {r["id"] for r in p["rules"]} == want, (f, want)
    assert " ".join(y["description"].split()) in " ".join(text.split()), f
    for rule_id in want:
        assert "[" + rule_id + "]" in text, rule_id
PY
  grep -qF "flags vendor kaspersky (or owned by it), only antivirus [vendor:kaspersky]" "$WORK/p.txt" \
    || fail "nl-2018 does not say it flags Kaspersky anti-virus only"
  expect_exit 0 "$TS" help
  for c in explain vendors policies; do grep -q "^ *$c " "$WORK/out" || fail "trustscan help does not list $c"; done ;;
module_key_note)
  need_real
  mkdir -p "$WORK/mods" "$WORK/root/boot" "$WORK/root/lib/modules/$KVER"
  cp "$MODULE" "$WORK/mods/"
  cp "$MODULE" "$WORK/root/lib/modules/$KVER/"
  cp "$REAL/boot/vmlinuz-$KVER" "$WORK/root/boot/"
  expect_exit 0 "$TS" scan -q -f table "$WORK/mods"
  grep -q "^note: 1 signed kernel module(s) unknown_key: no module-signing key was loaded" "$WORK/out" \
    || { cat "$WORK/out" >&2; fail "table: no module-key note"; }
  grep -qF -- "--kernel FILE (a vmlinuz) or --module-keys DIR" "$WORK/out" || fail "table: the note says no remedy"
  expect_exit 0 "$TS" scan -q -f json "$WORK/mods"
  $PY -c 'import json,sys; n=json.load(open(sys.argv[1]))["scan"]["verification"]["notes"]; assert any("--module-keys DIR" in x["message"] for x in n), n' \
    "$WORK/out" || fail "json: no module-key note"
  expect_exit 0 "$TS" scan -q -f ndjson "$WORK/mods"
  tail -n1 "$WORK/out" | $PY -c 'import json,sys; n=json.load(sys.stdin)["trustscan"]["scan"]["verification"]["notes"]; assert any("ROOT/boot/vmlinuz" in x["message"] for x in n), n' \
    || fail "ndjson: no module-key note in the summary"
  expect_exit 0 "$TS" scan -q -f table --no-kernel-keys "$WORK/root"
  grep -q "^note: .*--no-kernel-keys was given" "$WORK/out" || fail "--no-kernel-keys: no note saying so"
  # Keys found or supplied: no note, and the module verifies.
  for opts in "--kernel $WORK/root/boot/vmlinuz-$KVER $WORK/mods" "$WORK/root" "--module-keys $SAMPLES/modsig/keys $WORK/mods"; do
    # shellcheck disable=SC2086
    expect_exit 0 "$TS" scan -q -f json $opts
    $PY -c 'import json,sys; n=json.load(open(sys.argv[1]))["scan"]["verification"]["notes"]; assert not any("unknown_key" in x["message"] for x in n), n' \
      "$WORK/out" || fail "a module-key note although keys were loaded ($opts)"
  done
  expect_exit 0 "$TS" scan -q -f json --kernel "$WORK/root/boot/vmlinuz-$KVER" "$WORK/mods"
  $PY -c 'import json,sys; f=json.load(open(sys.argv[1]))["files"][0]; assert f["trustscan"]["module_signature"]["status"]=="valid", f["trustscan"]["module_signature"]' \
    "$WORK/out" || fail "--kernel: the module does not verify"
  expect_exit 2 "$TS" scan -q --kernel "$SAMPLES/other/readme.txt" "$WORK/mods"
  grep -q -- "--kernel .*readme.txt" "$WORK/err" || fail "--kernel with no kernel image: $(cat "$WORK/err")" ;;
*) fail "unknown case $NAME" ;;
esac
echo "PASS($NAME)"
