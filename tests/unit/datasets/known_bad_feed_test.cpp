// The known-bad feed file (datasets/known_bad_feed.hpp): a feed reads back as written, and a
// damaged one is an error naming its line.
#include "datasets/known_bad_feed.hpp"

#include <catch2/catch.hpp>
#include <string>

#include "support/temp_tree.hpp"

using namespace trustscan;
using namespace trustscan::datasets;

namespace {

KnownBadFeedData sample_feed() {
  KnownBadFeedData f;
  f.source = "driver-block-rules";
  f.version = "10.0.1.0";
  f.entries = {{"ID_A", KnownBadCategory::Malicious, "name\twith tab\\ and\nnewline", {"CVE-2020-1234"}, {"https://x"}},
               {"ID_B", KnownBadCategory::VulnerableOrMalicious, "", {}, {}},
               {"ID_C", KnownBadCategory::Vulnerable, "signer", {}, {}}};
  f.samples = {{0, true, "a.sys"}, {0, std::nullopt, ""}};
  f.hashes = {{KeyKind::FileSha256, std::string(64, 'a'), 0, 1u},
              {KeyKind::PageSha1, std::string(40, 'b'), 1, std::nullopt}};
  f.attribute_rules = {
      {1, true, FileVersion{}, FileVersion::from_parts(1, 2, 3, 4), {{FileAttribute::OriginalFilename, "x.sys"}}},
      {2, false, FileVersion::from_parts(1, 0, 0, 0), FileVersion::max(), {}}};
  f.signer_rules = {{2, std::string(96, 'c'), "Publisher, Inc.", "", {0, 1}}, {2, std::string(40, 'd'), "", "OEM", {}}};
  return f;
}

/// The feed text with `from` (which must occur) replaced by `to`.
std::string damaged(const std::string& text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.substr(0, at) + to + text.substr(at + from.size());
}

}  // namespace

TEST_CASE("a feed reads back exactly as written", "[datasets][known_bad]") {
  test::TempTree t;
  const auto file = t.path() / "known_bad.tsv";
  REQUIRE(write_feed(file, sample_feed()));
  const auto back = read_feed(file);
  REQUIRE(back);
  CHECK(*back == sample_feed());
  REQUIRE(write_feed(file, KnownBadFeedData{"loldrivers", "", {}, {}, {}, {}, {}}));
  CHECK(read_feed(file)->entries.empty());
}

TEST_CASE("a damaged feed is an error naming its line", "[datasets][known_bad]") {
  test::TempTree t;
  const auto file = t.path() / "known_bad.tsv";
  REQUIRE(write_feed(file, sample_feed()));
  const std::string text = test::read_file(file);
  const std::string a64(64, 'a');
  const struct {
    std::string text;
    std::string message;
  } cases[] = {
      {text.substr(0, text.size() - 1), "no end (truncated file?)"},
      {text.substr(0, text.find("\nH\t") + 1), "no 'end' line"},
      {damaged(text, "end\t", "end\t9"), "line count does not match"},
      {damaged(text, a64, a64.substr(1) + "g"), ": malformed file_sha256"},
      {damaged(text, "file_sha256", "file_sha512"), "unknown hash kind 'file_sha512'"},
      {damaged(text, "\tmalicious\t", "\tbenign\t"), "unknown category 'benign'"},
      {damaged(text, "H\tpage_sha1\t" + std::string(40, 'b') + "\t1", "H\tpage_sha1\t" + std::string(40, 'b') + "\t7"),
       "no entry 7"},
      {damaged(text, "\t0,1\n", "\t0,2\n"), "no attribute rule 2"},
      {damaged(text, "\t1.2.3.4\t", "\t1.2.3\t"), "bad version range"},
      {damaged(text, "#trustscan-known-bad-feed\t1", "#trustscan-known-bad-feed\t2"), "feed format 2"},
      {damaged(text, "with tab\\\\", "with tab\\q"), "bad escape sequence"},
      {damaged(text, "\tOriginalFilename\tx.sys\n", "\n"), "a standalone rule must name a file"},
  };
  for (const auto& c : cases) {
    t.write("known_bad.tsv", c.text);
    const auto r = read_feed(file);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == Errc::Config);
    CHECK_THAT(r.error().message, Catch::Contains(file.string() + ":"));
    CHECK_THAT(r.error().message, Catch::Contains(c.message));
  }
}

TEST_CASE("names fold ASCII case only", "[datasets][known_bad]") {
  CHECK(fold_case("GDRV.Sys") == "gdrv.sys");
  CHECK(fold_case("\xC3\x84X") == "\xC3\x84x");  // non-ASCII bytes stay as they are
  CHECK(is_lower_hex(std::string(40, 'f'), 40));
  CHECK_FALSE(is_lower_hex(std::string(40, 'F'), 40));
  CHECK_FALSE(is_lower_hex(std::string(39, 'f'), 40));
}
