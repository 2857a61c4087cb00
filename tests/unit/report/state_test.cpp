// The monitoring state (issue 19): written, read back equal; damaged documents refused.
#include <catch2/catch.hpp>

#include "report/state.hpp"

using namespace trustscan;

TEST_CASE("state: a document reads back as the state it was written from", "[report][state]") {
  report::MonitorState s;
  s.tool_version = "0.9.0";
  s.hostname = "host";
  s.started = "2027-01-15T07:59:00.000Z";
  s.finished = "2027-01-15T08:00:00.250Z";
  s.finished_unix = 1'800'000'000;  // not written: the reader takes it from `finished`
  s.complete = true;
  s.exit_code = 1;
  s.roots = {"/", "/boot"};
  s.policy = "default";
  s.binaries = 40;
  s.findings = 3;
  s.findings_by_severity = {{"critical", 1}, {"high", 2}};
  s.kernel_binaries = 20;
  s.kernel_by_signature = {{"unsigned", 4}, {"valid", 16}};
  s.unsigned_kernel = 4;
  s.errors = 2;
  s.read_errors = 1;
  s.malformed_errors = 1;
  s.datasets = {{"loldrivers", "2026-11-01", "2026-11-02T00:00:00Z"}};
  s.finding_list = {{"/x.sys", "Vendor", "RU", "critical", "aa", "country:RU"},
                    {"/y.sys", std::nullopt, std::nullopt, "high", std::nullopt, "known-bad driver y"}};
  s.findings_omitted = 1;
  auto back = report::parse_state(report::state_json(s));
  REQUIRE(back.has_value());
  CHECK(back->finished_unix == 1'800'000'000);  // 2027-01-15T08:00:00Z
  CHECK(*back == s);
  s.exit_code.reset();
  CHECK(report::parse_state(report::state_json(s)).value() == s);
}

TEST_CASE("state: the finish time in Unix seconds", "[report][state]") {
  report::MonitorState s;
  s.finished = "1970-01-02T00:00:01.999Z";
  s.started = s.finished;
  CHECK(report::parse_state(report::state_json(s)).value().finished_unix == 86401);
}

TEST_CASE("state: not a state, another major version or a damaged one is refused", "[report][state]") {
  report::MonitorState s;
  s.finished = s.started = "2027-01-15T08:00:00.000Z";
  const std::string good = report::state_json(s);
  REQUIRE(report::parse_state(good).has_value());
  auto replaced = [&](std::string_view from, std::string_view to) {
    std::string t = good;
    t.replace(t.find(from), from.size(), to);
    return t;
  };
  for (const std::string& bad :
       {std::string("{"), std::string("[]"), std::string(""), replaced("\"trustscan-state\"", "\"trustscan-report\""),
        replaced("\"1.0.0\"", "\"2.0.0\""), replaced("\"counts\"", "\"kounts\""),
        replaced("\"complete\":false", "\"complete\":\"no\""),
        replaced("\"finished\":\"2027-01-15T08:00:00.000Z\"", "\"finished\":\"soon\""),
        good.substr(0, good.size() / 2)}) {
    INFO(bad);
    auto r = report::parse_state(bad);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == Errc::Malformed);
  }
  CHECK(report::parse_state(replaced("\"1.0.0\"", "\"1.4.0\"")).has_value());  // a later minor adds only
}
