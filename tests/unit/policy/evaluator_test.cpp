// Policy evaluator: the severity table, scope and confidence, countries vs ownership chains,
// category filters, suppressions (vendor / sha256 / path, expired, unused) and thread-safe
// use counts; the subjects of a record (attributed vendor or publisher, claims) and their basis.
#include "policy/evaluator.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <thread>
#include <vector>

#include "unit/policy/fixtures.hpp"

using namespace trustscan;
using namespace trustscan::policy;
using std::chrono::day;
using std::chrono::month;
using std::chrono::year;
using std::chrono::year_month_day;

namespace {

Policy make(std::string_view text) {
  auto p = Policy::parse(text, "t.yaml", test::policy_vendors());
  if (!p) FAIL(p.error().message);
  return std::move(*p);
}

constexpr std::string_view kRussia = R"(name: ru
countries:
  - code: RU
    reason: Russian law can compel assistance
    source: https://example.org/ru
)";

}  // namespace

TEST_CASE("severity table: privilege x confidence x flagged", "[policy][evaluator]") {
  struct Row {
    std::optional<Privilege> privilege;
    Confidence confidence;
    Severity severity;
    bool in_default_scope;
  };
  using enum Severity;
  const Row row = GENERATE(
      Row{Privilege::Kernel, Confidence::High, Critical, true},
      Row{Privilege::Kernel, Confidence::Medium, High, true},
      Row{Privilege::Kernel, Confidence::Low, Medium, true},
      Row{Privilege::Boot, Confidence::High, High, true},
      Row{Privilege::Boot, Confidence::Medium, Medium, true},
      Row{Privilege::Boot, Confidence::Low, Low, true},
      Row{Privilege::User, Confidence::High, Medium, false},
      Row{Privilege::User, Confidence::Medium, Low, false},
      Row{Privilege::User, Confidence::Low, Low, false},
      Row{std::nullopt, Confidence::High, Low, false},
      Row{std::nullopt, Confidence::Medium, Low, false},
      Row{std::nullopt, Confidence::Low, Low, false});
  const std::string_view vendor = GENERATE(std::string_view{"kaspersky"},  // flagged (RU)
                                           std::string_view{"microsoft"},  // not flagged
                                           std::string_view{""});          // unattributed
  const bool widened = GENERATE(false, true);
  INFO((row.privilege ? to_string(*row.privilege) : "unknown")
       << " " << to_string(row.confidence) << " vendor '" << vendor << "' widened " << widened);

  CHECK(severity_for(row.privilege, row.confidence, false) == row.severity);

  Policy p = make(kRussia);
  if (widened) p.set_scope(Scope::all());
  const Verdict v = decide(p, test::subject(vendor, row.privilege, row.confidence));
  if (vendor.empty()) {
    CHECK(v.status == Verdict::Status::Unattributed);
    CHECK(v.rules.empty());
  } else if (vendor == "microsoft") {
    CHECK(v.status == Verdict::Status::NoMatch);
    CHECK(v.rules.empty());
  } else {
    REQUIRE(v.rules.size() == 1);
    CHECK(v.rules[0].rule_id == "country:RU");
    CHECK(v.rules[0].reason == "Russian law can compel assistance");
    CHECK(v.rules[0].source == "https://example.org/ru");
    CHECK(v.rules[0].via == MatchVia::Country);
    CHECK(v.severity == row.severity);
    const bool in_scope = widened || row.in_default_scope;
    CHECK(v.status == (in_scope ? Verdict::Status::Finding : Verdict::Status::OutOfScope));
    CHECK(v.flagged() == in_scope);
    CHECK(v.finding() == in_scope);
  }
  CHECK_FALSE(v.suppressed());
}

TEST_CASE("boot-start drivers are the most severe and always kernel code",
          "[policy][evaluator]") {
  CHECK(severity_for(Privilege::Kernel, Confidence::High, true) == Severity::Critical);
  CHECK(severity_for(Privilege::Kernel, Confidence::Medium, true) == Severity::Critical);
  CHECK(severity_for(Privilege::Kernel, Confidence::Low, true) == Severity::High);
  CHECK(severity_for(Privilege::Boot, Confidence::Medium, true) == Severity::Critical);
  CHECK(severity_for(std::nullopt, Confidence::Low, true) == Severity::High);

  const Policy p = make(kRussia);
  Subject s = test::subject("kaspersky", std::nullopt, Confidence::Medium);
  CHECK(decide(p, s).status == Verdict::Status::OutOfScope);
  s.boot_start = true;  // unknown privilege, but registered to start at boot
  const Verdict v = decide(p, s);
  CHECK(v.finding());
  CHECK(v.severity == Severity::Critical);
}

TEST_CASE("min_confidence keeps weak attributions out", "[policy][evaluator]") {
  Policy p = make("name: t\nmin_confidence: medium\ncountries:\n  - {code: RU, reason: r, source: s}\n");
  CHECK(decide(p, test::subject("kaspersky", Privilege::Kernel, Confidence::Low)).status ==
        Verdict::Status::BelowConfidence);
  CHECK(decide(p, test::subject("kaspersky", Privilege::Kernel, Confidence::Medium)).finding());
  p.set_min_confidence(Confidence::Low);
  CHECK(decide(p, test::subject("kaspersky", Privilege::Kernel, Confidence::Low)).finding());
}

TEST_CASE("jurisdiction: a vendor owned from a flagged country is flagged too",
          "[policy][evaluator]") {
  // riot-games: US, parent tencent (CN). avg: no own country, parent avast (CZ), its parent
  // gen-digital (US).
  const Policy p = make(R"(name: t
countries:
  - {code: CN, reason: r, source: s}
  - {code: US, reason: r, source: s, match_parents: false}
)");
  const Verdict riot = decide(p, test::subject("riot-games", Privilege::Kernel, Confidence::High));
  REQUIRE(riot.rules.size() == 2);
  CHECK(riot.rules[0].rule_id == "country:CN");
  CHECK(riot.rules[0].via == MatchVia::OwnerCountry);
  CHECK(riot.rules[1].rule_id == "country:US");
  CHECK(riot.rules[1].via == MatchVia::Country);
  CHECK(riot.finding());

  // US has match_parents: false, so avast (CZ, owned from the US) is not flagged by it.
  CHECK(decide(p, test::subject("avast", Privilege::Kernel, Confidence::High)).status ==
        Verdict::Status::NoMatch);
  // avg inherits avast's country (CZ); still nothing.
  const Subject avg = test::subject("avg", Privilege::Kernel, Confidence::High);
  CHECK(avg.vendor_country == "CZ");
  CHECK(avg.jurisdictions == std::vector<std::string>{"CZ", "US"});
  CHECK(avg.vendor_parents == std::vector<std::string>{"avast", "gen-digital"});
  CHECK(decide(p, avg).status == Verdict::Status::NoMatch);

  // File-wide match_parents: false switches the chain off for every rule.
  const Policy strict = make("name: t\nmatch_parents: false\ncountries:\n  - {code: CN, reason: r, source: s}\n");
  CHECK(decide(strict, test::subject("riot-games", Privilege::Kernel, Confidence::High)).status ==
        Verdict::Status::NoMatch);
  CHECK(decide(strict, test::subject("tencent", Privilege::Kernel, Confidence::High)).finding());
}

TEST_CASE("vendor rules reach subsidiaries through the ownership chain", "[policy][evaluator]") {
  const Policy p = make("name: t\nvendors:\n  - {id: gen-digital, reason: r, source: s}\n");
  const Verdict v = decide(p, test::subject("avg", Privilege::Kernel, Confidence::High));
  REQUIRE(v.rules.size() == 1);
  CHECK(v.rules[0].rule_id == "vendor:gen-digital");
  CHECK(v.rules[0].via == MatchVia::OwnerVendor);
  const Verdict own = decide(p, test::subject("gen-digital", Privilege::Kernel, Confidence::High));
  REQUIRE(own.rules.size() == 1);
  CHECK(own.rules[0].via == MatchVia::Vendor);
  CHECK(decide(p, test::subject("microsoft", Privilege::Kernel, Confidence::High)).status ==
        Verdict::Status::NoMatch);
}

TEST_CASE("category filter: the Dutch 2018 measure concerns anti-virus only",
          "[policy][evaluator]") {
  const Policy p = make(R"(name: t
countries:
  - code: RU
    reason: r
    source: s
    categories: [antivirus]
)");
  CHECK(decide(p, test::subject("kaspersky", Privilege::Kernel, Confidence::High)).finding());
  CHECK(decide(p, test::subject("doctor-web", Privilege::Kernel, Confidence::High)).finding());
  CHECK(decide(p, test::subject("bi-zone", Privilege::Kernel, Confidence::High)).status ==
        Verdict::Status::NoMatch);  // edr
  const Policy both = make(R"(name: t
countries:
  - {code: RU, reason: r, source: s, categories: [antivirus, edr]}
)");
  CHECK(decide(both, test::subject("bi-zone", Privilege::Kernel, Confidence::High)).finding());
}

TEST_CASE("suppressions by vendor, sha256 and path; expired ones are ignored and reported",
          "[policy][evaluator][suppression]") {
  Policy p = make(R"(name: t
countries:
  - {code: RU, reason: r, source: s}
  - {code: BY, reason: r, source: s}
suppressions:
  - id: by-vendor
    reason: approved exception for the malware lab
    expires: 2030-06-30
    match: {vendor: doctor-web}
  - id: by-hash
    reason: one pinned build
    expires: 2030-06-30
    match: {sha256: FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF}
  - id: by-path
    reason: lab image
    expires: 2030-06-30
    match: {path: "/lab/**"}
  - id: expired
    reason: migration finished
    expires: 2024-12-31
    match: {vendor: kaspersky}
  - id: unused
    reason: nothing matches this
    expires: 2030-06-30
    match: {vendor: kaspersky, path: "/nowhere/*"}
  - id: by-path-too
    reason: shadowed by by-path
    expires: 2030-06-30
    match: {path: "/lab/*/klif.sys"}
)");
  p.set_today(year_month_day{year{2025}, month{6}, day{1}});

  Subject dw = test::subject("doctor-web", Privilege::Kernel, Confidence::High);
  Verdict v = evaluate(p, dw);
  CHECK(v.status == Verdict::Status::Suppressed);
  CHECK(v.suppression_id == "by-vendor");
  CHECK(v.flagged());
  CHECK_FALSE(v.finding());
  CHECK(v.rules.size() == 1);  // rules stay visible on a suppressed verdict

  Subject hashed = test::subject("virusblokada", Privilege::Kernel, Confidence::High);
  hashed.sha256 = std::string(64, 'f');
  v = evaluate(p, hashed);
  CHECK(v.suppression_id == "by-hash");

  Subject lab = test::subject("kaspersky", Privilege::Kernel, Confidence::High);
  lab.path = "/lab/win10/klif.sys";
  v = evaluate(p, lab);
  CHECK(v.status == Verdict::Status::Suppressed);
  CHECK(v.suppression_id == "by-path");  // first valid match in policy order
  CHECK(v.expired_suppressions == std::vector<std::string>{"expired"});

  Subject prod = test::subject("kaspersky", Privilege::Kernel, Confidence::High);
  v = evaluate(p, prod);
  CHECK(v.status == Verdict::Status::Finding);  // "expired" matches but never suppresses
  CHECK(v.expired_suppressions == std::vector<std::string>{"expired"});

  // Out-of-scope files are not findings, so nothing is suppressed or counted.
  Subject user = test::subject("doctor-web", Privilege::User, Confidence::High);
  CHECK(evaluate(p, user).status == Verdict::Status::OutOfScope);

  const auto report = p.suppression_report(p.today());
  REQUIRE(report.size() == 6);
  using State = SuppressionStatus::State;
  CHECK(report[0].id == "by-vendor");
  CHECK(report[0].state == State::Used);
  CHECK(report[0].uses == 1);
  CHECK(report[1].state == State::Used);
  CHECK(report[2].state == State::Used);
  CHECK(report[3].id == "expired");
  CHECK(report[3].state == State::Expired);
  CHECK(report[3].uses == 0);
  CHECK(report[3].matches_after_expiry == 2);
  CHECK(report[4].id == "unused");
  CHECK(report[4].state == State::Unused);
  CHECK(report[4].origin == "t.yaml:22");
  CHECK(report[5].state == State::Unused);  // shadowed: only the first match counts

  // decide() counts nothing.
  (void)decide(p, dw);
  CHECK(p.uses(0) == 1);
  // The report is dated: the same suppressions a year later are all expired.
  for (const auto& s : p.suppression_report(year_month_day{year{2030}, month{7}, day{1}}))
    CHECK(s.state == State::Expired);
}

TEST_CASE("suppression use counts are exact under concurrent evaluation",
          "[policy][evaluator][suppression][threads]") {
  Policy p = make(R"(name: t
countries:
  - {code: RU, reason: r, source: s}
suppressions:
  - {id: lab, reason: r, expires: 2099-01-01, match: {path: "/lab/**"}}
  - {id: old, reason: r, expires: 2000-01-01, match: {vendor: kaspersky}}
)");
  constexpr int kThreads = 8;
  constexpr int kPerThread = 5000;
  std::vector<std::thread> workers;
  std::vector<int> findings(kThreads, 0);
  for (int t = 0; t < kThreads; ++t) {
    workers.emplace_back([&p, &findings, t] {
      Subject s = test::subject("kaspersky", Privilege::Kernel, Confidence::High);
      for (int i = 0; i < kPerThread; ++i) {
        s.path = (i % 2 == 0) ? "/lab/a/klif.sys" : "/prod/klif.sys";
        if (evaluate(p, s).finding()) ++findings[t];
      }
    });
  }
  for (auto& w : workers) w.join();
  const std::uint64_t total = std::uint64_t{kThreads} * kPerThread;
  CHECK(p.uses(0) == total / 2);
  CHECK(p.matches_after_expiry(1) == total);
  int all = 0;
  for (int f : findings) all += f;
  CHECK(static_cast<std::uint64_t>(all) == total / 2);
}

TEST_CASE("verdict and via names", "[policy][evaluator]") {
  CHECK(to_string(Verdict::Status::Finding) == "finding");
  CHECK(to_string(Verdict::Status::OutOfScope) == "out_of_scope");
  CHECK(to_string(MatchVia::OwnerCountry) == "owner_country");
  CHECK(to_string(Severity::Critical) == "critical");
}

namespace {

/// A kernel driver whose attribution is `a`.
record::FileRecord kernel_record(attribute::Attribution a) {
  record::FileRecord r;
  r.file.path = "/mnt/image/Windows/System32/drivers/x.sys";
  r.sha256 = std::string(64, 'a');
  r.binary = parse::BinaryModel{};
  r.classification.privilege = Privilege::Kernel;
  r.attribution = std::move(a);
  return r;
}

attribute::Attribution attributed(std::string vendor, attribute::Tier tier, Confidence confidence) {
  attribute::Attribution a;
  const attribute::Vendor* v = test::policy_vendors().find(vendor);
  a.vendor = v->id;
  a.name = v->name;
  a.country = v->country;
  a.tier = tier;
  a.confidence = confidence;
  return a;
}

attribute::Claim claim(std::string vendor, attribute::Tier tier, Confidence confidence, bool contradicted) {
  return {std::move(vendor), tier, confidence, contradicted, "signer 'CN=AO Kaspersky Lab' (claim)"};
}

}  // namespace

TEST_CASE("a claim to be a flagged vendor is a finding at its own confidence: claims to be X; not verified",
          "[policy][evaluator][claims]") {
  const Policy p = make(kRussia);
  struct Row {
    attribute::Tier tier;
    Confidence confidence;
    Severity severity;
  };
  const Row row = GENERATE(Row{attribute::Tier::Claim, Confidence::Medium, Severity::High},     // self-signed
                           Row{attribute::Tier::Metadata, Confidence::Low, Severity::Medium},   // CompanyName only
                           Row{attribute::Tier::Content, Confidence::Medium, Severity::High});  // a content rule
  const Verdict v = evaluate_record(p, kernel_record(attributed("kaspersky", row.tier, row.confidence)),
                                    test::policy_vendors());
  CHECK(v.finding());
  CHECK(v.severity == row.severity);  // never critical: a claim is at most medium confidence
  CHECK(v.subject.vendor_id == "kaspersky");
  CHECK(v.subject.basis == Basis::Claim);
  CHECK(v.subject.note == "claims to be Kaspersky; not verified");
}

TEST_CASE("a claim that verified evidence for another vendor contradicts is a low finding, not critical",
          "[policy][evaluator][claims]") {
  const Policy p = make(kRussia);
  attribute::Attribution a = attributed("microsoft", attribute::Tier::Verified, Confidence::High);
  a.claims = {claim("kaspersky", attribute::Tier::Claim, Confidence::Medium, true)};
  const Verdict v = evaluate_record(p, kernel_record(a), test::policy_vendors());
  CHECK(v.finding());
  CHECK(v.severity == Severity::Low);
  CHECK(v.subject.vendor_id == "kaspersky");
  CHECK(v.subject.basis == Basis::Contradicted);
  CHECK_THAT(v.subject.note, Catch::StartsWith("claims to be Kaspersky; contradicted by verified evidence for "
                                               "Microsoft Corporation"));
  // --fail-on medium lets it pass; the default (low) fails on it.
  CHECK_FALSE(fails(FailOn{Severity::Medium}, v));
  CHECK(fails(FailOn{}, v));
  // Not contradicted (nothing verified decided): the claim keeps its own confidence.
  a.tier = attribute::Tier::Metadata;
  a.claims[0].contradicted = false;
  const Verdict claim_only = evaluate_record(p, kernel_record(a), test::policy_vendors());
  CHECK(claim_only.severity == Severity::High);
  CHECK(claim_only.subject.basis == Basis::Claim);
}

TEST_CASE("the verified attributed vendor stands before its claims; the most severe flagged subject is the verdict",
          "[policy][evaluator][claims]") {
  const Policy p = make(kRussia);
  attribute::Attribution a = attributed("kaspersky", attribute::Tier::Verified, Confidence::High);
  a.claims = {claim("doctor-web", attribute::Tier::Claim, Confidence::Medium, true)};
  Verdict v = evaluate_record(p, kernel_record(a), test::policy_vendors());
  CHECK(v.severity == Severity::Critical);
  CHECK(v.subject.vendor_id == "kaspersky");
  CHECK(v.subject.basis == Basis::Verified);
  CHECK(v.subject.note.empty());
  // A verified co-signer is no claim: it is flagged like the attributed vendor.
  a = attributed("microsoft", attribute::Tier::Verified, Confidence::High);
  a.claims = {claim("kaspersky", attribute::Tier::Verified, Confidence::High, false)};
  v = evaluate_record(p, kernel_record(a), test::policy_vendors());
  CHECK(v.severity == Severity::Critical);
  CHECK(v.subject.basis == Basis::Verified);
  CHECK_THAT(v.subject.note, Catch::StartsWith("also signed, verified, by Kaspersky"));
}

TEST_CASE("an unlisted publisher is flagged by the country of its certificate, never by a vendor rule",
          "[policy][evaluator][publisher]") {
  attribute::Attribution a;
  a.name = "Shenzhen Example Kernel Technology Co., Ltd.";
  a.country = "CN";
  a.jurisdictions = {"CN"};
  a.tier = attribute::Tier::Verified;
  a.publisher = attribute::Publisher{};
  a.publisher->name = a.name;
  a.publisher->country = "CN";
  const bool ev = GENERATE(true, false);
  a.confidence = ev ? Confidence::High : Confidence::Medium;  // EV jurisdiction, else C=
  const std::vector<std::string> cn{"CN"}, none;
  auto flags = Policy::from_flags(cn, none, test::policy_vendors());
  REQUIRE(flags);
  const Verdict v = evaluate_record(*flags, kernel_record(a), test::policy_vendors());
  CHECK(v.finding());
  CHECK(v.severity == (ev ? Severity::Critical : Severity::High));
  CHECK(v.subject.publisher());
  CHECK(v.subject.name == a.name);
  CHECK(v.subject.country == "CN");
  CHECK(v.rules.at(0).via == MatchVia::Country);
  CHECK(evaluate_record(make(kRussia), kernel_record(a), test::policy_vendors()).status == Verdict::Status::NoMatch);
  const std::vector<std::string> tencent{"tencent"};
  auto by_vendor = Policy::from_flags(none, tencent, test::policy_vendors());
  REQUIRE(by_vendor);
  CHECK(evaluate_record(*by_vendor, kernel_record(a), test::policy_vendors()).status == Verdict::Status::NoMatch);
  CHECK(evaluate_record(make(R"(name: av
countries:
  - {code: CN, reason: r, source: s, categories: [antivirus]}
)"), kernel_record(a), test::policy_vendors()).status == Verdict::Status::NoMatch);  // a publisher has no category
}

TEST_CASE("a record with signing services only has no subject; a suppression is counted once per record",
          "[policy][evaluator][claims]") {
  attribute::Attribution services_only;
  services_only.signing_services = {{"microsoft", "Microsoft Windows Hardware Compatibility Publisher", "CN=x",
                                     "signature", attribute::Tier::Verified}};
  CHECK(subjects_of(kernel_record(services_only), test::policy_vendors()).empty());
  CHECK(evaluate_record(make(kRussia), kernel_record(services_only), test::policy_vendors()).status ==
        Verdict::Status::Unattributed);

  Policy p = make(R"(name: t
countries:
  - {code: RU, reason: r, source: s}
suppressions:
  - {id: lab, reason: r, expires: 2099-01-01, match: {path: "/mnt/image/**"}}
)");
  attribute::Attribution a = attributed("kaspersky", attribute::Tier::Verified, Confidence::High);
  a.claims = {claim("doctor-web", attribute::Tier::Claim, Confidence::Medium, true),
              claim("bi-zone", attribute::Tier::Metadata, Confidence::Low, true)};
  const Verdict v = evaluate_record(p, kernel_record(a), test::policy_vendors());
  CHECK(v.suppressed());
  CHECK(v.subject.vendor_id == "kaspersky");
  CHECK(p.uses(0) == 1);
}

TEST_CASE("basis names", "[policy][evaluator][claims]") {
  CHECK(to_string(Basis::Verified) == "verified");
  CHECK(to_string(Basis::Claim) == "claim");
  CHECK(to_string(Basis::Contradicted) == "contradicted");
}
