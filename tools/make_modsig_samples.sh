#!/usr/bin/env bash
# make_modsig_samples.sh OUTDIR
#
# Builds the Linux module-signature and kernel-keyring samples into OUTDIR/modsig/ (run at test
# time by CTest, < 10 s). Every key is a throw-away generated here; nothing is downloaded.
#
#   demo.ko                      ET_REL object with a .modinfo section, unsigned
#   demo-signed.ko               signed like scripts/sign-file: openssl cms -sign -binary -noattr
#                                -nocerts -outform DER -md sha256, then struct module_signature
#                                (id_type 2, big-endian sig_len) and "~Module signature appended~\n"
#   demo-signed.ko.xz / .ko.zst  the same, compressed (the signature is inside the payload)
#   demo-signed-sha512.ko        -md sha512
#   demo-signed-keyid.ko         signer named by subject key id (openssl cms -keyid)
#   demo-signed-attrs.ko         with signed attributes and the certificate embedded
#   demo-signed-tampered.ko      demo-signed.ko with one content byte flipped  -> bad signature
#   demo-signed-truncated.ko     PKCS#7 cut in half, trailer unchanged        -> malformed
#   demo-signed-siglen.ko        sig_len larger than the file                 -> malformed
#   demo-signed-pgp.ko           id_type 0 (PGP), not PKCS#7                  -> malformed
#   demo-other-key.ko            signed with a key that is not in keys/       -> unknown key
#   demo-intree-signed.ko        demo.ko with modinfo intree=Y, signed like demo-signed.ko (an
#                                in-tree module of the fake kernels below: rule_scope.hpp)
#   signing_key.pem              certificate of the signing key (also keys/signing_key.pem,
#                                the directory to pass as --module-keys)
#   other_key.pem                certificate of the other key (not in keys/)
#   root-xz/boot/vmlinuz-test    fake bzImage: setup header + xz payload holding signing_key's DER
#   root-gzip/boot/vmlinuz-test, root-zstd/..., root-lz4/...   the same with other compressors
#   root-vmlinux/boot/vmlinux-test   uncompressed ELF-looking kernel holding the certificate
#   root-modules/lib/modules/6.1.0-test/vmlinuz   Fedora layout (gzip)
#   root-symlink/boot -> ../root-xz/boot           must NOT be followed
#   root-symlink2/boot/vmlinuz-test -> ../../root-xz/boot/vmlinuz-test   must NOT be followed
#   root-nocert/boot/vmlinuz-test   xz bzImage without any certificate
#   root-list-xz/boot/vmlinuz-test  xz bzImage whose certificate list (signing_key) ends with the
#                                kernel's trailer (64-bit little-endian sizes); other_key's
#                                certificate before and after the list; 4 MiB of zeros at the end
#   root-list-vmlinux/boot/vmlinux-test   uncompressed; the list is signing_key + other_key, with
#                                32-bit big-endian sizes
#   root-nolist-xz/boot/vmlinuz-test      as root-list-xz, but module_cert_size is not the first
#                                certificate's length: no list recognised, every certificate kept
#
# Requires: bash, gcc, openssl (>= 3), python3, xz, zstd, gzip, lz4.
set -euo pipefail

die() { echo "make_modsig_samples: error: $*" >&2; exit 1; }
[[ $# -eq 1 && -n $1 ]] || die "usage: $0 OUTDIR"
for tool in ${CC:-gcc} openssl python3 xz zstd gzip lz4; do
    command -v "$tool" >/dev/null || die "$tool is required"
done

# shellcheck source=lib/sign_module.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib/sign_module.sh"

OUT=$1/modsig
rm -rf "$OUT"
mkdir -p "$OUT/keys" "$OUT/private"
cd "$OUT"

# ---------------------------------------------------------------- keys (throw-away)
openssl req -new -x509 -newkey rsa:2048 -nodes -sha256 -days 36500 \
    -subj "/O=trustscan tests/CN=trustscan throw-away module signing key" \
    -addext "basicConstraints=critical,CA:FALSE" -addext "keyUsage=digitalSignature" \
    -addext "extendedKeyUsage=codeSigning" \
    -keyout private/signing_key.key -out signing_key.pem 2>/dev/null
openssl req -new -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -sha256 -days 36500 \
    -subj "/O=trustscan tests/CN=trustscan other module key" \
    -keyout private/other_key.key -out other_key.pem 2>/dev/null
cp signing_key.pem keys/signing_key.pem
openssl x509 -in signing_key.pem -outform DER -out private/signing_key.der
openssl x509 -in other_key.pem -outform DER -out private/other_key.der

# ---------------------------------------------------------------- the module
cat > private/demo.c <<'EOF'
/* A kernel-module-shaped relocatable object: .modinfo + init/exit symbols. Never loaded. */
#define MODINFO(tag, value) \
    static const char __modinfo_##tag[] __attribute__((section(".modinfo"), used, aligned(1))) = #tag "=" value
MODINFO(license, "GPL");
MODINFO(author, "trustscan tests");
MODINFO(description, "signature test module");
MODINFO(vermagic, "6.1.0-test SMP preempt mod_unload modversions ");
MODINFO(name, "demo");
int init_module(void) { return 0; }
void cleanup_module(void) {}
EOF
${CC:-gcc} -c -O2 -fno-asynchronous-unwind-tables -o demo.ko private/demo.c
sed 's/^MODINFO(name, "demo");$/&\nMODINFO(intree, "Y");/' private/demo.c > private/demo-intree.c
grep -q 'MODINFO(intree, "Y")' private/demo-intree.c || die "intree line not added"
${CC:-gcc} -c -O2 -fno-asynchronous-unwind-tables -o private/demo-intree.ko private/demo-intree.c

# sign IN OUT KEY CERT [extra openssl cms options...]: the scripts/sign-file recipe (tools/lib/sign_module.sh).
sign() { sign_module "$@"; }
K=private/signing_key.key
sign demo.ko demo-signed.ko "$K" signing_key.pem -noattr -nocerts -md sha256
sign demo.ko demo-signed-sha512.ko "$K" signing_key.pem -noattr -nocerts -md sha512
sign demo.ko demo-signed-keyid.ko "$K" signing_key.pem -noattr -nocerts -md sha256 -keyid
sign demo.ko demo-signed-attrs.ko "$K" signing_key.pem -md sha256
sign demo.ko demo-other-key.ko private/other_key.key other_key.pem -noattr -nocerts -md sha256
sign private/demo-intree.ko demo-intree-signed.ko "$K" signing_key.pem -noattr -nocerts -md sha256
xz -k -c --check=crc32 demo-signed.ko > demo-signed.ko.xz
zstd -q -c demo-signed.ko > demo-signed.ko.zst

python3 - <<'EOF'
import struct
MAGIC = b'~Module signature appended~\n'
signed = open('demo-signed.ko', 'rb').read()
content_len = len(open('demo.ko', 'rb').read())
sig_len = struct.unpack('>I', signed[-len(MAGIC) - 4:-len(MAGIC)])[0]
sig = signed[content_len:content_len + sig_len]

# One byte of the signed content flipped (inside .text/.modinfo, far from the trailer).
b = bytearray(signed); b[content_len // 2] ^= 0x01
open('demo-signed-tampered.ko', 'wb').write(bytes(b))

# PKCS#7 cut in half; the trailer still claims the full sig_len (which still fits in the file,
# so the CMS parser sees half a structure).
half = sig[:sig_len // 2]
open('demo-signed-truncated.ko', 'wb').write(signed[:content_len] + half + signed[content_len + sig_len:])

# sig_len far larger than the file.
t = bytearray(signed); t[-len(MAGIC) - 4:-len(MAGIC)] = struct.pack('>I', 0x7fffffff)
open('demo-signed-siglen.ko', 'wb').write(bytes(t))

# id_type 0 (the old PGP format).
p = bytearray(signed); p[-len(MAGIC) - 12 + 2] = 0
open('demo-signed-pgp.ko', 'wb').write(bytes(p))
EOF

# ---------------------------------------------------------------- fake kernel images
# A "vmlinux": ELF magic, noise, the certificate list (the DER certificate), noise.
python3 - <<'EOF'
import random
random.seed(4)
der = open('private/signing_key.der', 'rb').read()
noise = lambda n: bytes(random.getrandbits(8) for _ in range(n))
# Sprinkle decoys that look like certificate starts (30 82 .. .. 30 82) but are not.
decoy = b'\x30\x82\x01\x00\x30\x82\x00\xf0' + noise(300)
body = b'\x7fELF' + noise(60000) + decoy + noise(1000) + der + b'\0' * 4096 + noise(30000)
open('private/vmlinux', 'wb').write(body)

# Kernels whose certificate list ends as certs/system_certificates.S (Linux >= 5.13) ends it:
# zero padding to 8 bytes, system_certificate_list_size, module_cert_size (the first
# certificate's length). Only the list holds keys: the other key's certificate before it (as a
# self-test's) and after it (as a revocation list's) is none, and the search stops at the list.
import struct
other = open('private/other_key.der', 'rb').read()
def pad8(b): return b + b'\0' * (-len(b) % 8)
def kernel(cert_list, trailer, tail):
    head = pad8(b'\x7fELF' + noise(20000) + other + noise(1000))
    return pad8(head + cert_list) + trailer + noise(2000) + other + tail
lst = der
open('private/vmlinux-list64', 'wb').write(kernel(lst, struct.pack('<QQ', len(lst), len(der)), b'\0' * (4 << 20)))
lst = der + other
open('private/vmlinux-list32be', 'wb').write(kernel(lst, struct.pack('>II', len(lst), len(der)), noise(3000)))
lst = der  # module_cert_size that is not the first certificate's length: not the list's trailer
open('private/vmlinux-nolist', 'wb').write(kernel(lst, struct.pack('<QQ', len(lst), len(der) + 1), b'\0' * (4 << 20)))
EOF

# bzimage PAYLOAD OUT: a minimal x86 boot sector + setup header (boot protocol 2.15) pointing at
# the compressed payload, as arch/x86/boot/tools/build.c lays it out.
bzimage() {
    python3 - "$1" "$2" <<'EOF'
import struct, sys
payload = open(sys.argv[1], 'rb').read()
setup_sects = 4
img = bytearray(512 * (setup_sects + 1))
img[0x1f1] = setup_sects
img[0x1fe:0x200] = b'\x55\xaa'
img[0x202:0x206] = b'HdrS'
img[0x206:0x208] = struct.pack('<H', 0x020f)
head = b'\x90' * 0x200            # stand-in for the decompressor stub before the payload
payload_offset = len(head)
img[0x248:0x24c] = struct.pack('<I', payload_offset)
img[0x24c:0x250] = struct.pack('<I', len(payload))
open(sys.argv[2], 'wb').write(bytes(img) + head + payload + b'\0' * 64)
EOF
}
mkdir -p root-xz/boot root-gzip/boot root-zstd/boot root-lz4/boot root-vmlinux/boot \
         root-modules/lib/modules/6.1.0-test root-symlink root-symlink2/boot root-nocert/boot \
         root-list-xz/boot root-list-vmlinux/boot root-nolist-xz/boot
xz -c --check=crc32 private/vmlinux > private/vmlinux.xz
gzip -9 -n -c private/vmlinux > private/vmlinux.gz
zstd -q -19 -c private/vmlinux > private/vmlinux.zst
lz4 -q -l -9 -c private/vmlinux > private/vmlinux.lz4
bzimage private/vmlinux.xz root-xz/boot/vmlinuz-test
bzimage private/vmlinux.gz root-gzip/boot/vmlinuz-test
bzimage private/vmlinux.zst root-zstd/boot/vmlinuz-test
bzimage private/vmlinux.lz4 root-lz4/boot/vmlinuz-test
cp private/vmlinux root-vmlinux/boot/vmlinux-test
xz -c --check=crc32 private/vmlinux-list64 > private/vmlinux-list64.xz
bzimage private/vmlinux-list64.xz root-list-xz/boot/vmlinuz-test
cp private/vmlinux-list32be root-list-vmlinux/boot/vmlinux-test
xz -c --check=crc32 private/vmlinux-nolist > private/vmlinux-nolist.xz
bzimage private/vmlinux-nolist.xz root-nolist-xz/boot/vmlinuz-test
cp private/vmlinux.gz root-modules/lib/modules/6.1.0-test/vmlinuz
ln -s ../root-xz/boot root-symlink/boot
ln -s ../../root-xz/boot/vmlinuz-test root-symlink2/boot/vmlinuz-test
head -c 70000 /dev/zero | tr '\0' 'k' | xz -c --check=crc32 > private/nocert.xz
bzimage private/nocert.xz root-nocert/boot/vmlinuz-test

rm -f private/*.xz private/*.gz private/*.zst private/*.lz4 private/vmlinux-*list*
echo "make_modsig_samples: $(find . -type f | wc -l) files in $OUT"
