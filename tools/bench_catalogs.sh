#!/usr/bin/env bash
# tools/bench_catalogs.sh — how long trustscan takes to build its catalog index (issue 6, acc. 2).
#
# usage: tools/bench_catalogs.sh [--trustscan PATH] [--catalogs N] [--pairs M] [--big E]
#                                [--runs K] [--threads T] [--dir DIR]
#
# Generates, once per parameter set (cached in DIR, default /var/tmp/trustscan-bench-catalogs):
#   many/  N catalogs, each listing M files (M SHA-1 + M SHA-256 members, distinct random hashes),
#          each signed by a throw-away test CA  -> N signature checks, 2*N*M index entries
#   big/   one catalog of E random SHA-256 members (+ one file)  -> one signature, E+2 entries
# then runs `trustscan scan --catalog-dir X --trust-store CA EMPTY_DIR` K times per set and prints
# the best index build time trustscan itself measured (report: windows.catalogs.load_seconds:
# finding, reading, parsing, verifying every catalog and building the index) and the best wall
# time of the whole process. Defaults: N=1000, M=5 (10,000 entries), E=5000, K=3, T=all cores.
# A last machine-readable line:
#   bench_catalogs: many_files=N many_entries=X many_load_s=S big_entries=Y big_load_s=S wall_many_s=S
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
TRUSTSCAN=$ROOT/build/trustscan N=1000 M=5 E=5000 RUNS=3 THREADS=$(nproc) DIR=/var/tmp/trustscan-bench-catalogs
while (($#)); do
    case $1 in
        --trustscan) TRUSTSCAN=$2; shift 2 ;;
        --catalogs) N=$2; shift 2 ;;
        --pairs) M=$2; shift 2 ;;
        --big) E=$2; shift 2 ;;
        --runs) RUNS=$2; shift 2 ;;
        --threads) THREADS=$2; shift 2 ;;
        --dir) DIR=$2; shift 2 ;;
        -h|--help) sed -n '2,17s/^# \{0,1\}//p' "$0"; exit 0 ;;
        *) echo "bench_catalogs: unknown argument $1" >&2; exit 2 ;;
    esac
done
[[ -x $TRUSTSCAN ]] || { echo "bench_catalogs: $TRUSTSCAN not built" >&2; exit 2; }
SET=$DIR/n$N-m$M-e$E
TOOLS=$ROOT/tools

generate() {
    local work; work=$(mktemp -d)
    rm -rf "$SET"; mkdir -p "$SET/many" "$SET/big" "$SET/ca" "$SET/empty"
    # shellcheck source=lib/test_ca.sh
    source "$TOOLS/lib/test_ca.sh"
    make_ca_config "$work/ca"
    openssl genpkey -quiet -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$work/root.key"
    openssl req -new -key "$work/root.key" -subj "/O=trustscan bench/CN=trustscan Bench Root" -out "$work/root.csr"
    openssl ca -batch -notext -preserveDN -config "$work/ca/ca.cnf" -selfsign -keyfile "$work/root.key" \
        -in "$work/root.csr" -out "$SET/ca/root.pem" -extensions v3_root \
        -startdate 20200101000000Z -enddate 20450101000000Z 2>/dev/null
    openssl genpkey -quiet -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$work/signer.key"
    openssl req -new -key "$work/signer.key" -subj "/O=trustscan bench/CN=trustscan Bench Signer" -out "$work/signer.csr"
    openssl ca -batch -notext -preserveDN -config "$work/ca/ca.cnf" -cert "$SET/ca/root.pem" \
        -keyfile "$work/root.key" -in "$work/signer.csr" -out "$work/signer.pem" -extensions v3_codesign \
        -startdate 20200101000000Z -enddate 20400101000000Z 2>/dev/null
    sign() {  # sign CTL OUT.cat
        openssl cms -sign -binary -nodetach -nosmimecap -md sha256 -outform DER \
            -econtent_type 1.3.6.1.4.1.311.10.1 -signer "$work/signer.pem" -inkey "$work/signer.key" \
            -certfile "$SET/ca/root.pem" -in "$1" -out "$work/signed.p7"
        python3 "$TOOLS/make_catalog.py" winform "$work/signed.p7" "$2"
    }
    # Distinct random member hashes for every catalog, written as SHA1:SHA256:NAME arguments.
    python3 - "$N" "$M" >"$work/members" <<'PY'
import os, sys
n, m = int(sys.argv[1]), int(sys.argv[2])
for c in range(n):
    print(" ".join(f"{os.urandom(20).hex()}:{os.urandom(32).hex()}:file{c}_{i}.sys" for i in range(m)))
PY
    local i=0
    while read -r -a members; do
        python3 "$TOOLS/make_catalog.py" ctl "$work/c.ctl" "${members[@]}"
        sign "$work/c.ctl" "$SET/many/cat$i.cat"
        i=$((i + 1))
    done <"$work/members"
    python3 "$TOOLS/make_catalog.py" ctl "$work/big.ctl" "$(head -c20 /dev/urandom | xxd -p):$(head -c32 /dev/urandom | xxd -p -c64):one.sys" --random "$E"
    sign "$work/big.ctl" "$SET/big/big.cat"
    rm -rf "$work"
}
[[ -f $SET/big/big.cat && $(find "$SET/many" -name '*.cat' | wc -l) == "$N" ]] || {
    echo "bench_catalogs: generating $N catalogs x $((2 * M)) members and one of $E members in $SET ..." >&2
    generate
}

measure() {  # measure SUBDIR -> "files entries best_load best_wall"
    local best_load="" best_wall="" files entries
    for _ in $(seq "$RUNS"); do
        local t0 t1 out
        t0=$(date +%s.%N)
        set +e
        "$TRUSTSCAN" scan -f json --threads "$THREADS" --no-default-rules --trust-store "$SET/ca" \
            --catalog-dir "$SET/$1" "$SET/empty" >"$SET/out.json" 2>/dev/null
        local rc=$?
        set -e
        t1=$(date +%s.%N)
        ((rc == 0)) || { echo "bench_catalogs: trustscan exited $rc" >&2; exit 1; }
        read -r files entries load valid < <(python3 -c 'import json,sys
c = json.load(open(sys.argv[1]))["windows"]["catalogs"]
print(c["files"], c["members"], c["load_seconds"], c["by_status"].get("valid", 0))' "$SET/out.json")
        ((valid == files)) || { echo "bench_catalogs: only $valid of $files catalogs valid" >&2; exit 1; }
        out=$(python3 -c "print($t1 - $t0)")
        best_load=$(python3 -c "print(min(x for x in [$load, ${best_load:-1e9}]))")
        best_wall=$(python3 -c "print(min(x for x in [$out, ${best_wall:-1e9}]))")
    done
    echo "$files $entries $best_load $best_wall"
}
read -r mf me ml mw < <(measure many)
read -r bf be bl bw < <(measure big)
printf '%-6s %9s %9s %12s %10s\n' set catalogs entries index_load_s wall_s
printf '%-6s %9s %9s %12.4f %10.3f\n' many "$mf" "$me" "$ml" "$mw" big "$bf" "$be" "$bl" "$bw"
echo "bench_catalogs: many_files=$mf many_entries=$me many_load_s=$ml big_entries=$be big_load_s=$bl wall_many_s=$mw threads=$THREADS runs=$RUNS"
