#pragma once
/// \file
/// Private to verify/ (module and Mach-O signatures): small OpenSSL helpers that turn certificates,
/// names and integers into the strings reports use, and parse PEM/DER certificate buffers.

#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "verify/openssl_ptr.hpp"

namespace trustscan::verify::modsig {

/// Lower-case hex of `bytes`, no separators.
[[nodiscard]] std::string hex_lower(std::span<const unsigned char> bytes);

/// One-line DN in RFC 2253 order ("CN=x,O=y,C=z"), UTF-8; empty for nullptr.
[[nodiscard]] std::string name_to_string(const X509_NAME* name);

/// The first entry of `nid` (NID_commonName, NID_organizationName, ...) in `name`, UTF-8; "" if none.
[[nodiscard]] std::string name_entry(const X509_NAME* name, int nid);

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
