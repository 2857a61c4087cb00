#!/usr/bin/env bash
# Builds the disk image files of the issue-10 tests from the test samples, without mounting
# anything and without root (CTest fixture build_disk_images):
#
#   tools/make_disk_images.sh OUT SAMPLES VENDOR_SAMPLES WINDOWS_SAMPLES
#
# OUT/content/        the test content: samples/{pe,elf,macho,other,signed,modsig,catalog}, the
#                     vendor image (vendor-image/), and boot/vmlinuz-test (the kernel whose built-in
#                     key signs samples/modsig/*.ko), as a directory
# OUT/ext4.img        (b) that content as an ext4 file system   (mke2fs -d, e2fsprogs)
# OUT/fat.img         (c) the same content as FAT32             (mkfs.fat + mcopy, dosfstools/mtools)
# OUT/ext4.E01        (d) ext4.img as EnCase 6 / EWF            (ewfacquire -u, ewf-tools), with the
#                     media's MD5 and SHA-1 stored (ewfacquire -d sha1)
# OUT/ext4-split.E01  (d) the same, uncompressed, in 1 MiB segments: .E01, .E02, ...
# OUT/ext4.vmdk       (e) ext4.img as VMDK (monolithic sparse)  (qemu-img convert, qemu-utils)
# OUT/ext4.vhd        (e) ext4.img as VHD (dynamic)             (qemu-img convert -O vpc)
# OUT/mbr.img, gpt.img  a partition table (sfdisk, fdisk) with ext4.img as partition 1 and
#                     OUT/windows.img (FAT: the Windows test image of make_windows_image.sh) as 2
# OUT/ntfs.img        NTFS (mkntfs, ntfscp; ntfs-3g) holding the test drivers in its root directory:
#                     ntfscp can create files but not directories, so no tree (docs/disk-images.md)
# OUT/deleted.img     FAT holding the vendor drivers, klif.sys deleted with mdel
# OUT/truncated.img   ext4.img cut inside its data: at the 90th percentile of its non-zero 4 KiB blocks,
#                     so that some files and directories lie beyond its end and others do not
# OUT/truncated.E01   ext4.E01 cut in half (EWF keeps its chunk tables after the data: nothing is left)
# OUT/tampered.E01    ext4.img as uncompressed EWF with one media byte changed after acquisition and
#                     its chunk's Adler-32 fixed (tools/tamper_e01.py): reads cleanly, the stored
#                     MD5/SHA-1 no longer match (issue 20)
# OUT/corrupt.img     mbr.img with partition 1's ext4 superblock overwritten with zeros
# OUT/expected.tsv    name and SHA-256 of the files the tests look for
set -euo pipefail
OUT=$1 SAMPLES=$2 VENDOR=$3 WINDOWS=$4
for tool in mke2fs mkfs.fat mcopy mdel ewfacquire qemu-img sfdisk; do
  command -v "$tool" >/dev/null || { echo "make_disk_images: $tool is missing (tools/setup.sh --test installs it)" >&2; exit 1; }
done
[[ -f $SAMPLES/pe/driver.sys && -f $VENDOR/vendor-image/Windows/System32/drivers/klif.sys &&
   -f $WINDOWS/windows-image/WINDOWS/System32/config/SYSTEM ]] || { echo "make_disk_images: samples missing" >&2; exit 1; }

rm -rf "$OUT"
mkdir -p "$OUT/content/samples"
# mtools reads no configuration of the user's; images have no partition table of their own.
export MTOOLS_SKIP_CHECK=1 MTOOLSRC=/dev/null

# --- the content: every sample tree the directory tests use (no symlinks: FAT cannot hold them).
for d in pe elf macho other signed modsig catalog; do cp -R "$SAMPLES/$d" "$OUT/content/samples/"; done
rm -rf "$OUT"/content/samples/modsig/root-*     # test kernels trees (some with symlinks), not content
mkdir -p "$OUT/content/boot"
cp "$SAMPLES/modsig/root-xz/boot/vmlinuz-test" "$OUT/content/boot/"
cp -R "$VENDOR/vendor-image" "$OUT/content/"
find "$OUT/content" -type l -delete
# Fixed times: FAT keeps 2-second local times, ext4 nanoseconds; the tests compare results, not times.
find "$OUT/content" -exec touch -h -d '2024-01-02 03:04:06' {} +

kib() { du -sk --apparent-size "$1" | cut -f1; }
content_kib=$(kib "$OUT/content")

# --- (b) ext4, (c) FAT32
ext4_mib=$(( content_kib / 1024 * 2 + 16 ))
mke2fs -q -t ext4 -L TSCONTENT -d "$OUT/content" "$OUT/ext4.img" "${ext4_mib}M" >/dev/null
make_fat() {  # make_fat IMAGE LABEL SIZE_MIB DIR...
  local img=$1 label=$2 mib=$3; shift 3
  mkfs.fat -C -F 32 -n "$label" "$img" $(( mib * 1024 )) >/dev/null
  local d
  for d in "$@"; do mcopy -s -m -Q -i "$img" "$d"/* ::/; done
}
make_fat "$OUT/fat.img" TSFAT $(( content_kib / 1024 * 2 + 40 )) "$OUT/content"

# --- (d) EWF, (e) VMDK and VHD of the ext4 image
ewfacquire -u -q -c fast -d sha1 -t "$OUT/ext4" "$OUT/ext4.img" >/dev/null
ewfacquire -u -q -c empty-block -S 1MiB -t "$OUT/ext4-split" "$OUT/ext4.img" >/dev/null
qemu-img convert -q -f raw -O vmdk "$OUT/ext4.img" "$OUT/ext4.vmdk"
qemu-img convert -q -f raw -O vpc "$OUT/ext4.img" "$OUT/ext4.vhd"

# --- partitioned: ext4 (content) + FAT (a Windows image), as MBR and as GPT
make_fat "$OUT/windows.img" TSWINDOWS 40 "$WINDOWS/windows-image"
ext4_sectors=$(( $(stat -c %s "$OUT/ext4.img") / 512 ))
win_sectors=$(( $(stat -c %s "$OUT/windows.img") / 512 ))
for label in mbr gpt; do
  img=$OUT/$label.img
  p2_start=$(( 2048 + ext4_sectors + 2048 ))
  truncate -s $(( (p2_start + win_sectors + 2048) * 512 )) "$img"
  if [[ $label == mbr ]]; then
    printf 'label: dos\nstart=2048, size=%d, type=83\nstart=%d, size=%d, type=0c\n' \
      "$ext4_sectors" "$p2_start" "$win_sectors"
  else  # GPT: Linux data and Microsoft basic data, with partition names
    printf 'label: gpt\nstart=2048, size=%d, type=L, name="content"\nstart=%d, size=%d, type=%s, name="windows"\n' \
      "$ext4_sectors" "$p2_start" "$win_sectors" EBD0A0A2-B9E5-4433-87C0-68B6B72699C7
  fi | sfdisk -q "$img" >/dev/null
  dd if="$OUT/ext4.img" of="$img" bs=512 seek=2048 conv=notrunc,sparse status=none
  dd if="$OUT/windows.img" of="$img" bs=512 seek="$p2_start" conv=notrunc,sparse status=none
done
echo "$(( (2048 + ext4_sectors + 2048) * 512 ))" >"$OUT/p2-offset"

# --- NTFS: only if ntfs-3g's tools are there (mkntfs formats a file; ntfscp writes without mounting)
if command -v mkntfs >/dev/null && command -v ntfscp >/dev/null; then
  truncate -s 16M "$OUT/ntfs.img"
  mkntfs -F -Q -q -L TSNTFS "$OUT/ntfs.img" >/dev/null 2>&1
  mkdir -p "$OUT/ntfs-content"
  for f in "$VENDOR"/vendor-image/Windows/System32/drivers/*.sys "$SAMPLES"/pe/*; do
    cp "$f" "$OUT/ntfs-content/"
    ntfscp -q "$OUT/ntfs.img" "$f" "/${f##*/}" 2>/dev/null
  done
fi

# --- deleted: FAT with the vendor drivers, then klif.sys deleted (mtools marks the entry deleted
# and frees the clusters; the data stays where it was)
mkdir -p "$OUT/deleted-content"
cp "$VENDOR"/vendor-image/Windows/System32/drivers/*.sys "$OUT/deleted-content/"
make_fat "$OUT/deleted.img" TSDELETED 40 "$OUT/deleted-content"
mdel -i "$OUT/deleted.img" ::/klif.sys

# --- damaged: a truncated raw image, a truncated EWF image, a corrupt second partition
cut=$(/usr/bin/python3 - "$OUT/ext4.img" <<'PY'
import sys
data = open(sys.argv[1], "rb").read()
used = [i for i in range(len(data) // 4096) if any(data[i * 4096:(i + 1) * 4096])]
print(used[len(used) * 9 // 10] * 4096)
PY
)
head -c "$cut" "$OUT/ext4.img" >"$OUT/truncated.img"
size=$(stat -c %s "$OUT/ext4.E01")
head -c $(( size / 2 )) "$OUT/ext4.E01" >"$OUT/truncated.E01"
ewfacquire -u -q -c none -d sha1 -t "$OUT/acquired" "$OUT/ext4.img" >/dev/null
python3 "$(dirname "$0")/tamper_e01.py" "$OUT/acquired.E01" "$OUT/tampered.E01"
rm -f "$OUT/acquired.E01"
cp "$OUT/mbr.img" "$OUT/corrupt.img"
dd if=/dev/zero of="$OUT/corrupt.img" bs=1024 seek=$(( 2048 * 512 / 1024 + 1 )) count=1 conv=notrunc status=none

sha256sum "$VENDOR/vendor-image/Windows/System32/drivers/klif.sys" | awk '{print "klif.sys\t" $1}' >"$OUT/expected.tsv"
echo "make_disk_images: $(find "$OUT" -maxdepth 1 -type f | wc -l) files in $OUT"
