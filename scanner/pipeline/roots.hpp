#pragma once
/// \file
/// Opening the scan roots (pipeline-internal): a directory is walked beneath itself; a regular file
/// is one file to scan, unless it is a disk image (issue 10): then each selected volume of the
/// image becomes a root of its own, reported as "IMAGE" (a file system without a partition table)
/// or "IMAGE/pN" (partition N), walked and analysed through libtsk exactly like a directory.

#include <future>
#include <memory>
#include <string>
#include <vector>

#include "discover/walker.hpp"
#include "image/disk_image.hpp"
#include "io/file_source.hpp"
#include "pipeline/windows_image.hpp"

namespace trustscan::pipeline {

struct ScanOptions;
struct Context;

/// Every root of the scan, by index (discover::FileRef::root_index).
struct OpenedRoots {
  std::vector<std::unique_ptr<io::FileSource>> sources;
  std::vector<OpenRoot> opened;  ///< the roots that were opened (for the Windows-image loader)
  /// Per source: where it is inside a disk image (null for a directory or a single file).
  std::vector<std::shared_ptr<const image::Location>> locations;
  std::vector<image::ImageInfo> images;  ///< the disk images among the roots, in command-line order
  /// Per directory root (and image volume), in their order: the look for Windows images under
  /// it, begun as it was opened so that it runs beside its walk (on the calling thread when it
  /// is asked for, with one thread); none when detection is off (--no-windows-image). Last, so
  /// that each is waited for before the sources it reads are destroyed.
  std::vector<std::future<FoundImages>> windows_images;
};

/// Listing a directory is mostly waiting for the file system when its metadata is not cached: a
/// scheduled re-scan finds the directory blocks and inodes evicted since its last run, and each
/// listing thread waits for them one read at a time (ext4 reads an indexed directory's blocks in
/// getdents64, synchronously). So a directory root is listed on at least this many threads,
/// whatever the scan's analysis threads; with the metadata cached the extra threads cost nothing
/// measurable (docs/performance.md, twentieth round). A disk image's volumes keep the scan's threads: each
/// listing borrows a libtsk handle of a few MiB, and the listing is the reader's work, not waiting.
inline constexpr unsigned kListingThreads = 8;

/// The threads that list a directory root of a scan on `scan_threads` threads: one stays one
/// (`--threads 1`: nothing runs beside the calling thread).
[[nodiscard]] unsigned listing_threads(unsigned scan_threads) noexcept;

/// Opens each root of `options` and walks the trees, skipping `own_files` (the scan's own files on
/// this host: discover::ExcludedFile) wherever they are met, as a root too (not in disk images). Problems are in
/// `walk.errors`.
void discover_roots(const ScanOptions& options, OpenedRoots& roots, discover::WalkResult& walk,
                    std::vector<discover::ExcludedFile> own_files = {});

/// Module-signing keys from the kernel images inside the image volumes (boot/vmlinuz-*, ...), as
/// verify::KernelKeyring::add_from_root does for a directory root (also lib/modules/*/vmlinuz,
/// usr/lib/modules/*/vmlinuz); each kernel is searched once. Adds to ctx.kernel_keys (waiting for
/// the keys of the directory roots; its notes and key sources) and to ctx.notes.
void add_image_kernel_keys(const OpenedRoots& roots, Context& ctx);

}  // namespace trustscan::pipeline
