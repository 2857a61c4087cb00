#!/usr/bin/env bash
# Disk image files (issue 10), one test per invocation:
#   disk_image_test.sh TRUSTSCAN BUILD_DIR SOURCE_DIR TEST_NAME
# The images are built by tools/make_disk_images.sh into BUILD_DIR/disk-images (CTest fixture
# build_disk_images) from the same samples the directory tests scan.
set -euo pipefail
TS=$1 BUILD=$2 SRC=$3 NAME=$4
DI=$BUILD/disk-images
WORK=$(mktemp -d /tmp/trustscan-di.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
PY=/usr/bin/python3
CA=(--trust-store "$BUILD/vendor-samples/vendor-image-ca" --trust-store "$BUILD/windows-samples/catalog-ca")

# shellcheck source=../lib/test_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/test_lib.sh"
[[ -f $DI/ext4.img && -d $DI/content ]] || fail "disk images missing (tools/make_disk_images.sh $DI)"
cd "$DI"  # roots are given relative, as an analyst would type them

# compare.py A.json ROOT_A B.json ROOT_B [--part]: the per-file results of two reports are the same,
# paths aside (records keyed by the path below their root; file times, inode, device, mode, uid,
# gid and the image location left out; the root replaced in every string, e.g. catalog paths).
# Findings and summary counts must agree too; with --part, only the records and findings under
# the two roots are compared (a report of several roots), not the summaries; --alias X Y says that
# root X of A is root Y of B (where strings such as catalog paths point into the other root).
cat >"$WORK/compare.py" <<'PY'
import json, sys

part = "--part" in sys.argv
aliases = [(sys.argv[i + 1], sys.argv[i + 2]) for i, a in enumerate(sys.argv) if a == "--alias"]

def rename(text, name, to):
    # name/... anywhere; a value that is exactly the name only where a root can stand (a Windows
    # image's path), never an ordinary value that happens to be spelled alike ("content").
    text = text.replace(name + "/", to + "/")
    for key in ("image", "path"):
        text = text.replace(f'"{key}": ' + json.dumps(name), f'"{key}": "{to}"')
    return text

def records(report, root, side):
    d = json.load(open(report))
    out = {}
    for f in d["files"]:
        p = f["file"]["path"]
        if part and not p.startswith(root + "/"):
            continue
        assert p.startswith(root + "/"), (p, root)
        file = {k: v for k, v in f["file"].items()
                if k not in ("path", "directory", "mtime", "ctime", "inode", "device", "mode", "uid", "gid")}
        t = {k: v for k, v in f["trustscan"].items() if k != "image"}
        text = rename(json.dumps({"file": file, "trustscan": t}), root, "ROOT")
        for n, pair in enumerate(aliases):
            text = rename(text, pair[side], f"ALIAS{n}")
        out[p[len(root) + 1:]] = json.loads(text)
    return d, out

def findings(d, root):
    return sorted((f["path"][len(root) + 1:], f["severity"], f["vendor"]["id"]) for f in d["findings"]
                  if f["path"].startswith(root + "/"))

a_doc, a = records(sys.argv[1], sys.argv[2], 0)
b_doc, b = records(sys.argv[3], sys.argv[4], 1)
assert a, "nothing to compare"
assert set(a) == set(b), ("paths differ", sorted(set(a) ^ set(b)))
for k in sorted(a):
    if a[k] != b[k]:
        diff = {s: {f: (a[k][s].get(f), b[k][s].get(f)) for f in set(a[k][s]) | set(b[k][s])
                    if a[k][s].get(f) != b[k][s].get(f)} for s in ("file", "trustscan")}
        raise AssertionError(f"{k}: {json.dumps(diff)[:2000]}")
assert findings(a_doc, sys.argv[2]) == findings(b_doc, sys.argv[4]), (findings(a_doc, sys.argv[2]), findings(b_doc, sys.argv[4]))
if not part:
    for key in ("binaries", "by_format", "by_privilege", "by_type", "findings", "attributed", "errors", "non_binaries"):
        assert a_doc["summary"][key] == b_doc["summary"][key], (key, a_doc["summary"][key], b_doc["summary"][key])
print(f"same results: {len(a)} records, {len(findings(a_doc, sys.argv[2]))} findings")
PY

case $NAME in
equivalence)
  # Acceptance 1: the same content as (a) a directory, (b) raw ext4, (c) FAT32, (d) E01 of (b)
  # (one file and split into 1 MiB segments), (e) VMDK and VHD of (b).
  expect_exit 1 "$TS" scan -f json -o "$WORK/dir.json" "${CA[@]}" content
  validate_json "$WORK/dir.json"
  $PY - "$WORK/dir.json" <<'PY' || fail "the directory scan is not the content the comparison needs"
import json, sys
d = json.load(open(sys.argv[1]))
files = {f["file"]["path"]: f for f in d["files"]}
assert len(files) >= 40 and len(d["findings"]) == 3, (len(files), d["findings"])
# The module signed by the key built into content/boot/vmlinuz-test verifies: the kernel keys were read.
assert files["content/samples/modsig/demo-signed.ko"]["trustscan"]["module_signature"]["status"] == "valid"
assert files["content/vendor-image/Windows/System32/drivers/klif.sys"]["file"]["code_signature"]["trusted"] is True
assert any(f["trustscan"]["errors"] for f in d["files"]), "no record with an error: the comparison would miss them"
PY
  for img in ext4.img fat.img ext4.E01 ext4-split.E01 ext4.vmdk ext4.vhd; do
    expect_exit 1 "$TS" scan -f json -o "$WORK/$img.json" "${CA[@]}" "$img"
    validate_json "$WORK/$img.json"
    $PY "$WORK/compare.py" "$WORK/dir.json" content "$WORK/$img.json" "$img" || fail "$img: results differ from the directory's"
    $PY - "$WORK/$img.json" "$img" <<'PY' || fail "$img: image not described as expected"
import json, sys
d, img = json.load(open(sys.argv[1])), sys.argv[2]
want_format = {"img": "raw", "E01": "ewf", "vmdk": "vmdk", "vhd": "vhd"}[img.rsplit(".", 1)[1]]
[image] = d["images"]
assert image["path"] == img and image["format"] == want_format and "volume_system" not in image, image
[v] = image["volumes"]
fs = "fat32" if img == "fat.img" else "ext4"
assert v["partition"] == 0 and v["offset"] == 0 and v["fs_type"] == fs and v["scanned"] is True, v
assert v["label"] == ("TSFAT" if fs == "fat32" else "TSCONTENT") and image["errors"] == [], image
if img == "ext4-split.E01":
    assert [f["path"] for f in image["files"]][:2] == ["ext4-split.E01", "ext4-split.E02"], image["files"]
for f in d["files"]:
    loc = f["trustscan"]["image"]
    assert loc["path"] == img and loc["partition"] == 0 and loc["fs_type"] == fs, loc
    assert loc["location"] == f"whole image ({fs}, offset 0, label {v['label']})" and "deleted" not in loc, loc
assert d["scan"]["verification"]["module_key_sources"] == [img + "/boot/vmlinuz-test (1 certificates, xz)"], d["scan"]["verification"]
assert d["summary"]["image_entries"].get("fs_metadata", 0) >= 1, d["summary"]
PY
  done
  # The table says where each finding comes from.
  expect_exit 1 "$TS" scan -f table "${CA[@]}" ext4.E01
  grep -q '^DISK IMAGE ext4.E01: ewf, 20.0 MiB, no partition table$' "$WORK/out" || fail "table lacks the image: $(cat "$WORK/out")"
  [[ $(grep -c '^    image: whole image (ext4, offset 0, label TSCONTENT)$' "$WORK/out") == 3 ]] \
    || fail "table findings lack their image location"
  expect_exit 1 env COLUMNS=100 "$TS" scan -f table "${CA[@]}" --hash-image gpt.img
  grep -q '^  partition 2 (fat32, offset 23068672, label TSWINDOWS) *scanned$' "$WORK/out" || fail "table lacks the volumes"
  $PY -c 'import sys; sys.exit(any(len(l.rstrip("\n")) > 100 for l in open(sys.argv[1], encoding="utf-8")))' "$WORK/out" \
    || { grep -nE '^.{101,}$' "$WORK/out" >&2; fail "table wider than 100 columns"; }
  # NDJSON: every file event carries the location, the summary the images.
  expect_exit 1 "$TS" scan -f ndjson "${CA[@]}" ext4.vmdk
  cp "$WORK/out" "$WORK/r.ndjson"
  validate_json "$WORK/r.ndjson" --ndjson
  $PY - "$WORK/r.ndjson" <<'PY' || fail "NDJSON lacks the image fields"
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
files = [e for e in ev if e["event"]["dataset"] == "trustscan.file"]
assert files and all(e["trustscan"]["image"]["path"] == "ext4.vmdk" for e in files)
assert ev[-1]["trustscan"]["images"][0]["format"] == "vmdk"
PY
  ;;
partitions)
  # Acceptance 2: MBR and GPT images with two file systems: ext4 (the content) and FAT32 (the
  # Windows test image); both are scanned, each as the directory it was made from.
  # The directory scan that matches: both trees in one scan (a trusted catalog of the Windows image
  # vouches for the files it lists under every root, content/samples/catalog/driver.sys included).
  WIN=$BUILD/windows-samples/windows-image
  expect_exit 1 "$TS" scan -f json -o "$WORK/dirs.json" "${CA[@]}" content "$WIN"
  for img in mbr.img gpt.img; do
    expect_exit 1 "$TS" scan -f json -o "$WORK/$img.json" "${CA[@]}" "$img"
    validate_json "$WORK/$img.json"
    $PY - "$WORK/$img.json" "$img" <<'PY' || fail "$img: partitions not as expected"
import json, sys
d, img = json.load(open(sys.argv[1])), sys.argv[2]
[image] = d["images"]
assert image["volume_system"] == ("dos" if img == "mbr.img" else "gpt"), image
p1, p2 = image["volumes"]
assert (p1["partition"], p1["offset"], p1["fs_type"], p1["label"], p1["scanned"]) == (1, 1048576, "ext4", "TSCONTENT", True), p1
assert (p2["partition"], p2["fs_type"], p2["label"], p2["scanned"]) == (2, "fat32", "TSWINDOWS", True), p2
assert (p1["description"], p2["description"]) == (("Linux (0x83)", "Win95 FAT32 (0x0c)") if img == "mbr.img" else ("content", "windows"))
for n in (1, 2):
    mine = [f for f in d["files"] if f["file"]["path"].startswith(f"{img}/p{n}/")]
    assert mine and all(f["trustscan"]["image"]["partition"] == n for f in mine)
    assert all(f["trustscan"]["image"]["location"].startswith(f"partition {n} (") for f in mine)
assert len(d["files"]) == sum(1 for f in d["files"] if f["file"]["path"].startswith((f"{img}/p1/", f"{img}/p2/")))
# The Windows image inside partition 2 is read as a mounted one would be.
[w] = d["windows"]["images"]
assert w["path"] == f"{img}/p2" and w["computer_name"] == "EVIDENCE-PC" and w["catalog_files"] == 1, w
drv = next(f for f in d["files"] if f["file"]["path"] == f"{img}/p2/WINDOWS/System32/drivers/driver.sys")
assert drv["file"]["code_signature"]["source"] == "catalog" and drv["file"]["code_signature"]["trusted"], drv["file"]["code_signature"]
assert drv["trustscan"]["windows"]["path"] == "C:\\WINDOWS\\System32\\drivers\\driver.sys", drv["trustscan"]["windows"]
PY
    # Per partition, the same results as the directory it was made from.
    $PY "$WORK/compare.py" "$WORK/dirs.json" content "$WORK/$img.json" "$img/p1" --part --alias "$WIN" "$img/p2" \
      || fail "$img p1 differs from content/"
    $PY "$WORK/compare.py" "$WORK/dirs.json" "$WIN" "$WORK/$img.json" "$img/p2" --part --alias content "$img/p1" \
      || fail "$img p2 differs from windows-image/"
    $PY - "$WORK/dirs.json" "$WORK/$img.json" <<'PY' || fail "$img: summary differs from the two directories'"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:])
for key in ("binaries", "by_format", "by_privilege", "by_type", "findings", "attributed", "errors", "catalog_signed"):
    assert a["summary"][key] == b["summary"][key], (key, a["summary"][key], b["summary"][key])
PY
  done
  # --partition: only the chosen volume; an unknown one is an error on the image; a bad value a usage error.
  expect_exit 1 "$TS" scan -f json -o "$WORK/only2.json" "${CA[@]}" --partition 2 gpt.img
  validate_json "$WORK/only2.json"
  $PY - "$WORK/only2.json" <<'PY' || fail "--partition 2 not honoured"
import json, sys
d = json.load(open(sys.argv[1]))
assert [v["scanned"] for v in d["images"][0]["volumes"]] == [False, True]
assert d["files"] and all(f["file"]["path"].startswith("gpt.img/p2/") for f in d["files"])
assert d["scan"]["options"]["images"]["partitions"] == [2]
PY
  expect_exit 3 "$TS" scan -f json --fail-on none --partition 1,3 mbr.img
  grep -q '"message": "--partition 3: the image has no such volume (it has 1, 2)"' "$WORK/out" || fail "unknown partition: $(cat "$WORK/out" | head -50)"
  expect_exit 1 "$TS" scan -f json --partition all --partition 1 mbr.img
  $PY -c 'import json,sys; d=json.load(open(sys.argv[1])); assert [v["scanned"] for v in d["images"][0]["volumes"]] == [True, True]' \
    "$WORK/out" || fail "--partition all"
  expect_exit 2 "$TS" scan --partition first mbr.img
  grep -q "expected a volume number or 'all'" "$WORK/err" || fail "bad --partition: $(cat "$WORK/err")"
  # --exclude matches the reported paths inside images.
  expect_exit 0 "$TS" scan -f json --partition 1 -e 'mbr.img/p1/vendor-image' mbr.img  # samples/other: malformed, not 3
  $PY -c 'import json,sys; d=json.load(open(sys.argv[1])); assert not any("vendor-image" in f["file"]["path"] for f in d["files"]) and d["files"]' "$WORK/out" \
    || fail "--exclude inside an image" ;;
damaged)
  # Acceptance 4: what cannot be read is a clear error, what can be read has results.
  expect_exit 1 "$TS" scan -f json -o "$WORK/full.json" ext4.img
  expect_exit 3 "$TS" scan -f json -o "$WORK/t.json" truncated.img
  validate_json "$WORK/t.json"
  $PY - "$WORK/full.json" "$WORK/t.json" <<'PY' || fail "truncated raw image not reported as expected"
import json, sys
full = {f["file"]["path"][len("ext4.img/"):]: f for f in json.load(open(sys.argv[1]))["files"]}
d = json.load(open(sys.argv[2]))
got = {f["file"]["path"][len("truncated.img/"):]: f for f in d["files"]}
errors = {e["path"][len("truncated.img/"):] if e["path"] != "truncated.img" else "": e for e in d["errors"]}
assert errors[""]["stage"] == "image" and errors[""]["message"].startswith("image truncated: the file system has 20480 blocks of 1024 bytes, the image holds "), errors[""]
# Results for what can be read: the same as from the whole image, never a wrong hash.
assert len(got) >= 10, len(got)
for p, f in got.items():
    assert f["file"]["hash"]["sha256"] == full[p]["file"]["hash"]["sha256"], p
# A clear error for every file that cannot: on the file itself, or on a directory above it.
unread = [p for p in full if p not in got]
assert unread, "the cut left every file readable: the test proves nothing"
for p in unread:
    parents = [p[:i] for i in range(len(p)) if p[i] == "/"]
    e = errors.get(p) or next((errors[q] for q in parents if q in errors), None)
    assert e, f"{p}: neither a record nor an error"
    assert "truncated image" in e["message"] or "the image is truncated" in e["message"], e
assert any(errors.get(p, {}).get("stage") == "map" for p in unread), "no per-file read error"
PY
  expect_exit 3 "$TS" scan -f table truncated.img
  grep -q 'image truncated: the file sy' "$WORK/out" || fail "table lacks the truncation warning"
  # A truncated E01 has lost its chunk tables: nothing is readable, and it says so (also when the
  # magic alone identified it: not silently scanned as a non-binary file).
  for opt in "" --image; do
    expect_exit 3 "$TS" scan -f json -o "$WORK/e.json" $opt truncated.E01
    validate_json "$WORK/e.json"
    $PY - "$WORK/e.json" <<'PY' || fail "truncated E01 not reported as expected"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["files"] == [] and d["summary"]["non_binaries"] == 0, d["summary"]
[e] = d["errors"]
assert e["path"] == "truncated.E01" and e["stage"] == "image", e
assert e["message"].startswith("cannot read the ewf image's data (truncated or damaged): "), e
assert d["images"][0]["volumes"][0]["error"]["message"] == e["message"]
PY
  done
  # Corrupt partition 1 (zeroed superblock): an error for it, results for partition 2. A volume
  # without a file system libtsk knows (also swap, an MSR, BitLocker) is listed, kind malformed, and
  # does not by itself exit 3 (issue 20).
  expect_exit 0 "$TS" scan -f json -o "$WORK/c.json" --fail-on none "${CA[@]}" corrupt.img
  validate_json "$WORK/c.json"
  $PY - "$WORK/c.json" <<'PY' || fail "corrupt partition not reported as expected"
import json, sys
d = json.load(open(sys.argv[1]))
[e] = d["errors"]
assert e["path"] == "corrupt.img/p1" and e["message"].startswith("no file system recognised: "), e
p1, p2 = d["images"][0]["volumes"]
assert p1["scanned"] is False and "fs_type" not in p1 and p1["error"]["code"] == "unsupported", p1
assert e["kind"] == "malformed" and d["summary"]["errors_by_kind"] == {"read": 0, "malformed": 1}, e
names = sorted(f["file"]["name"] for f in d["files"])
assert names == ["driver.sys", "oemavflt.sys", "other.sys"], names
assert d["windows"]["images"][0]["path"] == "corrupt.img/p2" and d["findings"][0]["severity"] == "critical"
PY
  ;;
deleted)
  # Deleted files: counted by default; --include-deleted reads back those whose metadata is intact.
  klif=$(awk -F'\t' '$1 == "klif.sys" {print $2}' expected.tsv)
  expect_exit 1 "$TS" scan -f json -o "$WORK/d.json" "${CA[@]}" deleted.img
  $PY - "$WORK/d.json" <<'PY' || fail "deleted file not only counted"
import json, sys
d = json.load(open(sys.argv[1]))
assert sorted(f["file"]["name"] for f in d["files"]) == ["360fsflt.sys", "SentinelMonitor.sys", "oemavflt.sys", "oemhwflt.sys"]
assert d["summary"]["image_entries"]["deleted"] == 1 and d["scan"]["options"]["images"]["include_deleted"] is False, d["summary"]
PY
  expect_exit 1 "$TS" scan -f json -o "$WORK/i.json" "${CA[@]}" --include-deleted deleted.img
  validate_json "$WORK/i.json"
  $PY - "$WORK/i.json" "$klif" <<'PY' || fail "deleted file not read back as expected"
import json, sys
d, sha = json.load(open(sys.argv[1])), sys.argv[2]
deleted = [f for f in d["files"] if f["trustscan"]["image"].get("deleted")]
# FAT overwrites a deleted name's first byte: klif.sys is listed as "_lif.sys".
assert [f["file"]["path"] for f in deleted] == ["deleted.img/_lif.sys"], deleted
f = deleted[0]
assert f["file"]["hash"]["sha256"] == sha and f["trustscan"]["vendor"]["id"] == "kaspersky", f["file"]
assert len(d["files"]) == 5 and "deleted" not in d["summary"]["image_entries"], d["summary"]
[finding] = [x for x in d["findings"] if x["path"] == "deleted.img/_lif.sys"]
assert finding["severity"] == "critical", finding
assert all("deleted" not in x["trustscan"]["image"] for x in d["files"] if x is not f)
PY
  expect_exit 1 env COLUMNS=100 "$TS" scan -f table "${CA[@]}" --include-deleted deleted.img
  grep -q '^    image: whole image (fat32, offset 0, label TSDELETED), deleted file$' "$WORK/out" \
    || fail "table does not mark the deleted file"
  $PY -c 'import sys; sys.exit(any(len(l.rstrip("\n")) > 100 for l in open(sys.argv[1], encoding="utf-8")))' "$WORK/out" \
    || { grep -nE '^.{101,}$' "$WORK/out" >&2; fail "table wider than 100 columns"; } ;;
ntfs)
  [[ -f ntfs.img ]] || { echo "SKIP: ntfs.img not built (ntfs-3g's mkntfs/ntfscp missing)"; exit 77; }
  expect_exit 1 "$TS" scan -f json -o "$WORK/dir.json" "${CA[@]}" ntfs-content
  expect_exit 1 "$TS" scan -f json -o "$WORK/n.json" "${CA[@]}" ntfs.img
  validate_json "$WORK/n.json"
  $PY "$WORK/compare.py" "$WORK/dir.json" ntfs-content "$WORK/n.json" ntfs.img || fail "NTFS results differ from the directory's"
  $PY - "$WORK/n.json" <<'PY' || fail "NTFS image not described as expected"
import json, sys
d = json.load(open(sys.argv[1]))
[v] = d["images"][0]["volumes"]
assert (v["fs_type"], v["label"]) == ("ntfs", "TSNTFS"), v
assert not any("$" in f["file"]["path"] for f in d["files"]) and len(d["files"]) >= 10
# $MFT, $Bitmap, ... $Extend, $Volume and the reader's $OrphanFiles: counted, never scanned.
assert d["summary"]["image_entries"]["fs_metadata"] >= 11, d["summary"]
PY
  ;;
readonly)
  # Nothing is written to an image, and no file is created beside it; --hash-image is the image's
  # SHA-256; auto-detection leaves binaries and other files alone; --image refuses a non-image.
  snapshot() { for f in *.img *.E0? *.vmdk *.vhd; do stat -c '%n %s %Y %Z' "$f"; sha256sum "$f"; done; ls -a; }
  before=$(snapshot)
  expect_exit 1 "$TS" scan -f json -o "$WORK/h.json" --hash-image ext4-split.E01 ext4.img
  validate_json "$WORK/h.json"
  $PY - "$WORK/h.json" <(sha256sum ext4-split.E0? ext4.img) <<'PY' || fail "--hash-image not as sha256sum says"
import json, sys
d = json.load(open(sys.argv[1]))
want = dict(reversed(l.split()) for l in open(sys.argv[2]))
got = {f["path"]: f["sha256"] for i in d["images"] for f in i["files"]}
assert got == want and len(got) >= 3, (got, want)
assert [i["path"] for i in d["images"]] == ["ext4-split.E01", "ext4.img"] and d["scan"]["options"]["images"]["hash"]
PY
  for img in ext4.img ext4.E01 ext4.vmdk ext4.vhd fat.img ntfs.img mbr.img deleted.img truncated.img; do
    [[ -f $img ]] || continue
    set +e; "$TS" scan -f json --include-deleted "${CA[@]}" "$img" >/dev/null 2>&1; set -e
  done
  [[ $before == "$(snapshot)" ]] || { diff <(echo "$before") <(snapshot) >&2; fail "a scan changed an image or created a file"; }
  # An image given through a symlink is followed, like a directory root given through one.
  ln -s "$DI/ext4.img" "$WORK/link.img"
  expect_exit 1 "$TS" scan -f json --hash-image "$WORK/link.img"
  $PY - "$WORK/out" "$(sha256sum <ext4.img | cut -c1-64)" <<'PY' || fail "image behind a symlink"
import json, sys
d = json.load(open(sys.argv[1]))
assert len(d["files"]) >= 40 and d["images"][0]["files"][0]["sha256"] == sys.argv[2], d["images"]
PY
  # A non-image file root: scanned as one file unless --image insists.
  expect_exit 0 "$TS" scan -f json "$BUILD/samples/other/data.bin"
  $PY -c 'import json,sys; d=json.load(open(sys.argv[1])); assert "images" not in d and d["summary"]["non_binaries"] == 1' "$WORK/out" \
    || fail "data.bin not scanned as a file"
  expect_exit 3 "$TS" scan -f json --image "$BUILD/samples/other/data.bin"
  grep -q 'no partition table (.*) and no file system (.*) recognised' "$WORK/out" || fail "--image data.bin: $(cat "$WORK/out")"
  expect_exit 3 "$TS" scan -f json --image "$BUILD/samples"
  grep -q -- '"message": "--image: not a regular file"' "$WORK/out" || fail "--image DIR: $(cat "$WORK/out")"
  # A binary given as a root is never probed for an image (a FAT-looking PE would otherwise vanish).
  expect_exit 0 "$TS" scan -f json "$BUILD/samples/pe/driver.sys"
  $PY -c 'import json,sys; d=json.load(open(sys.argv[1])); assert "images" not in d and len(d["files"]) == 1' "$WORK/out" \
    || fail "a PE root was treated as an image" ;;
without_libtsk)
  # With libtsk unloadable (an empty file mounted over it, in a mount namespace of this test's
  # own), a file root that is not a binary cannot be told from a raw image: an error on that root
  # (exit 3), never one clean non-binary; a binary root is still scanned as one file.
  # (awk reads to the end: leaving early would kill ldconfig with SIGPIPE, which pipefail turns
  # into a silent failure of this test, about once in 150 runs.)
  lib=$(ldconfig -p | awk '$1 ~ /^libtsk\.so\./ && lib == "" {lib = $NF} END {print lib}')
  [[ -n $lib ]] || fail "no libtsk in the loader's cache (ldconfig -p)"
  lib=$(readlink -f "$lib")
  runner=(unshare -m)
  [[ $(id -u) == 0 ]] || runner=(unshare -rm)
  for root in ext4.img ext4.E01 "$BUILD/samples/other/data.bin" "$BUILD/samples/pe/driver.sys"; do
    out=$WORK/$(basename "$root").json
    "${runner[@]}" -- sh -c 'mount --bind /dev/null "$1" && { "$2" scan -f json "$3" >"$4"; echo $? >"$4.rc"; }' \
      sh "$lib" "$TS" "$root" "$out" || fail "could not hide $lib in a mount namespace"
    $PY - "$out" "$(cat "$out.rc")" "$root" <<'PY' || fail "$root without libtsk: $(cat "$out")"
import json, sys
d, rc, root = json.load(open(sys.argv[1])), int(sys.argv[2]), sys.argv[3]
if root.endswith(".sys"):
    assert rc == 0 and len(d["files"]) == 1 and not d["errors"], (rc, d["errors"])
else:
    [e] = d["errors"]
    assert rc == 3 and e["path"] == root and (e["stage"], e["kind"]) == ("image", "read"), (rc, e)
    assert e["message"].startswith("not scanned: whether it is a disk image cannot be told without libtsk (cannot load libtsk.so."), e
    assert d["files"] == [] and d["summary"]["non_binaries"] == 0 and "images" not in d, d["summary"]
PY
  done
  ;;
*) fail "unknown test" ;;
esac
echo "ok: $NAME"
