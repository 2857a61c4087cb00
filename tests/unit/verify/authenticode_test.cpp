// Authenticode verification (issue 3): one test per acceptance sample built by
// tools/make_signed_samples.sh, robustness on mutated inputs, and real signed files when the real
// tree (tools/fetch_real_tree.sh) is present.

#include "verify/authenticode.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "core/limits.hpp"
#include "parse/parser.hpp"
#include "support/temp_tree.hpp"
#include "unit/verify/authenticode_test_support.hpp"
#include "verify/trust_store.hpp"

namespace fs = std::filesystem;
using namespace trustscan;
using namespace trustscan::verify;

namespace {

/// "Now" for the samples: their certificates are valid 2020..2040 (expired signer: 2021..2022).
constexpr std::int64_t k2026_01_01 = 1767225600;
constexpr VerifyFlags kNoRevocation = static_cast<VerifyFlags>(VerifyFlag::RevocationNotChecked);

const fs::path kSigned = fs::path(TRUSTSCAN_SAMPLES_DIR) / "signed";
const fs::path kDefaultTrust = fs::path(TRUSTSCAN_SOURCE_DIR) / "signatures" / "trust";
const fs::path kRealTree = trustscan::test::real_tree();

VerifyFlags flags(std::initializer_list<VerifyFlag> list) {
  VerifyFlags set = 0;
  for (VerifyFlag f : list) add_flag(set, f);
  return set;
}

bool have_samples() {
  if (fs::exists(kSigned / "ca" / "root.pem")) return true;
  // The samples are a mandatory CTest fixture: their absence is a failure, never a skip.
  FAIL("signed samples missing in " << kSigned.string() << " (tools/make_signed_samples.sh did not run)");
  return false;
}

const TrustStore& sample_trust() {
  static const TrustStore store = [] {
    auto s = TrustStore::load({kSigned / "ca"});
    if (!s) FAIL("cannot load test CA: " << s.error().message);
    return std::move(*s);
  }();
  return store;
}

/// The shipped anchor sets a scan uses without an imported root program.
const TrustStore& default_trust() {
  static const TrustStore store = [] {
    std::vector<AnchorSetSpec> sets;
    for (const char* name : {"trustscan-builtin", "uefi", "debian-secure-boot"})
      sets.push_back({name, {kDefaultTrust / name}, {}, {}});
    auto s = TrustStore::load_sets(sets);
    if (!s) FAIL("cannot load signatures/trust: " << s.error().message);
    return std::move(*s);
  }();
  return store;
}

/// The layout as the product gets it (parse/, LIEF); checked against a byte-level reading.
parse::PeLayout layout_of(std::span<const std::byte> bytes) {
  const auto from_bytes = test::pe_layout_from_bytes(bytes);
  REQUIRE(from_bytes.has_value());
  auto model = parse::parse_binary(Format::Pe, bytes, Limits{});
  if (!model || !model->pe) return *from_bytes;  // LIEF refuses some damaged files: use ours
  const parse::PeLayout& l = model->pe->layout;
  CHECK(l.checksum_offset == from_bytes->checksum_offset);
  CHECK(l.security_dir_offset == from_bytes->security_dir_offset);
  CHECK(l.certificate_table.offset == from_bytes->certificate_table.offset);
  CHECK(l.certificate_table.size == from_bytes->certificate_table.size);
  return l;
}

AuthenticodeResult verify_file(const fs::path& path, const TrustStore* trust, std::int64_t now) {
  INFO(path.string());
  const auto bytes = test::read_bytes(path);
  REQUIRE_FALSE(bytes.empty());
  return verify_authenticode(bytes, layout_of(bytes), VerifyContext{trust, now});
}

AuthenticodeResult verify_sample(const std::string& name, std::int64_t now = k2026_01_01) {
  return verify_file(kSigned / name, &sample_trust(), now);
}

void check_integrity_fields(const Signature& s) {
  CHECK(s.signed_digest_hex == s.computed_digest_hex);
  CHECK(s.signer.thumbprint_sha1.size() == 40);
  CHECK(s.signer.thumbprint_sha256.size() == 64);
  CHECK_FALSE(s.signer.serial_hex.empty());
  CHECK(s.signer.subject_o == "trustscan tests");
  CHECK(s.signer.subject_c == "XX");
  CHECK(s.program_name == "trustscan sample");
  CHECK(s.more_info_url == "https://example.invalid/trustscan");
}

std::string flag_list(VerifyFlags f) {
  std::string out;
  for (const auto& n : flag_names(f)) out += n + " ";
  return out;
}

}  // namespace

// ------------------------------------------------------------------ acceptance samples

TEST_CASE("unsigned PE: unsigned, authentihash equals what the signer signed",
          "[verify][authenticode]") {
  if (!have_samples()) return;
  const auto unsigned_result = verify_sample("unsigned.exe");
  CHECK(unsigned_result.status() == SignatureStatus::Unsigned);
  CHECK(unsigned_result.flags() == 0);
  CHECK(unsigned_result.signatures.empty());
  CHECK(unsigned_result.hashes.sha1.size() == 40);
  REQUIRE(unsigned_result.hashes.sha256.size() == 64);

  // osslsigncode padded the file to 8 bytes before appending the signature: the authentihash of
  // the unsigned file (with the virtual padding) is exactly the digest inside the signed copy.
  const auto signed_result = verify_sample("signed-sha256.exe");
  REQUIRE(signed_result.primary() != nullptr);
  CHECK(signed_result.primary()->signed_digest_hex == unsigned_result.hashes.sha256);
  CHECK(signed_result.hashes.sha256 == unsigned_result.hashes.sha256);
  CHECK(signed_result.hashes.sha1 == unsigned_result.hashes.sha1);

  // Without image_sha1, a file without a certificate table gets its SHA-256 authentihash alone;
  // one with a table gets both (its signatures may name either).
  for (const char* name : {"unsigned.exe", "signed-sha256.exe"}) {
    INFO(name);
    const auto bytes = test::read_bytes(kSigned / name);
    VerifyContext ctx{&sample_trust(), k2026_01_01};
    ctx.image_sha1 = false;
    const auto r = verify_authenticode(bytes, layout_of(bytes), ctx);
    CHECK(r.hashes.sha256 == unsigned_result.hashes.sha256);
    CHECK(r.hashes.sha1 == (std::string(name) == "unsigned.exe" ? "" : unsigned_result.hashes.sha1));
    CHECK(r.status() == (std::string(name) == "unsigned.exe" ? SignatureStatus::Unsigned : SignatureStatus::Valid));
  }

  const auto bytes = test::read_bytes(kSigned / "unsigned.exe");
  const auto direct = authenticode_hashes(bytes, layout_of(bytes));
  REQUIRE(direct.has_value());
  CHECK(direct->sha256 == unsigned_result.hashes.sha256);
}

TEST_CASE("signed SHA-256: valid, every field filled", "[verify][authenticode]") {
  if (!have_samples()) return;
  const auto r = verify_sample("signed-sha256.exe");
  INFO(flag_list(r.flags()));
  CHECK(r.status() == SignatureStatus::Valid);
  CHECK(r.flags() == kNoRevocation);
  CHECK(r.warnings.empty());
  REQUIRE(r.signatures.size() == 1);
  const Signature& s = r.signatures[0];
  CHECK(s.index == 0);
  CHECK_FALSE(s.nested);
  CHECK(s.digest_algorithm == "sha256");
  CHECK(s.signer.subject_cn == "trustscan Test Code Signer");
  CHECK(s.signer.subject == "CN=trustscan Test Code Signer,O=trustscan tests,C=XX");
  CHECK(s.signer.issuer == "CN=trustscan Test Root CA,O=trustscan tests,C=XX");
  CHECK(s.signer.not_before == "2020-01-01T00:00:00Z");
  CHECK(s.signer.not_after == "2040-01-01T00:00:00Z");
  check_integrity_fields(s);
  REQUIRE(s.chain.size() == 2);
  CHECK(s.chain.back().subject_cn == "trustscan Test Root CA");
  CHECK(s.anchor_set == (kSigned / "ca").string());  // TrustStore::load names a set after its directory
  CHECK(s.timestamp_kind.empty());
  CHECK_FALSE(s.timestamp.has_value());
  CHECK(s.verification_time_source == "scan_time");
  CHECK(s.errors.empty());
}

TEST_CASE("signed SHA-1 + nested SHA-256: both signatures valid", "[verify][authenticode]") {
  if (!have_samples()) return;
  const auto r = verify_sample("signed-sha1-nested-sha256.exe");
  CHECK(r.status() == SignatureStatus::Valid);
  CHECK(r.flags() == kNoRevocation);
  REQUIRE(r.signatures.size() == 2);
  CHECK(r.signatures[0].digest_algorithm == "sha1");
  CHECK_FALSE(r.signatures[0].nested);
  CHECK(r.signatures[1].digest_algorithm == "sha256");
  CHECK(r.signatures[1].nested);
  CHECK(r.signatures[1].parent_index == 0);
  for (const auto& s : r.signatures) {
    INFO("signature " << s.index << ": " << flag_list(s.flags));
    CHECK(s.status == SignatureStatus::Valid);
    CHECK(s.flags == kNoRevocation);
    check_integrity_fields(s);
  }
  CHECK(r.signatures[0].computed_digest_hex == r.hashes.sha1);
  CHECK(r.signatures[1].computed_digest_hex == r.hashes.sha256);
}

TEST_CASE("RFC 3161 timestamp: valid, verified at the timestamp time", "[verify][authenticode]") {
  if (!have_samples()) return;
  const auto r = verify_sample("signed-timestamped.exe");
  CHECK(r.status() == SignatureStatus::Valid);
  CHECK(r.flags() == kNoRevocation);
  REQUIRE(r.signatures.size() == 1);
  const Signature& s = r.signatures[0];
  CHECK(s.timestamp_kind == "rfc3161");
  CHECK(s.timestamp == "2025-06-01T00:00:00Z");
  CHECK(s.verification_time_source == "timestamp");
  REQUIRE(s.timestamp_authority.has_value());
  CHECK(s.timestamp_authority->find("CN=trustscan Test TSA") == 0);

  // Long after the signer expired (2040) the timestamp still carries the signature...
  CHECK(verify_sample("signed-timestamped.exe", 2524608000 /* 2050 */).status() ==
        SignatureStatus::Valid);
  // ...while an untimestamped one has expired.
  const auto late = verify_sample("signed-sha256.exe", 2524608000);
  CHECK(late.status() == SignatureStatus::Invalid);
  CHECK(late.flags() == flags({VerifyFlag::Expired, VerifyFlag::RevocationNotChecked}));
}

TEST_CASE("expired signer with a valid timestamp: valid", "[verify][authenticode]") {
  if (!have_samples()) return;
  const auto r = verify_sample("signed-expired-timestamped.exe");
  INFO(flag_list(r.flags()));
  CHECK(r.status() == SignatureStatus::Valid);
  CHECK(r.flags() == kNoRevocation);
  REQUIRE(r.primary() != nullptr);
  CHECK(r.primary()->timestamp == "2021-07-01T00:00:00Z");
  CHECK(r.primary()->verification_time_source == "timestamp");
  CHECK(r.primary()->signer.subject_cn == "trustscan Expired Code Signer");
}

TEST_CASE("expired signer without timestamp: invalid, expired", "[verify][authenticode]") {
  if (!have_samples()) return;
  const auto r = verify_sample("signed-expired.exe");
  CHECK(r.status() == SignatureStatus::Invalid);
  CHECK(r.flags() == flags({VerifyFlag::Expired, VerifyFlag::RevocationNotChecked}));
  REQUIRE(r.primary() != nullptr);
  CHECK(r.primary()->verification_time_source == "scan_time");
  CHECK(r.primary()->signed_digest_hex == r.primary()->computed_digest_hex);
}

TEST_CASE("clock window: the verification clocks at which a result stays the same",
          "[verify][authenticode][cache]") {
  if (!have_samples()) return;
  constexpr std::int64_t k2020 = 1577836800, k2022 = 1640995200, k2025 = 1735689600, k2025_06 = 1748736000,
                         k2040 = 2208988800, k2041 = 2240611200, k2045 = 2366841600;
  constexpr std::int64_t kNever = std::numeric_limits<std::int64_t>::max();
  // Checked at the clock: signer 2020..2040 under the root 2020..2045.
  const auto r = verify_sample("signed-sha256.exe");
  CHECK(r.clock_window() == ClockWindow{k2020, k2040});
  CHECK(r.signatures.at(0).clock_window == r.clock_window());
  // The promise: anywhere inside, the very same result; at the edge, a different one.
  CHECK(verify_sample("signed-sha256.exe", k2020) == r);
  CHECK(verify_sample("signed-sha256.exe", k2040 - 1) == r);
  CHECK(verify_sample("signed-sha256.exe", k2040).status() == SignatureStatus::Invalid);
  CHECK(verify_sample("signed-sha256.exe", k2041).clock_window() == ClockWindow{k2040, k2045});
  CHECK(verify_sample("signed-sha1-nested-sha256.exe").clock_window() == ClockWindow{k2020, k2040});
  // Expired signer (2021..2022), no timestamp: expired until the root expires too.
  CHECK(verify_sample("signed-expired.exe").clock_window() == ClockWindow{k2022, k2045});
  // A verified timestamp (2025-06-01) decides the time: every clock from then on...
  const auto ts = verify_sample("signed-timestamped.exe");
  CHECK(ts.clock_window() == ClockWindow{k2025_06, kNever});
  CHECK(verify_sample("signed-timestamped.exe", k2041) == ts);
  // ...while before it the timestamp lies in the future, the clock is used, up to that time.
  const auto early = verify_sample("signed-timestamped.exe", k2025);
  REQUIRE(early.primary() != nullptr);
  CHECK(early.primary()->verification_time_source == "scan_time");
  CHECK(early.clock_window() == ClockWindow{k2020, k2025_06});
  // Unsigned: no clock involved.
  CHECK(verify_sample("unsigned.exe").clock_window() == ClockWindow{});
}

TEST_CASE("signed by an untrusted CA: untrusted, untrusted_root", "[verify][authenticode]") {
  if (!have_samples()) return;
  const auto r = verify_sample("signed-untrusted-ca.exe");
  CHECK(r.status() == SignatureStatus::Untrusted);
  CHECK(r.flags() == flags({VerifyFlag::UntrustedRoot, VerifyFlag::RevocationNotChecked}));
  REQUIRE(r.primary() != nullptr);
  CHECK(r.primary()->signer.subject_cn == "trustscan Untrusted Code Signer");
  CHECK(r.primary()->anchor_set.empty());
}

TEST_CASE("signer without the code-signing EKU: invalid", "[verify][authenticode]") {
  if (!have_samples()) return;
  const auto r = verify_sample("signed-no-codesign-eku.exe");
  CHECK(r.status() == SignatureStatus::Invalid);
  CHECK(r.flags() == flags({VerifyFlag::NoCodeSigningEku, VerifyFlag::RevocationNotChecked}));
}

TEST_CASE("one byte flipped inside the signed range: invalid, bad_digest",
          "[verify][authenticode]") {
  if (!have_samples()) return;
  const auto r = verify_sample("signed-tampered-byte.exe");
  CHECK(r.status() == SignatureStatus::Invalid);
  CHECK(r.flags() == flags({VerifyFlag::BadDigest, VerifyFlag::RevocationNotChecked}));
  REQUIRE(r.primary() != nullptr);
  CHECK(r.primary()->signed_digest_hex != r.primary()->computed_digest_hex);
  CHECK(r.primary()->computed_digest_hex == r.hashes.sha256);
}

TEST_CASE("garbage in the certificate table: malformed, no crash", "[verify][authenticode]") {
  if (!have_samples()) return;
  const auto r = verify_sample("signed-garbage-table.exe");
  CHECK(r.status() == SignatureStatus::Malformed);
  CHECK(r.flags() == flags({VerifyFlag::Malformed}));
  REQUIRE(r.signatures.size() == 1);
  CHECK_FALSE(r.signatures[0].errors.empty());
  CHECK(r.hashes.sha256.size() == 64);  // the image hash does not depend on the table
}

TEST_CASE("file truncated inside the certificate table: malformed", "[verify][authenticode]") {
  if (!have_samples()) return;
  const auto r = verify_sample("signed-truncated.exe");
  CHECK(r.status() == SignatureStatus::Malformed);
  CHECK(has_flag(r.flags(), VerifyFlag::Malformed));
  CHECK(r.hashes.sha256.empty());
  CHECK_FALSE(r.warnings.empty());
}

TEST_CASE("revoked signer: revoked only with an offline CRL directory", "[verify][authenticode]") {
  if (!have_samples()) return;
  auto with_crl = TrustStore::load({kSigned / "ca"}, kSigned / "crl");
  REQUIRE(with_crl.has_value());
  CHECK(with_crl->crl_count() == 1);

  const auto revoked = verify_file(kSigned / "signed-revoked.exe", &*with_crl, k2026_01_01);
  CHECK(revoked.status() == SignatureStatus::Invalid);
  CHECK(revoked.flags() == flags({VerifyFlag::Revoked}));

  const auto good = verify_file(kSigned / "signed-sha256.exe", &*with_crl, k2026_01_01);
  CHECK(good.status() == SignatureStatus::Valid);
  CHECK(good.flags() == 0);  // revocation was checked this time

  const auto no_crl = verify_sample("signed-revoked.exe");
  CHECK(no_crl.status() == SignatureStatus::Valid);
  CHECK(no_crl.flags() == kNoRevocation);
}

TEST_CASE("trust decisions need an anchor", "[verify][authenticode]") {
  if (!have_samples()) return;
  SECTION("no trust store at all: intact but untrusted") {
    const auto r = verify_file(kSigned / "signed-sha256.exe", nullptr, k2026_01_01);
    CHECK(r.status() == SignatureStatus::Untrusted);
    CHECK(r.flags() == flags({VerifyFlag::UntrustedRoot, VerifyFlag::RevocationNotChecked}));
  }
  SECTION("the default (public) anchors do not include the test CA") {
    const auto r = verify_file(kSigned / "signed-timestamped.exe", &default_trust(), k2026_01_01);
    CHECK(r.status() == SignatureStatus::Untrusted);
    // The TSA does not chain either, so the timestamp is not used.
    CHECK(r.flags() == flags({VerifyFlag::UntrustedRoot, VerifyFlag::BadTimestamp,
                            VerifyFlag::RevocationNotChecked}));
    REQUIRE(r.primary() != nullptr);
    CHECK(r.primary()->verification_time_source == "scan_time");
  }
  SECTION("before the certificates were issued: not yet valid") {
    const auto r = verify_sample("signed-sha256.exe", 1546300800 /* 2019-01-01 */);
    CHECK(r.status() == SignatureStatus::Invalid);
    CHECK(has_flag(r.flags(), VerifyFlag::NotYetValid));
  }
}

TEST_CASE("one TrustStore serves many threads at once", "[verify][authenticode][threads]") {
  if (!have_samples()) return;
  const std::vector<std::string> names = {"signed-sha256.exe", "signed-sha1-nested-sha256.exe",
                                          "signed-timestamped.exe", "signed-untrusted-ca.exe",
                                          "signed-expired.exe", "signed-tampered-byte.exe"};
  std::vector<std::vector<std::byte>> files;
  std::vector<parse::PeLayout> layouts;
  std::vector<std::string> expected;
  for (const auto& n : names) {
    files.push_back(test::read_bytes(kSigned / n));
    layouts.push_back(*test::pe_layout_from_bytes(files.back()));
    const auto r = verify_authenticode(files.back(), layouts.back(),
                                       VerifyContext{&sample_trust(), k2026_01_01});
    expected.push_back(std::string(to_string(r.status())) + flag_list(r.flags()) + r.hashes.sha256);
  }
  std::vector<int> mismatches(4, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int round = 0; round < 25; ++round)
        for (std::size_t i = 0; i < files.size(); ++i) {
          const auto r = verify_authenticode(files[i], layouts[i],
                                             VerifyContext{&sample_trust(), k2026_01_01});
          if (std::string(to_string(r.status())) + flag_list(r.flags()) + r.hashes.sha256 != expected[i])
            ++mismatches[t];
        }
    });
  for (auto& th : threads) th.join();
  CHECK(mismatches == std::vector<int>(4, 0));
}

// ------------------------------------------------------------------ strictness (issue 16)

namespace {

void put_le32(std::vector<std::byte>& b, std::size_t at, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) b[at + i] = static_cast<std::byte>(v >> (8 * i));
}

/// `original` (one WIN_CERTIFICATE, ending the file) rewritten so that `slack` follows the PKCS#7
/// inside the entry: dwLength and the directory's size grow, the table stays quadword-aligned.
std::vector<std::byte> with_entry_slack(const std::vector<std::byte>& original, const std::vector<std::byte>& slack) {
  const auto layout = test::pe_layout_from_bytes(original);
  REQUIRE(layout.has_value());
  const std::size_t off = layout->certificate_table.offset;
  REQUIRE(off + layout->certificate_table.size == original.size());
  // The PKCS#7's own length (DER SEQUENCE with a two- or three-byte length).
  const auto at = [&](std::size_t i) { return std::to_integer<std::size_t>(original[off + 8 + i]); };
  REQUIRE(at(0) == 0x30);
  REQUIRE((at(1) == 0x82 || at(1) == 0x83));
  const std::size_t der = at(1) == 0x82 ? 4 + (at(2) << 8 | at(3)) : 5 + (at(2) << 16 | at(3) << 8 | at(4));
  std::vector<std::byte> out(original.begin(), original.begin() + static_cast<std::ptrdiff_t>(off + 8 + der));
  out.insert(out.end(), slack.begin(), slack.end());
  put_le32(out, off, static_cast<std::uint32_t>(8 + der + slack.size()));
  out.resize((out.size() + 7) & ~std::size_t{7});
  put_le32(out, layout->security_dir_offset + 4, static_cast<std::uint32_t>(out.size() - off));
  return out;
}

AuthenticodeResult verify_bytes(const std::vector<std::byte>& bytes, bool strict_padding = false) {
  return verify_authenticode(bytes, layout_of(bytes), VerifyContext{&sample_trust(), k2026_01_01, strict_padding});
}

}  // namespace

TEST_CASE("bytes after the certificate table: invalid, trailing_data, on every signature",
          "[verify][authenticode][strict]") {
  if (!have_samples()) return;
  for (const char* name : {"signed-sha256.exe", "signed-sha1-nested-sha256.exe"}) {
    INFO(name);
    const auto original = test::read_bytes(kSigned / name);
    for (std::size_t n : {std::size_t{1}, std::size_t{8}, std::size_t{4096}}) {
      INFO(n << " bytes appended");
      auto bytes = original;
      bytes.resize(bytes.size() + n, std::byte{0});  // even zeros: content no hash covers
      const auto r = verify_bytes(bytes);
      REQUIRE_FALSE(r.signatures.empty());
      for (const Signature& s : r.signatures) {
        INFO(flag_list(s.flags));
        CHECK(s.status == SignatureStatus::Invalid);
        CHECK(s.flags == flags({VerifyFlag::TrailingData, VerifyFlag::RevocationNotChecked}));
        CHECK(s.signed_digest_hex == s.computed_digest_hex);  // the hashed ranges are intact
        REQUIRE(s.errors.size() == 1);
        CHECK(s.errors[0].starts_with(std::to_string(n) + " bytes after the certificate table"));
      }
      CHECK(r.hashes == verify_bytes(original).hashes);
    }
  }
}

TEST_CASE("data inside a WIN_CERTIFICATE after the signature: certificate_padding, invalid only when strict",
          "[verify][authenticode][strict]") {
  if (!have_samples()) return;
  const auto original = test::read_bytes(kSigned / "signed-sha256.exe");
  const auto padded_flags = flags({VerifyFlag::CertificatePadding, VerifyFlag::RevocationNotChecked});
  SECTION("alignment: up to 7 zero bytes are not padding") {
    for (std::size_t n = 0; n < 8; ++n) {
      INFO(n);
      const auto r = verify_bytes(with_entry_slack(original, std::vector<std::byte>(n)), true);
      CHECK(r.status() == SignatureStatus::Valid);
      CHECK(r.flags() == kNoRevocation);
    }
  }
  SECTION("8 zero bytes, one non-zero byte, 512 bytes of content") {
    std::vector<std::vector<std::byte>> slacks{std::vector<std::byte>(8), {std::byte{0}, std::byte{0x41}}};
    slacks.emplace_back(512, std::byte{0x90});
    for (const auto& slack : slacks) {
      INFO(slack.size() << " bytes");
      const auto bytes = with_entry_slack(original, slack);
      const auto lax = verify_bytes(bytes);
      CHECK(lax.status() == SignatureStatus::Valid);  // as Windows without EnableCertPaddingCheck
      CHECK(lax.flags() == padded_flags);
      REQUIRE(lax.primary() != nullptr);
      REQUIRE(lax.primary()->errors.size() == 1);
      CHECK(lax.primary()->errors[0].find("certificate padding") != std::string::npos);
      const auto strict = verify_bytes(bytes, true);
      CHECK(strict.status() == SignatureStatus::Invalid);
      CHECK(strict.flags() == padded_flags);
    }
  }
  SECTION("the nested signature of a padded entry is flagged too") {
    const auto nested = test::read_bytes(kSigned / "signed-sha1-nested-sha256.exe");
    const auto r = verify_bytes(with_entry_slack(nested, std::vector<std::byte>(64, std::byte{1})), true);
    REQUIRE(r.signatures.size() == 2);
    for (const Signature& s : r.signatures) {
      CHECK(s.status == SignatureStatus::Invalid);
      CHECK(s.flags == padded_flags);
    }
  }
}

// ------------------------------------------------------------------ robustness

TEST_CASE("mutated signatures and layouts never crash and never verify as valid",
          "[verify][authenticode][mutation]") {
  if (!have_samples()) return;
  const auto original = test::read_bytes(kSigned / "signed-sha1-nested-sha256.exe");
  const auto layout = test::pe_layout_from_bytes(original);
  REQUIRE(layout.has_value());
  const auto table = layout->certificate_table;
  REQUIRE(table.size > 0);

  std::mt19937 rng(20261123);  // deterministic
  std::size_t valid = 0;
  for (int round = 0; round < 1500; ++round) {
    auto bytes = original;
    parse::PeLayout l = *layout;
    const int kind = round % 5;
    if (kind <= 2) {  // 1..8 random bytes inside the certificate table
      const int n = 1 + static_cast<int>(rng() % 8);
      for (int i = 0; i < n; ++i)
        bytes[table.offset + rng() % table.size] = static_cast<std::byte>(rng());
    } else if (kind == 3) {  // truncate the table
      l.certificate_table.size = rng() % table.size;
      bytes.resize(table.offset + l.certificate_table.size);
    } else {  // hostile layout values
      l.certificate_table.offset = rng() % (bytes.size() + 64);
      l.certificate_table.size = rng() % (bytes.size() + 64);
      if (rng() % 4 == 0) l.checksum_offset = rng() % (bytes.size() + 16);
      if (rng() % 4 == 0) l.security_dir_offset = rng() % (bytes.size() + 16);
    }
    const auto r = verify_authenticode(bytes, l, VerifyContext{&sample_trust(), k2026_01_01});
    for (const auto& s : r.signatures) {
      if (s.status == SignatureStatus::Valid) {
        // Possible when the mutation hit bytes this signature does not cover (another
        // signature, alignment padding, an unused unsigned attribute): digests must still match.
        CHECK(s.signed_digest_hex == s.computed_digest_hex);
        ++valid;
      }
    }
  }
  WARN("signatures still valid after a mutation elsewhere: " << valid);
}

// ------------------------------------------------------------------ real files

namespace {

bool have_real_tree() {
  return trustscan::test::real_tree_has(kRealTree / "usr/lib/shim/shimx64.efi.signed");
}

constexpr std::int64_t k2026_11_23 = 1795392000;  // after the UEFI CA 2011 expired (2026-06-27)

}  // namespace

TEST_CASE("real: Debian shimx64.efi.signed carries two timestamped Microsoft signatures",
          "[verify][authenticode][real]") {
  if (!have_real_tree()) return;
  const fs::path shim = kRealTree / "usr/lib/shim/shimx64.efi.signed";
  const auto r = verify_file(shim, &default_trust(), k2026_11_23);
  REQUIRE(r.signatures.size() == 2);
  CHECK_FALSE(r.signatures[1].nested);  // a second WIN_CERTIFICATE entry, not a nested signature
  CHECK(r.signatures[0].signer.subject_cn == "Microsoft Windows UEFI Driver Publisher");
  REQUIRE_FALSE(r.signatures[0].chain.empty());
  CHECK(r.signatures[0].chain.back().subject_cn == "Microsoft Corporation UEFI CA 2011");
  CHECK(r.signatures[1].signer.subject_cn == "Microsoft UEFI CA 2023 signer");
  REQUIRE_FALSE(r.signatures[1].chain.empty());
  CHECK(r.signatures[1].chain.back().subject_cn == "Microsoft RSA Devices Root CA 2021");
  CHECK(r.signatures[0].anchor_set == "uefi");
  CHECK(r.signatures[1].anchor_set == "uefi");
  CHECK(r.signatures[0].timestamp_anchor_set == "trustscan-builtin");  // Microsoft's TSA
  for (const auto& s : r.signatures) {
    INFO(s.signer.subject_cn << ": " << flag_list(s.flags));
    CHECK(s.digest_algorithm == "sha256");
    CHECK(s.signed_digest_hex == s.computed_digest_hex);
    CHECK(s.signer.subject_o == "Microsoft Corporation");
    CHECK(s.program_name == "Software in the Public Interest, Inc");  // a BMPString
    // The UEFI CA 2011 and its leaf expired in June 2026, but the signature was timestamped
    // by Microsoft's TSA in May 2026: valid, verified at the timestamp time.
    CHECK(s.timestamp_kind == "rfc3161");
    CHECK(s.verification_time_source == "timestamp");
    CHECK(s.status == SignatureStatus::Valid);
    CHECK(s.flags == kNoRevocation);
  }
  CHECK(r.status() == SignatureStatus::Valid);

  // A clock before the timestamp makes the timestamp unusable; the chain is then checked at
  // the clock (2026-04-01, when both leaf certificates were already valid).
  const auto earlier = verify_file(shim, &default_trust(), 1775001600);
  REQUIRE(earlier.signatures.size() == 2);
  CHECK(earlier.signatures[0].verification_time_source == "scan_time");
  CHECK(earlier.signatures[0].flags ==
        flags({VerifyFlag::BadTimestamp, VerifyFlag::RevocationNotChecked}));
  CHECK(earlier.signatures[0].status == SignatureStatus::Valid);
}

TEST_CASE("real: Debian-signed GRUB and kernel chain to the Debian Secure Boot CA",
          "[verify][authenticode][real]") {
  if (!have_real_tree()) return;
  std::vector<std::pair<fs::path, std::string>> cases = {
      {kRealTree / "usr/lib/grub/x86_64-efi-signed/grubx64.efi.signed",
       "Debian Secure Boot Signer 2022 - grub2"},
      {kRealTree / "usr/lib/shim/mmx64.efi.signed", "Debian Secure Boot Signer 2022 - shim"},
      {kRealTree / "usr/libexec/fwupd/efi/fwupdx64.efi.signed",
       "Debian Secure Boot Signer 2022 - fwupd"},
  };
  for (const auto& entry : fs::directory_iterator(kRealTree / "boot"))
    if (entry.path().filename().string().starts_with("vmlinuz-"))
      cases.emplace_back(entry.path(), "Debian Secure Boot Signer 2022 - linux");
  for (const auto& [p, cn] : cases) {
    if (!fs::exists(p)) continue;
    const auto r = verify_file(p, &default_trust(), k2026_11_23);
    INFO(p.string() << ": " << flag_list(r.flags()));
    REQUIRE(r.primary() != nullptr);
    CHECK(r.primary()->signer.subject_cn == cn);
    REQUIRE_FALSE(r.primary()->chain.empty());
    CHECK(r.primary()->chain.back().subject_cn == "Debian Secure Boot CA");
    CHECK(r.primary()->anchor_set == "debian-secure-boot");
    CHECK(r.primary()->signed_digest_hex == r.primary()->computed_digest_hex);
    CHECK(r.status() == SignatureStatus::Valid);
  }
}

TEST_CASE("real: Microsoft-signed vsce-sign.exe from npm, RFC 3161 timestamp",
          "[verify][authenticode][real]") {
  const fs::path exe = kRealTree / "opt/npm/@vscode/vsce-sign-win32-x64/bin/vsce-sign.exe";
  if (!fs::exists(exe)) {
    WARN(exe.string() << " missing: skipped");
    return;
  }
  const auto r = verify_file(exe, &default_trust(), k2026_11_23);
  INFO(flag_list(r.flags()));
  REQUIRE(r.primary() != nullptr);
  const Signature& s = *r.primary();
  CHECK(s.signer.subject_cn == "Microsoft Corporation");
  CHECK(s.signer.subject_o == "Microsoft Corporation");
  REQUIRE_FALSE(s.chain.empty());
  CHECK(s.chain.back().subject_cn == "Microsoft Root Certificate Authority 2011");
  CHECK(s.anchor_set == "trustscan-builtin");
  CHECK(s.signed_digest_hex == s.computed_digest_hex);
  CHECK(s.timestamp_kind == "rfc3161");
  CHECK(s.verification_time_source == "timestamp");
  CHECK(r.status() == SignatureStatus::Valid);
}

TEST_CASE("real: DigiCert-signed snoretoast from npm", "[verify][authenticode][real]") {
  const fs::path exe = kRealTree / "opt/npm/node-notifier/vendor/snoreToast/snoretoast-x64.exe";
  if (!fs::exists(exe)) {
    WARN(exe.string() << " missing: skipped");
    return;
  }
  const auto r = verify_file(exe, &default_trust(), k2026_11_23);
  INFO(flag_list(r.flags()));
  REQUIRE(r.primary() != nullptr);
  CHECK(r.primary()->signer.subject_cn == "K Desktop Environment e.V.");
  REQUIRE_FALSE(r.primary()->chain.empty());
  CHECK(r.primary()->chain.back().subject_cn == "DigiCert Assured ID Root CA");
  CHECK(r.primary()->signed_digest_hex == r.primary()->computed_digest_hex);
  CHECK(r.primary()->verification_time_source == "timestamp");
  CHECK(r.status() == SignatureStatus::Valid);
}
