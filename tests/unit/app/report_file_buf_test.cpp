// The stream buffer of a report file (app/report_file_buf.hpp): every byte in order, whole
// blocks past the page cache, a failed write told.

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <ostream>
#include <string>
#include <vector>

#include "app/report_file_buf.hpp"
#include "core/fd.hpp"
#include "support/temp_tree.hpp"

using namespace trustscan;
using app::ReportFileBuf;

namespace {

/// `n` bytes that differ from block to block and within each (a byte out of place shows).
std::string text_of(std::size_t n) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + (i * 7 + i / 4093) % 26);
  return s;
}

/// Writes `text` to a new file `path` through the buffer, in pieces of every kind: single
/// characters, short strings, and pieces longer than a block. Returns finish()'s answer.
bool write_through(const std::string& path, const std::string& text, bool* direct = nullptr) {
  const Fd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  REQUIRE(fd);
  ReportFileBuf buffer(fd.get());
  std::ostream out(&buffer);
  const std::vector<std::size_t> pieces{1, 1, 5, 300, ReportFileBuf::kBlock + 17, 1, 4096, 3 * ReportFileBuf::kBlock};
  std::size_t at = 0;
  for (std::size_t i = 0; at < text.size(); ++i) {
    const std::size_t n = std::min(pieces[i % pieces.size()], text.size() - at);
    if (n == 1)
      out.put(text[at]);
    else
      out.write(text.data() + at, static_cast<std::streamsize>(n));
    at += n;
  }
  const bool ok = buffer.finish() && out.good();
  if (direct) *direct = buffer.direct();
  return ok;
}

/// How many pages of the file's first `bytes` are in the page cache.
std::size_t cached_pages(const std::string& path, std::size_t bytes) {
  const Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  REQUIRE(fd);
  void* map = ::mmap(nullptr, bytes, PROT_READ, MAP_SHARED, fd.get(), 0);
  REQUIRE(map != MAP_FAILED);
  const auto page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  std::vector<unsigned char> resident((bytes + page - 1) / page);
  const int rc = ::mincore(map, bytes, resident.data());
  ::munmap(map, bytes);
  REQUIRE(rc == 0);
  std::size_t n = 0;
  for (unsigned char r : resident) n += r & 1u;
  return n;
}

}  // namespace

TEST_CASE("ReportFileBuf writes every byte in order whatever the pieces and the length", "[app][report_file]") {
  const test::TempTree tmp;
  constexpr std::size_t kBlock = ReportFileBuf::kBlock;
  // Empty, within a block, on either side of a block's end, and more blocks than the buffer has
  // (each block is used again after the writer gave it back).
  for (std::size_t n : {std::size_t{0}, std::size_t{1}, kBlock - 1, kBlock, kBlock + 1, 2 * kBlock,
                        2 * ReportFileBuf::kBlocks * kBlock + 12345}) {
    INFO("bytes " << n);
    const std::string path = (tmp.path() / ("r" + std::to_string(n))).string();
    const std::string text = text_of(n);
    CHECK(write_through(path, text));
    CHECK(test::read_file(path) == text);
  }
  SECTION("a block filled by single characters") {
    const std::string path = (tmp.path() / "chars").string();
    const std::string text = text_of(2 * kBlock + 3);
    {
      const Fd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
      REQUIRE(fd);
      ReportFileBuf buffer(fd.get());
      std::ostream out(&buffer);
      for (char c : text) out.put(c);
      CHECK(buffer.finish());
      CHECK(out.good());
    }
    CHECK(test::read_file(path) == text);
  }
}

TEST_CASE("ReportFileBuf writes whole blocks past the page cache where the file system allows it",
          "[app][report_file]") {
  const test::TempTree tmp;
  const std::string path = (tmp.path() / "r.json").string();
  constexpr std::size_t kWhole = 3 * ReportFileBuf::kBlock;
  // Whether this file system takes O_DIRECT, asked of it apart from the buffer.
  const bool allowed = Fd(::open((tmp.path() / "probe").c_str(), O_WRONLY | O_CREAT | O_DIRECT | O_CLOEXEC, 0600))
                           ? true
                           : false;
  bool direct = false;
  REQUIRE(write_through(path, text_of(kWhole + 100), &direct));
  if (!allowed) {
    WARN("the file system of " << tmp.path() << " refuses O_DIRECT: the blocks went through the page cache");
    CHECK_FALSE(direct);
    return;
  }
  REQUIRE(direct);
  // Cached, every page of them would be (a new file's written pages stay until memory is short).
  CHECK(cached_pages(path, kWhole) == 0);
  CHECK(test::read_file(path) == text_of(kWhole + 100));
}

TEST_CASE("ReportFileBuf says so when a write fails", "[app][report_file]") {
  const test::TempTree tmp;
  const std::string path = (tmp.path() / "r.json").string();
  { const Fd create(::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600)); }
  // A descriptor that cannot write (EBADF): whole blocks only (the writer's thread), and a tail
  // only (finish's own write).
  for (std::size_t n : {2 * ReportFileBuf::kBlock, std::size_t{10}}) {
    INFO("bytes " << n);
    const Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    REQUIRE(fd);
    ReportFileBuf buffer(fd.get());
    std::ostream out(&buffer);
    const std::string text = text_of(n);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    CHECK_FALSE(buffer.finish());
  }
}
