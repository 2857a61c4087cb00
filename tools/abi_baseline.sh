#!/usr/bin/env bash
# Regenerates abi/libtrustscan.so.1.abi, the ABI baseline the test capi_abi compares the library
# with (docs/library.md, "ABI baseline"): abidw over the built library, restricted to the types
# reachable from include/trustscan/, without paths or source locations (identical on every checkout).
#
#   tools/abi_baseline.sh [BUILD_DIR]     (default: build; a RelWithDebInfo or Debug build)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
command -v abidw >/dev/null || { echo "abi_baseline: abidw is missing (apt-get install abigail-tools)" >&2; exit 1; }
readelf -S "$BUILD/libtrustscan.so.1" | grep '\.debug_info' >/dev/null \
  || { echo "abi_baseline: $BUILD/libtrustscan.so.1 has no debug information (build RelWithDebInfo)" >&2; exit 1; }
mkdir -p abi
# comp-dir-path: the build directory, which abidiff does not compare.
abidw --exported-interfaces-only --headers-dir "$PWD/include/trustscan" --drop-private-types --no-corpus-path --no-show-locs \
      "$BUILD/libtrustscan.so.1" | sed "s| comp-dir-path='[^']*'||" >abi/libtrustscan.so.1.abi
echo "abi_baseline: wrote abi/libtrustscan.so.1.abi ($(grep -c '<function-decl' abi/libtrustscan.so.1.abi) functions)"
