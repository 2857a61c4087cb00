#!/usr/bin/env bash
# pkg_installed: tools/test_deb.sh --library over the packages pkg_deb_build made (installed_test.sh SOURCE_DIR BUILD_DIR).
set -euo pipefail
SRC=$1 BUILD=$2
[[ $(id -u) -eq 0 ]] || { echo "SKIP: needs root (debootstrap, chroot, mount)"; exit 77; }
exec "$SRC/tools/test_deb.sh" --library --debs "$BUILD/package" "$BUILD"
