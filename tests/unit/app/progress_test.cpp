// The progress line's text (issue 8): counts, rates, ETA, the root, and the width limit.

#include "app/progress.hpp"

#include <catch2/catch.hpp>

#include <sstream>

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
  const std::string line = app::progress_text(p, 200);
  CHECK(line == "trustscan: 250/1000 files  50.0/100.0 MB  25 files/s  5.0 MB/s  ETA 0:30  /mnt/evidence");
  // The slower estimate wins: files say 30 s, bytes say 10 s.
  p.bytes_done = 83'333'333;
  CHECK_THAT(app::progress_text(p, 200), Catch::Contains("ETA 0:30"));
  // Done: ETA 0; nothing done yet: unknown.
  CHECK_THAT(app::progress_text({1000, 1000, 1, 1, "/", 5.0}, 200), Catch::Contains("ETA 0:00"));
  CHECK_THAT(app::progress_text({0, 1000, 0, 1, "/", 0.0}, 200), Catch::Contains("ETA --"));
  CHECK_THAT(app::progress_text({1, 100000, 10000, 1000000000, "/", 1.0}, 200), Catch::Contains("ETA 27:46:39"));
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
