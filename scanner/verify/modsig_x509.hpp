#pragma once
/// \file
/// Private to verify/ (module and Mach-O signatures): small OpenSSL helpers that turn certificates,
/// names and integers into the strings reports use, and parse PEM/DER certificate buffers.

#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "verify/openssl_ptr.hpp"
#include "verify/x509_util.hpp"

namespace trustscan::verify::modsig {

// Shared with Authenticode (x509_util): one implementation of each.
using detail::name_entry;
using detail::name_to_string;
[[nodiscard]] inline std::string hex_lower(std::span<const unsigned char> bytes) { return detail::to_hex(bytes); }

/// Lower-case hex of an ASN.1 INTEGER's magnitude (as `openssl x509 -serial` prints it, lower-cased);
/// a negative serial gets a leading '-'.
[[nodiscard]] std::string integer_hex(const ASN1_INTEGER* value);

/// subjectKeyIdentifier of `cert`, lower-case hex; "" if absent.
[[nodiscard]] std::string subject_key_id_hex(X509* cert);

/// SHA-256 of the DER encoding of `cert`, lower-case hex.
[[nodiscard]] std::string sha256_fingerprint(X509* cert);

/// Certificates in `bytes`: every PEM "CERTIFICATE" block, or else one DER certificate that must
/// span the whole buffer (trailing bytes make it a non-certificate). Empty if none.
[[nodiscard]] std::vector<X509Ptr> parse_certificates(std::span<const std::byte> bytes);

/// Drains OpenSSL's (thread-local) error queue into one message; "" if it was empty.
[[nodiscard]] std::string take_openssl_errors();

}  // namespace trustscan::verify::modsig
