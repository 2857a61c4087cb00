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
