// One CSV cell (report/csv.hpp): RFC 4180 quoting and formula defusing.

#include "report/csv.hpp"

#include <catch2/catch.hpp>

using trustscan::report::csv_cell;

TEST_CASE("csv cell: RFC 4180 quoting", "[report][csv]") {
  CHECK(csv_cell("") == "");
  CHECK(csv_cell("/usr/lib/x.ko") == "/usr/lib/x.ko");
  CHECK(csv_cell("a,b") == "\"a,b\"");
  CHECK(csv_cell("say \"hi\"") == "\"say \"\"hi\"\"\"");
  CHECK(csv_cell("line\nbreak") == "\"line\nbreak\"");
  CHECK(csv_cell("cr\rx") == "\"cr\rx\"");
}

TEST_CASE("csv cell: what a spreadsheet would evaluate starts with a quote", "[report][csv]") {
  CHECK(csv_cell("=HYPERLINK(\"http://x\",\"y\")") == "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"");
  CHECK(csv_cell("+1") == "'+1");
  CHECK(csv_cell("-2+3") == "'-2+3");
  CHECK(csv_cell("@SUM(A1)") == "'@SUM(A1)");
  CHECK(csv_cell("\tx") == "'\tx");
  CHECK(csv_cell("\rx") == "\"'\rx\"");
  CHECK(csv_cell("a=b") == "a=b");  // only at the start
}
