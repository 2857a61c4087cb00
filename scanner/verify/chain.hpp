#pragma once
/// \file
/// Internal to verify/: certificate path validation against a TrustStore at an explicit time,
/// collecting every problem (not only the first) as VerifyFlags plus readable messages.

#include <openssl/x509.h>

#include <cstdint>
#include <initializer_list>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "verify/cert_info.hpp"
#include "verify/image_trust.hpp"
#include "verify/signature_status.hpp"
#include "verify/trust_store.hpp"

namespace trustscan::verify::detail {

/// Which extended key usage the leaf must allow, and every CA of the path that carries an EKU
/// extension (except for RootListSigner); it is also the purpose the anchor must be trusted for
/// (AnchorPolicy).
enum class LeafUsage {
  /// id-kp-codeSigning, or no EKU extension at all (valid for any use, as on Windows)
  CodeSigning,
  TimeStamping,  ///< id-kp-timeStamping must be present (RFC 3161 §2.3)
  /// szOID_ROOT_LIST_SIGNER (1.3.6.1.4.1.311.10.3.9) must be present: the signer of Microsoft's
  /// root program list (authroot.stl). Anchors are not checked for a purpose.
  RootListSigner,
};

/// szOID_ROOT_LIST_SIGNER, the EKU (and CTL subjectUsage) of Microsoft's root list.
inline constexpr std::string_view kOidRootListSigner = "1.3.6.1.4.1.311.10.3.9";

/// At most this many anchors a chain reached but whose program entry refused it at the
/// verification time are set aside to build another path (cross-signed roots give 2-3).
inline constexpr int kMaxAnchorRetries = 4;

/// The set made of `list` (signature_status.hpp only combines two flags at a time).

struct ChainResult {
  /// Expired, NotYetValid, UntrustedRoot, Revoked, ChainError, NoCodeSigningEku and the
  /// informational RevocationNotChecked. Empty set = the chain is good and ends at an anchor.
  VerifyFlags flags = 0;
  std::vector<std::string> errors;  ///< one line per problem, naming the certificate
  std::vector<CertInfo> chain;      ///< the path OpenSSL built, leaf first (partial if it failed)
  bool anchored = false;            ///< the path ends at a TrustStore anchor that allows it
  /// The anchor set whose anchor made the chain trusted ("" when not anchored); for a root of a
  /// Windows image's own store, "windows-image:" + the store's key.
  std::string anchor_set;
  /// Signature::trust_basis: "program", "program_and_machine", "machine_only"; "" when not anchored.
  std::string trust_basis;
  /// Clocks at which this result would be the same: around `at_unix`, up to the nearest
  /// validity boundary of the leaf, of every candidate intermediate, of every anchor and of
  /// every CRL (any of which could change the path OpenSSL builds or the problems it finds).
  ClockWindow window;
};

/// Flags from ChainResult that make a chain unacceptable (everything but RevocationNotChecked).
inline constexpr VerifyFlags kChainFailureFlags = flags_of(
    {VerifyFlag::Expired, VerifyFlag::NotYetValid, VerifyFlag::UntrustedRoot, VerifyFlag::Revoked,
     VerifyFlag::ChainError, VerifyFlag::NoCodeSigningEku, VerifyFlag::Disallowed});

/// Narrows `window` around `at_unix` by the validity boundaries (notBefore, notAfter) of `cert`.
void narrow_by_validity(ClockWindow& window, const X509* cert, std::int64_t at_unix) noexcept;

/// Validates `leaf` up to an anchor of `trust` as the chain stood at `at_unix`, using the
/// certificates of `untrusted` (may be nullptr) as intermediates. `trust` may be nullptr: then
/// nothing is anchored and the result always carries UntrustedRoot. Never touches the network.
/// Builds its own X509_STORE_CTX, so concurrent calls on one TrustStore are safe.
///
/// Only anchors whose restrictions allow `usage`'s purpose are candidates (TrustStore::Impl
/// keeps a store per purpose); an anchor reached whose program entry refuses the chain at
/// `at_unix` (disabled, certificates issued after its not-before date) is set aside and the
/// path built again without it, up to kMaxAnchorRetries times; each refusal is an error line.
///
/// `image` (may be nullptr): the stores of the Windows image the file is in (image_trust.hpp):
/// its CA certificates are further intermediates; a chain the anchor set does not anchor may end
/// at one of its roots (trust_basis "machine_only", flag ImageOnlyRoot); a certificate of the
/// path in its Disallowed store sets Disallowed.
/// The anchors whose SHA-256 thumbprints are in `excluded` are no candidates at all (a path to
/// a chosen few anchors: kernel_path.hpp).
[[nodiscard]] ChainResult verify_chain(const TrustStore* trust, X509* leaf, STACK_OF(X509) * untrusted,
                                       std::int64_t at_unix, LeafUsage usage, const ImageTrust* image = nullptr,
                                       const std::set<std::string>& excluded = {});

}  // namespace trustscan::verify::detail
