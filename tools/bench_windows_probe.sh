#!/usr/bin/env bash
# tools/bench_windows_probe.sh — what looking for Windows installations costs (issue 16).
#
# usage: tools/bench_windows_probe.sh [--build DIR] [--runs N] [TREE...]
#   TREE  directories to look in (default: /usr, /, and the hostile samples of DIR when built)
#
# Builds the target trustscan_windows_probe_bench (tools/bench_windows_probe.cpp, part of the test
# build) in DIR (default build/) and runs it: pipeline::probe_windows() (any part, up to three
# levels down) beside the detection it replaced (SYSTEM hive at the root and one level down), best
# of N runs (default 10) each, with the directories the probe listed and the images each found.
# The first run of a tree warms the page cache for both. It prints the load average before and
# after: the machine may be shared, say so with the figures.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
BUILD=$ROOT/build
RUNS=10
while [[ ${1:-} == --* ]]; do
    case $1 in
    --build) BUILD=$2; shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    *) echo "bench_windows_probe: unknown option $1" >&2; exit 2 ;;
    esac
done
[[ -d $BUILD ]] || { echo "bench_windows_probe: no build directory $BUILD (configure with tests first)" >&2; exit 2; }
TREES=("$@")
if [[ ${#TREES[@]} == 0 ]]; then
    TREES=(/usr /)
    [[ -d $BUILD/hostile-samples/images ]] && TREES+=("$BUILD/hostile-samples" "$BUILD/hostile-samples/images")
fi

cmake --build "$BUILD" --target trustscan_windows_probe_bench -j2 >/dev/null
BIN=$(find "$BUILD" -name trustscan_windows_probe_bench -type f -perm -u+x | head -1)
echo "bench_windows_probe: load before: $(cut -d' ' -f1-3 /proc/loadavg)"
"$BIN" "$RUNS" "${TREES[@]}"
echo "bench_windows_probe: load after: $(cut -d' ' -f1-3 /proc/loadavg)"
