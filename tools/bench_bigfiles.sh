#!/usr/bin/env bash
# tools/bench_bigfiles.sh — peak memory of a scan of 100+ MiB signed binaries (issues 16 and 21).
#
# usage: tools/bench_bigfiles.sh [--trustscan PATH] [--threads N] [--data-dir DIR] [--fetch] [TREE]
#
# TREE (default /tmp/trustscan-large) holds `tools/fetch_real_tree.sh --set large` (copilot.exe
# 163 MiB PE, copilot 172 MiB Mach-O, bun.exe 110 MiB PE); --fetch fetches it there first (the
# machine's npm sources). Runs, with the default limits (so every file is above the streaming
# threshold and --max-parse-size):
#   /usr/bin/time -v trustscan scan --threads N --format json -o REPORT TREE
# (--data-dir: a data directory made by `trustscan data import ../shared/data`, so that the
# Microsoft root program anchors the PE chains; default: none, the project's own anchors)
# and prints the exit code, wall time and peak RSS, then checks every PE's two Authenticode
# hashes against tools/authentihash.py and every Mach-O slice's cdhash and page hashes against
# tools/macho_cdhash.py (both independent of trustscan), and prints status and signer per file.
# Fails when the scan does not exit 0, a file has an error or a hash differs. A final
# machine-readable line:
#   bench_bigfiles: files=N bytes=B exit=E wall=S max_rss_kb=K threads=T load=L
# A benchmark, never a test: the figure depends on the machine (docs/performance.md).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
TRUSTSCAN=$ROOT/build/trustscan
THREADS=2
FETCH=0
DATA=
TREE=/tmp/trustscan-large
while [[ $# -gt 0 ]]; do
  case $1 in
    --trustscan) TRUSTSCAN=$2; shift 2 ;;
    --threads) THREADS=$2; shift 2 ;;
    --fetch) FETCH=1; shift ;;
    --data-dir) DATA=$2; shift 2 ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) TREE=$1; shift ;;
  esac
done
[[ $FETCH == 1 ]] && "$ROOT/tools/fetch_real_tree.sh" --set large "$TREE" >&2
[[ -d $TREE ]] || { echo "bench_bigfiles: $TREE missing (use --fetch)" >&2; exit 2; }
WORK=$(mktemp -d /tmp/bench-bigfiles.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

find "$TREE" -type f -size +100M -exec cat {} + >/dev/null  # warm the page cache once
set +e
/usr/bin/time -v -o "$WORK/time.txt" "$TRUSTSCAN" scan -q --threads "$THREADS" --format json -o "$WORK/report.json" \
  --fail-on none --data-dir "${DATA:-$WORK/no-data}" "$TREE"
rc=$?
set -e
rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/time.txt")
wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$WORK/time.txt")
echo "command: /usr/bin/time -v $TRUSTSCAN scan -q --threads $THREADS --format json -o REPORT --fail-on none --data-dir ${DATA:-(none)} $TREE"
echo "exit $rc, wall $wall, peak RSS ${rss} kB"

python3 - "$WORK/report.json" "$ROOT/tools" <<'PY'
import json, subprocess, sys
doc = json.load(open(sys.argv[1]))
tools = sys.argv[2]
bad = 0
for f in doc["files"]:
    path, t = f["file"]["path"], f["trustscan"]
    if t.get("errors"):
        print("ERROR", path, t["errors"]); bad += 1
    cs = f["file"].get("code_signature", {})
    line = "%-70s %-8s status=%s signer=%s" % (path[-70:], t["format"], cs.get("status"), cs.get("subject_name"))
    if "authenticode" in t:
        a = t["authenticode"]
        sha256, sha1, _ = subprocess.check_output([tools + "/authentihash.py", path], text=True).split(None, 2)
        ok = a.get("hash_sha256") == sha256 and a.get("hash_sha1") == sha1
        line += " authentihash sha256/sha1 %s" % ("== authentihash.py" if ok else "DIFFER %s %s" % (a.get("hash_sha256"), sha256))
        bad += not ok
    for m in t.get("macho_signatures", []):
        out = subprocess.run([tools + "/macho_cdhash.py", path], text=True, capture_output=True).stdout
        slice_lines = [l for l in out.splitlines() if " slice=%d " % m["slice"] in l]
        theirs = {l.split("cdhash=")[1].split()[0] for l in slice_lines}  # every CodeDirectory's
        ok = m["cdhash"] in theirs and all("pages_ok=yes" in l for l in slice_lines)
        line += " slice %d %s cdhash %s %s" % (m["slice"], m["status"], m["cdhash"],
                                             "in macho_cdhash.py's (pages ok)" if ok else "NOT in %s" % theirs)
        bad += not ok
    print(line)
sys.exit(1 if bad else 0)
PY
files=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["files"]))' "$WORK/report.json")
bytes=$(find "$TREE" -type f -printf '%s\n' | awk '{s += $1} END {print s}')
echo "bench_bigfiles: files=$files bytes=$bytes exit=$rc wall=$wall max_rss_kb=$rss threads=$THREADS load=$(cut -d' ' -f1 /proc/loadavg)"
[[ $rc == 0 ]]
