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

/// Opens each root of `options` and walks the trees. Problems are in `walk.errors`.
void discover_roots(const ScanOptions& options, OpenedRoots& roots, discover::WalkResult& walk);

/// Module-signing keys from the kernel images inside the image volumes (boot/vmlinuz-*, ...), as
/// verify::KernelKeyring::add_from_root does for a directory root (also lib/modules/*/vmlinuz,
/// usr/lib/modules/*/vmlinuz); each kernel is searched once. Adds to ctx.kernel_keys (waiting for
/// the keys of the directory roots; its notes and key sources) and to ctx.notes.
void add_image_kernel_keys(const OpenedRoots& roots, Context& ctx);

}  // namespace trustscan::pipeline
