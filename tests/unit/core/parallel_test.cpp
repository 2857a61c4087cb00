// parallel_for: every index once, on several threads, the lowest failure rethrown after all ran;
// parallel_ordered: results made on several threads, taken in order on the calling one.
#include "core/parallel.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <future>
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

// parallel_ordered: every result made once, taken in order on the calling thread, never more than
// `ahead` of them held, the first failure rethrown.
using trustscan::parallel_ordered;

TEST_CASE("parallel_ordered makes every index once and consumes them in order", "[core]") {
  for (unsigned threads : {0u, 1u, 2u, 8u}) {
    for (std::size_t ahead : {std::size_t{1}, std::size_t{2}, std::size_t{5}}) {
      for (std::size_t count : {std::size_t{0}, std::size_t{1}, std::size_t{3}, std::size_t{1000}}) {
        INFO(threads << " threads, " << ahead << " ahead, " << count << " indices");
        std::vector<std::atomic<int>> made(count);
        std::atomic<std::size_t> held{0}, most_held{0};
        std::vector<std::size_t> consumed;
        const auto caller = std::this_thread::get_id();
        bool consumed_on_caller = true;
        parallel_ordered<std::string>(
            count, threads, ahead,
            [&](std::size_t i, std::string& slot) {
              ++made[i];
              const std::size_t now = ++held;
              for (std::size_t most = most_held; now > most && !most_held.compare_exchange_weak(most, now);) {}
              slot = std::to_string(i);
            },
            [&](std::size_t i, const std::string& slot) {
              consumed_on_caller = consumed_on_caller && std::this_thread::get_id() == caller;
              CHECK(slot == std::to_string(i));
              consumed.push_back(i);
              --held;
            });
        for (std::size_t i = 0; i < count; ++i) CHECK(made[i] == 1);
        REQUIRE(consumed.size() == count);
        for (std::size_t i = 0; i < count; ++i) CHECK(consumed[i] == i);
        CHECK(consumed_on_caller);
        CHECK(most_held <= ahead);
      }
    }
  }
}

TEST_CASE("parallel_ordered makes results on another thread while the caller consumes", "[core]") {
  // Consuming index 0 waits until index 1 is made (or a generous timeout): with the caller alone,
  // index 1 would only be made after index 0 was consumed. Which thread made which index is open:
  // the helper may make both, or make index 0 while the caller makes index 1; either way an index
  // was made on another thread.
  std::atomic<bool> one_made{false};
  std::set<std::thread::id> makers;
  std::mutex m;
  bool waited_in_vain = false;
  parallel_ordered<int>(
      2, 2, 2,
      [&](std::size_t i, int& slot) {
        slot = static_cast<int>(i);
        {
          const std::lock_guard lock(m);
          makers.insert(std::this_thread::get_id());
        }
        if (i == 1) one_made = true;
      },
      [&](std::size_t i, const int&) {
        if (i != 0) return;
        for (int n = 0; n < 2000 && !one_made; ++n) std::this_thread::sleep_for(std::chrono::milliseconds(1));
        waited_in_vain = !one_made;
      });
  CHECK_FALSE(waited_in_vain);
  const std::lock_guard lock(m);
  CHECK(std::ranges::any_of(makers, [](std::thread::id id) { return id != std::this_thread::get_id(); }));
}

TEST_CASE("parallel_ordered reuses each slot for the index `ahead` later", "[core]") {
  std::vector<const std::string*> slot_of(12);
  parallel_ordered<std::string>(
      slot_of.size(), 3, 4, [&](std::size_t i, std::string& slot) { slot_of[i] = &slot; },
      [](std::size_t, const std::string&) {});
  for (std::size_t i = 4; i < slot_of.size(); ++i) CHECK(slot_of[i] == slot_of[i - 4]);
  CHECK(std::set<const std::string*>(slot_of.begin(), slot_of.end()).size() == 4);
}

TEST_CASE("parallel_ordered keeps each slot on cache lines of its own", "[core]") {
  // Two threads making neighbouring slots must not write the same cache line: a std::string is
  // 32 bytes, and the JSON report's batches grew theirs at every append (false sharing).
  std::vector<std::uintptr_t> address(6);
  parallel_ordered<std::string>(
      address.size(), 2, 3,
      [&](std::size_t i, std::string& slot) { address[i] = reinterpret_cast<std::uintptr_t>(&slot); },
      [](std::size_t, const std::string&) {});
  std::sort(address.begin(), address.end());
  address.erase(std::unique(address.begin(), address.end()), address.end());
  REQUIRE(address.size() == 3);
  for (std::uintptr_t a : address) CHECK(a % trustscan::kCacheLine == 0);
  for (std::size_t i = 1; i < address.size(); ++i) CHECK(address[i] - address[i - 1] >= trustscan::kCacheLine);
}

TEST_CASE("parallel_ordered stops at the first failure and rethrows it", "[core]") {
  for (unsigned threads : {1u, 4u}) {
    INFO(threads << " threads");
    SECTION("a failure to make") {
      std::vector<std::size_t> consumed;
      CHECK_THROWS_WITH(parallel_ordered<int>(
                            100, threads, 3,
                            [](std::size_t i, int&) {
                              if (i == 30) throw std::runtime_error("made " + std::to_string(i));
                            },
                            [&](std::size_t i, const int&) { consumed.push_back(i); }),
                        "made 30");
      REQUIRE(consumed.size() <= 30);  // nothing at or after the failed index
      for (std::size_t i = 0; i < consumed.size(); ++i) CHECK(consumed[i] == i);
    }
    SECTION("a failure to consume") {
      std::atomic<std::size_t> made{0};
      std::vector<std::size_t> consumed;
      CHECK_THROWS_WITH(parallel_ordered<int>(
                            100, threads, 3, [&](std::size_t, int&) { ++made; },
                            [&](std::size_t i, const int&) {
                              consumed.push_back(i);
                              if (i == 10) throw std::runtime_error("consumed " + std::to_string(i));
                            }),
                        "consumed 10");
      CHECK(consumed.size() == 11);
      CHECK(made <= 10 + 3);  // no more than `ahead` past what was taken
    }
  }
}

using trustscan::start_beside;

TEST_CASE("start_beside runs the task on a thread of its own, or on the thread that asks", "[core]") {
  const auto me = std::this_thread::get_id();
  auto beside = start_beside(true, [] { return std::this_thread::get_id(); });
  CHECK(beside.get() != me);
  auto deferred = start_beside(false, [] { return std::this_thread::get_id(); });
  CHECK(deferred.wait_for(std::chrono::seconds(0)) == std::future_status::deferred);
  CHECK(deferred.get() == me);
}
