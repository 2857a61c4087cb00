// The known-bad importers (datasets/known_bad_import.hpp): the public data in ../shared/data
// imports with plausible counts and its listed hashes are found again; damaged YAML and XML are
// errors naming file and line; the SiPolicy semantics (scenarios, versions, superseded files).
#include "datasets/known_bad_import.hpp"

#include <catch2/catch.hpp>
#include <filesystem>
#include <regex>
#include <string>

#include "datasets/known_bad_feed.hpp"
#include "support/temp_tree.hpp"
#include "unit/datasets/known_bad_sources.hpp"

namespace fs = std::filesystem;
using namespace trustscan;
using namespace trustscan::datasets;

namespace {

/// 1-based line of the first occurrence of `needle` in `text`.
int line_of(const std::string& text, const std::string& needle) {
  const auto at = text.find(needle);
  REQUIRE(at != std::string::npos);
  return 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(at), '\n'));
}

const std::string kSample = "- Filename: a.sys\n  MD5: 0123456789abcdef0123456789abcdef\n"
                            "  SHA256: " + std::string(64, 'a') + "\n  LoadsDespiteHVCI: 'TRUE'\n";

/// Imports `source` with `importer` into a fresh directory; the error message, or "" on success.
std::string import_error(Importer importer, const fs::path& source) {
  test::TempTree out;
  auto r = importer(source, out.path());
  if (r) return "";
  CHECK(r.error().code == Errc::Config);
  return r.error().message;
}

}  // namespace

TEST_CASE("LOLDrivers and block rules import when present, and only then", "[datasets][known_bad]") {
  test::TempTree src, out;
  const auto absent = [](const Result<std::optional<DatasetInfo>>& r) { return r && !r->has_value(); };
  CHECK(absent(import_loldrivers(src.path(), out.path())));
  CHECK(absent(import_driver_block_rules(src.path(), out.path())));
  src.mkdir("loldrivers/yaml");
  CHECK_THAT(import_error(&import_loldrivers, src.path()), Catch::Contains("no .yaml files"));

  src.write("loldrivers/yaml/a.yaml", test::loldrivers_yaml("id-a", "malicious", kSample));
  auto info = import_loldrivers(src.path(), out.path());
  REQUIRE(info);
  REQUIRE(*info);
  CHECK((*info)->name == "loldrivers");
  CHECK((*info)->licence == "Apache-2.0");
  REQUIRE((*info)->files.size() == 1);
  CHECK((*info)->files[0].path == "loldrivers/yaml/a.yaml");
  CHECK((*info)->files[0].sha256.size() == 64);
  CHECK((*info)->counts.at("entries.malicious") == 1);
  CHECK((*info)->counts.at("hashes.file_md5") == 1);
  const auto feed = read_feed(out.path() / kKnownBadFeedFile);
  REQUIRE(feed);
  REQUIRE(feed->entries.size() == 1);
  CHECK(feed->entries[0].cves == std::vector<std::string>{"CVE-2023-12345"});
  CHECK(feed->samples.at(0).loads_despite_hvci == true);
  CHECK(feed->samples.at(0).file_name == "a.sys");
}

TEST_CASE("damaged LOLDrivers YAML is an error naming file and line", "[datasets][known_bad]") {
  const struct {
    std::string yaml;
    std::string needle;  // the line the message must name
    std::string message;
  } cases[] = {
      {test::loldrivers_yaml("id-a", "evil driver", kSample), "Category:", "Category 'evil driver' is neither"},
      {test::loldrivers_yaml("id-a", "malicious", "- MD5: 0123\n"), "MD5: 0123", "'0123' is not 32 hex digits"},
      {test::loldrivers_yaml("id-a", "malicious", "- SHA256: " + std::string(64, 'g') + "\n"),
       "SHA256:", "is not 64 hex digits"},
      {test::loldrivers_yaml("id-a", "malicious", "- Authentihash:\n    SHA1: abc\n"), "SHA1: abc",
       "Authentihash: SHA1: 'abc'"},
      {test::loldrivers_yaml("id-a", "malicious", "- sha256: " + std::string(64, 'a') + "\n"),
       "sha256:", "did you mean 'SHA256'"},
      {test::loldrivers_yaml("id-a", "malicious", "- LoadsDespiteHVCI: maybe\n"), "LoadsDespiteHVCI",
       "expected TRUE or FALSE"},
      {test::loldrivers_yaml("id-a", "malicious", "  {}\n"), "{}", "must be a list"},
      {"Tags:\n- x\nCategory: malicious\nKnownVulnerableSamples: []\n", "Tags:", "missing or empty 'Id'"},
      {"Id: x\nCategory: malicious: bad\nKnownVulnerableSamples: []\n",
       "Category:", "YAML syntax error: mapping values are not allowed in this context"},
      {"Id: x\nId: y\nCategory: malicious\nKnownVulnerableSamples: []\n", "Id: y", "duplicate key 'Id'"},
  };
  for (const auto& c : cases) {
    test::TempTree src;
    src.write("loldrivers/yaml/bad.yaml", c.yaml);
    const std::string message = import_error(&import_loldrivers, src.path());
    const std::string where =
        (src.path() / "loldrivers/yaml/bad.yaml").string() + ":" + std::to_string(line_of(c.yaml, c.needle));
    CHECK_THAT(message, Catch::Contains(where) && Catch::Contains(c.message));
  }
  test::TempTree src;  // a duplicate Id across files names both places
  src.write("loldrivers/yaml/a.yaml", test::loldrivers_yaml("same", "malicious", kSample));
  src.write("loldrivers/yaml/b.yaml", test::loldrivers_yaml("same", "vulnerable driver", kSample));
  CHECK_THAT(import_error(&import_loldrivers, src.path()),
             Catch::Contains("b.yaml:1: driver 'same': duplicate Id (first in ") && Catch::Contains("a.yaml:1)"));
}

TEST_CASE("LOLDrivers' drivers.json gives the feed of its YAML files, in any order", "[datasets][known_bad]") {
  const std::string sample_b = "- SHA1: " + std::string(40, 'b') + "\n";
  test::TempTree yaml, json, out_yaml, out_json;
  // Files named against their Id order: the feed is in Id order either way.
  yaml.write("loldrivers/yaml/1.yaml", test::loldrivers_yaml("id-b", "vulnerable driver", sample_b));
  yaml.write("loldrivers/yaml/2.yaml", test::loldrivers_yaml("id-a", "malicious", kSample));
  json.write("loldrivers/drivers.json",
             "[\n {\"Id\": \"id-a\", \"Tags\": [\"id-a.sys\"], \"Resources\": [\"https://example.invalid/id-a\"], "
             "\"Category\": \"malicious\", \"CVE\": "
             "[\"CVE-2023-12345\"],\n  \"KnownVulnerableSamples\": [{\"Filename\": \"a.sys\", \"MD5\": "
             "\"0123456789abcdef0123456789abcdef\", \"SHA256\": \"" +
                 std::string(64, 'a') +
                 "\", \"LoadsDespiteHVCI\": \"TRUE\"}]},\n {\"Id\": \"id-b\", \"Tags\": [\"id-b.sys\"], "
                 "\"Resources\": [\"https://example.invalid/id-b\"], \"Category\": "
                 "\"vulnerable driver\", \"CVE\": [\"CVE-2023-12345\"],\n  \"KnownVulnerableSamples\": [{\"SHA1\": \"" +
                 std::string(40, 'b') + "\"}]}\n]\n");
  auto from_yaml = import_loldrivers(yaml.path(), out_yaml.path());
  auto from_json = import_loldrivers(json.path(), out_json.path());
  REQUIRE(from_yaml);
  REQUIRE(from_json);
  REQUIRE(*from_json);
  CHECK((*from_json)->counts == (*from_yaml)->counts);
  REQUIRE((*from_json)->files.size() == 1);
  CHECK((*from_json)->files[0].path == "loldrivers/drivers.json");
  const auto a = read_feed(out_yaml.path() / kKnownBadFeedFile);
  const auto b = read_feed(out_json.path() / kKnownBadFeedFile);
  REQUIRE(a);
  REQUIRE(b);
  CHECK(*a == *b);
  REQUIRE(a->entries.size() == 2);
  CHECK(a->entries[0].id == "id-a");
  CHECK(a->samples.at(0).entry == 0);
  // Both forms present: the directory is read, and a note says so.
  yaml.write("loldrivers/drivers.json", "[]\n");
  auto both = import_loldrivers(yaml.path(), out_yaml.path());
  REQUIRE(both);
  REQUIRE((*both)->notes.size() == 1);
  CHECK_THAT((*both)->notes[0], Catch::Contains("drivers.json was not read"));
  // Not a list, and a damaged element: file and line.
  test::TempTree bad;
  bad.write("loldrivers/drivers.json", "{\"Id\": \"x\"}\n");
  CHECK_THAT(import_error(&import_loldrivers, bad.path()),
             Catch::Contains("drivers.json:1") && Catch::Contains("expected a list of drivers"));
  bad.write("loldrivers/drivers.json",
            "[\n {\"Id\": \"x\", \"Category\": \"evil\",\n  \"KnownVulnerableSamples\": []}\n]\n");
  CHECK_THAT(import_error(&import_loldrivers, bad.path()),
             Catch::Contains("drivers.json:2") && Catch::Contains("Category 'evil' is neither"));
}

TEST_CASE("damaged SiPolicy XML is an error naming file and line", "[datasets][known_bad]") {
  const std::string hash_rule = "<Deny ID=\"ID_DENY_A\" FriendlyName=\"a Hash Sha1\" Hash=\"" + std::string(40, 'A') + "\" />\n";
  const std::string ref = "<FileRuleRef RuleID=\"ID_DENY_A\" />\n";
  const std::string signer = "<Signer ID=\"ID_SIGNER_A\" Name=\"CA\">\n<CertRoot Type=\"TBS\" Value=\"" +
                             std::string(64, 'B') + "\" />\n";
  const std::string denied = "<DeniedSigner SignerId=\"ID_SIGNER_A\" />\n";
  const struct {
    std::string xml;
    std::string needle;
    std::string message;
  } cases[] = {
      {test::sipolicy("10.0.0.1", hash_rule, "<Signer ID=\"S\">\n", "", ref), "</Signers>", "XML error: mismatched tag"},
      {test::sipolicy("10.0.0.1", "<Deny ID=\"ID_DENY_A\" Hash=\"ABCD\" />\n", "", "", ref), "Hash=\"ABCD\"",
       "Hash 'ABCD' is neither a SHA-1 (40 hex digits) nor a SHA-256 (64)"},
      {test::sipolicy("10.0.0.1", hash_rule + "<Deny ID=\"ID_DENY_A\" FriendlyName=\"dup\" FileName=\"x\" />\n", "", "", ref),
       "\"dup\"", "file rule ID 'ID_DENY_A' defined twice"},
      {test::sipolicy("10.0.0.1", hash_rule, "", "", "<FileRuleRef RuleID=\"ID_DENY_B\" />\n"), "ID_DENY_B",
       "reference to undefined file rule 'ID_DENY_B'"},
      {test::sipolicy("10.0.0.1", "", signer + "<CertEKU ID=\"x\" />\n</Signer>\n", denied, ""), "<CertEKU",
       "<CertEKU> is not supported"},
      {test::sipolicy("10.0.0.1", "", "<Signer ID=\"ID_SIGNER_A\">\n<CertRoot Type=\"Wellknown\" Value=\"06\" />\n</Signer>\n",
                      denied, ""),
       "Wellknown", "CertRoot Type 'Wellknown' is not supported"},
      {test::sipolicy("10.0.0.1", "<Deny ID=\"ID_DENY_A\" FileName=\"x.sys\" MaximumFileVersion=\"1.2.3\" />\n", "", "", ref),
       "1.2.3\"", "MaximumFileVersion '1.2.3' is not a version"},
      {test::sipolicy("10.0.0.1", "<Deny ID=\"ID_DENY_A\" FilePath=\"C:\\x.sys\" />\n", "", "", ref), "FilePath",
       "attribute FilePath is not supported"},
      {test::sipolicy("ten", "", "", "", ""), "<VersionEx>", "'ten' is missing or not a version"},
      {"<?xml version=\"1.0\"?>\n<!DOCTYPE SiPolicy [<!ENTITY a \"b\">]>\n<SiPolicy xmlns=\"urn:schemas-microsoft-com:sipolicy\"/>\n",
       "<!DOCTYPE", "a DOCTYPE (DTD) is not allowed"},
      {"<?xml version=\"1.0\"?>\n<SiPolicy>\n</SiPolicy>\n", "<SiPolicy>", "is not in the SiPolicy namespace"},
  };
  for (const auto& c : cases) {
    test::TempTree src;
    src.write("wdac/bad.xml", c.xml);
    const std::string message = import_error(&import_driver_block_rules, src.path());
    CHECK_THAT(message, Catch::Contains("wdac/bad.xml:" + std::to_string(line_of(c.xml, c.needle)) + ": ") &&
                            Catch::Contains(c.message));
  }
}

TEST_CASE("block rules: only what a scenario uses, with deny version semantics", "[datasets][known_bad]") {
  const std::string rules =
      "<Allow ID=\"ID_ALLOW_ALL\" FriendlyName=\"\" FileName=\"*\" />\n"
      "<Deny ID=\"ID_DENY_FLAT\" FriendlyName=\"x.sys Hash Sha256\" Hash=\"" + std::string(64, 'C') + "\" />\n"
      "<Deny ID=\"ID_DENY_PAGE\" FriendlyName=\"x.sys Hash Page Sha1\" Hash=\"" + std::string(40, 'D') + "\" />\n"
      "<Deny ID=\"ID_DENY_UNUSED\" FriendlyName=\"y\" Hash=\"" + std::string(40, 'E') + "\" />\n"
      "<Deny ID=\"ID_DENY_MIN\" FriendlyName=\"CVE-2018-5701 amp\" FileName=\"amp.sys\" MinimumFileVersion=\"5.4.11.1\" />\n"
      "<Deny ID=\"ID_DENY_RANGE\" FriendlyName=\"r\" ProductName=\"P\" MinimumFileVersion=\"367.0.0.0\" "
      "MaximumFileVersion=\"367.65535.65535.65535\" />\n"
      "<FileAttrib ID=\"ID_FILEATTRIB_ANY\" FriendlyName=\"f\" FileName=\"*\" MaximumFileVersion=\"2.0.0.0\" />\n";
  const std::string signers = "<Signer ID=\"ID_SIGNER_A\" Name=\"Some CA\">\n<CertRoot Type=\"TBS\" Value=\"" +
                              std::string(96, 'F') + "\" />\n<CertPublisher Value=\"Pub\" />\n"
                              "<FileAttribRef RuleID=\"ID_FILEATTRIB_ANY\" />\n</Signer>\n"
                              "<Signer ID=\"ID_SIGNER_UNUSED\" Name=\"x\">\n<CertRoot Type=\"TBS\" Value=\"" +
                              std::string(40, 'A') + "\" />\n</Signer>\n";
  const std::string refs = "<FileRuleRef RuleID=\"ID_ALLOW_ALL\" />\n<FileRuleRef RuleID=\"ID_DENY_FLAT\" />\n"
                           "<FileRuleRef RuleID=\"ID_DENY_PAGE\" />\n<FileRuleRef RuleID=\"ID_DENY_MIN\" />\n"
                           "<FileRuleRef RuleID=\"ID_DENY_RANGE\" />\n";
  test::TempTree src, out;
  src.write("wdac/new.xml", test::sipolicy("10.0.2.0", rules, signers, "<DeniedSigner SignerId=\"ID_SIGNER_A\" />\n", refs));
  src.write("wdac/old.xml", test::sipolicy("10.0.1.0", "", "", "", ""));  // an older version: superseded
  auto info = import_driver_block_rules(src.path(), out.path());
  REQUIRE(info);
  REQUIRE(*info);
  CHECK((*info)->version == "10.0.2.0");
  CHECK((*info)->files.size() == 2);
  CHECK((*info)->counts.at("policies") == 1);
  CHECK((*info)->counts.at("policies.superseded") == 1);
  CHECK((*info)->counts.at("rules.deny.authenticode_sha256") == 1);
  CHECK((*info)->counts.at("rules.deny.page_sha1") == 1);
  CHECK((*info)->counts.at("rules.deny.file_attributes") == 2);
  CHECK((*info)->counts.at("rules.allow_not_used") == 1);
  CHECK((*info)->counts.at("rules.not_used_by_a_scenario") == 1);
  CHECK((*info)->counts.at("signers.denied") == 1);
  CHECK((*info)->counts.at("signers.not_used_by_a_scenario") == 1);
  const auto feed = read_feed(out.path() / kKnownBadFeedFile);
  REQUIRE(feed);
  CHECK(feed->version == "10.0.2.0");
  REQUIRE(feed->hashes.size() == 2);
  CHECK(feed->hashes[0].kind == KeyKind::AuthenticodeSha256);
  CHECK(feed->hashes[0].hex == std::string(64, 'c'));
  CHECK(feed->hashes[1].kind == KeyKind::PageSha1);
  REQUIRE(feed->attribute_rules.size() == 3);
  const auto rule = [&](const std::string& id) -> const FeedAttributeRule& {
    const auto it = std::ranges::find_if(feed->attribute_rules, [&](const auto& r) { return feed->entries[r.entry].id == id; });
    REQUIRE(it != feed->attribute_rules.end());
    return *it;
  };
  // A deny rule's lone MinimumFileVersion is an upper bound; both bounds are a range.
  const auto& min_only = rule("ID_DENY_MIN");
  CHECK(min_only.low == FileVersion{});
  CHECK(min_only.high == FileVersion::from_parts(5, 4, 11, 1));
  CHECK(min_only.standalone);
  CHECK(feed->entries[min_only.entry].cves == std::vector<std::string>{"CVE-2018-5701"});
  const auto& range = rule("ID_DENY_RANGE");
  CHECK(range.low == FileVersion::from_parts(367, 0, 0, 0));
  CHECK(range.high == FileVersion::from_parts(367, 65535, 65535, 65535));
  CHECK(range.names == std::vector<NameCondition>{{FileAttribute::ProductName, "P"}});
  // The signer's FileAttrib: FileName="*" names no file, so only the version range remains.
  const auto& any = rule("ID_FILEATTRIB_ANY");
  CHECK_FALSE(any.standalone);
  CHECK(any.names.empty());
  CHECK(any.high == FileVersion::from_parts(2, 0, 0, 0));
  REQUIRE(feed->signer_rules.size() == 1);
  CHECK(feed->signer_rules[0].tbs_hex == std::string(96, 'f'));
  CHECK(feed->signer_rules[0].publisher == "Pub");
  REQUIRE(feed->signer_rules[0].attribute_rules.size() == 1);
  CHECK(&feed->attribute_rules[feed->signer_rules[0].attribute_rules[0]] == &any);
  CHECK(feed->entries[feed->signer_rules[0].entry].id == "ID_SIGNER_A");
}

TEST_CASE("the public data imports with plausible counts", "[datasets][known_bad][shared_data]") {
  const auto* shared = test::imported_shared_data();
  if (shared == nullptr) {
    WARN("../shared/data is absent: the public-data import is not tested");
    return;
  }
  const auto& l = shared->loldrivers;
  REQUIRE(l);
  REQUIRE(*l);
  const auto& lc = (*l)->counts;
  CHECK(lc.at("entries") >= 600);
  CHECK(lc.at("entries.malicious") >= 80);
  CHECK(lc.at("entries.vulnerable") >= 400);
  CHECK(lc.at("hashes.file_sha256") >= 1500);
  CHECK(lc.at("hashes.authenticode_sha256") >= 1500);
  CHECK(lc.at("hashes.file_sha1") >= 1500);
  CHECK(lc.at("hashes.file_md5") >= 1500);
  CHECK((*l)->files.size() == lc.at("entries"));
  const auto& w = shared->block_rules;
  REQUIRE(w);
  REQUIRE(*w);
  const auto& wc = (*w)->counts;
  CHECK(wc.at("rules.deny.authenticode_sha1") >= 300);
  CHECK(wc.at("rules.deny.authenticode_sha256") >= 300);
  CHECK(wc.at("rules.deny.page_sha1") >= 150);
  CHECK(wc.at("rules.deny.page_sha256") >= 150);
  CHECK(wc.at("rules.deny.file_attributes") >= 5);
  CHECK(wc.at("signers.denied") >= 100);
  CHECK(wc.at("rules.file_attributes") >= 50);
  CHECK(FileVersion::parse((*w)->version));
  CHECK(read_feed(shared->dir.path() / kLolDriversDataset / kKnownBadFeedFile));
  CHECK(read_feed(shared->dir.path() / kDriverBlockRulesDataset / kKnownBadFeedFile));
}
