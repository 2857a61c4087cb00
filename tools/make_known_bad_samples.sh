#!/usr/bin/env bash
# make_known_bad_samples.sh OUTDIR
#
# Builds the samples of the known-bad driver tests (issue 17) at test time, from mingw-w64,
# openssl and osslsigncode: small kernel drivers that a test feed then names by each kind of key.
#
#   OUTDIR/trust/root.pem          throw-away test root (sha256WithRSA): the only trust anchor
#   OUTDIR/ca/root.pem             the same
#   OUTDIR/ca/driver-ca.pem        intermediate "trustscan Test Driver CA", signed by the root
#                                  with sha384WithRSA (so its TBS hash is a SHA-384)
#   OUTDIR/ca/publisher.pem        leaf "trustscan Test Driver Publisher", signed by the
#                                  intermediate with sha256WithRSA
#   OUTDIR/ca/{root,driver-ca,publisher}.tbs
#                                  "ALGORITHM HEX": the certificate's TBS hash as Windows
#                                  Defender Application Control computes it (digest of the DER
#                                  tbsCertificate with the hash of the certificate's signature
#                                  algorithm), computed here with `openssl asn1parse` and
#                                  `openssl dgst`, independently of trustscan
#   OUTDIR/kbdrv-1.2.3.4.sys       driver, OriginalFilename/InternalName "kbdrv.sys",
#                                  FILEVERSION 1.2.3.4, signed by the publisher (chain: driver CA)
#   OUTDIR/kbdrv-1.2.5.0.sys       the same driver at FILEVERSION 1.2.5.0, signed the same way
#   OUTDIR/kbdrv-unsigned.sys      kbdrv 1.2.3.4 unsigned
#   OUTDIR/other-unsigned.sys      another driver (OriginalFilename "otherdrv.sys", 9.9.9.9)
#   OUTDIR/page-hashes/kbdrv-{sha1,sha256}.sys
#                                  kbdrv 1.2.3.4 signed with page hashes (osslsigncode -ph)
#   OUTDIR/page-hashes/kbdrv-{sha1,sha256}.txt
#                                  the start of its page-hash table as `osslsigncode verify`
#                                  prints it: offset 0 (00000000), then the first page's hash
#                                  (shown cut after 32 bytes of the table)
#
# Every key and certificate is new on each run (the tests read the hashes from these files);
# nothing here is secret. Exit status: 0 on success, 77 if a required tool is missing, 1 on any
# other failure, 2 on usage errors.
set -euo pipefail

usage() { echo "usage: $0 OUTDIR" >&2; exit 2; }
[[ $# -eq 1 && -n $1 && $1 != -* ]] || usage
OUT=$1

MINGW_PREFIX=${MINGW_PREFIX:-x86_64-w64-mingw32-}
# shellcheck source=lib/test_ca.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/test_ca.sh"
need_tools make_known_bad_samples "${MINGW_PREFIX}gcc" "${MINGW_PREFIX}windres" "${MINGW_PREFIX}dlltool" openssl osslsigncode

SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../samples/src" && pwd)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$OUT/ca" "$OUT/trust" "$OUT/page-hashes"
rm -f "$OUT"/*.sys "$OUT"/ca/* "$OUT"/trust/* "$OUT"/page-hashes/*
export LC_ALL=C SOURCE_DATE_EPOCH=0

# -------------------------------------------------------------------- certificate authority
make_ca_config "$WORK/ca"

# issue NAME SUBJECT ISSUER EXTENSIONS DIGEST: WORK/NAME.{key,pem}, copied to OUT/ca.
issue() {
    issue_cert "$WORK/ca" "$WORK" "$1" "$2" "$3" "$4" 20200101000000Z 20450101000000Z "$5"
    cp "$WORK/$1.pem" "$OUT/ca/$1.pem"
}

issue root "/C=XX/O=trustscan tests/CN=trustscan Known-Bad Test Root" self v3_root sha256
issue driver-ca "/C=XX/O=trustscan tests/CN=trustscan Test Driver CA" root v3_intermediate sha384
issue publisher "/C=XX/O=trustscan tests/CN=trustscan Test Driver Publisher" driver-ca v3_codesign sha256
cp "$WORK/root.pem" "$OUT/trust/root.pem"

# tbs_hash NAME ALGORITHM: the digest of the tbsCertificate, the certificate's second DER item
# (`openssl asn1parse` prints "offset:d=1 hl=H l=L" for it).
tbs_hash() {
    local name=$1 md=$2 der=$WORK/$1.der line offset header length
    openssl x509 -in "$WORK/$name.pem" -outform DER -out "$der"
    line=$(openssl asn1parse -inform DER -in "$der" | sed -n '2p')
    [[ $line =~ ^[[:space:]]*([0-9]+):d=1[[:space:]]+hl=([0-9]+)[[:space:]]+l=[[:space:]]*([0-9]+)[[:space:]]+cons:[[:space:]]+SEQUENCE ]] ||
        { echo "make_known_bad_samples: unexpected asn1parse line '$line'" >&2; exit 1; }
    offset=${BASH_REMATCH[1]} header=${BASH_REMATCH[2]} length=${BASH_REMATCH[3]}
    tail -c +$((offset + 1)) "$der" | head -c $((header + length)) >"$WORK/$name.tbs.der"
    printf '%s %s\n' "$md" "$(openssl dgst "-$md" -r "$WORK/$name.tbs.der" | cut -d' ' -f1)" >"$OUT/ca/$name.tbs"
}
tbs_hash root sha256
tbs_hash driver-ca sha384
tbs_hash publisher sha256

# -------------------------------------------------------------------- drivers
# shellcheck source=lib/mingw_driver.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/mingw_driver.sh"
"${MINGW_PREFIX}dlltool" -d "$SRC/ntoskrnl.def" -l "$WORK/libntoskrnl.a"
"${MINGW_PREFIX}dlltool" -d "$SRC/hal.def" -l "$WORK/libhal.a"

# driver OUT ORIGINAL_FILENAME FILEVERSION(a,b,c,d)
driver() {
    local out=$1 name=$2 version=$3
    cat >"$WORK/version.rc" <<EOF
#define VI_COMPANY            "trustscan tests"
#define VI_PRODUCT            "trustscan known-bad test driver"
#define VI_DESCRIPTION        "A driver that a test feed lists"
#define VI_ORIGINAL_FILENAME  "$name"
#define VI_COPYRIGHT          "nobody"
#define VI_FILEVERSION_STR    "${version//,/.}"
#define VI_FILEVERSION_BIN    $version
#define VI_FILETYPE           0x3L
#define VI_FILESUBTYPE        0x7L
#include "versioninfo.rci"
EOF
    "${MINGW_PREFIX}windres" -I "$SRC" -O coff -i "$WORK/version.rc" -o "$WORK/version.res.o"
    mingw_driver "$out" "$SRC/pe_driver.c" "$name" "$WORK/version.res.o" "$WORK/libntoskrnl.a" "$WORK/libhal.a"
}

# sign IN OUT [osslsigncode options]
sign() {
    local in=$1 out=$2
    shift 2
    osslsigncode sign -certs "$WORK/chain.pem" -key "$WORK/publisher.key" -h sha256 \
        -n "trustscan known-bad test" "$@" -in "$in" -out "$out" >/dev/null
}
cat "$WORK/publisher.pem" "$WORK/driver-ca.pem" >"$WORK/chain.pem"

driver "$OUT/kbdrv-unsigned.sys" kbdrv.sys 1,2,3,4
sign "$OUT/kbdrv-unsigned.sys" "$OUT/kbdrv-1.2.3.4.sys"
driver "$WORK/kbdrv-1.2.5.0.sys" kbdrv.sys 1,2,5,0
sign "$WORK/kbdrv-1.2.5.0.sys" "$OUT/kbdrv-1.2.5.0.sys"
driver "$OUT/other-unsigned.sys" otherdrv.sys 9,9,9,9
for md in sha1 sha256; do
    sign "$OUT/kbdrv-unsigned.sys" "$OUT/page-hashes/kbdrv-$md.sys" -h "$md" -ph
    osslsigncode verify -CAfile "$OUT/trust/root.pem" -in "$OUT/page-hashes/kbdrv-$md.sys" 2>/dev/null |
        sed -n 's/^Page hash[[:space:]]*: \([0-9A-F]*\).*/\1/p' >"$OUT/page-hashes/kbdrv-$md.txt"
    grep -q '^00000000[0-9A-F]\{40,\}$' "$OUT/page-hashes/kbdrv-$md.txt" ||
        { echo "make_known_bad_samples: no page hash table in kbdrv-$md.sys" >&2; exit 1; }
done

echo "make_known_bad_samples: $(ls "$OUT"/*.sys | wc -l) drivers in $OUT"
