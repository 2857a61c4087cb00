#include <linux/magic.h>

#include <catch2/catch.hpp>

#include "io/file_access.hpp"
#include "io/fs_type.hpp"

using trustscan::io::classify_fs_type;
using trustscan::io::describe_fs_type;
using trustscan::io::FsClass;

// The magic numbers come from the kernel's own header, not from the table under test.
TEST_CASE("network file systems are classified by their statfs magic", "[io][fs_type]") {
  for (auto [magic, name] : {std::pair<std::uint64_t, std::string_view>{NFS_SUPER_MAGIC, "nfs"},
                             {SMB_SUPER_MAGIC, "smb"},
                             {CIFS_SUPER_MAGIC, "cifs"},
                             {SMB2_SUPER_MAGIC, "smb2"},
                             {AFS_SUPER_MAGIC, "afs"},
                             {AFS_FS_MAGIC, "kafs"},
                             {CEPH_SUPER_MAGIC, "ceph"},
                             {V9FS_MAGIC, "9p"},
                             {CODA_SUPER_MAGIC, "coda"},
                             {NCP_SUPER_MAGIC, "ncp"},
                             {OCFS2_SUPER_MAGIC, "ocfs2"}}) {
    CAPTURE(name);
    CHECK(classify_fs_type(magic).fs_class == FsClass::Network);
    CHECK(classify_fs_type(magic).name == name);
  }
}

TEST_CASE("FUSE mounts are one class whatever their daemon", "[io][fs_type]") {
  CHECK(classify_fs_type(FUSE_SUPER_MAGIC).fs_class == FsClass::Fuse);
  CHECK(describe_fs_type(FUSE_SUPER_MAGIC) == "fuse, fs type 0x65735546");
  CHECK(trustscan::io::skip_reason_name(FsClass::Fuse) == "fuse_filesystem");
  CHECK(trustscan::io::skip_reason_name(FsClass::Network) == "network_filesystem");
  CHECK(trustscan::io::skip_reason_name(FsClass::Pseudo) == "pseudo_filesystem");
  CHECK(trustscan::io::skip_reason_name(FsClass::Local).empty());
}

TEST_CASE("pseudo file systems are told from network and local ones", "[io][fs_type]") {
  for (std::uint64_t magic : std::initializer_list<std::uint64_t>{
           PROC_SUPER_MAGIC, SYSFS_MAGIC, DEVPTS_SUPER_MAGIC, CGROUP2_SUPER_MAGIC, DEBUGFS_MAGIC, TRACEFS_MAGIC,
           BPF_FS_MAGIC, EFIVARFS_MAGIC, NSFS_MAGIC, 0x65735543 /* fusectl: not in linux/magic.h */})
    CHECK(classify_fs_type(magic).fs_class == FsClass::Pseudo);
  // Disk file systems, tmpfs and overlay are walked; an unknown type too (and described by number).
  for (std::uint64_t magic :
       std::initializer_list<std::uint64_t>{EXT4_SUPER_MAGIC, XFS_SUPER_MAGIC, BTRFS_SUPER_MAGIC, TMPFS_MAGIC,
                                            OVERLAYFS_SUPER_MAGIC, SQUASHFS_MAGIC, 0x12345678})
    CHECK(classify_fs_type(magic).fs_class == FsClass::Local);
  CHECK(describe_fs_type(0x12345678) == "fs type 0x12345678");
  CHECK(describe_fs_type(NFS_SUPER_MAGIC) == "nfs, fs type 0x6969");
}

TEST_CASE("RootDir::foreign_filesystem statfs's a mounted directory", "[io][fs_type]") {
  auto root = trustscan::io::RootDir::open("/");
  REQUIRE(root);
  auto proc = root->foreign_filesystem("proc");
  if (!proc) {
    WARN("/proc is not mounted here: nothing to check");
    return;
  }
  CHECK(proc->fs_class == FsClass::Pseudo);
  CHECK(proc->description == "proc, fs type 0x9fa0");
  CHECK_FALSE(root->foreign_filesystem("no/such/directory"));
}
