#pragma once
/// \file
/// pipeline/ internal: how many bytes of binaries the workers hold whole at once (issue 21,
/// acceptance 1 and 3). A binary read into memory costs about four times its size while LIEF
/// parses it (our copy, LIEF's stream and data handler, its symbols); two threads that each hold
/// a file just under --stream-threshold (32 MiB) would need twice what one does. A worker about
/// to read a large binary whole reserves its size first, and waits while the other workers'
/// reservations and its own would exceed the budget (by default the streaming threshold: one
/// file of that size, or two of half of it, at a time). A file alone always fits. Small files
/// (below an eighth of the budget) never wait. The wait is bounded, so that a thread stuck in a
/// library (abandoned after --file-timeout, its reservation never returned) cannot stop the others:
/// after kMaxWait the file is read anyway. What is reported does not change, only when. A worker
/// whose file would wait analyses other files meanwhile where it can (try_reserve; worker_pool.hpp,
/// Postpone), so that its core is not idle.

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>

namespace trustscan::pipeline {

/// The process's malloc arenas (glibc), chosen by the program that owns the process before its
/// first thread starts (app/main.cpp, then the scan command), never by the engine: a library must
/// not change the malloc of the program that loads it. Either is left alone when the environment
/// chose (MALLOC_ARENA_MAX, or GLIBC_TUNABLES).
///
/// One arena (MallocArenas::One, every command's default): glibc gives each thread its own arena,
/// and an arena keeps the memory it once held for a large binary: with two workers each kept its
/// own peak (a default scan of a Debian /usr: 338 MB peak RSS, 274 MB with one arena; the real
/// tree 250-260 MB against 180 MB, at the same CPU time: the workers spend their time in hashing,
/// parsing and rules, not in malloc).
///
/// An arena per thread (MallocArenas::PerThread) for a re-scan, a scan whose --cache holds
/// results of this program (cache::ScanCache::holds_results_of_this_program): its workers mostly
/// decode cached records and attribute them, small allocations that wait for the lock of one
/// arena (a cached re-scan of the bench tree, median of 12: 194.5 ms on one arena, 146.1 ms with
/// one per thread). The files that changed are still analysed: after each large binary the freed
/// memory is given back (release_after_large_binary), so that the arenas do not each keep a peak
/// when many changed.
///
/// Their heaps keep small pages. Huge pages (MADV_HUGEPAGE on each worker's heap, tenth round)
/// took a fault per 2 MiB instead of per 4 KiB, but a huge page comes from the large free blocks
/// that a virtual machine with free page reporting has given back to its host, so that each of
/// its 4 KiB is a fault in the host: after a few seconds idle, as a scheduled re-scan starts, the
/// bench tree's re-scan took a median 124.3 ms with them and 106.2 ms without (run back to back,
/// 92.1 and 102.6 ms; docs/performance.md, "eighteenth round").
///
/// Such a heap is made writable whole when it is created (M_TOP_PAD of kWorkerHeap, glibc's most
/// for a thread's heap): glibc otherwise makes a thread's heap writable a page at a time as it
/// grows, one mprotect(2) for each 4 KiB, each taking the process's memory map for writing while
/// the other threads fault pages in (10,214 calls in a cached re-scan of the bench tree, 6 % of
/// its CPU time; docs/performance.md, "twenty-first round"). Writable is not resident: a page
/// still costs only when written. Left alone when the environment chose (MALLOC_TOP_PAD_,
/// GLIBC_TUNABLES) and under strict overcommit (vm.overcommit_memory 2), where a writable
/// mapping is charged whole against the system's commit limit.
enum class MallocArenas { One, PerThread };
/// M_TOP_PAD with an arena per thread: the most a thread's heap grows to (glibc's HEAP_MAX_SIZE on
/// 64-bit systems), so that a new heap is writable whole at once.
inline constexpr std::size_t kWorkerHeap = std::size_t{64} << 20;
void use_malloc_arenas(MallocArenas arenas) noexcept;

/// A block of kOwnMappingFrom or more (a binary of 16 MiB or more read whole, LIEF's copies of it,
/// a streamed file's 16 MiB windows) is a mapping of its own, unmapped when freed
/// (M_MMAP_THRESHOLD), and the heap's top is given back above 4 times that (M_TRIM_THRESHOLD).
/// Set once by the program that owns the process (app/main.cpp), as the arenas are.
/// glibc's default starts at 128 KiB but raises the threshold to the size of each such block freed,
/// up to 32 MiB: after the first large binary, the next ones came from the heap and stayed there,
/// and a default scan of a Debian /usr peaked at 285-298 MB in 17 of 21 runs and 302-311 MB in 4
/// (the binaries that met, and the heap's holes, decided). Fixed thresholds: 264.3-264.5 MB in 4
/// runs, for 1.2-1.8 s more of its 15-17 s (2 s more system time: fresh pages for each large
/// binary; docs/performance.md, "ninth round"). Left alone when the environment chose
/// (MALLOC_MMAP_THRESHOLD_, MALLOC_TRIM_THRESHOLD_, or GLIBC_TUNABLES).
inline constexpr std::size_t kOwnMappingFrom = std::size_t{16} << 20;
void map_large_blocks() noexcept;

/// Asks for `block` (`size` bytes from malloc, not yet written but for malloc's own header) in
/// huge pages when it is a mapping of its own (kOwnMappingFrom or more, once map_large_blocks()
/// chose so) and transparent huge pages are on. Such a block is written whole at once (a binary
/// read, LIEF's copies of it), and each of its 4 KiB pages was a page fault: on a virtual machine
/// where a fault costs 10 microseconds, most of a /usr scan's system time (1.8 million faults;
/// docs/performance.md, "tenth round"). Called by the CLI's operator new (app/operator_new.cpp),
/// never by the library's engine.
void advise_huge_block(void* block, std::size_t size) noexcept;  ///< the madvise, for a large block
inline void huge_pages_for_block(void* block, std::size_t size) noexcept {
  if (size >= kOwnMappingFrom) advise_huge_block(block, size);  // (inline: on every operator new)
}

/// Called as a large binary's bytes and parse have been freed (MemoryBudget: a file of an eighth
/// of the budget or more). With an arena per thread, the free memory of every arena goes back to
/// the system (malloc_trim); with one arena nothing is done (the next binary reuses it).
void release_after_large_binary() noexcept;

class MemoryBudget {
 public:
  /// `capacity`: bytes of large binaries held whole at once; 0 = no limit.
  explicit MemoryBudget(std::uint64_t capacity) noexcept : capacity_(capacity) {}
  MemoryBudget(const MemoryBudget&) = delete;
  MemoryBudget& operator=(const MemoryBudget&) = delete;

  /// Longest wait for room; then the file is read regardless.
  static constexpr std::chrono::seconds kMaxWait{20};

  /// A reservation, returned when destroyed.
  class Hold {
   public:
    Hold() = default;
    Hold(MemoryBudget* budget, std::uint64_t bytes) noexcept : budget_(budget), bytes_(bytes) {}
    Hold(Hold&& o) noexcept : budget_(o.budget_), bytes_(o.bytes_) { o.budget_ = nullptr; }
    Hold& operator=(Hold&& o) noexcept {
      if (this != &o) {
        release();
        budget_ = o.budget_;
        bytes_ = o.bytes_;
        o.budget_ = nullptr;
      }
      return *this;
    }
    Hold(const Hold&) = delete;
    Hold& operator=(const Hold&) = delete;
    ~Hold() { release(); }

   private:
    void release() noexcept {
      if (budget_) budget_->release(bytes_);
      budget_ = nullptr;
    }
    MemoryBudget* budget_ = nullptr;
    std::uint64_t bytes_ = 0;
  };

  /// A large binary's place in the line of those that did not fit at once (try_reserve): its
  /// position in the worker pool's order, the same when it is tried again, by the same worker
  /// or, after --file-timeout abandoned that one, by another.
  using Key = std::uint64_t;

  /// Reserves `bytes` for a file about to be read whole: at once when it is small or fits,
  /// else after the others have released enough (or after kMaxWait). A file waiting in line
  /// under `key` (try_reserve) leaves the line.
  [[nodiscard]] Hold reserve(std::uint64_t bytes, Key key) {
    if (!counts(bytes)) return {};
    std::unique_lock lock(m_);
    cv_.wait_for(lock, kMaxWait, [&] { return fits_locked(bytes); });
    leave_line(key);
    used_ += bytes;
    return Hold(this, bytes);
  }

  /// reserve() without waiting, in turn: nothing when `bytes` does not fit now or when another
  /// large binary waits in line before this one; the file then waits in line under `key` (its
  /// worker analyses other files meanwhile: worker_pool.hpp, Postpone), and is reserved when it
  /// is first and fits (ready()). So large binaries are held in the order they were first tried:
  /// without the line, the other worker's next binaries took the room as it was freed, again and
  /// again, and a binary postponed early in a scan of /usr was analysed at its end, beside the
  /// records of the whole scan (peaks of 291-306 MB in three of twelve runs).
  [[nodiscard]] std::optional<Hold> try_reserve(std::uint64_t bytes, Key key) {
    if (!counts(bytes)) return Hold{};
    std::lock_guard lock(m_);
    if (!ready_locked(bytes, key)) {
      if (std::ranges::find(line_, key, &Waiting::key) == line_.end()) line_.push_back({key, bytes});
      return std::nullopt;
    }
    leave_line(key);
    used_ += bytes;
    return Hold(this, bytes);
  }

  /// Whether try_reserve(bytes, key) would reserve now.
  [[nodiscard]] bool ready(std::uint64_t bytes, Key key) {
    if (!counts(bytes)) return true;
    std::lock_guard lock(m_);
    return ready_locked(bytes, key);
  }

 private:
  /// Whether a file of `bytes` is held against the budget at all.
  [[nodiscard]] bool counts(std::uint64_t bytes) const noexcept { return capacity_ != 0 && bytes >= capacity_ / 8; }
  /// (m_ held.) A file alone always fits.
  [[nodiscard]] bool fits_locked(std::uint64_t bytes) const noexcept {
    return used_ == 0 || used_ + bytes <= capacity_;
  }
  /// (m_ held.) No other binary waits before `key`, and `bytes` fit.
  [[nodiscard]] bool ready_locked(std::uint64_t bytes, Key key) const noexcept {
    return (line_.empty() || line_.front().key == key) && fits_locked(bytes);
  }
  /// (m_ held.)
  void leave_line(Key key) {
    if (auto it = std::ranges::find(line_, key, &Waiting::key); it != line_.end()) line_.erase(it);
  }

  void release(std::uint64_t bytes) noexcept {
    {
      std::lock_guard lock(m_);
      used_ -= bytes;
    }
    cv_.notify_all();
    release_after_large_binary();
  }

  struct Waiting {
    Key key;
    std::uint64_t bytes;
  };

  const std::uint64_t capacity_;
  std::mutex m_;
  std::condition_variable cv_;
  std::uint64_t used_ = 0;
  std::deque<Waiting> line_;  ///< large binaries that did not fit at once, first tried first
};

}  // namespace trustscan::pipeline
