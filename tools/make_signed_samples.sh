#!/usr/bin/env bash
# make_signed_samples.sh OUTDIR
#
# Builds the Authenticode test samples (issue 3) at test time, from nothing but a C compiler for
# Windows (x86_64-w64-mingw32-gcc), openssl and osslsigncode (>= 2.4 for the built-in TSA):
#
#   OUTDIR/ca/root.pem                     throw-away test root: load it as the only trust anchor
#   OUTDIR/unsigned.exe                    tiny PE, no certificate table             -> unsigned
#   OUTDIR/signed-sha256.exe               SHA-256 signature, program name + URL     -> valid
#   OUTDIR/signed-sha1-nested-sha256.exe   SHA-1 primary + nested SHA-256 (-nest)    -> valid, 2 signatures
#   OUTDIR/signed-timestamped.exe          SHA-256 + RFC 3161 token (built-in TSA)   -> valid, time = timestamp
#   OUTDIR/signed-expired-timestamped.exe  signer expired in 2022, timestamped 2021  -> valid
#   OUTDIR/signed-expired.exe              signer expired in 2022, no timestamp      -> invalid: expired
#   OUTDIR/signed-untrusted-ca.exe         chain ends at a CA not in ca/             -> untrusted: untrusted_root
#   OUTDIR/signed-no-codesign-eku.exe      signer certificate only allows serverAuth -> invalid: no_code_signing_eku
#   OUTDIR/signed-tampered-byte.exe        one byte flipped inside .text             -> invalid: bad_digest
#   OUTDIR/signed-garbage-table.exe        WIN_CERTIFICATE payload overwritten       -> malformed
#   OUTDIR/signed-truncated.exe            file cut inside the certificate table     -> malformed
#   OUTDIR/signed-revoked.exe              signer listed in crl/test-root.crl        -> invalid: revoked
#                                          (with --crl-dir OUTDIR/crl; without it only revocation_not_checked)
#   OUTDIR/crl/test-root.crl               CRL of the test root, valid 2020..2045, revoking that signer
#
# Validity dates are set explicitly with `openssl ca -startdate/-enddate` (no faketime), so the
# samples verify the same way on any day: tests use a fixed "now" of 2026-01-01.
# Every key and certificate is new on each run; nothing here is secret.
#
# Exit status: 0 on success, 77 if a required tool is missing (CTest can map it to "skipped"),
# 1 on any other failure, 2 on usage errors.
set -euo pipefail

usage() { echo "usage: $0 OUTDIR" >&2; exit 2; }
[[ $# -eq 1 && -n $1 && $1 != -* ]] || usage
OUT=$1

# shellcheck source=lib/test_ca.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/test_ca.sh"
need_tools make_signed_samples x86_64-w64-mingw32-gcc openssl osslsigncode od dd

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$OUT/ca"
rm -f "$OUT"/*.exe "$OUT"/crl/*

# -------------------------------------------------------------------- certificate authority
# make_ca_config DIR [FIRST_SERIAL], issue_cert CADIR DIR NAME SUBJECT ISSUER EXTENSIONS START END:
# see tools/lib/test_ca.sh.

# issue CADIR NAME SUBJECT ISSUER EXTENSIONS START END: WORK/NAME.{key,pem}.
issue() { issue_cert "$1" "$WORK" "${@:2}"; }

make_ca_config "$WORK/ca"
make_ca_config "$WORK/other-ca"

issue "$WORK/ca" root "/C=XX/O=trustscan tests/CN=trustscan Test Root CA" self v3_root 20200101000000Z 20450101000000Z
issue "$WORK/ca" signer "/C=XX/O=trustscan tests/CN=trustscan Test Code Signer" root v3_codesign \
    20200101000000Z 20400101000000Z
issue "$WORK/ca" expired "/C=XX/O=trustscan tests/CN=trustscan Expired Code Signer" root v3_codesign \
    20210101000000Z 20220101000000Z
issue "$WORK/ca" tsa "/C=XX/O=trustscan tests/CN=trustscan Test TSA" root v3_tsa 20200101000000Z 20400101000000Z
issue "$WORK/ca" server "/C=XX/O=trustscan tests/CN=trustscan TLS Server" root v3_server 20200101000000Z 20400101000000Z
issue "$WORK/ca" revoked "/C=XX/O=trustscan tests/CN=trustscan Revoked Code Signer" root v3_codesign \
    20200101000000Z 20400101000000Z
issue "$WORK/other-ca" other-root "/C=XX/O=somebody else/CN=trustscan Untrusted Root CA" self v3_root \
    20200101000000Z 20450101000000Z
issue "$WORK/other-ca" other-signer "/C=XX/O=somebody else/CN=trustscan Untrusted Code Signer" other-root v3_codesign \
    20200101000000Z 20400101000000Z

cp "$WORK/root.pem" "$OUT/ca/root.pem"
mkdir -p "$OUT/crl"
openssl ca -batch -config "$WORK/ca/ca.cnf" -cert "$WORK/root.pem" -keyfile "$WORK/root.key" \
    -revoke "$WORK/revoked.pem" 2>/dev/null
openssl ca -batch -config "$WORK/ca/ca.cnf" -cert "$WORK/root.pem" -keyfile "$WORK/root.key" -gencrl \
    -crl_lastupdate 20200101000000Z -crl_nextupdate 20450101000000Z -out "$OUT/crl/test-root.crl" 2>/dev/null
cat "$WORK/tsa.pem" "$WORK/root.pem" >"$WORK/tsa-chain.pem"

# -------------------------------------------------------------------- input PE
cat >"$WORK/hello.c" <<'EOF'
#include <stdio.h>
int main(void) { puts("hello from a trustscan test sample"); return 0; }
EOF
x86_64-w64-mingw32-gcc -O2 -s -Wl,--no-insert-timestamp -o "$OUT/unsigned.exe" "$WORK/hello.c"

# -------------------------------------------------------------------- signing
# sign CERTNAME OUT.exe [extra osslsigncode options...]
sign() {
    local cert=$1 out=$2
    shift 2
    osslsigncode sign -certs "$WORK/$cert.pem" -key "$WORK/$cert.key" \
        -n "trustscan sample" -i "https://example.invalid/trustscan" "$@" -out "$out" >/dev/null
}
TSA=(-TSA-certs "$WORK/tsa-chain.pem" -TSA-key "$WORK/tsa.key")

sign signer "$OUT/signed-sha256.exe" -h sha256 -in "$OUT/unsigned.exe"
sign signer "$WORK/signed-sha1.exe" -h sha1 -in "$OUT/unsigned.exe"
sign signer "$OUT/signed-sha1-nested-sha256.exe" -h sha256 -nest -in "$WORK/signed-sha1.exe"
# 2025-06-01: inside every validity period except the expired signer's.
sign signer "$OUT/signed-timestamped.exe" -h sha256 "${TSA[@]}" -TSA-time 1748736000 -in "$OUT/unsigned.exe"
# 2021-07-01: while the expired signer was still valid.
sign expired "$OUT/signed-expired-timestamped.exe" -h sha256 "${TSA[@]}" -TSA-time 1625097600 \
    -in "$OUT/unsigned.exe"
sign expired "$OUT/signed-expired.exe" -h sha256 -in "$OUT/unsigned.exe"
sign other-signer "$OUT/signed-untrusted-ca.exe" -h sha256 -in "$OUT/unsigned.exe"
sign server "$OUT/signed-no-codesign-eku.exe" -h sha256 -in "$OUT/unsigned.exe"
sign revoked "$OUT/signed-revoked.exe" -h sha256 -in "$OUT/unsigned.exe"

# -------------------------------------------------------------------- damaged copies
u32() { od -An -tu4 -j "$2" -N4 "$1" | tr -d ' '; }
u16() { od -An -tu2 -j "$2" -N2 "$1" | tr -d ' '; }
pe_off=$(u32 "$OUT/signed-sha256.exe" 60)
magic=$(u16 "$OUT/signed-sha256.exe" $((pe_off + 24)))
if [[ $magic == 523 ]]; then dirs=$((pe_off + 24 + 112)); else dirs=$((pe_off + 24 + 96)); fi
cert_off=$(u32 "$OUT/signed-sha256.exe" $((dirs + 32)))
cert_size=$(u32 "$OUT/signed-sha256.exe" $((dirs + 36)))
hdr_size=$(u32 "$OUT/signed-sha256.exe" $((pe_off + 24 + 60)))  # SizeOfHeaders = start of .text

# One byte inside the first section (code), well inside the signed range.
cp "$OUT/signed-sha256.exe" "$OUT/signed-tampered-byte.exe"
flip_at=$((hdr_size + 0x10))
old=$(od -An -tu1 -j "$flip_at" -N1 "$OUT/signed-tampered-byte.exe" | tr -d ' ')
printf "$(printf '\\%03o' $((old ^ 0xFF)))" |
    dd of="$OUT/signed-tampered-byte.exe" bs=1 seek="$flip_at" conv=notrunc status=none

# Keep the 8-byte WIN_CERTIFICATE header, replace the PKCS#7 payload by 0x5A bytes.
cp "$OUT/signed-sha256.exe" "$OUT/signed-garbage-table.exe"
head -c $((cert_size - 8)) /dev/zero | tr '\0' 'Z' |
    dd of="$OUT/signed-garbage-table.exe" bs=1 seek=$((cert_off + 8)) conv=notrunc status=none

# Cut the file in the middle of the certificate table.
head -c $((cert_off + cert_size / 2)) "$OUT/signed-sha256.exe" >"$OUT/signed-truncated.exe"

echo "make_signed_samples: $(ls "$OUT"/*.exe | wc -l) samples in $OUT"
