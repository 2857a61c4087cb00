// The process's malloc choices (pipeline/memory_budget.hpp): large blocks are mappings of their
// own, given back when freed, however many were freed before; a re-scan's workers allocate from
// heaps of their own, in small pages. Each check runs in a fresh process.
#include "pipeline/memory_budget.hpp"

#include <malloc.h>
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <optional>
#include <sstream>
#include <string>
#include <thread>

using namespace trustscan::pipeline;

namespace {

constexpr const char* kChildVariable = "TRUSTSCAN_MALLOC_TEST_CHILD";
/// The environment variables by which a user sets glibc's thresholds (map_large_blocks leaves them).
constexpr std::initializer_list<const char*> kThresholdVariables{"GLIBC_TUNABLES", "MALLOC_MMAP_THRESHOLD_",
                                                                 "MALLOC_TRIM_THRESHOLD_"};

/// Runs test `name` alone in a fresh process of this binary: glibc serves a request from a free
/// chunk of the heap before it maps one, and its settings are fixed before the first thread, so
/// the tests that ran before would decide. Returns false in that child (it then runs the checks).
[[maybe_unused]] bool ran_in_child(const std::string& name) {
  if (std::getenv(kChildVariable)) return false;
  REQUIRE(name.find_first_of("',") == std::string::npos);  // quoted for the shell, one test for Catch
  const std::string self = std::filesystem::read_symlink("/proc/self/exe").string();
  const std::string command = std::string(kChildVariable) + "=1 '" + self + "' '" + name +
                              "' --warn NoTests > /dev/null 2>&1";
  const int status = std::system(command.c_str());
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);  // Catch's exit code: the failed assertions
  return true;
}

/// Whether the checks of the running test run in this process: not under ASan or TSan (their
/// allocators stand in for glibc's), not when the environment chose glibc's settings (any of
/// `variables`), and then only in the fresh process that ran_in_child starts.
bool checks_run_here([[maybe_unused]] std::initializer_list<const char*> variables) {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  SUCCEED("the sanitizer's allocator stands in for glibc's");
  return false;
#else
  for (const char* variable : variables)
    if (std::getenv(variable)) {
      SUCCEED(std::string("the environment chose glibc's settings: ") + variable);
      return false;
    }
  return !ran_in_child(Catch::getResultCapture().getCurrentTestName());
#endif
}

struct Mapping {
  std::uintptr_t from = 0, to = 0;
  std::string vm_flags;  // /proc/self/smaps' "VmFlags:" line: "hg" = MADV_HUGEPAGE, "nh" = MADV_NOHUGEPAGE
};

/// The mapping of this process that holds `address`.
Mapping mapping_of(const void* address) {
  const auto at = reinterpret_cast<std::uintptr_t>(address);
  std::ifstream smaps("/proc/self/smaps");
  Mapping found;
  bool inside = false;
  for (std::string line; std::getline(smaps, line);) {
    if (line.rfind("VmFlags:", 0) == 0) {
      if (inside) {
        found.vm_flags = line + ' ';
        return found;
      }
      continue;
    }
    const std::size_t dash = line.find('-');
    if (dash == std::string::npos || line.find(':') < dash) continue;  // a field, not a mapping
    std::istringstream range(line);
    std::string bounds;
    range >> bounds;
    const std::uintptr_t from = std::stoull(bounds.substr(0, dash), nullptr, 16);
    const std::uintptr_t to = std::stoull(bounds.substr(dash + 1), nullptr, 16);
    inside = from <= at && at < to;
    if (inside) found.from = from, found.to = to;
  }
  return found;
}

/// The mapping that holds a block a new thread allocates (its arena's heap, with an arena per thread).
Mapping worker_mapping() {
  Mapping found;
  std::thread worker([&] {
    void* block = std::malloc(4096);
    found = mapping_of(block);
    std::free(block);
  });
  worker.join();
  return found;
}

bool transparent_huge_pages() {
  std::ifstream f("/sys/kernel/mm/transparent_hugepage/enabled");
  std::string modes;
  return std::getline(f, modes) && modes.find("[never]") == std::string::npos;
}

}  // namespace

TEST_CASE("a block of kOwnMappingFrom or more is mapped for itself also after one was freed", "[pipeline]") {
  // In a fresh process, as the CLI sets the thresholds before its first large block.
  if (!checks_run_here(kThresholdVariables)) return;
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
}

TEST_CASE("the workers of a re-scan allocate from heaps of their own in small pages", "[pipeline]") {
  // In a fresh process, as the scan command does for a re-scan before its first thread.
  if (!checks_run_here({"GLIBC_TUNABLES", "MALLOC_ARENA_MAX"})) return;
  use_malloc_arenas(MallocArenas::PerThread);
  void* main_block = std::malloc(4096);
  const Mapping worker_heap = worker_mapping();
  INFO("worker's heap: " << worker_heap.vm_flags);
  // An arena of its own: a mapping above the main heap (the break area glibc grows itself).
  CHECK(worker_heap.from != mapping_of(main_block).from);
  // Never asked for huge pages (memory_budget.hpp: free page reporting).
  CHECK(worker_heap.vm_flags.find(" hg ") == std::string::npos);
  std::free(main_block);
}

TEST_CASE("the heap of a re-scan worker is made writable whole and not a page at a time", "[pipeline]") {
  // In a fresh process, as the scan command does for a re-scan before its first thread.
  if (!checks_run_here({"GLIBC_TUNABLES", "MALLOC_ARENA_MAX", "MALLOC_TOP_PAD_"})) return;
  use_malloc_arenas(MallocArenas::PerThread);
  const Mapping writable = worker_mapping();
  const std::size_t size = writable.to - writable.from;
  INFO("the writable part of the worker's heap: " << size << " bytes");
  std::ifstream overcommit("/proc/sys/vm/overcommit_memory");
  std::string mode;
  std::getline(overcommit, mode);
  if (mode == "2")  // strict overcommit: every writable page is charged, so glibc's default stays
    CHECK(size < kWorkerHeap);
  else  // (glibc's default: the 4 KiB asked for and 128 KiB, 132 KiB in all)
    CHECK(size >= kWorkerHeap);
}

TEST_CASE("a block of kOwnMappingFrom or more is asked for in huge pages", "[pipeline]") {
  // In a fresh process, as the CLI's operator new does for every block after main's map_large_blocks().
  if (!checks_run_here(kThresholdVariables)) return;
  map_large_blocks();
  const std::size_t size = kOwnMappingFrom + (std::size_t{3} << 20);
  auto* large = static_cast<char*>(std::malloc(size));
  auto* small = static_cast<char*>(std::malloc(kOwnMappingFrom / 4));
  REQUIRE(large != nullptr);
  REQUIRE(small != nullptr);
  huge_pages_for_block(large, size);
  huge_pages_for_block(small, kOwnMappingFrom / 4);
  const Mapping middle = mapping_of(large + size / 2);
  INFO("large block's mapping: " << middle.vm_flags);
  if (transparent_huge_pages())
    CHECK(middle.vm_flags.find(" hg ") != std::string::npos);
  else
    CHECK(middle.vm_flags.find(" hg ") == std::string::npos);
  // The page malloc wrote its header in keeps small pages; so does the heap of smaller blocks.
  CHECK(mapping_of(large).vm_flags.find(" hg ") == std::string::npos);
  CHECK(mapping_of(small).vm_flags.find(" hg ") == std::string::npos);
  std::free(small);
  std::free(large);
}

TEST_CASE("MemoryBudget: a large binary that does not fit now is not reserved by try_reserve", "[pipeline]") {
  MemoryBudget budget(32);
  CHECK(budget.ready(3, 1));  // below an eighth: never counted
  std::optional<MemoryBudget::Hold> first = budget.try_reserve(20, 1);
  REQUIRE(first);
  CHECK(budget.try_reserve(3, 2));  // small files never wait
  CHECK(budget.ready(12, 3));       // 20 + 12 fit in 32
  CHECK_FALSE(budget.ready(13, 3));
  CHECK_FALSE(budget.try_reserve(20, 4));  // would wait: not reserved (the worker analyses other files)
  CHECK_FALSE(budget.ready(20, 4));
  first.reset();  // returned
  CHECK(budget.ready(20, 4));
  CHECK(budget.try_reserve(40, 4));  // a file alone always fits
  MemoryBudget unlimited(0);
  CHECK(unlimited.try_reserve(std::uint64_t{1} << 40, 1));
}

TEST_CASE("MemoryBudget: large binaries that did not fit are reserved in the order they were tried", "[pipeline]") {
  MemoryBudget budget(32);
  std::optional<MemoryBudget::Hold> held = budget.try_reserve(20, 1);
  REQUIRE(held);
  CHECK_FALSE(budget.try_reserve(20, 2));  // does not fit: first in line
  CHECK_FALSE(budget.try_reserve(10, 3));  // would fit (20 + 10), but 2 waits before it
  CHECK_FALSE(budget.ready(10, 3));
  held.reset();
  CHECK(budget.ready(20, 2));
  CHECK_FALSE(budget.ready(10, 3));  // still behind 2
  CHECK_FALSE(budget.try_reserve(5, 4));
  held = budget.try_reserve(20, 2);
  REQUIRE(held);
  CHECK(budget.ready(10, 3));  // first now, and 20 + 10 fit
  std::optional<MemoryBudget::Hold> third = budget.try_reserve(10, 3);
  REQUIRE(third);
  CHECK_FALSE(budget.ready(5, 4));  // 20 + 10 + 5 do not fit
  third.reset();
  {
    // A waiting binary reserved without its turn (no other file left to its worker) leaves the line.
    const MemoryBudget::Hold fourth = budget.reserve(5, 4);
    CHECK(budget.ready(4, 5));  // 20 + 5 + 4 fit, and nobody waits
  }
}
