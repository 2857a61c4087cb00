#pragma once
/// \file
/// The vendor-origin list (signatures/vendors/*.yaml): who makes kernel-privileged software, under
/// which names it shows up in certificates and version resources, and which country's
/// jurisdiction it is under. Schema, matching rules and sources policy: docs/vendors.md.
///
/// A VendorDb is loaded once at start-up and then only read: every lookup is `const`, touches no
/// mutable state and is safe to call from any number of scanner threads at once. Lookups cost one
/// normalisation of the query plus a few hash lookups, and one look-alike fold of the query when
/// those miss (the copyright lookup scans the holder list; docs/vendors.md has the measured cost).
///
/// Name matching, in short (details and examples in docs/vendors.md, "Matching rules"):
///  - normalise: Unicode case folding (Latin, Cyrillic, Greek, ...), every run of spaces,
///    punctuation (also « » and CJK brackets) and symbols -> one space, trim ("Beijing Kingsoft
///    Security software Co.,Ltd" -> "beijing kingsoft security software co ltd"); CJK legal forms
///    become words of their own ("北京奇虎科技有限公司" -> "北京奇虎科技 有限公司");
///  - Exact: the normalised query equals a normalised name of the list;
///  - LegalFormVariant: equal after also dropping legal-form words at the ends ("AO", "ZAO",
///    "JSC", "Inc", "Co Ltd", "GmbH", "s r o", "АО", "ООО", "有限公司", ...) that are written in
///    the script of the word next to them, so "AO Kaspersky Lab", "Kaspersky Lab ZAO" and
///    "Kaspersky Lab, Inc." all meet "Kaspersky Lab" and "АО «Лаборатория Касперского»" meets
///    "Лаборатория Касперского";
///  - LookAlike: equal only after the look-alike fold of Unicode TR39 (confusables.hpp: NFKC,
///    format characters removed, confusable skeleton) of both sides: "АО Kaspersky Lab" with a
///    Cyrillic "АО", "Kasper\u200Bsky", "ＡＯ Ｋａｓｐｅｒｓｋｙ Ｌａｂ". Such a match is itself
///    evidence (someone wrote a name that looks like the vendor's), never an exact one;
///  - whole names only: "Kaspersky Labs Antivirus Reviews Inc" does not match "Kaspersky Lab".
/// Every normalised name (its legal-form-free variant and its look-alike keys) belongs to at most
/// one vendor; the loader rejects a list where two vendors share one, so a match is never
/// ambiguous. The list's names are folded once, at load; a lookup folds only its query, and only
/// when the exact and legal-form lookups failed.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "attribute/name_normalise.hpp"  // normalize_name, strip_legal_forms, apple_certificate_holder
#include "core/error.hpp"

namespace trustscan::attribute {

/// What a vendor mainly ships with kernel privilege (one per vendor; the main one).
enum class Category {
  Antivirus,       ///< "antivirus": consumer/business anti-malware
  Edr,             ///< "edr": endpoint detection and response
  Vpn,             ///< "vpn"
  Firewall,        ///< "firewall": host or network firewall, network filter drivers
  AntiCheat,       ///< "anti-cheat": game anti-cheat drivers
  Backup,          ///< "backup": backup, snapshot and recovery filters
  Dlp,             ///< "dlp": data-loss prevention, device control, encryption
  Security,        ///< "security": other security software (crypto providers, sandboxes, ...)
  Hardware,        ///< "hardware": chip, device and PC makers (their drivers and firmware)
  Os,              ///< "os": operating-system vendors and distributions (kernels, modules, boot)
  Virtualization,  ///< "virtualization": hypervisors and their guest drivers
  Utility,         ///< "utility": system utilities, tuners, monitors
  Developer,       ///< "developer": developer tools and services seen signing binaries
  Pki,             ///< "pki": certificate authorities
  Other,           ///< "other"
};

[[nodiscard]] std::string_view to_string(Category c) noexcept;
[[nodiscard]] std::optional<Category> category_from_string(std::string_view s) noexcept;
/// Every category, in declaration order.
[[nodiscard]] std::span<const Category> all_categories() noexcept;

/// One cited fact about a vendor. `source` is a key of the sources legend (optionally with a
/// ":detail" suffix, e.g. "LOL:9bf033e4") or an http(s) URL.
struct SourceRef {
  std::string fact;
  std::string source;
};

/// One vendor of the list, as loaded (names keep their original spelling).
struct Vendor {
  std::string id;                        ///< slug, e.g. "kaspersky"
  std::string name;                      ///< display name, e.g. "Kaspersky"
  std::vector<std::string> legal_names;  ///< as in certificate subjects (O=, CN=), former ones too
  std::vector<std::string> company_names;  ///< version-info CompanyName values
  std::vector<std::string> file_names;     ///< known driver/module file names, lower case
  std::vector<std::string> thumbprints;    ///< SHA-1 or SHA-256 of signing certificates, lower hex
  std::vector<std::string> team_ids;       ///< Apple Developer Team IDs (10 characters)
  std::vector<std::string> signing_services;   ///< CNs under which this vendor signs *others'* code
  std::vector<std::string> copyright_holders;  ///< holder names as written in LegalCopyright
  /// ISO 3166-1 alpha-2 of the vendor's own jurisdiction; nullopt either because the list says
  /// `country: null` (no single jurisdiction, see country_given) or because it inherits.
  std::optional<std::string> country;
  bool country_given = false;         ///< the entry has a `country` key (even null)
  std::optional<std::string> parent;  ///< id of the controlling vendor
  Category category = Category::Other;
  std::string notes;
  std::vector<SourceRef> sources;
  std::string origin;  ///< "file:line" of the entry, for messages
};

/// Which list of a vendor matched.
enum class MatchField {
  LegalName,
  CompanyName,
  SigningService,
  FileName,
  Thumbprint,
  TeamId,
  CopyrightHolder
};
[[nodiscard]] std::string_view to_string(MatchField f) noexcept;

/// How a name matched (see the file comment). Non-name lookups are always Exact.
enum class MatchKind {
  Exact,             ///< "exact"
  LegalFormVariant,  ///< "legal_form_variant"
  /// "look_alike": the name matches only after the TR39 look-alike fold (NFKC, format characters,
  /// confusable skeleton): a claim to be the vendor, not its name.
  LookAlike,
};
[[nodiscard]] std::string_view to_string(MatchKind k) noexcept;

/// For subject lookups: the attribute that matched.
enum class SubjectPart { None, Organization, CommonName };
[[nodiscard]] std::string_view to_string(SubjectPart p) noexcept;

/// A lookup result: the vendor and the evidence. Pointers and views refer into the VendorDb and
/// stay valid as long as it does.
struct VendorMatch {
  const Vendor* vendor = nullptr;
  MatchField field = MatchField::LegalName;
  MatchKind kind = MatchKind::Exact;
  std::string_view matched;  ///< the list's spelling of what matched
  SubjectPart part = SubjectPart::None;
};

/// The loaded, indexed vendor list.
class VendorDb {
 public:
  /// Loads every `*.yaml`, `*.yml` and `*.json` file of the given files/directories (directories
  /// non-recursively, files in name order). All problems are collected and returned as one
  /// Errc::Config error, one "file:line: vendor 'id': problem" per line: syntax errors, unknown
  /// keys, wrong types, missing required keys, bad ids, country codes, categories, file names,
  /// thumbprints and team IDs, duplicate ids, dangling or cyclic parents, unknown source keys,
  /// and names shared by two vendors. The files are parsed on up to `threads` threads (0: one per
  /// core).
  [[nodiscard]] static Result<VendorDb> load(std::span<const std::filesystem::path> paths, unsigned threads = 0);
  /// Same as load() for one document held in memory (it may carry both `sources` and `vendors`);
  /// `name` stands for the file name in messages. Used by tests and the fuzz targets.
  [[nodiscard]] static Result<VendorDb> parse(std::string_view text, std::string name);

  /// All vendors, sorted by id.
  [[nodiscard]] std::span<const Vendor> vendors() const noexcept { return vendors_; }
  /// The vendor with this id, or nullptr.
  [[nodiscard]] const Vendor* find(std::string_view id) const noexcept;
  /// The vendor's parent, or nullptr.
  [[nodiscard]] const Vendor* parent_of(const Vendor& v) const noexcept;

  /// Country of jurisdiction: the vendor's own `country`; if the entry has no `country` key, its
  /// parent's (recursively). nullopt for `country: null` (no single jurisdiction).
  [[nodiscard]] std::optional<std::string_view> country_of(const Vendor& v) const noexcept;
  /// Every distinct country along the ownership chain, the vendor's own first: Avast -> {CZ, US},
  /// Riot Games -> {US, CN}. Policies that flag "owned from" a country use this.
  [[nodiscard]] std::vector<std::string_view> jurisdictions(const Vendor& v) const;

  /// Certificate subject: organisation (O=) and common name (CN=), either may be empty. Order of
  /// preference: CN is a signing service of a vendor (e.g. "Microsoft Windows Hardware
  /// Compatibility Publisher": the real vendor is elsewhere) > O exact > CN exact > O legal-form
  /// variant > CN legal-form variant. Apple certificate CNs ("Developer ID Application: Name
  /// (TEAMID)") are reduced to Name.
  [[nodiscard]] std::optional<VendorMatch> by_subject(std::string_view organization,
                                                      std::string_view common_name) const;
  /// Version-info CompanyName: company_names first, then legal_names; exact before variant.
  [[nodiscard]] std::optional<VendorMatch> by_company_name(std::string_view company) const;
  /// File name (any case, without directories). Several vendors may ship one name
  /// (cbfsfilter2017.sys), so this returns every match, in vendor-id order.
  [[nodiscard]] std::vector<VendorMatch> by_file_name(std::string_view file_name) const;
  /// Certificate thumbprint, SHA-1 or SHA-256 hex in any case, ':' or ' ' separators allowed.
  [[nodiscard]] std::optional<VendorMatch> by_thumbprint(std::string_view hex) const;
  /// Apple Team ID (from a CodeDirectory or a Developer ID certificate's OU).
  [[nodiscard]] std::optional<VendorMatch> by_team_id(std::string_view team_id) const;
  /// Version-info LegalCopyright: a copyright holder's words appearing as a whole-word run in the
  /// text ("Copyright (c) 1993-2023 the Wine project authors" contains "Wine project"). Longest
  /// holder wins.
  [[nodiscard]] std::optional<VendorMatch> by_copyright(std::string_view legal_copyright) const;

 private:
  friend class VendorDbBuilder;

  struct Ref {
    std::uint32_t vendor = 0;
    MatchField field = MatchField::LegalName;
    std::uint32_t index = 0;  ///< index into that field's list of the vendor
  };
  struct Holder {
    std::vector<std::string> tokens;
    Ref ref;
  };

  [[nodiscard]] VendorMatch make_match(const Ref& ref, MatchKind kind,
                                       SubjectPart part = SubjectPart::None) const;
  [[nodiscard]] std::optional<VendorMatch> match_name(std::string_view name, bool company,
                                                      SubjectPart part, MatchKind kind) const;

  /// The holder with the most words that occur as a contiguous run in `words`, or nullptr.
  [[nodiscard]] static const Holder* longest_holder(const std::vector<Holder>& holders,
                                                    const std::vector<std::string_view>& words);

  // The look-alike side (look_alike.cpp).
  /// The look-alike keys of a name: of the whole name and of its legal-form-free part, each
  /// folded two ways (see look_alike.cpp); empty when the name has no words.
  [[nodiscard]] static std::vector<std::string> look_alike_keys(std::string_view name);
  /// The holder's words under the look-alike fold (both ways), for by_copyright.
  [[nodiscard]] static std::vector<std::vector<std::string>> look_alike_holder_words(std::string_view holder);
  [[nodiscard]] std::optional<VendorMatch> match_look_alike(std::string_view name, bool company,
                                                            SubjectPart part) const;
  [[nodiscard]] std::optional<VendorMatch> copyright_look_alike(std::string_view text) const;

  std::vector<Vendor> vendors_;
  std::unordered_map<std::string, std::uint32_t> by_id_;
  std::vector<std::int32_t> parent_;                 ///< index of parent or -1
  std::vector<std::optional<std::string>> country_;  ///< resolved country_of
  std::unordered_map<std::string, Ref> legal_exact_, legal_loose_;
  std::unordered_map<std::string, Ref> company_exact_, company_loose_;
  std::unordered_map<std::string, Ref> services_;
  std::unordered_map<std::string, std::vector<Ref>> files_;
  std::unordered_map<std::string, Ref> thumbprints_;
  std::unordered_map<std::string, Ref> team_ids_;
  std::vector<Holder> holders_;
  /// Look-alike keys of legal and company names (look_alike_keys), and of copyright holders.
  std::unordered_map<std::string, Ref> legal_look_alike_, company_look_alike_;
  std::vector<Holder> holders_look_alike_;
};

}  // namespace trustscan::attribute
