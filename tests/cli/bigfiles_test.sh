#!/usr/bin/env bash
# Files above --max-parse-size / --stream-threshold are verified by streaming (issue 16), one case
# per invocation:
#   bigfiles_test.sh TRUSTSCAN BUILD_DIR SOURCE_DIR TEST_NAME
#   signed_pe   a PE padded past a small --max-parse-size and then signed with a throw-away test
#               PKI (openssl, osslsigncode), made here: valid, signer, both Authenticode hashes
#               equal to tools/authentihash.py, "not parsed by LIEF" a note and not an error, exit 0
#   same_verdict  every signed sample (PE, kernel modules, Mach-O) gets the same signatures,
#               hashes and rule matches streamed as in memory
#   real_tree   the same for real signed PE, EFI and (universal) Mach-O files of the real tree
#               (skipped when it is not fetched)
set -euo pipefail
TS=$1 BUILD=$2 SRC=$3 NAME=$4
WORK=$(mktemp -d /tmp/trustscan-bigfiles.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

# shellcheck source=../lib/test_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/test_lib.sh"
S=$BUILD/samples
[[ -f $S/signed/unsigned.exe ]] || fail "samples missing in $S (tools/make_samples.sh did not run)"

# A throw-away root and code-signing leaf.
make_pki() {
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$WORK/root.key" -out "$WORK/root.pem" -days 30 \
    -subj "/CN=trustscan bigfiles test root" -addext basicConstraints=critical,CA:TRUE \
    -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
  mkdir "$WORK/anchors" && cp "$WORK/root.pem" "$WORK/anchors/"
  openssl req -newkey rsa:2048 -nodes -keyout "$WORK/leaf.key" -out "$WORK/leaf.csr" \
    -subj "/CN=trustscan bigfiles test signer" 2>/dev/null
  printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=codeSigning\n' >"$WORK/leaf.ext"
  openssl x509 -req -in "$WORK/leaf.csr" -CA "$WORK/root.pem" -CAkey "$WORK/root.key" -CAcreateserial \
    -out "$WORK/leaf.pem" -days 30 -extfile "$WORK/leaf.ext" 2>/dev/null
}

# same_verdict KINDS ARG...: scans ARG... (options and roots) read whole and streamed
# (--stream-threshold 0: every binary read on demand, parsed from its headers) and checks that
# every file gets the same hashes, signatures, type, privilege and rule matches, and that each
# of the comma-separated signature KINDS (trustscan.* keys) was seen at least once.
same_verdict() {
  local kinds=$1; shift
  local common=(scan -q --format json --fail-on none --verify-time 2026-01-01 --data-dir "$WORK/no-data")
  expect_exit 0 "$TS" "${common[@]}" -o "$WORK/whole.json" "$@"
  expect_exit 0 "$TS" "${common[@]}" -o "$WORK/streamed.json" --stream-threshold 0 "$@"
  validate_json "$WORK/streamed.json"
  $PY - "$WORK/whole.json" "$WORK/streamed.json" "$kinds" <<'PY' || fail "streamed and whole verdicts differ"
import json, sys
whole, streamed = ({f["file"]["path"]: f for f in json.load(open(p))["files"]} for p in sys.argv[1:3])
assert whole.keys() == streamed.keys(), sorted(set(whole) ^ set(streamed))
keys = sys.argv[3].split(",")
checked = {k: 0 for k in keys}
for path, w in whole.items():
    s = streamed[path]
    assert w["file"].get("hash") == s["file"].get("hash"), path
    assert w["file"].get("code_signature") == s["file"].get("code_signature"), (path, w["file"].get("code_signature"), s["file"].get("code_signature"))
    for k in ("authenticode", "module_signature", "macho_signatures"):
        assert w["trustscan"].get(k) == s["trustscan"].get(k), (path, k, w["trustscan"].get(k), s["trustscan"].get(k))
        checked[k] = checked.get(k, 0) + (k in w["trustscan"])
    assert w["trustscan"].get("rules") == s["trustscan"].get("rules"), path
    assert w["trustscan"]["type"] == s["trustscan"]["type"] and w["trustscan"]["privilege"] == s["trustscan"]["privilege"], (path, w["trustscan"]["type"], s["trustscan"]["type"])
    assert any("not parsed by LIEF" in x for x in s["trustscan"].get("warnings", [])), path
print(checked)
assert all(checked[k] for k in keys), checked
PY
}

case $NAME in
signed_pe)
  make_pki
  mkdir "$WORK/tree"
  # 3 MiB of data appended to the image before signing: inside the hashed range, like the
  # payload of a Node/Bun single-file executable.
  cp "$S/signed/unsigned.exe" "$WORK/padded.exe"
  head -c $((3 << 20)) /dev/urandom >>"$WORK/padded.exe"
  osslsigncode sign -certs "$WORK/leaf.pem" -key "$WORK/leaf.key" -h sha256 -n "bigfiles test" \
    -in "$WORK/padded.exe" -out "$WORK/tree/big.exe" >/dev/null
  expect_exit 0 "$TS" scan -q --format json -o "$WORK/report.json" --max-parse-size 1M \
    --data-dir "$WORK/no-data" --trust-store "$WORK/anchors" "$WORK/tree"
  validate_json "$WORK/report.json"
  read -r sha256 sha1 _ < <($PY "$SRC/tools/authentihash.py" "$WORK/tree/big.exe")
  $PY - "$WORK/report.json" "$sha256" "$sha1" <<'PY' || fail "$(head -c 4000 "$WORK/report.json")"
import json, sys
doc = json.load(open(sys.argv[1]))
(f,) = doc["files"]
t = f["trustscan"]
a = t["authenticode"]
assert a["status"] == "valid", (a["status"], a["signatures"][0].get("errors"))
assert a["hash_sha256"] == sys.argv[2] and a["hash_sha1"] == sys.argv[3], (a["hash_sha256"], a["hash_sha1"], sys.argv[2:])
assert a["signatures"][0]["signer"]["common_name"] == "trustscan bigfiles test signer", a["signatures"][0]["signer"]
assert f["file"]["code_signature"]["status"] == "valid" and f["file"]["code_signature"]["trusted"]
assert not t["errors"], t["errors"]
assert t["format"] == "pe" and t["privilege"] == "user", (t["format"], t["privilege"])
assert any("not parsed by LIEF" in w for w in t["warnings"]), t.get("warnings")
assert any("never held in memory whole" in w for w in t["warnings"]), t.get("warnings")
PY
  # The same file below the limits: the same signature, read whole and parsed by LIEF.
  expect_exit 0 "$TS" scan -q --format json -o "$WORK/whole.json" --data-dir "$WORK/no-data" \
    --trust-store "$WORK/anchors" "$WORK/tree"
  $PY - "$WORK/report.json" "$WORK/whole.json" <<'PY' || fail "streamed and whole verdicts differ"
import json, sys
a, b = (json.load(open(p))["files"][0] for p in sys.argv[1:])
assert a["trustscan"]["authenticode"] == b["trustscan"]["authenticode"], (a["trustscan"]["authenticode"], b["trustscan"]["authenticode"])
assert a["file"]["hash"] == b["file"]["hash"] and a["file"]["code_signature"] == b["file"]["code_signature"]
assert not any("not parsed by LIEF" in w for w in b["trustscan"].get("warnings", []))
PY
  ;;
same_verdict)
  mkdir -p "$WORK/tree"
  cp -r "$S/signed" "$WORK/tree/pe"
  cp "$S"/modsig/demo-signed*.ko "$S"/modsig/demo-other-key.ko "$S"/modsig/demo-intree-signed.ko "$WORK/tree/"
  cp -r "$S/macho" "$WORK/tree/macho"
  same_verdict authenticode,module_signature,macho_signatures --trust-store "$S/signed/ca" \
    --module-keys "$S/modsig/keys" "$WORK/tree" ;;
real_tree)
  # Real signed files (tools/fetch_real_tree.sh, the tests set): a universal Mach-O, Mach-O and
  # PE from npm, shim's dual-signed EFI image.
  REAL=${TRUSTSCAN_REAL_TREE:-/var/cache/trustscan/realtree}
  files=()
  for f in opt/npm/@sentry/cli-darwin/bin/sentry-cli opt/npm/@vscode/vsce-sign-darwin-x64/bin/vsce-sign \
           opt/npm/@vscode/vsce-sign-win32-x64/bin/vsce-sign.exe usr/lib/shim/shimx64.efi.signed; do
    [[ -f $REAL/$f ]] && files+=("$REAL/$f")
  done
  [[ ${#files[@]} == 4 ]] || skip_without_real_tree "the real tree is not fetched ($REAL)"
  same_verdict authenticode,macho_signatures "${files[@]}" ;;
*) fail "unknown test $NAME" ;;
esac
