# shellcheck shell=bash
# The test PKIs of tools/make_hostile_samples.sh (sourced; defines build_pki). Every key is new on
# each run; nothing is secret. Unless stated, certificates are valid 2020-01-01 .. 2040-01-01 and
# the tests verify at a fixed 2026-01-01.
#
# Trust anchors, one directory each under OUT/trust/ (pass the ones a sample's manifest row names
# with --trust-store):
#   hostile/      "trustscan Hostile Samples Test Root": issues the test "AO Kaspersky Lab" and
#                 "Contoso Security Inc." signers, the look-alike signers, the EV CA, the EKU CAs
#   microsoft/    test imitations of Microsoft's anchors: "Microsoft Root Certificate Authority
#                 2010" (WHCP chain) and "Microsoft Code Verification Root" (cross-signing)
#   crossvendor/  the cross-signed vendor's own commercial root ("Example Trust Services Root CA")
#   wdk/          the self-signed "WDKTestCert" test-signing certificate (trusted on a test-signing
#                 machine only)
# Never trusted (in OUT/ca/ for reference): the second, untrusted CA ("Untrusted Test Root CA") and
# the image-only root that only the SOFTWARE hive of the class-m images trusts.
#
# Real shapes imitated (Microsoft: "Kernel-mode code signing requirements", "Driver signing
# policy" and "Kernel checks for non-WHQL signed drivers" on learn.microsoft.com; Geoff Chappell,
# "Back Doors for Cross-Signed Drivers"):
#   WHCP / attestation: leaf "Microsoft Windows Hardware Compatibility Publisher" (O=Microsoft
#     Corporation, L=Redmond, ST=Washington, C=US; EKUs codeSigning + Windows Hardware Driver
#     Verification 1.3.6.1.4.1.311.10.3.5 (+ .5.1 attested)) -> "Microsoft Windows Third Party
#     Component CA 2014" -> "Microsoft Root Certificate Authority 2010". Since Windows 10 1607 a
#     clean install with Secure Boot loads new kernel drivers only with this (Hardware Dev Center)
#     signature.
#   Cross-signed (the pre-2016 programme): vendor leaf (SPC) -> the vendor's commercial CA -> the
#     CA's root, with a cross-certificate issued by "Microsoft Code Verification Root" to that root
#     (same subject and key) shipped in the signature's certificate bag, so the kernel's chain ends
#     at Microsoft's code-verification root. Windows 10 1607+ still loads such a driver when its
#     end-entity certificate was issued before 2015-07-29 (or on upgraded or Secure-Boot-off
#     machines, or boot drivers). The real cross-certificates expired in 2021 (Microsoft,
#     "Cross-Certificates for Kernel Mode Code Signing"); here every certificate is valid until
#     2040 so that the chain verifies at the test date without a timestamp.
#   Test-signed: a self-signed "WDKTestCert <user>,<number>" certificate made by Visual Studio /
#     MakeCert; Windows loads such a driver only with test signing on (bcdedit /set testsigning).

# shellcheck disable=SC2034  # DECOY_CNS is used by the sourcing scripts
DECOY_CNS=("Microsoft Windows" "Microsoft Corporation" "Microsoft Windows Hardware Compatibility Publisher"
           "Microsoft Windows Production PCA 2011" "Microsoft Code Signing PCA 2011" "Microsoft Windows Publisher"
           "Microsoft Windows Third Party Component CA 2014" "Microsoft Root Certificate Authority 2010"
           "Microsoft Corporation Third Party Marketplace" "Microsoft Windows Early Launch Anti-malware Publisher"
           "Microsoft Windows Kits Publisher" "Microsoft Windows Component Publisher" "Microsoft Code Signing PCA"
           "Microsoft Windows Hardware Abstraction Layer Publisher")
MS_DN="/C=US/ST=Washington/L=Redmond/O=Microsoft Corporation"
KASPERSKY_DN="/C=RU/L=Moscow/O=AO Kaspersky Lab/CN=AO Kaspersky Lab"
EV_DN="/jurisdictionC=CN/jurisdictionST=Guangdong/jurisdictionL=Shenzhen/businessCategory=Private Organization"
EV_DN+="/serialNumber=91440300MA5TEST01X/C=CN/ST=Guangdong/L=Shenzhen"
EV_DN+="/O=Shenzhen Example Kernel Technology Co., Ltd./CN=Shenzhen Example Kernel Technology Co., Ltd."

build_pki() {
    local i names=(root kaspersky contoso kaspersky-self untrusted-root kaspersky-untrusted ev-ca ev-leaf
                   ms-root ms-3p-ca whcp mcvr xv-root xv-ca xv-leaf-2014 xv-leaf-2016 wdktest
                   int-serverauth int-codesign int-noeku leaf-serverauth leaf-codesign leaf-noeku
                   image-root image-leaf kernel-key)
    for ((i = 1; i <= ${#DECOY_CNS[@]}; i++)); do names+=("decoy-$i"); done
    keys "${names[@]}"

    cert root "/C=XX/O=trustscan tests/CN=trustscan Hostile Samples Test Root" self v3_root
    cert kaspersky "$KASPERSKY_DN" root v3_codesign
    cert contoso "/C=US/ST=Washington/L=Redmond/O=Contoso Security Inc./CN=Contoso Security Inc." root v3_codesign
    # Claims that no anchor backs: self-signed, and from a CA nobody trusts.
    cert kaspersky-self "$KASPERSKY_DN" self v3_selfsigned_codesign
    cert untrusted-root "/C=XX/O=somebody else/CN=Untrusted Test Root CA" self v3_root
    cert kaspersky-untrusted "$KASPERSKY_DN" untrusted-root v3_codesign
    for ((i = 1; i <= ${#DECOY_CNS[@]}; i++)); do
        cert "decoy-$i" "$MS_DN/CN=${DECOY_CNS[i - 1]}" self v3_selfsigned_codesign
    done
    # An EV code-signing chain for an unlisted Chinese publisher (EV subject attributes, policy
    # OID 2.23.140.1.3 of the CA/B Forum EV code-signing guidelines).
    cert ev-ca "/C=XX/O=trustscan tests/CN=trustscan Test EV Code Signing CA R36" root v3_intermediate
    cert ev-leaf "$EV_DN" ev-ca v3_ev_codesign
    # WHCP chain (test imitation of the real names).
    cert ms-root "$MS_DN/CN=Microsoft Root Certificate Authority 2010" self v3_root 20100623000000Z
    cert ms-3p-ca "$MS_DN/CN=Microsoft Windows Third Party Component CA 2014" ms-root v3_intermediate 20141015000000Z
    cert whcp "$MS_DN/CN=Microsoft Windows Hardware Compatibility Publisher" ms-3p-ca v3_whcp
    # Cross-signing: the vendor's root, a cross-certificate for it (same subject and key) from the
    # test Code Verification Root, the vendor's CA, and two vendor leaves either side of 2015-07-29.
    cert mcvr "$MS_DN/CN=Microsoft Code Verification Root" self v3_root 20060401000000Z
    cert xv-root "/C=US/O=Example Trust Services/CN=Example Trust Services Root CA" self v3_root 20100101000000Z
    cp "$K/xv-root.key" "$K/xv-cross.key"
    cert xv-cross "/C=US/O=Example Trust Services/CN=Example Trust Services Root CA" mcvr v3_intermediate \
        20110415000000Z
    cert xv-ca "/C=US/O=Example Trust Services/CN=Example Trust Services Code Signing CA" xv-root v3_intermediate \
        20100101000000Z
    cert xv-leaf-2014 "/C=US/O=Fabrikam Devices Inc./CN=Fabrikam Devices Inc." xv-ca v3_codesign 20140601000000Z
    cert xv-leaf-2016 "/C=US/O=Fabrikam Devices Inc./CN=Fabrikam Devices Inc." xv-ca v3_codesign 20160601000000Z
    cert wdktest "/CN=WDKTestCert builder,133476543210987654" self v3_selfsigned_codesign
    # CAs with and without an EKU extension, each with a code-signing leaf.
    cert int-serverauth "/C=XX/O=trustscan tests/CN=trustscan Test TLS-only Intermediate CA" root v3_intermediate_serverauth
    cert int-codesign "/C=XX/O=trustscan tests/CN=trustscan Test Code Signing Intermediate CA" root v3_intermediate_codesign
    cert int-noeku "/C=XX/O=trustscan tests/CN=trustscan Test Intermediate CA" root v3_intermediate
    cert leaf-serverauth "/C=US/O=Tailspin Toys Inc./CN=Tailspin Toys Inc." int-serverauth v3_codesign
    cert leaf-codesign "/C=US/O=Tailspin Toys Inc./CN=Tailspin Toys Inc." int-codesign v3_codesign
    cert leaf-noeku "/C=US/O=Tailspin Toys Inc./CN=Tailspin Toys Inc." int-noeku v3_codesign
    # A root only the image's own SOFTWARE hive trusts, and a signer under it.
    cert image-root "/C=XX/O=Image Administrator/CN=Image-only Test Root CA" self v3_root
    cert image-leaf "/C=US/O=Woodgrove Software Inc./CN=Woodgrove Software Inc." image-root v3_codesign
    # Linux module signing key named like a kernel build's own (scripts/Makefile's x509.genkey).
    cert kernel-key "/O=Unspecified company/CN=Build time autogenerated kernel key/emailAddress=unspecified.user@unspecified.company" \
        self v3_selfsigned_codesign

    mkdir -p "$OUT/trust/hostile" "$OUT/trust/microsoft" "$OUT/trust/crossvendor" "$OUT/trust/wdk" "$OUT/ca"
    cp "$K/root.pem" "$OUT/trust/hostile/root.pem"
    cp "$K/ms-root.pem" "$OUT/trust/microsoft/root-certificate-authority-2010.pem"
    cp "$K/mcvr.pem" "$OUT/trust/microsoft/code-verification-root.pem"
    cp "$K/xv-root.pem" "$OUT/trust/crossvendor/root.pem"
    cp "$K/wdktest.pem" "$OUT/trust/wdk/wdktestcert.pem"
    cp "$K/untrusted-root.pem" "$OUT/ca/untrusted-root.pem"
    cp "$K/image-root.pem" "$OUT/ca/image-root.pem"
    cp "$K/image-leaf.pem" "$OUT/ca/image-leaf.pem"
    cp "$K/kernel-key.pem" "$OUT/ca/kernel-key.pem"
    for i in kaspersky contoso kaspersky-self kaspersky-untrusted ev-leaf whcp xv-cross xv-leaf-2014 xv-leaf-2016 \
             int-serverauth int-codesign int-noeku; do
        cp "$K/$i.pem" "$OUT/ca/$i.pem"
    done
}
