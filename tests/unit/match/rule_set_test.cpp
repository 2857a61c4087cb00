#include "match/rule_set.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <string>

#include "support/temp_tree.hpp"

using namespace trustscan;
using trustscan::test::TempTree;

namespace {

constexpr std::string_view kMeta = R"(
    meta:
        vendor = "example"
        description = "test rule"
        confidence = "high"
        reference = "tests/unit/match/rule_set_test.cpp")";

std::string rule_text(std::string_view name, std::string_view condition = "true") {
  return "rule " + std::string(name) + "\n{" + std::string(kMeta) + "\n    condition:\n        " +
         std::string(condition) + "\n}\n";
}

std::filesystem::path shipped_rules() { return std::filesystem::path(TRUSTSCAN_SOURCE_DIR) / "rules"; }

}  // namespace

TEST_CASE("compile reports syntax errors as file:line: message", "[match]") {
  TempTree t;
  t.write("bad.yar", rule_text("Ok_One") + "\n\nrule Broken_Two {\n  condition:\n    undefined_thing\n}\n");
  auto rules = match::RuleSet::compile({t.path() / "bad.yar"});
  REQUIRE_FALSE(rules);
  CHECK(rules.error().code == Errc::Config);
  const auto expected_prefix = (t.path() / "bad.yar").string() + ":15: ";
  INFO(rules.error().message);
  CHECK(rules.error().message.rfind(expected_prefix, 0) == 0);
  CHECK(rules.error().message.find("undefined identifier") != std::string::npos);
}

TEST_CASE("compile locates errors inside included files", "[match]") {
  TempTree t;
  t.write("index.yar", "include \"sub/inner.yar\"\n");
  t.write("sub/inner.yar", "\n\n" + rule_text("Inner_Rule", "filesize >") );
  auto rules = match::RuleSet::compile({t.path()});
  REQUIRE_FALSE(rules);
  INFO(rules.error().message);
  CHECK(rules.error().message.find("sub/inner.yar:") != std::string::npos);
}

TEST_CASE("an error in one of several included files is reported once, at the right place", "[match]") {
  // libyara's messages after the first one name the wrong file; only the first is reported.
  TempTree t;
  t.write("rules/index.yar", "include \"vendors/a.yar\"\ninclude \"vendors/b.yar\"\ninclude \"vendors/c.yar\"\n");
  t.write("rules/vendors/a.yar", rule_text("A_Rule"));
  t.write("rules/vendors/b.yar", rule_text("B_Rule", "unknown_external == 1"));
  t.write("rules/vendors/c.yar", rule_text("C_Rule"));
  auto rules = match::RuleSet::compile({t.path() / "rules"});
  REQUIRE_FALSE(rules);
  const auto& msg = rules.error().message;
  INFO(msg);
  CHECK(msg.rfind((t.path() / "rules" / "vendors" / "b.yar").string() + ":9: undefined identifier", 0) == 0);
  CHECK(msg.find("can't open include") == std::string::npos);
}

TEST_CASE("compile fails on missing paths, empty directories and unreadable includes", "[match]") {
  TempTree t;
  auto missing = match::RuleSet::compile({t.path() / "nope.yar"});
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code == Errc::Config);
  CHECK(missing.error().message.find("nope.yar:0:") != std::string::npos);

  t.mkdir("empty");
  auto empty = match::RuleSet::compile({t.path() / "empty"});
  REQUIRE_FALSE(empty);
  CHECK(empty.error().message.find("no *.yar") != std::string::npos);

  t.write("inc.yar", "include \"does_not_exist.yar\"\n");
  auto inc = match::RuleSet::compile({t.path() / "inc.yar"});
  REQUIRE_FALSE(inc);
  CHECK(inc.error().message.find("inc.yar:1: ") != std::string::npos);
}

TEST_CASE("a public rule without the required meta is a load error naming file:line", "[match]") {
  TempTree t;
  t.write("meta.yar", rule_text("Complete_Rule") +
                          "\n// a comment mentioning rule Fake_Rule\n"
                          "rule Missing_Vendor\n{\n    meta:\n        description = \"x\"\n"
                          "        confidence = \"high\"\n        reference = \"r\"\n"
                          "    condition:\n        true\n}\n"
                          "private rule Helper_Private { condition: true }\n");
  auto rules = match::RuleSet::compile({t.path() / "meta.yar"});
  REQUIRE_FALSE(rules);
  CHECK(rules.error().code == Errc::Config);
  INFO(rules.error().message);
  CHECK(rules.error().message ==
        (t.path() / "meta.yar").string() + ":13: rule 'Missing_Vendor' lacks required meta 'vendor'");
}

TEST_CASE("meta values are validated: confidence level, vendor slug, text type", "[match]") {
  TempTree t;
  t.write("values.yar",
          "rule Bad_Values\n{\n    meta:\n        vendor = \"Not A Slug\"\n        description = \"\"\n"
          "        confidence = \"certain\"\n        reference = 42\n    condition:\n        true\n}\n");
  auto rules = match::RuleSet::compile({t.path() / "values.yar"});
  REQUIRE_FALSE(rules);
  const auto& msg = rules.error().message;
  INFO(msg);
  CHECK(msg.find("values.yar:1: rule 'Bad_Values' meta 'vendor' must be a vendor id") != std::string::npos);
  CHECK(msg.find("meta 'description' must be a non-empty text string") != std::string::npos);
  CHECK(msg.find("meta 'confidence' must be low, medium or high, not 'certain'") != std::string::npos);
  CHECK(msg.find("meta 'reference' must be a non-empty text string") != std::string::npos);
}

TEST_CASE("compiler warnings are errors by default and kept when allowed", "[match]") {
  TempTree t;
  t.write("slow.yar", "rule Slow_Rule\n{" + std::string(kMeta) +
                          "\n    strings:\n        $a = \"a\"\n    condition:\n        $a\n}\n");
  auto strict = match::RuleSet::compile({t.path() / "slow.yar"});
  REQUIRE_FALSE(strict);
  INFO(strict.error().message);
  CHECK(strict.error().message.find("slow.yar:9: warning: ") != std::string::npos);
  CHECK(strict.error().message.find("slow down scanning") != std::string::npos);

  auto lenient = match::RuleSet::compile({t.path() / "slow.yar"}, {.warnings_as_errors = false});
  REQUIRE(lenient);
  REQUIRE(lenient->warnings().size() == 1);
  CHECK(lenient->warnings()[0].level == match::RuleDiagnostic::Level::Warning);
  CHECK(lenient->warnings()[0].line == 9);
}

TEST_CASE("directories: index.yar wins, otherwise every rule file in sorted order", "[match]") {
  TempTree t;
  t.write("with_index/index.yar", "include \"a.yar\"\n");
  t.write("with_index/a.yar", rule_text("A_Rule"));
  t.write("with_index/unlisted.yar", rule_text("Unlisted_Rule"));
  t.write("plain/b.yara", rule_text("B_Rule"));
  t.write("plain/sub/a.yar", rule_text("A2_Rule"));
  t.write("plain/notes.txt", "not a rule");

  auto rules = match::RuleSet::compile({t.path() / "with_index", t.path() / "plain"});
  REQUIRE(rules);
  std::vector<std::string> names;
  for (const auto& r : rules->rules()) names.push_back(r.ns + "." + r.name);
  CHECK(names == std::vector<std::string>{"with_index.A_Rule", "b.B_Rule", "a.A2_Rule"});
  CHECK(rules->sources().size() == 3);
}

TEST_CASE("the shipped rules compile with zero warnings and complete meta", "[match][rules]") {
  auto rules = match::RuleSet::compile({shipped_rules()}, {.warnings_as_errors = false});
  REQUIRE(rules);
  CHECK(rules->warnings().empty());
  for (const auto& w : rules->warnings()) WARN(w.to_string());
  CHECK(rules->sources() ==
        std::vector<std::filesystem::path>{shipped_rules() / "index.yar", shipped_rules() / "gated.yar"});
  REQUIRE(rules->rules().size() >= 60);
  for (const auto& r : rules->rules()) {
    INFO(r.name);
    CHECK(r.ns == "rules");
    CHECK(match::confidence_from_string(r.meta.at("confidence")).has_value());
    CHECK(!r.meta.at("vendor").empty());
    CHECK(!r.meta.at("reference").empty());
    CHECK(r.tags.size() >= 1);
  }
  // And with the default (strict) options too, as the CLI loads them.
  CHECK(match::RuleSet::compile({shipped_rules() / "index.yar"}).has_value());
}

TEST_CASE("a gate without its gated rule, or a gated rule without its gate, is a configuration error", "[match]") {
  TempTree t;
  t.write("r/index.yar", rule_text("Ok_One") + "rule Gated_Two : gate\n{\n    condition:\n        true\n}\n");
  SECTION("a gated.yar without the gate's rule, with a rule of its own") {
    t.write("r/gated.yar", rule_text("Other_Three"));
    auto rules = match::RuleSet::compile({t.path() / "r"});
    REQUIRE_FALSE(rules);
    CHECK(rules.error().code == Errc::Config);
    INFO(rules.error().message);
    CHECK(rules.error().message.find("gate 'Gated_Two' has no gated rule of that name") != std::string::npos);
    CHECK(rules.error().message.find("gated rule 'Other_Three' has no gate in the index") != std::string::npos);
    // Each located where it is declared.
    CHECK(rules.error().message.find((t.path() / "r" / "index.yar").string() + ":11: gate") != std::string::npos);
    CHECK(rules.error().message.find((t.path() / "r" / "gated.yar").string() + ":1: gated rule") != std::string::npos);
  }
  SECTION("no gated.yar beside the index") {
    auto rules = match::RuleSet::compile({t.path() / "r"});
    REQUIRE_FALSE(rules);
    CHECK(rules.error().code == Errc::Config);
    CHECK(rules.error().message.find("gate 'Gated_Two' has no gated rule of that name") != std::string::npos);
  }
}

TEST_CASE("fingerprint_of gives compile's fingerprint without compiling, and changes with any file", "[match]") {
  TempTree t;
  t.write("r/index.yar", "include \"sub/inner.yar\"\n" + rule_text("Ok_One") +
                             "rule Gated_Two : gate\n{\n    condition:\n        true\n}\n");
  t.write("r/sub/inner.yar", rule_text("Inner_Rule"));
  t.write("r/gated.yar", rule_text("Gated_Two"));
  const std::vector<std::filesystem::path> paths{t.path() / "r", shipped_rules() / "index.yar"};
  auto compiled = match::RuleSet::compile(paths);
  REQUIRE(compiled);
  auto fingerprint = match::RuleSet::fingerprint_of(paths);
  REQUIRE(fingerprint);
  CHECK(*fingerprint == compiled->fingerprint());
  // The included file and the gated rules are part of it.
  for (const char* file : {"r/sub/inner.yar", "r/gated.yar"}) {
    INFO(file);
    const std::string before = *fingerprint;
    t.write(file, rule_text(std::string(file).ends_with("gated.yar") ? "Gated_Two" : "Inner_Rule", "false"));
    auto changed = match::RuleSet::fingerprint_of(paths);
    REQUIRE(changed);
    CHECK(*changed != before);
    fingerprint = changed;
  }
  // A file that does not compile has a fingerprint all the same: compiling it is what fails.
  t.write("r/sub/inner.yar", "rule {");
  CHECK(match::RuleSet::fingerprint_of(paths).has_value());
  CHECK_FALSE(match::RuleSet::compile(paths).has_value());
  // A missing path fails as compile() does.
  auto missing = match::RuleSet::fingerprint_of({t.path() / "nope.yar"});
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code == Errc::Config);
  CHECK(missing.error().message == match::RuleSet::compile({t.path() / "nope.yar"}).error().message);
}
