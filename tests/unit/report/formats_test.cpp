// The one list of output formats (report/formats.hpp): well-formed for the CLI and for the build
// that fills the man page and the shell completions from `trustscan __formats`, and each row's
// writer is the one its name says.
#include "report/formats.hpp"

#include <catch2/catch.hpp>

#include <set>
#include <sstream>
#include <string>

#include "app/cli.hpp"
#include "report/state.hpp"

using namespace trustscan;

namespace {

/// Characters the build's templates cannot take (cmake lists, tab-separated lines, roff control
/// lines, zsh's `((name\:"summary"))`).
bool plain(std::string_view text, bool summary) {
  if (text.empty() || text.front() == '-' || text.front() == '.' || text.front() == '\'') return false;
  for (char c : text)
    if (c == '\t' || c == '\n' || c == ';' || c == '\\' || c == '"' || (summary && (c == ':' || c == '\'')))
      return false;
  return true;
}

}  // namespace

TEST_CASE("formats: every row is complete and its text fits the templates", "[report][formats]") {
  std::set<std::string_view> names;
  for (const report::OutputFormat& f : report::output_formats()) {
    INFO(f.name);
    CHECK(names.insert(f.name).second);
    CHECK(f.write != nullptr);
    CHECK(f.name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789") == std::string_view::npos);
    CHECK(plain(f.summary, true));
    CHECK(plain(f.description, false));
    CHECK(report::find_output_format(f.name) == f);
  }
  CHECK(names == std::set<std::string_view>{"table", "json", "ndjson", "cef", "csv", "prometheus", "state"});
  CHECK(report::output_formats().front().name == "table");  // the default
  CHECK_FALSE(report::find_output_format("xml"));
  CHECK(report::find_output_format("json")->write == &report::write_json);
  CHECK(report::find_output_format("ndjson")->write == &report::write_ndjson);
  CHECK(report::find_output_format("cef")->write == &report::write_cef);
  CHECK(report::find_output_format("table")->write == &report::write_table);
  CHECK(report::find_output_format("csv")->write == &report::write_csv);
  CHECK(report::find_output_format("prometheus")->write == &report::write_prometheus);
  CHECK(report::find_output_format("state")->write == &report::write_state);  // issue 19
  CHECK(report::output_formats_help() ==
        "table (a summary for people), json (one document), ndjson (one ECS event per line), cef (one ArcSight "
        "CEF line per finding), csv (one spreadsheet row per record), prometheus (metrics for node_exporter) or "
        "state (a small JSON state for monitoring checks)");
}

TEST_CASE("formats: 'trustscan __formats' lists the table, one tab-separated line each", "[report][formats]") {
  std::ostringstream out, err;
  const char* argv[] = {"trustscan", "__formats"};
  CHECK(app::run(2, argv, out, err) == 0);
  CHECK(err.str().empty());
  std::istringstream lines(out.str());
  std::string line;
  std::size_t i = 0;
  for (; std::getline(lines, line); ++i) {
    REQUIRE(i < report::output_formats().size());
    const report::OutputFormat& f = report::output_formats()[i];
    CHECK(line == std::string(f.name) + '\t' + std::string(f.summary) + '\t' + std::string(f.description) + '\t' +
                      (f.line_per_event ? "yes" : "no") + '\t' + (f.baseline ? "yes" : "no"));
  }
  CHECK(i == report::output_formats().size());
}
