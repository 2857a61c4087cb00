#pragma once
/// \file
/// Internal to verify/: the OpenSSL objects behind a TrustStore.

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "verify/openssl_ptr.hpp"
#include "verify/trust_store.hpp"

namespace trustscan::verify {

struct TrustStore::Impl {
  /// One X509_STORE per purpose a chain is verified for, each holding the anchors that may
  /// anchor that purpose at some time (may_anchor) and every CRL: OpenSSL then never builds a
  /// path to an anchor the program excludes from the purpose, and finds another path when there
  /// is one. Read-only after loading; shared by all verifications.
  X509StorePtr any_purpose;  ///< every anchor (chains verified for no particular purpose)
  X509StorePtr code_signing;
  X509StorePtr time_stamping;
  /// Each distinct anchor certificate once, in load order, with its SHA-256 thumbprint.
  struct Certificate {
    std::string thumbprint_sha256;
    X509Ptr cert;
  };
  std::vector<Certificate> certificates;
  /// SHA-256 thumbprint -> indices into `anchors` (one per set holding the certificate, in set
  /// order). A chain counts as trusted only if its top certificate is one of these and one of
  /// its entries allows the chain (a second check on top of OpenSSL's own trust decision).
  std::map<std::string, std::vector<std::size_t>, std::less<>> by_thumbprint;
  std::vector<TrustAnchor> anchors;
  std::vector<AnchorSetInfo> sets;
  std::vector<CrlPtr> crls;
  bool checks_revocation = false;
  /// Every instant at which an anchor or a CRL changes state (notBefore, notAfter, lastUpdate,
  /// nextUpdate, a program's disable date), sorted and unique: a chain checked at the clock can
  /// change only there (chain.hpp, ClockWindow).
  std::vector<std::int64_t> clock_instants;
  /// SHA-256 over the anchors, their sets and restrictions, and the CRLs (TrustStore::fingerprint).
  std::string fingerprint;

  /// The prebuilt store for `purpose` (kPurposeCodeSigning, kPurposeTimeStamping, else every
  /// anchor).
  [[nodiscard]] X509_STORE* store_for(std::string_view purpose) const noexcept;
  /// A new store for `purpose` without the anchors whose thumbprints are in `excluded` (a
  /// chain is built again when the anchor it reached refuses it at the verification time).
  [[nodiscard]] X509StorePtr store_without(std::string_view purpose, const std::set<std::string>& excluded) const;
};

}  // namespace trustscan::verify
