# Shared by the test-time sample builders (tools/make_signed_samples.sh,
# tools/make_vendor_image.sh, tools/make_catalog_samples.sh, tools/make_known_bad_samples.sh):
# a throw-away `openssl ca` for code-signing test certificates, and the check for the tools they
# need. Source it; it defines functions only.

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

# make_ca_config DIR [FIRST_SERIAL]: a minimal `openssl ca` setup whose database lives in DIR
# (extensions: v3_root, v3_codesign, v3_tsa, v3_server).
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
EOF
}
