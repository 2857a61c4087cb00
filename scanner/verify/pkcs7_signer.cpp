#include "verify/pkcs7_signer.hpp"

#include <openssl/err.h>

#include <algorithm>

#include "verify/openssl_ptr.hpp"
#include "verify/x509_util.hpp"

namespace trustscan::verify::detail {

X509* find_signer_cert(STACK_OF(X509) * certs, const PKCS7_ISSUER_AND_SERIAL* ias) {
  if (certs == nullptr || ias == nullptr) return nullptr;
  return X509_find_by_issuer_and_serial(certs, ias->issuer, ias->serial);
}

std::vector<ASN1_TYPE*> attribute_values(const STACK_OF(X509_ATTRIBUTE) * attrs,
                                         std::string_view oid) {
  std::vector<ASN1_TYPE*> values;
  const int n = X509at_get_attr_count(attrs);
  for (int i = 0; i < n; ++i) {
    X509_ATTRIBUTE* attr = X509at_get_attr(attrs, i);
    if (!oid_is(X509_ATTRIBUTE_get0_object(attr), oid)) continue;
    for (int v = 0; v < X509_ATTRIBUTE_count(attr); ++v)
      if (ASN1_TYPE* t = X509_ATTRIBUTE_get0_type(attr, v)) values.push_back(t);
  }
  return values;
}

const EVP_MD* md_of(const X509_ALGOR* alg) {
  return alg != nullptr ? EVP_get_digestbyobj(alg->algorithm) : nullptr;
}

std::optional<std::vector<std::uint8_t>> digest_of(const EVP_MD* md,
                                                   std::span<const std::uint8_t> data) {
  std::vector<std::uint8_t> out(EVP_MAX_MD_SIZE);
  unsigned int len = 0;
  if (md == nullptr || EVP_Digest(data.data(), data.size(), out.data(), &len, md, nullptr) != 1)
    return std::nullopt;
  out.resize(len);
  return out;
}

/// PKCS#7 signer checks: messageDigest attribute == digest(content), and the signature over the
/// DER SET OF authenticated attributes (or over the content itself when there are none).
SignerCheck check_signer_info(PKCS7_SIGNER_INFO* si, X509* cert, std::span<const std::uint8_t> content,
                              std::string_view who) {
  SignerCheck check;
  auto bad = [&](std::string message) {
    add_flag(check.flags, VerifyFlag::BadSignature);
    check.errors.push_back(std::string(who) + ": " + message);
  };
  const EVP_MD* md = md_of(si->digest_alg);
  EVP_PKEY* key = cert ? X509_get0_pubkey(cert) : nullptr;
  if (md == nullptr) {
    bad("unsupported signer digest algorithm");
    return check;
  }
  if (key == nullptr) {
    bad("signer public key unavailable");
    return check;
  }

  std::vector<std::uint8_t> signed_bytes;
  if (X509at_get_attr_count(si->auth_attr) > 0) {
    ASN1_OCTET_STRING* message_digest = PKCS7_digest_from_attributes(si->auth_attr);
    const auto actual = digest_of(md, content);
    if (message_digest == nullptr)
      bad("messageDigest attribute missing");
    else if (!actual || !std::ranges::equal(*actual, bytes_of(message_digest)))
      bad("messageDigest attribute does not match the signed content");
    // The signature covers the attributes re-encoded as a DER SET (RFC 2315 §9.3).
    unsigned char* der = nullptr;
    const int len = ASN1_item_i2d(reinterpret_cast<ASN1_VALUE*>(si->auth_attr), &der,
                                  ASN1_ITEM_rptr(PKCS7_ATTR_VERIFY));
    if (len <= 0 || der == nullptr) {
      bad("authenticated attributes cannot be encoded");
      return check;
    }
    signed_bytes.assign(der, der + len);
    OPENSSL_free(der);
  } else {
    signed_bytes.assign(content.begin(), content.end());
  }

  EvpMdCtxPtr mctx(EVP_MD_CTX_new());
  const std::span<const std::uint8_t> sig = bytes_of(si->enc_digest);
  const bool ok = mctx && EVP_DigestVerifyInit(mctx.get(), nullptr, md, nullptr, key) == 1 &&
                  EVP_DigestVerify(mctx.get(), sig.data(), sig.size(), signed_bytes.data(),
                                   signed_bytes.size()) == 1;
  ERR_clear_error();
  if (!ok) bad("signature does not verify with the signer certificate");
  return check;
}

}  // namespace trustscan::verify::detail
