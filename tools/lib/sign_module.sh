# shellcheck shell=bash
# Shared by tools/make_modsig_samples.sh and tools/make_hostile_samples.sh: sign a Linux kernel
# module the way the kernel's scripts/sign-file does. Source it; it defines functions only.

# sign_module IN OUT KEY CERT [openssl cms options...]
#   OUT = IN + the PKCS#7 signature (openssl cms -sign -binary -outform DER, plus the options, e.g.
#   -noattr -nocerts -md sha256 as sign-file uses) + struct module_signature (algo, hash, id_type 2 =
#   PKCS#7, signer_len, key_id_len, pad[3], big-endian sig_len) + "~Module signature appended~\n".
sign_module() {
    local in=$1 out=$2 key=$3 cert=$4
    shift 4
    openssl cms -sign -binary -outform DER -in "$in" -signer "$cert" -inkey "$key" -out "$out.p7s" "$@"
    "${PYTHON:-python3}" - "$in" "$out.p7s" "$out" <<'PY'
import struct, sys
content = open(sys.argv[1], 'rb').read()
sig = open(sys.argv[2], 'rb').read()
trailer = struct.pack('>BBBBB3xI', 0, 0, 2, 0, 0, len(sig))
open(sys.argv[3], 'wb').write(content + sig + trailer + b'~Module signature appended~\n')
PY
    rm -f "$out.p7s"
}
