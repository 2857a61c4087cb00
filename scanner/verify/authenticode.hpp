#pragma once
/// \file
/// Authenticode verification of PE files (EXE, DLL, SYS, EFI), done with OpenSSL on the raw bytes.
/// LIEF is not involved: its 0.9 signature support is incomplete (docs/authenticode.md).
///
/// What verify_authenticode() checks, for every signature in the file:
///  1. The image digest it signs (SpcIndirectDataContent.messageDigest) equals the authentihash of
///     the file computed with the same algorithm (authentihash.hpp)            -> BadDigest
///  2. The signer's messageDigest attribute equals the digest of the SpcIndirectDataContent, and
///     the signer's signature over its authenticated attributes verifies      -> BadSignature
///  3. The signer certificate allows code signing (EKU, or no EKU at all)      -> NoCodeSigningEku
///  4. A timestamp (RFC 3161 token, or legacy PKCS#9 countersignature) if present: its signature,
///     its message imprint over the signer's signature and its TSA chain (at the timestamp time,
///     TSA certificate with the time-stamping EKU). A bad one sets BadTimestamp and is not used.
///  5. The signer's chain up to an anchor of the TrustStore, at the verified timestamp time if
///     there is one, else at VerifyContext::now_unix            -> Expired, NotYetValid,
///     UntrustedRoot, ChainError, Revoked (+ RevocationNotChecked without a CRL directory)
///     A CA of the path that carries an EKU extension must allow code signing too (as Windows
///     intersects the usages of the whole path)                                -> NoCodeSigningEku
///  6. MD5 as image or signer digest                      -> WeakDigest (informational)
///  7. Bytes after the certificate table (outside every hashed range)  -> TrailingData, on every
///     signature of the file
///  8. Data inside a WIN_CERTIFICATE after its PKCS#7 beyond 7 zero bytes of alignment, or non-zero
///     alignment bytes (CVE-2013-3900)  -> CertificatePadding, on the entry's signatures
///
/// Signatures found: every WIN_CERTIFICATE entry of the certificate table (dual-signed UEFI images
/// such as Debian's shimx64.efi carry two) and, recursively, every nested signature
/// (unauthenticated attribute 1.3.6.1.4.1.311.2.4.1), in depth-first order.
///
/// Status of one signature:
///  - Malformed: its structure could not be parsed (flag Malformed; others may be set)
///  - Invalid:   any of BadDigest, BadSignature, Expired, NotYetValid, NoCodeSigningEku, Revoked,
///               ChainError, UnknownKey, TrailingData; CertificatePadding with
///               VerifyContext::strict_padding
///  - Untrusted: integrity verified, but the chain does not end at an anchor (UntrustedRoot only)
///  - Valid:     integrity verified and chained to an anchor at the verification time
/// Nothing is ever Valid without a chain to an anchor. The file's status is its primary
/// signature's (the first WIN_CERTIFICATE entry), as on Windows; Unsigned without a certificate
/// table; Malformed if the table is present but holds no parsable signature.
///
/// No network access, ever: revocation uses only the CRLs given to the TrustStore.
/// Thread safety: the function is reentrant; the TrustStore is only read.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "parse/binary_model.hpp"
#include "verify/authentihash.hpp"
#include "verify/signature.hpp"
#include "verify/image_trust.hpp"
#include "verify/trust_store.hpp"

namespace trustscan::verify {

/// A certificate table larger than this is not parsed (real ones hold a few KiB to ~100 KiB;
/// the PE loader itself accepts a few MiB at most).
inline constexpr std::uint64_t kMaxCertificateTableSize = 16ull << 20;
/// At most this many signatures (entries + nested) are verified per file; the rest are reported
/// as a warning. Real files carry 1-3.
inline constexpr std::size_t kMaxSignatures = 16;
/// Nested signatures deeper than this are not followed (real files nest one level).
inline constexpr int kMaxNestingDepth = 4;

/// Everything verify_authenticode() learned about one PE file.
struct AuthenticodeResult {
  /// Authentihashes (SHA-1, SHA-256); empty strings when the layout does not fit the file, and
  /// SHA-1 empty for a file without a certificate table unless VerifyContext::image_sha1.
  AuthenticodeHashes hashes;
  /// Primary first, then the rest depth-first; each of source SignatureSource::Embedded.
  std::vector<Signature> signatures;
  /// Observations that are not signature problems: limits that cut the walk short, an unusable
  /// layout.
  std::vector<std::string> warnings;

  /// The primary signature, or nullptr when unsigned.
  [[nodiscard]] const Signature* primary() const noexcept {
    return signatures.empty() ? nullptr : signatures.data();
  }
  /// The file's status: its primary signature's (Unsigned without one).
  [[nodiscard]] SignatureStatus status() const noexcept {
    return signatures.empty() ? SignatureStatus::Unsigned : signatures.front().status;
  }
  /// The primary signature's flags.
  [[nodiscard]] VerifyFlags flags() const noexcept { return signatures.empty() ? 0 : signatures.front().flags; }
  /// Verification clocks at which every signature of the file verifies exactly the same: the
  /// intersection of the signatures' windows.
  [[nodiscard]] ClockWindow clock_window() const noexcept {
    ClockWindow w;
    for (const Signature& s : signatures) w.narrow(s.clock_window);
    return w;
  }
  friend bool operator==(const AuthenticodeResult&, const AuthenticodeResult&) = default;
};

/// Shared, read-only inputs of a verification.
struct VerifyContext {
  /// Anchors (and CRLs). nullptr: nothing is trusted, every intact signature is Untrusted.
  const TrustStore* trust = nullptr;
  /// "Now" for signatures without a valid timestamp, seconds since the epoch (an injected clock,
  /// so that tests and reports are reproducible).
  std::int64_t now_unix = 0;
  /// CertificatePadding makes a signature Invalid (--strict-padding; Windows with
  /// EnableCertPaddingCheck). Without it the flag is reported and the status left as it is.
  bool strict_padding = false;
  /// The stores of the Windows image the file is in (image_trust.hpp); nullptr outside images.
  /// Changes the signer chains only (timestamp chains are verified against `trust` alone).
  const ImageTrust* image = nullptr;
  /// Also the SHA-1 authentihash of a file without a certificate table (AuthenticodeResult::hashes):
  /// what catalogs list, and driver block lists beside the SHA-256 one. A file that declares a
  /// table gets both authentihashes whatever this says (its signatures name either).
  bool image_sha1 = true;
};

/// Verifies every Authenticode signature of the PE `file`, whose offsets parse/ recorded in
/// `layout`, and computes its authentihashes. Never throws on hostile input and never reads
/// outside `file`: every problem becomes a status, a flag, an error line or a warning.
/// `file` may be read on demand (a file above the streaming threshold): the certificate table is
/// read with one pread and the hashed ranges in chunks; a read failure makes the digests
/// uncomputable (BadDigest) or the table Malformed, with the reason.
[[nodiscard]] AuthenticodeResult verify_authenticode(const ByteSource& file, const parse::PeLayout& layout,
                                                     const VerifyContext& ctx);
/// verify_authenticode() of bytes in memory.
[[nodiscard]] inline AuthenticodeResult verify_authenticode(std::span<const std::byte> file,
                                                            const parse::PeLayout& layout, const VerifyContext& ctx) {
  return verify_authenticode(SpanSource(file), layout, ctx);
}

}  // namespace trustscan::verify
