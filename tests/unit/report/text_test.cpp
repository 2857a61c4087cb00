#include "report/text.hpp"

#include <catch2/catch.hpp>

using namespace trustscan;

TEST_CASE("utf8_escaped keeps valid UTF-8 and escapes invalid bytes reversibly", "[report]") {
  bool changed = true;
  CHECK(report::utf8_escaped("Kaspersky Lab ЗАО", &changed) == "Kaspersky Lab ЗАО");
  CHECK_FALSE(changed);
  CHECK(report::utf8_escaped("bad\xff.exe", &changed) == "bad\\xff.exe");
  CHECK(changed);
  CHECK(report::utf8_escaped("\xc0\xaf") == "\\xc0\\xaf");          // overlong '/'
  CHECK(report::utf8_escaped("\xed\xa0\x80") == "\\xed\\xa0\\x80");  // surrogate
  CHECK(report::utf8_escaped("\xe2\x82") == "\\xe2\\x82");          // truncated sequence
}

TEST_CASE("terminal_safe neutralises control characters and escape sequences", "[report]") {
  CHECK(report::terminal_safe("evil\x1b[2J\x1b]0;title\x07.sys") == "evil\\x1b[2J\\x1b]0;title\\x07.sys");
  CHECK(report::terminal_safe("line\nbreak\rcr") == "line\\x0abreak\\x0dcr");
  CHECK(report::terminal_safe("c1\xc2\x9b" "31m") == "c1\\x9b31m");
  CHECK(report::terminal_safe("plain é") == "plain é");
}

TEST_CASE("elide_middle keeps both ends within the width", "[report]") {
  CHECK(report::elide_middle("short", 10) == "short");
  std::string e = report::elide_middle("/very/long/path/to/some/driver.sys", 20);
  CHECK(e.find("…") != std::string::npos);
  CHECK(e.starts_with("/very"));
  CHECK(e.ends_with("driver.sys"));
}

TEST_CASE("rfc3339 writes UTC to the millisecond, and printf's form outside years 0-9999", "[report]") {
  CHECK(report::rfc3339(discover::Timestamp{0, 0}) == "1970-01-01T00:00:00.000Z");
  CHECK(report::rfc3339(discover::Timestamp{1764906123, 987654321}) == "2025-12-05T03:42:03.987Z");
  CHECK(report::rfc3339(discover::Timestamp{951782400, 1'000'000}) == "2000-02-29T00:00:00.001Z");  // leap day
  CHECK(report::rfc3339(discover::Timestamp{-1, 0}) == "1969-12-31T23:59:59.000Z");
  CHECK(report::rfc3339(discover::Timestamp{-62135596800, 0}) == "0001-01-01T00:00:00.000Z");
  CHECK(report::rfc3339(discover::Timestamp{253402300799, 999'999'999}) == "9999-12-31T23:59:59.999Z");
  CHECK(report::rfc3339(discover::Timestamp{253402300800, 0}) == "10000-01-01T00:00:00.000Z");
  CHECK(report::rfc3339(discover::Timestamp{-62167219201, 0}) == "-001-12-31T23:59:59.000Z");
}
