#!/usr/bin/env bash
# make_golden.sh BUILD_DIR [OUTDIR]
#
# Writes the golden example reports of samples/expected/ (or OUTDIR): trustscan (BUILD_DIR/trustscan)
# scans one small fixed tree, one report per output format, each passed through
# tools/redact_golden.py so that the files are the same on every machine and every run. The test
# golden_outputs_match (tests/cli/golden_test.sh) runs this into a temporary directory and diffs.
#
# The tree is assembled from samples built at test time by the existing scripts; BUILD_DIR's CTest
# fixtures (BUILD_DIR/samples from tools/make_samples.sh, BUILD_DIR/vendor-samples from
# tools/make_vendor_image.sh) are used when present, else both scripts are run into a scratch
# directory:
#
#   tree/windows/klif.sys             kernel driver test-signed "AO Kaspersky Lab" (RU)  -> a finding
#   tree/windows/SentinelMonitor.sys  kernel driver test-signed "SentinelOne Inc." (US)  -> clean, valid
#   tree/windows/driver.sys           kernel driver, unsigned, VERSIONINFO of "Example Driver Vendor Ltd"
#   tree/linux/demo.ko                Linux kernel module, unsigned
#   tree/macos/demo.kext              Mach-O kext, unsigned
#   tree/other/truncated.exe          a PE cut after 200 bytes                             -> an error
#   tree/other/readme.txt             plain text                                           -> skipped
#   trust/root.pem                    the vendor image's test root (--trust-store trust)
#
# Every path is relative (the scan runs in the scratch directory), nothing depends on the host:
# no default trust anchors (their count would change the reports), an empty --data-dir, no
# module-signing keys from /boot, a fixed --verify-time, fixed COLUMNS and file modes.
#
# Exit status: 0 written, 1 failure, 2 usage.
set -euo pipefail

# One line per golden file: FILE, then the trustscan arguments whose standard output it is.
# @SCAN@ stands for `scan tree` with the fixed options below, @OPTIONS@ for the part of them every
# command that scans takes (`check --scan`: the context's options, not --threads or --quiet). A new format is one more line here.
GOLDEN=(
  "table.txt      @SCAN@ -f table"
  "report.json    @SCAN@ -f json"
  "events.ndjson  @SCAN@ -f ndjson"
  "findings.cef   @SCAN@ -f cef"
  "records.csv    @SCAN@ -f csv"
  "metrics.prom   @SCAN@ -f prometheus"
  "state.json     @SCAN@ -f state"
  "check.txt      check --timeout 120 --scan tree @OPTIONS@"
)
CONTEXT_OPTIONS=(--trust-store trust --no-default-trust --data-dir data --no-kernel-keys --verify-time 2026-01-01)
# TRUSTSCAN_GOLDEN_OPTIONS (words) are added to them: the test shows with it that a changed verdict
# changes the golden files (tests/cli/golden_test.sh catches_change).
read -r -a EXTRA <<<"${TRUSTSCAN_GOLDEN_OPTIONS:-}"
CONTEXT_OPTIONS+=("${EXTRA[@]}")
SCAN_OPTIONS=("${CONTEXT_OPTIONS[@]}" --threads 2 --quiet)
export COLUMNS=100 LC_ALL=C TZ=UTC

die() { echo "make_golden: error: $*" >&2; exit 1; }
usage() { echo "usage: $0 BUILD_DIR [OUTDIR]   (OUTDIR: samples/expected)" >&2; exit 2; }
[[ $# -ge 1 && $# -le 2 && $1 != -* ]] || usage
TOOLS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BUILD=$(cd "$1" && pwd) || die "no build directory $1"
TS=$BUILD/trustscan
[[ -x $TS ]] || die "$TS not found (build first)"
OUT=${2:-$TOOLS/../samples/expected}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/trustscan-golden.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

# ---------------------------------------------------------------- the tree
SAMPLES=$BUILD/samples VENDOR=$BUILD/vendor-samples
if [[ ! -f $SAMPLES/MANIFEST.tsv || ! -f $VENDOR/vendor-image-ca/root.pem ]]; then
  SAMPLES=$WORK/build/samples VENDOR=$WORK/build/vendor-samples
  "$TOOLS/make_samples.sh" "$SAMPLES" >"$WORK/build.log" 2>&1 || die "make_samples.sh: $(tail -5 "$WORK/build.log")"
  "$TOOLS/make_vendor_image.sh" "$VENDOR" >"$WORK/build.log" 2>&1 ||
    die "make_vendor_image.sh: $(tail -5 "$WORK/build.log")"
fi
DRIVERS=$VENDOR/vendor-image/Windows/System32/drivers
[[ -f $SAMPLES/macho/demo.kext ]] || die "$SAMPLES has no Mach-O samples (make_samples.sh needs clang-14, lld-14, llvm-14)"
mkdir -p "$WORK/run/tree/windows" "$WORK/run/tree/linux" "$WORK/run/tree/macos" "$WORK/run/tree/other" \
         "$WORK/run/trust" "$WORK/run/data"
cp "$DRIVERS/klif.sys" "$DRIVERS/SentinelMonitor.sys" "$SAMPLES/pe/driver.sys" "$WORK/run/tree/windows/"
cp "$SAMPLES/elf/demo.ko" "$WORK/run/tree/linux/"
cp "$SAMPLES/macho/demo.kext" "$WORK/run/tree/macos/"
cp "$SAMPLES/other/truncated.exe" "$SAMPLES/other/readme.txt" "$WORK/run/tree/other/"
cp "$VENDOR/vendor-image-ca/root.pem" "$WORK/run/trust/"
find "$WORK/run" -type d -exec chmod 0755 {} + && find "$WORK/run" -type f -exec chmod 0644 {} +

# ---------------------------------------------------------------- the reports
VERSION=$("$TS" --version | sed -n '1s/^trustscan //p')
[[ -n $VERSION ]] || die "'$TS --version' names no version"
: >"$WORK/exit-status"
for line in "${GOLDEN[@]}"; do
  read -r -a words <<<"$line"
  file=${words[0]} argv=()
  for a in "${words[@]:1}"; do
    case $a in
      @SCAN@) argv+=(scan tree "${SCAN_OPTIONS[@]}") ;;
      @OPTIONS@) argv+=("${CONTEXT_OPTIONS[@]}") ;;
      *) argv+=("$a") ;;
    esac
  done
  set +e
  (cd "$WORK/run" && "$TS" "${argv[@]}" >"$WORK/$file" 2>"$WORK/$file.err")
  status=$?
  set -e
  [[ -s $WORK/$file ]] || die "trustscan ${argv[*]} wrote nothing (exit $status): $(head -5 "$WORK/$file.err")"
  printf '%-16s %s\n' "$file" "$status" >>"$WORK/exit-status"
  python3 "$TOOLS/redact_golden.py" --version "$VERSION" --replace "$WORK/run=<work>" \
    --replace "$(cd "$TOOLS/.." && pwd)=<src>" "$WORK/$file" >"$OUT/$file"
done
# Each command's exit status (scan: 1 = findings): part of what a client of the format sees.
mv "$WORK/exit-status" "$OUT/exit-status.txt"
echo "make_golden: ${#GOLDEN[@]} reports in $OUT"
