// `--format prometheus` (report/prometheus.hpp, prometheus_report.cpp): the escapes of the text
// exposition format and the metric families of a scan. The real parser (node_exporter) and linter
// (promtool) read the CLI's output in tests/cli/prometheus_test.sh.
#include "report/prometheus.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <limits>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "report/report.hpp"

using namespace trustscan;

TEST_CASE("prometheus: label values escape backslash, quote and line feed only", "[report][prometheus]") {
  CHECK(report::prometheus_label_value("") == "");
  CHECK(report::prometheus_label_value("critical") == "critical");
  CHECK(report::prometheus_label_value(R"(C:\Windows)") == R"(C:\\Windows)");
  CHECK(report::prometheus_label_value(R"(say "hi")") == R"(say \"hi\")");
  CHECK(report::prometheus_label_value("two\nlines") == R"(two\nlines)");
  CHECK(report::prometheus_label_value("tab\there {}=,") == "tab\there {}=,");  // nothing else
  CHECK(report::prometheus_label_value("Россия") == "Россия");                  // UTF-8 as is
  // Not UTF-8 (the format requires it): each bad byte as the text \xNN, whose backslash is then escaped.
  CHECK(report::prometheus_label_value("a\xff") == R"(a\\xff)");
}

TEST_CASE("prometheus: HELP text escapes backslash and line feed, not quotes", "[report][prometheus]") {
  CHECK(report::prometheus_help_text(R"(a "b" \ c)") == R"(a "b" \\ c)");
  CHECK(report::prometheus_help_text("one\ntwo") == R"(one\ntwo)");
}

TEST_CASE("prometheus: numbers", "[report][prometheus]") {
  CHECK(report::prometheus_number(0) == "0");
  CHECK(report::prometheus_number(42) == "42");
  CHECK(report::prometheus_number(1.5) == "1.5");
  CHECK(report::prometheus_number(1764812345.25) == "1764812345.25");
  CHECK(report::prometheus_number(18446744073709551616.0) == "18446744073709551616");
  CHECK(report::prometheus_number(std::numeric_limits<double>::infinity()) == "+Inf");
  CHECK(report::prometheus_number(std::numeric_limits<double>::quiet_NaN()) == "NaN");
}

namespace {

pipeline::ScanResult sample_result() {
  pipeline::ScanResult r;
  r.started = std::chrono::system_clock::time_point(std::chrono::seconds(1764812000));
  r.finished = r.started + std::chrono::milliseconds(12'500);
  r.policy_name = R"(/etc/trustscan/policy "strict".yaml)";
  r.summary.binaries = 1234;
  r.summary.kernel_by_signature = {{"valid", 40}, {"unsigned", 3}};
  r.summary.findings_by_severity = {{"high", 2}};
  r.summary.findings = 2;
  r.summary.known_bad_findings = 1;
  r.summary.read_errors = 5;
  r.summary.malformed_errors = 7;
  datasets::DatasetInfo loldrivers;
  loldrivers.name = "loldrivers";
  loldrivers.version = "2026-11-30 \"weekly\"\nbuild";
  loldrivers.imported_at = "2026-12-01T00:00:00Z";
  r.datasets.push_back(loldrivers);
  return r;
}

std::string written(const pipeline::ScanResult& r) {
  report::RunInfo run{"1.2.3", "host", nullptr};
  std::ostringstream out;
  report::write_prometheus(r, run, out);
  return out.str();
}

/// Sample lines "name{labels} value" of `text` by their "name{labels}".
std::map<std::string, std::string> samples(const std::string& text) {
  std::map<std::string, std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (!line.starts_with('#')) {
      const auto space = line.rfind(' ');
      out[line.substr(0, space)] = line.substr(space + 1);
    }
  return out;
}

}  // namespace

TEST_CASE("prometheus: every family declared once, HELP then TYPE gauge, then its samples", "[report][prometheus]") {
  const std::string text = written(sample_result());
  REQUIRE(text.ends_with('\n'));
  const std::regex help(R"(# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) \S.*)"), type(R"(# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) gauge)");
  const std::regex sample(R"(([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[a-z_]+="([^"\\\n]|\\[\\"n])*"(,[a-z_]+="([^"\\\n]|\\[\\"n])*")*\})? \S+)");
  std::istringstream in(text);
  std::vector<std::string> families;
  std::string current;
  for (std::string line, pending_help; std::getline(in, line);) {
    INFO(line);
    std::smatch m;
    if (std::regex_match(line, m, help)) {
      families.push_back(m[1]);
      pending_help = m[1];
    } else if (std::regex_match(line, m, type)) {
      CHECK(m[1] == pending_help);
      current = m[1];
    } else {
      REQUIRE(std::regex_match(line, m, sample));
      CHECK(m[1] == current);
    }
  }
  CHECK(families == std::vector<std::string>{"trustscan_info", "trustscan_dataset_info", "trustscan_scan_complete",
                                             "trustscan_last_scan_timestamp_seconds", "trustscan_scan_duration_seconds",
                                             "trustscan_binaries", "trustscan_kernel_binaries", "trustscan_findings",
                                             "trustscan_known_bad_findings", "trustscan_errors"});
  for (const std::string& f : families) CHECK_FALSE(f.ends_with("_total"));  // gauges, not counters
}

TEST_CASE("prometheus: the values of the scan, every severity and signature status, labels escaped",
          "[report][prometheus]") {
  const auto s = samples(written(sample_result()));
  CHECK(s.at(R"(trustscan_info{version="1.2.3",schema_version=")" + std::string(report::kSchemaVersion) +
             R"(",policy="/etc/trustscan/policy \"strict\".yaml"})") == "1");
  CHECK(s.at(R"(trustscan_dataset_info{name="loldrivers",version="2026-11-30 \"weekly\"\nbuild",)"
             R"(imported_at="2026-12-01T00:00:00Z"})") == "1");
  CHECK(s.at("trustscan_scan_complete") == "1");
  CHECK(s.at("trustscan_last_scan_timestamp_seconds") == "1764812012.5");
  CHECK(s.at("trustscan_scan_duration_seconds") == "12.5");
  CHECK(s.at("trustscan_binaries") == "1234");
  CHECK(s.at(R"(trustscan_findings{severity="low"})") == "0");
  CHECK(s.at(R"(trustscan_findings{severity="medium"})") == "0");
  CHECK(s.at(R"(trustscan_findings{severity="high"})") == "2");
  CHECK(s.at(R"(trustscan_findings{severity="critical"})") == "0");
  CHECK(s.at(R"(trustscan_kernel_binaries{signature_status="valid"})") == "40");
  CHECK(s.at(R"(trustscan_kernel_binaries{signature_status="unsigned"})") == "3");
  for (const char* st : {"untrusted", "invalid", "unknown_key", "malformed"})
    CHECK(s.at(std::string(R"(trustscan_kernel_binaries{signature_status=")") + st + "\"}") == "0");
  CHECK(s.at("trustscan_known_bad_findings") == "1");
  CHECK(s.at(R"(trustscan_errors{kind="read"})") == "5");
  CHECK(s.at(R"(trustscan_errors{kind="malformed"})") == "7");
  CHECK(s.size() == 19);  // nothing else, and no baseline family without --baseline
}

TEST_CASE("prometheus: an interrupted scan is incomplete; no data set, the family alone", "[report][prometheus]") {
  pipeline::ScanResult r = sample_result();
  r.interrupted_by = 15;
  r.datasets.clear();
  const std::string text = written(r);
  CHECK(samples(text).at("trustscan_scan_complete") == "0");
  CHECK(text.find("# TYPE trustscan_dataset_info gauge\n# HELP trustscan_scan_complete ") != std::string::npos);
}
