#include "windows/certificate_stores.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "verify/image_trust.hpp"
#include "verify/trust_store.hpp"

using namespace trustscan;
using namespace trustscan::windows;
namespace fs = std::filesystem;

namespace {

/// A real certificate (DER) from the shipped anchors.
std::vector<std::uint8_t> sample_der() {
  const fs::path pem = fs::path(TRUSTSCAN_SOURCE_DIR) / "signatures" / "trust" / "trustscan-builtin" /
                       "digicert-assured-id-root-ca.pem";
  std::ifstream in(pem, std::ios::binary);
  const std::string text{std::istreambuf_iterator<char>(in), {}};
  auto certs = verify::read_certificates(std::as_bytes(std::span(text.data(), text.size())));
  REQUIRE(certs.size() == 1);
  return certs.front().der;
}

/// One property as CertSerializeCertificateStoreElement writes it: id, reserved 1, length, value.
void property(std::vector<std::uint8_t>& out, std::uint32_t id, const std::vector<std::uint8_t>& value) {
  for (std::uint32_t field : {id, 1u, static_cast<std::uint32_t>(value.size())})
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<std::uint8_t>(field >> (8 * i)));
  out.insert(out.end(), value.begin(), value.end());
}

std::vector<std::uint8_t> utf16(const std::string& ascii) {
  std::vector<std::uint8_t> out;
  for (char c : ascii + '\0') out.insert(out.end(), {static_cast<std::uint8_t>(c), 0});
  return out;
}

/// SHA1_HASH (3), FRIENDLY_NAME (11), then the certificate (32): the shape of a real ROOT Blob.
std::vector<std::uint8_t> good_blob(const std::vector<std::uint8_t>& der) {
  std::vector<std::uint8_t> blob;
  property(blob, 3, std::vector<std::uint8_t>(20, 0xAB));
  property(blob, kFriendlyNamePropertyId, utf16("DigiCert"));
  property(blob, kCertPropertyId, der);
  return blob;
}

}  // namespace

TEST_CASE("certificate Blob: the certificate and its friendly name", "[windows]") {
  const auto der = sample_der();
  const auto blob = parse_certificate_blob(good_blob(der));
  REQUIRE(blob.has_value());
  CHECK(blob->der == der);
  CHECK(blob->friendly_name == "DigiCert");
  CHECK(blob->properties == 3);
}

TEST_CASE("certificate Blob: truncated, garbled or without a certificate is an error", "[windows]") {
  const auto der = sample_der();
  const auto good = good_blob(der);
  SECTION("cut inside the certificate") {
    const auto r = parse_certificate_blob(std::span(good).first(good.size() - 10));
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == Errc::Malformed);
    CHECK(r.error().message.find("property 32") != std::string::npos);
  }
  SECTION("cut inside a property header") {
    const auto r = parse_certificate_blob(std::span(good).first(good.size() - der.size() - 5));
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().message.find("header cut short") != std::string::npos);
  }
  SECTION("no property 32") {
    std::vector<std::uint8_t> blob;
    property(blob, 3, std::vector<std::uint8_t>(20, 1));
    const auto r = parse_certificate_blob(blob);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().message.find("no certificate") != std::string::npos);
  }
  SECTION("property 32 is not one DER SEQUENCE") {
    std::vector<std::uint8_t> garbled = der;
    garbled[0] = 0x04;  // an OCTET STRING
    std::vector<std::uint8_t> blob;
    property(blob, kCertPropertyId, garbled);
    CHECK_FALSE(parse_certificate_blob(blob).has_value());
    std::vector<std::uint8_t> longer = der;
    longer.push_back(0);  // one byte after the SEQUENCE
    blob.clear();
    property(blob, kCertPropertyId, longer);
    CHECK_FALSE(parse_certificate_blob(blob).has_value());
  }
  SECTION("random bytes") {
    std::vector<std::uint8_t> noise(64);
    for (std::size_t i = 0; i < noise.size(); ++i) noise[i] = static_cast<std::uint8_t>(i * 37 + 11);
    CHECK_FALSE(parse_certificate_blob(noise).has_value());
    CHECK_FALSE(parse_certificate_blob({}).has_value());
  }
}

TEST_CASE("image stores: a certificate that does not parse is a warning, the others are used", "[windows]") {
  const auto der = sample_der();
  std::vector<std::uint8_t> not_a_certificate{0x30, 0x03, 0x02, 0x01, 0x01};
  const std::vector<verify::ImageStoreCertificate> certs{
      {"ROOT", "SOFTWARE\\Microsoft\\SystemCertificates\\ROOT", "AB", der},
      {"Disallowed", "SOFTWARE\\Microsoft\\SystemCertificates\\Disallowed", "CD", not_a_certificate},
      {"TrustedPublisher", "SOFTWARE\\Microsoft\\SystemCertificates\\TrustedPublisher", "EF", der}};
  std::vector<std::string> warnings;
  const verify::ImageTrust trust = verify::ImageTrust::build(certs, warnings);
  REQUIRE(warnings.size() == 1);
  CHECK(warnings.front().find("Disallowed\\Certificates\\CD") != std::string::npos);
  CHECK_FALSE(trust.empty());
  CHECK(trust.counts().at("SOFTWARE\\Microsoft\\SystemCertificates\\ROOT") == 1);
  CHECK(trust.counts().at("SOFTWARE\\Microsoft\\SystemCertificates\\TrustedPublisher") == 1);
  CHECK_FALSE(trust.counts().contains("SOFTWARE\\Microsoft\\SystemCertificates\\Disallowed"));
  // Only counted stores change nothing: no fingerprint, nothing to verify with.
  std::vector<std::string> none;
  CHECK(verify::ImageTrust::build({certs[2]}, none).empty());
  CHECK(verify::role_of_store("authroot") == verify::ImageStoreRole::Root);
  CHECK(verify::role_of_store("CA") == verify::ImageStoreRole::Intermediate);
}
