// The per-file time budget kept by the analysis itself (issue 19, core/deadline.hpp): the long
// loops stop at the deadline with Errc::Timeout, the file gets its error, and the worker thread
// goes on with the next file — no thread is abandoned.
#include <fcntl.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <thread>

#include "core/deadline.hpp"
#include "io/decompress.hpp"
#include "io/file_source.hpp"
#include "io/hashing.hpp"
#include "pipeline/pipeline.hpp"
#include "support/bytes.hpp"
#include "support/temp_tree.hpp"

using namespace trustscan;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

/// A deadline that has already passed.
struct Expired {
  Deadline deadline{1ns};
  Expired() { std::this_thread::sleep_for(1ms); }
};

std::size_t thread_count() {
  return static_cast<std::size_t>(std::distance(fs::directory_iterator("/proc/self/task"), fs::directory_iterator()));
}

}  // namespace

TEST_CASE("the checked loops stop at the thread's deadline with a timeout", "[core][deadline]") {
  const std::string packed = test::read_file(test::samples_dir() / "elf" / "demo.ko.xz");
  const std::string plain(std::size_t{20} << 20, 'a');
  SECTION("without a deadline, or before it, they run to the end") {
    CHECK(io::decompress(Compression::Xz, test::bytes(packed), 1u << 20));
    const Deadline generous(1h);
    const DeadlineScope scope(&generous);
    CHECK(io::decompress(Compression::Xz, test::bytes(packed), 1u << 20));
    CHECK(io::sha256_with_prefix(SpanSource(test::bytes(plain)), 0));
    CHECK_FALSE(generous.fired());
  }
  SECTION("past it, each returns Errc::Timeout and the deadline says where it fired") {
    const Expired expired;
    const DeadlineScope scope(&expired.deadline);
    auto inflated = io::decompress(Compression::Xz, test::bytes(packed), 1u << 20);
    REQUIRE_FALSE(inflated);
    CHECK(inflated.error().code == Errc::Timeout);
    CHECK(expired.deadline.fired());
    CHECK(expired.deadline.where() == "decompressing the module");
    auto hashed = io::sha256_with_prefix(SpanSource(test::bytes(plain)), 0);
    REQUIRE_FALSE(hashed);
    CHECK(hashed.error().code == Errc::Timeout);
    auto digests = io::file_digests(SpanSource(test::bytes(plain)), {.sha256 = true, .sha1 = true, .md5 = false});
    REQUIRE_FALSE(digests);
    CHECK(digests.error().code == Errc::Timeout);

    test::TempTree tree;
    tree.write("f", plain);
    const int fd = ::open((tree.path() / "f").c_str(), O_RDONLY | O_CLOEXEC);
    REQUIRE(fd >= 0);
    auto read = io::FileContents::read(fd, 0);
    ::close(fd);
    REQUIRE_FALSE(read);
    CHECK(read.error().code == Errc::Timeout);
  }
  SECTION("the scope ends with its block: the thread is unlimited again") {
    {
      const Expired expired;
      const DeadlineScope scope(&expired.deadline);
      CHECK_FALSE(check_deadline("test"));
    }
    CHECK(current_deadline() == nullptr);
    CHECK(check_deadline("test"));
  }
}

TEST_CASE("a file over --file-timeout ends with a timeout soon after it; the same worker scans the next file",
          "[pipeline][deadline]") {
  test::TempTree tree;
  // 8 GiB, sparse (no disk used), starting like an ELF file: hashed in chunks for seconds.
  const std::string elf = test::read_file(test::samples_dir() / "elf" / "demo.ko");
  tree.write("big.bin", elf.substr(0, 4096));
  fs::resize_file(tree.path() / "big.bin", std::uintmax_t{8} << 30);
  tree.write("small.exe", test::read_file(test::samples_dir() / "signed" / "signed-sha256.exe"));

  pipeline::ScanOptions opt;
  opt.roots = {tree.path().string()};
  opt.threads = 1;  // one worker: big.bin first (largest first), then small.exe on the same thread
  opt.limits.max_file_size = std::uint64_t{16} << 30;
  opt.context.data_dir = TRUSTSCAN_SOURCE_DIR;
  opt.context.default_rules = false;
  opt.file_timeout = 300ms;
  REQUIRE_FALSE(opt.abandon_hung_threads);  // a library client's default

  const std::size_t threads_before = thread_count();
  const auto began = std::chrono::steady_clock::now();
  auto result = pipeline::scan(opt);
  const auto took = std::chrono::steady_clock::now() - began;
  REQUIRE(result);
  CHECK(thread_count() == threads_before);  // nothing left running
  // Loose: the point is "not the seconds the whole file needs"; a loaded machine must not fail it.
  CHECK(took < 300ms + 5s);

  REQUIRE(result->errors.size() == 1);
  const discover::PathError& e = result->errors[0];
  CHECK(e.path == (tree.path() / "big.bin").string());
  CHECK(e.error.code == Errc::Timeout);
  CHECK_THAT(e.error.message, Catch::Contains("analysis took longer than --file-timeout (0.3 s)") &&
                                  Catch::Contains("stopped while reading and hashing the file"));
  CHECK(result->summary.files_timed_out == 1);
  REQUIRE(result->records.size() == 1);  // the next file, scanned whole on the same worker
  CHECK(result->records[0].file.path == (tree.path() / "small.exe").string());
  CHECK(result->records[0].errors.empty());
  CHECK_FALSE(result->records[0].sha256.empty());
}
