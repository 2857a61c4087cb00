// The known-bad category of a policy (issue 17): defaults, turning it off, severities per
// category, the boot-start raise, suppressions by entry and by SHA-256 (and that vendor and
// known-bad suppressions never cross), and the loader's errors.
#include "policy/known_bad_policy.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "policy/evaluator.hpp"
#include "policy/policy.hpp"
#include "unit/policy/fixtures.hpp"

using namespace trustscan;
using namespace trustscan::policy;
using datasets::KnownBadCategory;

namespace {

Policy make(std::string_view text) {
  auto p = Policy::parse(text, "t.yaml", test::policy_vendors());
  if (!p) FAIL(p.error().message);
  return std::move(*p);
}

match::KnownBadMatch entry(std::string source, std::string id, KnownBadCategory c) {
  match::KnownBadMatch m;
  m.source = std::move(source);
  m.id = std::move(id);
  m.category = c;
  return m;
}

const std::string kSha(64, 'a');

std::optional<Severity> judge(const Policy& p, std::vector<match::KnownBadMatch>& m, std::optional<Privilege> priv,
                              bool boot_start = false, std::string_view path = "/x/drv.sys") {
  return evaluate_known_bad(p, m, KnownBadFile{priv, boot_start, kSha, path});
}

}  // namespace

TEST_CASE("known-bad defaults: kernel or boot is a finding, malicious critical, else high", "[policy][known_bad]") {
  const Policy p = make("name: t\n");
  CHECK(p.known_bad() == KnownBadSettings{});
  std::vector<match::KnownBadMatch> vulnerable{
      entry("loldrivers", "a", KnownBadCategory::Vulnerable),
      entry("driver-block-rules", "r", KnownBadCategory::VulnerableOrMalicious)};
  std::vector<match::KnownBadMatch> malicious{entry("loldrivers", "a", KnownBadCategory::Vulnerable),
                                              entry("loldrivers", "m", KnownBadCategory::Malicious)};
  CHECK(judge(p, vulnerable, Privilege::Kernel) == Severity::High);
  CHECK(judge(p, vulnerable, Privilege::Boot) == Severity::High);
  CHECK(judge(p, malicious, Privilege::Kernel) == Severity::Critical);
  // A user-mode copy, or a file whose privilege is unknown, is reported but no finding.
  CHECK_FALSE(judge(p, malicious, Privilege::User));
  CHECK_FALSE(judge(p, malicious, std::nullopt));
  std::vector<match::KnownBadMatch> none;
  CHECK_FALSE(judge(p, none, Privilege::Kernel));
  CHECK(describe(p.known_bad()) ==
        "on: malicious critical, vulnerable high, vulnerable_or_malicious high, boot-start +1");
}

TEST_CASE("known-bad: a boot-start driver is raised one step, and counts as kernel code", "[policy][known_bad]") {
  std::vector<match::KnownBadMatch> vulnerable{entry("loldrivers", "a", KnownBadCategory::Vulnerable)};
  std::vector<match::KnownBadMatch> malicious{entry("loldrivers", "m", KnownBadCategory::Malicious)};
  const Policy p = make("name: t\n");
  CHECK(judge(p, vulnerable, Privilege::Kernel, true) == Severity::Critical);
  CHECK(judge(p, malicious, Privilege::Kernel, true) == Severity::Critical);  // capped
  CHECK(judge(p, vulnerable, Privilege::User, true) == Severity::Critical);   // a registered driver
  CHECK(judge(p, vulnerable, std::nullopt, true) == Severity::Critical);
  const Policy lower = make("name: t\nknown_bad:\n  severities: {vulnerable: medium}\n");
  CHECK(judge(lower, vulnerable, Privilege::Kernel) == Severity::Medium);
  CHECK(judge(lower, vulnerable, Privilege::Kernel, true) == Severity::High);
  const Policy flat = make("name: t\nknown_bad:\n  raise_boot_start: false\n");
  CHECK(judge(flat, vulnerable, Privilege::Kernel, true) == Severity::High);
  CHECK(describe(flat.known_bad()).ends_with("boot-start +0"));
}

TEST_CASE("known-bad: a policy turns the category off or changes its severities", "[policy][known_bad]") {
  std::vector<match::KnownBadMatch> m{entry("loldrivers", "m", KnownBadCategory::Malicious),
                                      entry("driver-block-rules", "r", KnownBadCategory::VulnerableOrMalicious)};
  const Policy off = make("name: t\nknown_bad:\n  enabled: false\n");
  CHECK_FALSE(off.known_bad().enabled);
  CHECK_FALSE(judge(off, m, Privilege::Kernel, true));
  CHECK(m.size() == 2);  // the matches stay on the record
  CHECK(describe(off.known_bad()) == "off");
  const Policy custom = make(
      "name: t\nknown_bad:\n  severities:\n    malicious: high\n    vulnerable: low\n"
      "    vulnerable_or_malicious: medium\n");
  CHECK(custom.known_bad().origin == "t.yaml:3");
  CHECK(judge(custom, m, Privilege::Kernel) == Severity::High);
  std::vector<match::KnownBadMatch> rule{entry("driver-block-rules", "r", KnownBadCategory::VulnerableOrMalicious)};
  CHECK(judge(custom, rule, Privilege::Kernel) == Severity::Medium);
}

TEST_CASE("known-bad suppressions: by entry and by SHA-256, reported, counted, expiring", "[policy][known_bad]") {
  const Policy p = make(R"(name: t
suppressions:
  - id: lab-lol
    reason: the lab's test driver
    expires: 2099-01-01
    match: {known_bad: "loldrivers:m"}
  - id: lab-file
    reason: an approved copy
    expires: 2099-01-01
    match: {known_bad: any, sha256: AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA}
  - id: old
    reason: expired
    expires: 2000-01-01
    match: {known_bad: "driver-block-rules:r"}
  - id: vendor-only
    reason: a vendor suppression never hides a known-bad match
    expires: 2099-01-01
    match: {sha256: bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb}
)");
  // By entry: the one entry is set aside, the other still makes the finding.
  std::vector<match::KnownBadMatch> m{entry("loldrivers", "m", KnownBadCategory::Malicious),
                                      entry("driver-block-rules", "r", KnownBadCategory::VulnerableOrMalicious)};
  const auto other = evaluate_known_bad(p, m, KnownBadFile{Privilege::Kernel, false, std::string(64, 'c'), "/d.sys"});
  CHECK(other == Severity::High);
  CHECK(m[0].suppressed_by == "lab-lol");
  CHECK(m[0].suppression_reason == "the lab's test driver");
  CHECK(m[1].suppressed_by.empty());  // only an expired suppression names it
  // By SHA-256 (any case): every entry of that file; no finding left.
  CHECK_FALSE(judge(p, m, Privilege::Kernel, true));
  CHECK(m[0].suppressed_by == "lab-lol");  // the first in policy order
  CHECK(m[1].suppressed_by == "lab-file");
  const auto report = p.suppression_report(
      std::chrono::year_month_day{std::chrono::year{2026}, std::chrono::month{1}, std::chrono::day{1}});
  REQUIRE(report.size() == 4);
  CHECK(report[0].uses == 2);
  CHECK(report[1].uses == 1);
  CHECK(report[2].state == SuppressionStatus::State::Expired);
  CHECK(report[2].matches_after_expiry == 2);
  CHECK(report[3].uses == 0);
  // A known-bad suppression never suppresses a vendor verdict.
  Subject s;
  s.vendor_id = "kaspersky";
  s.sha256 = kSha;
  s.privilege = Privilege::Kernel;
  s.confidence = Confidence::High;
  const Policy both = make(R"(name: t
countries:
  - code: RU
    reason: r
    source: s
suppressions:
  - id: kb
    reason: r
    expires: 2099-01-01
    match: {known_bad: any, sha256: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa}
)");
  s.vendor_country = "RU";
  CHECK(decide(both, s).status == Verdict::Status::Finding);
}

TEST_CASE("known-bad policy: the loader's errors", "[policy][known_bad]") {
  struct Case {
    const char* text;
    const char* expected;
  };
  const Case cases[] = {
      {"name: t\nknown_bad:\n  enable: false\n",
       "t.yaml:3: policy: known_bad: unknown key 'enable' (did you mean 'enabled'?)"},
      {"name: t\nknown_bad:\n  severities: {malicious: severe}\n",
       "known_bad: severities: malicious: expected low, medium, high or critical, found 'severe'"},
      {"name: t\nsuppressions:\n  - id: x\n    reason: r\n    expires: 2099-01-01\n    match: {known_bad: lol:1}\n",
       "is neither 'any' nor DATASET:ID (DATASET: loldrivers or driver-block-rules)"},
      {"name: t\nsuppressions:\n  - id: x\n    reason: r\n    expires: 2099-01-01\n    match: {known_bad: any}\n",
       "'any' needs sha256 or path"},
      {"name: t\nsuppressions:\n  - id: x\n    reason: r\n    expires: 2099-01-01\n"
       "    match: {known_bad: 'loldrivers:1', vendor: kaspersky}\n",
       "cannot be combined with vendor"},
  };
  for (const Case& c : cases) {
    INFO(c.text);
    auto p = Policy::parse(c.text, "t.yaml", test::policy_vendors());
    REQUIRE_FALSE(p);
    CHECK_THAT(p.error().message, Catch::Matchers::Contains(c.expected));
  }
}
