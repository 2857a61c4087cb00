#include "verify/trust_store.hpp"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>

#include "support/temp_tree.hpp"

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
  auto store = TrustStore::load({kDefaultTrust});
  REQUIRE(store.has_value());
  CHECK(store->anchors().size() >= 10);
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
    auto store = TrustStore::load({kDefaultTrust}, dir);
    REQUIRE_FALSE(store.has_value());
    CHECK(store.error().message.find("junk.crl") != std::string::npos);
  }
  SECTION("an empty CRL directory turns revocation checking on") {
    auto store = TrustStore::load({kDefaultTrust}, dir);
    REQUIRE(store.has_value());
    CHECK(store->checks_revocation());
    CHECK(store->crl_count() == 0);
  }
}
