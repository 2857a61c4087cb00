#!/usr/bin/env bash
# Fuzzing trustscan's parsers with libFuzzer (docs/fuzzing.md). Not part of tools/setup.sh --test.
#
#   tools/fuzz.sh build              install clang-16 + libclang-rt-16-dev if missing; build the
#                                    targets (ASan+UBSan+libFuzzer) into $FUZZ_DIR/fuzz/
#   tools/fuzz.sh seed               seed corpora in $FUZZ_DIR/corpus/TARGET/ from the test samples,
#                                    a few small real binaries, the shipped YAML, tests/data/regress/
#   tools/fuzz.sh smoke              every target over its seeds once (-runs=0); fails on any finding
#   tools/fuzz.sh run TARGET [SECS]  one target for SECS seconds (default 600) on one core
#   tools/fuzz.sh all [SECS]         every target in turn (nice -n 10), then `summary`
#   tools/fuzz.sh summary            execs, cov, ft, corpus and findings of the last runs
#   tools/fuzz.sh list               the target names
#
# Environment: FUZZ_DIR (default build-fuzz), SAMPLES (default build/samples; built into
# $FUZZ_DIR/samples with the tools/make_*samples.sh scripts when absent), TRUSTSCAN_REAL_TREE
# (default /var/cache/trustscan/realtree; optional), JOBS (build jobs, default 2).
set -euo pipefail
cd "$(dirname "$0")/.."
SRC=$PWD
FUZZ_DIR=${FUZZ_DIR:-build-fuzz}
REAL=${TRUSTSCAN_REAL_TREE:-/var/cache/trustscan/realtree}
JOBS=${JOBS:-2}
TARGETS=(fuzz_parse fuzz_authenticode fuzz_catalog fuzz_module_signature fuzz_macho_signature
         fuzz_vendor_list fuzz_policy fuzz_kernel_image fuzz_plain_pe fuzz_macho_contents
         fuzz_plain_elf_linked)
# Every run: one core, 2 GiB, 10 s per input (the figures in docs/fuzzing.md use these).
FUZZ_FLAGS=(-rss_limit_mb=2048 -timeout=10 -print_final_stats=1)

die() { echo "fuzz.sh: $*" >&2; exit 1; }

samples_dir() {
  local s=${SAMPLES:-build/samples}
  if [[ -f $s/MANIFEST.tsv && -d $s/signed && -d $s/modsig && -d $s/catalog ]]; then
    echo "$s"; return
  fi
  s=$FUZZ_DIR/samples
  if [[ ! -f $s/MANIFEST.tsv ]]; then
    echo "fuzz.sh: building the test samples into $s" >&2
    tools/make_samples.sh "$s" >&2
    tools/make_signed_samples.sh "$s/signed" >&2
    tools/make_modsig_samples.sh "$s" >&2
    tools/make_catalog_samples.sh "$s/catalog" >&2
  fi
  echo "$s"
}

# The CAs of the signed samples (trust anchors for the Authenticode and catalog targets).
export_fuzz_env() {
  local s; s=$(samples_dir)
  mkdir -p "$FUZZ_DIR/trust"
  rm -f "$FUZZ_DIR/trust"/*.pem
  local d
  for d in signed catalog; do
    if [[ -f $s/$d/ca/root.pem ]]; then cp "$s/$d/ca/root.pem" "$FUZZ_DIR/trust/$d-root.pem"; fi
  done
  if ls "$FUZZ_DIR/trust"/*.pem >/dev/null 2>&1; then export TRUSTSCAN_FUZZ_TRUST_DIR=$(cd "$FUZZ_DIR/trust" && pwd); fi
  if [[ -d $s/modsig/keys ]]; then export TRUSTSCAN_FUZZ_MODULE_KEYS=$(cd "$s/modsig/keys" && pwd); fi
  if [[ -d $REAL/boot ]]; then export TRUSTSCAN_FUZZ_KERNEL_ROOT=$REAL; fi
  export ASAN_OPTIONS=detect_leaks=1:disable_coredump=1
  export LSAN_OPTIONS=suppressions=$SRC/tools/lsan.supp:print_suppressions=0
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  local sym
  for sym in /usr/lib/llvm-16/bin/llvm-symbolizer /usr/lib/llvm-14/bin/llvm-symbolizer; do
    if [[ -x $sym ]]; then export ASAN_SYMBOLIZER_PATH=$sym; break; fi
  done
  return 0
}

install_clang() {
  local missing=()
  for p in clang-16 libclang-rt-16-dev; do
    dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep '^install ok installed$' >/dev/null || missing+=("$p")
  done
  [[ ${#missing[@]} -eq 0 ]] && return 0
  local sudo=(); [[ $(id -u) -eq 0 ]] || sudo=(sudo)
  echo "fuzz.sh: installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" \
    >/tmp/trustscan-fuzz-apt.log 2>&1 || {
    "${sudo[@]}" apt-get update -q >>/tmp/trustscan-fuzz-apt.log 2>&1
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" \
      >>/tmp/trustscan-fuzz-apt.log 2>&1 || { tail -20 /tmp/trustscan-fuzz-apt.log >&2; die "apt-get failed"; }
  }
}

cmd_build() {
  install_clang
  cmake -S . -B "$FUZZ_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++-16 \
        -DTRUSTSCAN_FUZZ=ON -DTRUSTSCAN_SANITIZE=ON -DTRUSTSCAN_BUILD_TESTS=OFF >/dev/null
  cmake --build "$FUZZ_DIR" -j "$JOBS" --target "${TARGETS[@]}"
}

# add TARGET FILE...: copies files (at most 512 KiB each) into the target's seed directory,
# named by content hash so that reseeding is idempotent.
add() {
  local t=$1 f h; shift
  mkdir -p "$FUZZ_DIR/corpus/$t"
  for f in "$@"; do
    [[ -f $f && $(stat -c %s "$f") -le 524288 ]] || continue
    h=$(sha1sum "$f" | cut -c1-40)
    cp "$f" "$FUZZ_DIR/corpus/$t/$h"
  done
}

cmd_seed() {
  local s; s=$(samples_dir)
  rm -rf "$FUZZ_DIR/corpus"
  mapfile -t bins < <(find "$s" -type f ! -name '*.tsv' ! -name '*.txt' ! -name '*.pem' ! -path '*/private/*' | sort)
  add fuzz_parse "${bins[@]}"
  mapfile -t pes < <(find "$s" -type f \( -name '*.exe' -o -name '*.sys' -o -name '*.dll' -o -name '*.efi' \) | sort)
  add fuzz_authenticode "${pes[@]}"
  add fuzz_plain_pe "${pes[@]}"
  add fuzz_plain_elf_linked "$s/elf/hello" "$s/elf/libdemo.so" "$s/elf/libdemo32.so" \
                            $(find /usr/bin /usr/lib/x86_64-linux-gnu -maxdepth 1 -type f -size -40k | sort | head -200 |
                              xargs -r file -L | grep -E 'ELF .*(executable|shared object)' | cut -d: -f1 | head -30)
  add fuzz_catalog $(find "$s/catalog" -type f \( -name '*.cat' -o -name '*.p7' \) | sort)
  add fuzz_module_signature $(find "$s/modsig" "$s/elf" -maxdepth 1 -type f -name '*.ko' | sort)
  mapfile -t machos < <(find "$s/macho" -type f | sort)
  add fuzz_macho_signature "${machos[@]}"
  add fuzz_macho_contents "${machos[@]}"
  add fuzz_kernel_image $(find "$s/modsig" -path '*/boot/*' -type f | sort) \
                        $(find "$s/modsig" -path '*/lib/modules/*' -name vmlinuz -type f | sort)
  add fuzz_vendor_list signatures/vendors/*.yaml
  local tmp; tmp=$(mktemp -d)
  for f in signatures/vendors/*.yaml; do   # each vendor file with the sources legend, as one document
    [[ $f == */sources.yaml ]] && continue
    { cat signatures/vendors/sources.yaml; grep -v '^#' "$f"; } >"$tmp/$(basename "$f")"
  done
  add fuzz_vendor_list "$tmp"/*.yaml
  rm -rf "$tmp"
  add fuzz_policy rules/policy/*.yaml
  if [[ -d $REAL ]]; then  # a few small real binaries of each kind (the tree is optional)
    add fuzz_parse $(find "$REAL/lib/modules" -name '*.ko' -size -24k | sort | head -20) \
                   $(find "$REAL/usr/lib/x86_64-linux-gnu/wine/x86_64-windows" -type f -size -40k | sort | head -20) \
                   "$REAL/opt/npm/fsevents/fsevents.node" "$REAL/usr/lib/shim/fbx64.efi.signed" \
                   "$REAL/opt/npm/node-notifier/vendor/mac.noindex/terminal-notifier.app/Contents/MacOS/terminal-notifier"
    add fuzz_plain_pe $(find "$REAL/usr/lib/x86_64-linux-gnu/wine/x86_64-windows" -type f -size -40k | sort | head -20) \
                      "$REAL/opt/npm/node-notifier/vendor/notifu/notifu.exe"
    add fuzz_authenticode "$REAL/usr/lib/shim/fbx64.efi.signed" "$REAL/opt/npm/node-notifier/vendor/notifu/notifu.exe" \
                          $(find "$REAL/usr/lib/x86_64-linux-gnu/wine/x86_64-windows" -name '*.sys' -size -40k | sort | head -5)
    add fuzz_module_signature $(find "$REAL/lib/modules" -name '*.ko' -size -16k | sort | head -20)
    add fuzz_macho_contents "$REAL/opt/npm/fsevents/fsevents.node" \
                            "$REAL/opt/npm/node-notifier/vendor/mac.noindex/terminal-notifier.app/Contents/MacOS/terminal-notifier"
    add fuzz_macho_signature "$REAL/opt/npm/fsevents/fsevents.node" \
                             "$REAL/opt/npm/node-notifier/vendor/mac.noindex/terminal-notifier.app/Contents/MacOS/terminal-notifier"
    # The tree's only Developer ID (CMS) signature is in a 28 MiB fat file: a seed of its x86_64
    # slice's headers followed by its signature (page hashes then fail, the CMS and chain do not).
    local sentry=$REAL/opt/npm/@sentry/cli-darwin/bin/sentry-cli tmp2
    if [[ -f $sentry ]]; then
      tmp2=$(mktemp -d)
      python3 - "$sentry" "$tmp2/sentry-cms-x86_64" <<'PY'
import struct, sys
b = open(sys.argv[1], "rb").read()
off, size = struct.unpack_from(">II", b, 8 + 8)  # first fat_arch: offset, size
s = b[off:off + size]
at = 32
for _ in range(struct.unpack_from("<I", s, 16)[0]):
    cmd, cmdsize = struct.unpack_from("<II", s, at)
    if cmd == 0x1D:
        dataoff, datasize = struct.unpack_from("<II", s, at + 8)
        head = bytearray(s[:4096])
        struct.pack_into("<I", head, at + 8, len(head))
        open(sys.argv[2], "wb").write(bytes(head) + s[dataoff:dataoff + datasize])
        break
    at += cmdsize
PY
      add fuzz_macho_signature "$tmp2/sentry-cms-x86_64"
      rm -rf "$tmp2"
    fi
  fi
  # Committed regression inputs replay through the matching targets.
  for t in "${TARGETS[@]}"; do
    local d=tests/data/regress/${t#fuzz_}
    if [[ -d $d ]]; then add "$t" "$d"/*; fi
    printf '%-24s %5d seeds %8d KiB\n' "$t" "$(find "$FUZZ_DIR/corpus/$t" -type f | wc -l)" \
      "$(du -sk "$FUZZ_DIR/corpus/$t" | cut -f1)"
  done
}

need_binary() { [[ -x $FUZZ_DIR/fuzz/$1 ]] || die "$FUZZ_DIR/fuzz/$1 missing: run tools/fuzz.sh build"; }
need_seeds() { [[ -d $FUZZ_DIR/corpus/$1 ]] || die "no seeds for $1: run tools/fuzz.sh seed"; }

cmd_smoke() {
  export_fuzz_env
  local t rc=0
  for t in "${TARGETS[@]}"; do
    need_binary "$t"; need_seeds "$t"
    if "$FUZZ_DIR/fuzz/$t" "${FUZZ_FLAGS[@]}" -runs=0 "$FUZZ_DIR/corpus/$t" >"$FUZZ_DIR/smoke-$t.log" 2>&1; then
      echo "smoke $t: ok ($(find "$FUZZ_DIR/corpus/$t" -type f | wc -l) seeds)"
    else
      echo "smoke $t: FAILED (see $FUZZ_DIR/smoke-$t.log)"; rc=1
    fi
  done
  return $rc
}

# run TARGET SECS: fuzzes from a working corpus (seeds + what earlier runs found); findings go to
# $FUZZ_DIR/artifacts/TARGET/, the log to $FUZZ_DIR/logs/TARGET.log.
cmd_run() {
  local t=$1 secs=${2:-600}
  need_binary "$t"; need_seeds "$t"
  export_fuzz_env
  mkdir -p "$FUZZ_DIR/work/$t" "$FUZZ_DIR/artifacts/$t" "$FUZZ_DIR/logs"
  local start=$SECONDS rc=0
  "$FUZZ_DIR/fuzz/$t" "${FUZZ_FLAGS[@]}" -max_total_time="$secs" \
    -artifact_prefix="$FUZZ_DIR/artifacts/$t/" "$FUZZ_DIR/work/$t" "$FUZZ_DIR/corpus/$t" \
    >"$FUZZ_DIR/logs/$t.log" 2>&1 || rc=$?
  echo "wall_seconds: $((SECONDS - start)) exit: $rc" >>"$FUZZ_DIR/logs/$t.log"
  summary_line "$t"
}

summary_line() {
  local t=$1 log=$FUZZ_DIR/logs/$1.log
  [[ -f $log ]] || { printf '%-24s (not run)\n' "$t"; return; }
  local last execs cov ft corp wall findings
  last=$(grep -E '^#[0-9]+' "$log" | tail -1)
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last"); ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
  corp=$(sed -n 's/.* corp: \([0-9]*\/[0-9]*[a-zA-Z]*\).*/\1/p' <<<"$last")
  wall=$(sed -n 's/^wall_seconds: \([0-9]*\).*/\1/p' "$log" | tail -1)
  findings=$(find "$FUZZ_DIR/artifacts/$t" -type f 2>/dev/null | wc -l)
  printf '%-24s execs=%-9s cov=%-6s ft=%-6s corpus=%-12s wall=%ss findings=%s\n' \
    "$t" "${execs:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" "${wall:-?}" "$findings"
}

case ${1:-} in
  build) cmd_build ;;
  seed) cmd_seed ;;
  smoke) cmd_smoke ;;
  run) [[ $# -ge 2 ]] || die "usage: tools/fuzz.sh run TARGET [SECONDS]"; cmd_run "$2" "${3:-600}" ;;
  all)
    for t in "${TARGETS[@]}"; do nice -n 10 "$0" run "$t" "${2:-600}"; done
    "$0" summary ;;
  summary) for t in "${TARGETS[@]}"; do summary_line "$t"; done ;;
  list) printf '%s\n' "${TARGETS[@]}" ;;
  -h|--help|"") sed -n '2,16p' "$0" ;;
  *) die "unknown command '$1' (see tools/fuzz.sh --help)" ;;
esac
