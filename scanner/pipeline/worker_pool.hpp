#pragma once
/// \file
/// The scan's thread pool with a stop flag and, as a last resort, a hard per-item time limit (issue 7).
///
/// The per-file time budget itself is kept cooperatively by the analysis (core/deadline.hpp,
/// issue 19): a file over it ends with a Timeout error and its worker goes on with the next item.
/// `item_timeout` is only for a program that owns its process (the CLI; never a library client,
/// whose default is 0): an item stuck in a call no deadline check reaches is given up — the item is
/// reported as timed out, its thread is abandoned (detached: a thread stuck inside a library
/// cannot be stopped safely) and a new worker takes its place, so the scan goes on at full width.
/// An abandoned thread that finishes later finds its item claimed and throws its result away.
/// Everything an item function touches must therefore be owned by shared_ptrs it captures: the
/// pool never destroys state an abandoned thread may still use.
///
/// A non-zero `*stop` (a signal number) stops workers from starting new items; items already
/// running finish (or time out). The process must end with std::_Exit (not exit) when
/// abandoned_threads() > 0, so that static destructors do not run under a still-working thread.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <vector>

namespace trustscan::pipeline {

/// Cores the pool's workers have given back: a worker that finds no item left ends, and its core
/// stays idle until the pool ends. An item may borrow one (take) to run part of its own work on a
/// second thread, and gives it back when that thread is done; so at the end of a scan a few large
/// files can use every core, and busy threads do not outnumber PoolOptions::threads (issue 9) —
/// beyond the abandoned threads of timed-out items, which the pool already replaces.
class SpareCores {
 public:
  [[nodiscard]] bool take() noexcept {
    int n = count_.load(std::memory_order_acquire);
    while (n > 0)
      if (count_.compare_exchange_weak(n, n - 1, std::memory_order_acq_rel)) return true;
    return false;
  }
  /// Records that a taken core was really used (its thread started).
  void count_lent() noexcept { lent_.fetch_add(1, std::memory_order_relaxed); }
  void give() noexcept { count_.fetch_add(1, std::memory_order_acq_rel); }
  [[nodiscard]] int available() const noexcept { return count_.load(std::memory_order_acquire); }
  /// How many taken cores were used (count_lent).
  [[nodiscard]] std::size_t lent() const noexcept { return lent_.load(std::memory_order_relaxed); }

 private:
  std::atomic<int> count_{0};
  std::atomic<std::size_t> lent_{0};
};

struct PoolOptions {
  unsigned threads = 1;
  std::chrono::milliseconds item_timeout{0};  ///< abandon an item's thread after this; 0 = never
  const std::atomic<int>* stop = nullptr;     ///< non-zero: start no new item
  /// More abandoned threads than this stop the pool (each may keep a core busy forever).
  std::size_t max_abandoned = 16;
  /// Called by the watchdog (the calling thread) on each of its ticks, about every 250 ms (more
  /// often with a short item_timeout), while items run. For progress reports; must not block.
  std::function<void()> on_tick{};
  /// Given a core by each worker that finds no item left (not by an abandoned one). Must outlive
  /// every item, abandoned ones included (their helper threads give cores back late).
  SpareCores* spare_cores = nullptr;
  /// Run once, by the first worker thread to start, before it takes its first item (the others
  /// start on items meanwhile). Not an item: no item_timeout applies. Must not throw.
  std::function<void()> first_worker{};
  /// Called by a worker as it takes position `k` of `order` in order, before running that item
  /// (e.g. to start reading the items after it); not for the items taken from the end while a
  /// postponed one waits (Postpone). Must be cheap and must not throw.
  std::function<void(std::size_t k)> on_start{};
};

struct PoolReport {
  std::vector<std::size_t> timed_out;  ///< items given up after item_timeout, in the order seen
  std::size_t completed = 0;           ///< items whose function returned and claimed its slot
  std::size_t not_started = 0;         ///< items never started (stop, or too many abandoned)
  std::size_t abandoned_threads = 0;
  bool stopped_by_abandon_limit = false;
};

/// `claim()` is what an item function calls when its result is ready: true = the slot is its own
/// to write (exactly once per item; the pool then counts it done), false = the item timed out and
/// the result must be dropped. Asking again after a true answer answers true again (an item whose
/// own error path runs after it claimed must not be taken for a timed-out one). An item function
/// that returns without claiming counts as done.
using Claim = std::function<bool()>;
/// What an item function returns: empty when its item is done (claimed or not). An item that
/// cannot start while other items hold what it needs (the memory of large binaries:
/// memory_budget.hpp) returns, when it was told it may, the test of when it can (`ready`) without
/// claiming. Its worker then runs items from the end of the order (the smallest files: schedule)
/// until `ready()` is true or none is left, and runs it again; told it may not postpone (no other
/// item is left), an item waits for what it needs instead. So a core is not idle while an item
/// waits (a default scan of a Debian /usr: one core idle for seconds while large binaries waited
/// for each other's memory, docs/performance.md, "twelfth round").
/// An item taken from the end while its worker holds a postponed one may be postponed too
/// (without claiming, any `ready`): it is given back to the pool, and the next worker that takes
/// from the front runs it first (the scan leaves binaries to a worker that holds no large one).
struct Postpone {
  std::function<bool()> ready;
  [[nodiscard]] bool postponed() const noexcept { return static_cast<bool>(ready); }
};
/// How a worker runs an item, as to postponing it (Postpone).
enum class Run {
  Last,         ///< no other item is left to its worker: it waits for what it needs
  MayPostpone,  ///< postponed, it is kept by its worker, which runs others meanwhile
  BesideHeld,   ///< taken from the end while its worker holds a postponed one: postponed, given back
};
/// Made once per worker thread (per-thread state such as a YARA scanner lives in the closure).
using ItemFunction = std::function<Postpone(std::size_t item, const Claim& claim, Run run)>;
using WorkerFactory = std::function<ItemFunction()>;

/// Runs items `order[0..]` and returns when each is done, timed out or (on stop) not started.
[[nodiscard]] PoolReport run_pool(const std::vector<std::size_t>& order, const PoolOptions& options,
                                  const WorkerFactory& make_worker);

/// Threads abandoned by every run_pool() of this process so far.
[[nodiscard]] std::size_t abandoned_threads() noexcept;

}  // namespace trustscan::pipeline
