#!/usr/bin/env bash
# make_catalog_samples.sh OUTDIR
#
# Builds the Windows catalog (.cat) test samples (issue 6) at test time, from a mingw C compiler,
# openssl and python3 (standard library only, tools/make_catalog.py):
#
#   OUTDIR/ca/root.pem          throw-away test root: load it as the only trust anchor
#   OUTDIR/driver.sys           tiny mingw-built kernel driver, unsigned (listed in driver.cat)
#   OUTDIR/other.sys            another driver, listed in no catalog
#   OUTDIR/signed-both.sys      a driver with an embedded signature (catalog signer) that both.cat lists too
#   OUTDIR/hashes.txt           "<sha256>  <sha1>  <path>" of both (tools/authentihash.py)
#   OUTDIR/driver.cat           catalog listing driver.sys (SHA-1 + SHA-256 members)   -> valid
#   OUTDIR/driver-tampered.cat  driver.cat with one byte of a member's file name flipped -> invalid
#   OUTDIR/cms-form.p7          driver.cat as openssl cms writes it (CTL bytes in an OCTET STRING)
#   OUTDIR/big.cat              5,000 generated members (+ the driver)                  -> valid
#
# Timestamped catalogs (driver.cat's CTL re-signed by osslsigncode, as signtool signs a catalog:
# PKCS#7 version 1, signingTime, SpcStatementType) whose signer expired on 2021-01-01, with
# timestamps of 2020-06-01 by a test TSA under the same root:
#
#   OUTDIR/driver-ts.cat        RFC 3161 token (osslsigncode's built-in TSA)             -> valid at the timestamp
#   OUTDIR/driver-ts-bad.cat    driver-ts.cat's genuine token moved onto another signature of the same
#                               signer (signingTime 2020-06-02): imprint mismatch        -> invalid: expired, bad_timestamp
#   OUTDIR/driver-ts-pkcs9.cat  legacy PKCS#9 countersignature (tools/make_catalog.py)   -> valid at the timestamp
#
# Catalogs are written the way Windows stores them: the CTL directly as the SignedData content
# (see /work/shared/research/windows-catalogs.md). Signer certificates are valid 2020..2040
# (the expired one 2020..2021); tests use a fixed "now" of 2026-01-01.
#
# Exit status: 0 on success, 77 if a required tool is missing, 1 on failure, 2 on usage errors.
set -euo pipefail

usage() { echo "usage: $0 OUTDIR" >&2; exit 2; }
[[ $# -eq 1 && -n $1 && $1 != -* ]] || usage
OUT=$1
TOOLS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# shellcheck source=lib/test_ca.sh
source "$TOOLS/lib/test_ca.sh"
need_tools make_catalog_samples x86_64-w64-mingw32-gcc openssl python3 osslsigncode

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$OUT/ca"
rm -f "$OUT"/*.cat "$OUT"/*.sys

make_ca_config "$WORK/ca"
# issue NAME SUBJECT ISSUER EXTENSIONS START END: WORK/NAME.{key,pem} (tools/lib/test_ca.sh issue_cert).
issue() { issue_cert "$WORK/ca" "$WORK" "$@"; }
issue root "/C=XX/O=trustscan tests/CN=trustscan Catalog Test Root" self v3_root 20200101000000Z 20450101000000Z
issue signer "/C=XX/O=trustscan tests/CN=trustscan Catalog Signer" root v3_codesign 20200101000000Z 20400101000000Z
cp "$WORK/root.pem" "$OUT/ca/root.pem"

# -------------------------------------------------------------------- drivers
cat >"$WORK/driver.c" <<'EOF'
long DriverEntry(void* driver, void* registry) { (void)driver; (void)registry; return 0; }
EOF
cat >"$WORK/other.c" <<'EOF'
long DriverEntry(void* driver, void* registry) { (void)driver; (void)registry; return 1; }
EOF
# shellcheck disable=SC2054  # -Wl,... are single arguments
KFLAGS=(-Os -s -Wl,--no-insert-timestamp -ffreestanding -nostdlib -fno-stack-protector
        -mno-stack-arg-probe -Wl,--subsystem,native -Wl,--entry,DriverEntry -shared)
x86_64-w64-mingw32-gcc "${KFLAGS[@]}" -o "$OUT/driver.sys" "$WORK/driver.c"
x86_64-w64-mingw32-gcc "${KFLAGS[@]}" -o "$OUT/other.sys" "$WORK/other.c"
python3 "$TOOLS/authentihash.py" "$OUT/driver.sys" "$OUT/other.sys" >"$OUT/hashes.txt"
read -r SHA256 SHA1 _ < <(head -1 "$OUT/hashes.txt")
[[ ${#SHA256} -eq 64 && ${#SHA1} -eq 40 ]] || { echo "make_catalog_samples: no authentihash" >&2; exit 1; }

# -------------------------------------------------------------------- catalogs
# catalog CONTENTS OUT.cat [CMS_COPY]: CMS SignedData over the CTL contents octets by the signer,
# the root in its certificate bag, then the Windows form (tools/lib/test_ca.sh sign_catalog).
catalog() {
    sign_catalog "$WORK/signer.pem" "$WORK/signer.key" "$WORK/root.pem" "$@"
}

python3 "$TOOLS/make_catalog.py" ctl "$WORK/driver.ctl" "$SHA1:$SHA256:driver.sys"
catalog "$WORK/driver.ctl" "$OUT/driver.cat" "$OUT/cms-form.p7"
python3 "$TOOLS/make_catalog.py" tamper "$OUT/driver.cat" "$OUT/driver-tampered.cat" driver.sys
python3 "$TOOLS/make_catalog.py" ctl "$WORK/big.ctl" "$SHA1:$SHA256:driver.sys" --random 5000
catalog "$WORK/big.ctl" "$OUT/big.cat"

# -------------------------------------------------------------------- timestamped catalogs
# Issued after the certificates above (serial numbers of the existing samples do not move).
issue expired "/C=XX/O=trustscan tests/CN=trustscan Expired Catalog Signer" root v3_codesign \
    20200101000000Z 20210101000000Z
issue tsa "/C=XX/O=trustscan tests/CN=trustscan Catalog Test TSA" root v3_tsa \
    20200101000000Z 20400101000000Z
cat "$WORK/tsa.pem" "$WORK/root.pem" >"$WORK/tsa-chain.pem"

TS_TIME=1590969600  # 2020-06-01T00:00:00Z, inside the expired signer's validity
# resign_catalog OUT.cat SIGNING_TIME [osslsigncode options...]: driver.cat's CTL, new signature.
resign_catalog() {
    local out=$1 when=$2
    shift 2
    osslsigncode sign -certs "$WORK/expired.pem" -key "$WORK/expired.key" -ac "$WORK/root.pem" \
        -h sha256 -time "$when" "$@" -in "$OUT/driver.cat" -out "$out" >/dev/null
}
resign_catalog "$OUT/driver-ts.cat" "$TS_TIME" \
    -TSA-certs "$WORK/tsa-chain.pem" -TSA-key "$WORK/tsa.key" -TSA-time "$TS_TIME"
resign_catalog "$WORK/other-signature.cat" $((TS_TIME + 86400))
python3 "$TOOLS/make_catalog.py" move-unauth "$OUT/driver-ts.cat" "$WORK/other-signature.cat" \
    "$OUT/driver-ts-bad.cat"
resign_catalog "$WORK/untimestamped.cat" "$TS_TIME"
python3 "$TOOLS/make_catalog.py" countersign "$WORK/untimestamped.cat" "$WORK/tsa.pem" \
    "$WORK/tsa.key" 200601000000Z "$OUT/driver-ts-pkcs9.cat"

# The Windows form must still be readable by OpenSSL's PKCS#7 parser.
for cat in driver driver-ts driver-ts-bad driver-ts-pkcs9; do
    openssl pkcs7 -inform DER -in "$OUT/$cat.cat" -noout
done
# Cross-check the timestamped ones with osslsigncode itself (it verifies RFC 3161 tokens and
# PKCS#9 countersignatures and then checks the chain at the timestamp time).
osslcheck() {
    osslsigncode verify -CAfile "$OUT/ca/root.pem" -TSA-CAfile "$OUT/ca/root.pem" -ignore-crl \
        -in "$OUT/$1" >"$WORK/verify.log" 2>&1
}
for good in driver-ts.cat driver-ts-pkcs9.cat; do
    osslcheck "$good" || { cat "$WORK/verify.log" >&2; echo "make_catalog_samples: $good does not verify" >&2; exit 1; }
done
if osslcheck driver-ts-bad.cat || ! grep -q "Timestamp Server Signature verification: failed" "$WORK/verify.log"; then
    cat "$WORK/verify.log" >&2
    echo "make_catalog_samples: driver-ts-bad.cat: its timestamp does not fail as it should" >&2
    exit 1
fi
# A driver signed both ways: an embedded Authenticode signature by the catalog signer, and listed
# in both.cat (Windows checks either; trustscan must report both).
cat >"$WORK/both.c" <<'EOF2'
long DriverEntry(void* driver, void* registry) { (void)driver; (void)registry; return 2; }
EOF2
x86_64-w64-mingw32-gcc "${KFLAGS[@]}" -o "$WORK/both-unsigned.sys" "$WORK/both.c"
osslsigncode sign -certs "$WORK/signer.pem" -key "$WORK/signer.key" -ac "$WORK/root.pem" -h sha256 \
    -in "$WORK/both-unsigned.sys" -out "$OUT/signed-both.sys" >/dev/null
read -r B256 B1 _ < <(python3 "$TOOLS/authentihash.py" "$OUT/signed-both.sys")
python3 "$TOOLS/make_catalog.py" ctl "$WORK/both.ctl" "$B1:$B256:signed-both.sys"
catalog "$WORK/both.ctl" "$OUT/both.cat"
echo "make_catalog_samples: catalogs in $OUT"
