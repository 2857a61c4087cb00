#include "pipeline/memory_budget.hpp"

#include <fcntl.h>
#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <thread>

namespace trustscan::pipeline {
namespace {

/// Set once the program chose an arena per thread (read by the workers after large binaries).
std::atomic<bool> g_arena_per_thread{false};

/// glibc's default M_TOP_PAD (mallopt(3)).
constexpr int kDefaultTopPad = 128 * 1024;

/// While set, threads ask for huge pages (use_huge_pages_while_cached until end_huge_pages).
std::atomic<bool> g_huge_pages{false};
/// The heaps asked for huge pages (their bases; null = free slot), given back by end_huge_pages.
std::array<std::atomic<void*>, 64> g_huge_heaps{};

bool transparent_huge_pages_available() noexcept {
  // "always [madvise] never": anything but "[never]" honours MADV_HUGEPAGE.
  const int fd = ::open("/sys/kernel/mm/transparent_hugepage/enabled", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  char buf[128] = {};
  const ssize_t n = ::read(fd, buf, sizeof buf - 1);
  ::close(fd);
  return n > 0 && std::string_view(buf, static_cast<std::size_t>(n)).find("[never]") == std::string_view::npos;
}

/// The base of the glibc heap the calling thread allocates from, or null for the main arena's (the
/// break area below sbrk(0), which glibc grows itself). Another arena's heap is a mapping of its
/// own, aligned to its size, above the break where the system maps from the top down (Linux's
/// default); where it does not, its heap is taken for the main one and keeps small pages.
void* this_threads_heap() noexcept {
  auto* probe = static_cast<char*>(std::malloc(1));
  if (!probe) return nullptr;
  const auto at = reinterpret_cast<std::uintptr_t>(probe);
  char* heap = probe - (at & (std::uintptr_t{kArenaHeap} - 1));
  std::free(probe);
  return at < reinterpret_cast<std::uintptr_t>(sbrk(0)) ? nullptr : heap;
}

void advise(void* heap, int advice) noexcept { (void)madvise(heap, kArenaHeap, advice); }

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

void use_huge_pages_while_cached() noexcept {
  if constexpr (sizeof(void*) != 8) return;  // kArenaHeap is the 64-bit size
  if (std::getenv("MALLOC_TOP_PAD_") || std::getenv("GLIBC_TUNABLES") || !g_arena_per_thread.load()) return;
  if (!transparent_huge_pages_available()) return;
  // A new arena's heap is made usable whole at once, so every 2 MiB of it can be a huge page.
  (void)mallopt(M_TOP_PAD, static_cast<int>(kArenaHeap));
  g_huge_pages.store(true);
}

void use_huge_pages_here() noexcept {
  if (!g_huge_pages.load(std::memory_order_acquire)) return;
  void* heap = this_threads_heap();
  if (!heap) return;
  for (auto& slot : g_huge_heaps) {
    void* expected = nullptr;
    if (slot.compare_exchange_strong(expected, heap)) {
      advise(heap, MADV_HUGEPAGE);
      // end_huge_pages ran meanwhile and may have passed this slot: given back here.
      void* mine = heap;
      if (!g_huge_pages.load() && slot.compare_exchange_strong(mine, nullptr)) advise(heap, MADV_NOHUGEPAGE);
      return;
    }
    if (expected == heap) return;  // asked for by another thread of the same arena
  }
  // Every slot taken (more than 64 workers): the others keep small pages.
}

void end_huge_pages() noexcept {
  if (!g_huge_pages.exchange(false)) return;
  (void)mallopt(M_TOP_PAD, kDefaultTopPad);
  for (auto& slot : g_huge_heaps)
    if (void* heap = slot.exchange(nullptr)) advise(heap, MADV_NOHUGEPAGE);
}

void release_after_large_binary() noexcept {
  // After each, not only above some resident size: gated so (trimmed above 256 MiB, or before
  // each large binary above 160 MiB), a scan of /usr/lib with a cache holding none of its files
  // peaked at 309 and 276-282 MB; trimmed after each, at 221 MB (one arena: 200-230 MB; arenas
  // not trimmed: 330 MB), at 2.4 times the page faults.
  if (g_arena_per_thread.load(std::memory_order_relaxed)) (void)malloc_trim(0);
}

}  // namespace trustscan::pipeline
