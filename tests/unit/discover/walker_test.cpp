#include "discover/walker.hpp"

#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <algorithm>

#include "io/file_access.hpp"
#include "support/temp_tree.hpp"

using namespace trustscan;
using discover::SkipReason;

namespace {

discover::WalkResult walk_tree(const test::TempTree& t, discover::WalkOptions opt = {}) {
  auto root = io::RootDir::open(t.path().string());
  REQUIRE(root);
  discover::WalkResult out;
  discover::walk(*root, 0, opt, out);
  return out;
}

const discover::Skipped* find_skip(const discover::WalkResult& r, std::string_view suffix) {
  for (const auto& s : r.skipped)
    if (s.path.ends_with(suffix)) return &s;
  return nullptr;
}

}  // namespace

TEST_CASE("walker lists regular files in path order and counts empty ones", "[discover]") {
  test::TempTree t;
  t.write("b/z.bin", "zz");
  t.write("a.bin", "a");
  t.write("b/a/x.bin", "x");
  t.write("empty", "");
  auto r = walk_tree(t);
  std::vector<std::string> rel;
  for (const auto& f : r.files) rel.push_back(f.relative);
  CHECK(rel == std::vector<std::string>{"a.bin", "b/z.bin", "b/a/x.bin"});
  CHECK(r.empty_files == 1);
  CHECK(r.directories == 3);
  CHECK(r.files[0].path == (t.path() / "a.bin").string());
  CHECK(r.files[1].size == 2);
}

TEST_CASE("symlinks are never followed; those leaving the root are reported", "[discover]") {
  test::TempTree t;
  t.write("real.bin", "data");
  t.symlink("inside", "real.bin");
  t.symlink("dir/up", "../../..");
  t.symlink("passwd", "/etc/passwd");
  t.symlink("loop", "loop");
  auto r = walk_tree(t);
  REQUIRE(r.files.size() == 1);
  CHECK(r.files[0].relative == "real.bin");
  CHECK(r.skip_counts["symlink"] == 4);
  const auto* up = find_skip(r, "/dir/up");
  REQUIRE(up);
  CHECK(up->reason == SkipReason::Symlink);
  CHECK_THAT(up->detail, Catch::Contains("outside the scan root"));
  const auto* pw = find_skip(r, "/passwd");
  REQUIRE(pw);
  CHECK_THAT(pw->detail, Catch::Contains("'/etc/passwd'"));
  CHECK(find_skip(r, "/inside") == nullptr);  // harmless in-root link: counted, not listed
  CHECK(find_skip(r, "/loop") == nullptr);
}

TEST_CASE("a FIFO is listed as a special file and never opened", "[discover]") {
  test::TempTree t;
  t.fifo("pipe");
  t.write("x", "1");
  auto r = walk_tree(t);  // would block forever if the FIFO were opened for reading
  const auto* s = find_skip(r, "/pipe");
  REQUIRE(s);
  CHECK(s->reason == SkipReason::SpecialFile);
  CHECK(s->detail == "fifo");
  CHECK(r.files.size() == 1);
}

TEST_CASE("exclude globs and the size limit skip with a reason", "[discover]") {
  test::TempTree t;
  t.write("keep.sys", "1");
  t.write("skip.txt", "1");
  t.write("cache/deep/file.sys", "1");
  t.write("big.bin", std::string(100, 'x'));
  discover::WalkOptions opt;
  opt.excludes = {"*.txt", "*/cache"};
  opt.max_file_size = 50;
  auto r = walk_tree(t, opt);
  REQUIRE(r.files.size() == 1);
  CHECK(r.files[0].relative == "keep.sys");
  CHECK(find_skip(r, "/skip.txt")->reason == SkipReason::Excluded);
  CHECK(find_skip(r, "/cache")->detail == "directory");
  CHECK(find_skip(r, "/big.bin")->reason == SkipReason::TooLarge);
}

TEST_CASE("files given by identity are skipped as excluded whether empty or not", "[discover]") {
  // The scan's own files in the tree (its --cache database and an empty WAL): listed with their
  // reason, neither scanned nor counted with the empty files.
  test::TempTree t;
  t.write("a.bin", "1");
  t.write("empty", "");
  t.write("sub/own.db", "database");
  t.write("sub/own.db-wal", "");
  discover::WalkOptions opt;
  for (const char* name : {"sub/own.db", "sub/own.db-wal"}) {
    struct stat st {};
    REQUIRE(::stat((t.path() / name).c_str(), &st) == 0);
    opt.excluded_files.push_back({st.st_dev, st.st_ino, "the scan's own"});
  }
  for (unsigned threads : {1u, 4u}) {
    opt.threads = threads;
    auto r = walk_tree(t, opt);
    REQUIRE(r.files.size() == 1);
    CHECK(r.files[0].relative == "a.bin");
    CHECK(r.empty_files == 1);
    for (const char* name : {"/own.db", "/own.db-wal"}) {
      INFO(name);
      const discover::Skipped* s = find_skip(r, name);
      REQUIRE(s);
      CHECK(s->reason == SkipReason::Excluded);
      CHECK(s->detail == "the scan's own");
    }
    CHECK(r.skip_counts["excluded"] == 2);
  }
}

TEST_CASE("an unreadable directory is an error, and the walk goes on", "[discover]") {
  if (::geteuid() == 0) {
    WARN("running as root: permissions do not apply, test skipped");
    return;
  }
  test::TempTree t;
  t.write("locked/secret", "1");
  t.write("open/file", "1");
  std::filesystem::permissions(t.path() / "locked", std::filesystem::perms::none);
  auto r = walk_tree(t);
  std::filesystem::permissions(t.path() / "locked", std::filesystem::perms::owner_all);
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].error.code == Errc::PermissionDenied);
  CHECK(r.files.size() == 1);
}

TEST_CASE("a stop request ends the walk early", "[discover]") {
  test::TempTree t;
  t.write("a/b/c.bin", "c");
  const std::atomic<int> stop{2};  // SIGINT, already received
  discover::WalkOptions opt;
  opt.stop = &stop;
  auto r = walk_tree(t, opt);
  CHECK(r.interrupted);
  CHECK(r.files.empty());
}

TEST_CASE("the walk's result is the same on one thread or several", "[discover]") {
  test::TempTree t;
  // Enough directories, at several depths, for the threads to share them; every kind of entry.
  for (int a = 0; a < 6; ++a)
    for (int b = 0; b < 5; ++b) {
      const std::string dir = "d" + std::to_string(a) + "/s" + std::to_string(b);
      for (int c = 0; c < 4; ++c) t.write(dir + "/f" + std::to_string(c) + ".bin", std::string(1 + c * 30, 'x'));
      t.write(dir + "/empty", "");
      t.write(dir + "/skip.txt", "1");
      t.symlink(dir + "/out", "../../../..");
      t.write(dir + "/deep/er/x.sys", "x");
    }
  discover::WalkOptions opt;
  opt.excludes = {"*.txt"};
  opt.max_file_size = 60;
  const discover::WalkResult one = walk_tree(t, opt);
  REQUIRE(one.files.size() == 6 * 5 * 3);
  for (unsigned threads : {2u, 3u, 8u, 16u}) {
    opt.threads = threads;
    const discover::WalkResult many = walk_tree(t, opt);
    CHECK(many.files == one.files);  // (the order too: each directory's files, then its subdirectories')
    REQUIRE(many.skipped.size() == one.skipped.size());
    for (std::size_t i = 0; i < one.skipped.size(); ++i) {
      CHECK(many.skipped[i].path == one.skipped[i].path);
      CHECK(many.skipped[i].reason == one.skipped[i].reason);
      CHECK(many.skipped[i].detail == one.skipped[i].detail);
    }
    CHECK(many.skip_counts == one.skip_counts);
    CHECK(many.directories == one.directories);
    CHECK(many.empty_files == one.empty_files);
    CHECK(many.errors.empty());
  }
  std::vector<std::string> rel;
  for (const auto& f : one.files) rel.push_back(f.relative);
  CHECK(rel[0] == "d0/s0/f0.bin");
  CHECK(rel[1] == "d0/s0/f1.bin");
  CHECK(rel[2] == "d0/s0/deep/er/x.sys");
  CHECK(rel[3] == "d0/s1/f0.bin");
  CHECK(one.skip_counts.at("too_large") == 60);
  CHECK(one.skip_counts.at("excluded") == 30);
  CHECK(one.skip_counts.at("symlink") == 30);
}

TEST_CASE("a stop request ends a walk on several threads", "[discover]") {
  test::TempTree t;
  t.write("a/b/c.bin", "c");
  t.write("d/e.bin", "e");
  const std::atomic<int> stop{15};  // SIGTERM, already received
  discover::WalkOptions opt;
  opt.stop = &stop;
  opt.threads = 4;
  auto r = walk_tree(t, opt);
  CHECK(r.interrupted);
  CHECK(r.files.empty());
}

TEST_CASE("resolve_link resolves like a chroot", "[discover]") {
  struct Case {
    const char* link;
    const char* target;
    const char* resolved;
    bool absolute, escapes;
  };
  auto c = GENERATE(values<Case>({
      {"a/b/l", "../c", "a/c", false, false},
      {"a/l", "../../x", "x", false, true},
      {"l", "/etc/passwd", "etc/passwd", true, false},
      {"a/l", "/../../etc", "etc", true, false},
      {"a/l", "./x/./y", "a/x/y", false, false},
  }));
  auto r = discover::resolve_link(c.link, c.target);
  CHECK(r.resolved == c.resolved);
  CHECK(r.absolute == c.absolute);
  CHECK(r.escapes == c.escapes);
}

TEST_CASE("join_path keeps the root as given", "[discover]") {
  CHECK(discover::join_path("/", "etc") == "/etc");
  CHECK(discover::join_path("img/", "a/b") == "img/a/b");
  CHECK(discover::join_path("img", "") == "img");
}

TEST_CASE("file contents are read once, and a file grown past the limit is refused", "[io]") {
  test::TempTree t;
  t.write("f.bin", std::string(100, 'x'));
  auto root = io::RootDir::open(t.path().string());
  REQUIRE(root);
  auto fd = root->open_beneath("f.bin", false);
  REQUIRE(fd);
  io::FdGuard guard(*fd);
  auto whole = io::FileContents::read(*fd, 1000);
  REQUIRE(whole);
  CHECK(whole->bytes().size() == 100);
  auto refused = io::FileContents::read(*fd, 50);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == Errc::TooLarge);
  auto escape = root->open_beneath("../etc/passwd", false);  // RESOLVE_BENEATH
  CHECK_FALSE(escape);
}

namespace {

/// A FileSource from a table, standing in for a disk image volume: deleted entries, the file
/// system's own entries and a virtual $OrphanFiles directory, as libtsk reports them.
class TableSource final : public io::FileSource {
 public:
  struct Row {
    std::string dir, name;
    mode_t type;
    bool deleted = false, recoverable = false, internal = false;
  };
  explicit TableSource(std::vector<Row> rows) : rows_(std::move(rows)) {}
  const std::string& path() const noexcept override { return root_; }
  Result<io::DirListing> scan_dir(const std::string& relative) const override {
    io::DirListing out;
    out.device = 7;
    for (const Row& r : rows_) {
      if (r.dir != relative) continue;
      io::EntryStat& e = out.entries.emplace_back();
      e.name = r.name;
      e.st.st_mode = r.type | 0644;
      e.st.st_size = 10;
      e.st.st_dev = 7;
      e.st.st_ino = out.entries.size() + 100;
      e.deleted = r.deleted;
      e.recoverable = r.recoverable;
      e.fs_internal = r.internal;
    }
    std::ranges::sort(out.entries, {}, &io::EntryStat::name);  // the FileSource contract
    return out;
  }
  Result<std::vector<io::DirEntry>> list(const std::string&, std::size_t) const override { return {}; }
  Result<std::unique_ptr<io::SourceFile>> open_file(const std::string&, std::uint64_t) const override {
    return fail(Errc::Unsupported, "not needed");
  }

 private:
  std::vector<Row> rows_;
  std::string root_ = "disk.img/p1";
};

}  // namespace

TEST_CASE("image volumes: deleted and file-system entries are counted, --include-deleted reads back the recoverable", "[discover][image]") {
  TableSource src({{"", "$MFT", S_IFREG, false, false, true},
                   {"", "$OrphanFiles", S_IFDIR, false, false, true},
                   {"$OrphanFiles", "OrphanFile-40", S_IFREG, true, true, false},
                   {"", "live.sys", S_IFREG},
                   {"", "gone.sys", S_IFREG, true, true},
                   {"", "reused.sys", S_IFREG, true, false},
                   {"", "olddir", S_IFDIR, true, false},
                   {"olddir", "never.sys", S_IFREG}});
  auto names = [](const discover::WalkResult& r) {
    std::vector<std::string> out;
    for (const auto& f : r.files) out.push_back(f.path + (f.deleted ? " (deleted)" : ""));
    return out;
  };
  discover::WalkResult plain;
  discover::walk(src, 0, {}, plain);
  CHECK(names(plain) == std::vector<std::string>{"disk.img/p1/live.sys"});
  CHECK(plain.image_entry_counts == std::map<std::string, std::uint64_t>{{"deleted", 3}, {"fs_metadata", 2}});
  CHECK(plain.skip_counts.empty());
  CHECK(plain.skipped.empty());

  discover::WalkOptions opt;
  opt.include_deleted = true;
  discover::WalkResult all;
  discover::walk(src, 0, opt, all);
  // $OrphanFiles is entered (its deleted entry read back); a deleted directory is not; a deleted
  // file whose metadata was reused is counted, never read (it would be another file's content).
  CHECK(names(all) == std::vector<std::string>{"disk.img/p1/gone.sys (deleted)", "disk.img/p1/live.sys",
                                               "disk.img/p1/$OrphanFiles/OrphanFile-40 (deleted)"});
  CHECK(all.image_entry_counts ==
        std::map<std::string, std::uint64_t>{{"deleted", 1}, {"deleted_unrecoverable", 1}, {"fs_metadata", 1}});
}
