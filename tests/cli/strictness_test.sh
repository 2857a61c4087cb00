#!/usr/bin/env bash
# Authenticode strictness as Windows has it (issue 16), on the hostile samples of classes i and j
# (tools/make_hostile_samples.sh, fixture hostile_samples; docs/hostile-samples.md), one case per
# invocation:
#   strictness_test.sh TRUSTSCAN BUILD_DIR SOURCE_DIR TEST_NAME
# Each case scans a sample and its control with the anchors of the samples' manifest and checks
# the signature's status and flags in the JSON report (validated against the schema).
set -euo pipefail
TS=$1 BUILD=$2 SRC=$3 NAME=$4
WORK=$(mktemp -d /tmp/trustscan-strict.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

# shellcheck source=../lib/test_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/test_lib.sh"

H=$BUILD/hostile-samples
[[ -f $H/MANIFEST.tsv ]] || fail "hostile samples missing in $H (tools/make_hostile_samples.sh did not run)"

# scan SAMPLE [OPTION...]: the JSON report of SAMPLE (relative to $H) in $WORK/report.json, scanned
# at the samples' date with the test root of its manifest row; no finding changes the exit code.
scan() {
  local sample=$1; shift
  local trust
  trust=$(awk -F'\t' -v s="$sample" '$1 == s { print $6 }' "$H/MANIFEST.tsv")
  [[ -n $trust && $trust != - ]] || fail "$sample: no trust anchors in the manifest"
  expect_exit 0 "$TS" scan -q --format json -o "$WORK/report.json" --fail-on none --verify-time 2026-01-01 \
    --data-dir "$WORK/no-data" --trust-store "$H/trust/$trust" "$@" "$H/$sample"
  validate_json "$WORK/report.json"
}

# expect STATUS FLAGS [ERROR]: every embedded signature of the report's one file has STATUS and
# exactly FLAGS (comma-separated, revocation_not_checked left out), and one of its errors contains
# ERROR; the file's code_signature (ECS) agrees with the primary one.
expect() {
  $PY - "$WORK/report.json" "$@" <<'PY' || fail "$(cat "$WORK/report.json" | head -c 4000)"
import json, sys
doc = json.load(open(sys.argv[1]))
status, flags = sys.argv[2], set(filter(None, sys.argv[3].split(",")))
error = sys.argv[4] if len(sys.argv) > 4 else None
(f,) = doc["files"]
sigs = f["trustscan"]["authenticode"]["signatures"]
assert sigs, "no signature"
for s in sigs:
    got = set(s["flags"]) - {"revocation_not_checked"}
    assert s["status"] == status and got == flags, (s["status"], sorted(got), s.get("errors"))
    assert error is None or any(error in e for e in s.get("errors", [])), (error, s.get("errors"))
cs = f["file"]["code_signature"]
assert cs["status"] == status and cs["trusted"] == (status == "valid"), cs
PY
}

case $NAME in
trailing_data)
  # 4096 bytes appended after the certificate table: outside every hashed range, so not valid.
  scan c/contoso-signed.sys
  expect valid ""
  scan i/trailing-data.sys
  expect invalid trailing_data "4096 bytes after the certificate table"
  scan i/trailing-data.sys --strict-padding
  expect invalid trailing_data ;;
certificate_padding)
  # 512 bytes inside the WIN_CERTIFICATE (CVE-2013-3900): flagged; invalid only with --strict-padding.
  scan c/contoso-signed.sys --strict-padding
  expect valid ""
  scan i/cert-padding.sys
  expect valid certificate_padding "certificate padding"
  scan i/cert-padding.sys --strict-padding
  expect invalid certificate_padding "certificate padding" ;;
ca_eku)
  # A code-signing leaf under an intermediate whose EKUs are serverAuth only is not valid; an
  # intermediate with codeSigning, or with no EKU extension, does not restrict.
  scan j/intermediate-serverauth.sys
  expect invalid no_code_signing_eku "has extended key usages without code-signing"
  scan j/intermediate-codesign.sys
  expect valid ""
  scan j/intermediate-noeku.sys
  expect valid "" ;;
*)
  fail "unknown test $NAME" ;;
esac
