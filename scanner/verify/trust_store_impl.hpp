#pragma once
/// \file
/// Internal to verify/: the OpenSSL objects behind a TrustStore.

#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "verify/openssl_ptr.hpp"
#include "verify/trust_store.hpp"

namespace trustscan::verify {

struct TrustStore::Impl {
  /// Each distinct anchor certificate once, in load order, with its SHA-256 thumbprint and DER
  /// encoding. The loader only checks its structure (outline_certificate): OpenSSL decodes it,
  /// its subject and validity are read and the stores below are built when a chain is first
  /// verified (decode()), or the anchors are listed. Decoding a certificate's public key goes
  /// through OpenSSL 3.0's decoder framework, about 0.15 ms each: for the 515 roots of
  /// Microsoft's program that was three quarters of every run's start, also of a re-scan that
  /// verifies nothing.
  struct Certificate {
    std::string thumbprint_sha256;
    std::vector<std::uint8_t> der;
    mutable X509Ptr cert;  ///< set by decode() (null if OpenSSL refuses what the outline took)
  };
  std::vector<Certificate> certificates;
  /// SHA-256 thumbprint -> indices into `anchors` (one per set holding the certificate, in set
  /// order). A chain counts as trusted only if its top certificate is one of these and one of
  /// its entries allows the chain (a second check on top of OpenSSL's own trust decision).
  std::map<std::string, std::vector<std::size_t>, std::less<>> by_thumbprint;
  /// As the loader adds them; their subjects are read when the certificates are decoded: read
  /// them through decoded_anchors().
  mutable std::vector<TrustAnchor> anchors;
  std::vector<AnchorSetInfo> sets;
  std::vector<CrlPtr> crls;
  bool checks_revocation = false;
  /// Every instant at which an anchor or a CRL changes state (notBefore, notAfter, lastUpdate,
  /// nextUpdate, a program's disable date), sorted and unique: a chain checked at the clock can
  /// change only there (chain.hpp, ClockWindow). The loader adds the CRLs' and the disable
  /// dates; decode() adds the anchors' own and sorts them: read them through instants().
  mutable std::vector<std::int64_t> clock_instants;
  /// SHA-256 over the anchors, their sets and restrictions, and the CRLs (TrustStore::fingerprint).
  std::string fingerprint;

  /// The certificates decoded (decode()).
  [[nodiscard]] const std::vector<Certificate>& decoded_certificates() const {
    decode();
    return certificates;
  }
  /// The anchors with their subjects (decode()).
  [[nodiscard]] const std::vector<TrustAnchor>& decoded_anchors() const {
    decode();
    return anchors;
  }
  /// clock_instants, complete and sorted (decode()).
  [[nodiscard]] const std::vector<std::int64_t>& instants() const {
    decode();
    return clock_instants;
  }
  /// The prebuilt store for `purpose` (kPurposeCodeSigning, kPurposeTimeStamping, else every
  /// anchor); null only when OpenSSL could not allocate one.
  [[nodiscard]] X509_STORE* store_for(std::string_view purpose) const;
  /// A new store for `purpose` without the anchors whose thumbprints are in `excluded` (a
  /// chain is built again when the anchor it reached refuses it at the verification time).
  [[nodiscard]] X509StorePtr store_without(std::string_view purpose, const std::set<std::string>& excluded) const;

 private:
  /// Decodes every certificate and builds the three stores, once, on the first thread that
  /// needs them (the others wait): read-only afterwards, shared by all verifications.
  void decode() const;
  [[nodiscard]] X509StorePtr build_store(std::string_view purpose, const std::set<std::string>& excluded) const;

  mutable std::once_flag decoded_;
  /// One X509_STORE per purpose a chain is verified for, each holding the anchors that may
  /// anchor that purpose at some time (may_anchor) and every CRL: OpenSSL then never builds a
  /// path to an anchor the program excludes from the purpose, and finds another path when there
  /// is one.
  mutable X509StorePtr any_purpose_;  ///< every anchor (chains verified for no particular purpose)
  mutable X509StorePtr code_signing_;
  mutable X509StorePtr time_stamping_;
};

}  // namespace trustscan::verify
