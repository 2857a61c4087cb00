#include "verify/certificate_file.hpp"

#include <catch2/catch.hpp>
#include <filesystem>
#include <string>
#include <vector>

#include <openssl/x509.h>

#include "support/bytes.hpp"
#include "support/temp_tree.hpp"

namespace fs = std::filesystem;
using trustscan::Errc;
namespace verify = trustscan::verify;

namespace {

const fs::path kTrust = fs::path(TRUSTSCAN_SOURCE_DIR) / "signatures" / "trust";

std::string pem(const char* name) { return trustscan::test::read_file(kTrust / name); }

/// The DER encoding of the first certificate of a PEM text.
std::string der_of(const std::string& pem_text) {
  auto certs = verify::parse_certificates(trustscan::test::bytes(pem_text), "pem");
  REQUIRE(certs);
  unsigned char* out = nullptr;
  const int len = i2d_X509(certs->front().get(), &out);
  REQUIRE(len > 0);
  std::string der(reinterpret_cast<const char*>(out), static_cast<std::size_t>(len));
  OPENSSL_free(out);
  return der;
}

}  // namespace

TEST_CASE("certificate buffers: PEM with several certificates, or exactly one DER", "[verify][certfile]") {
  const std::string a = pem("trustscan-builtin/certum-trusted-network-ca.pem"), b = pem("debian-secure-boot/debian-secure-boot-ca.pem");
  auto two = verify::parse_certificates(trustscan::test::bytes(a + b), "two.pem");
  REQUIRE(two);
  CHECK(two->size() == 2);

  const std::string der = der_of(a);
  auto one = verify::parse_certificates(trustscan::test::bytes(der), "one.der");
  REQUIRE(one);
  CHECK(one->size() == 1);

  // Trailing bytes after a DER certificate, a truncated one, garbage and nothing: no certificate.
  for (const std::string& bad : {der + "x", der.substr(0, der.size() - 1), std::string("junk"), std::string()}) {
    auto none = verify::parse_certificates(trustscan::test::bytes(bad), "bad.der");
    REQUIRE_FALSE(none);
    CHECK(none.error().code == Errc::Malformed);
    CHECK(none.error().message == "bad.der: not an X.509 certificate (PEM or DER)");
  }
  CHECK(verify::parse_certificates(trustscan::test::bytes("junk"), "").error().message ==
        "not an X.509 certificate (PEM or DER)");
  CHECK_FALSE(verify::parse_crls(trustscan::test::bytes(a), "a.pem"));  // a certificate is no CRL
}

TEST_CASE("certificate files: regular files under a size limit, special files refused", "[verify][certfile]") {
  trustscan::test::TempTree t;
  t.write("d/b.PEM", pem("trustscan-builtin/certum-trusted-network-ca.pem"));
  t.write("d/a.der", der_of(pem("debian-secure-boot/debian-secure-boot-ca.pem")));
  t.write("d/README.md", "not listed");
  t.mkdir("d/sub.pem");
  t.fifo("d/pipe.crt");
  const std::vector<std::string_view> exts(verify::kCertificateFileExtensions.begin(),
                                           verify::kCertificateFileExtensions.end());

  auto files = verify::list_certificate_files(t.path() / "d", exts, "test");
  REQUIRE(files);
  std::vector<std::string> names;
  for (const auto& f : *files) names.push_back(f.filename().string());
  // Sorted, extensions in any case, directories skipped, special files listed (reading refuses them).
  CHECK(names == std::vector<std::string>{"a.der", "b.PEM", "pipe.crt"});
  auto every = verify::list_certificate_files(t.path() / "d", {}, "test");
  REQUIRE(every);
  CHECK(every->size() == 4);  // README.md too

  // Each listed file is read as the trust store reads it (read_regular_file), then parsed.
  const auto read = [&](const char* name, std::uint64_t max_size = verify::kMaxCertificateFileSize) {
    return verify::read_regular_file(t.path() / name, max_size);
  };
  CHECK(verify::parse_certificates(*read("d/a.der"), "a.der")->size() == 1);
  CHECK(verify::parse_certificates(*read("d/b.PEM"), "b.PEM")->size() == 1);
  const auto fifo = read("d/pipe.crt");  // must not block
  REQUIRE_FALSE(fifo);
  CHECK(fifo.error().code == Errc::Unsupported);
  const auto big = read("d/b.PEM", 100);
  REQUIRE_FALSE(big);
  CHECK(big.error().code == Errc::TooLarge);
  const auto missing = read("d/none.pem");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().message.find("none.pem") != std::string::npos);

  const auto no_dir = verify::list_certificate_files(t.path() / "nope", exts, "trust store");
  REQUIRE_FALSE(no_dir);
  CHECK(no_dir.error().message == "trust store directory not found: " + (t.path() / "nope").string());
}
