#pragma once
/// \file
/// discover/: walks a scan root without ever leaving it. Symlinks are never followed (those whose
/// target would lead outside the root are reported), special files are never opened, directories
/// are opened beneath the root only (openat2 RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS), read-only and
/// without touching access times where the OS allows. The root is an io::FileSource: a directory
/// of the host, or a file system inside a disk image (image/), walked the same way.

#include <sys/stat.h>

#include <atomic>
#include <map>
#include <string>
#include <vector>

#include "discover/file_ref.hpp"

namespace trustscan::io {
class FileSource;
}

namespace trustscan::discover {

/// A file the walk skips as excluded whatever its size, known by its identity: the scan's own
/// files that lie in the scanned tree (its --cache database), listed with `detail`.
struct ExcludedFile {
  std::uint64_t device = 0;
  std::uint64_t inode = 0;
  std::string detail;
};

struct WalkOptions {
  std::vector<std::string> excludes;  ///< fnmatch globs, matched against the reported path and the name
  bool one_file_system = false;       ///< do not descend into other mounted file systems
  std::uint64_t max_file_size = 0;    ///< 0 = no limit
  /// Non-zero (a signal number) = stop listing: the walk ends early and says so.
  const std::atomic<int>* stop = nullptr;
  /// Disk images: also list deleted files whose content can still be read (--include-deleted),
  /// and the reader's $OrphanFiles directory. Without it deleted files are only counted.
  bool include_deleted = false;
  /// Also descend into network and FUSE file systems mounted below a root (skipped by default).
  /// A root itself is always walked, whatever its file system.
  bool include_network_fs = false;
  /// Directories listed at once (at least one: the calling thread's). The result is the same
  /// whatever the number (walk()).
  unsigned threads = 1;
  std::vector<ExcludedFile> excluded_files;  ///< skipped as excluded, empty or not (ExcludedFile)
};

struct WalkResult {
  std::vector<FileRef> files;      ///< regular, non-empty files to scan, in path order
  std::vector<Skipped> skipped;    ///< listed skips (see SkipReason)
  std::vector<PathError> errors;
  std::map<std::string, std::uint64_t> skip_counts;  ///< every skip by reason, listed or not
  /// Entries of disk images that are not files to scan, counted (never listed) by kind:
  /// "deleted" (without --include-deleted), "deleted_unrecoverable" (metadata reused or lost),
  /// "fs_metadata" (the file system's own files, $MFT, $FAT1, and the reader's virtual entries).
  std::map<std::string, std::uint64_t> image_entry_counts;
  std::uint64_t directories = 0;
  std::uint64_t empty_files = 0;
  bool interrupted = false;  ///< the walk was stopped (WalkOptions::stop) before it ended
};

/// Lists `path` in `out` as skipped for its size (SkipReason::TooLarge) when `size` is above
/// `max_file_size` (0: no limit); returns whether it was. The walk's rule, also for a file named
/// as a root (pipeline/roots.cpp).
bool skip_if_too_large(const std::string& path, std::uint64_t size, std::uint64_t max_file_size, WalkResult& out);
/// True, listed and counted as excluded with its entry's detail, when `st` is one of
/// `opt.excluded_files` (a file met by the walk, or given as a root).
bool skip_if_excluded(const std::string& path, const struct stat& st, const WalkOptions& opt, WalkResult& out);

/// Walks `root` (its path() is the root as reported) and appends to `out`: each directory's
/// entries in name order, then each subdirectory's walk in name order (pre-order), whether its
/// directories were listed one at a time or on WalkOptions::threads threads.
void walk(const io::FileSource& root, std::size_t root_index, const WalkOptions& options, WalkResult& out);

/// A FileRef for a regular file `st` at `relative` below root `root_index`, reported as `path`.
[[nodiscard]] FileRef file_ref(std::size_t root_index, std::string relative, std::string path,
                               const struct stat& st);

/// Joins a display root and a relative path ("/" + "etc" = "/etc", "img/" + "a" = "img/a").
[[nodiscard]] std::string join_path(std::string_view root, std::string_view relative);

/// Where a symlink at `link_relative` (relative to the root) with target `target` points,
/// resolved the way a chroot would (".." stops at the root for absolute targets).
struct LinkResolution {
  std::string resolved;  ///< root-relative, normalised
  bool absolute = false; ///< the target was absolute (a naive follow would leave an image root)
  bool escapes = false;  ///< a relative target climbs above the root
};
[[nodiscard]] LinkResolution resolve_link(std::string_view link_relative, std::string_view target);

}  // namespace trustscan::discover
