// Windows catalogs (issue 6): samples built by tools/make_catalog_samples.sh (fixture
// build_catalog_samples), catalog timestamps (RFC 3161, PKCS#9), robustness on garbage, and the
// index build time over 5,000 members.

#include "verify/catalog.hpp"

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "unit/verify/authenticode_test_support.hpp"
#include "verify/trust_store.hpp"

namespace fs = std::filesystem;
using namespace trustscan;
using namespace trustscan::verify;

namespace {

constexpr std::int64_t k2026_01_01 = 1767225600;
const fs::path kCatalogs = fs::path(TRUSTSCAN_SAMPLES_DIR) / "catalog";

bool have_samples() {
  if (fs::exists(kCatalogs / "ca" / "root.pem") && fs::exists(kCatalogs / "driver.cat"))
    return true;
  FAIL("catalog samples missing in " << kCatalogs.string()
                                     << " (tools/make_catalog_samples.sh did not run)");
  return false;
}

const TrustStore& sample_trust() {
  static const TrustStore store = [] {
    auto s = TrustStore::load({kCatalogs / "ca"});
    if (!s) FAIL("cannot load test CA: " << s.error().message);
    return std::move(*s);
  }();
  return store;
}

VerifyContext ctx() { return VerifyContext{&sample_trust(), k2026_01_01}; }

/// (sha256, sha1) of a file listed in hashes.txt ("<sha256>  <sha1>  <path>").
std::pair<std::string, std::string> hashes_of(const std::string& file_name) {
  std::ifstream in(kCatalogs / "hashes.txt");
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string sha256, sha1, path;
    fields >> sha256 >> sha1 >> path;
    if (fs::path(path).filename() == file_name) return {sha256, sha1};
  }
  FAIL("no hashes for " << file_name);
  return {};
}

Catalog load(const std::string& name, const VerifyContext& c) {
  const auto bytes = test::read_bytes(kCatalogs / name);
  auto cat = parse_catalog(bytes, (kCatalogs / name).string(), c);
  if (!cat) FAIL(name << ": " << cat.error().message);
  return std::move(*cat);
}

std::string testing_flags(VerifyFlags flags) {
  std::string out;
  for (const std::string& f : flag_names(flags)) out += (out.empty() ? "" : ",") + f;
  return out;
}

std::string upper(std::string s) {
  for (char& ch : s)
    if (ch >= 'a' && ch <= 'f') ch = static_cast<char>(ch - 'a' + 'A');
  return s;
}

}  // namespace

TEST_CASE("a catalog signed by the test CA parses and verifies", "[verify][catalog]") {
  if (!have_samples()) return;
  const Catalog cat = load("driver.cat", ctx());
  INFO(cat.signature.errors.size() << " errors, first: "
                                   << (cat.signature.errors.empty() ? "" : cat.signature.errors[0]));
  CHECK(cat.signature.status == SignatureStatus::Valid);
  CHECK(cat.signature.signer.subject_cn == "trustscan Catalog Signer");
  CHECK(cat.signature.digest_algorithm == "sha256");
  CHECK(cat.subject_algorithm == "1.3.6.1.4.1.311.12.1.2");
  CHECK(cat.this_update == std::optional<std::string>("2025-01-01T00:00:00Z"));
  CHECK(cat.warnings.empty());  // Windows form
  REQUIRE(cat.members.size() == 2);
  const auto [sha256, sha1] = hashes_of("driver.sys");
  CHECK(cat.members[0].digest_algorithm == "sha1");
  CHECK(cat.members[0].digest_hex == sha1);
  CHECK(cat.members[0].tag == sha1);
  CHECK(cat.members[1].digest_algorithm == "sha256");
  CHECK(cat.members[1].digest_hex == sha256);
  CHECK(cat.members[1].file_name == "driver.sys");
  REQUIRE_FALSE(cat.members[1].name_values.empty());
  CHECK(cat.members[1].name_values[0].first == "File");

  SECTION("without the anchor it is untrusted, never valid") {
    auto untrusted = parse_catalog(test::read_bytes(kCatalogs / "driver.cat"), "driver.cat",
                                   VerifyContext{nullptr, k2026_01_01});
    REQUIRE(untrusted.has_value());
    CHECK(untrusted->signature.status == SignatureStatus::Untrusted);
    CHECK(has_flag(untrusted->signature.flags, VerifyFlag::UntrustedRoot));
  }
  SECTION("the CMS form (CTL in an OCTET STRING) is read too") {
    const Catalog cms = load("cms-form.p7", ctx());
    CHECK(cms.signature.status == SignatureStatus::Valid);
    CHECK(cms.members.size() == 2);
    CHECK_FALSE(cms.warnings.empty());
  }
}

// Timestamped catalogs: driver.cat's CTL signed by a certificate valid 2020-01-01..2021-01-01,
// timestamped 2020-06-01 by "trustscan Catalog Test TSA" (same test root). At the test clock
// (2026) the signer has long expired: only a verified timestamp can make such a catalog valid.
constexpr std::int64_t k2020_05_01 = 1588291200;

bool has_error(const Signature& s, std::string_view needle) {
  for (const std::string& e : s.errors)
    if (e.find(needle) != std::string::npos) return true;
  return false;
}

TEST_CASE("catalog with an RFC 3161 timestamp: expired signer, valid at the timestamp time",
          "[verify][catalog][timestamp]") {
  if (!have_samples()) return;
  const Catalog cat = load("driver-ts.cat", ctx());
  const Signature& s = cat.signature;
  INFO("flags " << testing_flags(s.flags) << "; first error: " << (s.errors.empty() ? "" : s.errors[0]));
  CHECK(s.status == SignatureStatus::Valid);
  CHECK(s.flags == static_cast<VerifyFlags>(VerifyFlag::RevocationNotChecked));
  CHECK(s.errors.empty());
  CHECK(s.signer.subject_cn == "trustscan Expired Catalog Signer");
  CHECK(s.signer.not_after == "2021-01-01T00:00:00Z");
  CHECK(s.timestamp_kind == "rfc3161");
  CHECK(s.timestamp == std::optional<std::string>("2020-06-01T00:00:00Z"));
  CHECK(s.verification_time_source == "timestamp");
  REQUIRE(s.timestamp_authority.has_value());
  CHECK(s.timestamp_authority->find("CN=trustscan Catalog Test TSA") == 0);
  CHECK(s.signing_time == std::optional<std::string>("2020-06-01T00:00:00Z"));
  REQUIRE(s.chain.size() == 2);
  CHECK(s.chain[1].subject_cn == "trustscan Catalog Test Root");
  // Same CTL as driver.cat: the index finds the driver through it.
  const auto [sha256, sha1] = hashes_of("driver.sys");
  REQUIRE(cat.members.size() == 2);
  CHECK(cat.members[1].digest_hex == sha256);

  SECTION("a clock before the timestamp: the timestamp proves nothing, chain at the clock") {
    const Catalog early = load("driver-ts.cat", VerifyContext{&sample_trust(), k2020_05_01});
    CHECK(early.signature.verification_time_source == "scan_time");
    CHECK(has_flag(early.signature.flags, VerifyFlag::BadTimestamp));
    CHECK(has_error(early.signature, "later than the verification clock"));
    // The signer itself was valid on 2020-05-01; a bad timestamp alone does not invalidate.
    CHECK(early.signature.status == SignatureStatus::Valid);
    CHECK_FALSE(has_flag(early.signature.flags, VerifyFlag::Expired));
  }
  SECTION("without the anchor neither the TSA nor the signer chains: never valid") {
    auto none = parse_catalog(test::read_bytes(kCatalogs / "driver-ts.cat"), "driver-ts.cat",
                              VerifyContext{nullptr, k2026_01_01});
    REQUIRE(none.has_value());
    CHECK(none->signature.status == SignatureStatus::Invalid);
    CHECK(has_flag(none->signature.flags, VerifyFlag::BadTimestamp));
    CHECK(has_flag(none->signature.flags, VerifyFlag::UntrustedRoot));
    CHECK(has_flag(none->signature.flags, VerifyFlag::Expired));
    CHECK(none->signature.verification_time_source == "scan_time");
  }
}

TEST_CASE("catalog with a timestamp over another signature: invalid, expired + bad_timestamp",
          "[verify][catalog][timestamp]") {
  if (!have_samples()) return;
  const Catalog cat = load("driver-ts-bad.cat", ctx());
  const Signature& s = cat.signature;
  INFO("flags " << testing_flags(s.flags));
  CHECK(s.status == SignatureStatus::Invalid);
  CHECK(has_flag(s.flags, VerifyFlag::BadTimestamp));
  CHECK(has_flag(s.flags, VerifyFlag::Expired));
  // The catalog's own signature is intact: only the timestamp is wrong.
  CHECK_FALSE(has_flag(s.flags, VerifyFlag::BadSignature));
  CHECK(has_error(s, "message imprint does not match"));
  CHECK(s.verification_time_source == "scan_time");
  // The (unusable) timestamp is still reported.
  CHECK(s.timestamp_kind == "rfc3161");
  CHECK(s.timestamp == std::optional<std::string>("2020-06-01T00:00:00Z"));
}

TEST_CASE("catalog with a legacy PKCS#9 countersignature: valid at the countersignature time",
          "[verify][catalog][timestamp]") {
  if (!have_samples()) return;
  const Catalog cat = load("driver-ts-pkcs9.cat", ctx());
  const Signature& s = cat.signature;
  INFO("flags " << testing_flags(s.flags) << "; first error: " << (s.errors.empty() ? "" : s.errors[0]));
  CHECK(s.status == SignatureStatus::Valid);
  CHECK(s.flags == static_cast<VerifyFlags>(VerifyFlag::RevocationNotChecked));
  CHECK(s.timestamp_kind == "pkcs9");
  CHECK(s.timestamp == std::optional<std::string>("2020-06-01T00:00:00Z"));
  CHECK(s.verification_time_source == "timestamp");
  REQUIRE(s.timestamp_authority.has_value());
  CHECK(s.timestamp_authority->find("CN=trustscan Catalog Test TSA") == 0);
}

TEST_CASE("a timestamp whose own signature is broken is not used", "[verify][catalog][timestamp]") {
  if (!have_samples()) return;
  // The last bytes of both files are the timestamp's signature value: the RFC 3161 token's
  // SignerInfo (inside the last unauthenticated attribute) or the PKCS#9 countersignature.
  const std::string name = GENERATE("driver-ts.cat", "driver-ts-pkcs9.cat");
  auto bytes = test::read_bytes(kCatalogs / name);
  bytes.back() ^= std::byte{0x01};
  auto cat = parse_catalog(bytes, name, ctx());
  REQUIRE(cat.has_value());
  INFO(name << " flags " << testing_flags(cat->signature.flags));
  CHECK(cat->signature.status == SignatureStatus::Invalid);
  CHECK(has_flag(cat->signature.flags, VerifyFlag::BadTimestamp));
  CHECK(has_flag(cat->signature.flags, VerifyFlag::Expired));
  CHECK_FALSE(has_flag(cat->signature.flags, VerifyFlag::BadSignature));
  CHECK(cat->signature.verification_time_source == "scan_time");
}

TEST_CASE("every single-byte corruption of a catalog timestamp: no crash, never a false time",
          "[verify][catalog][timestamp]") {
  if (!have_samples()) return;
  // From the timestamp attribute's OID (RFC 3161 token / PKCS#9 countersignature) to the end of
  // the file: the unauthenticated attribute is the last thing in both catalogs.
  const auto [name, oid] = GENERATE(table<std::string, std::vector<std::uint8_t>>({
      {"driver-ts.cat", {0x06, 0x0A, 0x2B, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x03, 0x03, 0x01}},
      {"driver-ts-pkcs9.cat", {0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x09, 0x06}},
  }));
  const auto bytes = test::read_bytes(kCatalogs / name);
  const auto* data = reinterpret_cast<const std::uint8_t*>(bytes.data());
  const auto at = std::search(data, data + bytes.size(), oid.begin(), oid.end());
  REQUIRE(at != data + bytes.size());
  const auto start = static_cast<std::size_t>(at - data);
  std::size_t valid = 0;
  for (std::size_t i = start; i < bytes.size(); ++i) {
    auto mutated = bytes;
    mutated[i] ^= std::byte{0x5A};
    auto r = parse_catalog(mutated, name, ctx());
    if (!r) continue;  // a corrupted length can make the whole PKCS#7 unreadable
    const Signature& s = r->signature;
    // The signer expired in 2021: only the genuine timestamp can make the catalog valid.
    if (s.status != SignatureStatus::Valid) continue;
    ++valid;
    INFO(name << " offset " << i);
    CHECK(s.verification_time_source == "timestamp");
    CHECK(s.timestamp == std::optional<std::string>("2020-06-01T00:00:00Z"));
    CHECK_FALSE(has_flag(s.flags, VerifyFlag::BadTimestamp));
  }
  // Bytes no signature covers may stay valid: osslsigncode's token carries the TSA certificate
  // twice and the (trusted) root, and a SignedData's digestAlgorithms are unsigned. Most of the
  // rest is signed (token, TSA certificate, countersignature, imprint, genTime).
  INFO(name << ": " << valid << " of " << bytes.size() - start << " corruptions stay valid");
  CHECK(valid <= (bytes.size() - start) * 3 / 4);
}

TEST_CASE("catalog index lookups: hit, miss, tampered catalog", "[verify][catalog]") {
  if (!have_samples()) return;
  std::vector<Catalog> cats;
  cats.push_back(load("driver.cat", ctx()));
  cats.push_back(load("driver-tampered.cat", ctx()));
  const CatalogIndex index(std::move(cats));
  const auto [sha256, sha1] = hashes_of("driver.sys");
  const auto [other256, other1] = hashes_of("other.sys");

  for (const std::string& h : {sha256, sha1, upper(sha256)}) {
    const auto hits = index.lookup(h);
    REQUIRE(hits.size() == 2);  // the good catalog and the tampered one, in catalog order
    CHECK(fs::path(hits[0]->path()).filename() == "driver.cat");
    CHECK(hits[0]->status() == SignatureStatus::Valid);
    CHECK(hits[0]->trusted());
    CHECK(hits[0]->signer().subject_cn == "trustscan Catalog Signer");
    CHECK(fs::path(hits[1]->path()).filename() == "driver-tampered.cat");
    CHECK(hits[1]->status() == SignatureStatus::Invalid);
    CHECK(has_flag(hits[1]->flags(), VerifyFlag::BadSignature));
    CHECK_FALSE(hits[1]->trusted());
  }
  CHECK(index.lookup(other256).empty());
  CHECK(index.lookup(other1).empty());
  CHECK(index.lookup("").empty());
  CHECK(index.lookup("zz").empty());

  SECTION("concurrent lookups") {
    std::vector<std::thread> threads;
    std::atomic<int> hits{0};
    for (int t = 0; t < 4; ++t)
      threads.emplace_back([&] {
        for (int i = 0; i < 1000; ++i) hits += static_cast<int>(index.lookup(sha256).size());
      });
    for (auto& th : threads) th.join();
    CHECK(hits == 4 * 1000 * 2);
  }
}

TEST_CASE("garbage and non-catalog PKCS#7 are malformed", "[verify][catalog]") {
  const VerifyContext c{nullptr, k2026_01_01};
  const std::vector<std::byte> empty;
  CHECK(parse_catalog(empty, "empty", c).error().code == Errc::Malformed);
  std::vector<std::byte> garbage(4096);
  for (std::size_t i = 0; i < garbage.size(); ++i)
    garbage[i] = static_cast<std::byte>((i * 2654435761u) >> 13);
  CHECK(parse_catalog(garbage, "garbage", c).error().code == Errc::Malformed);
  if (!have_samples()) return;
  // An Authenticode-style SignedData whose content is not a CTL: any PE signature would do; a
  // truncated catalog must not parse either.
  auto bytes = test::read_bytes(kCatalogs / "driver.cat");
  for (std::size_t cut : {std::size_t{1}, std::size_t{100}, bytes.size() / 2, bytes.size() - 1}) {
    std::vector<std::byte> part(bytes.begin(), bytes.begin() + static_cast<long>(cut));
    auto r = parse_catalog(part, "cut", c);
    CHECK_FALSE(r.has_value());
  }
  // Every single-byte corruption never crashes; one inside the encapsulated CTL (bytes 41..~645
  // of driver.cat; before it come SignedData's version and digestAlgorithms, which no signature
  // covers — as in any PKCS#7 — and after it certificates and SignerInfo) is never valid.
  const VerifyContext trusted = ctx();
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    auto mutated = bytes;
    mutated[i] ^= std::byte{0x5A};
    auto r = parse_catalog(mutated, "mutated", trusted);
    INFO("offset " << i);
    if (r && i >= 41 && i < 620) CHECK(r->signature.status != SignatureStatus::Valid);
  }
}

TEST_CASE("catalog index over 5,000 members builds fast", "[verify][catalog][bench]") {
  if (!have_samples()) return;
  using Clock = std::chrono::steady_clock;
  const auto bytes = test::read_bytes(kCatalogs / "big.cat");
  const auto t0 = Clock::now();
  auto cat = parse_catalog(bytes, "big.cat", ctx());
  const auto t1 = Clock::now();
  REQUIRE(cat.has_value());
  CHECK(cat->signature.status == SignatureStatus::Valid);
  REQUIRE(cat->members.size() == 5002);
  std::vector<Catalog> one;
  one.push_back(std::move(*cat));
  const CatalogIndex index(std::move(one));
  const auto t2 = Clock::now();

  // 5,000 catalogs of one member each (the shape of a CatRoot directory).
  std::vector<Catalog> many(5000);
  for (std::size_t i = 0; i < many.size(); ++i) {
    many[i].path = "cat" + std::to_string(i) + ".cat";
    CatalogMember m;
    m.digest_hex = std::string(64, '0');
    const std::string n = std::to_string(i);
    m.digest_hex.replace(64 - n.size(), n.size(), n);
    m.digest_algorithm = "sha256";
    m.tag = m.digest_hex;
    many[i].members.push_back(std::move(m));
  }
  const auto t3 = Clock::now();
  const CatalogIndex many_index(std::move(many));
  const auto t4 = Clock::now();

  auto ms = [](auto d) { return std::chrono::duration<double, std::milli>(d).count(); };
  WARN("catalog benchmark: parse+verify big.cat (5,002 members) "
       << ms(t1 - t0) << " ms, index build " << ms(t2 - t1) << " ms; index over 5,000 catalogs "
       << ms(t4 - t3) << " ms");
  const auto [sha256, sha1] = hashes_of("driver.sys");
  CHECK(index.lookup(sha256).size() == 1);
  CHECK(index.lookup(sha1).size() == 1);
  CHECK(index.size() == 5002);
  CHECK(many_index.lookup(std::string(63, '0') + "7").size() == 1);
}
