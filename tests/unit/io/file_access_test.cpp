#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>
#include <vector>

#include "io/file_access.hpp"
#include "support/temp_tree.hpp"

using trustscan::Errc;
using trustscan::io::RootDir;

TEST_CASE("RootDir::resolve_nocase finds Windows paths whatever their case", "[io][windows]") {
  trustscan::test::TempTree t;
  t.write("WINDOWS/System32/config/SYSTEM", "hive");
  t.write("WINDOWS/System32/DRIVERS/klif.sys", "x");
  auto root = RootDir::open(t.path().string());
  REQUIRE(root);

  auto hive = root->resolve_nocase("Windows/system32/CONFIG/system");
  REQUIRE(hive);
  CHECK(*hive == "WINDOWS/System32/config/SYSTEM");
  auto drv = root->resolve_nocase("windows//System32/./drivers/KLIF.SYS");
  REQUIRE(drv);
  CHECK(*drv == "WINDOWS/System32/DRIVERS/klif.sys");
  CHECK(root->resolve_nocase("")->empty());

  auto missing = root->resolve_nocase("Windows/System32/drivers/missing.sys");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code == Errc::Io);
  CHECK(missing.error().message.find("missing.sys") != std::string::npos);
  CHECK_FALSE(root->resolve_nocase("Windows/../WINDOWS"));
}

TEST_CASE("RootDir::resolve_nocase prefers the exact spelling and never follows symlinks", "[io][windows]") {
  trustscan::test::TempTree t;
  t.write("a/File.txt", "upper");
  t.write("a/file.txt", "lower");
  t.write("outside/secret", "s");
  t.symlink("a/link", "../outside");
  auto root = RootDir::open(t.path().string());
  REQUIRE(root);
  CHECK(*root->resolve_nocase("a/file.txt") == "a/file.txt");
  CHECK(*root->resolve_nocase("a/File.txt") == "a/File.txt");
  CHECK(*root->resolve_nocase("A/FILE.TXT") == "a/File.txt");  // first in name order
  CHECK_FALSE(root->resolve_nocase("a/link/secret"));
  CHECK_FALSE(root->resolve_nocase("a/LINK"));
}

TEST_CASE("RootDir::list is sorted, bounded and skips dot entries", "[io]") {
  trustscan::test::TempTree t;
  t.write("d/b", "");
  t.write("d/a", "");
  t.write("d/c", "");
  auto root = RootDir::open(t.path().string());
  REQUIRE(root);
  auto all = root->list("d");
  REQUIRE(all);
  REQUIRE(all->size() == 3);
  CHECK((*all)[0].name == "a");
  CHECK((*all)[2].name == "c");
  auto bounded = root->list("d", 2);
  REQUIRE_FALSE(bounded);
  CHECK(bounded.error().code == Errc::TooLarge);
  CHECK_FALSE(root->list("d/a"));  // not a directory
}

namespace {
/// Pages of `path` in the page cache, out of its pages (mincore of a mapping).
std::pair<std::size_t, std::size_t> resident_pages(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  REQUIRE(fd >= 0);
  struct stat st {};
  REQUIRE(::fstat(fd, &st) == 0);
  const auto size = static_cast<std::size_t>(st.st_size);
  void* map = ::mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0);
  ::close(fd);
  REQUIRE(map != MAP_FAILED);
  const std::size_t page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  std::vector<unsigned char> in((size + page - 1) / page);
  REQUIRE(::mincore(map, size, in.data()) == 0);
  ::munmap(map, size);
  std::size_t resident = 0;
  for (unsigned char c : in) resident += c & 1;
  return {resident, in.size()};
}
}  // namespace

TEST_CASE("RootDir::read_ahead brings a file into the page cache; harmless on anything else", "[io]") {
  trustscan::test::TempTree t;
  t.write("big.bin", std::string(std::size_t{4} << 20, 'x'));
  t.write("dir/small", "abc");
  REQUIRE(::mkfifo((t.path() / "fifo").c_str(), 0600) == 0);
  std::filesystem::create_symlink("/etc/passwd", t.path() / "link");
  auto root = RootDir::open(t.path().string());
  REQUIRE(root);
  const std::string big = (t.path() / "big.bin").string();
  {  // out of the page cache (written back first; a file system that keeps it anyway is noted)
    const int fd = ::open(big.c_str(), O_RDONLY | O_CLOEXEC);
    REQUIRE(fd >= 0);
    ::fsync(fd);
    ::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    ::close(fd);
  }
  if (const auto before = resident_pages(big); before.first == before.second) {
    WARN("the file system kept the file cached: read_ahead's effect cannot be seen here");
  } else {
    root->read_ahead("big.bin", 0, std::uint64_t{4} << 20);
    auto after = resident_pages(big);
    for (int i = 0; i < 200 && after.first < after.second; ++i) {  // the reads are asynchronous
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      after = resident_pages(big);
    }
    CHECK(after.first == after.second);
  }
  // A FIFO (no hang: opened non-blocking), a symlink (refused), missing files, an empty length:
  // nothing happens, and no descriptor is left open.
  const auto open_fds = [] {
    return std::distance(std::filesystem::directory_iterator("/proc/self/fd"), std::filesystem::directory_iterator{});
  };
  const auto fds = open_fds();
  root->read_ahead("fifo", 0, 4096);
  root->read_ahead("link", 0, 4096);
  root->read_ahead("missing", 0, 4096);
  root->read_ahead("../escape", 0, 4096);
  root->read_ahead("dir/small", 0, 0);
  root->read_ahead("dir/small", 0, 3);
  CHECK(open_fds() == fds);
  CHECK(root->read_file("dir/small", 0)->bytes().size() == 3);
}
