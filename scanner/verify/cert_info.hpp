#pragma once
/// \file
/// A plain, OpenSSL-free description of one X.509 certificate, as reports show it.

#include <cstddef>
#include <string>
#include <vector>

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
  std::string subject_st;  ///< first stateOrProvinceName of the subject
  std::string subject_l;   ///< first localityName of the subject
  /// Extended Validation subject attributes (CA/Browser Forum EV guidelines §9.2): where the
  /// organisation is incorporated or registered — jurisdictionCountryName /
  /// jurisdictionStateOrProvinceName / jurisdictionLocalityName (1.3.6.1.4.1.311.60.2.1.3/.2/.1),
  /// its registration number (serialNumber, 2.5.4.5: not the certificate's serial number), its
  /// organizationIdentifier (2.5.4.97, e.g. "VATDE-123456789") and businessCategory (2.5.4.15,
  /// "Private Organization", "Government Entity", ...).
  std::string jurisdiction_c;
  std::string jurisdiction_st;
  std::string jurisdiction_l;
  std::string registration_number;
  std::string organization_identifier;
  std::string business_category;
  /// certificatePolicies names the CA/Browser Forum EV code-signing policy 2.23.140.1.3 (or the
  /// EV TLS policy 2.23.140.1.1): the CA vouches for the EV attributes above.
  bool ev = false;
  std::string issuer;      ///< full issuer DN, same syntax as subject
  /// Serial number as lower-case hex of its magnitude bytes ("330000048498e212...").
  std::string serial_hex;
  std::string not_before;         ///< ISO-8601 UTC, "2023-01-31T18:00:00Z"
  std::string not_after;          ///< ISO-8601 UTC
  std::string thumbprint_sha1;    ///< lower-case hex SHA-1 of the DER certificate
  std::string thumbprint_sha256;  ///< lower-case hex SHA-256 of the DER certificate
  /// Lower-case hex digest of the DER tbsCertificate, made with the hash algorithm of the
  /// certificate's own signature (sha1WithRSA: SHA-1, sha256WithRSA / ecdsa-with-SHA256: SHA-256,
  /// SHA-384, SHA-512, MD5): the "TBS hash" by which Windows Defender Application Control policies
  /// name a certificate (`<CertRoot Type="TBS" Value=...>`). Empty when the signature algorithm
  /// names no such hash (Ed25519) or the certificate cannot be encoded.
  std::string tbs_hash;
  /// The extended key usages of the certificate's EKU extension, dotted OIDs in their order
  /// ("1.3.6.1.5.5.7.3.3", "1.3.6.1.4.1.311.10.3.5"); empty without the extension (at most
  /// kMaxEkus are kept). What Windows' kernel-mode signing policy asks of a driver's signer
  /// (verify/kernel_load.hpp).
  std::vector<std::string> ekus;
  static constexpr std::size_t kMaxEkus = 32;
  friend bool operator==(const CertInfo&, const CertInfo&) = default;
};

}  // namespace trustscan::verify
