#pragma once
/// \file
/// What discover/ hands to the rest of the pipeline: one entry per regular file to scan, and
/// everything it did not hand over, with the reason (nothing is skipped silently).

#include <cstdint>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace trustscan::discover {

/// A file time as stat(2) gives it (seconds may be far outside 1677–2262: no nanosecond int64).
struct Timestamp {
  std::int64_t sec = 0;
  std::uint32_t nsec = 0;
  friend bool operator==(const Timestamp&, const Timestamp&) = default;
};

/// A regular file found under a scan root, with the metadata seen when it was found.
struct FileRef {
  std::size_t root_index = 0;   ///< index into the scan's roots
  std::string relative;         ///< path below the root ("" when the root itself is this file)
  std::string path;             ///< path as reported: the root as given, joined with `relative`
  std::uint64_t size = 0;
  std::uint64_t device = 0;
  std::uint64_t inode = 0;
  std::uint32_t mode = 0;
  std::uint32_t uid = 0;
  std::uint32_t gid = 0;
  Timestamp mtime;
  Timestamp ctime;
  bool deleted = false;  ///< in a disk image: a deleted file read back (--include-deleted)
  friend bool operator==(const FileRef&, const FileRef&) = default;
};

/// Why a path was not scanned.
enum class SkipReason {
  Excluded,           ///< matched --exclude
  TooLarge,           ///< above --max-file-size
  Symlink,            ///< a symlink (never followed); listed only when its target leaves the root
  SpecialFile,        ///< FIFO, socket or device: never opened
  OtherFilesystem,    ///< a mount point, with --one-file-system
  PseudoFilesystem,   ///< /proc, /sys and other kernel pseudo file systems
  NetworkFilesystem,  ///< NFS, SMB/CIFS, AFS, Ceph, 9p, ... below a root (--include-network-fs enters them)
  FuseFilesystem,     ///< a FUSE mount below a root: sshfs, ntfs-3g, ... (--include-network-fs enters them)
  NotBinary,          ///< read, but not PE/ELF/Mach-O (counted, not listed)
  Vanished,           ///< listed by the walk, gone when opened: deleted or renamed meanwhile (a live host)
};

[[nodiscard]] constexpr std::string_view to_string(SkipReason r) noexcept {
  switch (r) {
    case SkipReason::Excluded: return "excluded";
    case SkipReason::TooLarge: return "too_large";
    case SkipReason::Symlink: return "symlink";
    case SkipReason::SpecialFile: return "special_file";
    case SkipReason::OtherFilesystem: return "other_filesystem";
    case SkipReason::PseudoFilesystem: return "pseudo_filesystem";
    case SkipReason::NetworkFilesystem: return "network_filesystem";
    case SkipReason::FuseFilesystem: return "fuse_filesystem";
    case SkipReason::NotBinary: return "not_binary";
    case SkipReason::Vanished: return "vanished";
  }
  return "unknown";
}

struct Skipped {
  std::string path;
  SkipReason reason = SkipReason::Excluded;
  std::string detail;  ///< e.g. the symlink target, the FIFO's type, the size
};

/// A path that could not be examined at all (unreadable directory, vanished file).
struct PathError {
  std::string path;
  Error error;
};

}  // namespace trustscan::discover
