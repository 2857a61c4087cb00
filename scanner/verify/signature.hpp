#pragma once
/// \file
/// One signature result for every kind of code signature trustscan checks — Authenticode entries
/// embedded in a PE (primary and nested), the Windows catalogs that list a PE, Linux module
/// signatures and Mach-O code signatures (one per signed slice) — and the file's signature as a
/// whole, decided once (decide_signature(), verify/file_signature.hpp). Plain data: no OpenSSL, no
/// service header, so the per-file record (record/file_record.hpp) and every reader of it (table,
/// JSON, CEF, cache, attribution) include only this.
///
/// What is common to every kind lives in Signature itself (status and flags, the signer in one
/// shape, its chain, digest algorithm, timestamp, errors, clock window); what only one kind has
/// lives in its `details` alternative. A new signature source adds an enumerator, a details
/// struct (if it has fields of its own), a verifier and one line in the verifier table
/// (verify/verifiers.cpp), and its JSON (docs/architecture.md, "Adding a signature source").

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "verify/cert_info.hpp"
#include "verify/signature_status.hpp"

namespace trustscan::verify {

/// Where a signature was found.
enum class SignatureSource : std::uint8_t {
  Embedded,  ///< an Authenticode signature in the PE's certificate table (or nested in one)
  Catalog,   ///< a Windows catalog (.cat) listing the PE's Authenticode hash
  Module,    ///< a Linux kernel module's appended signature
  MachO,     ///< the LC_CODE_SIGNATURE of one Mach-O slice
};
inline constexpr std::size_t kSignatureSources = 4;

[[nodiscard]] constexpr std::string_view to_string(SignatureSource s) noexcept {
  switch (s) {
    case SignatureSource::Catalog: return "catalog";
    case SignatureSource::Module: return "module";
    case SignatureSource::MachO: return "macho";
    case SignatureSource::Embedded: break;
  }
  return "embedded";
}

/// A Windows catalog's view of the file it lists (Signature::details for SignatureSource::Catalog).
struct CatalogDetails {
  std::string catalog_path;      ///< the .cat file, as reported
  std::string listed_algorithm;  ///< which of the file's authentihashes it lists: "sha256" or "sha1"
  std::string member_file_name;  ///< the member's "File" attribute, "" if absent
  std::optional<std::string> this_update;  ///< the catalog's ctlThisUpdate
  friend bool operator==(const CatalogDetails&, const CatalogDetails&) = default;
};

/// What only a Linux module signature has (SignatureSource::Module; module_signature.hpp).
struct ModuleDetails {
  /// CN of the issuer (what `modinfo` prints as "signer"), or of the matching key's subject when
  /// the signer is named by key id.
  std::string signer_name;
  std::string subject_key_id_hex;   ///< when the CMS names its signer by subject key id
  std::string signature_algorithm;  ///< e.g. "rsaEncryption", "id-ecPublicKey"
  bool certificates_embedded = false;  ///< the CMS carries certificates (sign-file omits them)
  bool signed_attributes = false;      ///< the SignerInfo has signed attributes (sign-file omits them)
  std::uint32_t signature_size = 0;    ///< sig_len: bytes of PKCS#7
  std::uint64_t signed_size = 0;       ///< bytes covered by the signature (the module without trailer)
  std::string key_source;       ///< origin (file path) of the key that verified, or that failed to
  std::string key_source_kind;  ///< "kernel_image" or "module_keys" ("" when no key matched)
  /// The matching key is the module-signing key of a kernel image of the root: the first
  /// certificate of its list (KernelKey::image_position 0), i.e. the key of that kernel's build.
  bool kernel_build_key = false;
  friend bool operator==(const ModuleDetails&, const ModuleDetails&) = default;
};

/// How a Mach-O slice is signed. Decided from the CodeDirectory flags and the CMS signer certificate.
enum class MachOSignatureKind {
  None,          ///< no signature
  AdHoc,         ///< CS_ADHOC without a CMS: a hash list anyone can produce (`codesign -s -`)
  LinkerSigned,  ///< CS_ADHOC|CS_LINKER_SIGNED: written by ld64 on arm64 by default
  DeveloperId,   ///< "Developer ID Application: NAME (TEAMID)" certificate
  Apple,         ///< Apple's own software-signing certificates (OS components)
  AppStore,      ///< "Apple Mac OS Application Signing" (Mac App Store)
  Development,   ///< "Apple Development:" / "Mac Developer:" (not for distribution)
  Other,         ///< CMS-signed by any other certificate
};

[[nodiscard]] constexpr std::string_view to_string(MachOSignatureKind k) noexcept {
  switch (k) {
    case MachOSignatureKind::AdHoc: return "adhoc";
    case MachOSignatureKind::LinkerSigned: return "linker_signed";
    case MachOSignatureKind::DeveloperId: return "developer_id";
    case MachOSignatureKind::Apple: return "apple";
    case MachOSignatureKind::AppStore: return "app_store";
    case MachOSignatureKind::Development: return "development";
    case MachOSignatureKind::Other: return "other";
    case MachOSignatureKind::None: break;
  }
  return "none";
}

/// One CodeDirectory of a Mach-O SuperBlob.
struct MachOCodeDirectory {
  std::uint32_t slot = 0;            ///< 0 (primary) or 0x1000 + n (alternate)
  std::uint32_t version = 0;         ///< e.g. 0x20400
  std::uint32_t flags = 0;           ///< CS_* flags (see code_directory_flag_names)
  std::string hash_type;             ///< "sha1", "sha256", "sha256_truncated", "sha384"
  std::string cdhash;                ///< first 20 bytes of the hash of this CodeDirectory, hex
  std::string identifier;            ///< signing identifier
  std::string team_id;               ///< empty when absent (version < 0x20200 or no team)
  std::uint64_t code_limit = 0;      ///< bytes of the slice covered by page hashes
  std::uint32_t page_size = 0;       ///< bytes per page (0: one page covering code_limit)
  std::uint32_t code_slots = 0;
  std::uint32_t special_slots = 0;
  std::uint8_t platform = 0;         ///< non-zero for Apple platform binaries
  bool page_hashes_ok = false;
  std::optional<std::uint32_t> first_bad_page;  ///< first page whose hash mismatched
  friend bool operator==(const MachOCodeDirectory&, const MachOCodeDirectory&) = default;
};

/// What only a Mach-O code signature has (SignatureSource::MachO; macho_signature.hpp).
/// Signature::digest_algorithm is the hash type of the best CodeDirectory.
struct MachODetails {
  std::size_t slice = 0;                  ///< index into parse::BinaryModel::macho_slices
  MachOSignatureKind kind = MachOSignatureKind::None;
  std::string identifier;                 ///< signing_id (of the best CodeDirectory)
  std::string team_id;                    ///< Team ID from the CodeDirectory (ECS team_id)
  std::uint32_t code_directory_flags = 0;
  std::vector<std::string> flag_names;    ///< "adhoc", "runtime", "linker_signed", ...
  std::string cdhash;                     ///< cdhash of the best CodeDirectory (hex, 20 bytes)
  std::vector<MachOCodeDirectory> code_directories;
  std::optional<std::uint32_t> first_bad_page;  ///< from the first CodeDirectory with a bad page
  bool has_requirements = false;
  bool has_entitlements = false;
  std::string entitlements;               ///< entitlements XML (cut at 64 KiB)
  std::vector<std::string> unverified_special_slots;  ///< bound files we cannot see ("info_plist", ...)
  bool has_cms = false;
  std::string cms_digest_algorithm;       ///< e.g. "sha256"
  std::int64_t verification_time = 0;     ///< Unix seconds the chain was checked at
  friend bool operator==(const MachODetails&, const MachODetails&) = default;
};

/// Verdict and details of one signature, whatever its source.
struct Signature {
  SignatureSource source = SignatureSource::Embedded;
  /// Position among the file's signatures of its source: for Authenticode the certificate-table
  /// entries then nested ones depth-first (0 = the primary signature, as on Windows).
  int index = 0;
  bool nested = false;    ///< found inside another signature (1.3.6.1.4.1.311.2.4.1)
  int parent_index = -1;  ///< index of the enclosing signature; -1 when not nested
  SignatureStatus status = SignatureStatus::Malformed;
  VerifyFlags flags = 0;
  /// The digest the signature is made over the file with: Authenticode image digest, module
  /// signer digest, a Mach-O CodeDirectory's hash type.
  std::string digest_algorithm;
  CertInfo signer;              ///< the signing certificate (fields empty where not known)
  std::vector<CertInfo> chain;  ///< path as built, leaf first; ends at the anchor if trusted
  /// The anchor set whose anchor (chain.back()) made the chain trusted: "microsoft-root-program",
  /// "trustscan-builtin", "uefi", a --trust-store directory (TrustStore), "apple" (Mach-O); ""
  /// when the chain is not anchored (and for module signatures, which name their key source).
  std::string anchor_set;
  /// On whose word the chain is trusted (verify/image_trust.hpp): "program" (the anchor set),
  /// "program_and_machine" (the anchor set, and the Windows image's own ROOT/AuthRoot store holds
  /// the root too), "machine_only" (only the image's store: flag ImageOnlyRoot); "" when the
  /// chain is not anchored, and for module and Mach-O signatures.
  std::string trust_basis;
  /// Authenticode and catalogs: the path Windows' kernel takes to one of its own roots when
  /// `chain` does not end at one — through a cross-certificate the signature carries, issued by
  /// "Microsoft Code Verification Root" (verify/kernel_path.hpp, verify/kernel_load.hpp) — built
  /// like `chain` but against the anchors that are kernel roots only. Empty when `chain` ends at
  /// such a root or no certificate of the signature is issued under a kernel root's name.
  std::vector<CertInfo> kernel_chain;
  /// The anchor set of the anchor ending `kernel_chain` when that path verifies without a chain
  /// problem; "" otherwise.
  std::string kernel_anchor_set;
  std::optional<std::string> signing_time;         ///< claimed signingTime attribute, ISO-8601 UTC
  std::optional<std::string> timestamp;            ///< verified counter-signed time, ISO-8601 UTC
  std::optional<std::string> timestamp_authority;  ///< subject DN of the TSA certificate
  std::string timestamp_kind;                      ///< "rfc3161", "pkcs9" or "" (none)
  std::string timestamp_anchor_set;  ///< anchor set of the verified timestamp's TSA chain, "" if none
  /// Time the chain was validated at: "timestamp" (a verified timestamp), "scan_time" (or
  /// "clock" for Mach-O: the injected clock); "" when no chain was checked.
  std::string verification_time_source;
  // Authenticode (embedded and catalog) only.
  std::string signed_digest_hex;    ///< digest stored in SpcIndirectDataContent
  std::string computed_digest_hex;  ///< authentihash of the file with that algorithm
  std::string program_name;         ///< SpcSpOpusInfo programName (UTF-8)
  std::string more_info_url;        ///< SpcSpOpusInfo moreInfo URL
  std::vector<std::string> errors;  ///< one readable line per problem found
  /// Verification clocks at which this signature verifies exactly the same (signature_status.hpp).
  ClockWindow clock_window;
  std::variant<std::monostate, CatalogDetails, ModuleDetails, MachODetails> details;

  [[nodiscard]] const CatalogDetails* catalog() const noexcept { return std::get_if<CatalogDetails>(&details); }
  [[nodiscard]] const ModuleDetails* module() const noexcept { return std::get_if<ModuleDetails>(&details); }
  [[nodiscard]] const MachODetails* macho() const noexcept { return std::get_if<MachODetails>(&details); }
  friend bool operator==(const Signature&, const Signature&) = default;
};

/// The two Authenticode hashes of a PE image (hex, lower case); empty when the layout does not fit.
struct AuthenticodeHashes {
  std::string sha1;
  std::string sha256;
  friend bool operator==(const AuthenticodeHashes&, const AuthenticodeHashes&) = default;
};

/// What verify learned from the file's bytes: every signature it carries and the PE image hashes.
/// Catalog signatures are not here: they depend on the catalogs of the scan, not on the file.
struct FileSignatures {
  /// Every signature, grouped by source in verifier-table order: Authenticode entries (primary
  /// first, nested depth-first), the module signature, one per signed Mach-O slice.
  std::vector<Signature> signatures;
  /// Sources whose verifier ran on the file (bit 1 << SignatureSource): a PE was checked for
  /// Authenticode, a module for its appended signature, a Mach-O for code signatures — whether
  /// or not it found one.
  std::uint8_t checked = 0;
  /// Authenticode hashes, computed for every PE whose layout allows it (signed or not).
  std::optional<AuthenticodeHashes> authentihash;
  /// The SHA-1/SHA-256 of the image's first page as page hashes define it (first_page_hashes()),
  /// for every PE whose headers fit in a page; what block rules by page hash name (issue 17).
  std::optional<AuthenticodeHashes> first_page;
  /// Observations that are not signature problems: bytes after the certificate table (not
  /// covered by any signature), limits that cut the walk short, an unusable layout.
  std::vector<std::string> warnings;
  /// ImageTrust::fingerprint() of the Windows image's stores the signatures were verified with
  /// ("" outside images, or for an image without stores): a cached result is reused only under
  /// the same stores (docs/cache.md).
  std::string image_stores;

  [[nodiscard]] bool was_checked(SignatureSource s) const noexcept {
    return (checked & (1u << static_cast<unsigned>(s))) != 0;
  }
  void mark_checked(SignatureSource s) noexcept { checked |= static_cast<std::uint8_t>(1u << static_cast<unsigned>(s)); }
  /// Verification clocks at which every signature verifies exactly the same.
  [[nodiscard]] ClockWindow clock_window() const noexcept {
    ClockWindow w;
    for (const Signature& s : signatures) w.narrow(s.clock_window);
    return w;
  }
  friend bool operator==(const FileSignatures&, const FileSignatures&) = default;
};

/// The file's signature as a whole: decided once, by decide_signature(), and read by every
/// output and by attribution.
struct SignatureVerdict {
  /// The file's format carries a kind of signature trustscan checks (PE, kernel module, Mach-O):
  /// reports then show a code-signature object, `exists: false` when unsigned.
  bool applies = false;
  /// The file carries a signature (ECS `exists`). A fat Mach-O with some slices signed exists
  /// with status Unsigned: partly unsigned.
  bool exists = false;
  SignatureStatus status = SignatureStatus::Unsigned;
  VerifyFlags flags = 0;
  /// Integrity verified (ECS `valid`): digest and signature hold for every signature counted. An
  /// unsigned slice of a fat Mach-O with signed ones does not make it false (nothing failed to
  /// verify): `status` says Unsigned. A linker-signed (ad-hoc) slice whose hashes match is valid
  /// and untrusted (no signer to trust), never invalid.
  bool integrity = false;
  /// The signature that stands for the file (its signer is "the" signer): nullopt when unsigned.
  /// `catalog` says which list it indexes: the record's catalog signatures or the file's own.
  struct Ref {
    bool catalog = false;
    std::size_t index = 0;
    friend bool operator==(const Ref&, const Ref&) = default;
  };
  std::optional<Ref> primary;
  friend bool operator==(const SignatureVerdict&, const SignatureVerdict&) = default;
};

/// Integrity verified: a signature is present and no digest, signature or structure check failed.
[[nodiscard]] constexpr bool integrity_ok(SignatureStatus status, VerifyFlags flags) noexcept {
  if (status == SignatureStatus::Unsigned || status == SignatureStatus::Malformed ||
      status == SignatureStatus::UnknownKey)
    return false;
  for (VerifyFlag f : {VerifyFlag::BadDigest, VerifyFlag::BadSignature, VerifyFlag::BadPageHash, VerifyFlag::Malformed})
    if (has_flag(flags, f)) return false;
  return true;
}

}  // namespace trustscan::verify
