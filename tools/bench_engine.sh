#!/usr/bin/env bash
# tools/bench_engine.sh — the engine loaded once, 1,000 single files one scan each, against one
# scan of a tree holding the same files (issue 19: target < 2x).
#
# usage: tools/bench_engine.sh [--build DIR] [--files N] [--threads N] [TREE]
#   TREE  where the files are taken from (default: the real tree, /var/cache/trustscan/realtree,
#         tools/fetch_real_tree.sh); N files (default 1000) spread evenly over its sorted file
#         list, so binaries and non-binaries in their real mix
#
# The files are copied (with their relative paths) into a private temporary directory, removed at
# the end; both ways scan those copies. Builds trustscan_engine_bench (tools/bench_engine.cpp, part
# of the test build) and trustscan_capi_bench (tools/bench_capi.c: the same through the public C
# API, libtrustscan.so.1) in DIR (default build/) and runs both with THREADS threads per scan
# (default 1). Exits non-zero when either saw different records the two ways.
# Prints the load average before and after: the machine may be shared, say so with the figures.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
BUILD=$ROOT/build
FILES=1000
THREADS=1
while [[ ${1:-} == --* ]]; do
    case $1 in
    --build) BUILD=$2; shift 2 ;;
    --files) FILES=$2; shift 2 ;;
    --threads) THREADS=$2; shift 2 ;;
    *) echo "bench_engine: unknown option $1" >&2; exit 2 ;;
    esac
done
TREE=${1:-${TRUSTSCAN_REAL_TREE:-/var/cache/trustscan/realtree}}
[[ -d $BUILD ]] || { echo "bench_engine: no build directory $BUILD (configure with tests first)" >&2; exit 2; }
[[ -d $TREE ]] || { echo "bench_engine: no tree $TREE (tools/fetch_real_tree.sh)" >&2; exit 2; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/bench_engine.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
(cd "$TREE" && find . -type f -size +0 | LC_ALL=C sort) >"$WORK/all"
TOTAL=$(wc -l <"$WORK/all")
(( TOTAL >= FILES )) || { echo "bench_engine: $TREE holds only $TOTAL files" >&2; exit 2; }
awk -v n="$FILES" -v total="$TOTAL" 'BEGIN { step = total / n } NR == int(k * step) + 1 && k < n { print; k++ }' \
    "$WORK/all" >"$WORK/picked"
mkdir "$WORK/tree"
(cd "$TREE" && xargs -d '\n' cp --parents -t "$WORK/tree" <"$WORK/picked")
sed "s|^\./|$WORK/tree/|" "$WORK/picked" >"$WORK/list"
echo "bench_engine: $(wc -l <"$WORK/list") files of $TOTAL from $TREE ($(du -sh "$WORK/tree" | cut -f1)), $THREADS thread(s) per scan"

cmake --build "$BUILD" --target trustscan_engine_bench trustscan_capi_bench -j2 >/dev/null
BIN=$(find "$BUILD" -name trustscan_engine_bench -type f -perm -u+x | head -1)
CAPI=$(find "$BUILD" -name trustscan_capi_bench -type f -perm -u+x | head -1)
rc=0
echo "bench_engine: load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== the C++ engine (pipeline::Engine, records to a sink)"
"$BIN" "$ROOT" "$WORK/tree" "$WORK/list" "$THREADS" || rc=$?
echo "bench_engine: load between: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== the C API (libtrustscan.so.1: ts_context_open once, ts_scan_path, each record as schema JSON)"
env -u TRUSTSCAN_DATA_DIR "$CAPI" "$ROOT" "$WORK/tree" "$WORK/list" "$THREADS" || rc=$?
echo "bench_engine: load after: $(cut -d' ' -f1-3 /proc/loadavg)"
exit "$rc"
