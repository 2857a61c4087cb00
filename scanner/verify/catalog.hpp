#pragma once
/// \file
/// Windows catalog files (.cat, issue 6): a PKCS#7 SignedData whose content is a Certificate
/// Trust List (szOID_CTL, 1.3.6.1.4.1.311.10.1) of member hashes — the Authenticode hashes of the
/// files the catalog signs. Layout: /work/shared/research/windows-catalogs.md.
///
/// parse_catalog() decodes the CTL and verifies the catalog's own signature with the same rules
/// and trust anchors as an embedded Authenticode signature (authenticode.hpp): messageDigest over
/// the signed content, signer signature, code-signing EKU, timestamps (RFC 3161 token or PKCS#9
/// countersignature, evaluated by the code Authenticode uses: a bad one sets BadTimestamp and is
/// not used), chain to a TrustStore anchor (chain.hpp) at the verified timestamp's time, else at
/// VerifyContext::now_unix. Both content encodings are accepted: the CTL directly
/// as the content (as Windows writes it; the digest covers its contents octets) and the CTL
/// inside an OCTET STRING (as `openssl cms` writes it; the digest covers the octets).
///
/// A catalog whose signature fails is still returned (and indexed): its `signature.status` says
/// so, and CatalogEntry::trusted() is false for every member, so no file is trusted through it.
///
/// Thread safety: parse_catalog() is reentrant; a built CatalogIndex is immutable, so any
/// number of threads may call lookup() at once.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "verify/authenticode.hpp"
#include "verify/signature.hpp"

namespace trustscan::verify {

/// A catalog file larger than this is refused (Errc::TooLarge); real ones are a few KiB to a few
/// MiB (the largest Windows catalogs hold ~100,000 members, ~40 MiB).
inline constexpr std::size_t kMaxCatalogSize = 128ull << 20;
/// At most this many members per catalog (Errc::TooLarge beyond).
inline constexpr std::size_t kMaxCatalogMembers = 1'000'000;
/// Attributes read per member (the rest are ignored); real members carry 2-6.
inline constexpr std::size_t kMaxMemberAttributes = 64;
/// A member tag (subjectIdentifier) longer than this makes the catalog malformed.
inline constexpr std::size_t kMaxMemberTagSize = 1024;

/// A member attribute that parse_catalog() does not decode itself, kept when CtlOptions asks for
/// it (the properties of a root list entry: CERT_ENHKEY_USAGE_PROP_ID, ...).
struct MemberAttribute {
  std::string oid;  ///< dotted, e.g. "1.3.6.1.4.1.311.10.11.9"
  /// Each value of the attribute's SET, as its whole DER encoding (tag, length, contents).
  std::vector<std::vector<std::uint8_t>> values;
};

/// One TrustedSubject of the CTL.
struct CatalogMember {
  /// Lower-case hex Authenticode hash this member stands for: from its SpcIndirectDataContent
  /// when present, else from the tag (UTF-16LE hex text or raw bytes). Empty if neither.
  std::string digest_hex;
  std::string digest_algorithm;  ///< "sha1", "sha256", ... ("" if unknown)
  /// The tag as found: the decoded hex text for UTF-16 tags (lower-case), else hex of the bytes.
  std::string tag;
  std::string file_name;  ///< CAT_NAMEVALUE "File" value (UTF-8), "" if absent
  /// Every CAT_NAMEVALUE (1.3.6.1.4.1.311.12.2.1) pair, name -> value (UTF-8).
  std::vector<std::pair<std::string, std::string>> name_values;
  /// The other attributes, in order; only with CtlOptions::keep_attributes.
  std::vector<MemberAttribute> attributes;
};

/// A parsed and verified catalog.
struct Catalog {
  std::string path;                 ///< as given to parse_catalog()
  std::string list_identifier_hex;  ///< CTL listIdentifier ("" if absent)
  std::optional<std::string> this_update;  ///< ctlThisUpdate, ISO-8601 UTC
  std::optional<std::int64_t> this_update_unix;  ///< the same, Unix seconds
  std::optional<std::string> next_update;  ///< ctlNextUpdate, ISO-8601 UTC, when present
  std::vector<std::string> subject_usage;  ///< subjectUsage OIDs (catalogs: 1.3.6.1.4.1.311.12.1.1)
  std::string sequence_number_hex;         ///< sequenceNumber, hex of its bytes ("" if absent)
  std::string subject_algorithm;    ///< dotted OID, e.g. "1.3.6.1.4.1.311.12.1.2"
  std::vector<CatalogMember> members;
  /// The catalog's own signature (source Catalog): signer, chain, status and flags as for
  /// Authenticode (digest_algorithm = the signer's digest; the image-digest fields stay empty).
  Signature signature;
  std::vector<std::string> warnings;  ///< observations that are not signature problems
};

/// How parse_catalog() reads a certificate trust list that is not a plain catalog.
struct CtlOptions {
  /// Keep every member attribute other than SpcIndirectDataContent and CAT_NAMEVALUE in
  /// CatalogMember::attributes.
  bool keep_attributes = false;
  /// Verify the signature as that of a root list (Microsoft's authroot.stl): the signer must
  /// carry szOID_ROOT_LIST_SIGNER (1.3.6.1.4.1.311.10.3.9) instead of code signing, anchors are
  /// not checked for a purpose, and without a timestamp the chain is verified at the list's
  /// ctlThisUpdate (the list is dated and its signing certificates live about a year), which
  /// signature.verification_time_source then names "this_update".
  bool root_list = false;
};

/// Decodes the catalog `der` (the whole .cat file) and verifies its signature. Errors:
/// Errc::TooLarge (size or member limit), Errc::Malformed (not PKCS#7 SignedData, content not a
/// CTL, CTL not decodable). Signature problems are not errors: they are in Catalog::signature.
/// Never throws on hostile input and never reads outside `der`.
[[nodiscard]] Result<Catalog> parse_catalog(std::span<const std::byte> der, std::string path,
                                            const VerifyContext& ctx, const CtlOptions& options = {});

/// One member of one catalog, as CatalogIndex::lookup() returns it.
struct CatalogEntry {
  const Catalog* catalog = nullptr;
  const CatalogMember* member = nullptr;

  [[nodiscard]] const std::string& path() const noexcept { return catalog->path; }
  [[nodiscard]] const CertInfo& signer() const noexcept { return catalog->signature.signer; }
  [[nodiscard]] SignatureStatus status() const noexcept { return catalog->signature.status; }
  [[nodiscard]] VerifyFlags flags() const noexcept { return catalog->signature.flags; }
  /// True only when the catalog's signature is Valid (chained to an anchor).
  [[nodiscard]] bool trusted() const noexcept { return status() == SignatureStatus::Valid; }
};

/// hash -> catalog members, over many catalogs; built once, then read-only.
class CatalogIndex {
 public:
  CatalogIndex() = default;
  /// Takes the catalogs and indexes every member by its digest (and by its tag when the tag is a
  /// different hash). O(n log n); invalid catalogs are indexed too.
  explicit CatalogIndex(std::vector<Catalog> catalogs);

  CatalogIndex(CatalogIndex&&) noexcept = default;
  CatalogIndex& operator=(CatalogIndex&&) noexcept = default;
  CatalogIndex(const CatalogIndex&) = delete;
  CatalogIndex& operator=(const CatalogIndex&) = delete;

  /// Every member listing `hash_hex` (SHA-1 or SHA-256 Authenticode hash, hex, any case), in
  /// catalog order. Empty if none. Pointers stay valid as long as the index.
  [[nodiscard]] std::vector<const CatalogEntry*> lookup(std::string_view hash_hex) const;

  [[nodiscard]] const std::vector<Catalog>& catalogs() const noexcept { return catalogs_; }
  [[nodiscard]] std::size_t size() const noexcept { return keys_.size(); }

 private:
  std::vector<Catalog> catalogs_;
  std::vector<CatalogEntry> entries_;
  /// (lower-case hex key, index into entries_), sorted by key then index.
  std::vector<std::pair<std::string_view, std::uint32_t>> keys_;
};

/// The catalogs of `index` that list a PE whose authentihashes are `hashes`, as signatures of that
/// file (source Catalog, details CatalogDetails): one per catalog — its SHA-256 member preferred
/// over its SHA-1 member when it lists both — in catalog order.
[[nodiscard]] std::vector<Signature> catalog_signatures(const AuthenticodeHashes& hashes, const CatalogIndex& index);

}  // namespace trustscan::verify
