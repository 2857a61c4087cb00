// trustscan check (issue 19): the Monitoring Plugins ranges, the status decision, the plugin
// output and the Zabbix items, from a monitoring state built by hand.
#include <catch2/catch.hpp>

#include "app/check_range.hpp"
#include "app/check_status.hpp"

using namespace trustscan;
using app::CheckStatus;

namespace {

app::ThresholdRange range(std::string_view text) {
  auto r = app::parse_threshold_range(text);
  REQUIRE(r.has_value());
  return *r;
}

constexpr std::int64_t kFinished = 1'800'000'000;

report::MonitorState state_with(std::uint64_t findings) {
  report::MonitorState s;
  s.finished = "2027-01-15T08:00:00.000Z";
  s.finished_unix = kFinished;
  s.complete = true;
  s.findings = findings;
  s.kernel_binaries = 12;
  s.unsigned_kernel = 2;
  for (std::uint64_t i = 0; i < findings; ++i)
    s.finding_list.push_back(
        {"/lib/modules/x" + std::to_string(i) + ".ko", "Vendor", "RU", "high", "ab", "country:RU flagged"});
  if (findings > 0) s.findings_by_severity["high"] = findings;
  return s;
}

app::CheckSettings defaults() {
  app::CheckSettings s;
  s.critical = range("0");
  return s;
}

}  // namespace

TEST_CASE("check range: the guidelines' forms", "[app][check]") {
  const auto ten = range("10");  // outside 0..10
  CHECK(ten.alerts(-1));
  CHECK_FALSE(ten.alerts(0));
  CHECK_FALSE(ten.alerts(10));
  CHECK(ten.alerts(10.5));
  const auto at_least = range("10:");  // below 10
  CHECK(at_least.alerts(9));
  CHECK_FALSE(at_least.alerts(10));
  CHECK_FALSE(at_least.alerts(1e12));
  const auto at_most = range("~:10");  // above 10
  CHECK_FALSE(at_most.alerts(-1e12));
  CHECK(at_most.alerts(11));
  const auto between = range("10:20");
  CHECK(between.alerts(9.99));
  CHECK_FALSE(between.alerts(15));
  CHECK(between.alerts(21));
  const auto inside = range("@10:20");  // inside, ends included
  CHECK(inside.alerts(10));
  CHECK(inside.alerts(20));
  CHECK_FALSE(inside.alerts(9));
  CHECK_FALSE(inside.alerts(21));
  const auto zero = range("0");  // any finding
  CHECK_FALSE(zero.alerts(0));
  CHECK(zero.alerts(1));
  CHECK(range("-5:-1").alerts(0));
  CHECK(range("1.5").alerts(2));
  CHECK(range("@~:0").alerts(0));
  CHECK(zero.text == "0");
}

TEST_CASE("check range: malformed ranges are configuration errors", "[app][check]") {
  for (std::string_view bad : {"", "@", "x", "10:5", ":5", "1:2:3", "5x", "~", "1e999", "nan"}) {
    INFO(bad);
    auto r = app::parse_threshold_range(bad);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == Errc::Config);
  }
}

TEST_CASE("check status: findings against -w and -c, critical first", "[app][check]") {
  auto settings = defaults();
  CHECK(app::decide(state_with(0), settings, kFinished).status == CheckStatus::Ok);
  CHECK(app::decide(state_with(1), settings, kFinished).status == CheckStatus::Critical);
  settings.warning = range("0");
  settings.critical = range("5");
  CHECK(app::decide(state_with(0), settings, kFinished).status == CheckStatus::Ok);
  CHECK(app::decide(state_with(3), settings, kFinished).status == CheckStatus::Warning);
  CHECK(app::decide(state_with(6), settings, kFinished).status == CheckStatus::Critical);
  settings.warning.reset();
  settings.critical.reset();
  CHECK(app::decide(state_with(6), settings, kFinished).status == CheckStatus::Ok);
}

TEST_CASE("check status: a stale or incomplete scan", "[app][check]") {
  auto settings = defaults();
  settings.max_age = 3600;
  const auto fresh = app::decide(state_with(0), settings, kFinished + 3600);
  CHECK(fresh.status == CheckStatus::Ok);
  CHECK(fresh.age == 3600);
  const auto stale = app::decide(state_with(0), settings, kFinished + 3601);
  CHECK(stale.status == CheckStatus::Warning);
  REQUIRE(stale.problems.size() == 1);
  CHECK(stale.problems[0].find("max-age") != std::string::npos);
  settings.stale = CheckStatus::Critical;
  CHECK(app::decide(state_with(0), settings, kFinished + 7200).status == CheckStatus::Critical);
  // A finding stays CRITICAL when the scan is also stale with the WARNING setting.
  settings.stale = CheckStatus::Warning;
  CHECK(app::decide(state_with(1), settings, kFinished + 7200).status == CheckStatus::Critical);
  // A clock behind the scan's end: age 0, not negative.
  CHECK(app::decide(state_with(0), settings, kFinished - 50).age == 0);
  auto partial = state_with(0);
  partial.complete = false;
  const auto incomplete = app::decide(partial, defaults(), kFinished);
  CHECK(incomplete.status == CheckStatus::Warning);
  CHECK(incomplete.problems == std::vector<std::string>{"last scan incomplete"});
}

TEST_CASE("check output: status line, perfdata, long output under the limit", "[app][check]") {
  auto settings = defaults();
  settings.warning = range("~:3");
  settings.max_age = 86400;
  const auto s = state_with(2);
  const std::string out = app::plugin_output(s, settings, app::decide(s, settings, kFinished + 90));
  const std::string first = out.substr(0, out.find('\n'));
  CHECK(first.starts_with("TRUSTSCAN CRITICAL - 2 findings (2 high), 12 kernel binaries (2 unsigned), scan 90s ago|"));
  CHECK(
      first.ends_with("|findings=2;~:3;0;0 kernel_binaries=12;;;0 unsigned_kernel=2;;;0 scan_age=90s;86400;;0 "
                      "read_errors=0;;;0"));
  CHECK(out.find("\nhigh /lib/modules/x0.ko - Vendor (RU): country:RU flagged\n") != std::string::npos);
  CHECK(out.find("more finding") == std::string::npos);

  // A long reason is cut at a space (the state keeps it whole).
  auto wordy = state_with(1);
  wordy.finding_list[0].reason = std::string(100, 'a') + " " + std::string(100, 'b');
  const std::string cut = app::plugin_output(wordy, settings, app::decide(wordy, settings, kFinished));
  CHECK(cut.ends_with(" - Vendor (RU): " + std::string(100, 'a') + " ...\n"));

  auto many = state_with(400);
  many.finding_list[0].path = "/a|b\x1b[31m";  // '|' would start perfdata; ESC would recolour
  const std::string long_out = app::plugin_output(many, settings, app::decide(many, settings, kFinished));
  CHECK(long_out.size() <= app::kCheckOutputLimit);
  CHECK(long_out.find("/a\\x7cb\\x1b[31m") != std::string::npos);
  CHECK(std::count(long_out.begin(), long_out.end(), '|') == 1);
  CHECK(long_out.ends_with(" more findings (trustscan's reports list all)\n"));
}

TEST_CASE("check output: UNKNOWN line and Zabbix items", "[app][check]") {
  CHECK(app::unknown_output("no state | here") == "TRUSTSCAN UNKNOWN - no state \\x7c here\n");
  const auto s = state_with(1);
  const auto r = app::decide(s, defaults(), kFinished + 42);
  CHECK(app::zabbix_value("findings", s, r).value() == "1");
  CHECK(app::zabbix_value("kernel_binaries", s, r).value() == "12");
  CHECK(app::zabbix_value("unsigned_kernel", s, r).value() == "2");
  CHECK(app::zabbix_value("scan_age", s, r).value() == "42");
  CHECK(app::zabbix_value("status", s, r).value() == "2");
  CHECK(
      app::zabbix_value("discovery", s, r).value() ==
      R"([{"{#PATH}":"/lib/modules/x0.ko","{#VENDOR}":"Vendor","{#COUNTRY}":"RU","{#SEVERITY}":"high","{#SHA256}":"ab"}])");
  CHECK_FALSE(app::zabbix_value("nope", s, r).has_value());
}
