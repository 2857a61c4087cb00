// Vendor-origin list: loader errors (file:line), lookups, normalisation, and the shipped list.
#include "attribute/vendor_db.hpp"

#include <catch2/catch.hpp>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "config/country.hpp"
#include "support/temp_tree.hpp"

using namespace trustscan;
using namespace trustscan::attribute;

namespace {

constexpr std::string_view kLegend =
    "sources:\n"
    "  - key: ALT\n"
    "    title: altitude register\n"
    "  - key: REALTREE\n"
    "    title: observed\n";

/// A small but complete list used by the lookup tests.
constexpr std::string_view kVendors = R"(vendors:
  - id: kaspersky
    name: Kaspersky
    legal_names: [AO Kaspersky Lab, Kaspersky Lab JSC, Kaspersky Lab ZAO, Kaspersky Lab]
    company_names: [Kaspersky]
    copyright_holders: [Kaspersky Lab ZAO, Kaspersky Lab]
    file_names: [klif.sys, cbfsfilter2017.sys]
    country: RU
    category: antivirus
    sources:
      - {fact: names, source: ALT}
  - id: microsoft
    name: Microsoft
    legal_names: [Microsoft Corporation]
    company_names: [Microsoft Corporation]
    signing_services: [Microsoft Windows Hardware Compatibility Publisher]
    thumbprints: [f5877012fbd62fabcbdc8d8cee9c9585ba30df79]
    country: US
    category: os
    sources:
      - {fact: observed, source: "https://example.org/ms"}
  - id: github
    name: GitHub
    legal_names: ["GitHub, Inc."]
    parent: microsoft
    category: developer
    sources:
      - {fact: observed, source: "REALTREE:x"}
  - id: sentry
    name: Sentry
    legal_names: [GetSentry LLC]
    team_ids: [97JCY7859U]
    country: US
    category: developer
    sources:
      - {fact: observed, source: REALTREE}
  - id: wine
    name: Wine
    copyright_holders: [Wine project]
    country: null
    category: other
    sources:
      - {fact: observed, source: REALTREE}
  - id: acme-eu
    name: Acme EU
    company_names: [Acme Software GmbH]
    file_names: [cbfsfilter2017.sys]
    country: CZ
    parent: github
    category: backup
    sources:
      - {fact: observed, source: REALTREE}
  - id: kingsoft
    name: Kingsoft
    legal_names: ["Beijing Kingsoft Security software Co.,Ltd", 北京金山安全软件有限公司]
    country: CN
    category: antivirus
    sources:
      - {fact: observed, source: REALTREE}
)";

/// Writes `files` (name -> content) plus the legend into a temp dir and loads the directory.
Result<VendorDb> load_files(
    const test::TempTree& tree,
    std::initializer_list<std::pair<std::string_view, std::string_view>> files) {
  tree.write("vendors/_legend.yaml", kLegend);
  for (const auto& [name, content] : files)
    tree.write(std::string{"vendors/"} + std::string{name}, content);
  const std::vector<std::filesystem::path> paths{tree.path() / "vendors"};
  return VendorDb::load(paths);
}

const VendorDb& good_db() {
  static test::TempTree tree;
  static const Result<VendorDb> db = load_files(tree, {{"v.yaml", kVendors}});
  if (!db) FAIL(db.error().message);
  return *db;
}

/// One vendor entry with a placeholder line replaced, for the loader-error table.
std::string vendor_with(std::string_view extra, std::string_view country = "    country: RU\n") {
  return std::string{"vendors:\n  - id: acme\n    name: Acme\n"} + std::string{country} +
         std::string{extra} +
         "    category: antivirus\n    sources:\n      - {fact: f, source: ALT}\n";
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Loader errors: every message starts with file:line of the offending value.

TEST_CASE("loader rejects bad entries with file:line", "[attribute][vendor_db]") {
  struct Case {
    std::string name;
    std::string content;
    std::string expected;  // "<line>: <text>" after the file name
  };
  const auto cases = std::vector<Case>{
      {"unknown key", vendor_with("    contry: RU\n"),
       ":5: vendor 'acme': unknown key 'contry' (did you mean 'country'?)"},
      {"wrong type", vendor_with("    legal_names: Acme Ltd\n"),
       ":5: vendor 'acme': legal_names: expected a list, found a string"},
      {"bad country", vendor_with("", "    country: UK\n"),
       ":4: vendor 'acme': country: 'UK' is not an ISO 3166-1 alpha-2 country code (did you mean "
       "'GB'?)"},
      {"lower-case country", vendor_with("", "    country: ru\n"),
       ":4: vendor 'acme': country: 'ru' is not an ISO 3166-1 alpha-2 country code (codes are "
       "upper-case: 'RU')"},
      {"Norway problem", vendor_with("", "    country: NO\n"),
       ":4: vendor 'acme': country: unquoted 'NO' reads as a boolean in YAML"},
      {"dangling parent", vendor_with("    parent: nobody\n"),
       ":5: vendor 'acme': parent 'nobody' is not a vendor id"},
      {"own parent", vendor_with("    parent: acme\n"),
       ":5: vendor 'acme': a vendor cannot be its own parent"},
      {"no country, no parent", vendor_with("", ""), ":2: vendor 'acme': needs 'country'"},
      {"bad id",
       "vendors:\n  - id: Acme_1\n    name: A\n    country: RU\n    category: edr\n    sources: "
       "[{fact: f, source: ALT}]\n",
       ":2: vendor 'Acme_1': id must be lower-case letters"},
      {"unknown category", vendor_with("", "    country: RU\n    category: antivirus-ish\n"),
       ":5: vendor 'acme': category: unknown category 'antivirus-ish'"},
      {"upper-case file name", vendor_with("    file_names: [KLIF.sys]\n"),
       ":5: vendor 'acme': file_names: 'KLIF.sys' must be lower-case ('klif.sys')"},
      {"path as file name", vendor_with("    file_names: ['drivers/klif.sys']\n"),
       ":5: vendor 'acme': file_names: 'drivers/klif.sys' must be a file name, not a path"},
      {"bad thumbprint", vendor_with("    thumbprints: [F5877012]\n"),
       ":5: vendor 'acme': thumbprints: 'F5877012' must be a SHA-1 (40) or SHA-256 (64) digest"},
      {"bad team id", vendor_with("    team_ids: [abc]\n"),
       ":5: vendor 'acme': team_ids: 'abc' is not an Apple Team ID"},
      {"comma-split name", vendor_with("    legal_names: [Acme, Inc.]\n"),
       ":5: vendor 'acme': legal_names: 'Inc.' is only a legal form"},
      {"name listed twice", vendor_with("    legal_names:\n      - Acme Ltd\n      - Acme Ltd\n"),
       ":7: vendor 'acme': legal_names: 'Acme Ltd' is listed twice"},
      {"unknown source key",
       "vendors:\n  - id: acme\n    name: A\n    country: RU\n    category: edr\n    sources:\n    "
       "  - fact: f\n        source: WIKI:foo\n",
       ":8: vendor 'acme': source 'WIKI:foo' is neither an http(s) URL nor a key of the sources "
       "legend"},
      {"empty sources",
       "vendors:\n  - id: acme\n    name: A\n    country: RU\n    category: edr\n    sources: []\n",
       ":6: vendor 'acme': sources: every vendor needs at least one source"},
      {"missing sources",
       "vendors:\n  - id: acme\n    name: A\n    country: RU\n    category: edr\n",
       ":2: vendor 'acme': missing required key 'sources'"},
      {"missing name",
       "vendors:\n  - id: acme\n    country: RU\n    category: edr\n    sources: [{fact: f, "
       "source: ALT}]\n",
       ":2: vendor 'acme': missing required key 'name'"},
      {"syntax error", "vendors:\n  - id: acme\n    name: [unclosed\n", ":"},
      {"top-level typo", "vendor:\n  - id: acme\n",
       ":1: vendor file: unknown key 'vendor' (did you mean 'vendors'?)"},
  };
  for (const Case& c : cases) {
    DYNAMIC_SECTION(c.name) {
      test::TempTree tree;
      auto db = load_files(tree, {{"x.yaml", c.content}});
      REQUIRE_FALSE(db);
      CHECK(db.error().code == Errc::Config);
      const std::string file = (tree.path() / "vendors" / "x.yaml").string();
      CHECK_THAT(db.error().message, Catch::Contains(file + c.expected));
    }
  }
}

TEST_CASE("loader reports every problem of a file, not only the first", "[attribute][vendor_db]") {
  test::TempTree tree;
  auto db = load_files(
      tree,
      {{"x.yaml", vendor_with("    contry: RU\n    file_names: [A.SYS]\n", "    country: XX\n")}});
  REQUIRE_FALSE(db);
  const std::string file = (tree.path() / "vendors" / "x.yaml").string();
  CHECK_THAT(db.error().message, Catch::Contains(file + ":4: vendor 'acme': country: 'XX'"));
  CHECK_THAT(db.error().message, Catch::Contains(file + ":5: vendor 'acme': unknown key 'contry'"));
  CHECK_THAT(db.error().message, Catch::Contains(file + ":6: vendor 'acme': file_names: 'A.SYS'"));
}

TEST_CASE("loader rejects duplicate ids across files, naming both places",
          "[attribute][vendor_db]") {
  test::TempTree tree;
  const std::string one = vendor_with("");
  auto db = load_files(tree, {{"a.yaml", one}, {"b.yaml", one}});
  REQUIRE_FALSE(db);
  const std::string a = (tree.path() / "vendors" / "a.yaml").string();
  const std::string b = (tree.path() / "vendors" / "b.yaml").string();
  CHECK_THAT(db.error().message,
             Catch::Contains(b + ":2: vendor 'acme': duplicate id (first defined at " + a + ":2)"));
}

TEST_CASE("loader rejects parent cycles", "[attribute][vendor_db]") {
  test::TempTree tree;
  auto db = load_files(
      tree,
      {{"c.yaml",
        "vendors:\n"
        "  - {id: a, name: A, parent: b, category: edr, sources: [{fact: f, source: ALT}]}\n"
        "  - {id: b, name: B, parent: a, category: edr, sources: [{fact: f, source: ALT}]}\n"}});
  REQUIRE_FALSE(db);
  CHECK_THAT(db.error().message, Catch::Contains("c.yaml:2: vendor 'a': parent cycle a -> b -> a"));
}

TEST_CASE("loader rejects a name shared by two vendors", "[attribute][vendor_db]") {
  test::TempTree tree;
  SECTION("same normalised name") {
    auto db = load_files(tree, {{"n.yaml",
                                 "vendors:\n"
                                 "  - {id: a, name: A, country: RU, category: edr, legal_names: "
                                 "[Kaspersky Lab], sources: [{fact: f, source: ALT}]}\n"
                                 "  - {id: b, name: B, country: RU, category: edr, company_names: "
                                 "['KASPERSKY  LAB'], sources: [{fact: f, source: ALT}]}\n"}});
    REQUIRE_FALSE(db);
    CHECK_THAT(db.error().message,
               Catch::Contains("n.yaml:3: vendor 'b': company name 'KASPERSKY  LAB' (normalised "
                               "'kaspersky lab') is also a name of vendor 'a'"));
  }
  SECTION("legal-form variant of another vendor's name") {
    auto db = load_files(tree, {{"n.yaml",
                                 "vendors:\n"
                                 "  - {id: a, name: A, country: RU, category: edr, legal_names: "
                                 "[Kaspersky Lab], sources: [{fact: f, source: ALT}]}\n"
                                 "  - {id: b, name: B, country: US, category: edr, legal_names: "
                                 "['Kaspersky Lab, Inc.'], sources: [{fact: f, source: ALT}]}\n"}});
    REQUIRE_FALSE(db);
    CHECK_THAT(db.error().message,
               Catch::Contains("n.yaml:3: vendor 'b': a name reduces to 'kaspersky lab', which is "
                               "a name of vendor 'a'"));
  }
}

TEST_CASE("loader reports a missing path and an empty directory", "[attribute][vendor_db]") {
  test::TempTree tree;
  const std::vector<std::filesystem::path> missing{tree.path() / "nope"};
  CHECK_FALSE(VendorDb::load(missing));
  tree.mkdir("empty");
  const std::vector<std::filesystem::path> empty{tree.path() / "empty"};
  auto db = VendorDb::load(empty);
  REQUIRE_FALSE(db);
  CHECK(db.error().code == Errc::Config);
}

TEST_CASE("parse() reads one in-memory document with sources and vendors",
          "[attribute][vendor_db]") {
  const std::string text = std::string{kLegend} + std::string{kVendors};
  auto db = VendorDb::parse(text, "mem.yaml");
  REQUIRE(db);
  CHECK(db->vendors().size() == 7);
  CHECK(db->country_of(*db->find("github")) == "US");
  // Messages name the given file name and line, as load() does.
  auto bad = VendorDb::parse(std::string{kLegend} + vendor_with("    contry: RU\n"), "mem.yaml");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code == Errc::Config);
  CHECK_THAT(bad.error().message, Catch::Matchers::Contains("mem.yaml:10: vendor 'acme': unknown key 'contry'"));
  CHECK_FALSE(VendorDb::parse("vendors: [", "mem.yaml"));
}

// ---------------------------------------------------------------------------------------------
// Lookups

TEST_CASE("by_subject matches current and former legal names", "[attribute][vendor_db]") {
  const VendorDb& db = good_db();
  for (const char* o : {"AO Kaspersky Lab", "Kaspersky Lab JSC", "Kaspersky Lab ZAO",
                        "KASPERSKY LAB", "kaspersky  lab."}) {
    INFO(o);
    auto m = db.by_subject(o, "");
    REQUIRE(m);
    CHECK(m->vendor->id == "kaspersky");
    CHECK(m->kind == MatchKind::Exact);
    CHECK(m->part == SubjectPart::Organization);
  }
  auto m = db.by_subject("AO Kaspersky Lab", "");
  CHECK(m->matched == "AO Kaspersky Lab");
}

TEST_CASE("by_subject matches legal-form variants but not longer names", "[attribute][vendor_db]") {
  const VendorDb& db = good_db();
  auto inc = db.by_subject("Kaspersky Lab, Inc.", "");
  REQUIRE(inc);
  CHECK(inc->vendor->id == "kaspersky");
  CHECK(inc->kind == MatchKind::LegalFormVariant);
  auto ooo = db.by_subject("OOO Kaspersky Lab", "");
  REQUIRE(ooo);
  CHECK(ooo->vendor->id == "kaspersky");
  CHECK_FALSE(db.by_subject("Kaspersky Labs Antivirus Reviews Inc", ""));
  CHECK_FALSE(db.by_subject("", "Kaspersky Labs Antivirus Reviews Inc"));
  CHECK_FALSE(db.by_subject("Kaspersky Lab Reviews", ""));
  CHECK_FALSE(db.by_subject("Lab", ""));
  CHECK_FALSE(db.by_subject("", ""));
}

TEST_CASE("by_subject prefers a signing service, then O, then CN", "[attribute][vendor_db]") {
  const VendorDb& db = good_db();
  auto whcp =
      db.by_subject("Microsoft Corporation", "Microsoft Windows Hardware Compatibility Publisher");
  REQUIRE(whcp);
  CHECK(whcp->vendor->id == "microsoft");
  CHECK(whcp->field == MatchField::SigningService);
  auto cn_only = db.by_subject("", "AO Kaspersky Lab");
  REQUIRE(cn_only);
  CHECK(cn_only->part == SubjectPart::CommonName);
  auto both = db.by_subject("GetSentry LLC", "AO Kaspersky Lab");
  REQUIRE(both);
  CHECK(both->vendor->id == "sentry");  // O wins over CN
}

TEST_CASE("by_subject reads Apple Developer ID common names", "[attribute][vendor_db]") {
  const VendorDb& db = good_db();
  auto m = db.by_subject("", "Developer ID Application: GetSentry LLC (97JCY7859U)");
  REQUIRE(m);
  CHECK(m->vendor->id == "sentry");
  CHECK(apple_certificate_holder("Developer ID Installer: Acme Corp (ABCDE12345)") == "Acme Corp");
  CHECK(apple_certificate_holder("Apple Development: someone@example.org (ABCDE12345)") ==
        "someone@example.org");
  CHECK(apple_certificate_holder("Software Signing") == "Software Signing");
}

TEST_CASE("by_company_name looks at company names, then legal names", "[attribute][vendor_db]") {
  const VendorDb& db = good_db();
  auto m = db.by_company_name("Kaspersky");
  REQUIRE(m);
  CHECK(m->field == MatchField::CompanyName);
  auto legal = db.by_company_name("Kaspersky Lab ZAO");
  REQUIRE(legal);
  CHECK(legal->field == MatchField::LegalName);
  auto cjk = db.by_company_name("北京金山安全软件有限公司");
  REQUIRE(cjk);
  CHECK(cjk->vendor->id == "kingsoft");
  auto variant = db.by_company_name("Beijing Kingsoft Security Software Co., Ltd.");
  REQUIRE(variant);
  CHECK(variant->vendor->id == "kingsoft");
  CHECK_FALSE(db.by_company_name("Paralint.com"));
}

TEST_CASE("by_file_name ignores case and returns every vendor", "[attribute][vendor_db]") {
  const VendorDb& db = good_db();
  auto klif = db.by_file_name("KLIF.SYS");
  REQUIRE(klif.size() == 1);
  CHECK(klif[0].vendor->id == "kaspersky");
  CHECK(klif[0].matched == "klif.sys");
  auto shared = db.by_file_name("cbfsfilter2017.sys");
  REQUIRE(shared.size() == 2);
  CHECK(shared[0].vendor->id == "acme-eu");  // vendor-id order
  CHECK(shared[1].vendor->id == "kaspersky");
  CHECK(db.by_file_name("notepad.exe").empty());
}

TEST_CASE("by_thumbprint and by_team_id", "[attribute][vendor_db]") {
  const VendorDb& db = good_db();
  auto t = db.by_thumbprint("F5:87:70:12:FB:D6:2F:AB:CB:DC:8D:8C:EE:9C:95:85:BA:30:DF:79");
  REQUIRE(t);
  CHECK(t->vendor->id == "microsoft");
  CHECK(t->field == MatchField::Thumbprint);
  CHECK_FALSE(db.by_thumbprint("00"));
  auto team = db.by_team_id("97JCY7859U");
  REQUIRE(team);
  CHECK(team->vendor->id == "sentry");
  CHECK_FALSE(db.by_team_id("97jcy7859u"));
}

TEST_CASE("by_copyright finds whole-word holders, longest first", "[attribute][vendor_db]") {
  const VendorDb& db = good_db();
  auto wine = db.by_copyright(
      "Copyright (c) 1993-2023 the Wine project authors (see the file AUTHORS for a complete "
      "list)");
  REQUIRE(wine);
  CHECK(wine->vendor->id == "wine");
  auto zao = db.by_copyright("© 1997-2010 Kaspersky Lab ZAO. All Rights Reserved.");
  REQUIRE(zao);
  CHECK(zao->matched == "Kaspersky Lab ZAO");
  CHECK_FALSE(db.by_copyright("Copyright (c) Kaspersky Labs Antivirus Reviews Inc"));
  CHECK_FALSE(db.by_copyright("Copyright (c) 1999-2021 Igor Pavlov"));
}

TEST_CASE("country_of inherits from the parent only when the entry has no country",
          "[attribute][vendor_db]") {
  const VendorDb& db = good_db();
  CHECK(db.country_of(*db.find("kaspersky")) == "RU");
  CHECK(db.country_of(*db.find("github")) == "US");   // no country key: parent's
  CHECK_FALSE(db.country_of(*db.find("wine")));       // country: null
  CHECK(db.country_of(*db.find("acme-eu")) == "CZ");  // own country wins
  CHECK(db.jurisdictions(*db.find("acme-eu")) == std::vector<std::string_view>{"CZ", "US"});
  CHECK(db.parent_of(*db.find("github"))->id == "microsoft");
  CHECK(db.parent_of(*db.find("microsoft")) == nullptr);
  CHECK(db.find("nobody") == nullptr);
}

TEST_CASE("lookups are safe from many threads", "[attribute][vendor_db]") {
  const VendorDb& db = good_db();
  std::vector<std::thread> threads;
  std::vector<int> hits(8, 0);
  for (std::size_t t = 0; t < hits.size(); ++t) {
    threads.emplace_back([&db, &hits, t] {
      for (int i = 0; i < 2000; ++i) {
        if (auto m = db.by_subject("Kaspersky Lab ZAO", ""); m && m->vendor->id == "kaspersky")
          ++hits[t];
        (void)db.by_file_name("klif.sys");
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int h : hits) CHECK(h == 2000);
}

// ---------------------------------------------------------------------------------------------
// Normalisation

TEST_CASE("normalize_name folds case, spaces and punctuation", "[attribute][vendor_db]") {
  CHECK(normalize_name("  Kaspersky  Lab, ZAO ") == "kaspersky lab zao");
  CHECK(normalize_name("Beijing Kingsoft Security software Co.,Ltd") ==
        "beijing kingsoft security software co ltd");
  CHECK(normalize_name("Baidu Online Network Technology (Beijing)Co., Ltd") ==
        "baidu online network technology beijing co ltd");
  CHECK(normalize_name("ESET, spol. s r.o.") == "eset spol s r o");
  // Full-width letters are compatibility forms, folded (case included) only as look-alikes; the
  // ideographic space separates.
  CHECK(normalize_name("Ｋａｓｐｅｒｓｋｙ　Ｌａｂ") == "Ｋａｓｐｅｒｓｋｙ Ｌａｂ");
  CHECK(normalize_name("完美世界（北京）软件科技发展有限公司") ==
        "完美世界 北京 软件科技发展 有限公司");  // CJK brackets, the legal form a word
  CHECK(normalize_name("АО «ЛАБОРАТОРИЯ КАСПЕРСКОГО»") == "ао лаборатория касперского");
  CHECK(normalize_name("Trend Micro™ Inc.") == "trend micro inc");
  CHECK(normalize_name("...") == "");
}

TEST_CASE("strip_legal_forms drops legal forms at the ends only", "[attribute][vendor_db]") {
  CHECK(strip_legal_forms("ao kaspersky lab") == "kaspersky lab");
  CHECK(strip_legal_forms("kaspersky lab zao") == "kaspersky lab");
  CHECK(strip_legal_forms("kaspersky lab inc") == "kaspersky lab");
  CHECK(strip_legal_forms("eset spol s r o") == "eset");
  CHECK(strip_legal_forms("s c bitdefender s r l") == "bitdefender");
  CHECK(strip_legal_forms("qihoo 360 software beijing company limited") ==
        "qihoo 360 software beijing");
  CHECK(strip_legal_forms("acme co ltd") == "acme");
  CHECK(strip_legal_forms(normalize_name("ZEMANA A.Ş.")) == "zemana");
  CHECK(strip_legal_forms("inc") == "inc");    // never empty
  CHECK(strip_legal_forms("ao inc") == "ao");  // suffixes go first
  CHECK(strip_legal_forms("the ltd company of acme") ==
        "the ltd company of acme");  // not in the middle
  // Native-script forms, in the script of the name only.
  CHECK(strip_legal_forms("ао лаборатория касперского") == "лаборатория касперского");
  CHECK(strip_legal_forms("доктор веб ооо") == "доктор веб");
  CHECK(strip_legal_forms(normalize_name("Общество с ограниченной ответственностью «Доктор Веб»")) ==
        "доктор веб");
  CHECK(strip_legal_forms(normalize_name("ОДО «ВирусБлокАда»")) == "вирусблокада");
  CHECK(strip_legal_forms(normalize_name("北京奇虎科技有限公司")) == "北京奇虎科技");
  CHECK(strip_legal_forms(normalize_name("奇安信科技集团股份有限公司")) == "奇安信科技集团");
  CHECK(strip_legal_forms(normalize_name("AKTSIONERNOE OBSHCHESTVO POZITIV TEKNOLODZHIZ")) ==
        "pozitiv teknolodzhiz");
  CHECK(strip_legal_forms("ао kaspersky lab") == "ао kaspersky lab");  // Cyrillic АО, Latin name
  CHECK(strip_legal_forms("ao лаборатория касперского") == "ao лаборатория касперского");
}

// ---------------------------------------------------------------------------------------------
// Look-alikes (confusables.hpp, look_alike.cpp)

namespace {
constexpr std::string_view kLookAlikeList = R"(vendors:
  - id: kaspersky
    name: Kaspersky
    legal_names: [AO Kaspersky Lab, Kaspersky Lab ZAO, АО «Лаборатория Касперского»]
    company_names: [Kaspersky Lab]
    copyright_holders: [AO Kaspersky Lab]
    country: RU
    category: antivirus
    sources: [{fact: test, source: ALT}]
  - id: microsoft
    name: Microsoft
    legal_names: [Microsoft Corporation]
    country: US
    category: os
    sources: [{fact: test, source: ALT}]
)";

const VendorDb& look_alike_db() {
  static const Result<VendorDb> db =
      VendorDb::parse(std::string{kLegend} + std::string{kLookAlikeList}, "look-alike.yaml");
  if (!db) FAIL(db.error().message);
  return *db;
}
}  // namespace

TEST_CASE("a name equal only after the TR39 fold is a look-alike, an exact name stays exact",
          "[attribute][vendor_db][look_alike]") {
  const VendorDb& db = look_alike_db();
  struct Row {
    const char* name = "";
    MatchKind kind = MatchKind::Exact;
  };
  // The look-alikes of the hostile samples (docs/hostile-samples.md, class e), and controls.
  const auto rows = std::vector<Row>{
      {"AO Kaspersky Lab", MatchKind::Exact},
      {"AO KASPERSKY LAB", MatchKind::Exact},
      {"Kaspersky Lab, Inc.", MatchKind::LegalFormVariant},
      {"\u0410\u041E Kaspersky Lab", MatchKind::LookAlike},                       // Cyrillic А, О
      {"AO \u041Aaspersky Lab", MatchKind::LookAlike},                            // Cyrillic К
      {"AO \u041Aaspersky Lab ZAO", MatchKind::LookAlike},                        // ... and a legal form
      {"\u0391\u039F \u039A\u03B1spersky Lab", MatchKind::LookAlike},             // Greek Α, Ο, Κ, α
      {"AO Kasper\u200Bsky Lab", MatchKind::LookAlike},                           // zero-width space
      {"AO Kasper\u200Dsky Lab", MatchKind::LookAlike},                           // zero-width joiner
      {"AO \uFEFFKaspersky Lab", MatchKind::LookAlike},                           // BOM
      {"AO Kas\u202Epersky\u202C Lab", MatchKind::LookAlike},                     // RLO ... PDF
      {"AO \u2066Kasp\u2067er\u2069sky\u2069 \u2068Lab\u2069", MatchKind::LookAlike},  // isolates
      {"\uFF21\uFF2F \uFF2B\uFF41\uFF53\uFF50\uFF45\uFF52\uFF53\uFF4B\uFF59 \uFF2C\uFF41\uFF42",
       MatchKind::LookAlike},                                                     // full-width
      {"AO \u212Aaspersky Lab", MatchKind::LookAlike},                            // Kelvin sign
      {"AO \U0001D40A\U0001D41A\U0001D42C\U0001D429\U0001D41E\U0001D42B\U0001D42C\U0001D424\U0001D432 Lab",
       MatchKind::LookAlike},                                                     // mathematical bold
      {"A0 Kaspersky Lab", MatchKind::LookAlike},                                 // digit zero
      // The native-script legal name in its real spellings.
      {"АО «Лаборатория Касперского»", MatchKind::Exact},
      {"АО \"ЛАБОРАТОРИЯ КАСПЕРСКОГО\"", MatchKind::Exact},
      {"Лаборатория Касперского", MatchKind::LegalFormVariant},
      {"Акционерное общество «Лаборатория Касперского»", MatchKind::LegalFormVariant},
      // ... and look-alikes of it, in any case: Latin a and o in the Cyrillic words.
      {"АО «Л\u0061б\u006Fратория К\u0061сперского»", MatchKind::LookAlike},
      {"АО «Л\u0041БОР\u0041ТОРИЯ К\u0041СПЕРСКОГО»", MatchKind::LookAlike},
  };
  for (const Row& r : rows) {
    INFO(r.name);
    auto m = db.by_subject(r.name, "");
    REQUIRE(m);
    CHECK(m->vendor->id == "kaspersky");
    CHECK(m->kind == r.kind);
    CHECK(m->part == SubjectPart::Organization);
    auto c = db.by_company_name(r.name);
    REQUIRE(c);
    CHECK(c->vendor->id == "kaspersky");
    CHECK(c->kind == r.kind);
  }
  CHECK(to_string(MatchKind::LookAlike) == "look_alike");
  // The list's spelling is what matched; a look-alike CN is found after O.
  auto cn = db.by_subject("Example Org", "AO Kasper\u200Bsky Lab");
  REQUIRE(cn);
  CHECK(cn->kind == MatchKind::LookAlike);
  CHECK(cn->part == SubjectPart::CommonName);
  CHECK(cn->matched == "AO Kaspersky Lab");
  // An exact CN beats a look-alike O.
  auto exact_cn = db.by_subject("\u0410\u041E Kaspersky Lab", "Microsoft Corporation");
  REQUIRE(exact_cn);
  CHECK(exact_cn->vendor->id == "microsoft");
  CHECK(exact_cn->kind == MatchKind::Exact);
}

TEST_CASE("the look-alike fold finds no vendor in names that are not the vendor's",
          "[attribute][vendor_db][look_alike]") {
  const VendorDb& db = look_alike_db();
  for (const char* name : {"Kaspersky Labs Antivirus Reviews Inc", "AO Kaspersky", "Kasper Sky Lab",
                           "Lab Kaspersky AO", "АО Касперский", "Microsoft Corp Fans", "Kaspersky Lab Reviews",
                           "\u200B", "", "Корпорация Майкрософт"}) {
    INFO(name);
    CHECK_FALSE(db.by_subject(name, name));
    CHECK_FALSE(db.by_company_name(name));
  }
}

TEST_CASE("by_copyright finds look-alike holders", "[attribute][vendor_db][look_alike]") {
  const VendorDb& db = look_alike_db();
  auto exact = db.by_copyright("Copyright (C) 2024 AO Kaspersky Lab. All rights reserved.");
  REQUIRE(exact);
  CHECK(exact->kind == MatchKind::Exact);
  auto look = db.by_copyright("Copyright (C) 2024 \u0410\u041E Kasper\u200Bsky Lab. All rights reserved.");
  REQUIRE(look);
  CHECK(look->vendor->id == "kaspersky");
  CHECK(look->kind == MatchKind::LookAlike);
  CHECK(look->field == MatchField::CopyrightHolder);
  CHECK_FALSE(db.by_copyright("Copyright (C) 2024 AO Kaspersky Labs Reviews"));
}

TEST_CASE("loader rejects two vendors whose names are look-alikes of each other",
          "[attribute][vendor_db][look_alike]") {
  constexpr std::string_view kList = R"(vendors:
  - id: acme
    name: Acme
    legal_names: [Acme Security Ltd]
    country: US
    category: antivirus
    sources: [{fact: test, source: ALT}]
  - id: acme-mirror
    name: Acme Mirror
    legal_names: [Асmе Security]
    country: RU
    category: antivirus
    sources: [{fact: test, source: ALT}]
)";
  auto db = VendorDb::parse(std::string{kLegend} + std::string{kList}, "mirror.yaml");
  REQUIRE_FALSE(db);
  CHECK_THAT(db.error().message, Catch::Contains("vendor 'acme-mirror': legal name 'Асmе Security'"));
  CHECK_THAT(db.error().message, Catch::Contains("look-alike key"));
  CHECK_THAT(db.error().message, Catch::Contains("vendor 'acme'"));
}

// ---------------------------------------------------------------------------------------------
// The shipped list

namespace {
const VendorDb& shipped() {
  static const Result<VendorDb> db = [] {
    const std::vector<std::filesystem::path> paths{std::filesystem::path{TRUSTSCAN_SOURCE_DIR} /
                                                   "signatures" / "vendors"};
    return VendorDb::load(paths);
  }();
  if (!db) FAIL(db.error().message);
  return *db;
}
}  // namespace

TEST_CASE("shipped vendor list loads and keeps its invariants", "[attribute][vendor_db][shipped]") {
  const VendorDb& db = shipped();
  CHECK(db.vendors().size() >= 250);  // issue 15, acceptance 3
  std::set<std::string> ids;
  std::set<std::string_view> countries;
  for (const Vendor& v : db.vendors()) {
    INFO(v.id << " at " << v.origin);
    CHECK(ids.insert(v.id).second);
    CHECK_FALSE(v.sources.empty());
    CHECK_FALSE(v.name.empty());
    if (v.country) CHECK(config::is_country_code(*v.country));
    CHECK((v.country_given || v.parent.has_value()));
    if (auto c = db.country_of(v)) countries.insert(*c);
    for (const SourceRef& s : v.sources) {
      // A fact backed only by the UNCONFIRMED key says so in its text.
      if (s.source == "UNCONFIRMED") CHECK_THAT(s.fact, Catch::Contains("UNCONFIRMED"));
    }
  }
  for (const char* c : {"RU", "BY", "CN", "IL", "IR", "KP", "US", "DE", "GB", "JP", "KR", "TW", "IN"}) {
    INFO(c);
    CHECK(countries.contains(c));
  }
}

TEST_CASE("shipped list attributes the signers of the Debian/npm/wine test tree",
          "[attribute][vendor_db][shipped]") {
  const VendorDb& db = shipped();
  struct Signer {
    const char* o;
    const char* cn;
    const char* vendor;
    MatchField field;
  };
  // Leaf subjects seen in /var/cache/trustscan/realtree (see docs/vendors.md, "Coverage").
  const auto signers = std::vector<Signer>{
      {"", "Debian Secure Boot Signer 2022 - linux", "debian", MatchField::LegalName},
      {"", "Debian Secure Boot Signer 2022 - grub2", "debian", MatchField::LegalName},
      {"", "Debian Secure Boot Signer 2022 - shim", "debian", MatchField::LegalName},
      {"", "Debian Secure Boot Signer 2022 - fwupd", "debian", MatchField::LegalName},
      {"", "Build time autogenerated kernel key", "linux-kernel", MatchField::SigningService},
      {"", "Microsoft Windows Third Party Component CA 2014", "microsoft", MatchField::SigningService},
      {"Apple Inc.", "Developer ID Certification Authority", "apple", MatchField::SigningService},
      {"Microsoft Corporation", "Microsoft Corporation", "microsoft", MatchField::LegalName},
      {"Microsoft Corporation", "Microsoft Windows UEFI Driver Publisher", "microsoft",
       MatchField::SigningService},
      {"Microsoft Corporation", "Microsoft UEFI CA 2023 signer", "microsoft",
       MatchField::SigningService},
      {"K Desktop Environment e.V.", "K Desktop Environment e.V.", "kde", MatchField::LegalName},
      {"GetSentry LLC", "Developer ID Application: GetSentry LLC (97JCY7859U)", "sentry",
       MatchField::LegalName},
  };
  for (const Signer& s : signers) {
    INFO(s.o << " / " << s.cn);
    auto m = db.by_subject(s.o, s.cn);
    REQUIRE(m);
    CHECK(m->vendor->id == s.vendor);
    CHECK(m->field == s.field);
  }
  CHECK(db.by_team_id("97JCY7859U")->vendor->id == "sentry");
  CHECK(db.by_copyright("Copyright (c) 1993-2023 the Wine project authors")->vendor->id == "wine");
  CHECK_FALSE(db.country_of(*db.find("linux-kernel")));
}

TEST_CASE("shipped list knows the Kaspersky names of the research notes",
          "[attribute][vendor_db][shipped]") {
  const VendorDb& db = shipped();
  for (const char* name :
       {"AO Kaspersky Lab", "Kaspersky Lab JSC", "Kaspersky Lab ZAO", "Kaspersky Lab"}) {
    auto m = db.by_subject(name, "");
    REQUIRE(m);
    CHECK(m->vendor->id == "kaspersky");
  }
  CHECK(db.country_of(*db.find("kaspersky")) == "RU");
  CHECK(db.by_file_name("klif.sys").front().vendor->id == "kaspersky");
  CHECK(db.jurisdictions(*db.find("riot-games")) == std::vector<std::string_view>{"US", "CN"});
  CHECK(db.jurisdictions(*db.find("avg")) == std::vector<std::string_view>{"CZ", "US"});
}

TEST_CASE("shipped list knows native-script legal names of flagged-country vendors",
          "[attribute][vendor_db][shipped]") {
  const VendorDb& db = shipped();
  const auto vendor_of = [](const std::optional<VendorMatch>& m) {
    return m ? m->vendor->id : std::string{"(none)"};
  };
  struct Native {
    const char* name;
    const char* vendor;
  };
  // Names as written in the vendors' own register forms (sources in the YAML entries).
  const auto names = std::vector<Native>{
      {"АО «Лаборатория Касперского»", "kaspersky"},
      {"ООО «Доктор Веб»", "doctor-web"},
      {"АО «Позитив Текнолоджиз»", "positive-technologies"},
      {"ООО «КРИПТО-ПРО»", "crypto-pro"},
      {"北京奇虎科技有限公司", "qihoo-360"},
      {"北京火绒网络科技有限公司", "huorong"},
      {"奇安信科技集团股份有限公司", "qi-anxin"},
      {"南京沁恒微电子股份有限公司", "wch"},
  };
  for (const Native& n : names) {
    INFO(n.name);
    auto as_subject = db.by_subject(n.name, n.name);
    CHECK(vendor_of(as_subject) == n.vendor);
    if (as_subject) {
      CHECK(as_subject->kind == MatchKind::Exact);
      CHECK(db.country_of(*as_subject->vendor) != std::nullopt);
    }
    CHECK(vendor_of(db.by_company_name(n.name)) == n.vendor);
  }
  // Full-width brackets fold like ASCII ones: the half-width spelling of Tencent's name matches.
  CHECK(vendor_of(db.by_company_name("腾讯科技(深圳)有限公司")) == "tencent");
  // A copyright line in the Russian form names Kaspersky.
  CHECK(vendor_of(db.by_copyright("© АО «Лаборатория Касперского», 2024")) == "kaspersky");
  // North Korea is covered, if only by name.
  CHECK(db.country_of(*db.find("silivaccine")) == "KP");
}
