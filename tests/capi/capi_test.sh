#!/usr/bin/env bash
# libtrustscan tests, one per invocation: capi_test.sh TRUSTSCAN LIBRARY SOURCE_DIR BUILD_DIR TEST_NAME
# The exported symbols, the SONAME, the ABI against the committed baseline, the API's behaviour,
# and the sample programs built against the installed .deb packages (issue 19).
set -euo pipefail
TS=$1 LIB=$2 SRC=$3 BUILD=$4 NAME=$5
WORK=$(mktemp -d /tmp/trustscan-capi.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
# shellcheck source=../lib/test_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/test_lib.sh"
BASELINE=$SRC/abi/libtrustscan.so.1.abi
# The roots both the CLI and the samples scan: synthetic binaries with findings, and real ones
# (tools/fetch_real_tree.sh; without it a skip, in CI a failure).
REAL=${TRUSTSCAN_REAL_TREE:-/var/cache/trustscan/realtree}
ROOTS=("$BUILD/vendor-samples" "$BUILD/samples/signed" "$REAL/usr/lib")  # usr/lib: signed EFI images

# The functions trustscan.h declares (TS_API ... ts_name(): the name before the parenthesis), sorted, one per line.
declared() { grep -oE '^TS_API [^(]*\bts_[a-z_0-9]+\(' "$SRC/include/trustscan/trustscan.h" | grep -oE 'ts_[a-z_0-9]+\($' | tr -d '(' | sort; }

# install_debs DIR: the three packages of pkg_deb_build unpacked into DIR (a root of their own).
install_debs() {
  local version arch p deb
  version=$("$TS" --version | head -1 | cut -d' ' -f2) arch=$(dpkg --print-architecture)
  for p in trustscan libtrustscan1 libtrustscan-dev; do
    deb=$BUILD/package/${p}_${version}_${arch}.deb
    [[ -f $deb ]] || fail "no $deb (made by the test pkg_deb_build): $(ls "$BUILD/package" 2>&1 | tr '\n' ' ')"
    dpkg-deb -x "$deb" "$1"
  done
}

# cli_records NDJSON JSON ROOT...: the CLI's NDJSON and JSON reports of ROOT...
cli_records() {
  local ndjson=$1 report=$2
  shift 2
  env -u TRUSTSCAN_DATA_DIR "$TS" scan -o ndjson="$ndjson" -o json="$report" "$@" >/dev/null 2>"$WORK/cli.err" || {
    rc=$?; [[ $rc -le 2 ]] || { cat "$WORK/cli.err" >&2; fail "trustscan scan exited $rc"; }; }
}

case $NAME in
exports)
  # Only the documented ts_ functions are exported: no C++, no third-party symbol.
  need nm binutils
  nm -D --defined-only "$LIB" | awk '{ print $NF }' | sed 's/@.*//' | sort -u >"$WORK/exported"
  declared >"$WORK/declared"
  [[ $(wc -l <"$WORK/declared") -ge 15 ]] || fail "too few functions parsed from trustscan.h"
  grep -vx 'LIBTRUSTSCAN_1' "$WORK/exported" >"$WORK/functions" || true
  diff -u "$WORK/declared" "$WORK/functions" >&2 || fail "exports (+) differ from trustscan.h's functions (-)"
  # Each is a function (T) of version LIBTRUSTSCAN_1.
  ! nm -D --defined-only "$LIB" | grep -v ' A LIBTRUSTSCAN_1' | grep -vE ' T ts_[a-z_0-9]+@@LIBTRUSTSCAN_1$' >&2 \
    || fail "a defined dynamic symbol that is not a versioned ts_ function" ;;
soname)
  need readelf binutils
  readelf -d "$LIB" | grep -F '(SONAME)' | grep -F '[libtrustscan.so.1]' >/dev/null || fail "SONAME is not libtrustscan.so.1"
  [[ $(readlink "$BUILD/libtrustscan.so.1") == libtrustscan.so.1.0.0 && -f $BUILD/libtrustscan.so.1.0.0 ]] \
    || fail "libtrustscan.so.1 is not a link to libtrustscan.so.1.0.0"
  [[ $(readlink "$BUILD/libtrustscan.so") == libtrustscan.so.1 ]] || fail "libtrustscan.so is not a link to .so.1"
  grep -qE '^#define TS_ABI_VERSION 1$' "$SRC/include/trustscan/trustscan.h" || fail "TS_ABI_VERSION is not the SONAME's 1"
  # No executable stack, no text relocations.
  ! readelf -d "$LIB" | grep TEXTREL >/dev/null || fail "text relocations"
  readelf -lW "$LIB" | grep GNU_STACK | grep ' RW ' >/dev/null || fail "executable stack" ;;
abi)
  # abidiff against the committed baseline: an incompatible change (abidiff's bit 8) or an error
  # fails; a compatible change (bit 4: a function added) passes with a request to update the
  # baseline. Updating it on purpose: docs/library.md, "ABI baseline".
  need abidiff abigail-tools
  [[ -f $BASELINE ]] || fail "no baseline $BASELINE"
  readelf -S "$LIB" | grep '\.debug_info' >/dev/null || fail "$LIB has no debug information (build RelWithDebInfo): abidiff needs it"
  set +e
  abidiff --fail-no-debug-info --exported-interfaces-only --drop-private-types --headers-dir2 "$SRC/include/trustscan" "$BASELINE" "$LIB" >"$WORK/abidiff" 2>&1
  rc=$?
  set -e
  cat "$WORK/abidiff"
  (( rc & 8 )) && fail "incompatible ABI change against $BASELINE"
  (( rc & 3 )) && fail "abidiff failed ($rc)"
  (( rc & 4 )) && echo "NOTE: compatible ABI change: update the baseline (docs/library.md)"
  # Without the API's types in the DWARF (scanner/capi built with line tables only, -g1) abidiff
  # sees every function lose its parameters and calls that compatible: count them (a function
  # added adds some).
  params() { awk "/<function-decl name='ts_/ {f = 1} f && /<parameter/ {n++} /<\/function-decl>/ {f = 0} END {print n + 0}" "$1"; }
  abidw --no-show-locs "$LIB" >"$WORK/built.abi"
  (( $(params "$WORK/built.abi") >= $(params "$BASELINE") )) \
    || fail "the API's functions have $(params "$WORK/built.abi") parameters in $LIB's debug information, $(params "$BASELINE") in the baseline: build scanner/capi with -g (cmake/debug_info.cmake)"
  # The check can fail: a baseline with a function the library lacks is an incompatible change.
  sed 's/ts_version/ts_version_gone/g' "$BASELINE" >"$WORK/changed.abi"
  set +e; abidiff --exported-interfaces-only --drop-private-types --headers-dir2 "$SRC/include/trustscan" "$WORK/changed.abi" "$LIB" >/dev/null 2>&1; rc=$?; set -e
  (( rc & 8 )) || fail "abidiff did not notice a removed function (rc $rc)" ;;
api)
  "$PY" "$SRC/tests/capi/api_test.py" "$LIB" "$TS" "$BUILD/vendor-samples" ;;
c_sample)
  # Acceptance 1 of issue 19: samples/c/scan_threads.c built with the installed -dev package's
  # pkg-config flags, two threads on one context, the CLI's records. The packages are unpacked
  # into a private root (dpkg-deb -x), found through PKG_CONFIG_SYSROOT_DIR and LD_LIBRARY_PATH.
  need cc gcc; need pkg-config pkg-config; need dpkg-deb dpkg
  [[ -d $REAL/boot && -d $REAL/opt ]] || skip_without_real_tree "no real-binary tree at $REAL (tools/fetch_real_tree.sh)"
  install_debs "$WORK/root"
  pc=$(find "$WORK/root" -name trustscan.pc) && [[ -n $pc ]] || fail "no trustscan.pc in the packages"
  export PKG_CONFIG_SYSROOT_DIR=$WORK/root PKG_CONFIG_LIBDIR=${pc%/*} PKG_CONFIG_SYSTEM_INCLUDE_PATH= PKG_CONFIG_SYSTEM_LIBRARY_PATH=
  flags=$(pkg-config --cflags --libs trustscan) || fail "pkg-config --cflags --libs trustscan"
  echo "pkg-config: $flags"
  [[ $flags == *"-I$WORK/root/usr/include"* && $flags == *-ltrustscan* ]] || fail "flags do not name the installed tree"
  # shellcheck disable=SC2086  # the flags are words
  cc -std=c99 -Wall -Werror "$SRC/samples/c/scan_threads.c" $flags -o "$WORK/scan_threads" \
    || fail "samples/c/scan_threads.c does not build against the packages"
  libdir=$(dirname "$(find "$WORK/root" -name libtrustscan.so.1)")
  [[ $(LD_LIBRARY_PATH=$libdir ldd "$WORK/scan_threads" | grep libtrustscan) == *"$libdir/libtrustscan.so.1"* ]] \
    || fail "the sample does not load the packaged library"
  env -u TRUSTSCAN_DATA_DIR LD_LIBRARY_PATH="$libdir" "$WORK/scan_threads" "${ROOTS[@]}" >"$WORK/lib.ndjson" 2>"$WORK/err" \
    || { cat "$WORK/err" >&2; fail "scan_threads exited non-zero"; }
  cli_records "$WORK/cli.ndjson" "$WORK/cli.json" "${ROOTS[@]}"
  "$PY" "$SRC/tests/capi/compare_records.py" "$WORK/cli.ndjson" "$WORK/lib.ndjson" --min-findings 1 \
    --report "$WORK/cli.json" || fail "records differ"
  # The packaged library reads the packaged data (<prefix>/share/trustscan beside <prefix>/lib/<multiarch>):
  # a broken policy there is what it complains about.
  policy=$WORK/root/usr/share/trustscan/rules/policy/default.yaml
  printf 'name: broken\nno_such_key: 1\n' >"$policy"
  ! env -u TRUSTSCAN_DATA_DIR LD_LIBRARY_PATH="$libdir" "$WORK/scan_threads" "${ROOTS[0]}" >/dev/null 2>"$WORK/err" \
    || fail "a broken packaged policy was not noticed"
  grep -q "$policy" "$WORK/err" || fail "the packaged library does not use the packaged data: $(cat "$WORK/err")" ;;
python_sample)
  # samples/python/scan.py (ctypes) over the packaged library: the CLI's records, whole, for the
  # synthetic samples and the whole real tree as one root (its boot/ kernels' keys verify its
  # modules: issue 19, acceptance 4).
  need dpkg-deb dpkg
  [[ -d $REAL/boot && -d $REAL/opt ]] || skip_without_real_tree "no real-binary tree at $REAL (tools/fetch_real_tree.sh)"
  install_debs "$WORK/root"
  so=$(find "$WORK/root" -name libtrustscan.so.1) && [[ -n $so ]] || fail "no libtrustscan.so.1 in the packages"
  roots=("${ROOTS[@]:0:2}" "$REAL")
  env -u TRUSTSCAN_DATA_DIR TRUSTSCAN_LIBRARY="$so" "$PY" "$SRC/samples/python/scan.py" "${roots[@]}" >"$WORK/lib.ndjson" 2>"$WORK/err" \
    || { cat "$WORK/err" >&2; fail "scan.py exited non-zero"; }
  cli_records "$WORK/cli.ndjson" "$WORK/cli.json" "${roots[@]}"
  "$PY" "$SRC/tests/capi/compare_records.py" "$WORK/cli.ndjson" "$WORK/lib.ndjson" --min-findings 1 \
    --report "$WORK/cli.json" || fail "records differ" ;;
deb)
  # The runtime and -dev packages as Debian splits a library, lintian-clean (errors and warnings).
  need lintian; need dpkg-deb dpkg
  version=$("$TS" --version | head -1 | cut -d' ' -f2) arch=$(dpkg --print-architecture)
  RUN=$BUILD/package/libtrustscan1_${version}_${arch}.deb DEV=$BUILD/package/libtrustscan-dev_${version}_${arch}.deb
  [[ -f $RUN && -f $DEV ]] || fail "no $RUN or $DEV (made by pkg_deb_build)"
  dpkg-deb -c "$RUN" | awk '{ print $6 ($7 ? " " $7 " " $8 : "") }' >"$WORK/run"
  dpkg-deb -c "$DEV" | awk '{ print $6 ($7 ? " " $7 " " $8 : "") }' >"$WORK/dev"
  cat "$WORK/run" "$WORK/dev"
  grep -qE '/libtrustscan\.so\.1\.0\.0$' "$WORK/run" || fail "libtrustscan1 lacks libtrustscan.so.1.0.0"
  grep -qE '/libtrustscan\.so\.1 -> libtrustscan\.so\.1\.0\.0$' "$WORK/run" || fail "libtrustscan1 lacks the .so.1 link"
  ! grep -qE '\.(h|pc)$|/libtrustscan\.so ' "$WORK/run" || fail "development files in libtrustscan1"
  grep -qE '/libtrustscan\.so -> libtrustscan\.so\.1$' "$WORK/dev" || fail "libtrustscan-dev lacks the .so link"
  grep -qx './usr/include/trustscan/trustscan.h' "$WORK/dev" || fail "libtrustscan-dev lacks trustscan.h"
  grep -qE '/pkgconfig/trustscan\.pc$' "$WORK/dev" || fail "libtrustscan-dev lacks trustscan.pc"
  ! awk '{ print $1 }' "$WORK/dev" | grep -E 'bin/|\.so\.[0-9]' >/dev/null || fail "runtime files in libtrustscan-dev"
  [[ $(dpkg-deb -f "$RUN" Section) == libs && $(dpkg-deb -f "$DEV" Section) == libdevel ]] || fail "sections"
  # Each package has its own synopsis (the first line of Description).
  [[ $(dpkg-deb -f "$RUN" Description | head -1) == "trustscan scanning library (C API)" ]] || fail "libtrustscan1 synopsis"
  [[ $(dpkg-deb -f "$DEV" Description | head -1) == "trustscan scanning library (development files)" ]] || fail "-dev synopsis"
  [[ $(dpkg-deb -f "$DEV" Depends) == *"libtrustscan1 (= $version)"* ]] || fail "-dev does not depend on libtrustscan1 (= $version)"
  dpkg-deb --ctrl-tarfile "$RUN" | tar -x -C "$WORK" -f - ./shlibs ./triggers
  grep -qx "libtrustscan 1 libtrustscan1 (>= $version)" "$WORK/shlibs" || fail "shlibs: $(cat "$WORK/shlibs")"
  grep -qx 'activate-noawait ldconfig' "$WORK/triggers" || fail "no ldconfig trigger"
  set +e
  lintian --no-cfg --display-info --fail-on error,warning "$RUN" "$DEV" >"$WORK/lintian" 2>"$WORK/lintian.err"
  rc=$?
  set -e
  cat "$WORK/lintian"
  ! grep -E '^[EW]: ' "$WORK/lintian" >/dev/null || fail "lintian: $(grep -cE '^E: ' "$WORK/lintian") errors, $(grep -cE '^W: ' "$WORK/lintian") warnings"
  [[ $rc == 0 ]] || { cat "$WORK/lintian.err" >&2; fail "lintian exited $rc"; } ;;
*) fail "unknown test $NAME" ;;
esac
echo "ok: $NAME"
