#pragma once
/// \file
/// Internal to verify/: certificate path validation against a TrustStore at an explicit time,
/// collecting every problem (not only the first) as VerifyFlags plus readable messages.

#include <openssl/x509.h>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include "verify/cert_info.hpp"
#include "verify/signature_status.hpp"
#include "verify/trust_store.hpp"

namespace trustscan::verify::detail {

/// Which extended key usage the leaf must allow.
enum class LeafUsage {
  /// id-kp-codeSigning, or no EKU extension at all (valid for any use, as on Windows)
  CodeSigning,
  TimeStamping,  ///< id-kp-timeStamping must be present (RFC 3161 §2.3)
};

/// The set made of `list` (signature_status.hpp only combines two flags at a time).
[[nodiscard]] constexpr VerifyFlags flags_of(std::initializer_list<VerifyFlag> list) noexcept {
  VerifyFlags set = 0;
  for (VerifyFlag f : list) add_flag(set, f);
  return set;
}

struct ChainResult {
  /// Expired, NotYetValid, UntrustedRoot, Revoked, ChainError, NoCodeSigningEku and the
  /// informational RevocationNotChecked. Empty set = the chain is good and ends at an anchor.
  VerifyFlags flags = 0;
  std::vector<std::string> errors;  ///< one line per problem, naming the certificate
  std::vector<CertInfo> chain;      ///< the path OpenSSL built, leaf first (partial if it failed)
  bool anchored = false;            ///< the path ends at a TrustStore anchor
  /// Clocks at which this result would be the same: around `at_unix`, up to the nearest
  /// validity boundary of the leaf, of every candidate intermediate, of every anchor and of
  /// every CRL (any of which could change the path OpenSSL builds or the problems it finds).
  ClockWindow window;
};

/// Flags from ChainResult that make a chain unacceptable (everything but RevocationNotChecked).
inline constexpr VerifyFlags kChainFailureFlags =
    flags_of({VerifyFlag::Expired, VerifyFlag::NotYetValid, VerifyFlag::UntrustedRoot,
              VerifyFlag::Revoked, VerifyFlag::ChainError, VerifyFlag::NoCodeSigningEku});

/// Validates `leaf` up to an anchor of `trust` as the chain stood at `at_unix`, using the
/// certificates of `untrusted` (may be nullptr) as intermediates. `trust` may be nullptr: then
/// nothing is anchored and the result always carries UntrustedRoot. Never touches the network.
/// Builds its own X509_STORE_CTX, so concurrent calls on one TrustStore are safe.
/// Narrows `window` around `at_unix` by the validity boundaries (notBefore, notAfter) of `cert`.
void narrow_by_validity(ClockWindow& window, const X509* cert, std::int64_t at_unix) noexcept;

[[nodiscard]] ChainResult verify_chain(const TrustStore* trust, X509* leaf,
                                       STACK_OF(X509) * untrusted, std::int64_t at_unix,
                                       LeafUsage usage);

}  // namespace trustscan::verify::detail
