#pragma once
/// \file
/// Private to verify/: the PKCS#7 SignerInfo check shared by Authenticode signatures, their PKCS#9
/// countersignatures and catalog (.cat) signatures — one implementation of the rules — and the
/// small PKCS#7 look-ups those callers and timestamp.cpp have in common.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <openssl/evp.h>
#include <openssl/pkcs7.h>
#include <openssl/x509.h>

#include "verify/signature_status.hpp"

namespace trustscan::verify::detail {

struct SignerCheck {
  VerifyFlags flags = 0;            ///< BadSignature when any check failed
  std::vector<std::string> errors;  ///< "<who>: <problem>" for each failure
};

/// messageDigest attribute == digest(content), and the signature of `cert` over the DER SET OF
/// authenticated attributes (RFC 2315 §9.3), or over `content` itself when there are none.
[[nodiscard]] SignerCheck check_signer_info(PKCS7_SIGNER_INFO* si, X509* cert, std::span<const std::uint8_t> content,
                                            std::string_view who);

/// The certificate of `certs` named by `ias` (issuer + serial); nullptr if absent or either
/// argument is nullptr. The certificate still belongs to `certs`.
[[nodiscard]] X509* find_signer_cert(STACK_OF(X509) * certs, const PKCS7_ISSUER_AND_SERIAL* ias);

/// Every value of every attribute `oid` in `attrs` (an attribute may repeat and may hold several
/// values), in order. The values still belong to `attrs`.
[[nodiscard]] std::vector<ASN1_TYPE*> attribute_values(const STACK_OF(X509_ATTRIBUTE) * attrs,
                                                       std::string_view oid);

/// The digest an AlgorithmIdentifier names; nullptr for nullptr or an unknown algorithm.
[[nodiscard]] const EVP_MD* md_of(const X509_ALGOR* alg);

/// `md` over `data`; std::nullopt if `md` is nullptr or digesting fails.
[[nodiscard]] std::optional<std::vector<std::uint8_t>> digest_of(const EVP_MD* md,
                                                                 std::span<const std::uint8_t> data);

}  // namespace trustscan::verify::detail
