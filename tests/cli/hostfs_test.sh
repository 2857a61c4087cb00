#!/usr/bin/env bash
# Issue 20, what a host scan and an image scan tell their users, one case per invocation:
#   hostfs_test.sh TRUSTSCAN BUILD_DIR SOURCE_DIR TEST_NAME
#   exit_kinds   malformed files are listed with kind "malformed" and do not make the exit 3; a
#                file that cannot be read (permission denied) does (kind "read"); the summary
#                counts both (errors_by_kind), in JSON and in the table
#   size_limit   files above --max-file-size are listed and counted as skipped, not errors: exit 0
#   fuse_mount   a FUSE mount (ntfs-3g) below a root is skipped (fuse_filesystem, its type), scanned
#                with --include-network-fs, and always scanned when named as a root; skipped (77)
#                where FUSE cannot be mounted (no /dev/fuse, no privilege, no ntfs-3g)
#   e01_hashes   an E01's stored MD5/SHA-1 are reported; --hash-image checks them against the media
#                (match); the tampered copy of tools/tamper_e01.py is a mismatch that says so
set -euo pipefail
TS=$1 BUILD=$2 SRC=$3 NAME=$4
WORK=$(mktemp -d /tmp/trustscan-hostfs.XXXXXX)
MOUNTED=""
cleanup() {
  [[ -z $MOUNTED ]] || umount "$MOUNTED" 2>/dev/null || fusermount -u "$MOUNTED" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

# shellcheck source=../lib/test_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/test_lib.sh"
SAMPLES=$BUILD/samples
DI=$BUILD/disk-images
[[ -f $SAMPLES/other/truncated.exe ]] || fail "samples missing in $SAMPLES"

case "$NAME" in
exit_kinds)
  expect_exit 0 "$TS" scan -f json -o "$WORK/m.json" "$SAMPLES/other"
  validate_json "$WORK/m.json"
  $PY - "$WORK/m.json" <<'PY' || fail "malformed files not reported as expected"
import json, sys
d = json.load(open(sys.argv[1]))
bad = {f["file"]["name"]: f["trustscan"]["errors"] for f in d["files"] if f["trustscan"]["errors"]}
assert set(bad) == {"truncated.exe", "elf-magic-only"}, bad
assert all(e["kind"] == "malformed" and e["code"] == "malformed" for es in bad.values() for e in es), bad
assert d["summary"]["errors"] == 2 and d["summary"]["errors_by_kind"] == {"read": 0, "malformed": 2}, d["summary"]
PY
  expect_exit 0 "$TS" scan -f table "$SAMPLES/other"
  grep -q "^errors: 0 not read (exit 3), 2 malformed (read, not what their format says)$" "$WORK/out" \
    || fail "table summary: $(head -5 "$WORK/out")"
  # A binary its user may not read: that is a scan that did not cover everything (exit 3). As
  # root, mode 000 stops no one: the scan then runs as nobody.
  chmod 711 "$WORK"
  mkdir -m 755 "$WORK/tree"
  cp "$SAMPLES/pe/driver.sys" "$SAMPLES/other/truncated.exe" "$WORK/tree/"
  cp "$SAMPLES/pe/hello.exe" "$WORK/tree/closed.exe" && chmod 000 "$WORK/tree/closed.exe"
  chmod 644 "$WORK/tree/driver.sys" "$WORK/tree/truncated.exe"
  runas=()
  [[ $(id -u) == 0 ]] && runas=(setpriv --reuid=65534 --regid=65534 --clear-groups)
  expect_exit 3 "${runas[@]}" "$TS" scan -f json "$WORK/tree"
  $PY - "$WORK/out" <<'PY' || fail "unreadable file not reported as expected"
import json, sys
d = json.load(open(sys.argv[1]))
errors = [e for f in d["files"] for e in f["trustscan"]["errors"]] + d["errors"]
kinds = sorted(e["kind"] for e in errors)
assert kinds == ["malformed", "read"], errors
read = next(e for e in errors if e["kind"] == "read")
assert read["code"] == "permission_denied", read
assert d["summary"]["errors_by_kind"] == {"read": 1, "malformed": 1}, d["summary"]
PY
  # The NDJSON error event of the unreadable file carries its kind too.
  expect_exit 3 "${runas[@]}" "$TS" scan -f ndjson "$WORK/tree"
  validate_json "$WORK/out" --ndjson
  grep '"dataset":"trustscan.error"' "$WORK/out" | grep '"trustscan":{"error_kind":"read"}' >/dev/null \
    || fail "NDJSON error event without trustscan.error_kind read: $(grep trustscan.error "$WORK/out")"
  ;;
size_limit)
  expect_exit 0 "$TS" scan -f json -o "$WORK/s.json" --max-file-size 5KB "$SAMPLES/pe"
  validate_json "$WORK/s.json"
  $PY - "$WORK/s.json" "$SAMPLES/pe" <<'PY' || fail "size-limited files not reported as skipped"
import json, os, sys
d = json.load(open(sys.argv[1]))
big = sorted(n for n in os.listdir(sys.argv[2]) if os.path.getsize(os.path.join(sys.argv[2], n)) > 5 * 1024)
assert big, "no sample above the limit: the test proves nothing"
skipped = sorted(os.path.basename(s["path"]) for s in d["skipped"] if s["reason"] == "too_large")
assert skipped == big, (skipped, big)
assert d["summary"]["skipped"]["too_large"] == len(big) and d["summary"]["errors"] == 0 and d["errors"] == []
PY
  # A file named as a root is held to the limit too (it was read, and reported as a file that grew).
  big=$(find "$SAMPLES/pe" -maxdepth 1 -type f -size +5k -print -quit)
  expect_exit 0 "$TS" scan -f json -o "$WORK/f.json" --max-file-size 5KB "$big"
  $PY - "$WORK/f.json" "$big" <<'PY' || fail "a file root above the limit is not skipped as too_large"
import json, os, sys
d = json.load(open(sys.argv[1]))
assert d["skipped"] == [{"path": sys.argv[2], "reason": "too_large", "detail": f"{os.path.getsize(sys.argv[2])} bytes"}], d["skipped"]
assert d["files"] == [] and d["errors"] == [] and d["summary"]["files_seen"] == 1, (d["files"], d["errors"])
PY
  ;;
fuse_mount)
  need ntfs-3g; need mkntfs ntfs-3g; need ntfscp ntfs-3g  # installed by setup: missing is a failure
  [[ -c /dev/fuse ]] || { echo "SKIP: no /dev/fuse"; exit 77; }
  mkdir -p "$WORK/root/mnt"
  cp "$SAMPLES/pe/hello.exe" "$WORK/root/"
  truncate -s 8M "$WORK/ntfs.img"
  mkntfs -F -Q -q "$WORK/ntfs.img" >/dev/null 2>&1
  ntfscp -q "$WORK/ntfs.img" "$SAMPLES/pe/driver.sys" /driver.sys 2>/dev/null
  if ! ntfs-3g -o ro "$WORK/ntfs.img" "$WORK/root/mnt" 2>"$WORK/mount.err"; then
    echo "SKIP: FUSE cannot be mounted here: $(cat "$WORK/mount.err")"; exit 77
  fi
  MOUNTED=$WORK/root/mnt
  [[ $(stat -f -c %t "$MOUNTED") == 65735546 ]] || fail "ntfs-3g mount is not FUSE: $(stat -f -c %T "$MOUNTED")"
  expect_exit 0 "$TS" scan -f json -o "$WORK/skip.json" "$WORK/root"
  validate_json "$WORK/skip.json"
  expect_exit 0 "$TS" scan -f json -o "$WORK/incl.json" --include-network-fs "$WORK/root"
  validate_json "$WORK/incl.json"
  expect_exit 0 "$TS" scan -f json -o "$WORK/named.json" "$MOUNTED"
  $PY - "$WORK" <<'PY' || fail "FUSE mount not skipped/included as expected"
import json, sys
w = sys.argv[1]
names = lambda d: sorted(f["file"]["name"] for f in d["files"])
skip, incl, named = (json.load(open(f"{w}/{n}.json")) for n in ("skip", "incl", "named"))
assert names(skip) == ["hello.exe"], names(skip)
[s] = [s for s in skip["skipped"] if s["reason"] == "fuse_filesystem"]
assert s["path"] == f"{w}/root/mnt" and s["detail"] == "fuse, fs type 0x65735546", s
assert skip["summary"]["skipped"]["fuse_filesystem"] == 1 and skip["scan"]["options"]["include_network_fs"] is False
assert names(incl) == ["driver.sys", "hello.exe"], names(incl)
assert not [s for s in incl["skipped"] if s["reason"] == "fuse_filesystem"]
assert incl["scan"]["options"]["include_network_fs"] is True
assert names(named) == ["driver.sys"], names(named)  # a root named explicitly is always scanned
PY
  ;;
e01_hashes)
  [[ -f $DI/ext4.E01 && -f $DI/tampered.E01 ]] || fail "disk images missing (tools/make_disk_images.sh $DI)"
  md5=$(md5sum <"$DI/ext4.img" | cut -d' ' -f1)
  sha1=$(sha1sum <"$DI/ext4.img" | cut -d' ' -f1)
  for img in ext4.E01 tampered.E01; do
    for opt in "" --hash-image; do
      out=$WORK/${img%.E01}${opt:+-hash}.json
      set +e; "$TS" scan -f json -o "$out" --fail-on none $opt "$DI/$img" 2>"$WORK/err"; rc=$?; set -e
      [[ $rc == 0 ]] || { cat "$WORK/err" >&2; fail "$img $opt exited $rc"; }
      validate_json "$out"
    done
  done
  $PY - "$WORK" "$md5" "$sha1" <<'PY' || fail "E01 stored hashes not reported or checked as expected"
import json, sys
w, md5, sha1 = sys.argv[1:]
load = lambda n: json.load(open(f"{w}/{n}.json"))
for name in ("ext4", "ext4-hash", "tampered", "tampered-hash"):
    [img] = load(name)["images"]
    # The stored hashes are those of the media at acquisition: ext4.img, also for the tampered copy.
    assert img["stored_hashes"] == {"md5": md5, "sha1": sha1}, (name, img)
    if not name.endswith("-hash"):
        assert "hash_check" not in img and "media_hashes" not in img, (name, img)
good = load("ext4-hash")["images"][0]
assert good["hash_check"] == "match" and good["media_hashes"] == good["stored_hashes"], good
assert good["errors"] == [] and load("ext4-hash")["errors"] == []
bad_doc = load("tampered-hash")
bad = bad_doc["images"][0]
assert bad["hash_check"] == "mismatch", bad
assert bad["media_hashes"]["md5"] != md5 and bad["media_hashes"]["sha1"] != sha1, bad
[e] = bad["errors"]
assert e["stage"] == "image" and e["message"].startswith("the image was altered or damaged since it was acquired: "), e
assert f"(stored: {md5})" in e["message"] and e["kind"] == "malformed", e
assert any(x["message"] == e["message"] for x in bad_doc["errors"]), bad_doc["errors"]
# Altered with its chunk checksum fixed: the files still read (the change is outside them).
assert len(bad_doc["files"]) == len(load("ext4-hash")["files"]) > 0
PY
  expect_exit 0 "$TS" scan -f table --fail-on none --hash-image "$DI/tampered.E01"
  grep -q "stored at acquisition: MD5 $md5, SHA-1 $sha1; check: mismatch" "$WORK/out" \
    || fail "table lacks the stored hashes: $(grep -i acquisition "$WORK/out")"
  expect_exit 0 "$TS" scan -f table --fail-on none "$DI/ext4.E01"
  grep -q "check: not done (--hash-image reads the media whole)" "$WORK/out" || fail "table: check not done not said" ;;
*)
  fail "unknown test $NAME" ;;
esac
