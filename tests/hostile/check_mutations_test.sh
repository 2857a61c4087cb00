#!/usr/bin/env bash
# check_mutations_test.sh SOURCE_DIR SAMPLES_DIR
#
# The property checks of tools/check_hostile_samples.sh must fail when a sample loses its property:
# on a copy of the hostile samples (tools/make_hostile_samples.sh, fixture hostile_samples), one
# sample per kind of property is replaced by a near miss, and the checker, run on those samples,
# must exit 1 naming every one of them (that the intact samples pass is hostile_samples_properties).
set -euo pipefail
SRC=$1 SAMPLES=$2
[[ -f $SAMPLES/MANIFEST.tsv ]] || { echo "hostile samples missing ($SAMPLES)" >&2; exit 1; }
WORK=$(mktemp -d /tmp/trustscan-hostile-mutations.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
cp -a "$SAMPLES" "$WORK/s"
S=$WORK/s
D=Windows/System32/drivers

# near_miss SAMPLE FROM: SAMPLE becomes a copy of FROM (another sample lacking SAMPLE's property).
near_miss() { cp "$S/$2" "$S/$1"; echo "$1"; }
{
    near_miss a/kaspersky-decoys-5.sys a/kaspersky-decoys-2.sys            # 2 decoys, not 5
    near_miss "images/b-decoy-catalogs-5/$D/hsdrv.sys" c/contoso-signed.sys  # catalogs no longer list it
    near_miss c/contoso-nested-kaspersky-selfsigned.sys c/contoso-signed.sys  # no nested claim
    near_miss d/hid_evhelper-intree-autogen.ko d/hid_evhelper-plain.ko     # no intree=Y, unsigned
    near_miss e/version-zwsp.sys f/companyname-only.sys                     # CompanyName without U+200B
    near_miss e/cert-kelvin.sys a/kaspersky-signed.sys                      # plain ASCII signer
    near_miss f/kaspersky-selfsigned.sys a/kaspersky-signed.sys             # trusted, not self-signed
    near_miss g/kbdhelper.dll a/kaspersky-signed.sys                        # imports, no INIT, no WDM
    near_miss h/ev-then-whcp.sys h/ev-signed.sys                            # no WHCP signature
    near_miss i/cert-padding.sys c/contoso-signed.sys                       # no padding
    near_miss j/intermediate-serverauth.sys j/intermediate-codesign.sys     # intermediate allows code signing
    near_miss k/cross-signed-2014.sys k/cross-signed-2016.sys               # issued after 2015-07-29
    near_miss k/test-signed.sys k/whcp-signed.sys                           # not a WDKTestCert
    # Windows images: a hive appears / a store entry disappears / a file moves.
    mkdir -p "$S/images/l-catroot-only-d1/vol1/Windows/System32/config"
    cp "$S/images/m-store-root/Windows/System32/config/SYSTEM" "$S/images/l-catroot-only-d1/vol1/Windows/System32/config/"
    echo images/l-catroot-only-d1/vol1/Windows/System32/drivers/catdrv.sys
    cp "$S/images/m-store-root/Windows/System32/config/SOFTWARE" "$S/images/m-store-disallowed-root/Windows/System32/config/"
    echo "images/m-store-disallowed-root/$D/wgfilter.sys"
    cp "$S/images/m-store-root/Windows/System32/config/SYSTEM" "$S/images/l-ntoskrnl-only-d2/evidence/vol1/"
    echo images/l-ntoskrnl-only-d2/evidence/vol1/Windows/System32/ntoskrnl.exe
    # The trailing bytes cut off.
    head -c -4096 "$S/i/trailing-data.sys" >"$WORK/cut" && cp "$WORK/cut" "$S/i/trailing-data.sys"
    echo i/trailing-data.sys
} | sort >"$WORK/expected"

set +e
mapfile -t broken <"$WORK/expected"
"$SRC/tools/check_hostile_samples.sh" "$S" "${broken[@]}" >"$WORK/out" 2>"$WORK/err"
rc=$?
set -e
sed -n 's/^check_hostile_samples: FAIL \([^:]*\): .*/\1/p' "$WORK/err" | sort >"$WORK/failed"
if [[ $rc != 1 ]] || ! diff -u "$WORK/expected" "$WORK/failed"; then
    cat "$WORK/err" >&2
    echo "FAIL: the checks exited $rc and did not name exactly the broken samples (diff above)" >&2
    exit 1
fi
echo "check_mutations_test: all $(wc -l <"$WORK/expected") broken samples caught; $(cat "$WORK/out")"
