// Strict configuration helpers: document marks, typed readers, country codes, path expansion.
#include "config/reader.hpp"

#include <catch2/catch.hpp>
#include <filesystem>
#include <sstream>
#include <string>

#include "config/country.hpp"
#include "config/document.hpp"
#include "support/temp_tree.hpp"

using namespace trustscan;
using namespace trustscan::config;

namespace {

Document parse(std::string_view text, std::string name = "t.yaml") {
  auto doc = parse_text(text, std::move(name));
  REQUIRE(doc);
  return std::move(*doc);
}

const Value& member(const Value& mapping, std::string_view key) {
  for (const Entry& e : mapping.entries()) {
    if (e.key.text() == key) return e.value;
  }
  FAIL("no key " << key);
  return mapping;
}

}  // namespace

TEST_CASE("parse_text keeps file, line and column of every node", "[config]") {
  const Document doc = parse("a: 1\nlist:\n  - x\n  - {k: v}\nempty:\n", "cfg/x.yaml");
  const Value& root = doc.root();
  REQUIRE(root.is_mapping());
  CHECK(root.mark().to_string() == "cfg/x.yaml:1");
  const Value& list = member(root, "list");
  REQUIRE(list.is_sequence());
  REQUIRE(list.items().size() == 2);
  CHECK(list.items()[0].mark().line == 3);
  CHECK(list.items()[0].mark().column == 5);
  CHECK(list.items()[1].is_mapping());
  CHECK(list.items()[1].mark().line == 4);
  // An empty value is null and is placed on its key's line, not on the next token's.
  const Value& empty = member(root, "empty");
  CHECK(empty.is_null());
  CHECK(empty.mark().line == 5);
}

TEST_CASE("parse_text keeps scalars as text and remembers quoting", "[config]") {
  const Document doc = parse("plain: NO\nquoted: \"NO\"\nnum: 012\n");
  CHECK(member(doc.root(), "plain").text() == "NO");
  CHECK_FALSE(member(doc.root(), "plain").quoted());
  CHECK(member(doc.root(), "quoted").quoted());
  CHECK(member(doc.root(), "num").text() == "012");
}

TEST_CASE("parse_text keeps duplicate keys so readers can reject them", "[config]") {
  const Document doc = parse("id: a\nid: b\n");
  REQUIRE(doc.root().entries().size() == 2);
  CHECK(doc.root().entries()[1].key.mark().line == 2);
}

TEST_CASE("JSON parses too, with line numbers", "[config]") {
  const Document doc = parse("{\n  \"vendors\": [\n    {\"id\": \"x\"}\n  ]\n}\n", "v.json");
  const Value& vendors = member(doc.root(), "vendors");
  REQUIRE(vendors.items().size() == 1);
  CHECK(vendors.items()[0].mark().to_string() == "v.json:3");
  CHECK(member(vendors.items()[0], "id").quoted());
}

TEST_CASE("parse errors name file, line and column", "[config]") {
  SECTION("syntax") {
    auto doc = parse_text("a: [1,\nb: 2\n", "bad.yaml");
    REQUIRE_FALSE(doc);
    CHECK(doc.error().code == Errc::Config);
    CHECK_THAT(doc.error().message, Catch::StartsWith("bad.yaml:"));
    CHECK_THAT(doc.error().message, Catch::Contains("YAML syntax error"));
  }
  SECTION("two documents") {
    auto doc = parse_text("a: 1\n---\nb: 2\n", "two.yaml");
    REQUIRE_FALSE(doc);
    CHECK_THAT(doc.error().message, Catch::StartsWith("two.yaml:3: more than one YAML document"));
  }
  SECTION("too deep") {
    auto doc = parse_text("a: [[[[1]]]]\n", "deep.yaml",
                          ParseLimits{.max_file_bytes = 1024, .max_depth = 3});
    REQUIRE_FALSE(doc);
    CHECK_THAT(doc.error().message, Catch::Contains("nested deeper than 3 levels"));
  }
  SECTION("too large") {
    auto doc = parse_text(std::string(100, 'a'), "big.yaml",
                          ParseLimits{.max_file_bytes = 10, .max_depth = 8});
    REQUIRE_FALSE(doc);
    CHECK(doc.error().code == Errc::TooLarge);
  }
  SECTION("missing file") {
    auto doc = parse_file("/nonexistent/trustscan/x.yaml");
    REQUIRE_FALSE(doc);
    CHECK(doc.error().code == Errc::Io);
  }
}

TEST_CASE("an empty document has a null root", "[config]") {
  CHECK(parse("").root().is_null());
  CHECK(parse("# only a comment\n").root().is_null());
}

TEST_CASE("ObjectReader rejects unknown and duplicate keys with file:line", "[config]") {
  const Document doc = parse("id: a\ncontry: RU\nid: b\nzzzz: 1\n", "v.yaml");
  Diagnostics diag;
  ObjectReader r(doc.root(), "vendor", {"id", "country"}, diag);
  CHECK(r.valid());
  REQUIRE(diag.size() == 3);
  CHECK(diag.messages()[0] == "v.yaml:2: vendor: unknown key 'contry' (did you mean 'country'?)");
  CHECK(diag.messages()[1] == "v.yaml:3: vendor: duplicate key 'id' (first at line 1)");
  CHECK(diag.messages()[2] == "v.yaml:4: vendor: unknown key 'zzzz' (allowed: id country)");
}

TEST_CASE("ObjectReader typed getters report wrong types and missing keys", "[config]") {
  const Document doc = parse(
      "name: [a]\ncount: 12\nbig: 99999\nflag: yes\nok: true\nwhen: 2024-02-30\nday: 2024-06-20\n"
      "names: single\nlist: [a, 'b', \"c\"]\ncountry: NO\n",
      "t.yaml");
  Diagnostics diag;
  ObjectReader r(
      doc.root(), "thing",
      {"name", "count", "big", "flag", "ok", "when", "day", "names", "list", "country", "need"},
      diag);
  CHECK_FALSE(r.string("name"));
  CHECK(r.integer("count", 0, 100) == 12);
  CHECK_FALSE(r.integer("big", 0, 100));
  CHECK_FALSE(r.boolean("flag"));
  CHECK(r.boolean("ok") == true);
  CHECK_FALSE(r.date("when"));
  CHECK(r.date("day") == std::chrono::year_month_day{std::chrono::year{2024}, std::chrono::June,
                                                     std::chrono::day{20}});
  CHECK(r.strings("names").empty());
  CHECK(r.strings("list") == std::vector<std::string>{"a", "b", "c"});
  CHECK_FALSE(r.string("country"));
  CHECK_FALSE(r.string("need", Need::Required));
  const auto& m = diag.messages();
  REQUIRE(m.size() == 7);
  CHECK(m[0] == "t.yaml:1: thing: name: expected a string, found a list");
  CHECK(m[1] == "t.yaml:3: thing: big: expected an integer from 0 to 100, found '99999'");
  CHECK(m[2] == "t.yaml:4: thing: flag: expected true or false, found 'yes'");
  CHECK(m[3] == "t.yaml:6: thing: when: expected a date YYYY-MM-DD, found '2024-02-30'");
  CHECK(m[4] == "t.yaml:8: thing: names: expected a list of strings, found a string");
  CHECK_THAT(m[5],
             Catch::StartsWith("t.yaml:10: thing: country: unquoted 'NO' reads as a boolean"));
  CHECK_THAT(m[5], Catch::Contains("(\"NO\")"));
  CHECK(m[6] == "t.yaml:1: thing: missing required key 'need'");
  CHECK(diag.to_error().code == Errc::Config);
}

TEST_CASE("plain scalars that YAML would re-type are not strings", "[config]") {
  const Document doc =
      parse("[yes, Off, '~', 1e3, 0x1F, .inf, 2024-06-20, 12, Kaspersky, \"12\", ru]");
  const auto items = doc.root().items();
  std::vector<std::string> types;
  for (const Value& v : items) types.emplace_back(plain_scalar_type(v));
  CHECK(types == std::vector<std::string>{"a boolean", "a boolean", "", "a number", "a number",
                                          "a number", "a date", "a number", "", "", ""});
}

TEST_CASE("ObjectReader on a non-mapping reports once and reads nothing", "[config]") {
  const Document doc = parse("- a\n- b\n", "l.yaml");
  Diagnostics diag;
  ObjectReader r(doc.root(), "policy", {"x"}, diag);
  CHECK_FALSE(r.valid());
  CHECK_FALSE(r.string("x", Need::Required));
  REQUIRE(diag.size() == 1);
  CHECK(diag.messages()[0] ==
        "l.yaml:1: policy: expected a mapping (key: value lines), found a list");
}

TEST_CASE("Diagnostics caps the message it builds", "[config]") {
  Diagnostics diag;
  for (int i = 0; i < 30; ++i) diag.add("m" + std::to_string(i));
  const Error e = diag.to_error();
  CHECK_THAT(e.message, Catch::EndsWith("... and 5 more"));
}

TEST_CASE("edit_distance is capped", "[config]") {
  CHECK(edit_distance("country", "contry", 2) == 1);
  CHECK(edit_distance("kitten", "sitting", 5) == 3);
  CHECK(edit_distance("a", "abcdef", 2) == 3);
}

TEST_CASE("ISO 3166-1 alpha-2 codes", "[config]") {
  for (const char* code :
       {"RU", "BY", "CN", "HK", "TW", "IL", "IR", "US", "GB", "DE", "JP", "KR", "IN", "CU"}) {
    CHECK(is_country_code(code));
  }
  for (const char* code : {"ru", "UK", "EU", "XK", "ZZ", "", "R", "RUS"})
    CHECK_FALSE(is_country_code(code));
  CHECK(country_name("RU") == "Russian Federation");
  CHECK(country_name("TW") == "Taiwan");
  CHECK(country_name("XX").empty());
  CHECK(common_mistake("UK") == "GB");
}

TEST_CASE("expand_paths lists matching files in name order", "[config]") {
  test::TempTree tree;
  tree.write("d/b.yaml", "x: 1\n");
  tree.write("d/a.yaml", "x: 1\n");
  tree.write("d/c.txt", "x: 1\n");
  tree.write("e/readme.txt", "");
  const std::vector<std::string_view> ext{".yaml"};
  const std::vector<std::filesystem::path> dir{tree.path() / "d"};
  auto files = expand_paths(dir, ext);
  REQUIRE(files);
  REQUIRE(files->size() == 2);
  CHECK((*files)[0].filename() == "a.yaml");
  CHECK((*files)[1].filename() == "b.yaml");

  const std::vector<std::filesystem::path> empty{tree.path() / "e"};
  auto none = expand_paths(empty, ext);
  REQUIRE_FALSE(none);
  CHECK(none.error().code == Errc::Config);

  const std::vector<std::filesystem::path> missing{tree.path() / "nope"};
  auto gone = expand_paths(missing, ext);
  REQUIRE_FALSE(gone);
  CHECK(gone.error().code == Errc::Io);
}

namespace {

/// Every node of `v`, depth first: kind, mark, quoting and text, one line each.
void dump(const Value& v, std::string& out) {
  out += std::string(v.kind_name()) + " " + std::to_string(v.mark().line) + ":" + std::to_string(v.mark().column) +
         (v.quoted() ? " quoted " : " plain ") + v.text() + "\n";
  for (const Value& item : v.items()) dump(item, out);
  for (const Entry& e : v.entries()) {
    dump(e.key, out);
    dump(e.value, out);
  }
}

std::string dump(const Document& doc) {
  std::string out;
  dump(doc.root(), out);
  return out;
}

/// `dump`'s lines without their marks.
std::string without_marks(const std::string& dumped) {
  std::string out;
  std::istringstream in(dumped);
  for (std::string line; std::getline(in, line);) {
    const auto mark = line.find(' ', line.starts_with("a ") ? 2 : 0);
    out += line.substr(0, mark) + line.substr(line.find(' ', mark + 1)) + "\n";
  }
  return out;
}

}  // namespace

TEST_CASE("an alias is a copy of its anchor's node", "[config]") {
  const Document aliased = parse("a: &x [1, {k: v}]\nb: *x\nc: &s hi\nd: [*s, *x]\n");
  std::string a, b;
  dump(member(aliased.root(), "a"), a);
  dump(member(aliased.root(), "b"), b);
  CHECK(a == b);  // marks included: the anchor's
  const Value& d = member(aliased.root(), "d");
  REQUIRE(d.items().size() == 2);
  CHECK(d.items()[0].text() == "hi");
  CHECK(d.items()[0].mark().line == 3);
  // The same tree as the document written out, but for the copies' marks.
  const Document written = parse("a: [1, {k: v}]\nb: [1, {k: v}]\nc: hi\nd: [hi, [1, {k: v}]]\n");
  CHECK(without_marks(dump(aliased)) == without_marks(dump(written)));
}

TEST_CASE("an alias that names no finished anchor, or aliases that expand too far, are errors", "[config]") {
  SECTION("an unknown anchor") {
    auto doc = parse_text("a: *nowhere\n", "u.yaml");
    REQUIRE_FALSE(doc);
    CHECK_THAT(doc.error().message, Catch::StartsWith("u.yaml:1:4: YAML syntax error: alias *nowhere"));
  }
  SECTION("an alias inside its own anchor") {
    auto doc = parse_text("a: &x [1, *x]\n", "r.yaml");
    REQUIRE_FALSE(doc);
    CHECK_THAT(doc.error().message, Catch::Contains("alias *x refers to no anchor completed before it"));
  }
  SECTION("a billion laughs: 9 lines of aliases of aliases") {
    std::string text = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
    for (char c = 'b'; c <= 'i'; ++c) {
      text += std::string(1, c) + ": &" + c + " [";
      for (int i = 0; i < 10; ++i) text += std::string(i ? ", *" : "*") + static_cast<char>(c - 1);
      text += "]\n";
    }
    auto doc = parse_text(text, "lol.yaml");
    REQUIRE_FALSE(doc);
    // Lines 2-4 copy 12,330 nodes; each alias of line 5 copies 11,111 more: its 8th passes 100,000.
    CHECK_THAT(doc.error().message,
               Catch::StartsWith("lol.yaml:5:") && Catch::Contains("aliases expand to more than 100000 nodes"));
    CHECK(parse_text(text.substr(0, text.find("\ne:")), "four.yaml"));  // 4 lines stay below the limit
  }
}

TEST_CASE("a tag or quotes make a scalar a string; plain ~, null and empty are null", "[config]") {
  const Document doc = parse("a: ! yes\nb: !!str no\nc: !!null ~\nd: ~\ne: null\nf: 'null'\ng: |\n  text\nh: NULL\n");
  CHECK(member(doc.root(), "a").quoted());
  CHECK(member(doc.root(), "a").text() == "yes");
  CHECK(member(doc.root(), "b").quoted());
  CHECK(member(doc.root(), "c").is_scalar());  // a tag: never re-typed here
  CHECK(member(doc.root(), "d").is_null());
  CHECK(member(doc.root(), "e").is_null());
  CHECK(member(doc.root(), "f").text() == "null");
  CHECK(member(doc.root(), "f").quoted());
  CHECK(member(doc.root(), "g").text() == "text\n");
  CHECK(member(doc.root(), "g").quoted());
  CHECK(member(doc.root(), "h").is_null());
}

TEST_CASE("columns count characters, and bad encodings are errors with a line", "[config]") {
  const Document doc = parse("n: {a: ЗАО, b: c}\n");
  const Value& n = member(doc.root(), "n");
  REQUIRE(n.entries().size() == 2);
  CHECK(n.entries()[1].key.mark().column == 13);  // "n: {a: ЗАО, " is 12 characters (15 bytes)

  auto latin1 = parse_text("a: 1\nname: Soci\xe9t\xe9\n", "l.yaml");
  REQUIRE_FALSE(latin1);
  CHECK_THAT(latin1.error().message, Catch::StartsWith("l.yaml:2: YAML syntax error: invalid"));
  auto control = parse_text("a: 1\nb: x\x01y\n", "c.yaml");
  REQUIRE_FALSE(control);
  CHECK_THAT(control.error().message, Catch::StartsWith("c.yaml:2: YAML syntax error: control characters"));
}

TEST_CASE("nesting beyond the limit is refused without building it, however deep", "[config]") {
  // 8,000,000 levels make a file just under the 16 MiB limit; reading it to its end would take
  // libyaml hours (its scanner is quadratic in the depth of flow collections).
  for (const int levels : {70, 200'000, 8'000'000}) {
    INFO(levels);
    std::string deep = "a: " + std::string(static_cast<std::size_t>(levels), '[') +
                       std::string(static_cast<std::size_t>(levels), ']') + "\n";
    const auto doc = parse_text(deep, "deep.yaml");
    REQUIRE_FALSE(doc);
    CHECK(doc.error().message == "deep.yaml:1: nested deeper than 64 levels");
  }
  // The parse ends at the first node too deep: a syntax error after it is not looked for, one
  // before it is the error.
  const auto after = parse_text("a: " + std::string(100, '[') + "\n  - :\n", "b.yaml");
  REQUIRE_FALSE(after);
  CHECK(after.error().message == "b.yaml:1: nested deeper than 64 levels");
  const auto before = parse_text("a: b: c\nd: " + std::string(100, '[') + "\n", "b.yaml");
  REQUIRE_FALSE(before);
  CHECK_THAT(before.error().message, Catch::StartsWith("b.yaml:1:5: YAML syntax error: mapping values"));
  // Under the root mapping, 64 '[' open the deepest container allowed (level 64): it may be
  // empty; a scalar, an alias or a container inside it is too deep.
  const auto nested = [](std::string_view inner, int levels) {
    return parse_text("x: &x 1\ny: " + std::string(static_cast<std::size_t>(levels), '[') + std::string(inner) +
                          std::string(static_cast<std::size_t>(levels), ']') + "\n",
                      "d.yaml");
  };
  for (const std::string_view inner : {"s", "*x", "[]"}) {
    INFO(inner);
    CHECK(nested(inner, 63));
    const auto deeper = nested(inner, 64);
    REQUIRE_FALSE(deeper);
    CHECK(deeper.error().message == "d.yaml:2: nested deeper than 64 levels");
  }
  CHECK(nested("", 64));
}
