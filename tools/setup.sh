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
# shellcheck source=lib/apt_sources.sh
source tools/lib/apt_sources.sh

BUILD_DEPS=(cmake g++ make pkg-config dpkg-dev liblief-dev libyara-dev libssl-dev libcli11-dev catch2
            nlohmann-json3-dev liblzma-dev libzstd-dev zlib1g-dev liblz4-dev libyaml-dev libhivex-dev
            libsqlite3-dev libtsk-dev libexpat1-dev libcurl4-openssl-dev libicu-dev libewf-dev)
# libtsk-dev (The Sleuth Kit 4.11) reads disk image files (issue 10); at run time the binary needs
# libtsk19, which pulls in libewf2 (E01), libvmdk1 and libvhdi1 (dpkg-shlibdeps puts it in Depends).
# libewf-dev (libewf 20140813, the library libtsk reads E01 with): an E01's stored MD5/SHA-1 of
# the acquired media (issue 20; scanner/image/ewf_hashes.cpp).
# libexpat1-dev reads Microsoft's driver block rules (SiPolicy XML) at `trustscan data import`.
# libcurl4-openssl-dev: `trustscan data update` fetches the public data sets over HTTPS (issue 16).
# dpkg-dev: dpkg-buildflags gives the hardening flags of optimised builds (cmake/hardening.cmake).
# libicu-dev (ICU 72) folds vendor names: NFKC, Unicode case folding, TR39 confusable skeletons
# (issue 15; scanner/attribute/confusables.cpp); at run time the binary needs libicu72.
# Test-time sample builders and checkers: mingw-w64 (PE), clang/lld/llvm (Mach-O), osslsigncode and
# openssl (signed PE), xz/zstd (compressed modules), python3-jsonschema (report schema); packaging
# tests: dpkg-dev (dpkg-shlibdeps for the .deb), systemd (systemd-analyze verify), man-db,
# groff-base, mandoc (the man page and its lint), lintian and devscripts (hardening-check: the
# .deb and its binary), bash-completion and zsh (the completions), python3-yaml and ansible-core
# (the Velociraptor artifact and the Ansible playbook), strace (the unit's system-call filter),
# rsyslog (a private rsyslogd on loopback receives --syslog in tests/cli/syslog_rsyslog_test.sh;
# installing it does not start the system service in a container, and the test never uses it);
# disk images, built as files without mounting or root by tools/make_disk_images.sh: e2fsprogs
# (mke2fs -d), dosfstools + mtools (FAT), ntfs-3g (mkntfs, ntfscp), fdisk (sfdisk: MBR and GPT),
# ewf-tools (ewfacquire: E01), qemu-utils (qemu-img: VMDK, VHD), sleuthkit (fls/mmls, to look
# at a test image by hand; the tests do not need it); the gates (tests/gates, docs/development.md):
# clang-format (14) on changed lines, clang-tidy-16 on changed files (clang-tidy 14 cannot parse
# libstdc++ 12's <expected>), git for what changed.
TEST_DEPS=(gcc binutils gcc-mingw-w64-x86-64 binutils-mingw-w64-x86-64 clang-14 lld-14 llvm-14
           osslsigncode openssl xz-utils zstd gzip lz4 python3 python3-jsonschema file python3-hivex
           dpkg-dev systemd man-db groff-base mandoc lintian devscripts bash-completion zsh python3-yaml ansible-core strace
           rsyslog e2fsprogs dosfstools mtools ntfs-3g fdisk ewf-tools qemu-utils sleuthkit
           clang-format clang-tidy-16 git
           icinga2-bin zabbix-agent2  # issue 19: the monitoring agents tests/cli/check_test.sh runs
           abigail-tools)  # abidiff: the ABI of libtrustscan.so.1 against abi/ (tests/capi)
# Issue 19: promtool (prometheus) and a real node_exporter for the textfile output's test.
TEST_DEPS+=(prometheus prometheus-node-exporter curl)
# The packages installed with apt-get in a Debian 12 chroot (tests/packaging: pkg_installed).
TEST_DEPS+=(debootstrap)

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
    dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep '^install ok installed$' >/dev/null || echo "$p"
  done
}

APT_LOG=/tmp/trustscan-apt.log
SUDO=()
[[ $(id -u) -eq 0 ]] || SUDO=(sudo)
export DEBIAN_FRONTEND=noninteractive

# The signed-PE samples use osslsigncode's built-in time-stamping authority (-TSA-certs, 2.6+):
# bookworm has 2.5, bookworm-backports (Debian's own archive) has 2.9; it comes from there, in
# the same apt-get install as the rest.
# (its help exits 255, so it is read whole before the grep: a pipe would fail under pipefail)
osslsigncode_has_tsa() {
  command -v osslsigncode >/dev/null || return 1
  local help
  help=$(osslsigncode sign -h 2>&1) || true
  grep -q -- '-TSA-certs' <<<"$help"
}

# add_backports CODENAME: a CODENAME-backports source on the URIs (and with the keys) of the
# machine's own sources of CODENAME, /etc/apt/sources.list(.d) in either format
# (tools/lib/apt_sources.sh; no mirror is named here); returns 1 when it is there already.
add_backports() {
  local entry
  [[ -n $(apt_source_entries "$1-backports") ]] && return 1
  entry=$(apt_suite_source "$1" "$1-backports") || { echo "setup: cannot add $1-backports" >&2; exit 1; }
  echo "setup: adding $1-backports ($(grep '^URIs:' <<< "$entry" | cut -d' ' -f2- | tr '\n' ' ')) for osslsigncode with built-in TSA support"
  "${SUDO[@]}" tee /etc/apt/sources.list.d/trustscan-backports.sources <<< "$entry" >/dev/null
}

apt_install() { "${SUDO[@]}" apt-get install -y -q --no-install-recommends "$@" >>"$APT_LOG" 2>&1; }

# install_all PACKAGE...: one apt-get install for all of them (PKG/RELEASE selects a release), with at
# most one apt-get update: first when a source was just added ($added_source), else on failure.
install_all() {
  [[ $# -eq 0 ]] && return 0
  echo "setup: installing $*"
  : >"$APT_LOG"
  if [[ $added_source -eq 0 ]] && apt_install "$@"; then return 0; fi
  "${SUDO[@]}" apt-get update -q >>"$APT_LOG" 2>&1
  apt_install "$@" || { tail -20 "$APT_LOG" >&2; echo "setup: apt-get install failed" >&2; exit 1; }
}

wanted=("${BUILD_DEPS[@]}")
if [[ $want_tests -eq 1 ]]; then
  wanted+=("${TEST_DEPS[@]}")
  # npm fetches the real macOS/Windows binaries of the real-tree tests (Debian's npm, unless a
  # Node.js distribution already provides it).
  command -v npm >/dev/null || wanted+=(npm)
fi
mapfile -t missing < <(missing_packages "${wanted[@]}")
added_source=0
if [[ $want_tests -eq 1 ]] && ! osslsigncode_has_tsa; then
  codename=$(. /etc/os-release && echo "$VERSION_CODENAME")
  if add_backports "$codename"; then added_source=1; fi
  # missing, or installed without TSA: from backports
  mapfile -t missing < <(printf '%s\n' "${missing[@]}" | grep -vx -e osslsigncode -e '')
  missing+=("osslsigncode/$codename-backports")
fi
install_all "${missing[@]}"

if [[ $want_sanitize -eq 1 ]]; then
  BUILD_DIR=${BUILD_DIR:-build-sanitize}
else
  BUILD_DIR=${BUILD_DIR:-build}
fi
JOBS=${JOBS:-$(nproc)}
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DTRUSTSCAN_WERROR="${TRUSTSCAN_WERROR:-OFF}" -DTRUSTSCAN_BUILD_TESTS="$([[ $want_tests -eq 1 ]] && echo ON || echo OFF)" \
      -DTRUSTSCAN_SANITIZE="$([[ $want_sanitize -eq 1 ]] && echo ON || echo OFF)" >/dev/null

if [[ $want_tests -eq 1 ]]; then
  # Real signed binaries from Debian and npm packages (a kernel with its modules, shim, GRUB, fwupd,
  # npm PE and Mach-O files: the "tests" set), fetched once into a cache, used by the real-input
  # tests. The download runs while the build uses the cores; its report follows the build's.
  export TRUSTSCAN_REAL_TREE=${TRUSTSCAN_REAL_TREE:-/var/cache/trustscan/realtree}
  # Fetched below: a test that needs it fails instead of skipping (tests/lib/test_lib.sh).
  export TRUSTSCAN_REQUIRE_REAL_TREE=1
  fetch_out=$(mktemp)
  tools/fetch_real_tree.sh --set tests "$TRUSTSCAN_REAL_TREE" >"$fetch_out" 2>&1 &
  fetch_pid=$!
  trap 'kill "$fetch_pid" 2>/dev/null; rm -f "$fetch_out"' EXIT
fi
cmake --build "$BUILD_DIR" -j "$JOBS"

if [[ $want_tests -eq 1 ]]; then
  fetch_rc=0
  wait "$fetch_pid" || fetch_rc=$?
  trap - EXIT
  cat "$fetch_out"
  rm -f "$fetch_out"
  [[ $fetch_rc -eq 0 ]] || { echo "setup: tools/fetch_real_tree.sh failed (exit $fetch_rc)" >&2; exit 1; }
  ctest --test-dir "$BUILD_DIR" --output-on-failure -j "$JOBS"
fi
