#!/usr/bin/env bash
# tools/bench_cache.sh — how much a second `--cache` scan of an unchanged tree saves (issue 8).
#
# usage: tools/bench_cache.sh [--trustscan PATH] [--threads N] [--copies N] [--runs K]
#                             [--plain] [--in-place] [--data-dir DIR] [--cold] [--work DIR] [--keep]
#                             [TREE]
#
# Builds WORK/tree from N real copies of TREE (default: $TRUSTSCAN_REAL_TREE or
# /var/cache/trustscan/realtree; docs/cache.md measured the 5,272 files of
# `tools/fetch_real_tree.sh --set bench`, where --copies 2 makes 10,544 files), waits until every
# copy is old enough to be cached (docs/cache.md, "racy" files), then times, with the same
# options each time:
#   first   trustscan scan --cache WORK/cache.db (empty cache: every file is read and stored)
#   second  the same again, K times (every file should come from the cache: none is opened)
# (--plain: first one scan without --cache, to show what writing the cache costs; --in-place:
# scan TREE itself instead of copies, for a tree too large to copy such as /usr — it must not
# change during the runs; --data-dir: every scan with trustscan's --data-dir DIR, the imported
# data sets of a deployed host, such as Microsoft's root program: `trustscan data import
# --data-dir DIR ../shared/data`; --cold: the kernel's caches are dropped before the first and
# before every second scan, as root — `sync; echo 3 > /proc/sys/vm/drop_caches` — the state of a
# scheduled re-scan a day later, which reads the tree's directories and inodes, the cache and the
# program itself from the disk again)
# and prints the wall times (to the millisecond), the ratio second/first (best second run, and
# the median one's), the summary.cache counts,
# the cache size and the load average before and after (the machine may be shared: say so with
# the figures). The reports of the first and every second scan must agree apart from timing and
# the cache counts; the script fails otherwise. A final machine-readable line:
#   bench_cache: files=N non_binaries=P% first=S second=S ratio=R second_median=S ratio_median=R
#                cpu_ratio=C hits=H misses=M
#                cache_bytes=B rss_first=KiB rss_second=KiB threads=T cold=0|1 load=L1/L2
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
TRUSTSCAN=$ROOT/build/trustscan
TREE=${TRUSTSCAN_REAL_TREE:-/var/cache/trustscan/realtree}
THREADS=$(nproc)
COPIES=2
RUNS=3
WORK=
KEEP=0
PLAIN=0
IN_PLACE=0
COLD=0
DATA_DIR=()

die()   { echo "bench_cache: $*" >&2; exit 2; }
usage() { sed -n '2,30s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; exit "${1:-0}"; }

while (($#)); do
  case $1 in
    --trustscan) TRUSTSCAN=$2; shift 2 ;;
    --threads) THREADS=$2; shift 2 ;;
    --copies) COPIES=$2; shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    --work) WORK=$2; shift 2 ;;
    --keep) KEEP=1; shift ;;
    --plain) PLAIN=1; shift ;;
    --in-place) IN_PLACE=1; shift ;;
    --data-dir) DATA_DIR=(--data-dir "$2"); shift 2 ;;
    --cold) COLD=1; shift ;;
    -h|--help) usage 0 ;;
    -*) die "unknown option $1 (see --help)" ;;
    *) TREE=$1; shift ;;
  esac
done
[[ -x $TRUSTSCAN ]] || die "no trustscan at $TRUSTSCAN (build first, or --trustscan PATH)"
[[ -d $TREE ]] || die "TREE '$TREE' is not a directory (tools/fetch_real_tree.sh fetches the default)"
[[ $COPIES =~ ^[1-9][0-9]*$ && $RUNS =~ ^[1-9][0-9]*$ && $THREADS =~ ^[1-9][0-9]*$ ]] || die "bad number"
[[ -x /usr/bin/time ]] || die "/usr/bin/time (Debian package time) is needed"
[[ $COLD == 0 || -w /proc/sys/vm/drop_caches ]] || die "--cold writes /proc/sys/vm/drop_caches: run it as root"

if [[ -z $WORK ]]; then WORK=$(mktemp -d "${TMPDIR:-/var/tmp}/trustscan-bench-cache.XXXXXX"); fi
mkdir -p "$WORK"
[[ $KEEP == 1 ]] || trap 'rm -rf "$WORK"' EXIT
rm -rf "$WORK/tree" "$WORK/cache.db" "$WORK/cache.db-wal" "$WORK/cache.db-shm"
if [[ $IN_PLACE == 1 ]]; then
  SCANNED=$TREE
else
  SCANNED=$WORK/tree
  mkdir "$WORK/tree"
  for ((i = 1; i <= COPIES; i++)); do cp -a "$TREE" "$WORK/tree/copy$i"; done
  sleep 3  # a file changed less than 2 s before its scan is not cached
fi

loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
# run NAME: one scan; "wall user sys maxrss" in $WORK/NAME.time, report in $WORK/NAME.json. The
# wall time is the shell's clock around the scan, to the millisecond: time(1)'s %e truncates to
# 10 ms, which took up to a tenth off a re-scan of 0.1 s.
run() {
  local rc=0 cache=(--cache "$WORK/cache.db") t0 t1
  [[ $1 == plain ]] && cache=()
  if [[ $COLD == 1 ]]; then sync; echo 3 >/proc/sys/vm/drop_caches; fi
  t0=$EPOCHREALTIME
  /usr/bin/time -f '%U %S %M' -o "$WORK/$1.cpu" "$TRUSTSCAN" scan --threads "$THREADS" --quiet -f json \
    -o "$WORK/$1.json" "${DATA_DIR[@]}" "${cache[@]}" "$SCANNED" 2>"$WORK/$1.err" || rc=$?
  t1=$EPOCHREALTIME
  ((rc == 0 || rc == 1 || rc == 3)) || { cat "$WORK/$1.err" >&2; die "$1: trustscan exited $rc"; }
  echo "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }') $(tail -1 "$WORK/$1.cpu")" >"$WORK/$1.time"
}
summary() {  # summary NAME: "files hits misses invalidated non-binary-percent"
  python3 -c 'import json,sys; s=json.load(open(sys.argv[1]))["summary"]; c=s["cache"]
print(s["files_scanned"], c["hits"], c["misses"], c["invalidated"], round(100 * s["non_binaries"] / max(1, s["files_scanned"])))' "$WORK/$1.json"
}
same() {  # same A B: the reports agree apart from timing and cache counts
  python3 - "$WORK/$1.json" "$WORK/$2.json" <<'PY'
import json, sys
def strip(p):
    d = json.load(open(p))
    for k in ("start", "end", "duration_ms"):
        d["scan"].pop(k)
    d["scan"]["verification"].pop("time")
    d["summary"].pop("cache")
    return d
sys.exit(0 if strip(sys.argv[1]) == strip(sys.argv[2]) else 1)
PY
}

load_before=$(loadavg)
if [[ $IN_PLACE == 1 ]]; then what="$TREE itself"; else what="$WORK/tree ($COPIES copies of $TREE)"; fi
[[ $COLD == 1 ]] && what+=", the kernel's caches dropped before each scan"
echo "bench_cache: tree $what, $THREADS threads, load before: $load_before"
if [[ $PLAIN == 1 ]]; then
  run plain
  read -r wall user sys rss < <(tail -1 "$WORK/plain.time")
  printf '%-8s %8s s  (user %s s, sys %s s, max RSS %s KiB)  without --cache\n' plain "$wall" "$user" "$sys" "$rss"
fi
run first
read -r wall1 user1 sys1 rss1 < <(tail -1 "$WORK/first.time")  # after "Command exited with ..." if any
read -r files hits misses _ nonbin < <(summary first)
printf '%-8s %8s s  (user %s s, sys %s s, max RSS %s KiB)  files %s (%s %% non-binaries), hits %s, misses %s\n' \
  first "$wall1" "$user1" "$sys1" "$rss1" "$files" "$nonbin" "$hits" "$misses"
rss2='' walls=() cpus=()
for ((k = 1; k <= RUNS; k++)); do
  run "second$k"
  read -r wall user sys rss < <(tail -1 "$WORK/second$k.time")
  walls+=("$wall")
  cpus+=("$user+$sys")
  read -r f h m i _ < <(summary "second$k")
  printf '%-8s %8s s  (user %s s, sys %s s, max RSS %s KiB)  files %s, hits %s, misses %s\n' "second$k" "$wall" \
    "$user" "$sys" "$rss" "$f" "$h" "$m"
  [[ $h == "$files" && $m == 0 ]] || die "second scan $k: $h hits, $m misses of $files files"
  same first "second$k" || die "second scan $k reports differently from the first"
  rss2=$rss
done
load_after=$(loadavg)
cache_bytes=$(stat -c %s "$WORK/cache.db")
# The best and the median second run's wall time, the best one's CPU (user + system), and each
# over the first run's.
read -r best median best_cpu cpu1 ratio median_ratio cpu_ratio < <(python3 - "$wall1" "$user1+$sys1" "${#walls[@]}" \
  "${walls[@]}" "${cpus[@]}" <<'PY'
import statistics, sys
first, cpu_first, n = float(sys.argv[1]), sum(map(float, sys.argv[2].split("+"))), int(sys.argv[3])
walls = [float(w) for w in sys.argv[4:4 + n]]
cpus = [sum(map(float, c.split("+"))) for c in sys.argv[4 + n:]]
best, median, best_cpu = min(walls), statistics.median(walls), min(cpus)
print(f"{best:.3f} {median:.3f} {best_cpu:.2f} {cpu_first:.2f} {best / first:.4f} {median / first:.4f} "
      f"{best_cpu / cpu_first:.4f}")
PY
)
echo "bench_cache: second/first = $best / $wall1 = $ratio (median second $median s: $median_ratio; CPU $best_cpu / $cpu1 s = $cpu_ratio); cache $cache_bytes bytes; load after: $load_after"
echo "bench_cache: files=$files non_binaries=$nonbin% first=$wall1 second=$best ratio=$ratio second_median=$median ratio_median=$median_ratio cpu_ratio=$cpu_ratio hits=$files misses=0 cache_bytes=$cache_bytes rss_first=$rss1 rss_second=$rss2 threads=$THREADS cold=$COLD load=${load_before// /,}/${load_after// /,}"
