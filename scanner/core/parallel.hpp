#pragma once
/// \file
/// parallel_for: the small worker pool that loading steps share (vendor files, Windows catalogs).
/// The calling thread works too; each thread claims the next index until none is left, so a
/// thread the system refuses to start (std::system_error) only means fewer threads. An exception
/// thrown by `body` does not stop the others; once all are done the one of the lowest index is
/// rethrown.
/// start_beside: one task begun on a thread of its own, its result taken later.
/// parallel_ordered: results made on several threads and taken in order on the calling thread
/// while the others go on (the JSON report's batches: rendered by all threads, written in order).

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <exception>
#include <future>
#include <mutex>
#include <system_error>
#include <thread>
#include <type_traits>
#include <vector>

namespace trustscan {

/// The size of a cache line (x86-64, and most aarch64 cores): data written by different threads
/// is kept this far apart. (Not std::hardware_destructive_interference_size: g++ warns that its
/// value may change between compiler versions, which matters in a header.)
inline constexpr std::size_t kCacheLine = 64;

/// `threads`, or one per core when it is 0.
[[nodiscard]] inline unsigned threads_or_cores(unsigned threads) noexcept {
  return threads ? threads : std::max(1u, std::thread::hardware_concurrency());
}

/// `task()` begun now on a thread of its own when `beside` is true, so that it runs beside the
/// caller's work; when it is false, or the system refuses a thread, it runs on the thread that
/// asks the future for its result, then.
template <class Task>
[[nodiscard]] std::future<std::invoke_result_t<Task&>> start_beside(bool beside, Task task) {
  if (beside) try {
      return std::async(std::launch::async, task);
    } catch (const std::system_error&) {  // no thread: done when asked for
    }
  return std::async(std::launch::deferred, std::move(task));
}

/// Calls body(i) once for every i in [0, count), on up to `threads` threads (at least one: the
/// caller's), and returns when all calls have returned.
template <class Body>
void parallel_for(std::size_t count, unsigned threads, Body&& body) {
  std::atomic<std::size_t> next{0};
  std::mutex failure_mutex;
  std::size_t failure_index = count;
  std::exception_ptr failure;
  auto work = [&] {
    for (std::size_t i = next.fetch_add(1); i < count; i = next.fetch_add(1)) {
      try {
        body(i);
      } catch (...) {
        const std::lock_guard lock(failure_mutex);
        if (i < failure_index) failure_index = i, failure = std::current_exception();
      }
    }
  };
  {
    std::vector<std::jthread> helpers;
    const std::size_t wanted = std::min<std::size_t>(std::max(1u, threads), count);
    for (std::size_t t = 1; t < wanted; ++t) try {
        helpers.emplace_back(work);
      } catch (const std::system_error&) {
        break;  // fewer threads: the ones running claim what is left
      }
    work();
  }
  if (failure) std::rethrow_exception(failure);
}

/// Makes a result for every i in [0, count) on up to `threads` threads and takes them on the
/// calling thread in order: make(i, slot) fills `slot` for index i (on any thread, the caller's
/// too while the next result in order is not ready), then consume(i, slot) takes it (on the
/// calling thread, for i = 0, 1, ...) while the other threads make the next ones. At most `ahead`
/// slots exist (at least one), each default-constructed once and reused for index i + ahead, so
/// what a slot keeps (a string's capacity) serves again. The first exception, of make or consume,
/// stops the work: nothing more is consumed, no index is started after it, and it is rethrown once
/// the threads have finished what they were making.
template <class Slot, class Make, class Consume>
void parallel_ordered(std::size_t count, unsigned threads, std::size_t ahead, Make&& make, Consume&& consume) {
  if (count == 0) return;
  const std::size_t n = std::max<std::size_t>(ahead, 1);
  // Each slot on cache lines of its own: two threads making neighbouring slots would otherwise
  // write the same line at every step (a string's size, at each append).
  struct alignas(kCacheLine) Padded {
    Slot slot;
  };
  std::vector<Padded> padded(n);
  const auto slot = [&](std::size_t i) -> Slot& { return padded[i % n].slot; };
  std::vector<char> ready(n, 0);  // slot i % n holds index i, made and not yet consumed
  std::mutex m;
  std::condition_variable changed;
  std::size_t claimed = 0, consumed = 0;  // indices started; indices taken
  std::exception_ptr failure;
  const auto can_claim = [&] { return !failure && claimed < count && claimed < consumed + n; };
  // Calls `f` with `lock` released; false when it threw (its exception is the failure, unless
  // another came first).
  const auto unlocked = [&](std::unique_lock<std::mutex>& lock, auto&& f) {
    lock.unlock();
    std::exception_ptr error;
    try {
      f();
    } catch (...) { error = std::current_exception(); }
    lock.lock();
    if (error && !failure) failure = error;
    return !error;
  };
  // Makes the next index; `lock` is held on entry and on return, not while making.
  const auto make_next = [&](std::unique_lock<std::mutex>& lock) {
    const std::size_t i = claimed++;
    if (unlocked(lock, [&] { make(i, slot(i)); })) ready[i % n] = 1;
    changed.notify_all();
  };
  const auto help = [&] {
    std::unique_lock lock(m);
    for (;;) {
      changed.wait(lock, [&] { return failure || claimed == count || can_claim(); });
      if (!can_claim()) return;
      make_next(lock);
    }
  };
  {
    std::vector<std::jthread> helpers;
    const std::size_t wanted = std::min<std::size_t>({std::max(1u, threads), count, n});
    helpers.reserve(wanted);  // from here on, only a thread's start can fail
    for (std::size_t t = 1; t < wanted; ++t) try {
        helpers.emplace_back(help);
      } catch (const std::system_error&) {
        break;  // fewer threads: this one makes what the others do not
      }
    std::unique_lock lock(m);
    for (std::size_t next = 0; next < count; ++next) {
      while (!failure && !ready[next % n]) {
        if (can_claim())
          make_next(lock);
        else
          changed.wait(lock);
      }
      if (failure) break;
      if (!unlocked(lock, [&] { consume(next, slot(next)); }) || failure) break;
      ready[next % n] = 0;
      ++consumed;
      changed.notify_all();
    }
    changed.notify_all();  // helpers waiting for a free slot see the failure (or the end)
  }
  if (failure) std::rethrow_exception(failure);
}

}  // namespace trustscan
