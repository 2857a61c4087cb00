// The known-bad matcher (match/known_bad.hpp), end to end: self-made drivers (built by
// tools/make_known_bad_samples.sh) listed in a test feed by each kind of key, imported with the
// real importers, matched from the facts parse/ and verify/ give; and hashes listed in the
// public data (../shared/data), read from the sources at test time, found again.
#include "match/known_bad.hpp"

#include <catch2/catch.hpp>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <string>

#include "core/limits.hpp"
#include "core/ascii.hpp"
#include "datasets/known_bad_import.hpp"
#include "io/hashing.hpp"
#include "parse/parser.hpp"
#include "support/temp_tree.hpp"
#include "unit/datasets/known_bad_sources.hpp"
#include "unit/verify/authenticode_test_support.hpp"
#include "verify/authenticode.hpp"
#include "verify/trust_store.hpp"

namespace fs = std::filesystem;
using namespace trustscan;
using namespace trustscan::match;
using datasets::KeyKind;

namespace {

const fs::path kSamples = TRUSTSCAN_KNOWN_BAD_SAMPLES_DIR;
constexpr std::int64_t k2026_01_01 = 1767225600;

/// A driver and the facts the matcher is given about it (what the pipeline will pass).
struct Driver {
  std::string sha256;
  parse::BinaryModel model;
  verify::AuthenticodeResult authenticode;
  verify::AuthenticodeHashes first_page;

  [[nodiscard]] KnownBadFacts facts() const {
    KnownBadFacts f;
    f.file_sha256 = sha256;
    f.authenticode_sha256 = authenticode.hashes.sha256;
    f.authenticode_sha1 = authenticode.hashes.sha1;
    f.page_sha256 = first_page.sha256;
    f.page_sha1 = first_page.sha1;
    set_version_names(f, model.pe->version_info);
    f.file_version = model.pe->file_version;
    for (const auto& s : authenticode.signatures) {
      SignerFacts signer{{}, s.signer.subject_cn, s.program_name};
      for (const auto& c : s.chain) signer.chain_tbs_hashes.push_back(c.tbs_hash);
      f.signers.push_back(std::move(signer));
    }
    return f;
  }
};

const verify::TrustStore& trust() {
  static const verify::TrustStore store = [] {
    auto s = verify::TrustStore::load({kSamples / "trust"});
    if (!s) FAIL("known-bad samples missing (tools/make_known_bad_samples.sh did not run): " << s.error().message);
    return std::move(*s);
  }();
  return store;
}

Driver driver(const std::string& name) {
  const auto bytes = test::read_bytes(kSamples / name);
  REQUIRE(!bytes.empty());
  Driver d;
  d.sha256 = io::sha256_hex(bytes);
  auto model = parse::parse_binary(Format::Pe, bytes, Limits{});
  REQUIRE(model);
  REQUIRE(model->pe);
  d.model = std::move(*model);
  d.authenticode = verify::verify_authenticode(bytes, d.model.pe->layout, {&trust(), k2026_01_01});
  auto page = verify::first_page_hashes(bytes, d.model.pe->layout);
  REQUIRE(page);
  d.first_page = *page;
  return d;
}

/// "ALGORITHM HEX" written by the sample script, computed with openssl, not trustscan.
std::string tbs_of(const std::string& cert) {
  std::ifstream in(kSamples / "ca" / (cert + ".tbs"));
  std::string algorithm, hex;
  in >> algorithm >> hex;
  REQUIRE(hex.size() >= 40);
  return hex;
}

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

/// Both feeds imported from ../shared/data; nullopt (with a warning) when this checkout has none.
std::optional<KnownBadFeed> shared_feed() {
  const auto* shared = test::imported_shared_data();
  if (shared == nullptr) {
    WARN("../shared/data is absent: the public-data lookups are not tested");
    return std::nullopt;
  }
  REQUIRE(shared->loldrivers);
  REQUIRE(shared->block_rules);
  auto feed = KnownBadFeed::load(shared->dir.path());
  REQUIRE(feed);
  return std::move(*feed);
}

/// id -> kind of every match.
std::map<std::string, KeyKind> ids(const std::vector<KnownBadMatch>& matches) {
  std::map<std::string, KeyKind> out;
  for (const auto& m : matches) out.emplace(m.id, m.kind);
  return out;
}

}  // namespace

TEST_CASE("the chain's TBS hashes are those openssl computes, with each certificate's own hash",
          "[match][known_bad][verify]") {
  const Driver d = driver("kbdrv-1.2.3.4.sys");
  REQUIRE(d.authenticode.status() == verify::SignatureStatus::Valid);
  const auto& chain = d.authenticode.signatures.at(0).chain;
  REQUIRE(chain.size() == 3);
  CHECK(chain[0].tbs_hash == tbs_of("publisher"));  // sha256WithRSA
  CHECK(chain[1].tbs_hash == tbs_of("driver-ca"));  // sha384WithRSA: a 96-digit SHA-384
  CHECK(chain[1].tbs_hash.size() == 96);
  CHECK(chain[2].tbs_hash == tbs_of("root"));
}

TEST_CASE("first-page hashes are the first entry of osslsigncode's page-hash table", "[match][known_bad][verify]") {
  for (const std::string md : {"sha1", "sha256"}) {
    INFO(md);
    const auto bytes = test::read_bytes(kSamples / "page-hashes" / ("kbdrv-" + md + ".sys"));
    const auto layout = test::pe_layout_from_bytes(bytes);
    REQUIRE(layout);
    const auto page = verify::first_page_hashes(bytes, *layout);
    REQUIRE(page);
    std::ifstream in(kSamples / "page-hashes" / ("kbdrv-" + md + ".txt"));
    std::string table;  // "00000000" (offset 0), then the first page's hash, cut after 32 bytes
    in >> table;
    REQUIRE(table.size() == 64);
    if (md == "sha1")
      CHECK(upper(page->sha1) == table.substr(8, 40));
    else
      CHECK(upper(page->sha256).starts_with(table.substr(8)));
    // The headers' CheckSum and certificate-table entry are left out: the unsigned copy's page is the same.
    CHECK(driver("kbdrv-unsigned.sys").first_page == *page);
  }
  const auto bytes = test::read_bytes(kSamples / "kbdrv-unsigned.sys");
  auto layout = *test::pe_layout_from_bytes(bytes);
  layout.size_of_headers = 8192;
  CHECK(verify::first_page_hashes(bytes, layout).error().code == Errc::Unsupported);
  layout.size_of_headers = layout.security_dir_offset;
  CHECK(verify::first_page_hashes(bytes, layout).error().code == Errc::Malformed);
}

TEST_CASE("self-made drivers match exactly the test feed's keys that name them", "[match][known_bad]") {
  const Driver unsigned_ = driver("kbdrv-unsigned.sys");  // 1.2.3.4, unsigned
  const Driver v1234 = driver("kbdrv-1.2.3.4.sys");
  const Driver v1250 = driver("kbdrv-1.2.5.0.sys");
  const Driver other = driver("other-unsigned.sys");
  REQUIRE(v1234.model.pe->file_version == FileVersion::from_parts(1, 2, 3, 4));
  REQUIRE(v1250.model.pe->file_version == FileVersion::from_parts(1, 2, 5, 0));
  for (const Driver* d : {&unsigned_, &v1234, &v1250}) REQUIRE(d->first_page.sha1 != other.first_page.sha1);

  test::TempTree src, data;
  src.write("loldrivers/yaml/kb.yaml", test::loldrivers_yaml("kb-malicious", "malicious",
                                                             "- Filename: kbdrv.sys\n  SHA256: " + upper(unsigned_.sha256) +
                                                                 "\n  LoadsDespiteHVCI: 'TRUE'\n"));
  const std::string ca = upper(tbs_of("driver-ca"));
  const std::string leaf = tbs_of("publisher");
  const std::string rules =
      "<Deny ID=\"ID_DENY_KB_SHA1\" FriendlyName=\"kbdrv Hash Sha1\" Hash=\"" + upper(v1234.authenticode.hashes.sha1) + "\" />\n"
      "<Deny ID=\"ID_DENY_KB_SHA256\" FriendlyName=\"kbdrv Hash Sha256\" Hash=\"" + v1250.authenticode.hashes.sha256 + "\" />\n"
      "<Deny ID=\"ID_DENY_KB_NAME\" FriendlyName=\"kbdrv\" FileName=\"KBDRV.SYS\" MinimumFileVersion=\"0.0.0.0\" "
      "MaximumFileVersion=\"1.2.4.65535\" />\n"
      "<Deny ID=\"ID_DENY_OTHER_PAGE\" FriendlyName=\"otherdrv Hash Page Sha1\" Hash=\"" + other.first_page.sha1 + "\" />\n"
      "<FileAttrib ID=\"ID_FILEATTRIB_KB_125\" FriendlyName=\"kbdrv 1.2.5.0\" FileName=\"kbdrv.sys\" "
      "MinimumFileVersion=\"1.2.5.0\" MaximumFileVersion=\"1.2.5.0\" />\n";
  const auto signer = [](const std::string& id, const std::string& tbs, const std::string& more) {
    return "<Signer ID=\"" + id + "\" Name=\"n\">\n<CertRoot Type=\"TBS\" Value=\"" + tbs + "\" />\n" + more + "</Signer>\n";
  };
  const std::string signers =
      signer("ID_SIGNER_KB", ca, "<CertPublisher Value=\"trustscan Test Driver Publisher\" />\n") +
      signer("ID_SIGNER_KB_125", ca, "<FileAttribRef RuleID=\"ID_FILEATTRIB_KB_125\" />\n") +
      signer("ID_SIGNER_OTHER", ca, "<CertPublisher Value=\"Somebody Else\" />\n") +
      signer("ID_SIGNER_LEAF", leaf, "<CertOemID Value=\"another program\" />\n") +
      signer("ID_SIGNER_LEAF_OEM", leaf, "<CertOemID Value=\"trustscan known-bad test\" />\n");
  std::string denied, refs;
  for (const char* id : {"ID_SIGNER_KB", "ID_SIGNER_KB_125", "ID_SIGNER_OTHER", "ID_SIGNER_LEAF", "ID_SIGNER_LEAF_OEM"})
    denied += "<DeniedSigner SignerId=\"" + std::string{id} + "\" />\n";
  for (const char* id : {"ID_DENY_KB_SHA1", "ID_DENY_KB_SHA256", "ID_DENY_KB_NAME", "ID_DENY_OTHER_PAGE"})
    refs += "<FileRuleRef RuleID=\"" + std::string{id} + "\" />\n";
  src.write("wdac/test.xml", test::sipolicy("10.0.0.1", rules, signers, denied, refs));
  data.mkdir("loldrivers");
  data.mkdir("driver-block-rules");
  REQUIRE(datasets::import_loldrivers(src.path(), data.path() / "loldrivers"));
  REQUIRE(datasets::import_driver_block_rules(src.path(), data.path() / "driver-block-rules"));
  const auto feed = KnownBadFeed::load(data.path());
  REQUIRE(feed);

  // The Authenticode hash leaves out the signature: the unsigned copy has the signed one's.
  const auto u = feed->match(unsigned_.facts());
  CHECK(ids(u) == std::map<std::string, KeyKind>{{"kb-malicious", KeyKind::FileSha256},
                                                 {"ID_DENY_KB_SHA1", KeyKind::AuthenticodeSha1},
                                                 {"ID_DENY_KB_NAME", KeyKind::FileAttributes}});
  const auto& lol = *std::ranges::find(u, std::string{"kb-malicious"}, &KnownBadMatch::id);
  CHECK(lol.source == "loldrivers");
  CHECK(lol.category == datasets::KnownBadCategory::Malicious);
  CHECK(lol.value == unsigned_.sha256);
  CHECK(lol.loads_despite_hvci == true);
  CHECK(lol.cves == std::vector<std::string>{"CVE-2023-12345"});
  CHECK(lol.references == std::vector<std::string>{"https://example.invalid/kb-malicious"});

  // 1.2.3.4 is within the name rule's bound (<= 1.2.4.65535), below the FileAttrib's (1.2.5.0).
  CHECK(ids(feed->match(v1234.facts())) == std::map<std::string, KeyKind>{
                                               {"ID_DENY_KB_SHA1", KeyKind::AuthenticodeSha1},
                                               {"ID_DENY_KB_NAME", KeyKind::FileAttributes},
                                               {"ID_SIGNER_KB", KeyKind::Signer},
                                               {"ID_SIGNER_LEAF_OEM", KeyKind::Signer}});
  // 1.2.5.0 is above the name rule's bound and exactly the FileAttrib's.
  const auto m1250 = feed->match(v1250.facts());
  CHECK(ids(m1250) == std::map<std::string, KeyKind>{{"ID_DENY_KB_SHA256", KeyKind::AuthenticodeSha256},
                                                     {"ID_SIGNER_KB", KeyKind::Signer},
                                                     {"ID_SIGNER_KB_125", KeyKind::Signer},
                                                     {"ID_SIGNER_LEAF_OEM", KeyKind::Signer}});
  const auto& via = *std::ranges::find(m1250, std::string{"ID_SIGNER_KB_125"}, &KnownBadMatch::id);
  CHECK(via.via == "ID_FILEATTRIB_KB_125");
  CHECK(via.category == datasets::KnownBadCategory::VulnerableOrMalicious);
  CHECK_THAT(via.value, Catch::StartsWith("TBS " + tbs_of("driver-ca")) &&
                            Catch::Contains("OriginalFilename=kbdrv.sys, version 1.2.5.0 in [1.2.5.0, 1.2.5.0]"));
  CHECK(ids(feed->match(other.facts())) == std::map<std::string, KeyKind>{{"ID_DENY_OTHER_PAGE", KeyKind::PageSha1}});
}

TEST_CASE("a file's SHA-1 and MD5 are needed only for samples listed without a SHA-256", "[match][known_bad]") {
  datasets::KnownBadFeedData d;
  d.source = "loldrivers";
  d.entries = {{"a", datasets::KnownBadCategory::Vulnerable, "a.sys", {}, {}}};
  d.samples = {{0, false, "a.sys"}, {0, std::nullopt, "b.sys"}};
  d.hashes = {{KeyKind::FileSha256, std::string(64, 'a'), 0, 0u},
              {KeyKind::FileMd5, std::string(32, 'b'), 0, 0u},    // sample 0 is found by its SHA-256
              {KeyKind::FileSha1, std::string(40, 'c'), 0, 1u}};  // sample 1 only by this SHA-1
  const auto feed = KnownBadFeed::from({d});
  CHECK(feed.needs(KeyKind::FileSha256));
  CHECK_FALSE(feed.needs(KeyKind::FileMd5));
  CHECK(feed.needs(KeyKind::FileSha1));
  CHECK_FALSE(feed.needs(KeyKind::PageSha1));
  CHECK_FALSE(feed.needs(KeyKind::Signer));
  const std::string sha1(40, 'c');
  KnownBadFacts facts;
  facts.file_sha1 = sha1;
  const auto m = feed.match(facts);
  REQUIRE(m.size() == 1);
  CHECK(m[0].kind == KeyKind::FileSha1);
  CHECK_FALSE(m[0].loads_despite_hvci.has_value());  // sample 1 does not say
  facts.file_sha256 = std::string_view{d.hashes[0].hex};
  const auto both = feed.match(facts);  // one match per entry, by the strongest key
  REQUIRE(both.size() == 1);
  CHECK(both[0].kind == KeyKind::FileSha256);
  CHECK(both[0].loads_despite_hvci == false);
}

TEST_CASE("feeds load only from data sets that exist, and never damaged", "[match][known_bad]") {
  test::TempTree data;
  auto empty = KnownBadFeed::load(data.path());
  REQUIRE(empty);
  CHECK(empty->empty());
  CHECK_FALSE(empty->needs(KeyKind::FileSha1));
  CHECK(empty->match(KnownBadFacts{}).empty());
  data.mkdir("loldrivers");
  CHECK_FALSE(KnownBadFeed::load(data.path()));  // a data set directory without its feed
  data.write("loldrivers/known_bad.tsv", "#trustscan-known-bad-feed\t1\nsource\tdriver-block-rules\nend\t2\n");
  const auto wrong = KnownBadFeed::load(data.path());
  REQUIRE_FALSE(wrong);
  CHECK_THAT(wrong.error().message, Catch::Contains("a 'driver-block-rules' feed in the 'loldrivers' data set"));
  data.write("loldrivers/known_bad.tsv", "#trustscan-known-bad-feed\t1\nsource\tloldrivers\nH\tfile_sha1\t" +
                                             std::string(40, 'a') + "\t0\t\nend\t3\n");
  const auto damaged = KnownBadFeed::load(data.path());
  REQUIRE_FALSE(damaged);
  CHECK_THAT(damaged.error().message, Catch::Contains("known_bad.tsv:3: no entry 0"));
}

TEST_CASE("hashes listed in the public data are found again", "[match][known_bad][shared_data]") {
  const auto feed = shared_feed();
  if (!feed) return;
  // LOLDrivers lists a few samples by SHA-1 or MD5 only; the block rules have page hashes.
  CHECK(feed->needs(KeyKind::FileSha1));
  CHECK(feed->needs(KeyKind::FileMd5));
  CHECK(feed->needs(KeyKind::PageSha256));
  CHECK(feed->needs(KeyKind::Signer));

  // LOLDrivers: the first sample's SHA-256 and Authenticode SHA-256 of a few entries, read with
  // a regular expression (the sample list's members sit at column 2, Authentihash's at 4).
  int checked = 0;
  for (const auto& entry : fs::directory_iterator(*test::shared_data() / "loldrivers" / "yaml")) {
    if (checked == 5) break;
    if (entry.file_size() > 200'000) continue;  // std::regex is slow on the few 1 MB entries
    const std::string text = test::read_file(entry.path());
    std::smatch id, sha256, authentihash;
    if (!std::regex_search(text, id, std::regex("^Id: ([0-9a-f-]+)$", std::regex::multiline)) ||
        !std::regex_search(text, sha256, std::regex("^  SHA256: ([0-9a-fA-F]{64})$", std::regex::multiline)) ||
        !std::regex_search(text, authentihash,
                           std::regex("^  Authentihash:\n(    [A-Z0-9]+: .*\n)*?    SHA256: ([0-9a-fA-F]{64})$",
                                      std::regex::multiline)))
      continue;
    const std::string file_hash = trustscan::fold_case(sha256[1].str());
    const std::string image_hash = trustscan::fold_case(authentihash[2].str());
    KnownBadFacts by_file, by_image;
    by_file.file_sha256 = file_hash;
    by_image.authenticode_sha256 = image_hash;
    CHECK(ids(feed->match(by_file)).contains(id[1].str()));
    CHECK(ids(feed->match(by_image)).contains(id[1].str()));
    ++checked;
  }
  CHECK(checked == 5);
}

TEST_CASE("block rules in the public data are found again by each kind of key", "[match][known_bad][shared_data]") {
  const auto feed = shared_feed();
  if (!feed) return;
  // The policy that is imported: the highest VersionEx.
  std::string policy;
  FileVersion newest{};
  for (const auto& entry : fs::directory_iterator(*test::shared_data() / "wdac")) {
    if (entry.path().extension() != ".xml") continue;
    std::string text = test::read_file(entry.path());
    std::smatch v;
    REQUIRE(std::regex_search(text, v, std::regex("<VersionEx>([0-9.]+)</VersionEx>")));
    if (const auto version = FileVersion::parse(v[1].str()); version && *version >= newest) {
      newest = *version;
      policy = std::move(text);
    }
  }
  REQUIRE(!policy.empty());
  std::smatch m;
  // A flat SHA-256 rule and a page SHA-256 rule.
  REQUIRE(std::regex_search(policy, m, std::regex("<Deny ID=\"([^\"]+)\" FriendlyName=\"[^\"]* Hash Sha256\" Hash=\"([0-9A-F]{64})\"")));
  std::string lower = trustscan::fold_case(m[2].str());
  KnownBadFacts flat;
  flat.authenticode_sha256 = lower;
  CHECK(ids(feed->match(flat)).at(m[1].str()) == KeyKind::AuthenticodeSha256);  // (Microsoft lists some twice)
  REQUIRE(std::regex_search(policy, m, std::regex("<Deny ID=\"([^\"]+)\" FriendlyName=\"[^\"]* Hash Page Sha256\" Hash=\"([0-9A-F]{64})\"")));
  std::string page_hash = trustscan::fold_case(m[2].str());
  KnownBadFacts page;
  page.page_sha256 = page_hash;
  CHECK(ids(feed->match(page)).at(m[1].str()) == KeyKind::PageSha256);

  // A deny rule by file name with an upper version bound: matched at the bound, not above it.
  REQUIRE(std::regex_search(policy, m, std::regex("<Deny ID=\"([^\"]+)\" FriendlyName=\"[^\"]*\" FileName=\"([^\"]+)\" "
                                                  "MinimumFileVersion=\"0.0.0.0\" MaximumFileVersion=\"([0-9]+\\.[0-9]+\\.[0-9]+\\.[0-9]+)\"")));
  const auto bound = FileVersion::parse(m[3].str());
  REQUIRE(bound);
  REQUIRE(*bound < FileVersion::max());
  const std::string name = m[2].str();
  KnownBadFacts at_bound;
  at_bound.version_names[0] = name;
  at_bound.file_version = *bound;
  CHECK(ids(feed->match(at_bound)).contains(m[1].str()));
  KnownBadFacts above = at_bound;
  above.file_version = FileVersion{bound->packed + 1};
  CHECK_FALSE(ids(feed->match(above)).contains(m[1].str()));

  // A denied signer with CertRoot and CertPublisher only: its TBS hash and CN match, another CN not.
  REQUIRE(std::regex_search(policy, m, std::regex("<Signer ID=\"([^\"]+)\" Name=\"[^\"]*\">\\s*"
                                                  "<CertRoot Type=\"TBS\" Value=\"([0-9A-F]+)\" />\\s*"
                                                  "<CertPublisher Value=\"([^\"]+)\" />\\s*</Signer>")));
  KnownBadFacts signed_by;
  signed_by.signers.push_back({{"00", trustscan::fold_case(m[2].str())}, m[3].str(), ""});
  CHECK(ids(feed->match(signed_by)).contains(m[1].str()));
  signed_by.signers[0].publisher = "Somebody Else";
  CHECK_FALSE(ids(feed->match(signed_by)).contains(m[1].str()));
}
