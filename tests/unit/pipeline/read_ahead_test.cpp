// pipeline::ReadAheadWindow: the files hinted to their source ahead of the workers.
#include "pipeline/read_ahead.hpp"

#include <catch2/catch.hpp>

#include <mutex>
#include <thread>
#include <vector>

using trustscan::pipeline::ReadAheadWindow;

TEST_CASE("ReadAheadWindow: positions after the one taken, within files and bytes, each once",
          "[pipeline][read_ahead]") {
  ReadAheadWindow w({10, 10, 10, 10, 10, 10, 10, 10}, 3, 25);
  // Taking 0: 1 and 2 (20 bytes); 3 would make 30 > 25.
  CHECK(w.advance(0) == std::pair<std::size_t, std::size_t>{1, 3});
  // Taking 1: 2 was returned already; 3 is due (2 + 3 = 20 bytes ahead of 1).
  CHECK(w.advance(1) == std::pair<std::size_t, std::size_t>{3, 4});
  CHECK(w.advance(1) == std::pair<std::size_t, std::size_t>{0, 0});  // nothing new
  CHECK(w.advance(5) == std::pair<std::size_t, std::size_t>{6, 8});
  CHECK(w.advance(7) == std::pair<std::size_t, std::size_t>{0, 0});  // the end
}

TEST_CASE("ReadAheadWindow: the next file is always due, whatever its size; at most max_files",
          "[pipeline][read_ahead]") {
  ReadAheadWindow big({1, 1000, 1, 1}, 8, 100);
  CHECK(big.advance(0) == std::pair<std::size_t, std::size_t>{1, 2});
  ReadAheadWindow many(std::vector<std::uint64_t>(100, 0), 4, 1000);
  CHECK(many.advance(0) == std::pair<std::size_t, std::size_t>{1, 5});
}

TEST_CASE("ReadAheadWindow: from several threads, every position at most once and in order", "[pipeline][read_ahead]") {
  constexpr std::size_t n = 20000;
  ReadAheadWindow w(std::vector<std::uint64_t>(n, 7), 8, 1 << 20);
  std::atomic<std::size_t> next{0};
  std::mutex m;
  std::vector<int> seen(n, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (std::size_t k; (k = next.fetch_add(1)) < n;) {
        const auto [first, last] = w.advance(k);
        std::lock_guard lock(m);
        for (std::size_t p = first; p < last; ++p) ++seen[p];
      }
    });
  for (auto& t : threads) t.join();
  for (std::size_t p = 0; p < n; ++p) CHECK(seen[p] <= 1);
  std::size_t hinted = 0;
  for (int s : seen) hinted += static_cast<std::size_t>(s);
  CHECK(hinted > n / 2);  // most positions were hinted before they were taken
}
