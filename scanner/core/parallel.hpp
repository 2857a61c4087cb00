#pragma once
/// \file
/// parallel_for: the small worker pool that loading steps share (vendor files, Windows catalogs,
/// the JSON report's batches). The calling thread works too; each thread claims the next index
/// until none is left, so a thread the system refuses to start (std::system_error) only means
/// fewer threads. An exception thrown by `body` does not stop the others; once all are done the
/// one of the lowest index is rethrown.

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

namespace trustscan {

/// `threads`, or one per core when it is 0.
[[nodiscard]] inline unsigned threads_or_cores(unsigned threads) noexcept {
  return threads ? threads : std::max(1u, std::thread::hardware_concurrency());
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

}  // namespace trustscan
