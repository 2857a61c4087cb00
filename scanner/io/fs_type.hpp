#pragma once
/// \file
/// What kind of file system a statfs(2) f_type is, for the walk's choice of which mounts to enter
/// (discover/walker.cpp): kernel pseudo file systems (/proc, /sys) never, network file systems
/// (NFS, SMB, Ceph, 9p, ...) and FUSE mounts only with --include-network-fs (issue 20: a fleet
/// scan of `/` must not walk every share and sshfs mount of every host), local ones always.

#include <cstdint>
#include <string>
#include <string_view>

namespace trustscan::io {

enum class FsClass {
  Local,    ///< a disk file system, tmpfs, overlay, or a type not known here
  Pseudo,   ///< the kernel's own view (proc, sysfs, cgroup, ...): no file on it is a file on disk
  Network,  ///< its files live on another machine (NFS, SMB/CIFS, AFS, Ceph, 9p, Lustre, ...)
  Fuse,     ///< served by a user-space daemon (sshfs, ntfs-3g, rclone, virtiofs, ...)
};

struct FsType {
  FsClass fs_class = FsClass::Local;
  std::string_view name;  ///< "nfs", "cifs", "fuse", "proc", ...; "" for a type not in the table
};

/// A mount the walk does not enter by default: its class, and "nfs, fs type 0x6969" for reports.
struct MountedFs {
  FsClass fs_class = FsClass::Local;
  std::string description;
};

/// The class and name of the statfs f_type `magic` (the *_SUPER_MAGIC values of linux/magic.h
/// and statfs(2)). FUSE mounts all share one magic, whatever their daemon (fuse, fuseblk for a
/// local disk served by ntfs-3g, fuse.sshfs): they are one class.
[[nodiscard]] FsType classify_fs_type(std::uint64_t magic) noexcept;

/// For reports: "nfs, fs type 0x6969" ("fs type 0x..." alone for a type not in the table).
[[nodiscard]] std::string describe_fs_type(std::uint64_t magic);

/// The skip reason the walk gives a mount of this class: "pseudo_filesystem",
/// "network_filesystem", "fuse_filesystem"; "" for FsClass::Local.
[[nodiscard]] std::string_view skip_reason_name(FsClass fs_class) noexcept;

}  // namespace trustscan::io
