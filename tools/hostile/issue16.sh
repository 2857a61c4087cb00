# shellcheck shell=bash
# Classes i-m of tools/make_hostile_samples.sh (issue 16: trust as Windows would decide it).
# Sourced; defines build_issue16. See the main script for the layout and the manifest.

# i. Trailing data after the certificate table (its directory size left as is), and CVE-2013-3900
#    padding inside the WIN_CERTIFICATE (dwLength and the directory size grown).
build_class_i() {
    mkdir -p "$OUT/i"
    driver "$WORK/i.sys" "hostile sample i: authenticode structure"
    sign contoso "$WORK/i.sys" "$WORK/i-signed.sys"
    "$PYTHON" "$HOSTILE/pe_edit.py" trailing "$WORK/i-signed.sys" "$OUT/i/trailing-data.sys" 4096
    add_row i/trailing-data.sys - i contoso contoso hostile "trailing 4096" \
        "signature not valid, flag trailing_data (4096 bytes after the certificate table are outside every hashed range)"
    "$PYTHON" "$HOSTILE/pe_edit.py" pad "$WORK/i-signed.sys" "$OUT/i/cert-padding.sys" 512
    add_row i/cert-padding.sys - i contoso contoso hostile "padding 512" \
        "flag certificate_padding; valid by default, invalid with --strict-padding (EnableCertPaddingCheck)"
}

# j. A code-signing leaf under an intermediate whose EKU extension lacks code signing (serverAuth
#    only); the controls: the intermediate's EKU is codeSigning, and an intermediate without EKUs.
build_class_j() {
    mkdir -p "$OUT/j"
    local kind
    for kind in serverauth codesign noeku; do
        driver "$WORK/j-$kind.sys" "hostile sample j: intermediate eku $kind"
        sign "leaf-$kind" "$WORK/j-$kind.sys" "$OUT/j/intermediate-$kind.sys" -ac "$K/int-$kind.pem"
    done
    add_row j/intermediate-serverauth.sys - j tailspin tailspin hostile "intermediate_eku serverauth" \
        "signature not valid: the intermediate CA's EKUs do not include code signing (as Windows)"
    add_row j/intermediate-codesign.sys - j-control tailspin tailspin hostile "intermediate_eku codesign" \
        "control: valid, trusted (the intermediate's EKUs include code signing)"
    add_row j/intermediate-noeku.sys - j-control tailspin tailspin hostile "intermediate_eku noeku" \
        "control: valid, trusted (an intermediate without an EKU extension does not restrict)"
}

# k. Windows kernel-load shapes with a test PKI imitating the real names (tools/hostile/pki.sh).
build_class_k() {
    mkdir -p "$OUT/k"
    driver "$WORK/k-whcp.sys" "hostile sample k: whcp signed"
    sign whcp "$WORK/k-whcp.sys" "$OUT/k/whcp-signed.sys" -ac "$K/ms-3p-ca.pem" -n "Kernel Event Helper"
    add_row k/whcp-signed.sys - k "unknown (WHCP signs for others)" microsoft microsoft "kernel_shape whcp" \
        "valid; kernel_load allowed (WHCP chain to Microsoft Root Certificate Authority 2010); Microsoft is the signing service"
    cat "$K/xv-ca.pem" "$K/xv-cross.pem" >"$WORK/xv-bag.pem"
    local year
    for year in 2014 2016; do
        driver "$WORK/k-cross-$year.sys" "hostile sample k: cross signed $year"
        sign "xv-leaf-$year" "$WORK/k-cross-$year.sys" "$OUT/k/cross-signed-$year.sys" -ac "$WORK/xv-bag.pem"
    done
    add_row k/cross-signed-2014.sys - k fabrikam fabrikam microsoft "kernel_shape cross 2014" \
        "kernel_load legacy_cross_signed: chain via the cross-certificate to Code Verification Root, end-entity issued 2014-06-01 < 2015-07-29"
    add_row k/cross-signed-2016.sys - k fabrikam fabrikam microsoft "kernel_shape cross 2016" \
        "kernel_load not_allowed on a clean 1607+ install with Secure Boot (end-entity issued 2016-06-01); loads only on upgraded / Secure-Boot-off machines"
    driver "$WORK/k-test.sys" "hostile sample k: test signed"
    sign wdktest "$WORK/k-test.sys" "$OUT/k/test-signed.sys"
    add_row k/test-signed.sys - k "unknown (test certificate)" "WDKTestCert builder" wdk "kernel_shape test" \
        "kernel_load test_signing_only (self-signed WDKTestCert root)"
}

# l. Windows installations without a SYSTEM hive, 0 to 3 directory levels below the scan root:
#    CatRoot with a catalog for a driver (no hives), and only System32/ntoskrnl.exe. Controls: a
#    complete image (hives) 2 and 3 levels down.
L_PREFIXES=("" "vol1/" "evidence/vol1/" "case42/evidence/vol1/")
build_class_l() {
    mkdir -p "$WORK/l"
    driver "$WORK/l/catdrv.sys" "hostile sample l: catalog signed driver"
    catalog contoso "$K/root.pem" "$WORK/l.cat" "$WORK/l/catdrv.sys"
    driver "$WORK/ntoskrnl.exe" "hostile sample l: not the real kernel" -DNO_IMPORTS
    service_spec "$WORK/spec.json" catdrv 1 3 'System32\drivers\catdrv.sys'
    local depth img win
    for depth in 0 1 2 3; do
        img=$OUT/images/l-catroot-only-d$depth
        win=$img/${L_PREFIXES[depth]}Windows
        mkdir -p "$win/System32/drivers" "$win/System32/CatRoot/$CATROOT_GUID"
        cp "$WORK/l/catdrv.sys" "$win/System32/drivers/catdrv.sys"
        cp "$WORK/l.cat" "$win/System32/CatRoot/$CATROOT_GUID/contoso.cat"
        add_row "images/l-catroot-only-d$depth/${L_PREFIXES[depth]}Windows/System32/drivers/catdrv.sys" \
            "images/l-catroot-only-d$depth" l "unsigned file, contoso catalog" contoso hostile "catroot_only $depth" \
            "Windows image found $depth level(s) down by its CatRoot (hives missing); catalog signature valid, trusted (contoso)"
        img=$OUT/images/l-ntoskrnl-only-d$depth
        win=$img/${L_PREFIXES[depth]}Windows
        mkdir -p "$win/System32"
        cp "$WORK/ntoskrnl.exe" "$win/System32/ntoskrnl.exe"
        add_row "images/l-ntoskrnl-only-d$depth/${L_PREFIXES[depth]}Windows/System32/ntoskrnl.exe" \
            "images/l-ntoskrnl-only-d$depth" l - - - "ntoskrnl_only $depth" \
            "Windows image found $depth level(s) down by System32/ntoskrnl.exe; report names hives and CatRoot as missing"
    done
    for depth in 2 3; do
        img=$OUT/images/l-hives-d$depth
        windows_image "$img/${L_PREFIXES[depth]}" "$WORK/spec.json"
        win=$img/${L_PREFIXES[depth]}Windows
        cp "$WORK/l/catdrv.sys" "$win/System32/drivers/catdrv.sys"
        cp "$WORK/l.cat" "$win/System32/CatRoot/$CATROOT_GUID/contoso.cat"
        add_row "images/l-hives-d$depth/${L_PREFIXES[depth]}Windows/System32/drivers/catdrv.sys" \
            "images/l-hives-d$depth" l-control "unsigned file, contoso catalog" contoso hostile "catroot_only $depth" \
            "Windows image found $depth levels down (complete: hives, CatRoot); catalog signature valid, trusted"
    done
}

# m. A SOFTWARE hive whose machine store trusts an extra root (ROOT, or the Policies ROOT), the
#    same root or the leaf also in Disallowed, and a driver chaining to that root; control: no
#    store entry.
build_class_m() {
    der image-root
    der image-leaf
    driver "$WORK/m.sys" "hostile sample m: image-only root"
    sign image-leaf "$WORK/m.sys" "$WORK/m-signed.sys"
    local root_entry leaf_entry variant certs img
    root_entry="\"der\": \"$K/image-root.der\", \"friendly_name\": \"Image-only Test Root CA\""
    leaf_entry="\"der\": \"$K/image-leaf.der\", \"friendly_name\": \"Woodgrove Software Inc.\""
    for variant in none root disallowed-root disallowed-leaf policies-root policies-disallowed-root; do
        case $variant in
        none) certs='[]' ;;
        root) certs="[{\"store\": \"ROOT\", $root_entry}]" ;;
        disallowed-root) certs="[{\"store\": \"ROOT\", $root_entry}, {\"store\": \"Disallowed\", $root_entry}]" ;;
        disallowed-leaf) certs="[{\"store\": \"ROOT\", $root_entry}, {\"store\": \"Disallowed\", $leaf_entry}]" ;;
        policies-root) certs="[{\"store\": \"ROOT\", \"policies\": true, $root_entry}]" ;;
        policies-disallowed-root) certs="[{\"store\": \"ROOT\", $root_entry},
                                          {\"store\": \"Disallowed\", \"policies\": true, $root_entry}]" ;;
        esac
        service_spec "$WORK/spec.json" wgfilter 1 1 'System32\drivers\wgfilter.sys' "$certs"
        img=$OUT/images/m-store-$variant
        windows_image "$img" "$WORK/spec.json"
        cp "$WORK/m-signed.sys" "$img/$DRIVERS/wgfilter.sys"
        add_row "images/m-store-$variant/$DRIVERS/wgfilter.sys" "images/m-store-$variant" \
            "$([[ $variant == none ]] && echo m-control || echo m)" woodgrove woodgrove - "image_store $variant" \
            "$(m_expected "$variant")"
    done
}

m_expected() {
    case $1 in
    none) echo "control: untrusted_root (no anchor anywhere)" ;;
    root | policies-root) echo "trusted by this machine only: image_only_root (the image's $1 store holds the root)" ;;
    *) echo "invalid for this image: a certificate of the chain is in the image's Disallowed store ($1)" ;;
    esac
}

build_issue16() {
    build_class_i
    build_class_j
    build_class_k
    build_class_l
    build_class_m
}
