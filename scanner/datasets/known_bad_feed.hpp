#pragma once
/// \file
/// The known-bad driver feed (issue 17): what the LOLDrivers and driver-block-rules importers
/// write into their data set directories and what match/known_bad.hpp loads at scan time.
///
/// Both data sets use the same model and the same file, DATA_DIR/<name>/known_bad.tsv: a small
/// line-oriented text (docs/datasets.md, "Known-bad drivers"), read in a few milliseconds and
/// checked line by line, so a damaged or truncated feed is an error naming its line, never a
/// silently smaller list.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/ascii.hpp"
#include "core/error.hpp"
#include "core/file_version.hpp"
#include "datasets/known_bad_kinds.hpp"

namespace trustscan::datasets {

/// The data sets' names (their directories under DATA_DIR).
inline constexpr std::string_view kLolDriversDataset = "loldrivers";
inline constexpr std::string_view kDriverBlockRulesDataset = "driver-block-rules";
/// The feed file in each of them.
inline constexpr std::string_view kKnownBadFeedFile = "known_bad.tsv";

/// Version-resource names a block rule can test. SiPolicy's attribute `FileName` is the
/// resource's OriginalFilename, not the name on disk.
enum class FileAttribute : std::uint8_t { OriginalFilename, InternalName, FileDescription, ProductName };
[[nodiscard]] std::string_view to_string(FileAttribute a) noexcept;  ///< the resource key
[[nodiscard]] std::optional<FileAttribute> file_attribute_from_string(std::string_view s) noexcept;

/// One listed driver (LOLDrivers) or rule (block rules).
struct FeedEntry {
  std::string id;    ///< LOLDrivers Id (a UUID) / SiPolicy rule ID
  KnownBadCategory category = KnownBadCategory::VulnerableOrMalicious;
  std::string name;  ///< LOLDrivers: first tag (the driver's name); SiPolicy: FriendlyName / Name
  std::vector<std::string> cves;        ///< "CVE-2019-16098", ...
  std::vector<std::string> references;  ///< LOLDrivers Resources (URLs)
  friend bool operator==(const FeedEntry&, const FeedEntry&) = default;
};

/// One known sample of a LOLDrivers entry (the block rules have none).
struct FeedSample {
  std::uint32_t entry = 0;
  std::optional<bool> loads_despite_hvci;  ///< LOLDrivers LoadsDespiteHVCI; absent when unknown
  std::string file_name;                   ///< its Filename or OriginalFilename, "" if none
  friend bool operator==(const FeedSample&, const FeedSample&) = default;
};

/// A hash that names an entry.
struct FeedHash {
  KeyKind kind = KeyKind::FileSha256;  ///< one of the hash kinds
  std::string hex;                     ///< lower-case
  std::uint32_t entry = 0;
  std::optional<std::uint32_t> sample;  ///< the sample it came from (LOLDrivers)
  friend bool operator==(const FeedHash&, const FeedHash&) = default;
};

/// A version-resource name a rule requires; the value "*" matches any file.
struct NameCondition {
  FileAttribute attribute = FileAttribute::OriginalFilename;
  std::string value;  ///< as the rule writes it; compared without regard to ASCII case
  friend bool operator==(const NameCondition&, const NameCondition&) = default;
};

/// A FileAttrib rule or a Deny rule by file attributes: every name condition holds and the
/// file version lies in [low, high] (the bounds as the rule means them, docs/datasets.md).
struct FeedAttributeRule {
  std::uint32_t entry = 0;
  /// A Deny rule of a signing scenario: it matches by itself. False: a FileAttrib rule that
  /// counts only through a denied signer's FileAttribRef.
  bool standalone = false;
  FileVersion low{};
  FileVersion high = FileVersion::max();
  std::vector<NameCondition> names;
  friend bool operator==(const FeedAttributeRule&, const FeedAttributeRule&) = default;
};

/// A denied signer: a certificate in the chain with this TBS hash, and, when given, the leaf's
/// CN, the signature's program name, and one of the file attribute rules.
struct FeedSignerRule {
  std::uint32_t entry = 0;
  std::string tbs_hex;    ///< lower-case; 40, 64, 96 or 128 digits (the hash of the cert's signature)
  std::string publisher;  ///< CertPublisher: the leaf certificate's subject CN; "" = any
  std::string oem_id;     ///< CertOemID: the SpcSpOpusInfo program name; "" = any
  std::vector<std::uint32_t> attribute_rules;  ///< FileAttribRef; empty = any file
  friend bool operator==(const FeedSignerRule&, const FeedSignerRule&) = default;
};

/// One data set's feed.
struct KnownBadFeedData {
  std::string source;   ///< kLolDriversDataset or kDriverBlockRulesDataset
  std::string version;  ///< the publisher's version (SiPolicy VersionEx), "" if none
  std::vector<FeedEntry> entries;
  std::vector<FeedSample> samples;
  std::vector<FeedHash> hashes;
  std::vector<FeedAttributeRule> attribute_rules;
  std::vector<FeedSignerRule> signer_rules;
  friend bool operator==(const KnownBadFeedData&, const KnownBadFeedData&) = default;
};

/// Writes `feed` to `file` (created or replaced). Errc::Io when it cannot.
[[nodiscard]] Result<void> write_feed(const std::filesystem::path& file, const KnownBadFeedData& feed);

/// Reads a feed written by write_feed. Every line is checked (record shape, known kinds, hex
/// lengths, indices in range) and the file must end with its line count; any problem is an
/// Errc::Config error "file:line: what".
[[nodiscard]] Result<KnownBadFeedData> read_feed(const std::filesystem::path& file);

/// True when `hex` is `length` lower-case hex digits.
[[nodiscard]] bool is_lower_hex(std::string_view hex, std::size_t length) noexcept;

}  // namespace trustscan::datasets
