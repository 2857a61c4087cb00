#include "verify/modsig_x509.hpp"

#include <algorithm>
#include <cctype>
#include <climits>
#include <string_view>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

namespace trustscan::verify::modsig {




std::string integer_hex(const ASN1_INTEGER* value) {
  if (value == nullptr) return {};
  BignumPtr bn(ASN1_INTEGER_to_BN(value, nullptr));
  if (!bn) return {};
  char* hex = BN_bn2hex(bn.get());
  if (hex == nullptr) return {};
  std::string out(hex);
  OPENSSL_free(hex);
  std::ranges::transform(out, out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string subject_key_id_hex(X509* cert) {
  const ASN1_OCTET_STRING* skid = cert ? X509_get0_subject_key_id(cert) : nullptr;
  if (skid == nullptr) return {};
  return hex_lower({ASN1_STRING_get0_data(skid), static_cast<std::size_t>(ASN1_STRING_length(skid))});
}

std::string sha256_fingerprint(X509* cert) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (cert == nullptr || X509_digest(cert, EVP_sha256(), md, &len) != 1) return {};
  return hex_lower({md, len});
}

std::vector<X509Ptr> parse_certificates(std::span<const std::byte> bytes) {
  std::vector<X509Ptr> out;
  if (bytes.empty() || bytes.size() > INT_MAX) return out;
  const std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  if (text.find("-----BEGIN") != std::string_view::npos) {
    BioPtr bio(BIO_new_mem_buf(bytes.data(), static_cast<int>(bytes.size())));
    while (bio) {
      X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr);
      if (cert == nullptr) break;
      out.emplace_back(cert);
    }
    ERR_clear_error();  // the last read always ends with "no start line"
    return out;
  }
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(bytes.size())));
  if (cert && p == reinterpret_cast<const unsigned char*>(bytes.data()) + bytes.size())
    out.push_back(std::move(cert));
  ERR_clear_error();
  return out;
}

std::string take_openssl_errors() {
  std::string out;
  char buf[256];
  for (unsigned long e = ERR_get_error(); e != 0; e = ERR_get_error()) {
    ERR_error_string_n(e, buf, sizeof buf);
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out;
}

BioChainPtr cms_detached_content(std::span<const std::byte> bytes) {
  BioChainPtr filter(BIO_new(BIO_f_null()));
  BIO* mem = BIO_new_mem_buf(bytes.data(), static_cast<int>(bytes.size()));
  if (!filter || mem == nullptr) {
    BIO_free(mem);
    return nullptr;
  }
  BIO_push(filter.get(), mem);  // the chain owns `mem` from here on
  return filter;
}

}  // namespace trustscan::verify::modsig
