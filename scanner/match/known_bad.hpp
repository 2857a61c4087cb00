#pragma once
/// \file
/// Known-abused and vulnerable drivers (issue 17): the imported LOLDrivers and driver-block-rules
/// feeds (datasets/known_bad_feed.hpp), indexed, and matched against the plain facts of one file.
///
/// It lives in match/ because it is matching — facts of a file against a list, like the YARA
/// rules — and needs nothing but facts that earlier stages computed: hashes (map, verify), the
/// version resource (parse), the signatures' chains (verify). No third-party code.
///
/// What matches (docs/datasets.md has the reasons):
///  - a hash key: the file's SHA-256/SHA-1/MD5, Authenticode SHA-256/SHA-1 or first-page hash is
///    the listed one (one hash-set lookup per hash the file has);
///  - a Deny rule by file attributes: every name it gives equals the version resource's value
///    (OriginalFilename, InternalName, FileDescription, ProductName; ASCII letters compared
///    without regard to case, as Windows does) and the binary file version lies in the rule's
///    range (a file without one counts as 0.0.0.0);
///  - a denied signer: a certificate of a signature's chain has the rule's TBS hash, and, when the
///    rule gives them, the signing certificate's CN equals CertPublisher, the signature's program
///    name equals CertOemID, and one of its FileAttrib rules holds as above.
/// Each listed entry is reported once per file, by its strongest key (the order of KeyKind).
///
/// Thread safety: load once, then match() from any number of threads.

#include <array>
#include <cstddef>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/error.hpp"
#include "core/file_version.hpp"
#include "datasets/known_bad_feed.hpp"
#include "match/known_bad_match.hpp"

namespace trustscan::match {

/// What a signer rule looks at in one signature (embedded or catalog).
struct SignerFacts {
  /// verify::CertInfo::tbs_hash of every certificate of the chain, leaf first (empty ones are
  /// ignored). WDAC rules name the signing certificate, an intermediate or the root alike.
  std::vector<std::string> chain_tbs_hashes;
  std::string publisher;     ///< the signing certificate's subject CN (CertPublisher)
  std::string program_name;  ///< the signature's SpcSpOpusInfo programName (CertOemID)
};

/// The plain facts of one file that the matcher needs. Hashes are lower-case hex; an empty
/// string means "not computed" and is never looked up.
struct KnownBadFacts {
  std::string_view file_sha256, file_sha1, file_md5;
  std::string_view authenticode_sha256, authenticode_sha1;
  std::string_view page_sha256, page_sha1;  ///< first-page hashes, when computed
  /// Version-resource values by datasets::FileAttribute (OriginalFilename, InternalName,
  /// FileDescription, ProductName); "" when absent. set_version_names() fills them.
  std::array<std::string_view, 4> version_names{};
  std::optional<FileVersion> file_version;  ///< VS_FIXEDFILEINFO's, not the "FileVersion" string
  std::vector<SignerFacts> signers;
};

/// Fills facts.version_names from a PE's version-resource strings (parse::PeInfo::version_info);
/// the views point into `version_info`.
void set_version_names(KnownBadFacts& facts, const std::map<std::string, std::string>& version_info);

/// The loaded feeds and their indexes.
class KnownBadFeed {
 public:
  /// A feed that a report names.
  struct Loaded {
    std::string source;   ///< data set name
    std::string version;  ///< the publisher's version, "" if none
    std::size_t entries = 0;
  };

  /// Loads DATA_DIR/loldrivers/known_bad.tsv and DATA_DIR/driver-block-rules/known_bad.tsv.
  /// A data set directory that does not exist is skipped (empty() when neither does); one that
  /// exists without a readable, intact feed is an error naming the file and line.
  [[nodiscard]] static Result<KnownBadFeed> load(const std::filesystem::path& data_dir);
  /// Indexes feeds already in memory (tests, tools).
  [[nodiscard]] static KnownBadFeed from(std::vector<datasets::KnownBadFeedData> feeds);

  [[nodiscard]] bool empty() const noexcept { return feeds_.empty(); }
  [[nodiscard]] std::vector<Loaded> loaded() const;
  /// True when a scan must compute this fact for a match to be found: some key of this kind
  /// exists, and, for the file SHA-1 and MD5, some key names a sample that the feed does not also
  /// list by its file SHA-256 (a file found by SHA-256 needs no other file hash). Lets a scan hash
  /// a file only as much as the loaded feeds need.
  [[nodiscard]] bool needs(datasets::KeyKind kind) const noexcept;

  /// Every listed entry the file matches (none for almost every file).
  [[nodiscard]] std::vector<KnownBadMatch> match(const KnownBadFacts& facts) const;

 private:
  struct Ref {
    std::uint32_t feed = 0;
    std::uint32_t item = 0;  ///< index of the hash / attribute rule / signer rule in that feed
  };
  struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
  };
  using Index = std::unordered_map<std::string, std::vector<Ref>, StringHash, std::equal_to<>>;

  class Collector;
  void index();
  void match_hashes(const KnownBadFacts& facts, Collector& out) const;
  void match_names(const KnownBadFacts& facts, Collector& out) const;
  void match_signers(const KnownBadFacts& facts, Collector& out) const;
  [[nodiscard]] bool holds(const datasets::FeedAttributeRule& rule, const KnownBadFacts& facts) const;

  std::vector<datasets::KnownBadFeedData> feeds_;
  std::array<Index, datasets::kHashKindCount> hashes_;  ///< by KeyKind (the hash kinds)
  std::array<Index, 4> names_;  ///< standalone attribute rules by FileAttribute, lower-case value
  Index signers_;               ///< signer rules by TBS hash
  std::array<bool, datasets::kHashKindCount> needed_{};  ///< needs(), for the hash kinds
};

}  // namespace trustscan::match
