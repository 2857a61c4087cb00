// The process's malloc choices (pipeline/memory_budget.hpp): large blocks are mappings of their
// own, given back when freed, however many were freed before.
#include "pipeline/memory_budget.hpp"

#include <malloc.h>
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <string>

using namespace trustscan::pipeline;

namespace {

constexpr const char* kTestName = "a block of kOwnMappingFrom or more is mapped for itself also after one was freed";
constexpr const char* kChildVariable = "TRUSTSCAN_MALLOC_TEST_CHILD";

}  // namespace

TEST_CASE("a block of kOwnMappingFrom or more is mapped for itself also after one was freed", "[pipeline]") {
#if defined(__SANITIZE_ADDRESS__)
  SUCCEED("ASan's allocator stands in for glibc's");
#else
  if (std::getenv("GLIBC_TUNABLES") || std::getenv("MALLOC_MMAP_THRESHOLD_") || std::getenv("MALLOC_TRIM_THRESHOLD_")) {
    SUCCEED("the environment chose glibc's thresholds");
    return;
  }
  if (!std::getenv(kChildVariable)) {
    // glibc serves a request from a free chunk of the heap before it maps one, and the tests run
    // before this one leave such chunks: the checks run in a fresh process, this binary with
    // this test only, as the CLI sets the thresholds before its first large block.
    const std::string self = std::filesystem::read_symlink("/proc/self/exe").string();
    const std::string command = std::string(kChildVariable) + "=1 '" + self + "' '" + kTestName +
                                "' --warn NoTests > /dev/null 2>&1";
    const int status = std::system(command.c_str());
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);  // Catch's exit code: the failed assertions
    return;
  }
  map_large_blocks();
  const std::size_t size = kOwnMappingFrom + (std::size_t{1} << 20);
  // glibc's default maps the first such block, then raises its threshold to the freed block's
  // size: the second came from the heap, and stayed resident there once freed.
  for (int round = 0; round < 3; ++round) {
    INFO("round " << round);
    const std::size_t before = mallinfo2().hblkhd;
    void* block = std::malloc(size);
    REQUIRE(block != nullptr);
    CHECK(mallinfo2().hblkhd >= before + size);
    std::free(block);
    CHECK(mallinfo2().hblkhd == before);
  }
  // Smaller blocks stay in the heap, reused without fresh pages.
  const std::size_t before = mallinfo2().hblkhd;
  void* smaller = std::malloc(kOwnMappingFrom / 2);
  REQUIRE(smaller != nullptr);
  CHECK(mallinfo2().hblkhd == before);
  std::free(smaller);
#endif
}
