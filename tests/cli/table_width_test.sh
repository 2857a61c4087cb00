#!/usr/bin/env bash
# The table report at a width (issue 20): table_width_test.sh TRUSTSCAN BUILD_DIR SOURCE_DIR TEST_NAME
#   widths         a tree of long, deep and non-ASCII names with a finding and attributed drivers,
#                  at COLUMNS=80 and 200: no line wider, every path of the JSON report whole, columns
#                  separated, VENDOR and COUNTRY of an attributed kernel driver; no COLUMNS and no
#                  terminal: nothing wrapped
#   real_tree      the same checks on the real-binary tree (skipped when it is not fetched)
#   limit          --limit N: N rows and a count of those left out
#   findings_only  --findings-only: the header, the summary and the findings, nothing else
set -euo pipefail
TS=$1 BUILD=$2 SRC=$3 NAME=$4
WORK=$(mktemp -d /tmp/trustscan-table.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
SAMPLES=$BUILD/samples VI=$BUILD/vendor-samples
PY=/usr/bin/python3
CHECK="$PY $SRC/tests/cli/table_check.py"

# shellcheck source=../lib/test_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/test_lib.sh"

# A tree with names longer than any terminal line: a Kaspersky driver (a finding), attributed CN
# and US drivers (not findings), Linux modules and a UEFI binary, below long, deep, accented and
# CJK directory names; one file name alone is wider than 80 columns.
make_tree() {
  local drv=$VI/vendor-image/Windows/System32/drivers
  [[ -f $drv/klif.sys ]] || fail "vendor image missing (tools/make_vendor_image.sh $VI)"
  T="$WORK/tree"
  local deep="$T/evidence-collected-from-the-workstation-of-the-finance-department/Windows/System32/drivers"
  local accents="$T/données/répertoire très long avec des espaces et des accents/日本語のディレクトリ名"
  mkdir -p "$deep" "$accents" "$T/boot/efi/EFI/BOOT"
  cp "$drv/klif.sys" "$drv/360fsflt.sys" "$drv/SentinelMonitor.sys" "$deep/"
  cp "$drv/oemhwflt.sys" "$accents/"
  cp "$SAMPLES/pe/app.efi" "$T/boot/efi/EFI/BOOT/"
  local ko
  for ko in "$SAMPLES"/elf/*.ko; do
    cp "$ko" "$accents/a-kernel-module-with-a-name-far-longer-than-any-terminal-is-wide-and-then-some-more-so-that-it-wraps-even-at-two-hundred-columns-$(basename "$ko")"
    break
  done
  printf 'not a binary\n' >"$T/readme.txt"
}

# Scans (trustscan scan ARGS...) as JSON and as a table at 80 and 200 columns and at no width;
# checks each.
check_tree() {
  set +e; "$TS" scan -q -f json -o "$WORK/r.json" "$@" 2>"$WORK/err"; set -e
  [[ -s $WORK/r.json ]] || fail "no JSON report: $(cat "$WORK/err")"
  local w
  for w in 80 200; do
    set +e; COLUMNS=$w "$TS" scan -q -f table "$@" >"$WORK/t$w.txt" 2>"$WORK/err"; set -e
    grep -q '^FINDINGS' "$WORK/t$w.txt" || fail "COLUMNS=$w: no table: $(cat "$WORK/err")"
    $CHECK width "$WORK/t$w.txt" "$w" || fail "COLUMNS=$w: lines wider than $w columns"
    $CHECK paths "$WORK/t$w.txt" "$WORK/r.json" || fail "COLUMNS=$w: paths cut"
    $CHECK columns "$WORK/t$w.txt" || fail "COLUMNS=$w: columns run together"
    if grep -q '…' "$WORK/t$w.txt"; then grep -n '…' "$WORK/t$w.txt" >&2; fail "COLUMNS=$w: something elided"; fi
  done
  # No COLUMNS and not a terminal: no limit, every row on one line.
  set +e; env -u COLUMNS "$TS" scan -q -f table "$@" >"$WORK/t0.txt" 2>"$WORK/err"; set -e
  if grep -q '^ *↳ ' "$WORK/t0.txt"; then fail "no terminal, no COLUMNS: paths were wrapped"; fi
  $CHECK paths "$WORK/t0.txt" "$WORK/r.json" || fail "no width: paths cut"
}

case $NAME in
widths)
  make_tree
  check_tree --trust-store "$VI/vendor-image-ca" "$T"
  # On a terminal without COLUMNS: the terminal's width (ioctl), here a pseudo-terminal of 120.
  need script util-linux
  script -qec "stty cols 120; $(printf '%q ' env -u COLUMNS "$TS" scan -q -f table --trust-store "$VI/vendor-image-ca" "$T")" \
    "$WORK/pty.raw" >/dev/null </dev/null || true
  tr -d '\r' <"$WORK/pty.raw" | grep -v '^Script \(started\|done\) ' >"$WORK/pty.txt"
  grep -q '^FINDINGS' "$WORK/pty.txt" || fail "no table on the terminal: $(cat "$WORK/pty.raw")"
  $CHECK width "$WORK/pty.txt" 120 || fail "terminal of 120 columns: lines wider"
  $CHECK width "$WORK/pty.txt" 100 2>/dev/null && fail "terminal of 120 columns: no line wider than 100 (its width not used)"
  $CHECK paths "$WORK/pty.txt" "$WORK/r.json" || fail "terminal of 120 columns: paths cut"
  long=$(find "$T" -name 'a-kernel-module-*')
  [[ $($PY -c 'import sys; print(len(sys.argv[1]))' "$long") -gt 200 ]] || fail "the long path is not longer than 200"
  # The kernel section: VENDOR and COUNTRY of the attributed drivers, '-' for an unattributed one;
  # the finding (klif.sys) is listed under FINDINGS with its evidence, not again in the section.
  for w in 80 200; do
    $CHECK rows "$WORK/t$w.txt" >"$WORK/rows$w.json"
    $PY - "$WORK/rows$w.json" "$WORK/t$w.txt" <<'PY' || { cat "$WORK/t$w.txt" >&2; fail "COLUMNS=$w: kernel rows not as expected"; }
import json, sys
rows = json.load(open(sys.argv[1]))
text = open(sys.argv[2], encoding="utf-8").read()
assert rows and all(set(r) == {"PRIV", "TYPE", "SIGNATURE", "VENDOR", "COUNTRY", "PATH"} for r in rows), rows
by_country = {r["COUNTRY"] for r in rows}
assert {"CN", "US", "-"} <= by_country, rows
assert any(r["VENDOR"].startswith("Qihoo") and r["COUNTRY"] == "CN" for r in rows), rows
assert any(r["VENDOR"].startswith("SentinelOne") and r["COUNTRY"] == "US" for r in rows), rows
assert all(r["VENDOR"] != "-" or r["COUNTRY"] == "-" for r in rows), rows
assert "KERNEL- AND BOOT-PRIVILEGED BINARIES (" in text and "of them under FINDINGS)" in text, "no count of findings"
findings = text[text.index("\nFINDINGS ("):text.index("\nKERNEL- AND BOOT-PRIVILEGED")]
assert "Kaspersky (RU, antivirus)" in findings and "evidence: " in findings, findings
kernel = text[text.index("\nKERNEL- AND BOOT-PRIVILEGED"):]
assert "klif.sys" not in kernel.split("\nERRORS")[0], "a finding listed again among the other rows"
PY
  done ;;
real_tree)
  R=/var/cache/trustscan/realtree
  [[ -d $R/lib/modules ]] || skip_without_real_tree "$R not fetched (tools/fetch_real_tree.sh)"
  # Boot loaders, shim and the deepest module directories (the longest real paths).
  check_tree "$R/boot" "$R/usr/lib/shim" "$R/usr/lib/grub" "$R"/lib/modules/*/kernel/arch "$R"/lib/modules/*/kernel/drivers/net/ethernet ;;
limit)
  make_tree
  set +e; COLUMNS=100 "$TS" scan -q -f table --trust-store "$VI/vendor-image-ca" "$T" >"$WORK/all.txt"; set -e
  set +e; COLUMNS=100 "$TS" scan -q -f table --limit 2 --trust-store "$VI/vendor-image-ca" "$T" >"$WORK/two.txt" \
    2>"$WORK/err"; rc=$?; set -e
  [[ $rc == 1 ]] || fail "--limit 2 exited $rc: $(cat "$WORK/err")"
  $CHECK rows "$WORK/all.txt" >"$WORK/all.json"
  $CHECK rows "$WORK/two.txt" >"$WORK/two.json"
  $PY - "$WORK/all.json" "$WORK/two.json" "$WORK/two.txt" <<'PY' || { cat "$WORK/two.txt" >&2; fail "--limit not as expected"; }
import json, sys
every, two = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
text = open(sys.argv[3], encoding="utf-8").read()
assert len(every) > 2, every
assert two == every[:2], (two, every)
assert f"... {len(every) - 2} more not shown (--limit 2; the JSON report lists them all)" in text, text
assert "Kaspersky (RU, antivirus)" in text  # findings are all listed whatever the limit
PY
  expect_exit 2 "$TS" scan -f table --limit 0 "$T"
  expect_exit 2 "$TS" scan -f table --limit many "$T" ;;
findings_only)
  make_tree
  set +e; COLUMNS=80 "$TS" scan -q -f table --findings-only --trust-store "$VI/vendor-image-ca" "$T" >"$WORK/f.txt" \
    2>"$WORK/err"; rc=$?; set -e
  [[ $rc == 1 ]] || fail "--findings-only exited $rc: $(cat "$WORK/err")"
  grep -q '^trustscan .* on ' "$WORK/f.txt" || fail "--findings-only lacks the header"
  grep -q '^privilege: ' "$WORK/f.txt" || fail "--findings-only lacks the summary"
  grep -q '^FINDINGS (2)  policy: default' "$WORK/f.txt" || fail "--findings-only lacks the findings"
  grep -q '^Kaspersky (RU, antivirus)' "$WORK/f.txt" || fail "--findings-only lacks the finding's vendor"
  grep -q 'klif.sys' "$WORK/f.txt" || fail "--findings-only lacks the finding's path"
  for section in 'KERNEL- AND BOOT-PRIVILEGED' 'ERRORS (' 'SKIPPED:' '360fsflt' 'SentinelMonitor'; do
    if grep -qF "$section" "$WORK/f.txt"; then cat "$WORK/f.txt" >&2; fail "--findings-only shows '$section'"; fi
  done
  $CHECK width "$WORK/f.txt" 80 || fail "--findings-only wider than 80 columns" ;;
*)
  fail "unknown test $NAME" ;;
esac
