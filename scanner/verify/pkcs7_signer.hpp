#pragma once
/// \file
/// Private to verify/: the PKCS#7 SignerInfo check shared by Authenticode signatures, their PKCS#9
/// countersignatures and catalog (.cat) signatures — one implementation of the rules.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

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

}  // namespace trustscan::verify::detail
