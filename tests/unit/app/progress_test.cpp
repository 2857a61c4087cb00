// The progress line's text (issue 8): counts, rates, ETA, the root, and the width limit.

#include "app/progress.hpp"

#include "app/eta.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <optional>
#include <sstream>
#include <vector>

using namespace trustscan;

namespace {

std::size_t columns(const std::string& s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xc0) != 0x80;
  return n;
}

}  // namespace

TEST_CASE("progress text: counts, rates, ETA and root", "[app][progress]") {
  pipeline::ScanProgress p{250, 1000, 50'000'000, 100'000'000, "/mnt/evidence", 10.0};
  const std::string line = app::progress_text(p, 200, 30.0);
  CHECK(line == "trustscan: 250/1000 files  50.0/100.0 MB  25 files/s  5.0 MB/s  ETA 0:30  /mnt/evidence");
  // No estimate: unknown; done: 0 whatever the estimate.
  CHECK_THAT(app::progress_text(p, 200), Catch::Contains("ETA --"));
  CHECK_THAT(app::progress_text({1000, 1000, 1, 1, "/", 5.0}, 200), Catch::Contains("ETA 0:00"));
  CHECK_THAT(app::progress_text({1, 100000, 10000, 1000000000, "/", 1.0}, 200, 3725.0), Catch::Contains("ETA 1:02:05"));
}

namespace {

/// A scan on one thread of `big` files of 50 MB, then `small` files of 1 MB or less, at 1 ms
/// per file plus 10 ms per MB; the estimator's answers every 0.25 s against the true time left.
struct Simulated {
  double total = 0;
  std::vector<std::pair<double, std::optional<double>>> answers;  // true time left, estimate
};

Simulated simulate(std::size_t big, std::size_t small, bool shrinking = true) {
  std::vector<double> sizes(big, 50.0);
  for (std::size_t i = 0; i < small; ++i)
    sizes.push_back(shrinking ? 1.0 - 0.999 * static_cast<double>(i) / static_cast<double>(small) : 1.0);
  double total_mb = 0;
  for (double mb : sizes) total_mb += mb;
  std::vector<pipeline::ScanProgress> reports;
  double t = 0, mb_done = 0, tick = 0.25;
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    t += 0.001 + 0.01 * sizes[i];
    mb_done += sizes[i];
    for (; tick <= t; tick += 0.25)
      reports.push_back({i + 1, sizes.size(), static_cast<std::uint64_t>(mb_done * 1e6),
                         static_cast<std::uint64_t>(total_mb * 1e6), "/r", tick});
  }
  Simulated sim{t, {}};
  app::EtaEstimator eta;
  for (const auto& r : reports) {
    eta.add(r);
    sim.answers.emplace_back(t - r.elapsed_seconds, eta.seconds_left());
  }
  return sim;
}

}  // namespace

TEST_CASE("the ETA: nothing until it can be told, then close to the time left", "[app][progress]") {
  // Issue 20: big files first made the file rate predict hours for a scan of seconds.
  const Simulated mixed = simulate(100, 20000);
  REQUIRE(mixed.total > 60);
  std::size_t told = 0;
  for (const auto& [left, estimate] : mixed.answers) {
    if (!estimate) continue;
    ++told;
    INFO("left " << left << " estimated " << *estimate);
    CHECK(*estimate <= mixed.total);                      // never more than the whole scan
    CHECK(std::abs(*estimate - left) <= 0.3 * left + 2);  // within 30 % (2 s near the end)
  }
  CHECK(told >= mixed.answers.size() / 4);  // and it does tell, for the last part at least
  // Files of one size: the simple rate is right from the start (after 2 s, stable 2 s later).
  const Simulated uniform = simulate(0, 5000, false);
  for (const auto& [left, estimate] : uniform.answers)
    if (uniform.total - left >= 4.5) {
      REQUIRE(estimate);
      CHECK(std::abs(*estimate - left) <= 0.1 * left + 1);
    }
  app::EtaEstimator none;
  CHECK_FALSE(none.seconds_left());
  none.add({0, 10, 0, 100, "/", 5.0});
  CHECK_FALSE(none.seconds_left());  // nothing done yet
}

TEST_CASE("progress text: never wider than the terminal, hostile root names neutralised", "[app][progress]") {
  pipeline::ScanProgress p{123456, 999999, 123'456'789'012, 999'999'999'999,
                           "/mnt/\x1b[31m" + std::string(300, 'x') + "/\xc3\xa9t\xc3\xa9", 3.5};
  for (std::size_t width : {20u, 40u, 79u, 132u}) {
    const std::string line = app::progress_text(p, width);
    INFO(line);
    CHECK(columns(line) <= width);
    CHECK(line.find('\x1b') == std::string::npos);
  }
}

TEST_CASE("the progress line redraws in place and erases itself", "[app][progress]") {
  std::ostringstream out;
  {
    app::ProgressLine line(out, 80);
    line.update({1, 2, 3, 4, "/r", 1.0});
    line.update({2, 2, 4, 4, "/r", 1.1});  // within 200 ms of the last redraw: skipped
  }
  const std::string s = out.str();
  CHECK(s.starts_with("\rtrustscan: 1/2 files"));
  CHECK(s.ends_with("\r\x1b[K"));
  CHECK(s.find("2/2 files") == std::string::npos);
  CHECK(s.find('\n') == std::string::npos);
}
