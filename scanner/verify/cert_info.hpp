#pragma once
/// \file
/// A plain, OpenSSL-free description of one X.509 certificate, as reports show it.

#include <string>

namespace trustscan::verify {

/// What a report says about one certificate. All strings are UTF-8; empty when absent.
struct CertInfo {
  /// Full subject DN in RFC 2253 order and syntax, most specific first:
  /// "CN=Microsoft Corporation,O=Microsoft Corporation,L=Redmond,ST=Washington,C=US".
  std::string subject;
  std::string subject_cn;  ///< first commonName of the subject
  std::string subject_o;   ///< first organizationName of the subject
  std::string subject_ou;  ///< first organizationalUnitName of the subject (Apple: the Team ID)
  std::string subject_c;   ///< first countryName of the subject
  std::string issuer;      ///< full issuer DN, same syntax as subject
  /// Serial number as lower-case hex of its magnitude bytes ("330000048498e212...").
  std::string serial_hex;
  std::string not_before;         ///< ISO-8601 UTC, "2023-01-31T18:00:00Z"
  std::string not_after;          ///< ISO-8601 UTC
  std::string thumbprint_sha1;    ///< lower-case hex SHA-1 of the DER certificate
  std::string thumbprint_sha256;  ///< lower-case hex SHA-256 of the DER certificate
  friend bool operator==(const CertInfo&, const CertInfo&) = default;
};

}  // namespace trustscan::verify
