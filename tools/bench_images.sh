#!/usr/bin/env bash
# tools/bench_images.sh — scanning a tree from a directory against scanning the same tree from
# disk image files (issue 10, acceptance 3: E01 throughput >= 50 % of the directory's).
#
# usage: tools/bench_images.sh [--trustscan PATH] [--threads N] [--runs K] [--work DIR] [--keep] TREE
#
# Builds, in WORK (default: a new directory under /var/tmp, removed unless --keep):
#   tree.img   an ext4 file system holding TREE           (mke2fs -d; sized 1.3 x TREE + 64 MiB)
#   tree.E01   tree.img as EWF, deflate "fast" (ewfacquire -c fast; 1.4 GiB segments, its default)
#   tree.vmdk  tree.img as VMDK (qemu-img convert, monolithic sparse)
# then times (K rounds, each row once per round; best round per row; page cache warm: one untimed
# run of each row first, as in tools/bench):
#   directory        trustscan scan TREE
#   raw ext4         trustscan scan tree.img
#   E01              trustscan scan tree.E01
#   E01 one handle   the same with TRUSTSCAN_IMAGE_HANDLES=1: every open and read of the volume
#                    behind one lock (the alternative to per-thread libtsk handles)
#   VMDK             trustscan scan tree.vmdk
# Every run: --threads N --format json --output WORK/NAME.json --no-windows-image.
#
# Columns: wall = best wall seconds; cpu = user+sys of that run; rss = peak RSS (MiB) over the
# runs; binaries and MB = summary.binaries and summary.bytes_scanned / 1e6 of the report (must be
# equal on every row: the same content); MB/s = MB / wall; vs dir = throughput relative to the
# directory row (directory wall / this wall). A final machine-readable line:
#   bench_images: dir=S raw=S e01=S e01_one_handle=S vmdk=S e01_vs_dir=R threads=N runs=K files=F bytes=B
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
TRUSTSCAN=$ROOT/build/trustscan
THREADS=$(nproc)
RUNS=3
WORK=
KEEP=0
die() { echo "bench_images: $*" >&2; exit 2; }
note() { echo "bench_images: $*" >&2; }
while (($#)); do
  case $1 in
    --trustscan) TRUSTSCAN=$2; shift 2 ;;
    --threads) THREADS=$2; shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    --work) WORK=$2; shift 2 ;;
    --keep) KEEP=1; shift ;;
    -h|--help) sed -n '2,27s/^# \{0,1\}//p' "$0"; exit 0 ;;
    -*) die "unknown option $1" ;;
    *) break ;;
  esac
done
(($# == 1)) || die "usage: tools/bench_images.sh [options] TREE (see --help)"
TREE=$1
[[ -d $TREE ]] || die "TREE '$TREE' is not a directory"
[[ -x $TRUSTSCAN ]] || die "no trustscan at $TRUSTSCAN (build first)"
for tool in mke2fs ewfacquire qemu-img /usr/bin/time python3; do
  command -v "$tool" >/dev/null || die "$tool is missing (tools/setup.sh --test installs it)"
done
if [[ -z $WORK ]]; then WORK=$(mktemp -d /var/tmp/trustscan-bench-images.XXXXXX); fi
mkdir -p "$WORK"
[[ $KEEP == 1 ]] || trap 'rm -rf "$WORK"' EXIT

# ------------------------------------------------------------ images
build() {  # build NAME CMD... : runs CMD unless WORK/NAME exists; prints how long it took
  local name=$1; shift
  if [[ -e $WORK/$name ]]; then note "$name exists, kept"; return; fi
  local t0=$SECONDS
  "$@"
  note "built $name in $((SECONDS - t0)) s ($(du -h --apparent-size "$WORK/$name" | cut -f1))"
}
tree_mib=$(( $(du -sk --apparent-size "$TREE" | cut -f1) / 1024 ))
build tree.img mke2fs -q -t ext4 -d "$TREE" "$WORK/tree.img" "$(( tree_mib * 13 / 10 + 64 ))M"
build tree.E01 ewfacquire -u -q -c fast -t "$WORK/tree" "$WORK/tree.img"
build tree.vmdk qemu-img convert -q -f raw -O vmdk "$WORK/tree.img" "$WORK/tree.vmdk"

# ------------------------------------------------------------ runs
# Rows take turns (round 1: every row, round 2: every row, ...), so that a change in the machine's
# load during the benchmark affects every row alike; the best round of each row counts.
ROWS=(dir raw e01 e01_one_handle vmdk)
declare -A ROOT_OF=([dir]=$TREE [raw]=$WORK/tree.img [e01]=$WORK/tree.E01 [e01_one_handle]=$WORK/tree.E01
                    [vmdk]=$WORK/tree.vmdk)
declare -A WALL CPU RSS BIN MB LAST
run_once() {  # run_once KEY: one timed scan; updates the row's best
  local key=$1 env_args=() wall user sys rss
  [[ $key == e01_one_handle ]] && env_args=(TRUSTSCAN_IMAGE_HANDLES=1)
  env "${env_args[@]}" /usr/bin/time -o "$WORK/time.txt" -f '%e %U %S %M' "$TRUSTSCAN" scan --threads "$THREADS" \
    -f json -o "$WORK/$key.json" --no-windows-image "${ROOT_OF[$key]}" >/dev/null 2>&1 || true
  read -r wall user sys rss < <(tail -1 "$WORK/time.txt")
  LAST[$key]=$wall
  if [[ -z ${WALL[$key]:-} ]] || python3 -c "import sys; sys.exit(not ($wall < ${WALL[$key]}))"; then
    WALL[$key]=$wall CPU[$key]=$(python3 -c "print(f'{$user + $sys:.2f}')")
  fi
  (( rss / 1024 > ${RSS[$key]:-0} )) && RSS[$key]=$(( rss / 1024 ))
  return 0
}
for key in "${ROWS[@]}"; do  # warm the page cache; not timed
  "$TRUSTSCAN" scan --threads "$THREADS" -f json -o "$WORK/$key.json" --no-windows-image "${ROOT_OF[$key]}" >/dev/null 2>&1 || true
done
for ((round = 1; round <= RUNS; round++)); do
  for key in "${ROWS[@]}"; do run_once "$key"; done
  note "round $round: $(for k in "${ROWS[@]}"; do printf '%s=%s ' "$k" "${LAST[$k]}"; done)(load $(cut -d' ' -f1 /proc/loadavg))"
done
for key in "${ROWS[@]}"; do
  read -r BIN[$key] MB[$key] < <(python3 -c 'import json, sys
s = json.load(open(sys.argv[1]))["summary"]
print(s["binaries"], s["bytes_scanned"])' "$WORK/$key.json")
done

printf '%-16s %8s %8s %8s %9s %9s %8s %7s\n' row wall cpu rss_MiB binaries MB MB/s "vs dir"
for key in dir raw e01 e01_one_handle vmdk; do
  python3 - "$key" "${WALL[$key]}" "${CPU[$key]}" "${RSS[$key]}" "${BIN[$key]}" "${MB[$key]}" "${WALL[dir]}" <<'PY'
import sys
key, wall, cpu, rss, binaries, bytes_, dir_wall = sys.argv[1:]
wall, mb = float(wall), int(bytes_) / 1e6
print(f"{key:<16} {wall:8.2f} {float(cpu):8.2f} {rss:>8} {binaries:>9} {mb:9.1f} {mb / wall:8.1f} {float(dir_wall) / wall:7.2f}")
PY
done
for key in raw e01 e01_one_handle vmdk; do
  [[ ${BIN[$key]} == "${BIN[dir]}" && ${MB[$key]} == "${MB[dir]}" ]] \
    || note "WARNING: $key scanned ${BIN[$key]} binaries / ${MB[$key]} bytes, the directory ${BIN[dir]} / ${MB[dir]}"
done
files=$(find "$TREE" -type f | wc -l)
echo "bench_images: dir=${WALL[dir]} raw=${WALL[raw]} e01=${WALL[e01]} e01_one_handle=${WALL[e01_one_handle]}" \
     "vmdk=${WALL[vmdk]} e01_vs_dir=$(python3 -c "print(f'{${WALL[dir]} / ${WALL[e01]}:.2f}')")" \
     "threads=$THREADS runs=$RUNS files=$files bytes=${MB[dir]}"
