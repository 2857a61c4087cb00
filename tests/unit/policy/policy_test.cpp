// Vendor policy: loader errors (file:line), flags, combine, FailOn, suppression report, and every
// shipped policy against the shipped vendor list.
#include "policy/policy.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "policy/evaluator.hpp"
#include "support/temp_tree.hpp"
#include "unit/policy/fixtures.hpp"

using namespace trustscan;
using namespace trustscan::policy;
using std::chrono::day;
using std::chrono::month;
using std::chrono::year;
using std::chrono::year_month_day;

namespace {

/// A policy with `extra` lines inserted after the first country entry (line 7 onwards).
std::string policy_with(std::string_view extra, std::string_view code = "    code: RU\n") {
  return std::string{"name: test\n"            // 1
                     "countries:\n"            // 2
                     "  - "} +                 // 3 (the entry starts here)
         std::string{code.substr(4)} +         // 3: code
         "    reason: Russian law\n"           // 4
         "    source: https://example.org\n"  // 5
         + std::string{extra};                 // 6...
}

/// Every key of a policy file once.
constexpr std::string_view kFullPolicy = R"(name: full
description: every key once
privileges: [kernel, boot, unknown]
min_confidence: medium
match_parents: false
countries:
  - code: RU
    reason: Russian law can compel assistance
    source: https://example.org/ru
    date: 2017-09-13
  - code: CN
    reason: r
    source: s
    categories: [antivirus, edr]
    match_parents: true
vendors:
  - id: kaspersky
    reason: named in the measure
    source: https://example.org/k
suppressions:
  - id: lab-vm
    reason: malware lab machine, approved by CISO
    expires: 2030-12-31
    match:
      vendor: kaspersky
      path: "/lab/**"
      sha256: ABCDEF0123456789abcdef0123456789ABCDEF0123456789abcdef0123456789
)";

}  // namespace

TEST_CASE("policy loader rejects bad input with file:line", "[policy][load]") {
  struct Case {
    std::string name;
    std::string content;
    std::string expected;  // after "p.yaml"
  };
  const auto cases = std::vector<Case>{
      {"unknown key", policy_with("    reasons: x\n"),
       ":6: country 'RU': unknown key 'reasons' (did you mean 'reason'?)"},
      {"top-level typo", "name: t\ncountry:\n  - code: RU\n",
       ":2: policy: unknown key 'country' (allowed: name description privileges min_confidence "
       "match_parents countries vendors suppressions known_bad)"},
      {"bad country", policy_with("", "    code: UK\n"),
       ":3: country 'UK': code: 'UK' is not an ISO 3166-1 alpha-2 country code (did you mean "
       "'GB'?)"},
      {"lower-case country", policy_with("", "    code: ru\n"),
       ":3: country 'ru': code: 'ru' is not an ISO 3166-1 alpha-2 country code (codes are "
       "upper-case: 'RU')"},
      {"Norway problem", policy_with("", "    code: NO\n"),
       ":3: country 'NO': code: unquoted 'NO' reads as a boolean in YAML"},
      {"duplicate country", policy_with("  - code: RU\n    reason: r\n    source: s\n"),
       ":6: country 'RU' is listed twice (first at line 3)"},
      {"unknown vendor id", "name: t\nvendors:\n  - id: kasperski\n    reason: r\n    source: s\n",
       ":3: vendor 'kasperski': id: vendor 'kasperski' is not in the vendor list (did you mean "
       "'kaspersky'?)"},
      {"near miss", "name: t\nvendors:\n  - id: Riot Games\n    reason: r\n    source: s\n",
       ":3: vendor 'Riot Games': id: vendor 'Riot Games' is not in the vendor list (did you mean "
       "'riot-games'?)"},
      {"display name for id", "name: t\nvendors:\n  - id: Microsoft Corporation\n    reason: r\n    source: s\n",
       ":3: vendor 'Microsoft Corporation': id: vendor 'Microsoft Corporation' is not in the "
       "vendor list (the id of 'Microsoft Corporation' is 'microsoft')"},
      {"missing reason", "name: t\nvendors:\n  - id: kaspersky\n    source: s\n",
       ":3: vendor 'kaspersky': missing required key 'reason'"},
      {"empty reason", "name: t\nvendors:\n  - id: kaspersky\n    reason: ' '\n    source: s\n",
       ":4: vendor 'kaspersky': reason: must not be empty"},
      {"missing source", "name: t\ncountries:\n  - code: BY\n    reason: r\n",
       ":3: country 'BY': missing required key 'source'"},
      {"bad rule date", policy_with("    date: 2018-02-30\n"),
       ":6: country 'RU': date: expected a date YYYY-MM-DD, found '2018-02-30'"},
      {"unknown category", policy_with("    categories: [antivirus, anti-virus]\n"),
       ":6: country 'RU': categories: unknown category 'anti-virus'"},
      {"empty category list", policy_with("    categories: []\n"), ":6: country 'RU': categories: leave the key out"},
      {"unknown privilege", "name: t\nprivileges: [kernel, ring0]\n",
       ":2: policy: privileges: unknown privilege 'ring0' (allowed: kernel, boot, user, unknown, "
       "all)"},
      {"bad min_confidence", "name: t\nmin_confidence: certain\n",
       ":2: policy: min_confidence: expected low, medium or high, found 'certain'"},
      {"missing name", "countries: []\n", ":1: policy: missing required key 'name'"},
      {"empty file", "", ": policy: the file is empty"},
      {"bad expiry date",
       "name: t\nsuppressions:\n  - id: lab\n    reason: test lab\n    expires: 2025-13-01\n"
       "    match: {vendor: kaspersky}\n",
       ":5: suppression 'lab': expires: expected a date YYYY-MM-DD, found '2025-13-01'"},
      {"missing expiry", "name: t\nsuppressions:\n  - id: lab\n    reason: test lab\n    match: {vendor: kaspersky}\n",
       ":3: suppression 'lab': missing required key 'expires'"},
      {"missing suppression reason",
       "name: t\nsuppressions:\n  - id: lab\n    expires: 2030-01-01\n    match: {vendor: kaspersky}\n",
       ":3: suppression 'lab': missing required key 'reason'"},
      {"empty match", "name: t\nsuppressions:\n  - id: lab\n    reason: r\n    expires: 2030-01-01\n    match: {}\n",
       ":6: suppression 'lab': match: needs at least one of vendor, sha256, path, known_bad"},
      {"unknown match key",
       "name: t\nsuppressions:\n  - id: lab\n    reason: r\n    expires: 2030-01-01\n"
       "    match:\n      file: klif.sys\n",
       ":7: suppression 'lab': match: unknown key 'file'"},
      {"bad sha256",
       "name: t\nsuppressions:\n  - id: lab\n    reason: r\n    expires: 2030-01-01\n"
       "    match:\n      sha256: abc123\n",
       ":7: suppression 'lab': match: sha256: 'abc123' is not a SHA-256 digest (64 hexadecimal "
       "digits)"},
      {"unknown suppression vendor",
       "name: t\nsuppressions:\n  - id: lab\n    reason: r\n    expires: 2030-01-01\n"
       "    match:\n      vendor: kaspersky-lab\n",
       ":7: suppression 'lab': match: vendor: vendor 'kaspersky-lab' is not in the vendor list"},
      {"duplicate suppression id",
       "name: t\nsuppressions:\n  - {id: a, reason: r, expires: 2030-01-01, match: {path: '/x'}}\n"
       "  - {id: a, reason: r, expires: 2030-01-01, match: {path: '/y'}}\n",
       ":4: suppression 'a': id is used twice (first at line 3)"},
      {"syntax error", "name: t\ncountries: [unclosed\n", ":"},
  };
  const attribute::VendorDb& db = test::policy_vendors();
  for (const Case& c : cases) {
    DYNAMIC_SECTION(c.name) {
      auto p = Policy::parse(c.content, "p.yaml", db);
      REQUIRE_FALSE(p);
      CHECK(p.error().code == Errc::Config);
      CHECK_THAT(p.error().message, Catch::Contains("p.yaml" + c.expected));
    }
  }
}

TEST_CASE("policy loader reports every problem of a file and names the real file",
          "[policy][load]") {
  test::TempTree tree;
  tree.write("bad.yaml",
             "name: t\n"
             "countries:\n"
             "  - code: XX\n"
             "    reason: r\n"
             "    source: s\n"
             "vendors:\n"
             "  - id: kaspersky\n"
             "    reasn: r\n"
             "    source: s\n");
  auto p = Policy::load(tree.path() / "bad.yaml", test::policy_vendors());
  REQUIRE_FALSE(p);
  const std::string file = (tree.path() / "bad.yaml").string();
  CHECK_THAT(p.error().message, Catch::Contains(file + ":3: country 'XX': code: 'XX'"));
  CHECK_THAT(p.error().message, Catch::Contains(file + ":8: vendor 'kaspersky': unknown key 'reasn'"));
  CHECK_THAT(p.error().message,
             Catch::Contains(file + ":7: vendor 'kaspersky': missing required key 'reason'"));

  auto missing = Policy::load(tree.path() / "nope.yaml", test::policy_vendors());
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code == Errc::Io);
}

TEST_CASE("policy loader reads every key", "[policy][load]") {
  auto p = Policy::parse(kFullPolicy, "full.yaml", test::policy_vendors());
  REQUIRE(p);
  CHECK(p->name() == "full");
  CHECK(p->description() == "every key once");
  CHECK(p->scope() == Scope{true, true, false, true});
  CHECK(p->min_confidence() == Confidence::Medium);
  REQUIRE(p->rules().size() == 3);
  const Rule& ru = p->rules()[0];
  CHECK(ru.id == "country:RU");
  CHECK(ru.kind == Rule::Kind::Country);
  CHECK(ru.reason == "Russian law can compel assistance");
  CHECK(ru.source == "https://example.org/ru");
  CHECK(ru.date == year_month_day{year{2017}, month{9}, day{13}});
  CHECK_FALSE(ru.match_parents);  // the file default
  CHECK(ru.origin == "full.yaml:7");
  const Rule& cn = p->rules()[1];
  CHECK(cn.match_parents);  // overridden per rule
  CHECK(cn.categories == std::vector{attribute::Category::Antivirus, attribute::Category::Edr});
  CHECK(p->rules()[2].id == "vendor:kaspersky");
  REQUIRE(p->suppressions().size() == 1);
  const Suppression& s = p->suppressions()[0];
  CHECK(s.id == "lab-vm");
  CHECK(s.expires == year_month_day{year{2030}, month{12}, day{31}});
  CHECK(s.vendor == "kaspersky");
  CHECK(s.path == "/lab/**");
  CHECK(s.sha256 == "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789");
  CHECK(s.origin == "full.yaml:21");
}

TEST_CASE("a scan's policy has every setting, its own day and its own counters", "[policy][load]") {
  auto loaded = Policy::parse(kFullPolicy, "full.yaml", test::policy_vendors());
  REQUIRE(loaded);
  loaded->record_use(0);
  const year_month_day day_of_scan{year{2031}, month{1}, day{2}};
  const Policy p = loaded->for_scan(day_of_scan);
  CHECK(p.name() == loaded->name());
  CHECK(p.description() == loaded->description());
  CHECK(p.scope() == loaded->scope());
  CHECK(p.min_confidence() == loaded->min_confidence());
  CHECK(p.known_bad().enabled == loaded->known_bad().enabled);
  CHECK(p.known_bad().malicious == loaded->known_bad().malicious);
  CHECK(p.known_bad().origin == loaded->known_bad().origin);
  REQUIRE(p.rules().size() == loaded->rules().size());
  for (std::size_t i = 0; i < p.rules().size(); ++i) CHECK(p.rules()[i].id == loaded->rules()[i].id);
  REQUIRE(p.suppressions().size() == 1);
  CHECK(p.suppressions()[0].id == "lab-vm");
  CHECK(p.today() == day_of_scan);
  CHECK(p.uses(0) == 0);  // counters of its own, at zero
  p.record_use(0);
  p.record_match_after_expiry(0);
  CHECK(p.uses(0) == 1);
  CHECK(p.matches_after_expiry(0) == 1);
  CHECK(loaded->uses(0) == 1);
  CHECK(loaded->matches_after_expiry(0) == 0);
}

TEST_CASE("policy files may be JSON, with line numbers", "[policy][load]") {
  const std::string json =
      "{\n"
      "  \"name\": \"j\",\n"
      "  \"countries\": [\n"
      "    {\"code\": \"RU\", \"reason\": \"r\", \"source\": \"s\"},\n"
      "    {\"code\": \"SU\", \"reason\": \"r\", \"source\": \"s\"}\n"
      "  ]\n"
      "}\n";
  auto bad = Policy::parse(json, "p.json", test::policy_vendors());
  REQUIRE_FALSE(bad);
  CHECK_THAT(bad.error().message, Catch::Contains("p.json:5: country 'SU': code: 'SU' is not"));
  std::string good = json;
  good.replace(good.find("SU"), 2, "BY");
  auto p = Policy::parse(good, "p.json", test::policy_vendors());
  REQUIRE(p);
  CHECK(p->rules().size() == 2);
}

TEST_CASE("privileges: all widens the scope to everything", "[policy][load]") {
  auto p = Policy::parse("name: t\nprivileges: [all]\n", "p.yaml", test::policy_vendors());
  REQUIRE(p);
  CHECK(p->scope() == Scope::all());
  CHECK(p->scope().names() == std::vector<std::string_view>{"all"});
  auto d = Policy::parse("name: t\n", "p.yaml", test::policy_vendors());
  REQUIRE(d);
  CHECK(d->scope() == Scope::kernel_and_boot());
  CHECK(d->scope().names() == std::vector<std::string_view>{"kernel", "boot"});
  CHECK(d->empty());
}

TEST_CASE("expired suppressions load, are reported with file:line, and never suppress",
          "[policy][load][suppression]") {
  constexpr std::string_view kText = R"(name: t
vendors:
  - id: kaspersky
    reason: r
    source: s
suppressions:
  - id: old
    reason: lab, until the migration
    expires: 2024-01-31
    match: {vendor: kaspersky}
)";
  auto p = Policy::parse(kText, "p.yaml", test::policy_vendors());
  REQUIRE(p);  // an expired suppression is not a load error: it is reported
  p->set_today(year_month_day{year{2024}, month{2}, day{1}});
  Subject s = test::subject("kaspersky", Privilege::Kernel, Confidence::High);
  const Verdict v = evaluate(*p, s);
  CHECK(v.finding());
  CHECK(v.expired_suppressions == std::vector<std::string>{"old"});
  const auto report = p->suppression_report(year_month_day{year{2024}, month{2}, day{1}});
  REQUIRE(report.size() == 1);
  CHECK(report[0].state == SuppressionStatus::State::Expired);
  CHECK(report[0].origin == "p.yaml:7");
  CHECK(report[0].uses == 0);
  CHECK(report[0].matches_after_expiry == 1);
  CHECK(to_string(report[0].state) == "expired");
  // Valid through its expiry day.
  CHECK_FALSE(p->suppressions()[0].expired(year_month_day{year{2024}, month{1}, day{31}}));
}

TEST_CASE("from_flags: country codes and vendor ids from the command line", "[policy][flags]") {
  const attribute::VendorDb& db = test::policy_vendors();
  const std::vector<std::string> countries{"RU,by", " CN ", "RU"};
  const std::vector<std::string> vendors{"kaspersky"};
  auto p = Policy::from_flags(countries, vendors, db);
  REQUIRE(p);
  std::vector<std::string> ids;
  for (const Rule& r : p->rules()) ids.push_back(r.id);
  CHECK(ids == std::vector<std::string>{"country:RU", "country:BY", "country:CN", "vendor:kaspersky"});
  CHECK(p->rules()[0].origin == "--flag-country");
  CHECK(p->rules()[0].reason == "flagged on the command line (--flag-country RU)");
  CHECK(p->name() == "command line");
  CHECK(p->scope() == Scope::kernel_and_boot());

  const std::vector<std::string> bad_countries{"RU,UK", "XX"};
  const std::vector<std::string> bad_vendors{"kasperski", "Kaspersky"};
  auto bad = Policy::from_flags(bad_countries, bad_vendors, db);
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code == Errc::Config);
  const std::string& m = bad.error().message;
  CHECK_THAT(m, Catch::Contains("--flag-country: 'UK' is not an ISO 3166-1 alpha-2 country code "
                                "(did you mean 'GB'?)"));
  CHECK_THAT(m, Catch::Contains("--flag-country: 'XX' is not an ISO 3166-1 alpha-2 country code"));
  CHECK_THAT(m, Catch::Contains("--flag-vendor: vendor 'kasperski' is not in the vendor list (did "
                                "you mean 'kaspersky'?)"));
  CHECK_THAT(m, Catch::Contains("--flag-vendor: vendor 'Kaspersky' is not in the vendor list (ids "
                                "are lower-case: 'kaspersky')"));
}

TEST_CASE("combine: a policy file plus command-line flags", "[policy][flags]") {
  const attribute::VendorDb& db = test::policy_vendors();
  auto file = Policy::parse(R"(name: file
privileges: [kernel]
min_confidence: high
countries:
  - {code: RU, reason: from the file, source: s}
suppressions:
  - {id: a, reason: r, expires: 2099-01-01, match: {path: "/a/**"}}
)",
                            "f.yaml", db);
  REQUIRE(file);
  const std::vector<std::string> countries{"RU", "CN"};
  const std::vector<std::string> vendors{"kaspersky"};
  auto flags = Policy::from_flags(countries, vendors, db);
  REQUIRE(flags);
  auto both = Policy::combine(std::move(*file), std::move(*flags));
  REQUIRE(both);
  CHECK(both->name() == "file + command line");
  REQUIRE(both->rules().size() == 3);
  CHECK(both->rules()[0].reason == "from the file");  // the file's rule wins
  CHECK(both->rules()[1].id == "country:CN");
  CHECK(both->rules()[2].id == "vendor:kaspersky");  // countries first, then vendors
  CHECK(both->scope() == Scope{true, false, false, false});  // base settings kept
  CHECK(both->min_confidence() == Confidence::High);
  CHECK(both->suppressions().size() == 1);

  // The same suppression id in two files.
  auto a = Policy::parse("name: a\nsuppressions:\n  - {id: x, reason: r, expires: 2099-01-01, "
                         "match: {path: '/a'}}\n",
                         "a.yaml", db);
  auto b = Policy::parse("name: b\nsuppressions:\n\n  - {id: x, reason: r, expires: 2099-01-01, "
                         "match: {path: '/b'}}\n",
                         "b.yaml", db);
  REQUIRE(a);
  REQUIRE(b);
  auto clash = Policy::combine(std::move(*a), std::move(*b));
  REQUIRE_FALSE(clash);
  CHECK_THAT(clash.error().message,
             Catch::Contains("b.yaml:4: suppression 'x' is already defined at a.yaml:3"));
}

TEST_CASE("FailOn parses --fail-on and decides", "[policy][fail_on]") {
  CHECK(FailOn{}.to_string() == "low");
  CHECK(FailOn{}.fails(Severity::Low));
  CHECK(FailOn::none().to_string() == "none");
  for (Severity s : {Severity::Low, Severity::Medium, Severity::High, Severity::Critical}) {
    CHECK_FALSE(FailOn::none().fails(s));
    CHECK(severity_from_string(to_string(s)) == s);
  }
  auto high = FailOn::parse("high");
  REQUIRE(high);
  CHECK_FALSE(high->fails(Severity::Medium));
  CHECK(high->fails(Severity::High));
  CHECK(high->fails(Severity::Critical));
  REQUIRE(FailOn::parse("none"));
  CHECK(*FailOn::parse("none") == FailOn::none());
  auto bad = FailOn::parse("HIGH");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code == Errc::Config);
  CHECK(bad.error().message ==
        "--fail-on: expected none, low, medium, high or critical, found 'HIGH'");
  CHECK_FALSE(severity_from_string("severe"));
  CHECK(confidence_from_string("medium") == Confidence::Medium);
  CHECK_FALSE(confidence_from_string("Medium"));

  Verdict v;
  v.status = Verdict::Status::Finding;
  v.severity = Severity::Medium;
  CHECK(fails(FailOn{}, v));
  CHECK_FALSE(fails(*high, v));
  v.status = Verdict::Status::Suppressed;
  CHECK_FALSE(fails(FailOn{}, v));  // suppressed findings never fail the run
}

TEST_CASE("glob_match", "[policy][glob]") {
  struct Case {
    std::string_view pattern, text;
    bool match;
  };
  const auto cases = std::vector<Case>{
      {"/a/b.sys", "/a/b.sys", true},
      {"/a/b.sys", "/a/b.sy", false},
      {"/a/*.sys", "/a/klif.sys", true},
      {"/a/*.sys", "/a/x/klif.sys", false},
      {"/a/**.sys", "/a/x/klif.sys", true},
      {"**/klif.sys", "/mnt/win/System32/drivers/klif.sys", true},
      {"**/klif.sys", "/mnt/win/System32/drivers/xklif.sys", false},
      {"**/drivers/*", "/w/drivers/a.sys", true},
      {"**/drivers/*", "/w/drivers/sub/a.sys", false},
      {"/a/?.sys", "/a/k.sys", true},
      {"/a/?.sys", "/a//.sys", false},
      {"*", "", true},
      {"", "", true},
      {"", "x", false},
      {"**", "/any/thing", true},
      {"*a*a*a*a*a*a*a*b", std::string_view{"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}, false},
      {"/A/*.SYS", "/a/klif.sys", false},  // case-sensitive
  };
  for (const Case& c : cases) {
    INFO(c.pattern << " vs " << c.text);
    CHECK(glob_match(c.pattern, c.text) == c.match);
  }
}

// ---------------------------------------------------------------------------------------------
// The shipped policies

TEST_CASE("every shipped policy loads against the shipped vendor list",
          "[policy][shipped]") {
  const attribute::VendorDb& db = test::shipped_vendors();
  const std::filesystem::path dir = std::filesystem::path{TRUSTSCAN_SOURCE_DIR} / "rules" / "policy";
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(dir))
    if (e.path().extension() == ".yaml") files.push_back(e.path());
  std::ranges::sort(files);
  REQUIRE(files.size() >= 5);
  for (const auto& f : files) {
    INFO(f.string());
    auto p = Policy::load(f, db);
    REQUIRE(p);
    CHECK_FALSE(p->empty());
    CHECK(p->name() == f.stem().string());
    CHECK(p->scope() == Scope::kernel_and_boot());
    CHECK(p->suppressions().empty());  // shipped policies suppress nothing
    for (const Rule& r : p->rules()) {
      INFO(r.id);
      CHECK(r.source.starts_with("https://"));
      CHECK(r.date.has_value());
    }
  }
}

TEST_CASE("the shipped default flags Russia and Belarus; presets flag what they say",
          "[policy][shipped]") {
  const attribute::VendorDb& db = test::shipped_vendors();
  const auto dir = std::filesystem::path{TRUSTSCAN_SOURCE_DIR} / "rules" / "policy";
  auto load = [&](std::string_view name) {
    auto p = Policy::load(dir / (std::string{name} + ".yaml"), db);
    if (!p) FAIL(p.error().message);
    return std::move(*p);
  };
  auto subject_of = [&](std::string_view id) {
    const attribute::Vendor* v = db.find(id);
    REQUIRE(v != nullptr);
    Subject s = vendor_subject(db, *v);
    s.privilege = Privilege::Kernel;
    s.confidence = Confidence::High;
    return s;
  };

  const Policy def = load("default");
  std::vector<std::string> ids;
  for (const Rule& r : def.rules()) ids.push_back(r.id);
  CHECK(ids == std::vector<std::string>{"country:RU", "country:BY"});
  for (std::string_view id : {"kaspersky", "doctor-web", "virusblokada", "positive-technologies"}) {
    INFO(id);
    CHECK(decide(def, subject_of(id)).finding());
  }
  for (std::string_view id : {"microsoft", "eset", "tencent", "riot-games", "debian"}) {
    INFO(id);
    CHECK(decide(def, subject_of(id)).status == Verdict::Status::NoMatch);
  }

  const Policy nl = load("nl-2018");
  CHECK(decide(nl, subject_of("kaspersky")).finding());
  CHECK(decide(nl, subject_of("doctor-web")).status == Verdict::Status::NoMatch);

  const Policy us = load("us-2024-kaspersky");
  CHECK(decide(us, subject_of("kaspersky")).finding());
  const Policy bsi = load("bsi-2022");
  CHECK(decide(bsi, subject_of("kaspersky")).finding());

  const Policy fcc = load("us-fcc-covered-list");
  CHECK(decide(fcc, subject_of("kaspersky")).finding());
  CHECK(decide(fcc, subject_of("huawei")).finding());
  CHECK(decide(fcc, subject_of("honor")).status == Verdict::Status::NoMatch);  // sold in 2020
}
