#!/usr/bin/env bash
# make_vendor_image.sh OUTDIR
#
# Builds, at test time, a small offline "Windows image" for the vendor-attribution and policy
# tests (issue 5, acceptance 1), from nothing but mingw-w64, openssl and osslsigncode:
#
#   OUTDIR/vendor-image-ca/root.pem      throw-away test root: pass it with --trust-store
#   OUTDIR/vendor-image/                 the image (paths below are relative to it)
#
#   Windows/System32/drivers/klif.sys             kernel driver signed "AO Kaspersky Lab" (C=RU)
#                                                 -> finding: kaspersky, RU
#   Windows/System32/drivers/360fsflt.sys         kernel driver signed "Qihoo 360 Software (Beijing)
#                                                 Company Limited" (C=CN)
#                                                 -> qihoo-360, CN: no finding by default,
#                                                    a finding with --flag-country CN
#   Windows/System32/drivers/SentinelMonitor.sys  kernel driver signed "SentinelOne Inc." (C=US)
#                                                 -> sentinelone, US: never a finding by default
#   Windows/System32/drivers/oemhwflt.sys         attestation-style driver: primary signer
#                                                 "Microsoft Windows Hardware Compatibility
#                                                 Publisher", nested (-nest) signer "AO Kaspersky Lab"
#                                                 -> finding: kaspersky via the nested signature
#   Windows/System32/drivers/oemavflt.sys         unsigned kernel driver, no version resource, a
#                                                 neutral name; its only clue is two Kaspersky Scan
#                                                 Engine SDK tokens compiled in as data (rule
#                                                 Kaspersky_ScanEngineSdk) -> finding, evidence `rule`
#   Program Files/Kaspersky Lab/avp.exe           user-mode exe signed "AO Kaspersky Lab"
#   Program Files/Kaspersky Lab/avpui.dll         user-mode dll signed "AO Kaspersky Lab"
#                                                 -> attributed to kaspersky, out of scope (user)
#   Users/Public/readme.txt                       plain text (not a binary)
#
# Every certificate is issued by the test root, valid 2020-01-01 .. 2040-01-01 (no timestamps),
# so the image verifies the same way on any day until 2040. Keys are new on each run; nothing is
# secret. The drivers are inert: DriverEntry prints a line and returns.
#
# Exit status: 0 on success, 77 if a required tool is missing, 1 on failure, 2 on usage errors.
# shellcheck disable=SC2054  # commas inside -Wl,... array elements are intended
set -euo pipefail

usage() { echo "usage: $0 OUTDIR" >&2; exit 2; }
[[ $# -eq 1 && -n $1 && $1 != -* ]] || usage
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../samples/src" && pwd)
MINGW_PREFIX=${MINGW_PREFIX:-x86_64-w64-mingw32-}
# shellcheck source=lib/test_ca.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/test_ca.sh"
need_tools make_vendor_image "${MINGW_PREFIX}gcc" "${MINGW_PREFIX}dlltool" "${MINGW_PREFIX}objdump" openssl osslsigncode

mkdir -p "$1"
OUT=$(cd "$1" && pwd)
IMG=$OUT/vendor-image
WORK=$(mktemp -d "${TMPDIR:-/tmp}/trustscan-vendor-image.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
export LC_ALL=C SOURCE_DATE_EPOCH=0
die() { echo "make_vendor_image: error: $*" >&2; exit 1; }

rm -rf "$IMG" "$OUT/vendor-image-ca"
mkdir -p "$IMG/Windows/System32/drivers" "$IMG/Program Files/Kaspersky Lab" "$IMG/Users/Public" \
         "$OUT/vendor-image-ca"

# -------------------------------------------------------------------- certificate authority
make_ca_config "$WORK/ca" 2000

# cert NAME SUBJECT [self]: key + certificate NAME.{key,pem}, issued by the root (or self-signed).
cert() {
    local issuer=root ext=v3_codesign
    if [[ ${3:-} == self ]]; then issuer=self; ext=v3_root; fi
    issue_cert "$WORK/ca" "$WORK" "$1" "$2" "$issuer" "$ext" 20200101000000Z 20400101000000Z ||
        die "openssl ca ($1) failed"
}

cert root "/C=XX/O=trustscan tests/CN=trustscan Vendor Image Test Root CA" self
cert kaspersky "/O=AO Kaspersky Lab/CN=AO Kaspersky Lab/C=RU"
cert qihoo "/O=Qihoo 360 Software (Beijing) Company Limited/CN=Qihoo 360 Software (Beijing) Company Limited/C=CN"
cert sentinelone "/O=SentinelOne Inc./CN=SentinelOne Inc./C=US"
cert whcp "/CN=Microsoft Windows Hardware Compatibility Publisher/O=Microsoft Corporation/C=US"
cp "$WORK/root.pem" "$OUT/vendor-image-ca/root.pem"

# -------------------------------------------------------------------- binaries
cat >"$WORK/driver.c" <<'EOF'
/* Inert test driver for tools/make_vendor_image.sh: prints a line and returns. */
typedef long NTSTATUS;
typedef void *PVOID;
__declspec(dllimport) unsigned long DbgPrint(const char *format, ...);

#ifdef ENGINE_TOKENS
/* A white-labelled engine's configuration tokens, kept as plain data (never interpreted). */
const char *const engine_settings[] = { "KAVScanningSettings", "KAV_O_M_PACKED", "KAV_O_M_ARCHIVED" };
#endif

const char *driver_banner = BANNER;

NTSTATUS DriverEntry(PVOID driver_object, PVOID registry_path)
{
    (void)driver_object; (void)registry_path;
    DbgPrint(driver_banner);
#ifdef ENGINE_TOKENS
    DbgPrint("%s\n", engine_settings[0]);
#endif
    return 0;
}
EOF
cat >"$WORK/user.c" <<'EOF'
/* Inert user-mode test program/library for tools/make_vendor_image.sh. */
#ifdef DLL
__declspec(dllexport) int ui_version(void) { return 1; }
#else
#include <stdio.h>
int main(void) { puts("vendor image test program"); return 0; }
#endif
EOF

"${MINGW_PREFIX}dlltool" -d "$SRC/ntoskrnl.def" -l "$WORK/libntoskrnl.a"
PE_FLAGS=(-Os -s -Wl,--no-insert-timestamp)
# shellcheck source=lib/mingw_driver.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/mingw_driver.sh"
# driver OUT BANNER [extra cc flags]
driver() {
    local out=$1 banner=$2
    shift 2
    mingw_driver "$out" "$WORK/driver.c" "$banner" "$@" "$WORK/libntoskrnl.a"
    "${MINGW_PREFIX}objdump" -p "$out" | grep -Eq '^Subsystem[[:space:]]+0*1[[:space:]]' ||
        die "$out: not a native-subsystem image"
    "${MINGW_PREFIX}objdump" -p "$out" | grep 'DLL Name: ntoskrnl.exe$' >/dev/null || die "$out: no ntoskrnl import"
}
driver "$WORK/klif.sys" "klif test driver"
driver "$WORK/360fsflt.sys" "360fsflt test driver"
driver "$WORK/SentinelMonitor.sys" "SentinelMonitor test driver"
driver "$WORK/oemhwflt.sys" "oem hardware filter test driver"
driver "$IMG/Windows/System32/drivers/oemavflt.sys" "oem antivirus filter test driver" -DENGINE_TOKENS
"${MINGW_PREFIX}gcc" "${PE_FLAGS[@]}" -o "$WORK/avp.exe" "$WORK/user.c"
"${MINGW_PREFIX}gcc" "${PE_FLAGS[@]}" -shared -DDLL -o "$WORK/avpui.dll" "$WORK/user.c"

for s in KAVScanningSettings KAV_O_M_PACKED; do
    grep -q "$s" "$IMG/Windows/System32/drivers/oemavflt.sys" || die "oemavflt.sys lacks '$s'"
done

# -------------------------------------------------------------------- signing
# sign CERT IN OUT [osslsigncode options...]
sign() {
    local cert=$1 in=$2 out=$3
    shift 3
    osslsigncode sign -certs "$WORK/$cert.pem" -key "$WORK/$cert.key" -h sha256 "$@" \
        -in "$in" -out "$out" >"$WORK/sign.log" 2>&1 || die "osslsigncode ($cert, $in): $(cat "$WORK/sign.log")"
}
D=$IMG/Windows/System32/drivers
sign kaspersky "$WORK/klif.sys" "$D/klif.sys"
sign qihoo "$WORK/360fsflt.sys" "$D/360fsflt.sys"
sign sentinelone "$WORK/SentinelMonitor.sys" "$D/SentinelMonitor.sys"
sign whcp "$WORK/oemhwflt.sys" "$WORK/oemhwflt-whcp.sys"
sign kaspersky "$WORK/oemhwflt-whcp.sys" "$D/oemhwflt.sys" -nest
sign kaspersky "$WORK/avp.exe" "$IMG/Program Files/Kaspersky Lab/avp.exe"
sign kaspersky "$WORK/avpui.dll" "$IMG/Program Files/Kaspersky Lab/avpui.dll"

printf 'Vendor image for the trustscan tests.\r\nNothing here is real vendor software.\r\n' \
    >"$IMG/Users/Public/readme.txt"

# Every signature must verify against the test root (the nested one included).
for f in "$D/klif.sys" "$D/360fsflt.sys" "$D/SentinelMonitor.sys" "$D/oemhwflt.sys" \
         "$IMG/Program Files/Kaspersky Lab/avp.exe" "$IMG/Program Files/Kaspersky Lab/avpui.dll"; do
    osslsigncode verify -CAfile "$OUT/vendor-image-ca/root.pem" -in "$f" >"$WORK/verify.log" 2>&1 ||
        die "$f does not verify: $(tail -n 5 "$WORK/verify.log")"
done
osslsigncode verify -CAfile "$OUT/vendor-image-ca/root.pem" -in "$D/oemhwflt.sys" >"$WORK/verify.log" 2>&1
grep -q 'Number of verified signatures: 2' "$WORK/verify.log" || die "oemhwflt.sys lacks its nested signature"

echo "make_vendor_image: $(find "$IMG" -type f | wc -l) files in $IMG"
