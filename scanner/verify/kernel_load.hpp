#pragma once
/// \file
/// Would Windows load this kernel driver? (`trustscan.windows.kernel_load`, issue 16.) Decided
/// from the verified signatures of a kernel-mode PE — its own (primary and nested) and the
/// catalogs listing it — as Windows' kernel-mode code signing policy decides it on Windows 10
/// 1607 and later (docs/windows.md, "Would Windows load this driver"):
///
///  - allowed: a chain that a Microsoft production root anchors (Microsoft Root Authority, Root
///    Certificate Authority, ... 2010, ... 2011) whose signer carries the Windows Hardware Driver
///    Verification EKU (1.3.6.1.4.1.311.10.3.5; attested: .5.1) under a "Microsoft Windows Third
///    Party Component CA" (or "Hardware Compatibility PCA") — the Hardware Dev Center (WHCP /
///    attestation) signature — or the Windows System Component Verification EKU
///    (1.3.6.1.4.1.311.10.3.6): Microsoft's own Windows drivers;
///  - legacy_cross_signed: a path through a cross-certificate to "Microsoft Code Verification
///    Root" whose end-entity certificate was issued (notBefore) before 2015-07-29;
///  - not_allowed: the same path with a later end-entity certificate (loads only on machines
///    upgraded from before 1607, with Secure Boot off, or as a boot driver); a signature whose
///    integrity or chain fails; a commercial chain without Microsoft's signature; no signature;
///  - test_signing_only: an intact signature that no production anchor set anchors (self-signed,
///    a test root such as WDKTestCert, a root given only with --trust-store, or no anchor at all).
///
/// Names decide nothing on their own: a root counts as Microsoft's only when it is the trust
/// anchor that made the path trusted (Signature::anchor_set, kernel_anchor_set non-empty) — a
/// self-made "Microsoft Root Certificate Authority 2010" that no anchor set holds is an
/// untrusted, test-signed chain. The roots' names are compared because the anchors are the
/// user's (imported root program, --trust-store): whoever is trusted under that name is the
/// root Windows' kernel knows by it.
///
/// Plain data and a pure function (no OpenSSL): the record holds the decision
/// (record::FileRecord::kernel_load); verify/kernel_path.hpp adds the cross-certificate path to
/// the signatures while they are verified.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "verify/signature.hpp"

namespace trustscan::verify {

/// What Windows' kernel-mode code signing policy makes of a driver.
enum class KernelLoad : std::uint8_t {
  Allowed,            ///< Microsoft-signed (WHCP / attestation, or Windows' own): loads everywhere
  LegacyCrossSigned,  ///< cross-signed, end-entity issued before 2015-07-29: the policy's exception
  NotAllowed,         ///< not loaded by a clean Windows 10 1607+ with Secure Boot (reason says when it is)
  TestSigningOnly,    ///< test-signed: loads only with test signing on
};

[[nodiscard]] constexpr std::string_view to_string(KernelLoad k) noexcept {
  switch (k) {
    case KernelLoad::Allowed: return "allowed";
    case KernelLoad::LegacyCrossSigned: return "legacy_cross_signed";
    case KernelLoad::TestSigningOnly: return "test_signing_only";
    case KernelLoad::NotAllowed: break;
  }
  return "not_allowed";
}

/// The rule that decided (reports: `basis`; tests assert it), one per way a signature can end.
enum class KernelLoadBasis : std::uint8_t {
  Whcp,                      ///< Hardware Dev Center signature (WHCP or attestation EKU)
  MicrosoftWindows,          ///< Windows System Component Verification EKU under a Microsoft root
  CrossSignedLegacy,         ///< via Microsoft Code Verification Root, end entity before 2015-07-29
  CrossSignedLate,           ///< via Microsoft Code Verification Root, end entity on/after 2015-07-29
  MicrosoftRootNoDriverEku,  ///< a Microsoft root anchors it, but the signer has no driver EKU
  CommercialOnly,            ///< a production anchor set anchors it, no Microsoft kernel root
  TestSigned,                ///< intact, but no production anchor set anchors it
  BadSignature,              ///< integrity or chain checks failed (flags in the reason)
  Unsigned,                  ///< no signature at all
};

[[nodiscard]] constexpr std::string_view to_string(KernelLoadBasis b) noexcept {
  switch (b) {
    case KernelLoadBasis::Whcp: return "whcp";
    case KernelLoadBasis::MicrosoftWindows: return "microsoft_windows";
    case KernelLoadBasis::CrossSignedLegacy: return "cross_signed_before_2015_07_29";
    case KernelLoadBasis::CrossSignedLate: return "cross_signed_after_2015_07_29";
    case KernelLoadBasis::MicrosoftRootNoDriverEku: return "microsoft_root_without_driver_eku";
    case KernelLoadBasis::CommercialOnly: return "commercial_chain_only";
    case KernelLoadBasis::TestSigned: return "test_signed";
    case KernelLoadBasis::BadSignature: return "signature_not_valid";
    case KernelLoadBasis::Unsigned: break;
  }
  return "unsigned";
}

/// What an offline Windows image's registry says about how it loads drivers (absent = unknown).
struct CodeIntegrityState {
  std::optional<bool> secure_boot;   ///< SYSTEM\...\SecureBoot\State\UEFISecureBootEnabled
  std::optional<bool> test_signing;  ///< the BCD store's testsigning element
  friend bool operator==(const CodeIntegrityState&, const CodeIntegrityState&) = default;
};

/// The decision for one driver.
struct KernelLoadDecision {
  KernelLoad value = KernelLoad::NotAllowed;
  KernelLoadBasis basis = KernelLoadBasis::Unsigned;
  std::string reason;  ///< one sentence people can check: the path, the dates, where it loads
  /// The signature that decided (the best of the driver's); nullopt when unsigned.
  std::optional<SignatureVerdict::Ref> signature;
  friend bool operator==(const KernelLoadDecision&, const KernelLoadDecision&) = default;
};

/// The end-entity notBefore from which a cross-signed driver is no longer excepted.
inline constexpr std::string_view kCrossSigningCutoff = "2015-07-29T00:00:00Z";

/// What one signature alone makes of the driver (`ref` is copied into the decision).
[[nodiscard]] KernelLoadDecision kernel_load_of(const Signature& s, SignatureVerdict::Ref ref);

/// The driver's decision: the best of kernel_load_of() over its own signatures (Authenticode,
/// primary and nested) and `catalogs`, the first in that order among equals; then `state`
/// (the image's Secure Boot and test-signing settings, when known) added to the reason.
[[nodiscard]] KernelLoadDecision decide_kernel_load(std::span<const Signature> own, std::span<const Signature> catalogs,
                                                    const CodeIntegrityState& state = {});

/// Whether `cn` names a root Windows' kernel trusts for production driver signatures
/// (Microsoft Root Authority, Microsoft Root Certificate Authority [2010, 2011]).
[[nodiscard]] bool is_microsoft_production_root(std::string_view cn) noexcept;
/// Whether `cn` names one of the roots Windows' kernel trusts at all: the production roots,
/// Microsoft Code Verification Root (cross-signing) and Microsoft's testing roots.
[[nodiscard]] bool is_kernel_root(std::string_view cn) noexcept;

}  // namespace trustscan::verify
