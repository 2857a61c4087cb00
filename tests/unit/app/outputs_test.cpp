// The outputs of one scan (issue 20): -o FORMAT[=FILE] and the old -f FORMAT -o FILE, dated file
// names and the retention that reads them back.

#include <catch2/catch.hpp>

#include <unistd.h>

#include <ctime>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "app/dated_path.hpp"
#include "app/output_spec.hpp"

using namespace trustscan;

namespace {

std::vector<std::pair<std::string, std::string>> outputs(const std::vector<std::string>& values,
                                                         const std::string& format = "table", bool given = false) {
  auto specs = app::parse_outputs(values, format, given);
  REQUIRE(specs);
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& s : *specs) out.emplace_back(std::string(s.format.name), s.path);
  return out;
}

using P = std::vector<std::pair<std::string, std::string>>;

}  // namespace

TEST_CASE("outputs: -o FORMAT[=FILE], and -o FILE for -f as before", "[app][outputs]") {
  CHECK(outputs({}) == P{{"table", ""}});
  CHECK(outputs({}, "json", true) == P{{"json", ""}});
  CHECK(outputs({"r.json"}, "json", true) == P{{"json", "r.json"}});  // -f json -o r.json
  CHECK(outputs({"-"}, "ndjson", true) == P{{"ndjson", ""}});         // -o -: standard output
  CHECK(outputs({"table", "json=r.json", "ndjson=/x/r.ndjson", "csv=c.csv"}, "table", false) ==
        P{{"table", ""}, {"json", "r.json"}, {"ndjson", "/x/r.ndjson"}, {"csv", "c.csv"}});
  CHECK(outputs({"csv=-", "json=r.json"}) == P{{"csv", ""}, {"json", "r.json"}});
  // A -f that no -o uses goes to standard output; the default one does not.
  CHECK(outputs({"ndjson=n"}, "json", true) == P{{"ndjson", "n"}, {"json", ""}});
  CHECK(outputs({"ndjson=n"}) == P{{"ndjson", "n"}});
  // A path with '=' after a '/' is a file; ./json is a file named json.
  CHECK(outputs({"/tmp/a=b.json"}) == P{{"table", "/tmp/a=b.json"}});
  CHECK(outputs({"./json"}) == P{{"table", "./json"}});
  CHECK(outputs({"scan-%Y%m%d.json"}, "json", true) == P{{"json", "scan-%Y%m%d.json"}});
}

TEST_CASE("outputs: refused before the scan", "[app][outputs]") {
  auto error = [](const std::vector<std::string>& v, bool given = false) {
    auto specs = app::parse_outputs(v, "table", given);
    REQUIRE_FALSE(specs);
    return specs.error().message;
  };
  CHECK_THAT(error({"table", "json"}), Catch::Contains("two outputs on standard output (table and json)"));
  CHECK_THAT(error({"json=-", "-"}), Catch::Contains("two outputs on standard output"));
  CHECK_THAT(error({"xml=r.xml"}), Catch::Contains("'xml' is no output format"));
  CHECK_THAT(error({"json="}), Catch::Contains("no FILE after '='"));
  CHECK_THAT(error({"json=r", "csv=r"}), Catch::Contains("two outputs to the same file r"));
  CHECK_THAT(error({"json=r-%q.json"}), Catch::Contains("unsupported placeholder %q"));
}

TEST_CASE("outputs: a prometheus file is named *.prom, what node_exporter reads", "[app][outputs]") {
  CHECK(outputs({"prometheus=/var/lib/node-exporter/trustscan.prom"}) ==
        P{{"prometheus", "/var/lib/node-exporter/trustscan.prom"}});
  CHECK(outputs({"prometheus=scan-%Y%m%d.prom"}) == P{{"prometheus", "scan-%Y%m%d.prom"}});
  CHECK(outputs({"prometheus"}) == P{{"prometheus", ""}});                         // standard output
  CHECK(outputs({"prometheus=/dev/null"}) == P{{"prometheus", "/dev/null"}});      // a device: written in place
  for (const std::vector<std::string>& v : {std::vector<std::string>{"prometheus=trustscan.txt"},
                                            std::vector<std::string>{"prometheus=trustscan.prom.tmp"}}) {
    auto specs = app::parse_outputs(v, "table", false);
    REQUIRE_FALSE(specs);
    CHECK_THAT(specs.error().message, Catch::Contains("reads only files named *.prom"));
  }
  auto legacy = app::parse_outputs({"metrics"}, "prometheus", true);  // -f prometheus -o metrics
  REQUIRE_FALSE(legacy);
  CHECK_THAT(legacy.error().message, Catch::Contains("-o metrics: node_exporter's textfile collector"));
}

TEST_CASE("dated names: placeholders, expansion in UTC, read back", "[app][outputs]") {
  CHECK(app::check_dated_pattern("plain.json"));
  CHECK(app::check_dated_pattern("/var/r/scan-%Y%m%dT%H%M%SZ.json"));
  CHECK(app::check_dated_pattern("r-%F_%T-%j-100%%.json"));
  CHECK_FALSE(app::check_dated_pattern("/var/%Y/scan.json"));  // only in the file name
  CHECK_FALSE(app::check_dated_pattern("scan-%s.json"));       // not UTC-safe
  CHECK_FALSE(app::check_dated_pattern("scan-%.json"));
  CHECK_FALSE(app::check_dated_pattern("scan-%%.json"));  // no time in it
  CHECK_FALSE(app::check_dated_pattern("scan-%Y%"));
  const std::time_t t = 1796355902;  // 2026-12-04T03:45:02Z
  CHECK(app::expand_dated_pattern("/r/scan-%Y%m%dT%H%M%SZ.json", t) == "/r/scan-20261204T034502Z.json");
  CHECK(app::expand_dated_pattern("r-%F_%T-%j-100%%", t) == "r-2026-12-04_03:45:02-338-100%");
  CHECK(app::expand_dated_pattern("plain.json", t) == "plain.json");
  std::time_t back = 0;
  CHECK(app::matches_dated_name("scan-%Y%m%dT%H%M%SZ.json", "scan-20261204T034502Z.json", back));
  CHECK(back == t);
  CHECK_FALSE(app::matches_dated_name("scan-%Y%m%dT%H%M%SZ.json", "scan-20261204T034502Z.json.partial-Ab12Cd", back));
  CHECK_FALSE(app::matches_dated_name("scan-%Y%m%dT%H%M%SZ.json", "scan-20261204T034502Z.ndjson", back));
  CHECK_FALSE(app::matches_dated_name("scan-%Y%m%dT%H%M%SZ.json", "scan-2026120xT034502Z.json", back));
  CHECK_FALSE(app::matches_dated_name("a.b-%Y.json", "aXb-2026.json", back));  // '.' is literal
}

TEST_CASE("dated names: --keep deletes the oldest matching regular files only", "[app][outputs]") {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("trustscan-keep-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  for (const char* name : {"r-2026-01-03.json", "r-2026-01-01.json", "r-2026-01-02.json", "r-2026-01-04.json",
                           "r-2026-01-01.csv", "x-2026-01-01.json"})
    std::ofstream(dir / name) << "x";
  fs::create_directory(dir / "r-2025-01-01.json");
  fs::create_symlink(dir / "x-2026-01-01.json", dir / "r-2024-01-01.json");
  std::ostringstream err;
  // The report just written is the oldest by name here (a clock set back): it is kept all the same.
  CHECK(app::prune_dated_reports((dir / "r-%F.json").string(), 2, (dir / "r-2026-01-01.json").string(), err) == 2);
  CHECK(err.str().empty());
  std::set<std::string> left;
  for (const auto& e : fs::directory_iterator(dir)) left.insert(e.path().filename().string());
  CHECK(left == std::set<std::string>{"r-2026-01-04.json", "r-2026-01-01.json", "r-2026-01-01.csv", "x-2026-01-01.json",
                                      "r-2025-01-01.json", "r-2024-01-01.json"});
  fs::remove_all(dir);
}
