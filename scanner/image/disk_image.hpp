#pragma once
/// \file
/// image/: disk image files (issue 10) — raw (dd, split .001), EWF (.E01), VMDK, VHD — opened
/// read-only with The Sleuth Kit (libtsk, only in this folder), their partition table (MBR, GPT,
/// ...) listed, and each volume whose file system TSK reads (NTFS, FAT, exFAT, ext2/3/4, HFS+,
/// ISO 9660, UFS) offered as an io::FileSource: the walk, the per-file analysis and the
/// Windows-image loader then run on it exactly as on a directory. Nothing is mounted, nothing is
/// written to the image, and no file content goes to a temporary file: bytes are read into memory.
///
/// Threads: a TSK_IMG_INFO serialises every read behind one lock (libtsk 4.11, img_io.c), and not
/// every file system reader of every libtsk build is safe for concurrent use of one TSK_FS_INFO.
/// Each volume source therefore keeps a pool of private handles (TSK_IMG_INFO + TSK_FS_INFO):
/// a thread borrows one for a directory listing or for the life of an open file and gives it
/// back; no TSK object is ever used by two threads at once, and reads of different files
/// (including EWF decompression) run in parallel. docs/disk-images.md has the measurements.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "image/location.hpp"
#include "io/file_source.hpp"

namespace trustscan::image {


struct OpenOptions {
  /// --partition: which volumes to scan (empty = all). A number no volume has is an error.
  std::vector<unsigned> partitions;
  /// --hash-image: SHA-256 of every image file, and an E01's media read whole to check the MD5 /
  /// SHA-1 stored at acquisition (ewf_hashes.hpp)
  bool hash = false;
};

/// An open image. Shared by its volume sources (they keep it alive).
class DiskImage {
 public:
  /// Opens `path` with libtsk and lists its volumes. Errc::Unsupported when libtsk recognises
  /// neither an image format nor a partition table nor a file system in it (for auto-detection:
  /// such a file is scanned as a single file). Errc::Config when libtsk cannot be loaded: then no
  /// file can be told apart from an image.
  [[nodiscard]] static Result<std::shared_ptr<DiskImage>> open(const std::string& path, const OpenOptions& options);

  DiskImage(const DiskImage&) = delete;
  DiskImage& operator=(const DiskImage&) = delete;
  ~DiskImage();

  [[nodiscard]] const ImageInfo& info() const noexcept;

  /// The file system of `volume` (one of info().volumes, without error) as a FileSource whose
  /// root is reported as `display_root`. Deleted entries are listed, marked (EntryStat::deleted).
  [[nodiscard]] Result<std::unique_ptr<io::FileSource>> source(const Volume& volume, std::string display_root) const;

  struct Impl;

 private:
  explicit DiskImage(std::shared_ptr<Impl> impl);
  std::shared_ptr<Impl> impl_;
};

/// For `trustscan --version`: The Sleuth Kit (libtsk) as loaded at run time, e.g. "NAME 1.2.3".
[[nodiscard]] std::string sleuthkit_version();

}  // namespace trustscan::image
