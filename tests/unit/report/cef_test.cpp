// CEF escaping as the ArcSight CEF guide defines it.
#include "report/cef.hpp"

#include <catch2/catch.hpp>

using namespace trustscan;

TEST_CASE("cef: header fields escape backslash and pipe, and cannot break the line", "[report][cef]") {
  CHECK(report::cef_header_escape("plain name") == "plain name");
  CHECK(report::cef_header_escape("a|b\\c") == "a\\|b\\\\c");
  CHECK(report::cef_header_escape("x=y") == "x=y");  // '=' is literal in the header
  CHECK(report::cef_header_escape("two\nlines\r") == "two lines ");
  CHECK(report::cef_header_escape("\\|") == "\\\\\\|");
}

TEST_CASE("cef: extension values escape backslash, equals and line breaks, not pipes", "[report][cef]") {
  CHECK(report::cef_extension_escape("C:\\Windows\\x.sys") == "C:\\\\Windows\\\\x.sys");
  CHECK(report::cef_extension_escape("a=b") == "a\\=b");
  CHECK(report::cef_extension_escape("a|b") == "a|b");
  CHECK(report::cef_extension_escape("l1\nl2\rl3") == "l1\\nl2\\rl3");
  CHECK(report::cef_extension_escape("\\n") == "\\\\n");  // a literal backslash-n stays distinguishable
}

TEST_CASE("cef: severity 0-10 from the finding severity", "[report][cef]") {
  CHECK(report::cef_severity("low") == 3);
  CHECK(report::cef_severity("medium") == 6);
  CHECK(report::cef_severity("high") == 8);
  CHECK(report::cef_severity("critical") == 10);
  CHECK(report::cef_severity("") == 0);
}
