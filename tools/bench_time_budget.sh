#!/usr/bin/env bash
# tools/bench_time_budget.sh — what the per-file time budget cannot interrupt (issue 19,
# docs/time-budget.md).
#
# usage: tools/bench_time_budget.sh [--build DIR] [--top N] [TREE...]
#   TREE  where to look for binaries (default: /var/cache/trustscan/realtree, and the hostile
#         samples built by tools/make_hostile_samples.sh into a temporary directory); the forged
#         files of tools/make_overlapping_ranges.py are always added
#
# 1. LIEF's parse is one library call with no deadline check inside: a file whose deadline passes
#    as LIEF starts overruns its budget by that parse's time. trustscan_parse_time_bench
#    (tools/bench_parse_time.cpp, part of the test build) times parse_binary() on every binary LIEF
#    would be given (up to the streaming threshold) and prints the N slowest.
# 2. How soon a file stops once the deadline has passed inside a checked loop: trustscan scans the
#    largest binaries of TREE one at a time (-j1) with a 1 ms budget and the whole tree with
#    --file-timeout 0.001; every file must end with a timeout error, and the wall time is printed.
# It prints the load average before and after: the machine may be shared, say so with the figures.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
BUILD=$ROOT/build
TOP=10
while [[ ${1:-} == --* ]]; do
    case $1 in
    --build) BUILD=$2; shift 2 ;;
    --top) TOP=$2; shift 2 ;;
    *) echo "bench_time_budget: unknown option $1" >&2; exit 2 ;;
    esac
done
[[ -d $BUILD ]] || { echo "bench_time_budget: no build directory $BUILD (configure with tests first)" >&2; exit 2; }
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
TREES=("$@")
if [[ ${#TREES[@]} == 0 ]]; then
    [[ -d /var/cache/trustscan/realtree ]] && TREES+=(/var/cache/trustscan/realtree)
    if "$ROOT/tools/make_hostile_samples.sh" --no-check "$WORK/hostile" >"$WORK/hostile.log" 2>&1; then
        TREES+=("$WORK/hostile")
    else
        echo "bench_time_budget: hostile samples not built (see below); measuring without them" >&2
        tail -5 "$WORK/hostile.log" >&2
    fi
fi

mkdir -p "$WORK/forged"
python3 "$ROOT/tools/make_overlapping_ranges.py" "$WORK/forged"
TREES+=("$WORK/forged")

cmake --build "$BUILD" --target trustscan_parse_time_bench trustscan -j2 >/dev/null
BENCH=$(find "$BUILD" -name trustscan_parse_time_bench -type f -perm -u+x | head -1)
CLI=$(find "$BUILD" -name trustscan -type f -perm -u+x | head -1)
echo "bench_time_budget: load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== 1. LIEF parse times (not interruptible), slowest $TOP =="
"$BENCH" --top "$TOP" "${TREES[@]}"

echo "== 2. stop latency in checked loops: budget 1 ms =="
for tree in "${TREES[@]}"; do
    mapfile -t big < <(find "$tree" -type f -size +4M -printf '%s %p\n' | sort -rn | head -"$TOP" | cut -d' ' -f2-)
    for f in "${big[@]}"; do
        start=$(date +%s.%N)
        "$CLI" scan --format json --file-timeout 0.001 -j1 --no-kernel-keys "$f" >"$WORK/one.json" 2>/dev/null || true
        end=$(date +%s.%N)
        errors=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(",".join(e.get("code","?") for e in r.get("errors",[])) or "-")' "$WORK/one.json")
        printf '%8.3f s  %-12s %s\n' "$(echo "$end - $start" | bc)" "$errors" "$f"
    done
    start=$(date +%s.%N)
    "$CLI" scan --format json --file-timeout 0.001 --no-kernel-keys "$tree" >"$WORK/all.json" 2>/dev/null || true
    end=$(date +%s.%N)
    python3 - "$WORK/all.json" "$(echo "$end - $start" | bc)" "$tree" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
s = r["summary"]
codes = {}
for e in r.get("errors", []):
    codes[e.get("code", "?")] = codes.get(e.get("code", "?"), 0) + 1
print(f"whole tree {sys.argv[3]}: {float(sys.argv[2]):.2f} s wall, files_scanned {s['files_scanned']}, "
      f"files_timed_out {s['files_timed_out']}, binaries with a record {s['binaries']}, errors by code {codes}")
EOF
done
echo "bench_time_budget: load after: $(cut -d' ' -f1-3 /proc/loadavg)"
