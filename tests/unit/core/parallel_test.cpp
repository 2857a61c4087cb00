// parallel_for: every index once, on several threads, the lowest failure rethrown after all ran.
#include "core/parallel.hpp"

#include <atomic>
#include <catch2/catch.hpp>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

using trustscan::parallel_for;

TEST_CASE("parallel_for calls the body once for every index", "[core]") {
  for (unsigned threads : {0u, 1u, 2u, 8u}) {
    for (std::size_t count : {std::size_t{0}, std::size_t{1}, std::size_t{3}, std::size_t{1000}}) {
      std::vector<std::atomic<int>> calls(count);
      std::mutex m;
      std::set<std::thread::id> ids;
      parallel_for(count, threads, [&](std::size_t i) {
        ++calls[i];
        const std::lock_guard lock(m);
        ids.insert(std::this_thread::get_id());
      });
      for (std::size_t i = 0; i < count; ++i) CHECK(calls[i] == 1);
      CHECK(ids.size() <= std::max<std::size_t>(1, std::min<std::size_t>(threads, count)));
    }
  }
}

TEST_CASE("parallel_for runs on more than one thread when asked", "[core]") {
  // Each call waits until two threads have been seen (or a generous timeout): with one thread only,
  // the set would never grow.
  std::mutex m;
  std::set<std::thread::id> ids;
  parallel_for(2, 2, [&](std::size_t) {
    {
      const std::lock_guard lock(m);
      ids.insert(std::this_thread::get_id());
    }
    for (int i = 0; i < 2000; ++i) {
      {
        const std::lock_guard lock(m);
        if (ids.size() == 2) return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  });
  CHECK(ids.size() == 2);
}

TEST_CASE("parallel_for finishes every index and rethrows the failure of the lowest one", "[core]") {
  std::vector<std::atomic<int>> calls(100);
  try {
    parallel_for(calls.size(), 4, [&](std::size_t i) {
      ++calls[i];
      if (i == 70 || i == 30) throw std::runtime_error("failed at " + std::to_string(i));
    });
    FAIL("no exception");
  } catch (const std::runtime_error& e) {
    CHECK(std::string(e.what()) == "failed at 30");
  }
  for (const auto& c : calls) CHECK(c == 1);
}
