#include <catch2/catch.hpp>

#include <map>

#include "discover/walker.hpp"
#include "io/file_access.hpp"
#include "support/temp_tree.hpp"

using namespace trustscan;
using discover::SkipReason;

namespace {

/// A host tree with mounts below its root, standing in for NFS, sshfs and /proc (which a test
/// cannot mount): each top-level directory is on a device of its own, of the class it is named
/// after; "gone" and "gone.sys" vanish between the listing and the open.
class MountSource final : public io::FileSource {
 public:
  const std::string& path() const noexcept override { return root_; }
  Result<io::DirListing> scan_dir(const std::string& relative) const override {
    if (relative == "gone") return fail(Errc::NotFound, "open gone: deleted or renamed since it was listed");
    io::DirListing out;
    out.device = relative.empty() ? 1 : 2;
    if (relative.empty()) {
      for (const char* dir : {"nfs", "sshfs", "proc", "disk", "gone"}) add(out, dir, S_IFDIR, 2);
      add(out, "gone.sys", S_IFREG, 1).vanished = true;
      add(out, "root.sys", S_IFREG, 1);
    } else {
      add(out, "driver.sys", S_IFREG, 2);
    }
    return out;
  }
  Result<std::vector<io::DirEntry>> list(const std::string&, std::size_t) const override { return {}; }
  Result<std::unique_ptr<io::SourceFile>> open_file(const std::string&, std::uint64_t) const override {
    return fail(Errc::Unsupported, "not needed");
  }
  std::optional<io::MountedFs> foreign_filesystem(const std::string& relative) const override {
    static const std::map<std::string, io::MountedFs> kMounts{
        {"nfs", {io::FsClass::Network, "nfs, fs type 0x6969"}},
        {"sshfs", {io::FsClass::Fuse, "fuse, fs type 0x65735546"}},
        {"proc", {io::FsClass::Pseudo, "proc, fs type 0x9fa0"}}};
    auto it = kMounts.find(relative);
    if (it == kMounts.end()) return std::nullopt;
    return it->second;
  }

 private:
  static io::EntryStat& add(io::DirListing& out, const char* name, mode_t type, dev_t dev) {
    io::EntryStat& e = out.entries.emplace_back();
    e.name = name;
    e.st.st_mode = type | 0755;
    e.st.st_size = 10;
    e.st.st_dev = dev;
    e.st.st_ino = out.entries.size() + 100;
    return e;
  }
  std::string root_ = "/host";
};

std::vector<std::string> files(const discover::WalkResult& r) {
  std::vector<std::string> out;
  for (const auto& f : r.files) out.push_back(f.path);
  std::ranges::sort(out);
  return out;
}

std::map<std::string, std::string> skips(const discover::WalkResult& r) {
  std::map<std::string, std::string> out;
  for (const auto& s : r.skipped) out[s.path] = std::string(discover::to_string(s.reason)) + ": " + s.detail;
  return out;
}

}  // namespace

TEST_CASE("network and FUSE mounts below a root are skipped by default, with their type", "[discover][mounts]") {
  MountSource src;
  discover::WalkResult r;
  discover::walk(src, 0, {}, r);
  CHECK(files(r) == std::vector<std::string>{"/host/disk/driver.sys", "/host/root.sys"});
  CHECK(skips(r) == std::map<std::string, std::string>{
                        {"/host/gone", "vanished: directory, deleted or renamed since its parent was listed"},
                        {"/host/gone.sys", "vanished: deleted or renamed since its directory was listed"},
                        {"/host/nfs", "network_filesystem: nfs, fs type 0x6969"},
                        {"/host/proc", "pseudo_filesystem: proc, fs type 0x9fa0"},
                        {"/host/sshfs", "fuse_filesystem: fuse, fs type 0x65735546"}});
  CHECK(r.errors.empty());  // a vanished entry is not an error
  CHECK(r.skip_counts ==
        std::map<std::string, std::uint64_t>{
            {"fuse_filesystem", 1}, {"network_filesystem", 1}, {"pseudo_filesystem", 1}, {"vanished", 2}});
}

TEST_CASE("--include-network-fs enters network and FUSE mounts, never pseudo ones", "[discover][mounts]") {
  MountSource src;
  discover::WalkOptions opt;
  opt.include_network_fs = true;
  discover::WalkResult r;
  discover::walk(src, 0, opt, r);
  CHECK(files(r) == std::vector<std::string>{"/host/disk/driver.sys", "/host/nfs/driver.sys", "/host/root.sys",
                                             "/host/sshfs/driver.sys"});
  CHECK(skips(r).count("/host/proc") == 1);
  // -x still wins: no other file system at all.
  opt.one_file_system = true;
  discover::WalkResult x;
  discover::walk(src, 0, opt, x);
  CHECK(files(x) == std::vector<std::string>{"/host/root.sys"});
  CHECK(x.skip_counts.at("other_filesystem") == 5);  // nfs, sshfs, proc, disk, gone
}

TEST_CASE("a file gone between listing and open is NotFound, not an I/O error", "[discover][io]") {
  test::TempTree t;
  t.write("a/kept.sys", "x");
  auto root = io::RootDir::open(t.path().string());
  REQUIRE(root);
  auto gone = root->open_file("a/gone.sys");
  REQUIRE_FALSE(gone);
  CHECK(gone.error().code == Errc::NotFound);
  CHECK(root->scan_dir("b").error().code == Errc::NotFound);
  CHECK(root->open_file("a/kept.sys"));
}
