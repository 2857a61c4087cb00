#pragma once
/// \file
/// Internal to verify/: the OpenSSL objects behind a TrustStore.

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "verify/openssl_ptr.hpp"
#include "verify/trust_store.hpp"

namespace trustscan::verify {

struct TrustStore::Impl {
  /// Anchors and CRLs. Read-only after load(); shared by all verifications.
  X509StorePtr store;
  /// SHA-256 thumbprints of the anchors: a chain counts as trusted only if its top certificate
  /// is one of these (a second check on top of OpenSSL's own trust decision).
  std::set<std::string> anchor_thumbprints;
  std::vector<TrustAnchor> anchors;
  std::size_t crl_count = 0;
  bool checks_revocation = false;
  /// Every instant at which an anchor or a CRL changes state (notBefore, notAfter, lastUpdate,
  /// nextUpdate), sorted and unique: a chain checked at the clock can change only there
  /// (chain.hpp, ClockWindow).
  std::vector<std::int64_t> clock_instants;
  /// SHA-256 over the anchors and CRLs (TrustStore::fingerprint).
  std::string fingerprint;
};

}  // namespace trustscan::verify
