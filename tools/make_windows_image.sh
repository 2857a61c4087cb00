#!/usr/bin/env bash
# make_windows_image.sh OUTDIR SAMPLES VENDOR_SAMPLES
#
# Assembles, at test time, two small offline "Windows images" (issue 6, acceptance 1) from the
# catalog samples (tools/make_catalog_samples.sh -> SAMPLES/catalog), the vendor image
# (tools/make_vendor_image.sh -> VENDOR_SAMPLES) and a SYSTEM/SOFTWARE hive written by
# tools/make_test_hive.py --image. Directory names are in mixed case on purpose: Windows paths
# are case-insensitive and trustscan must find them as Windows would.
#
#   OUTDIR/windows-image/
#     WINDOWS/System32/config/SYSTEM, SOFTWARE      hives: computer EVIDENCE-PC, Windows 10 Pro 22H2;
#                                                   Select\Current = 2 (ControlSet002)
#     WINDOWS/System32/CatRoot/{F750E6C3-...}/driver.cat   lists driver.sys (valid, test CA)
#     WINDOWS/System32/drivers/driver.sys           service testdrv, boot start  -> catalog-signed, trusted
#     WINDOWS/System32/drivers/other.sys            service otherdrv, demand     -> unsigned (no catalog)
#     WINDOWS/System32/drivers/oemavflt.sys         service oemavflt, boot-start minifilter, Kaspersky
#                                                   engine found by a YARA rule  -> critical finding
#     WINDOWS/System32/drivers/notes.sys            service notesdrv: a text file -> file_status not_binary
#     (missing.sys of service missingdrv and spoolsv.exe of Spooler are absent -> missing;
#      netshare has a UNC ImagePath -> unresolved)
#   OUTDIR/windows-image-tampered/                  the same, but CatRoot holds driver-tampered.cat:
#                                                   its signature is invalid, nothing is trusted through it
#   OUTDIR/catalog-ca/root.pem                      the catalog test root (pass with --trust-store)
#
# Exit status: 0 on success, 77 if a required input or tool is missing, 1 on failure, 2 on usage.
set -euo pipefail

usage() { echo "usage: $0 OUTDIR SAMPLES VENDOR_SAMPLES" >&2; exit 2; }
[[ $# -eq 3 ]] || usage
OUT=$1 SAMPLES=$2 VENDOR=$3
TOOLS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CAT=$SAMPLES/catalog
for f in "$CAT/driver.sys" "$CAT/other.sys" "$CAT/driver.cat" "$CAT/driver-tampered.cat" "$CAT/ca/root.pem" \
         "$VENDOR/vendor-image/Windows/System32/drivers/oemavflt.sys"; do
    [[ -f $f ]] || { echo "make_windows_image: $f missing (build the catalog and vendor samples first)" >&2; exit 77; }
done
python3 -c 'import hivex' 2>/dev/null || /usr/bin/python3 -c 'import hivex' 2>/dev/null \
    || { echo "make_windows_image: python3-hivex missing" >&2; exit 77; }

rm -rf "$OUT/windows-image" "$OUT/windows-image-tampered" "$OUT/catalog-ca"
mkdir -p "$OUT/catalog-ca"
cp "$CAT/ca/root.pem" "$OUT/catalog-ca/root.pem"
HIVES=$(mktemp -d)
trap 'rm -rf "$HIVES"' EXIT
/usr/bin/python3 "$TOOLS/make_test_hive.py" "$HIVES" --image

build() {  # build IMAGE CATALOG
    local img=$1 W=$1/WINDOWS/System32
    mkdir -p "$W/config" "$W/drivers" "$W/CatRoot/{F750E6C3-38EE-11D1-85E5-00C04FC295EE}"
    cp "$HIVES/SYSTEM" "$HIVES/SOFTWARE" "$W/config/"
    cp "$2" "$W/CatRoot/{F750E6C3-38EE-11D1-85E5-00C04FC295EE}/"
    cp "$CAT/driver.sys" "$CAT/other.sys" "$VENDOR/vendor-image/Windows/System32/drivers/oemavflt.sys" "$W/drivers/"
    printf 'not a driver\n' >"$W/drivers/notes.sys"
}
build "$OUT/windows-image" "$CAT/driver.cat"
build "$OUT/windows-image-tampered" "$CAT/driver-tampered.cat"
echo "make_windows_image: images in $OUT"
