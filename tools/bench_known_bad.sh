#!/usr/bin/env bash
# tools/bench_known_bad.sh — what the known-bad driver feeds cost (issue 17).
#
# usage: tools/bench_known_bad.sh [--build DIR] [SOURCE [TREE]]
#   SOURCE  public data laid out like ../shared/data (default: ../shared/data beside the repository)
#   TREE    real files whose PE files price the extra file hashes (default: the real tree of
#           tools/fetch_real_tree.sh, when present)
#
# Builds the target trustscan_known_bad_bench (tools/bench_known_bad.cpp, part of the test build)
# in DIR (default build/) and runs it: import time and counts of both data sets, feed load time
# (best of 20), match() cost per file for files that match nothing and for files that do, and the
# PE files' SHA-256 alone vs SHA-256 + SHA-1 + MD5 in one pass. It prints the load average before
# and after: the machine may be shared, say so with the figures.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
BUILD=$ROOT/build
if [[ ${1:-} == --build ]]; then BUILD=$2; shift 2; fi
SOURCE=${1:-$ROOT/../shared/data}
TREE=${2:-${TRUSTSCAN_REAL_TREE:-/var/cache/trustscan/realtree}}
[[ -d $SOURCE ]] || { echo "bench_known_bad: no source directory $SOURCE" >&2; exit 2; }
[[ -d $BUILD ]] || { echo "bench_known_bad: no build directory $BUILD (configure with tests first)" >&2; exit 2; }

cmake --build "$BUILD" --target trustscan_known_bad_bench -j2 >/dev/null
BIN=$(find "$BUILD" -name trustscan_known_bad_bench -type f -perm -u+x | head -1)
echo "bench_known_bad: load before: $(cut -d' ' -f1-3 /proc/loadavg)"
if [[ -d $TREE ]]; then "$BIN" "$SOURCE" "$TREE"; else "$BIN" "$SOURCE"; fi
echo "bench_known_bad: load after: $(cut -d' ' -f1-3 /proc/loadavg)"
