# shellcheck shell=bash
# Shared by the test-time sample builders (tools/make_signed_samples.sh, tools/make_vendor_image.sh,
# tools/make_catalog_samples.sh, tools/make_hostile_samples.sh, tools/make_known_bad_samples.sh):
# a throw-away `openssl ca` for code-signing test certificates, the catalog signing recipe, and the
# check for the tools they need. Source it; it defines functions only.

# need_tools SCRIPT TOOL...: exit 77 (CTest: skipped) with a note when a TOOL is not installed.
need_tools() {
    local script=$1 tool
    shift
    for tool in "$@"; do
        command -v "$tool" >/dev/null 2>&1 && continue
        echo "$script: $tool not found; skipping" >&2
        exit 77
    done
}

# make_ca_config DIR [FIRST_SERIAL]: a minimal `openssl ca` setup whose database lives in DIR.
# Extensions: v3_root, v3_codesign, v3_tsa, v3_server; CA certificates below a root:
# v3_intermediate, and the same carrying an EKU extension: v3_intermediate_serverauth (serverAuth
# only), v3_intermediate_codesign (codeSigning); v3_selfsigned_codesign: a self-signed code-signing
# leaf; v3_whcp: a leaf with the EKUs of Microsoft's WHCP signer (codeSigning + Windows Hardware
# Driver Verification 1.3.6.1.4.1.311.10.3.5 + Attested Verification 1.3.6.1.4.1.311.10.3.5.1);
# v3_ev_codesign: a code-signing leaf with the CA/B Forum EV code-signing policy 2.23.140.1.3.
make_ca_config() {
    local dir=$1
    mkdir -p "$dir/newcerts"
    : >"$dir/index.txt"
    echo "${2:-1000}" >"$dir/serial"
    cat >"$dir/ca.cnf" <<EOF
[ ca ]
default_ca = CA_default
[ CA_default ]
dir = $dir
database = \$dir/index.txt
new_certs_dir = \$dir/newcerts
serial = \$dir/serial
default_md = sha256
policy = policy_any
unique_subject = no
copy_extensions = none
[ policy_any ]
commonName = supplied
organizationName = optional
countryName = optional
[ v3_root ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ v3_codesign ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = codeSigning
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ v3_tsa ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, nonRepudiation
extendedKeyUsage = critical, timeStamping
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ v3_server ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ v3_intermediate ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ v3_intermediate_serverauth ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ v3_intermediate_codesign ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
extendedKeyUsage = codeSigning
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ v3_selfsigned_codesign ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = codeSigning
subjectKeyIdentifier = hash
[ v3_ev_codesign ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = codeSigning
certificatePolicies = 2.23.140.1.3
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ v3_whcp ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = codeSigning, 1.3.6.1.4.1.311.10.3.5, 1.3.6.1.4.1.311.10.3.5.1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOF
}

# new_rsa_key FILE: a fresh RSA-2048 private key (PEM) in FILE.
new_rsa_key() {
    openssl genpkey -quiet -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1"
}

# issue_cert CADIR DIR NAME SUBJECT ISSUER EXTENSIONS START END [DIGEST]
#   Certificate DIR/NAME.pem for the key DIR/NAME.key (made when missing) with the subject SUBJECT
#   (an `openssl req -subj` string in UTF-8, kept as given by -preserveDN, so that EV attributes
#   such as jurisdictionC survive the CA policy), issued by DIR/ISSUER.{pem,key}, or self-signed
#   when ISSUER is "self", with the extension section EXTENSIONS of CADIR/ca.cnf (make_ca_config),
#   valid START..END (YYYYMMDDhhmmssZ: explicit dates, so samples verify the same way on any day),
#   signed with DIGEST (default sha256, e.g. sha384).
issue_cert() {
    local cadir=$1 dir=$2 name=$3 subj=$4 issuer=$5 ext=$6 start=$7 end=$8 md=${9:-sha256}
    local signing=(-cert "$dir/$issuer.pem" -keyfile "$dir/$issuer.key")
    [[ $issuer == self ]] && signing=(-selfsign -keyfile "$dir/$name.key")
    [[ -f $dir/$name.key ]] || new_rsa_key "$dir/$name.key"
    openssl req -new -utf8 -key "$dir/$name.key" -subj "$subj" -out "$dir/$name.csr"
    openssl ca -batch -notext -preserveDN -utf8 -config "$cadir/ca.cnf" "${signing[@]}" -md "$md" -in "$dir/$name.csr" \
        -out "$dir/$name.pem" -extensions "$ext" -startdate "$start" -enddate "$end" 2>"$dir/$name.err" ||
        { echo "issue_cert $name: $(cat "$dir/$name.err")" >&2; return 1; }
}

# sign_catalog CERT KEY CHAIN CTL OUT [CMS_COPY]: the Windows catalog OUT whose content is the CTL
# contents octets CTL (tools/make_catalog.py ctl), signed by CERT/KEY with the certificates of CHAIN
# in its certificate bag (CHAIN "-": the signer's alone) by openssl cms, then rewritten into the
# form Windows stores (make_catalog.py winform). CMS_COPY, if given, keeps openssl's own form.
sign_catalog() {
    local tools chain=()
    tools=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
    [[ $3 == - ]] || chain=(-certfile "$3")
    openssl cms -sign -binary -nodetach -nosmimecap -md sha256 -outform DER \
        -econtent_type 1.3.6.1.4.1.311.10.1 -signer "$1" -inkey "$2" "${chain[@]}" -in "$4" -out "$5.p7"
    "${PYTHON:-python3}" "$tools/make_catalog.py" winform "$5.p7" "$5"
    if [[ -n ${6:-} ]]; then mv "$5.p7" "$6"; else rm -f "$5.p7"; fi
}
