#!/usr/bin/env bash
# Known-bad drivers through the CLI scan (issue 17), one case per invocation:
#   known_bad_test.sh TRUSTSCAN BUILD_DIR SOURCE_DIR TEST_NAME
#
#   keys        the self-made drivers of tools/make_known_bad_samples.sh, named by a test feed
#               imported with `trustscan data import` by each kind of key — file SHA-256
#               (LOLDrivers, malicious), Authenticode SHA-1 and SHA-256 (block rules), a Deny rule
#               by file name with a version bound (1.2.3.4 below it, 1.2.5.0 above it), a denied
#               signer by the test driver CA's TBS hash bound to a FileAttrib (1.2.5.0 only) —
#               each reported or not exactly as the rule says, in JSON, NDJSON, table and CEF,
#               with the exit code of a finding.
#   clean_tree  the samples tree with the real ../shared/data imported: no known-bad record, exit 0.
#   damaged     a damaged feed stops the scan at start with a message naming the file and line.
#   policy      the policy's known-bad category: a policy that turns it off (no finding, exit 0,
#               the matches still reported), suppressions by entry (DATASET:ID) and by file
#               SHA-256 (the match reported suppressed with its reason, no finding), changed
#               severities; the report head shows the settings.
#   boot_start  a test Windows image (tools/make_test_hive.py --spec) whose registry starts a
#               listed vulnerable driver at boot: raised to critical; the same driver on demand: high.
#   baseline    --baseline: a match that appears, one that disappears, a category change.
#   json_import LOLDrivers' drivers.json, made at test time from ../shared/data/loldrivers/yaml
#               (tools/loldrivers_json.py, entries in reverse order), imports to the same feed
#               (byte for byte) and the same counts as the YAML directory.
#
# The file SHA-256 is hashlib's, the TBS hash openssl's (ca/*.tbs) and the Authenticode hashes
# tools/authentihash.py's (offsets from the headers, not from trustscan); each must also equal what a
# scan without feeds reports.
set -euo pipefail
TS=$1 BUILD=$2 SRC=$3 NAME=$4
WORK=$(mktemp -d /tmp/trustscan-knownbad.XXXXXX)
trap 'chmod -R u+rwx "$WORK" 2>/dev/null; rm -rf "$WORK"' EXIT

# shellcheck source=../lib/test_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/test_lib.sh"

KB=$BUILD/known-bad-samples
SHARED=$(cd "$SRC/.." && pwd)/shared/data
[[ -f $KB/kbdrv-1.2.3.4.sys ]] || fail "known-bad samples missing at $KB"
# A fixed clock inside the test certificates' validity; only the test root is trusted.
FILES=("$KB"/*.sys)  # the four drivers (not page-hashes/: copies of kbdrv 1.2.3.4)
SCAN=(scan --no-default-trust --trust-store "$KB/trust" --verify-time 2026-01-01)

# Writes WORK/src (LOLDrivers YAML + a SiPolicy) naming the samples, from the feed-less scan WORK/plain.json.
write_test_source() {
  mkdir -p "$WORK/src/loldrivers/yaml" "$WORK/src/wdac"
  $PY - "$WORK/plain.json" "$KB" "$WORK/src" "$SRC/tools" <<'PY'
import hashlib, json, sys
report, kb, out, tools = sys.argv[1:]
sys.path.insert(0, tools)
from authentihash import authentihash
files = {f["file"]["name"]: f for f in json.load(open(report))["files"]}
def authenticode(name, kind):
    sha256, sha1 = authentihash(open(kb + "/" + name, "rb").read())
    independent = sha256 if kind == "sha256" else sha1
    assert independent == files[name]["trustscan"]["authenticode"]["hash_" + kind], (name, kind)
    return independent
unsigned_sha256 = hashlib.sha256(open(kb + "/kbdrv-unsigned.sys", "rb").read()).hexdigest()
assert unsigned_sha256 == files["kbdrv-unsigned.sys"]["file"]["hash"]["sha256"]
ca_tbs = open(kb + "/ca/driver-ca.tbs").read().split()[1]
open(out + "/loldrivers/yaml/kb.yaml", "w").write(f"""Id: kb-malicious
Tags:
- kbdrv.sys
Category: malicious
Resources:
- https://example.invalid/kb-malicious
CVE:
- CVE-2023-12345
KnownVulnerableSamples:
- Filename: kbdrv.sys
  SHA256: {unsigned_sha256.upper()}
  LoadsDespiteHVCI: 'TRUE'
""")
rules = f"""
<Deny ID="ID_DENY_KB_SHA1" FriendlyName="kbdrv 1.2.3.4 Hash Sha1" Hash="{authenticode('kbdrv-1.2.3.4.sys', 'sha1').upper()}" />
<Deny ID="ID_DENY_KB_SHA256" FriendlyName="kbdrv 1.2.5.0 Hash Sha256" Hash="{authenticode('kbdrv-1.2.5.0.sys', 'sha256')}" />
<Deny ID="ID_DENY_KB_NAME" FriendlyName="kbdrv up to 1.2.4" FileName="KBDRV.SYS" MaximumFileVersion="1.2.4.65535" />
<FileAttrib ID="ID_FILEATTRIB_KB_125" FriendlyName="kbdrv from 1.2.5.0" FileName="kbdrv.sys" MinimumFileVersion="1.2.5.0" MaximumFileVersion="65535.65535.65535.65535" />
"""
signers = f"""<Signer ID="ID_SIGNER_KB_125" Name="trustscan Test Driver CA">
<CertRoot Type="TBS" Value="{ca_tbs.upper()}" />
<FileAttribRef RuleID="ID_FILEATTRIB_KB_125" />
</Signer>
"""
refs = "".join(f'<FileRuleRef RuleID="{i}" />\n' for i in ("ID_DENY_KB_SHA1", "ID_DENY_KB_SHA256", "ID_DENY_KB_NAME"))
open(out + "/wdac/test.xml", "w").write(f"""<?xml version="1.0" encoding="utf-8"?>
<SiPolicy xmlns="urn:schemas-microsoft-com:sipolicy">
<VersionEx>10.0.0.1</VersionEx>
<PlatformID>{{2E07F7E4-194C-4D20-B7C9-6F44A6C5A234}}</PlatformID>
<Rules><Rule><Option>Enabled:Unsigned System Integrity Policy</Option></Rule></Rules>
<EKUs />
<FileRules>{rules}</FileRules>
<Signers>{signers}</Signers>
<SigningScenarios>
<SigningScenario Value="131" ID="ID_SIGNINGSCENARIO_DENIED" FriendlyName="denied">
<ProductSigners>
<DeniedSigners><DeniedSigner SignerId="ID_SIGNER_KB_125" /></DeniedSigners>
<FileRulesRef>{refs}</FileRulesRef>
</ProductSigners>
</SigningScenario>
</SigningScenarios>
<UpdatePolicySigners />
<CiSigners />
<HvciOptions>0</HvciOptions>
<PolicyTypeID>{{A244370E-44C9-4C06-B551-F6016E563076}}</PolicyTypeID>
</SiPolicy>
""")
PY
}

# The feed-less scan WORK/plain.json, the test source made from it, imported into WORK/data.
setup_test_feed() {
  expect_exit 0 "$TS" "${SCAN[@]}" --data-dir "$WORK/none" --format json -o "$WORK/plain.json" "${FILES[@]}"
  write_test_source
  expect_exit 0 "$TS" data import "$WORK/src" --data-dir "$WORK/data"
}

check_json() {  # check_json REPORT: every driver matched exactly as the feed says
  $PY - "$1" <<'PY' || fail "known-bad matches are wrong in the JSON report"
import json, sys
d = json.load(open(sys.argv[1]))
got = {f["file"]["name"]: {m["id"]: m["key"] for m in f["trustscan"].get("known_bad", [])} for f in d["files"]}
want = {
    # file SHA-256 (LOLDrivers); its Authenticode hash is the signed 1.2.3.4's; 1.2.3.4 <= 1.2.4.65535
    "kbdrv-unsigned.sys": {"kb-malicious": "file_sha256", "ID_DENY_KB_SHA1": "authenticode_sha1",
                           "ID_DENY_KB_NAME": "file_attributes"},
    # below the signer's FileAttrib (from 1.2.5.0): not denied by the CA
    "kbdrv-1.2.3.4.sys": {"ID_DENY_KB_SHA1": "authenticode_sha1", "ID_DENY_KB_NAME": "file_attributes"},
    # above the name rule's bound; the CA's TBS hash + its FileAttrib
    "kbdrv-1.2.5.0.sys": {"ID_DENY_KB_SHA256": "authenticode_sha256", "ID_SIGNER_KB_125": "signer"},
    "other-unsigned.sys": {},
}
assert {k: got.get(k) for k in want} == want, got
files = {f["file"]["name"]: f for f in d["files"]}
u = files["kbdrv-unsigned.sys"]
lol = next(m for m in u["trustscan"]["known_bad"] if m["id"] == "kb-malicious")
assert lol == {"dataset": "loldrivers", "id": "kb-malicious", "category": "malicious", "name": "kbdrv.sys",
               "key": "file_sha256", "value": u["file"]["hash"]["sha256"], "cves": ["CVE-2023-12345"],
               "loads_despite_hvci": True, "references": ["https://example.invalid/kb-malicious"]}, lol
assert u["trustscan"]["known_bad_severity"] == "critical", u["trustscan"]
assert files["kbdrv-1.2.5.0.sys"]["trustscan"]["known_bad_severity"] == "high"
signer = next(m for m in files["kbdrv-1.2.5.0.sys"]["trustscan"]["known_bad"] if m["key"] == "signer")
assert signer["via"] == "ID_FILEATTRIB_KB_125" and signer["category"] == "vulnerable_or_malicious", signer
# ECS: one indicator match per entry; the CVEs
e = {x["matched"]["id"]: x for x in u["threat"]["enrichments"]}
assert e["kb-malicious"]["matched"] == {"atomic": u["file"]["hash"]["sha256"], "field": "file.hash.sha256",
                                        "id": "kb-malicious", "index": "loldrivers", "type": "indicator_match_rule"}, e
assert e["kb-malicious"]["indicator"]["provider"] == "loldrivers"
assert u["vulnerability"] == {"id": ["CVE-2023-12345"], "enumeration": "CVE"}, u["vulnerability"]
assert "threat" not in files["other-unsigned.sys"] and "known_bad" not in files["other-unsigned.sys"]["trustscan"]
assert d["summary"]["known_bad"] == 3 and d["summary"]["known_bad_findings"] == 3, d["summary"]
names = {x["name"] for x in d["scan"]["datasets"]}
assert {"loldrivers", "driver-block-rules"} <= names, names
PY
}

case $NAME in
keys)
  expect_exit 0 "$TS" "${SCAN[@]}" --data-dir "$WORK/none" --format json "${FILES[@]}"
  cp "$WORK/out" "$WORK/plain.json"
  $PY -c 'import json,sys; d=json.load(open(sys.argv[1])); assert all("known_bad" not in f["trustscan"] for f in d["files"])' \
    "$WORK/plain.json" || fail "known-bad matches without a feed"
  write_test_source
  expect_exit 0 "$TS" data import "$WORK/src" --data-dir "$WORK/data"
  expect_exit 1 "$TS" "${SCAN[@]}" --data-dir "$WORK/data" --format json -o "$WORK/report.json" "${FILES[@]}"
  validate_json "$WORK/report.json"
  check_json "$WORK/report.json"
  # --fail-on critical: only the malicious one is critical, and it is still there.
  expect_exit 1 "$TS" "${SCAN[@]}" --data-dir "$WORK/data" --fail-on critical --format json "$KB/kbdrv-unsigned.sys"
  expect_exit 0 "$TS" "${SCAN[@]}" --data-dir "$WORK/data" --fail-on critical --format json "$KB/kbdrv-1.2.5.0.sys"
  # NDJSON: an alert per known-bad finding, valid against the event schema.
  expect_exit 1 "$TS" "${SCAN[@]}" --data-dir "$WORK/data" --format ndjson -o "$WORK/events.ndjson" "${FILES[@]}"
  validate_json "$WORK/events.ndjson" --ndjson
  $PY - "$WORK/events.ndjson" <<'PY' || fail "NDJSON alerts are wrong"
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
alerts = {e["file"]["name"]: e for e in ev if e["event"]["kind"] == "alert"}
assert set(alerts) == {"kbdrv-unsigned.sys", "kbdrv-1.2.3.4.sys", "kbdrv-1.2.5.0.sys"}, set(alerts)
a = alerts["kbdrv-unsigned.sys"]
assert a["rule"]["id"].startswith("known-bad:") and a["rule"]["category"] == "known-bad-driver", a["rule"]
assert a["event"]["risk_score"] == 99 and a["threat"]["enrichments"], a
assert alerts["kbdrv-1.2.5.0.sys"]["event"]["risk_score"] == 73
PY
  # Table and CEF show them.
  expect_exit 1 "$TS" "${SCAN[@]}" --data-dir "$WORK/data" "${FILES[@]}"
  grep -q "^KNOWN-BAD DRIVERS (3, 3 findings)" "$WORK/out" || fail "table: $(cat "$WORK/out")"
  grep -Eq "^  critical .*kbdrv-unsigned.sys" "$WORK/out" || fail "table lacks the critical driver"
  grep -q "    loldrivers kb-malicious (malicious) kbdrv.sys by file_sha256" "$WORK/out" || fail "table lacks the entry"
  grep -q "driver-block-rules ID_SIGNER_KB_125 (vulnerable_or_malicious) .* by signer" "$WORK/out" || fail "table lacks the signer"
  if grep -q "other-unsigned.sys" <(sed -n '/^KNOWN-BAD DRIVERS/,/^$/p' "$WORK/out"); then fail "other-unsigned listed"; fi
  expect_exit 1 "$TS" "${SCAN[@]}" --data-dir "$WORK/data" --format cef "${FILES[@]}"
  [[ $(grep -c '^CEF:0|trustscan|trustscan|[^|]*|known-bad:' "$WORK/out") == 3 ]] || fail "CEF: $(cat "$WORK/out")"
  grep -q '|known-bad:loldrivers:kb-malicious|Known-bad kernel driver (malicious): kbdrv-unsigned.sys|10|' "$WORK/out" \
    || fail "CEF line of the malicious driver: $(cat "$WORK/out")"
  ;;
clean_tree)
  [[ -d $SHARED/loldrivers/yaml && -d $SHARED/wdac ]] || fail "public data sets missing at $SHARED"
  expect_exit 0 "$TS" data import "$SHARED" --data-dir "$WORK/data"
  expect_exit 0 "$TS" scan --data-dir "$WORK/data" --format json -o "$WORK/report.json" \
    "$BUILD/samples/pe" "$BUILD/samples/elf" "$BUILD/samples/macho" "$KB/other-unsigned.sys"
  validate_json "$WORK/report.json"
  $PY - "$WORK/report.json" <<'PY' || fail "known-bad records in a tree without listed drivers"
import json, sys
d = json.load(open(sys.argv[1]))
assert not [f["file"]["path"] for f in d["files"] if "known_bad" in f["trustscan"] or "threat" in f]
assert d["summary"]["known_bad"] == 0 and d["summary"]["known_bad_findings"] == 0, d["summary"]
names = {x["name"] for x in d["scan"]["datasets"]}
assert {"loldrivers", "driver-block-rules"} <= names, names
PY
  ;;
damaged)
  mkdir -p "$WORK/src/loldrivers/yaml"
  cat >"$WORK/src/loldrivers/yaml/kb.yaml" <<'YAML'
Id: kb
Tags:
- kb.sys
Category: malicious
KnownVulnerableSamples:
- Filename: kb.sys
  SHA256: 0000000000000000000000000000000000000000000000000000000000000000
YAML
  expect_exit 0 "$TS" data import "$WORK/src" --data-dir "$WORK/data"
  feed=$WORK/data/loldrivers/known_bad.tsv
  head -n -1 "$feed" >"$WORK/cut" && cat "$WORK/cut" >"$feed"  # the line count is gone: truncated
  expect_exit 2 "$TS" scan --data-dir "$WORK/data" --format json "$KB/other-unsigned.sys"
  grep -q "known-bad driver feed: $feed:[0-9]*: " "$WORK/err" || fail "no clear error: $(cat "$WORK/err")"
  ;;
policy)
  setup_test_feed
  # A preset that turns the category off: matches reported, no finding, exit 0.
  expect_exit 0 "$TS" "${SCAN[@]}" --data-dir "$WORK/data" --policy "$SRC/tests/data/policy/known-bad-off.yaml" \
    --format json -o "$WORK/off.json" "${FILES[@]}"
  validate_json "$WORK/off.json"
  $PY - "$WORK/off.json" <<'PY' || fail "known-bad off: not as expected"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["scan"]["known_bad_policy"] == {"enabled": False, "severities": {"malicious": "critical", "vulnerable": "high",
    "vulnerable_or_malicious": "high"}, "raise_boot_start": True}, d["scan"]["known_bad_policy"]
assert d["summary"]["known_bad"] == 3 and d["summary"]["known_bad_findings"] == 0, d["summary"]
assert not [f for f in d["files"] if "known_bad_severity" in f["trustscan"]]
PY
  expect_exit 0 "$TS" "${SCAN[@]}" --data-dir "$WORK/data" --policy "$SRC/tests/data/policy/known-bad-off.yaml" "${FILES[@]}"
  grep -q "^  known-bad: off$" "$WORK/out" || fail "table head lacks the known-bad setting: $(cat "$WORK/out")"
  grep -q "^KNOWN-BAD DRIVERS (3, 0 findings)" "$WORK/out" || fail "table: $(cat "$WORK/out")"
  # Suppressions: the malicious LOLDrivers entry by id, every entry of kbdrv 1.2.5.0 by its SHA-256.
  sha=$($PY -c 'import hashlib,sys; print(hashlib.sha256(open(sys.argv[1],"rb").read()).hexdigest().upper())' "$KB/kbdrv-1.2.5.0.sys")
  cat >"$WORK/suppress.yaml" <<YAML
name: kb-suppress
countries:
  - {code: RU, reason: test, source: test}
known_bad:
  severities: {vulnerable_or_malicious: medium}
suppressions:
  - id: lab-kb
    reason: our own test driver
    expires: 2099-12-31
    match: {known_bad: "loldrivers:kb-malicious"}
  - id: lab-125
    reason: approved build 1.2.5.0
    expires: 2099-12-31
    match: {known_bad: any, sha256: $sha}
  - id: unused-kb
    reason: never matches
    expires: 2099-12-31
    match: {known_bad: "driver-block-rules:ID_NOT_THERE"}
YAML
  expect_exit 1 "$TS" "${SCAN[@]}" --data-dir "$WORK/data" --policy "$WORK/suppress.yaml" --format json \
    -o "$WORK/sup.json" "${FILES[@]}"
  validate_json "$WORK/sup.json"
  $PY - "$WORK/sup.json" <<'PY' || fail "known-bad suppressions: not as expected"
import json, sys
d = json.load(open(sys.argv[1]))
files = {f["file"]["name"]: f["trustscan"] for f in d["files"]}
sup = lambda name: {m["id"]: m.get("suppressed") for m in files[name]["known_bad"]}
assert sup("kbdrv-unsigned.sys") == {"kb-malicious": {"id": "lab-kb", "reason": "our own test driver"},
                                     "ID_DENY_KB_SHA1": None, "ID_DENY_KB_NAME": None}, sup("kbdrv-unsigned.sys")
# the malicious entry is set aside: the block rules (vulnerable_or_malicious -> medium) are left
assert files["kbdrv-unsigned.sys"]["known_bad_severity"] == "medium", files["kbdrv-unsigned.sys"]
assert all(v == {"id": "lab-125", "reason": "approved build 1.2.5.0"} for v in sup("kbdrv-1.2.5.0.sys").values())
assert "known_bad_severity" not in files["kbdrv-1.2.5.0.sys"]
assert files["kbdrv-1.2.3.4.sys"]["known_bad_severity"] == "medium"
assert d["summary"]["known_bad"] == 3 and d["summary"]["known_bad_findings"] == 2, d["summary"]
assert d["scan"]["known_bad_policy"]["severities"]["vulnerable_or_malicious"] == "medium"
state = {s["id"]: (s["state"], s["uses"]) for s in d["suppressions"]}
assert state == {"lab-kb": ("used", 1), "lab-125": ("used", 2), "unused-kb": ("unused", 0)}, state
PY
  # Nothing critical or high is left (the malicious match is suppressed).
  expect_exit 0 "$TS" "${SCAN[@]}" --data-dir "$WORK/data" --policy "$WORK/suppress.yaml" --fail-on high "${FILES[@]}"
  grep -q "^  known-bad: on: malicious critical, vulnerable high, vulnerable_or_malicious medium, boot-start +1$" \
    "$WORK/out" || fail "table head: $(cat "$WORK/out")"
  grep -q "^      suppressed by lab-kb: our own test driver$" "$WORK/out" || fail "table lacks the suppression: $(cat "$WORK/out")"
  ;;
boot_start)
  # kbdrv 1.2.5.0 is listed by the block rules (vulnerable_or_malicious: high in the kernel).
  setup_test_feed
  img=$WORK/img
  mkdir -p "$img/Windows/System32/config" "$img/Windows/System32/drivers"
  cp "$KB/kbdrv-1.2.5.0.sys" "$img/Windows/System32/drivers/kbboot.sys"
  cp "$KB/kbdrv-1.2.5.0.sys" "$img/Windows/System32/drivers/kbdemand.sys"
  /usr/bin/python3 -c '
import json, sys
svc = lambda name, start: {"name": name, "type": 1, "start": start, "image_path": "System32\\drivers\\" + name + ".sys"}
json.dump({"computer_name": "KB-PC", "services": [svc("kbboot", 0), svc("kbdemand", 3)]}, open(sys.argv[1], "w"))' \
    "$WORK/spec.json"
  /usr/bin/python3 "$SRC/tools/make_test_hive.py" "$img/Windows/System32/config" --spec "$WORK/spec.json"
  expect_exit 1 "$TS" "${SCAN[@]}" --data-dir "$WORK/data" --format json -o "$WORK/img.json" "$img"
  validate_json "$WORK/img.json"
  $PY - "$WORK/img.json" <<'PY' || fail "boot-start severity not raised"
import json, sys
d = json.load(open(sys.argv[1]))
files = {f["file"]["name"]: f["trustscan"] for f in d["files"]}
assert files["kbboot.sys"]["windows"]["services"][0]["start"] == "boot", files["kbboot.sys"].get("windows")
assert files["kbboot.sys"]["known_bad_severity"] == "critical", files["kbboot.sys"]
assert files["kbdemand.sys"]["known_bad_severity"] == "high", files["kbdemand.sys"]
PY
  # Without the raise, the boot-start copy stays high.
  printf 'name: flat\nknown_bad:\n  raise_boot_start: false\n' >"$WORK/flat.yaml"
  expect_exit 1 "$TS" "${SCAN[@]}" --data-dir "$WORK/data" --policy "$WORK/flat.yaml" --format json "$img"
  $PY -c 'import json,sys; d=json.load(open(sys.argv[1])); f={x["file"]["name"]: x["trustscan"] for x in d["files"]}
assert f["kbboot.sys"]["known_bad_severity"] == "high", f["kbboot.sys"]' "$WORK/out" || fail "raise_boot_start: false"
  ;;
baseline)
  setup_test_feed
  # Appeared: the matches are new since the feed-less report.
  expect_exit 1 "$TS" "${SCAN[@]}" --data-dir "$WORK/data" --format json -o "$WORK/with.json" \
    --baseline "$WORK/plain.json" "${FILES[@]}"
  validate_json "$WORK/with.json"
  # Gone: the feed-less scan compared with the full report.
  expect_exit 1 "$TS" "${SCAN[@]}" --data-dir "$WORK/data" --format json -o "$WORK/full.json" "${FILES[@]}"
  expect_exit 0 "$TS" "${SCAN[@]}" --data-dir "$WORK/none" --format json -o "$WORK/without.json" \
    --baseline "$WORK/full.json" "${FILES[@]}"
  validate_json "$WORK/without.json"
  # A category change: the LOLDrivers entry becomes vulnerable.
  sed -i 's/^Category: malicious$/Category: vulnerable driver/' "$WORK/src/loldrivers/yaml/kb.yaml"
  expect_exit 0 "$TS" data import "$WORK/src" --data-dir "$WORK/data"
  expect_exit 1 "$TS" "${SCAN[@]}" --data-dir "$WORK/data" --format json -o "$WORK/moved.json" \
    --baseline "$WORK/full.json" "${FILES[@]}"
  validate_json "$WORK/moved.json"
  $PY - "$WORK/with.json" "$WORK/without.json" "$WORK/moved.json" <<'PY' || fail "baseline known-bad changes"
import json, sys
with_, without, moved = (json.load(open(p)) for p in sys.argv[1:4])
def changes(d):
    return {f["file"]["name"]: {c["field"]: (c["old"], c["new"]) for c in f["trustscan"]["baseline"].get("changes", [])}
            for f in d["files"]}
w = changes(with_)["kbdrv-unsigned.sys"]
assert w["known_bad"] == (None, "driver-block-rules:ID_DENY_KB_NAME,driver-block-rules:ID_DENY_KB_SHA1,loldrivers:kb-malicious"), w
assert w["known_bad.severity"] == (None, "critical"), w
assert "other-unsigned.sys" not in changes(with_)
g = changes(without)["kbdrv-1.2.5.0.sys"]
assert g["known_bad"] == ("driver-block-rules:ID_DENY_KB_SHA256,driver-block-rules:ID_SIGNER_KB_125", None), g
assert g["known_bad.severity"] == ("high", None), g
m = changes(moved)
assert set(m) == {"kbdrv-unsigned.sys"}, m
assert "known_bad" not in m["kbdrv-unsigned.sys"], m
assert m["kbdrv-unsigned.sys"]["known_bad.category"][1].endswith("loldrivers:kb-malicious=vulnerable"), m
assert m["kbdrv-unsigned.sys"]["known_bad.severity"] == ("critical", "high"), m
PY
  ;;
json_import)
  [[ -d $SHARED/loldrivers/yaml ]] || fail "public data sets missing at $SHARED"
  mkdir -p "$WORK/yaml-src/loldrivers" "$WORK/json-src/loldrivers"
  ln -s "$SHARED/loldrivers/yaml" "$WORK/yaml-src/loldrivers/yaml"
  $PY "$SRC/tools/loldrivers_json.py" "$SHARED/loldrivers/yaml" "$WORK/json-src/loldrivers/drivers.json" --reverse
  expect_exit 0 "$TS" data import "$WORK/yaml-src" --data-dir "$WORK/from-yaml"
  expect_exit 0 "$TS" data import "$WORK/json-src" --data-dir "$WORK/from-json"
  grep -q "^loldrivers: imported" "$WORK/out" || fail "drivers.json not imported: $(cat "$WORK/out")"
  cmp "$WORK/from-yaml/loldrivers/known_bad.tsv" "$WORK/from-json/loldrivers/known_bad.tsv" \
    || fail "the JSON and the YAML give different feeds"
  $PY - "$WORK/from-yaml/loldrivers/provenance.json" "$WORK/from-json/loldrivers/provenance.json" <<'PY' \
    || fail "the JSON and the YAML give different counts"
import json, sys
y, j = (json.load(open(p)) for p in sys.argv[1:3])
assert y["counts"] == j["counts"], (y["counts"], j["counts"])
assert y["counts"]["entries"] > 600, y["counts"]
assert [f["path"] for f in j["files"]] == ["loldrivers/drivers.json"], j["files"]
PY
  # A damaged document names the file and line; the installed data set stays.
  printf '[\n  {"Id": "x", "Category": "vulnerable driver",\n   "KnownVulnerableSamples": [{"SHA256": "abc"}]}\n]\n' \
    >"$WORK/json-src/loldrivers/drivers.json"
  expect_exit 4 "$TS" data import "$WORK/json-src" --data-dir "$WORK/from-json"
  grep -q "loldrivers/drivers.json:3:.*'abc' is not 64 hex digits" "$WORK/err" || fail "error: $(cat "$WORK/err")"
  cmp -s "$WORK/from-yaml/loldrivers/known_bad.tsv" "$WORK/from-json/loldrivers/known_bad.tsv" \
    || fail "a failed import changed the data set"
  ;;
*) fail "unknown test" ;;
esac
echo "ok $NAME"
