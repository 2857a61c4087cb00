#!/usr/bin/env bash
# Acceptance test of the Debian package, as root: builds trustscan_<version>_<arch>.deb with CPack in
# the build tree, installs it with apt-get (Depends resolved from Debian's archive) into a fresh
# Debian 12 minbase chroot that has no source tree, scans /usr there, checks the report and the man
# page, then removes and purges the package.
#
#   tools/test_deb.sh [--boot] [--library] [--ansible] [--debs DIR] [BUILD_DIR]   (default: build; build it first)
#
# --debs DIR takes the three packages from DIR (e.g. BUILD_DIR/package, made by the ctest
# pkg_deb_build) instead of running cpack in BUILD_DIR.
#
# --boot also installs systemd in the chroot and boots it with systemd-nspawn (systemd-container
# on the host) to run the packaged trustscan.service under the real sandbox: a scan with findings
# (the vendor image of the ctest fixtures, when $BUILD/vendor-samples exists) and of a 0700 home
# directory of another user must end as Result=success, a configuration error as a failed unit.
#
# --library also installs libtrustscan1 and libtrustscan-dev with apt-get, and gcc, libc6-dev and
# pkg-config, in the chroot; builds samples/c/scan_threads.c there with exactly
# `cc -std=c99 -Wall -Werror scan_threads.c $(pkg-config --cflags --libs trustscan)` against the
# installed packages, runs it on /usr/lib, /usr/bin (and the ctest fixtures' vendor image, when
# built: findings) from two threads on one context, and checks
# that it printed the installed CLI's records (tests/capi/compare_records.py: the NDJSON
# projection, and each record whole against `trustscan scan -o json`) (issue 19, acceptance 1).
#
# --ansible also installs ansible-core in the chroot and runs tools/integrations/ansible/trustscan.yml
# there with the local connection (install from the .deb, /etc/default/trustscan, a scan now, the
# report fetched back; the timer task is skipped: no systemd runs in a chroot).
#
# The chroot base (debootstrap --variant=minbase bookworm + man-db) is made once and kept as a
# tarball in $TRUSTSCAN_CHROOT_CACHE (default /var/cache/trustscan/chroot); later runs unpack it
# (seconds). Delete the tarball to rebuild it. Not part of ctest: it needs root, the network to
# the machine's Debian mirror and a few minutes (docs/deployment.md has the figures).
set -euo pipefail
cd "$(dirname "$0")/.."
SRC=$PWD
WITH_ANSIBLE=0 WITH_BOOT=0 WITH_LIBRARY=0 DEBS=
while [[ ${1:-} == --* ]]; do
  case $1 in
    --ansible) WITH_ANSIBLE=1 ;;
    --library) WITH_LIBRARY=1 ;;
    --debs) DEBS=$(realpath "$2"); shift ;;
    --boot) WITH_BOOT=1 ;;
    *) echo "test_deb: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
BUILD=$(realpath "${1:-build}")
# The Debian mirror of the chroot: the one this machine's apt sources use for bookworm
# (tools/lib/apt_sources.sh), unless DEBIAN_MIRROR names another.
# shellcheck source=lib/apt_sources.sh
source tools/lib/apt_sources.sh
MIRROR=${DEBIAN_MIRROR:-$(apt_source_uri bookworm)} || { echo "test_deb: set DEBIAN_MIRROR" >&2; exit 2; }
CACHE=${TRUSTSCAN_CHROOT_CACHE:-/var/cache/trustscan/chroot}
BASE=$CACHE/bookworm-minbase-man.tar.gz

fail() { echo "test_deb: FAIL: $*" >&2; exit 1; }
step() { printf '\ntest_deb: [%4ss] %s\n' "$((SECONDS - T0))" "$*"; }
T0=$SECONDS
[[ $(id -u) -eq 0 ]] || fail "run as root (debootstrap, chroot, mount)"
[[ -x $BUILD/trustscan && -f $BUILD/CPackConfig.cmake ]] || fail "no build in $BUILD (cmake -S . -B build && cmake --build build)"

install_host_tools() {
  local missing=() p
  local want=(debootstrap dpkg-dev lintian)
  [[ $WITH_BOOT == 1 ]] && want+=(systemd-container)
  for p in "${want[@]}"; do
    dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep '^install ok installed$' >/dev/null || missing+=("$p")
  done
  [[ ${#missing[@]} -eq 0 ]] && return 0
  echo "test_deb: installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null \
    || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null; }
}
install_host_tools

ROOT=$(mktemp -d /var/tmp/trustscan-debtest.XXXXXX)
OUT=$(mktemp -d /tmp/trustscan-debtest-out.XXXXXX)
mounted=()
cleanup() {
  local i
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do umount -l "${mounted[i]}" 2>/dev/null || true; done
  rm -rf --one-file-system "$ROOT"
}
trap cleanup EXIT
in_root() { chroot "$ROOT" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
            DEBIAN_FRONTEND=noninteractive "$@"; }

VERSION=$("$BUILD/trustscan" --version | head -1 | cut -d' ' -f2)
if [[ -n $DEBS ]]; then
  step "the packages of $DEBS"
  t=$SECONDS
else
  step "cpack -G DEB in $BUILD"
  t=$SECONDS
  (cd "$BUILD" && cpack -G DEB) >"$OUT/cpack.log" 2>&1 || { cat "$OUT/cpack.log" >&2; fail "cpack"; }
  DEBS=$BUILD
fi
DEB=$DEBS/trustscan_${VERSION}_$(dpkg --print-architecture).deb
[[ -f $DEB ]] || fail "no $DEB"
echo "  ${DEB##*/}: $(stat -c %s "$DEB") bytes ($(du -h "$DEB" | cut -f1)), built in $((SECONDS - t)) s"
echo "  installed size: $(dpkg-deb -f "$DEB" Installed-Size) KiB"
echo "  $(dpkg-deb -f "$DEB" Depends | sed 's/^/Depends: /')"
lintian --no-cfg --fail-on error,warning "$DEB" >"$OUT/lintian.txt" 2>/dev/null || { cat "$OUT/lintian.txt" >&2; fail "lintian"; }
echo "  lintian: no errors or warnings"

if [[ ! -f $BASE ]]; then
  step "creating the chroot base: debootstrap --variant=minbase bookworm (once; cached in $BASE)"
  t=$SECONDS
  mkdir -p "$CACHE"
  debootstrap --variant=minbase bookworm "$ROOT" "$MIRROR" >"$OUT/debootstrap.log" 2>&1 \
    || { tail -30 "$OUT/debootstrap.log" >&2; fail "debootstrap"; }
  mount -t proc proc "$ROOT/proc"; mounted+=("$ROOT/proc")
  in_root apt-get install -y -q --no-install-recommends man-db >"$OUT/base-apt.log" 2>&1 \
    || { tail -30 "$OUT/base-apt.log" >&2; fail "man-db in the chroot"; }
  in_root apt-get clean
  umount "$ROOT/proc"; mounted=()
  tar -C "$ROOT" -czf "$BASE.partial" . && mv "$BASE.partial" "$BASE"
  echo "  base made in $((SECONDS - t)) s: $(du -h "$BASE" | cut -f1)"
else
  step "unpacking the cached chroot base $BASE"
  t=$SECONDS
  tar -C "$ROOT" -xzf "$BASE"
  echo "  unpacked in $((SECONDS - t)) s"
fi

# Only /proc: the chroot has its own device nodes (debootstrap), so nothing run in it can touch
# the host's /dev.
mount -t proc proc "$ROOT/proc"; mounted+=("$ROOT/proc")
cp /etc/resolv.conf "$ROOT/etc/resolv.conf"
[[ ! -e $ROOT$SRC ]] || fail "the source tree $SRC exists inside the chroot"

step "apt-get install ./${DEB##*/} in the chroot (Depends from $MIRROR)"
t=$SECONDS
cp "$DEB" "$ROOT/tmp/"
in_root apt-get update -q >"$OUT/apt.log" 2>&1 || { cat "$OUT/apt.log" >&2; fail "apt-get update"; }
in_root sh -c "cd /tmp && apt-get install -y -q --no-install-recommends ./${DEB##*/}" >>"$OUT/apt.log" 2>&1 \
  || { tail -30 "$OUT/apt.log" >&2; fail "apt-get install"; }
grep -E '^(Setting up|Unpacking) ' "$OUT/apt.log" | sed 's/^/  /'
echo "  installed in $((SECONDS - t)) s"
in_root dpkg -s trustscan | grep '^Status: install ok installed' >/dev/null || fail "dpkg -s trustscan"
[[ $(in_root trustscan --version | head -1) == "trustscan $VERSION" ]] || fail "trustscan --version"
for f in /usr/share/trustscan/rules/index.yar /usr/lib/systemd/system/trustscan.service \
         /usr/lib/systemd/system/trustscan.timer /etc/default/trustscan; do
  [[ -f $ROOT$f ]] || fail "$f not installed"
done

step "trustscan scan /usr in the chroot (no source tree there)"
t=$(date +%s.%N)
set +e
in_root trustscan scan /usr --format ndjson --output /tmp/usr.ndjson 2>"$OUT/scan.err"
rc=$?
set -e
scan_s=$(awk -v a="$t" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
[[ -s $OUT/scan.err ]] && sed 's/^/  stderr: /' "$OUT/scan.err"
[[ $rc == 0 || $rc == 1 ]] || fail "trustscan scan /usr exited $rc (expected 0 or 1)"
cp "$ROOT/tmp/usr.ndjson" "$OUT/usr.ndjson"
lines=$(wc -l <"$OUT/usr.ndjson")
tail -1 "$OUT/usr.ndjson" | grep '"event":{[^}]*"dataset":"trustscan.summary"' >/dev/null || fail "last line is not the summary"
summary=$(tail -1 "$OUT/usr.ndjson" | grep -oE '"summary":\{"files_seen":[0-9]+,"files_scanned":[0-9]+,"binaries":[0-9]+' || true)
echo "  exit $rc in $scan_s s, $lines NDJSON lines, $(stat -c %s "$OUT/usr.ndjson") bytes; $summary"
if /usr/bin/python3 -c 'import jsonschema' 2>/dev/null; then
  /usr/bin/python3 tools/validate_report.py --ndjson --schema docs/schema/event.schema.json "$OUT/usr.ndjson" \
    || fail "the report does not match docs/schema/event.schema.json"
  echo "  report valid against docs/schema/event.schema.json"
fi
# The default policy applies inside the chroot too (its data came from /usr/share/trustscan).
grep -q '"dataset":"trustscan.file"' "$OUT/usr.ndjson" || fail "no file records"

step "man trustscan in the chroot"
in_root man -P cat trustscan >"$OUT/man.txt" 2>"$OUT/man.err" || { cat "$OUT/man.err" >&2; fail "man trustscan"; }
grep -q 'TRUSTSCAN_DATA_DIR' "$OUT/man.txt" && grep -q -- '--fail-on' "$OUT/man.txt" || fail "man page content"
echo "  $(grep -c . "$OUT/man.txt") lines rendered: $(head -1 "$OUT/man.txt" | tr -s ' ')"

if [[ $WITH_BOOT == 1 ]]; then
  step "boot the chroot with systemd-nspawn and run trustscan.service (the packaged unit)"
  t=$SECONDS
  in_root apt-get install -y -q --no-install-recommends systemd systemd-sysv >"$OUT/systemd-apt.log" 2>&1 \
    || { tail -30 "$OUT/systemd-apt.log" >&2; fail "systemd in the chroot"; }
  # A unit that records how trustscan.service ended, then powers the container off.
  cat >"$ROOT/etc/systemd/system/trustscan-check.service" <<'UNIT'
[Unit]
Description=record the result of trustscan.service, then power off
After=trustscan.service
[Service]
Type=oneshot
ExecStart=/bin/sh -c 'systemctl show trustscan.service -p Result -p ExecMainStatus >/root/result.txt; journalctl -b -u trustscan.service --no-pager >/root/journal.txt'
ExecStartPost=/bin/systemctl --no-block poweroff
UNIT
  printf '[Unit]\nDescription=run trustscan.service once\nRequires=trustscan.service trustscan-check.service\nAfter=trustscan-check.service\n' \
    >"$ROOT/etc/systemd/system/trustscan-check.target"
  # Probes: a binary only root can reach through a 0700 directory of uid 1000, one in /var/tmp,
  # and (if the ctest fixtures were built) a driver the default policy flags.
  mkdir -p "$ROOT/home/alice" "$ROOT/var/tmp" "$ROOT/opt/img"
  cp "$ROOT/usr/bin/ls" "$ROOT/home/alice/tool"; chown -R 1000:1000 "$ROOT/home/alice"; chmod 700 "$ROOT/home/alice"
  cp "$ROOT/usr/bin/cat" "$ROOT/var/tmp/vartool"
  FLAGGED=$BUILD/vendor-samples/vendor-image/Windows/System32/drivers/oemavflt.sys
  want_status=0
  if [[ -f $FLAGGED ]]; then cp "$FLAGGED" "$ROOT/opt/img/"; want_status=1; fi
  cp "$ROOT/etc/default/trustscan" "$OUT/default.orig"
  boot() {  # boot OPTS: run the unit with TRUSTSCAN_OPTS=OPTS; leaves result.txt and journal.txt
    sed -i "s|^TRUSTSCAN_ROOTS=.*|TRUSTSCAN_ROOTS=\"/usr /var/tmp /home /opt/img\"|; s|^TRUSTSCAN_OPTS=.*|TRUSTSCAN_OPTS=\"$1\"|" \
      "$ROOT/etc/default/trustscan"
    rm -f "$ROOT/root/result.txt" "$ROOT/var/log/trustscan/trustscan.ndjson"
    umount "$ROOT/proc"   # the container mounts its own
    mounted=()
    timeout 300 systemd-nspawn -D "$ROOT" --register=no --keep-unit --console=pipe --boot \
      -- systemd.unit=trustscan-check.target </dev/null >"$OUT/nspawn.log" 2>&1 || { tail -20 "$OUT/nspawn.log" >&2; fail "systemd-nspawn"; }
    mount -t proc proc "$ROOT/proc"; mounted+=("$ROOT/proc")
    [[ -f $ROOT/root/result.txt ]] || { tail -20 "$OUT/nspawn.log" >&2; fail "the container recorded no result"; }
    sed 's/^/  journal: /' "$ROOT/root/journal.txt" | grep -E 'trustscan\[|Finished|Failed|status=' || true
  }
  boot ""
  grep -qx 'Result=success' "$ROOT/root/result.txt" && grep -qx "ExecMainStatus=$want_status" "$ROOT/root/result.txt" \
    || { cat "$ROOT/root/result.txt" "$ROOT/root/journal.txt" >&2; fail "trustscan.service did not end as exit $want_status / success"; }
  N=$ROOT/var/log/trustscan/trustscan.ndjson
  for p in /home/alice/tool /var/tmp/vartool $([[ $want_status == 1 ]] && echo /opt/img/oemavflt.sys); do
    grep -q "\"path\":\"$p\"" "$N" || fail "the unit's scan did not read $p"
  done
  [[ $want_status == 0 ]] || head -1 "$N" | grep '"kind":"alert"' >/dev/null || fail "no alert first in the unit's report"
  echo "  exit $want_status -> Result=success; report $(stat -c %s "$N") bytes, $(wc -l <"$N") lines; read /home/alice (0700, uid 1000) and /var/tmp"
  boot "--fail-on bogus"
  grep -qx 'Result=exit-code' "$ROOT/root/result.txt" && grep -qx 'ExecMainStatus=2' "$ROOT/root/result.txt" \
    || { cat "$ROOT/root/result.txt" >&2; fail "a configuration error did not fail the unit"; }
  echo "  exit 2 (configuration error) -> Result=exit-code (unit failed); booted twice in $((SECONDS - t)) s"
  cp "$OUT/default.orig" "$ROOT/etc/default/trustscan"
fi

if [[ $WITH_LIBRARY == 1 ]]; then
  step "libtrustscan1 + libtrustscan-dev installed with apt-get; samples/c built with pkg-config in the chroot"
  t=$SECONDS
  for p in libtrustscan1 libtrustscan-dev; do
    [[ -f $DEBS/${p}_${VERSION}_$(dpkg --print-architecture).deb ]] || fail "no ${p} package in $DEBS"
    cp "$DEBS/${p}_${VERSION}_$(dpkg --print-architecture).deb" "$ROOT/tmp/"
  done
  in_root sh -c "cd /tmp && apt-get install -y -q --no-install-recommends gcc libc6-dev pkg-config \
      ./libtrustscan1_${VERSION}_*.deb ./libtrustscan-dev_${VERSION}_*.deb" >"$OUT/library-apt.log" 2>&1 \
    || { tail -30 "$OUT/library-apt.log" >&2; fail "apt-get install of the library packages"; }
  grep -E '^Setting up (libtrustscan|gcc |pkg-config)' "$OUT/library-apt.log" | sed 's/^/  /'
  for p in libtrustscan1 libtrustscan-dev; do
    in_root dpkg -s "$p" | grep '^Status: install ok installed' >/dev/null || fail "dpkg -s $p"
  done
  echo "  installed in $((SECONDS - t)) s; pkg-config: $(in_root pkg-config --cflags --libs trustscan)"
  cp samples/c/scan_threads.c "$ROOT/tmp/"
  in_root sh -c 'cd /tmp && cc -std=c99 -Wall -Werror scan_threads.c $(pkg-config --cflags --libs trustscan) -o scan_threads' \
    >"$OUT/cc.log" 2>&1 || { cat "$OUT/cc.log" >&2; fail "samples/c/scan_threads.c does not build against the installed packages"; }
  in_root ldd /tmp/scan_threads | grep -E 'libtrustscan.so.1 => (/usr)?/lib/[^ ]*/libtrustscan.so.1 ' >/dev/null \
    || fail "the sample does not load the installed library: $(in_root ldd /tmp/scan_threads | grep trustscan)"
  # Roots: Debian's binaries, and (if the ctest fixtures were built) the vendor image, whose
  # drivers the default policy flags.
  lib_roots=(/usr/lib /usr/bin) min_findings=0
  if [[ -d $BUILD/vendor-samples ]]; then
    cp -a "$BUILD/vendor-samples" "$ROOT/opt/vendor-samples"
    lib_roots+=(/opt/vendor-samples) min_findings=1
  fi
  t=$SECONDS
  in_root /tmp/scan_threads "${lib_roots[@]}" >"$OUT/lib.ndjson" 2>"$OUT/lib.err" \
    || { cat "$OUT/lib.err" >&2; fail "scan_threads exited non-zero"; }
  lib_s=$((SECONDS - t))
  set +e
  in_root trustscan scan -o ndjson=/tmp/cli.ndjson -o json=/tmp/cli.json "${lib_roots[@]}" 2>"$OUT/cli.err"
  rc=$?
  set -e
  [[ $rc -le 1 ]] || { cat "$OUT/cli.err" >&2; fail "trustscan scan exited $rc"; }
  python3 tests/capi/compare_records.py "$ROOT/tmp/cli.ndjson" "$OUT/lib.ndjson" --report "$ROOT/tmp/cli.json" \
    --min-findings "$min_findings" | sed 's/^/  /' || fail "the sample's records are not the installed CLI's"
  echo "  scan_threads (2 threads, one context) on ${lib_roots[*]} in $lib_s s: the installed CLI's records"
  in_root apt-get remove -y -q libtrustscan-dev libtrustscan1 >"$OUT/library-remove.log" 2>&1 \
    || { cat "$OUT/library-remove.log" >&2; fail "remove of the library packages"; }
  [[ ! -e $ROOT/usr/include/trustscan/trustscan.h ]] || fail "trustscan.h left after removal"
  ! ls "$ROOT"/usr/lib/*/libtrustscan.so* >/dev/null 2>&1 || fail "libtrustscan.so* left after removal"
  echo "  removed cleanly"
fi

if [[ $WITH_ANSIBLE == 1 ]]; then
  step "Ansible playbook in the chroot (ansible-core from Debian, local connection)"
  t=$SECONDS
  in_root apt-get install -y -q --no-install-recommends ansible-core python3-apt >"$OUT/ansible-apt.log" 2>&1 \
    || { tail -30 "$OUT/ansible-apt.log" >&2; fail "ansible-core in the chroot"; }
  echo "  ansible-core installed in $((SECONDS - t)) s: $(in_root ansible-playbook --version | head -1)"
  in_root apt-get remove -y -q trustscan >/dev/null 2>&1   # the playbook installs it again from the .deb
  cp tools/integrations/ansible/trustscan.yml "$ROOT/tmp/"
  t=$SECONDS
  in_root sh -c "cd /tmp && ANSIBLE_NOCOLOR=1 ansible-playbook -i localhost, -c local trustscan.yml \
      -e trustscan_deb=/tmp/${DEB##*/} -e trustscan_timer=keep -e trustscan_scan_now=true \
      -e trustscan_fetch_dir=/tmp/reports -e '{\"trustscan_roots\": [\"/usr/lib\", \"/usr/sbin\"], \"trustscan_opts\": [\"--threads\", \"2\"]}'" \
      >"$OUT/ansible.log" 2>&1 || { cat "$OUT/ansible.log" >&2; fail "ansible-playbook"; }
  grep -E '^(TASK|ok:|changed:|skipping:|localhost )|"msg"' "$OUT/ansible.log" | sed 's/^/  /'
  echo "  playbook ran in $((SECONDS - t)) s"
  [[ -s $ROOT/tmp/reports/localhost.ndjson ]] || fail "the playbook fetched no report"
  tail -1 "$ROOT/tmp/reports/localhost.ndjson" | grep '"roots":\["/usr/lib","/usr/sbin"\]' >/dev/null || fail "fetched report: wrong roots"
  grep -qx 'TRUSTSCAN_OPTS="--threads 2"' "$ROOT/etc/default/trustscan" || fail "/etc/default/trustscan not written"
  echo "  fetched report: $(wc -l <"$ROOT/tmp/reports/localhost.ndjson") lines; /etc/default/trustscan written"
fi

step "apt-get remove, then purge"
in_root apt-get remove -y -q trustscan >"$OUT/remove.log" 2>&1 || { cat "$OUT/remove.log" >&2; fail "remove"; }
[[ ! -e $ROOT/usr/bin/trustscan && -f $ROOT/etc/default/trustscan ]] || fail "remove: binary left or conffile gone"
in_root apt-get purge -y -q trustscan >>"$OUT/remove.log" 2>&1 || { cat "$OUT/remove.log" >&2; fail "purge"; }
[[ ! -e $ROOT/etc/default/trustscan && ! -e $ROOT/usr/share/trustscan ]] || fail "purge left files"
echo "  removed and purged cleanly"

step "PASS (total $((SECONDS - T0)) s)"
