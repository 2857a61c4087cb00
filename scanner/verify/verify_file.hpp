#pragma once
/// \file
/// The verify stage's entry points: verify_file() runs every verifier that applies to a file
/// (the verifier table in verify_file.cpp) over its bytes, and decide_signature() decides, once,
/// which of the file's signatures — its own or a catalog's — stands for the file and what the
/// file's signature status is. Every output and attribution read that decision.

#include <string>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>

#include "core/byte_source.hpp"
#include "core/types.hpp"
#include "parse/binary_model.hpp"
#include "verify/image_trust.hpp"
#include "verify/kernel_keys.hpp"
#include "verify/macho_signature.hpp"
#include "verify/module_signature.hpp"
#include "verify/signature.hpp"
#include "verify/trust_store.hpp"

namespace trustscan::verify {

/// What the verifiers need besides the file; shared read-only by every thread.
struct VerifyServices {
  const TrustStore* trust = nullptr;           ///< Authenticode anchors; nullptr: nothing trusted
  const MachOTrustAnchors* apple = nullptr;    ///< Mach-O anchors; nullptr: Mach-O not verified
  /// The module-signing keys; called only when a kernel module is verified (it may wait for the
  /// keyring still being read from the roots' kernel images).
  std::function<const KernelKeyring&()> module_keys;
  std::int64_t now = 0;  ///< Unix seconds signatures are checked at absent a verified timestamp
  bool strict_padding = false;  ///< VerifyContext::strict_padding (--strict-padding)
  /// The stores of the Windows image the file is in (VerifyContext::image); nullptr outside images.
  const ImageTrust* image = nullptr;
  /// The SHA-1 authentihash of a PE file without a certificate table (VerifyContext::image_sha1).
  bool image_sha1 = true;
};

/// One file as the verifiers see it.
struct VerifyInput {
  /// The file as read (decompressed for .ko.xz/.ko.zst): in memory, or read on demand for a file
  /// above the streaming threshold (the same verifiers read only the ranges they need).
  const ByteSource& bytes;
  const parse::BinaryModel& model;
  FileType type = FileType::Unknown;  ///< parse's classification
  /// SHA-256 of a module's signed content, computed with the file's own hash (may be null).
  const SignedContentDigest* module_digest = nullptr;
};

/// Runs every verifier of the table whose format applies. Never throws on hostile input.
[[nodiscard]] FileSignatures verify_file(const VerifyInput& in, const VerifyServices& services);

/// The file's signature as a whole, from its own signatures and the catalogs listing it:
///  - a catalog stands for a PE whose embedded primary signature is not Valid: the first
///    trusted (Valid) catalog, or, for a PE without an embedded signature, the first catalog
///    (as Windows code integrity would use them);
///  - else the PE's primary embedded signature (the first certificate-table entry), the
///    module's signature, or for Mach-O the first signed slice — with the status of the worst
///    slice, a slice without a signature counting as unsigned (every slice is a program of its
///    own, so the file is only as good as its worst slice).
/// `macho_slices`: the number of slices of a Mach-O file (0 for other formats).
[[nodiscard]] SignatureVerdict decide_signature(const FileSignatures& own, std::span<const Signature> catalogs,
                                                std::size_t macho_slices);

/// For `trustscan --version`: OpenSSL as loaded at run time (OpenSSL_version), e.g. "NAME 1.2.3".
[[nodiscard]] std::string openssl_version();

}  // namespace trustscan::verify
