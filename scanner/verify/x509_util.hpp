#pragma once
/// \file
/// Internal to verify/: small conversions from OpenSSL objects to report strings.
/// Every function is total: bad input gives an empty string or std::nullopt, never an exception.

#include <openssl/asn1.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "verify/cert_info.hpp"

namespace trustscan::verify::detail {

/// Longest string copied out of a certificate or attribute (names, URLs); longer ones are cut.
inline constexpr std::size_t kMaxReportString = 4096;

/// Lower-case hex of a byte range.
[[nodiscard]] std::string to_hex(std::span<const std::uint8_t> bytes);

/// Bytes of an ASN1_STRING (OCTET STRING, INTEGER magnitude, ...). Empty for nullptr.
[[nodiscard]] std::span<const std::uint8_t> bytes_of(const ASN1_STRING* s) noexcept;

/// Full encoding (tag + length + contents) of an ASN1_TYPE holding a SEQUENCE; empty otherwise.
[[nodiscard]] std::span<const std::uint8_t> sequence_bytes(const ASN1_TYPE* t) noexcept;

/// True if `obj` is the object identifier `dotted` ("1.3.6.1.4.1.311.2.1.4").
[[nodiscard]] bool oid_is(const ASN1_OBJECT* obj, std::string_view dotted) noexcept;

/// Dotted text of an OID ("1.3.6.1.4.1.311.10.1"); "?" for nullptr or one too long to print.
[[nodiscard]] std::string oid_text(const ASN1_OBJECT* obj);

/// Dotted text of an OID given as its whole DER encoding (tag 0x06); "?" if it is not one.
[[nodiscard]] std::string oid_text_der(std::span<const std::uint8_t> whole);

/// The dotted OIDs of the contents of a SEQUENCE OF OBJECT IDENTIFIER (stops at the first item
/// that is not an OID).
[[nodiscard]] std::vector<std::string> oid_list(std::span<const std::uint8_t> sequence_contents);

/// DN in RFC 2253 order with UTF-8 values (not escaped as \XX), cut at kMaxReportString.
[[nodiscard]] std::string name_to_string(const X509_NAME* name);

/// Value of the first entry with `nid` in `name`, as UTF-8; empty if none.
[[nodiscard]] std::string name_entry(const X509_NAME* name, int nid);

/// Seconds since the epoch for an ASN1_TIME (UTCTime or GeneralizedTime).
[[nodiscard]] std::optional<std::int64_t> to_unix(const ASN1_TIME* t) noexcept;

/// "YYYY-MM-DDTHH:MM:SSZ" for seconds since the epoch.
[[nodiscard]] std::string iso8601(std::int64_t unix_seconds);
/// The lower-case hex digest `md` of the certificate's DER encoding (its thumbprint); "" on failure.
[[nodiscard]] std::string thumbprint(const X509* cert, const EVP_MD* md);

/// The report view of a certificate.
[[nodiscard]] CertInfo cert_info(const X509* cert);

/// Lower-case short digest name ("sha256", "sha1", "md5"); "unknown" for nullptr.
[[nodiscard]] std::string digest_name(const EVP_MD* md);

}  // namespace trustscan::verify::detail
