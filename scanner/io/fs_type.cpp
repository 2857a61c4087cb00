#include "io/fs_type.hpp"

#include <array>
#include <cstdio>

namespace trustscan::io {
namespace {

struct KnownFs {
  std::uint64_t magic;
  FsClass fs_class;
  std::string_view name;
};

// linux/magic.h, statfs(2), and the out-of-tree file systems' own headers (Lustre, GPFS, BeeGFS).
constexpr std::array<KnownFs, 39> kKnownFs{{
    {0x9fa0, FsClass::Pseudo, "proc"},         {0x62656572, FsClass::Pseudo, "sysfs"},
    {0x1cd1, FsClass::Pseudo, "devpts"},       {0x27e0eb, FsClass::Pseudo, "cgroup"},
    {0x63677270, FsClass::Pseudo, "cgroup2"},  {0x64626720, FsClass::Pseudo, "debugfs"},
    {0x74726163, FsClass::Pseudo, "tracefs"},  {0x73636673, FsClass::Pseudo, "securityfs"},
    {0x6165676c, FsClass::Pseudo, "pstore"},   {0xcafe4a11, FsClass::Pseudo, "bpf"},
    {0x62656570, FsClass::Pseudo, "configfs"}, {0x65735543, FsClass::Pseudo, "fusectl"},
    {0x19800202, FsClass::Pseudo, "mqueue"},   {0x42494e4d, FsClass::Pseudo, "binfmt_misc"},
    {0xde5e81e4, FsClass::Pseudo, "efivarfs"}, {0xf97cff8c, FsClass::Pseudo, "selinuxfs"},
    {0x6e736673, FsClass::Pseudo, "nsfs"},     {0x0187, FsClass::Pseudo, "autofs"},
    {0x6969, FsClass::Network, "nfs"},         {0x517b, FsClass::Network, "smb"},
    {0xff534d42, FsClass::Network, "cifs"},    {0xfe534d42, FsClass::Network, "smb2"},
    {0x5346414f, FsClass::Network, "afs"},   // OpenAFS
    {0x6b414653, FsClass::Network, "kafs"},  // the kernel's AFS client
    {0x00c36400, FsClass::Network, "ceph"},    {0x01021997, FsClass::Network, "9p"},
    {0x73757245, FsClass::Network, "coda"},    {0x564c, FsClass::Network, "ncp"},
    {0x0bd00bd0, FsClass::Network, "lustre"},  {0x47504653, FsClass::Network, "gpfs"},
    {0x19830326, FsClass::Network, "beegfs"},  {0x20030528, FsClass::Network, "orangefs"},
    {0xaad7aaea, FsClass::Network, "panfs"},   {0x013111a8, FsClass::Network, "ibrix"},
    {0x7461636f, FsClass::Network, "ocfs2"},   // a disk shared by a cluster: others write it
    {0x01161970, FsClass::Network, "gfs2"},    // likewise
    {0xbacbacbc, FsClass::Network, "vmhgfs"},  // VMware shared folders
    {0x786f4256, FsClass::Network, "vboxsf"},  // VirtualBox shared folders
    {0x65735546, FsClass::Fuse, "fuse"},       // also fuseblk (ntfs-3g), sshfs, rclone, virtiofs
}};

}  // namespace

FsType classify_fs_type(std::uint64_t magic) noexcept {
  for (const KnownFs& fs : kKnownFs)
    if (fs.magic == magic) return {fs.fs_class, fs.name};
  return {};
}

std::string describe_fs_type(std::uint64_t magic) {
  char hex[32];
  std::snprintf(hex, sizeof hex, "fs type 0x%llx", static_cast<unsigned long long>(magic));
  const FsType t = classify_fs_type(magic);
  return t.name.empty() ? std::string(hex) : std::string(t.name) + ", " + hex;
}

std::string_view skip_reason_name(FsClass fs_class) noexcept {
  switch (fs_class) {
    case FsClass::Pseudo: return "pseudo_filesystem";
    case FsClass::Network: return "network_filesystem";
    case FsClass::Fuse: return "fuse_filesystem";
    case FsClass::Local: return "";
  }
  return "";
}

}  // namespace trustscan::io
