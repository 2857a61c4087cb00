#!/usr/bin/env bash
# Installs what trustscan needs from Debian 12 packages (only what is missing), configures and
# builds it in build/. With --test it also installs the test tools and runs the whole suite.
#
#   tools/setup.sh                    # build only       (then: build/trustscan scan /)
#   tools/setup.sh --test             # build + all tests (what .ci/run calls)
#   tools/setup.sh --test --sanitize  # the same with ASan+UBSan, in build-sanitize/ (docs/fuzzing.md)
#
# Environment: BUILD_DIR (default build, build-sanitize with --sanitize), TRUSTSCAN_WERROR=ON
# (warnings are errors; CI sets it), JOBS (default: nproc).
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD_DEPS=(cmake g++ make pkg-config liblief-dev libyara-dev libssl-dev libcli11-dev catch2
            nlohmann-json3-dev liblzma-dev libzstd-dev zlib1g-dev liblz4-dev libyaml-cpp-dev libhivex-dev
            libsqlite3-dev libtsk-dev libicu-dev)
# libicu-dev (ICU 72) folds vendor names: NFKC, Unicode case folding, TR39 confusable skeletons
# (issue 15; scanner/attribute/confusables.cpp); at run time the binary needs libicu72.
# libtsk-dev (The Sleuth Kit 4.11) reads disk image files (issue 10); at run time the binary needs
# libtsk19, which pulls in libewf2 (E01), libvmdk1 and libvhdi1 (dpkg-shlibdeps puts it in Depends).
# Test-time sample builders and checkers: mingw-w64 (PE), clang/lld/llvm (Mach-O), osslsigncode and
# openssl (signed PE), xz/zstd (compressed modules), python3-jsonschema (report schema); packaging
# tests: dpkg-dev (dpkg-shlibdeps for the .deb), systemd (systemd-analyze verify), man-db and
# groff-base (the man page), bash-completion and zsh (the completions), python3-yaml and ansible-core
# (the Velociraptor artifact and the Ansible playbook), strace (the unit's system-call filter),
# rsyslog (a private rsyslogd on loopback receives --syslog in tests/cli/syslog_rsyslog_test.sh;
# installing it does not start the system service in a container, and the test never uses it);
# disk images, built as files without mounting or root by tools/make_disk_images.sh: e2fsprogs
# (mke2fs -d), dosfstools + mtools (FAT), ntfs-3g (mkntfs, ntfscp), fdisk (sfdisk: MBR and GPT),
# ewf-tools (ewfacquire: E01), qemu-utils (qemu-img: VMDK, VHD), sleuthkit (fls/mmls, to look
# at a test image by hand; the tests do not need it).
TEST_DEPS=(gcc binutils gcc-mingw-w64-x86-64 binutils-mingw-w64-x86-64 clang-14 lld-14 llvm-14
           osslsigncode openssl xz-utils zstd gzip lz4 python3 python3-jsonschema file python3-hivex
           dpkg-dev systemd man-db groff-base bash-completion zsh python3-yaml ansible-core strace
           rsyslog e2fsprogs dosfstools mtools ntfs-3g fdisk ewf-tools qemu-utils sleuthkit)

want_tests=0
want_sanitize=0
for arg in "$@"; do
  case $arg in
    --test) want_tests=1 ;;
    --sanitize) want_sanitize=1 ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "setup.sh: unknown argument '$arg'" >&2; exit 2 ;;
  esac
done

missing_packages() {
  local p
  for p in "$@"; do
    dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' || echo "$p"
  done
}

install_missing() {
  local missing
  mapfile -t missing < <(missing_packages "$@")
  [[ ${#missing[@]} -eq 0 ]] && return 0
  echo "setup: installing ${missing[*]}"
  local sudo=()
  [[ $(id -u) -eq 0 ]] || sudo=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  if ! "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" >/tmp/trustscan-apt.log 2>&1; then
    "${sudo[@]}" apt-get update -q >>/tmp/trustscan-apt.log 2>&1
    "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" >>/tmp/trustscan-apt.log 2>&1 \
      || { tail -20 /tmp/trustscan-apt.log >&2; echo "setup: apt-get install failed" >&2; exit 1; }
  fi
}

# The signed-PE samples use osslsigncode's built-in time-stamping authority (-TSA-certs, 2.6+):
# bookworm has 2.5, bookworm-backports (Debian's own archive) has 2.9.
ensure_osslsigncode_tsa() {
  osslsigncode sign -h 2>&1 | grep -q -- '-TSA-certs' && return 0
  echo "setup: installing osslsigncode from bookworm-backports (built-in TSA support)"
  local sudo=()
  [[ $(id -u) -eq 0 ]] || sudo=(sudo)
  printf 'Types: deb\nURIs: http://deb.debian.org/debian\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
    | "${sudo[@]}" tee /etc/apt/sources.list.d/trustscan-backports.sources >/dev/null
  "${sudo[@]}" apt-get update -q >>/tmp/trustscan-apt.log 2>&1
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q -t bookworm-backports osslsigncode \
    >>/tmp/trustscan-apt.log 2>&1 || { tail -20 /tmp/trustscan-apt.log >&2; exit 1; }
}

install_missing "${BUILD_DEPS[@]}"
if [[ $want_tests -eq 1 ]]; then
  install_missing "${TEST_DEPS[@]}"
  ensure_osslsigncode_tsa
  # npm fetches the real macOS/Windows binaries of the real-tree tests (Debian's npm, unless a
  # Node.js distribution already provides it).
  command -v npm >/dev/null || install_missing npm
fi

if [[ $want_sanitize -eq 1 ]]; then
  BUILD_DIR=${BUILD_DIR:-build-sanitize}
else
  BUILD_DIR=${BUILD_DIR:-build}
fi
JOBS=${JOBS:-$(nproc)}
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DTRUSTSCAN_WERROR="${TRUSTSCAN_WERROR:-OFF}" -DTRUSTSCAN_BUILD_TESTS="$([[ $want_tests -eq 1 ]] && echo ON || echo OFF)" \
      -DTRUSTSCAN_SANITIZE="$([[ $want_sanitize -eq 1 ]] && echo ON || echo OFF)" >/dev/null
cmake --build "$BUILD_DIR" -j "$JOBS"

if [[ $want_tests -eq 1 ]]; then
  # Real signed binaries from Debian and npm packages (kernel modules + vmlinuz, shim, grub, wine PE,
  # Mach-O): fetched once into a cache, used by the real-input tests.
  export TRUSTSCAN_REAL_TREE=${TRUSTSCAN_REAL_TREE:-/var/cache/trustscan/realtree}
  tools/fetch_real_tree.sh "$TRUSTSCAN_REAL_TREE"
  ctest --test-dir "$BUILD_DIR" --output-on-failure -j "$JOBS"
fi
