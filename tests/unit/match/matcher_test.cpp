#include "match/matcher.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <thread>
#include <vector>

#include "match/rule_set.hpp"
#include "support/temp_tree.hpp"
#include "unit/match/snippets.hpp"

using namespace trustscan;
using trustscan::test::TempTree;
using trustscan::test::snippets::bytes_of;

namespace {

constexpr std::string_view kMeta = R"(
    meta:
        vendor = "example"
        description = "test rule"
        confidence = "medium"
        reference = "tests/unit/match/matcher_test.cpp")";

/// Compiles `text` after replacing each "@META@" with the required meta block.
match::RuleSet compile_rules(const TempTree& t, std::string text) {
  for (std::size_t pos = 0; (pos = text.find("@META@", pos)) != std::string::npos;) {
    text.replace(pos, 6, std::string(kMeta) + "\n");
  }
  t.write("test.yar", text);
  auto rules = match::RuleSet::compile({t.path() / "test.yar"});
  INFO((rules ? std::string() : rules.error().message));
  REQUIRE(rules);
  return std::move(*rules);
}

std::vector<std::string> names(const std::vector<match::RuleMatch>& hits) {
  std::vector<std::string> out;
  for (const auto& h : hits) out.push_back(h.rule);
  return out;
}

}  // namespace

TEST_CASE("scan matches in-memory bytes and reports rule, namespace, tags, meta and strings", "[match]") {
  TempTree t;
  auto rules = compile_rules(t, R"(
rule Example_Hit : engine cert_subject
{@META@
        extra = 7
        flag = true
    strings:
        $first = "needle-one"
        $second = { 6E 65 65 64 6C 65 2D 74 77 6F }
        $absent = "never-present"
    condition:
        $first and $second and not $absent
}
rule Example_Miss
{@META@
    strings:
        $x = "not-in-the-buffer"
    condition:
        $x
}
)");
  auto matcher = match::Matcher::create(rules);
  REQUIRE(matcher);
  const std::string data = "xxxxneedle-one....needle-two..needle-one";
  auto hits = matcher->scan(bytes_of(data), {});
  REQUIRE(hits);
  REQUIRE(hits->size() == 1);
  const auto& h = hits->front();
  CHECK(h.rule == "Example_Hit");
  CHECK(h.ns == "test");
  CHECK(h.tags == std::vector<std::string>{"engine", "cert_subject"});
  CHECK(h.vendor() == "example");
  CHECK(h.confidence() == match::Confidence::Medium);
  CHECK(h.meta.at("extra") == "7");
  CHECK(h.meta.at("flag") == "true");
  REQUIRE(h.strings.size() == 2);
  CHECK(h.strings[0].identifier == "$first");
  CHECK(h.strings[0].offset == 4);  // first occurrence only
  CHECK(h.strings[0].length == 10);
  CHECK(h.strings[1].identifier == "$second");
  CHECK(h.strings[1].offset == 18);
  CHECK_FALSE(h.strings_truncated);
}

TEST_CASE("external variables are visible to rules and set per scan", "[match]") {
  TempTree t;
  auto rules = compile_rules(t, R"(
rule Ext_Name { @META@ condition: filename == "klif.sys" and extension == "sys" }
rule Ext_Path { @META@ condition: filepath matches /\/drivers\/[^\/]+$/ }
rule Ext_Format { @META@ condition: format == "pe" }
rule Ext_Kernel { @META@ condition: privilege == "kernel" }
rule Ext_Unknown { @META@ condition: privilege == "unknown" and format == "unknown" and filename == "" }
)");
  auto matcher = match::Matcher::create(rules);
  REQUIRE(matcher);
  const std::string data = "MZ";

  auto defaults = matcher->scan(bytes_of(data), {});
  REQUIRE(defaults);
  CHECK(names(*defaults) == std::vector<std::string>{"Ext_Unknown"});

  match::MatchExternals ext{.filename = "klif.sys",
                            .filepath = "/img/Windows/System32/drivers/klif.sys",
                            .extension = "sys",
                            .format = Format::Pe,
                            .privilege = Privilege::Kernel};
  auto all = matcher->scan(bytes_of(data), ext);
  REQUIRE(all);
  CHECK(names(*all) == std::vector<std::string>{"Ext_Name", "Ext_Path", "Ext_Format", "Ext_Kernel"});

  // Values do not leak into the next scan.
  auto again = matcher->scan(bytes_of(data), {.format = Format::MachOFat, .privilege = Privilege::User});
  REQUIRE(again);
  CHECK(again->empty());
}

TEST_CASE("matched strings per rule are bounded", "[match]") {
  TempTree t;
  std::string text = "rule Many_Strings\n{@META@\n    strings:\n";
  std::string data;
  for (int i = 0; i < 20; ++i) {
    text += "        $s" + std::to_string(i) + " = \"token-" + std::to_string(100 + i) + "\"\n";
    data += "token-" + std::to_string(100 + i) + " ";
  }
  text += "    condition:\n        all of them\n}\n";
  auto rules = compile_rules(t, text);
  auto matcher = match::Matcher::create(rules, {.max_strings_per_rule = 5});
  REQUIRE(matcher);
  auto hits = matcher->scan(bytes_of(data), {});
  REQUIRE(hits);
  REQUIRE(hits->size() == 1);
  CHECK(hits->front().strings.size() == 5);
  CHECK(hits->front().strings_truncated);
  CHECK(hits->front().strings[4].identifier == "$s4");
}

TEST_CASE("empty input and moved matchers work", "[match]") {
  TempTree t;
  auto rules = compile_rules(t, "rule Always_True { @META@ condition: filesize == 0 }\n");
  auto created = match::Matcher::create(rules);
  REQUIRE(created);
  match::Matcher matcher = std::move(*created);
  auto hits = matcher.scan({}, {});
  REQUIRE(hits);
  CHECK(names(*hits) == std::vector<std::string>{"Always_True"});
}

TEST_CASE("one rule set is shared read-only by matchers on several threads", "[match]") {
  TempTree t;
  auto rules = compile_rules(t, R"(rule Shared_Hit { @META@ strings: $a = "shared-needle" condition: $a })");
  const std::string hit = std::string(4096, 'x') + "shared-needle";
  const std::string miss(4096, 'y');
  std::vector<int> counts(4, 0);
  std::vector<std::thread> threads;
  for (int w = 0; w < 4; ++w) {
    threads.emplace_back([&, w] {
      auto matcher = match::Matcher::create(rules);  // RuleSet copy semantics: shared, not recompiled
      if (!matcher) return;
      for (int i = 0; i < 200; ++i) {
        auto r = matcher->scan(bytes_of(i % 2 ? hit : miss), {});
        if (r && r->size() == (i % 2 ? 1u : 0u)) ++counts[static_cast<std::size_t>(w)];
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(counts == std::vector<int>{200, 200, 200, 200});
}

TEST_CASE("a gated rule gives what it gives in one stage, in its gate's place; a gate alone gives nothing", "[match]") {
  // One rule set with Example_Engine whole, one with a gate of that name in the index and the
  // rule in gated.yar. Every way the rule fires needs $api (the gate's string).
  const std::string before = "rule Example_Before\n{" + std::string(kMeta) +
                             "\n    strings:\n        $a = \"marker-before\"\n    condition:\n        $a\n}\n";
  const std::string after = "rule Example_After\n{" + std::string(kMeta) +
                            "\n    strings:\n        $a = \"marker-after\"\n    condition:\n        $a\n}\n";
  const std::string engine =
      "rule Example_Engine : engine\n{" + std::string(kMeta) +
      "\n    strings:\n        $api = \"engineInitialize\"\n        $file = \"engine.dll\" nocase\n"
      "    condition:\n        $api and $file\n}\n";
  const std::string gate =
      "rule Example_Engine : gate\n{\n    strings:\n        $api = \"engineInitialize\"\n"
      "    condition:\n        $api\n}\n";
  TempTree t;
  t.write("one/index.yar", before + engine + after);
  t.write("two/index.yar", before + gate + after);
  t.write("two/gated.yar", engine);
  auto one = match::RuleSet::compile({t.path() / "one"});
  auto two = match::RuleSet::compile({t.path() / "two"});
  REQUIRE(one);
  REQUIRE(two);
  std::vector<std::string> listed;
  for (const auto& r : two->rules())
    listed.push_back(r.name + (r.tags == std::vector<std::string>{"engine"} ? "*" : ""));
  CHECK(listed == std::vector<std::string>{"Example_Before", "Example_Engine*", "Example_After"});
  auto m1 = match::Matcher::create(*one);
  auto m2 = match::Matcher::create(*two);
  REQUIRE(m1);
  REQUIRE(m2);
  for (const std::string text : {"marker-before engineInitialize ENGINE.DLL marker-after",  // all three
                                 "marker-before engineInitialize marker-after",             // gate only
                                 "engine.dll marker-after",                                 // file only
                                 "engineInitialize engine.dll", ""}) {
    INFO(text);
    auto r1 = m1->scan(bytes_of(text), {});
    auto r2 = m2->scan(bytes_of(text), {});
    REQUIRE(r1);
    REQUIRE(r2);
    CHECK(names(*r2) == names(*r1));
    for (std::size_t i = 0; i < r1->size() && i < r2->size(); ++i) {
      CHECK((*r2)[i].tags == (*r1)[i].tags);
      CHECK((*r2)[i].strings.size() == (*r1)[i].strings.size());
    }
  }
  auto all = m2->scan(bytes_of(std::string("marker-before engineInitialize ENGINE.DLL marker-after")), {});
  REQUIRE(all);
  CHECK(names(*all) == std::vector<std::string>{"Example_Before", "Example_Engine", "Example_After"});
  auto gate_only = m2->scan(bytes_of(std::string("engineInitialize")), {});
  REQUIRE(gate_only);
  CHECK(gate_only->empty());
}
