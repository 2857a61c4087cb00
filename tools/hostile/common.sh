# shellcheck shell=bash
# Helpers of tools/make_hostile_samples.sh (sourced; functions only). They use the variables the
# main script sets: OUT (output directory), WORK (scratch), K (keys and certificates), CA (the
# `openssl ca` database), TOOLS, SRC (samples/src), HOSTILE (tools/hostile), MINGW_PREFIX,
# PYTHON (/usr/bin/python3: python3-hivex is a Debian package).

die() { echo "make_hostile_samples: error: $*" >&2; exit 1; }

# ---------------------------------------------------------------- certificates
S2020=20200101000000Z
E2040=20400101000000Z

# cert NAME SUBJECT ISSUER EXTENSIONS [START [END]]: K/NAME.{key,pem} (tools/lib/test_ca.sh issue_cert).
cert() {
    issue_cert "$CA" "$K" "$1" "$2" "$3" "$4" "${5:-$S2020}" "${6:-$E2040}"
}

# keys NAME...: make the RSA keys K/NAME.key that do not exist yet, two at a time (key generation
# is most of the PKI's cost).
keys() {
    local name
    for name in "$@"; do [[ -f $K/$name.key ]] || echo "$K/$name.key"; done |
        xargs -r -P 2 -I{} openssl genpkey -quiet -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out {}
}

# der NAME: K/NAME.pem in DER form, K/NAME.der.
der() { openssl x509 -in "$K/$1.pem" -outform DER -out "$K/$1.der"; }

# ---------------------------------------------------------------- binaries
# driver OUT BANNER [extra compiler/linker arguments...]: a native-subsystem driver importing
# DbgPrint from ntoskrnl.exe (samples/src/hostile_driver.c; tools/lib/mingw_driver.sh), unsigned.
driver() {
    mingw_driver "$1" "$SRC/hostile_driver.c" "$2" "${@:3}" "$WORK/libntoskrnl.a"
}

# wide_literal TEXT: TEXT as a windres wide-string literal (tools/hostile/text.py).
wide_literal() { "$PYTHON" "$HOSTILE/text.py" wide "$1"; }

# version_resource OBJ WIDE_LITERAL ORIGINAL_FILENAME: a COFF object with a VS_VERSIONINFO whose
# only vendor claim is CompanyName = WIDE_LITERAL (a windres L"..." literal: any Unicode, stored
# as UTF-16 in the resource).
version_resource() {
    local obj=$1 rc=$1.rc
    cat >"$rc" <<EOF
#define VI_COMPANY            $2
#define VI_PRODUCT            "Kernel Event Helper"
#define VI_DESCRIPTION        "Kernel event helper driver"
#define VI_ORIGINAL_FILENAME  "$3"
#define VI_COPYRIGHT          "All rights reserved."
#define VI_FILEVERSION_STR    "2.4.1.7"
#define VI_FILEVERSION_BIN    2,4,1,7
#define VI_FILETYPE           0x3L  /* VFT_DRV */
#define VI_FILESUBTYPE        0x7L  /* VFT2_DRV_SYSTEM */
#include "versioninfo.rci"
EOF
    "${MINGW_PREFIX}windres" -I "$SRC" -O coff -i "$rc" -o "$obj"
}

# sign CERT IN OUT [osslsigncode options...]: an SHA-256 Authenticode signature by K/CERT.
sign() {
    local cert=$1 in=$2 out=$3
    shift 3
    osslsigncode sign -certs "$K/$cert.pem" -key "$K/$cert.key" -h sha256 "$@" -in "$in" -out "$out" \
        >"$WORK/sign.log" 2>&1 || die "osslsigncode ($cert, $in): $(cat "$WORK/sign.log")"
}

# nest_decoys IN OUT COUNT: IN with COUNT more signatures appended with -nest, one by each of the
# self-signed "Microsoft Corporation" decoy certificates decoy-1 .. decoy-COUNT.
nest_decoys() {
    local in=$1 out=$2 count=$3 i
    cp "$in" "$WORK/nest-0"
    for ((i = 1; i <= count; i++)); do
        sign "decoy-$i" "$WORK/nest-$((i - 1))" "$WORK/nest-$i" -nest
    done
    mv "$WORK/nest-$count" "$out"
    rm -f "$WORK"/nest-*
}

# ---------------------------------------------------------------- catalogs and images
CATROOT_GUID="{F750E6C3-38EE-11D1-85E5-00C04FC295EE}"
# shellcheck disable=SC2034  # used by issue15.sh and issue16.sh
DRIVERS=Windows/System32/drivers

# catalog SIGNER CHAIN OUT FILE...: a catalog listing the Authenticode hashes (SHA-1 and SHA-256,
# tools/authentihash.py) of each FILE, signed by K/SIGNER with the PEM file CHAIN ("-": none).
catalog() {
    local signer=$1 chain=$2 out=$3 f sha256 sha1 specs=()
    shift 3
    for f in "$@"; do
        read -r sha256 sha1 _ < <("$PYTHON" "$TOOLS/authentihash.py" "$f")
        [[ ${#sha256} -eq 64 ]] || die "no Authenticode hash for $f"
        specs+=("$sha1:$sha256:${f##*/}")
    done
    "$PYTHON" "$TOOLS/make_catalog.py" ctl "$WORK/catalog.ctl" "${specs[@]}"
    sign_catalog "$K/$signer.pem" "$K/$signer.key" "$chain" "$WORK/catalog.ctl" "$out"
}

# windows_image DIR SPEC_JSON: the skeleton of an offline Windows installation at DIR,
# Windows/System32/{config,drivers,CatRoot/{GUID}}, with the SYSTEM and SOFTWARE hives
# tools/make_test_hive.py --spec writes for SPEC_JSON.
windows_image() {
    local w=$1/Windows/System32
    mkdir -p "$w/config" "$w/drivers" "$w/CatRoot/$CATROOT_GUID"
    "$PYTHON" "$TOOLS/make_test_hive.py" "$w/config" --spec "$2"
}

# service_spec OUT NAME TYPE START IMAGE_PATH [CERTIFICATES_JSON]: a --spec file with one service
# (and the certificate-store entries CERTIFICATES_JSON, a JSON list, default []).
service_spec() {
    "$PYTHON" -c '
import json, sys
out, name, typ, start, path, certs = sys.argv[1:7]
json.dump({"computer_name": "HOSTILE-PC",
           "services": [{"name": name, "type": int(typ), "start": int(start), "image_path": path}],
           "certificates": json.loads(certs)}, open(out, "w"), indent=1)' "$1" "$2" "$3" "$4" "$5" "${6:-[]}"
}

# ---------------------------------------------------------------- manifest
MANIFEST_ROWS=()

# add_row SAMPLE ROOT CLASS REAL CLAIMED TRUST CHECK EXPECTED  (environment: ROW_OPTIONS)
#   SAMPLE: the file the row is about, relative to OUT; ROOT: what to scan ("-": SAMPLE itself);
#   REAL/CLAIMED: the intended truth; TRUST: comma-separated trust/ subdirectories to pass with
#   --trust-store ("-": none); ROW_OPTIONS: further trustscan options the row needs (e.g.
#   --flag-country CN); CHECK: the property check of tools/check_hostile_samples.sh (a function
#   name and its arguments); EXPECTED: the verdict the fixed trustscan should give, in words.
add_row() {
    [[ -e $OUT/$1 ]] || die "internal: sample $1 was not produced"
    [[ $2 == - || -e $OUT/$2 ]] || die "internal: root $2 was not produced"
    local IFS=$'\t' fields=("$@")
    MANIFEST_ROWS+=("${fields[*]:0:6}"$'\t'"${ROW_OPTIONS:--}"$'\t'"${fields[*]:6}")
}
