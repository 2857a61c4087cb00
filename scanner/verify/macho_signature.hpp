#pragma once
/// \file
/// Mach-O code signatures (the LC_CODE_SIGNATURE SuperBlob), verified offline, one slice at a time.
///
/// What a slice's signature contains (Apple's xnu `osfmk/kern/cs_blobs.h`; all big-endian):
///  - SuperBlob 0xfade0cc0: `{magic, length, count, {type, offset}[count]}` indexing the blobs below;
///  - CodeDirectory 0xfade0c02 (slot 0, alternates in slots 0x1000..0x1004): identifier, team ID,
///    flags, hash type, page size, codeLimit, and the hash of every code page of the slice plus
///    "special slots" (negative indices) hashing the other blobs (requirements, entitlements, ...);
///  - Requirements 0xfade0c01 (slot 2), Entitlements XML 0xfade7171 (slot 5), DER entitlements
///    0xfade7172 (slot 7);
///  - CMS wrapper 0xfade0b01 (slot 0x10000): a detached CMS SignedData over the bytes of the slot-0
///    CodeDirectory; Apple also lists the hashes of *all* CodeDirectories in signed attributes
///    (1.2.840.113635.100.9.1 plist, 1.2.840.113635.100.9.2 DER), binding the alternates.
///    Ad-hoc signatures have no CMS (or an empty 8-byte wrapper).
///
/// Checks: every code page hash of every CodeDirectory against the slice bytes (page i covers
/// `[i*pageSize, min(codeLimit, (i+1)*pageSize))` from the slice start); the special slots of the
/// blobs embedded in the SuperBlob; the CMS signature over CodeDirectory 0 and the binding of the
/// alternates; the signer chain to a MachOTrustAnchors root (Apple Root CA), with the
/// code-signing EKU, at the time of Apple's RFC 3161 timestamp when it verifies, else at `now`.
/// Not checked (outside the binary): the Info.plist and CodeResources of a bundle (special slots
/// 1 and 3, reported in unverified_special_slots), revocation/OCSP, notarization tickets.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/byte_source.hpp"
#include "core/error.hpp"
#include "verify/signature.hpp"

struct x509_st;  // OpenSSL's X509, forward-declared so this header stays OpenSSL-free.

namespace trustscan::verify {

/// The anchor set Mach-O verdicts name (`signatures/trust/apple/`, docs/datasets.md).
inline constexpr std::string_view kMachOAnchorSet = "apple";

/// Root certificates trusted for Mach-O code signatures (Apple's public roots, loaded from
/// `signatures/trust/apple/`). Deliberately separate from the Authenticode trust store: a Developer
/// ID signature must chain to Apple, not to any web or Microsoft root. Immutable once built;
/// const members are thread-safe. Move-only.
class MachOTrustAnchors {
 public:
  MachOTrustAnchors();
  ~MachOTrustAnchors();
  MachOTrustAnchors(MachOTrustAnchors&&) noexcept;
  MachOTrustAnchors& operator=(MachOTrustAnchors&&) noexcept;
  MachOTrustAnchors(const MachOTrustAnchors&) = delete;
  MachOTrustAnchors& operator=(const MachOTrustAnchors&) = delete;

  /// Adds the certificate(s) of one PEM or DER buffer; returns how many were added.
  Result<std::size_t> add(std::span<const std::byte> pem_or_der);
  /// Loads every `*.pem`, `*.cer`, `*.crt`, `*.der` file directly inside `dir` (other files, such
  /// as README.md, are ignored). Fails on an unreadable directory or a file that is not a
  /// certificate (start-up configuration: fail fast), and when no certificate was found.
  static Result<MachOTrustAnchors> load_directory(const std::filesystem::path& dir);

  [[nodiscard]] std::size_t size() const noexcept;
  /// Subject DNs of the anchors, in load order (for diagnostics).
  [[nodiscard]] std::vector<std::string> subjects() const;
  /// Lower-case hex SHA-256 identifying exactly this set of anchors (the scan cache is void when
  /// it changes; docs/cache.md). "" for an empty set.
  [[nodiscard]] std::string fingerprint() const;
  /// The anchor certificate at `index` (OpenSSL X509*), nullptr if out of range; verify/ internal.
  [[nodiscard]] x509_st* certificate(std::size_t index) const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Where one slice's signature lies inside the file. All offsets are relative to the *file*
/// start (for a fat file: parse::MachOSlice::offset / size and code_signature as recorded).
struct MachOSignatureLocation {
  std::uint64_t slice_offset = 0;      ///< slice start (0 for a thin file)
  std::uint64_t slice_size = 0;        ///< slice length
  std::uint64_t signature_offset = 0;  ///< slice_offset + LC_CODE_SIGNATURE dataoff
  std::uint64_t signature_size = 0;    ///< LC_CODE_SIGNATURE datasize; 0 = no signature
  std::size_t slice = 0;               ///< index of the slice in the file (MachODetails::slice)
};

/// Outcome of verify_macho_signature for one slice: a Signature of source MachO with MachODetails
/// (signature.hpp). `signer` is the CMS signer certificate (common name "Developer ID
/// Application: NAME (TEAMID)", organizational unit the Team ID), `chain` the path as built or
/// embedded, `digest_algorithm` the best CodeDirectory's hash type, `signing_time` the CMS
/// signingTime attribute (claimed), `timestamp` Apple's verified RFC 3161 timestamp,
/// `verification_time_source` "timestamp" or "clock" ("" when no chain was checked).
///
/// Status: Unsigned (no LC_CODE_SIGNATURE), Valid (CMS verified, chain to an anchor, all hashes
/// match), Untrusted (hashes match but no trusted signer: ad-hoc / linker-signed, or a CMS chain
/// not ending at an anchor — flag UntrustedRoot), Invalid (BadPageHash, BadDigest for a special
/// slot or an unbound alternate CodeDirectory, BadSignature, Expired, NoCodeSigningEku, ...),
/// UnknownKey (CMS without the signer's certificate), Malformed (structure cannot be parsed).
/// `errors` says why the status is not Valid, and may also hold notes for a Valid result (e.g. a
/// timestamp that did not verify, so the clock was used instead).

/// Names of the CS_* CodeDirectory flags set in `flags` ("adhoc", "hard", "kill", "expires",
/// "restrict", "enforcement", "library_validation", "runtime", "linker_signed"); unknown bits as
/// "0x...".
[[nodiscard]] std::vector<std::string> code_directory_flag_names(std::uint32_t flags);

/// Verifies the code signature of one slice of `file`. `now` (Unix seconds) is the clock used for
/// the chain when no timestamp verifies. Never throws on input; every offset is bounds-checked.
/// `file` may be read on demand (a file above the streaming threshold): the LC_CODE_SIGNATURE data
/// is read with one pread (at most 32 MiB) and the code pages are hashed in chunks; a read
/// failure makes the signature Malformed with the reason.
[[nodiscard]] Signature verify_macho_signature(const ByteSource& file, const MachOSignatureLocation& where,
                                               const MachOTrustAnchors& anchors, std::int64_t now);
/// verify_macho_signature() of bytes in memory.
[[nodiscard]] inline Signature verify_macho_signature(std::span<const std::byte> file,
                                                      const MachOSignatureLocation& where,
                                                      const MachOTrustAnchors& anchors, std::int64_t now) {
  return verify_macho_signature(SpanSource(file), where, anchors, now);
}

}  // namespace trustscan::verify
