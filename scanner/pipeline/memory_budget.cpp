#include "pipeline/memory_budget.hpp"

#include <malloc.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <thread>

namespace trustscan::pipeline {
namespace {

/// Set once the program chose an arena per thread (read by the workers after large binaries).
std::atomic<bool> g_arena_per_thread{false};

}  // namespace

void use_malloc_arenas(MallocArenas arenas) noexcept {
  if (std::getenv("MALLOC_ARENA_MAX") || std::getenv("GLIBC_TUNABLES")) return;
  // glibc fixes its limit when a thread first allocates; until then, the last value given counts.
  // (0, glibc's default, is refused by mallopt: its 64-bit default is given instead, 8 per core.)
  if (arenas == MallocArenas::One) {
    (void)mallopt(M_ARENA_MAX, 1);
    g_arena_per_thread.store(false);
  } else {
    (void)mallopt(M_ARENA_MAX, static_cast<int>(8 * std::max(1u, std::thread::hardware_concurrency())));
    g_arena_per_thread.store(true);
  }
}

void map_large_blocks() noexcept {
  if (std::getenv("MALLOC_MMAP_THRESHOLD_") || std::getenv("MALLOC_TRIM_THRESHOLD_") || std::getenv("GLIBC_TUNABLES"))
    return;
  (void)mallopt(M_MMAP_THRESHOLD, static_cast<int>(kOwnMappingFrom));
  (void)mallopt(M_TRIM_THRESHOLD, static_cast<int>(4 * kOwnMappingFrom));
}

void release_after_large_binary() noexcept {
  // After each, not only above some resident size: gated so (trimmed above 256 MiB, or before
  // each large binary above 160 MiB), a scan of /usr/lib with a cache holding none of its files
  // peaked at 309 and 276-282 MB; trimmed after each, at 221 MB (one arena: 200-230 MB; arenas
  // not trimmed: 330 MB), at 2.4 times the page faults.
  if (g_arena_per_thread.load(std::memory_order_relaxed)) (void)malloc_trim(0);
}

}  // namespace trustscan::pipeline
