#pragma once
/// \file
/// The status vocabulary shared by every kind of code signature trustscan checks (Authenticode,
/// catalogs, Linux module signatures, Mach-O code signatures). A status is the verdict; flags
/// collect *every* problem found, not only the first.

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace trustscan::verify {

/// The verification clocks (Unix seconds) for which a signature result stays exactly the same:
/// [from, until). A result checked against the clock changes only where a certificate or CRL it
/// considered becomes valid or expires, or where a timestamp stops lying in the future; the
/// verifier narrows the window around the clock it used to the nearest such instants. A result
/// that never consulted the clock covers every time. The scan cache (docs/cache.md) reuses a
/// stored result only at a clock inside its window.
struct ClockWindow {
  std::int64_t from = std::numeric_limits<std::int64_t>::min();
  std::int64_t until = std::numeric_limits<std::int64_t>::max();

  /// Something changes state at `instant` (the state for t < instant may differ from t >= instant);
  /// `at` is the clock the result was computed at.
  constexpr void split_at(std::int64_t instant, std::int64_t at) noexcept {
    if (instant <= at) from = std::max(from, instant);
    else until = std::min(until, instant);
  }
  /// Intersection with another window (a result made of several checks).
  constexpr void narrow(const ClockWindow& other) noexcept {
    from = std::max(from, other.from);
    until = std::min(until, other.until);
  }
  [[nodiscard]] constexpr bool contains(std::int64_t t) const noexcept { return from <= t && t < until; }
  friend constexpr bool operator==(const ClockWindow&, const ClockWindow&) noexcept = default;
};

/// Overall verdict for one signature (or a file's primary signature).
enum class SignatureStatus {
  Unsigned,    ///< no signature present
  Valid,       ///< integrity verified and chained to a trust anchor at the verification time
  Untrusted,   ///< integrity verified, but no chain to a trust anchor (or anchor unknown)
  Invalid,     ///< a signature is present and integrity or chain checks failed (see flags)
  UnknownKey,  ///< integrity cannot be checked: the signer's key is not known (module signatures)
  Malformed,   ///< the signature structure cannot be parsed
};

/// Individual problems; a status may come with several.
enum class VerifyFlag : std::uint32_t {
  BadDigest = 1u << 0,              ///< the file's computed digest differs from the signed one
  BadSignature = 1u << 1,           ///< the signer's signature over the signed data does not verify
  UntrustedRoot = 1u << 2,          ///< chain does not end at a configured trust anchor
  Expired = 1u << 3,                ///< a chain certificate had expired at the verification time
  NotYetValid = 1u << 4,            ///< a chain certificate was not yet valid at the verification time
  NoCodeSigningEku = 1u << 5,       ///< the signer, or a CA of its path that carries EKUs, lacks the code-signing EKU
  WeakDigest = 1u << 6,             ///< MD5 (or SHA-1 where policy says so) used for the digest
  Malformed = 1u << 7,              ///< some structure could not be parsed
  UnknownKey = 1u << 8,             ///< no certificate/key available for the signer
  BadPageHash = 1u << 9,            ///< a page hash (Authenticode page hashes, Mach-O code pages) mismatched
  ChainError = 1u << 10,            ///< any other chain building/validation error
  BadTimestamp = 1u << 11,          ///< a timestamp/countersignature is present but does not verify
  RevocationNotChecked = 1u << 12,  ///< informational: no offline revocation data was supplied
  Revoked = 1u << 13,               ///< a chain certificate is revoked according to a supplied CRL
  /// bytes after the PE certificate table: outside every hashed range, so unsigned content in a
  /// signed file (Authenticode forbids it; osslsigncode refuses such a file)
  TrailingData = 1u << 14,
  /// data inside a WIN_CERTIFICATE after its signature beyond the 8-byte alignment, or non-zero
  /// alignment bytes (CVE-2013-3900; invalid only where padding is checked, as EnableCertPaddingCheck)
  CertificatePadding = 1u << 15,
  /// informational: the chain is trusted only through a root that the scanned Windows image's own
  /// ROOT/AuthRoot store holds and the anchor set in use does not (verify/image_trust.hpp)
  ImageOnlyRoot = 1u << 16,
  /// a certificate of the chain is in the scanned Windows image's Disallowed store: the signature
  /// is invalid for that image (verify/image_trust.hpp)
  Disallowed = 1u << 17,
};

using VerifyFlags = std::uint32_t;

[[nodiscard]] constexpr VerifyFlags operator|(VerifyFlag a, VerifyFlag b) noexcept {
  return static_cast<VerifyFlags>(a) | static_cast<VerifyFlags>(b);
}
[[nodiscard]] constexpr bool has_flag(VerifyFlags set, VerifyFlag f) noexcept {
  return (set & static_cast<VerifyFlags>(f)) != 0;
}
constexpr void add_flag(VerifyFlags& set, VerifyFlag f) noexcept { set |= static_cast<VerifyFlags>(f); }
/// The set of `list`.
[[nodiscard]] constexpr VerifyFlags flags_of(std::initializer_list<VerifyFlag> list) noexcept {
  VerifyFlags set = 0;
  for (VerifyFlag f : list) add_flag(set, f);
  return set;
}

[[nodiscard]] constexpr std::string_view to_string(SignatureStatus s) noexcept {
  switch (s) {
    case SignatureStatus::Valid: return "valid";
    case SignatureStatus::Untrusted: return "untrusted";
    case SignatureStatus::Invalid: return "invalid";
    case SignatureStatus::UnknownKey: return "unknown_key";
    case SignatureStatus::Malformed: return "malformed";
    case SignatureStatus::Unsigned: break;
  }
  return "unsigned";
}

[[nodiscard]] constexpr std::string_view to_string(VerifyFlag f) noexcept {
  switch (f) {
    case VerifyFlag::BadDigest: return "bad_digest";
    case VerifyFlag::BadSignature: return "bad_signature";
    case VerifyFlag::UntrustedRoot: return "untrusted_root";
    case VerifyFlag::Expired: return "expired";
    case VerifyFlag::NotYetValid: return "not_yet_valid";
    case VerifyFlag::NoCodeSigningEku: return "no_code_signing_eku";
    case VerifyFlag::WeakDigest: return "weak_digest";
    case VerifyFlag::Malformed: return "malformed";
    case VerifyFlag::UnknownKey: return "unknown_key";
    case VerifyFlag::BadPageHash: return "bad_page_hash";
    case VerifyFlag::ChainError: return "chain_error";
    case VerifyFlag::BadTimestamp: return "bad_timestamp";
    case VerifyFlag::RevocationNotChecked: return "revocation_not_checked";
    case VerifyFlag::Revoked: return "revoked";
    case VerifyFlag::TrailingData: return "trailing_data";
    case VerifyFlag::CertificatePadding: return "certificate_padding";
    case VerifyFlag::ImageOnlyRoot: return "image_only_root";
    case VerifyFlag::Disallowed: return "disallowed";
  }
  return "unknown";
}

/// Names of every flag set, in bit order (for reports).
[[nodiscard]] inline std::vector<std::string> flag_names(VerifyFlags set) {
  std::vector<std::string> out;
  for (std::uint32_t bit = 0; bit < 32; ++bit)
    if (set & (1u << bit)) out.emplace_back(to_string(static_cast<VerifyFlag>(1u << bit)));
  return out;
}

}  // namespace trustscan::verify
