// The per-file time budget kept by the analysis itself (issue 19, core/deadline.hpp): the long
// loops stop at the deadline with Errc::Timeout, the file gets its error, and the worker thread
// goes on with the next file — no thread is abandoned.
#include <fcntl.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <thread>

#include "core/deadline.hpp"
#include "io/decompress.hpp"
#include "io/file_source.hpp"
#include "io/hashing.hpp"
#include "parse/parser.hpp"
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

template <typename T>
void put(std::vector<std::byte>& out, std::size_t at, T value) {
  std::memcpy(out.data() + at, &value, sizeof value);
}

/// A 64-bit ELF executable whose `sections` section headers all cover the same `span` bytes.
std::vector<std::byte> overlapping_sections_elf(std::uint16_t sections, std::size_t span) {
  const std::size_t shoff = 0x1000 + span;
  std::vector<std::byte> elf(shoff + std::size_t{64} * (sections + 1u));
  const unsigned char ident[] = {0x7f, 'E', 'L', 'F', 2, 1, 1};
  std::memcpy(elf.data(), ident, sizeof ident);
  put<std::uint16_t>(elf, 16, 2);   // ET_EXEC
  put<std::uint16_t>(elf, 18, 62);  // x86-64
  put<std::uint32_t>(elf, 20, 1);
  put<std::uint64_t>(elf, 0x28, shoff);
  put<std::uint16_t>(elf, 0x34, 64);
  put<std::uint16_t>(elf, 0x3a, 64);
  put<std::uint16_t>(elf, 0x3c, static_cast<std::uint16_t>(sections + 1u));
  for (std::size_t i = 1; i <= sections; ++i) {
    const std::size_t h = shoff + 64 * i;
    put<std::uint32_t>(elf, h + 4, 1);  // SHT_PROGBITS
    put<std::uint64_t>(elf, h + 0x18, 0x1000);
    put<std::uint64_t>(elf, h + 0x20, span);
  }
  return elf;
}

/// A 64-bit Mach-O executable whose `segments` LC_SEGMENT_64 commands all cover the same `span` bytes.
std::vector<std::byte> overlapping_segments_macho(std::uint32_t segments, std::size_t span) {
  constexpr std::size_t kCmd = 72;
  const std::size_t data = 0x1000 + ((32 + segments * kCmd) & ~std::size_t{0xfff});
  std::vector<std::byte> macho(data + span);
  put<std::uint32_t>(macho, 0, 0xfeedfacf);
  put<std::uint32_t>(macho, 4, 0x01000007);  // x86-64
  put<std::uint32_t>(macho, 8, 3);
  put<std::uint32_t>(macho, 12, 2);  // MH_EXECUTE
  put<std::uint32_t>(macho, 16, segments);
  put<std::uint32_t>(macho, 20, static_cast<std::uint32_t>(segments * kCmd));
  for (std::size_t i = 0; i < segments; ++i) {
    const std::size_t c = 32 + i * kCmd;
    put<std::uint32_t>(macho, c, 0x19);
    put<std::uint32_t>(macho, c + 4, kCmd);
    macho[c + 8] = std::byte{'S'};
    macho[c + 9] = static_cast<std::byte>('0' + i % 10);
    put<std::uint64_t>(macho, c + 24, 0x100000000 + i * 0x10000000);
    put<std::uint64_t>(macho, c + 32, span);
    put<std::uint64_t>(macho, c + 40, data);
    put<std::uint64_t>(macho, c + 48, span);
    put<std::uint32_t>(macho, c + 56, 5);
    put<std::uint32_t>(macho, c + 60, 5);
  }
  return macho;
}

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

// What no deadline check reaches is LIEF's parse; it copies every section's bytes, so section
// headers that all cover the same bytes made a 30 MiB file take 10.6 s there (docs/time-budget.md).
TEST_CASE("overlapping ELF section and Mach-O segment ranges beyond a few times the file size are emptied before LIEF",
          "[parse][deadline]") {
  const std::vector<std::byte> elf = overlapping_sections_elf(64, std::size_t{1} << 20);
  auto model = parse::parse_binary(Format::Elf, std::span<const std::byte>(elf), Limits{});
  REQUIRE(model);
  // 4 x 1 MiB + 1 MiB of budget: the first 5 sections keep their range, the other 59 are emptied.
  CHECK_THAT(model->warnings,
             Catch::VectorContains(std::string("59 ELF section/segment file range(s) beyond 4x the file size in all "
                                               "(overlapping ranges); emptied")));
  const std::vector<std::byte> macho = overlapping_segments_macho(64, std::size_t{1} << 20);
  auto slices = parse::parse_binary(Format::MachO, std::span<const std::byte>(macho), Limits{});
  REQUIRE(slices);
  CHECK_THAT(slices->warnings, Catch::VectorContains(std::string(
                                   "59 Mach-O segment/section file range(s) beyond 4x the slice size in all "
                                   "(overlapping ranges); emptied")));
  // A PE file with 64 sections over the same 1 MiB.
  std::string pe = test::read_file(test::samples_dir() / "pe" / "version.exe");
  REQUIRE(pe.size() > 0x40);
  std::uint32_t lfanew = 0;
  std::memcpy(&lfanew, pe.data() + 0x3c, 4);
  std::uint16_t opt_size = 0;
  std::memcpy(&opt_size, pe.data() + lfanew + 20, 2);
  std::vector<std::byte> forged(std::size_t{1} << 20);
  std::memcpy(forged.data(), pe.data(), std::min<std::size_t>(pe.size(), 0x1000));
  put<std::uint16_t>(forged, lfanew + 6, 64);
  for (std::size_t i = 0; i < 64; ++i) {
    const std::size_t h = lfanew + 24 + opt_size + 40 * i;
    REQUIRE(h + 40 <= 0x1000);
    std::memcpy(forged.data() + h, ".forged\0", 8);
    put<std::uint32_t>(forged, h + 8, 0x100000);                                 // VirtualSize
    put<std::uint32_t>(forged, h + 12, static_cast<std::uint32_t>(0x1000 + i * 0x100000));  // VirtualAddress
    put<std::uint32_t>(forged, h + 16, 0x100000 - 0x1000);                       // SizeOfRawData
    put<std::uint32_t>(forged, h + 20, 0x1000);                                  // PointerToRawData
    put<std::uint32_t>(forged, h + 36, 0x40000040);
  }
  auto sections = parse::parse_binary(Format::Pe, std::span<const std::byte>(forged), Limits{});
  REQUIRE(sections);
  CHECK_THAT(sections->warnings, Catch::VectorContains(std::string(
                                       "59 PE section raw range(s) beyond 4x the file size in all "
                                       "(overlapping ranges); emptied")));
  // An ordinary ELF file keeps every range.
  const std::string plain = test::read_file(test::samples_dir() / "elf" / "demo.ko");
  auto ordinary = parse::parse_binary(Format::Elf, test::bytes(plain), Limits{});
  REQUIRE(ordinary);
  for (const std::string& w : ordinary->warnings) CHECK(w.find("emptied") == std::string::npos);
}
