#include "pipeline/memory_budget.hpp"

#include <fcntl.h>
#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <initializer_list>
#include <string>
#include <string_view>
#include <thread>

#include "core/fd.hpp"

namespace trustscan::pipeline {
namespace {

/// Set once the program chose an arena per thread (read by the workers after large binaries).
std::atomic<bool> g_arena_per_thread{false};

/// Set by map_large_blocks when large blocks are mappings of their own: the size of a huge page
/// (0: small pages).
std::atomic<std::size_t> g_huge_page_for_blocks{0};

/// Whether the environment chose one of glibc's malloc settings: the program then leaves them.
bool chosen_by_environment(std::initializer_list<const char*> variables) noexcept {
  return std::ranges::any_of(variables, [](const char* v) { return std::getenv(v) != nullptr; });
}

/// The first line of a small file, "" when it cannot be read.
std::string first_line(const char* path) noexcept {
  const Fd fd(::open(path, O_RDONLY | O_CLOEXEC));
  if (!fd) return {};
  char buf[128] = {};
  const ssize_t n = ::read(fd.get(), buf, sizeof buf - 1);
  if (n <= 0) return {};
  const std::string_view text(buf, static_cast<std::size_t>(n));
  return std::string(text.substr(0, text.find('\n')));
}

/// The size of a transparent huge page, 0 where they are off ("always [madvise] never": anything
/// but "[never]" honours MADV_HUGEPAGE) or unknown. Read once per process.
std::size_t huge_page_size() noexcept {
  static const std::size_t size = [] {
    const std::string enabled = first_line("/sys/kernel/mm/transparent_hugepage/enabled");
    if (enabled.empty() || enabled.find("[never]") != std::string::npos) return std::size_t{0};
    const std::string text = first_line("/sys/kernel/mm/transparent_hugepage/hpage_pmd_size");
    std::size_t bytes = 0;
    (void)std::from_chars(text.data(), text.data() + text.size(), bytes);
    return std::has_single_bit(bytes) ? bytes : std::size_t{0};
  }();
  return size;
}

}  // namespace

void use_malloc_arenas(MallocArenas arenas) noexcept {
  if (chosen_by_environment({"MALLOC_ARENA_MAX", "GLIBC_TUNABLES"})) return;
  // glibc fixes its limit when a thread first allocates; until then, the last value given counts.
  // (0, glibc's default, is refused by mallopt: its 64-bit default is given instead, 8 per core.)
  if (arenas == MallocArenas::One) {
    (void)mallopt(M_ARENA_MAX, 1);
    g_arena_per_thread.store(false);
  } else {
    (void)mallopt(M_ARENA_MAX, static_cast<int>(8 * std::max(1u, std::thread::hardware_concurrency())));
    g_arena_per_thread.store(true);
    if (!chosen_by_environment({"MALLOC_TOP_PAD_"}) && first_line("/proc/sys/vm/overcommit_memory") != "2")
      (void)mallopt(M_TOP_PAD, static_cast<int>(kWorkerHeap));
  }
}

void map_large_blocks() noexcept {
  if (chosen_by_environment({"MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "GLIBC_TUNABLES"})) return;
  (void)mallopt(M_MMAP_THRESHOLD, static_cast<int>(kOwnMappingFrom));
  (void)mallopt(M_TRIM_THRESHOLD, static_cast<int>(4 * kOwnMappingFrom));
  g_huge_page_for_blocks.store(huge_page_size());
}

void advise_huge_block(void* block, std::size_t size) noexcept {
  const std::size_t huge = g_huge_page_for_blocks.load(std::memory_order_relaxed);
  if (huge == 0) return;
  // From its first whole huge page (malloc wrote its header in the page before) to its last.
  const std::size_t skip = (huge - (reinterpret_cast<std::uintptr_t>(block) & (huge - 1))) & (huge - 1);
  if (size < skip + huge) return;
  (void)madvise(static_cast<char*>(block) + skip, (size - skip) & ~(huge - 1), MADV_HUGEPAGE);
}

void release_after_large_binary() noexcept {
  // After each, not only above some resident size: gated so (trimmed above 256 MiB, or before
  // each large binary above 160 MiB), a scan of /usr/lib with a cache holding none of its files
  // peaked at 309 and 276-282 MB; trimmed after each, at 221 MB (one arena: 200-230 MB; arenas
  // not trimmed: 330 MB), at 2.4 times the page faults.
  if (g_arena_per_thread.load(std::memory_order_relaxed)) (void)malloc_trim(0);
}

}  // namespace trustscan::pipeline
