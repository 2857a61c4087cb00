#pragma once
/// \file
/// Vocabulary of the match stage: what a rule says about itself (RuleInfo), what the pipeline
/// tells rules about a file (MatchExternals), and what a hit looks like (RuleMatch).
/// LIEF-free, nlohmann-free and yara-free: later stages include only this header.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/types.hpp"

namespace trustscan::match {

/// How sure a rule is, when it fires, that the file comes from `meta.vendor` (docs/rules.md).
///  - High: an artefact a third party cannot plausibly carry by accident — a DER-encoded
///    certificate name of the vendor, or several independent vendor-specific artefacts together.
///  - Medium: one vendor-specific artefact in a fitting context (a version-resource value, an
///    OriginalFilename registered to the vendor, an SDK-only token set, a PDB path). Spoofable.
///  - Low: indicative only (names from third-party lists; names other vendors might reuse).
///  (One confidence scale for rules, attribution and policy: core/types.hpp.)
using trustscan::Confidence;
using trustscan::confidence_from_string;

inline constexpr std::string_view kRequiredMeta[] = {"vendor", "description", "confidence",
                                                      "reference"};

/// Static description of one compiled, public rule.
struct RuleInfo {
  std::string name;
  std::string ns;
  std::vector<std::string> tags;
  /// Every meta value rendered as text (integers in decimal, booleans as "true"/"false").
  std::map<std::string, std::string> meta;
};

/// Values of the external variables every rule can use; set per scan (docs/rules.md).
/// Strings are views: they only need to live for the duration of `Matcher::scan`.
struct MatchExternals {
  std::string_view filename{};   ///< last path component, e.g. "klif.sys"
  std::string_view filepath{};   ///< path as discovered, e.g. "/mnt/img/Windows/System32/drivers/klif.sys"
  std::string_view extension{};  ///< lower-case, without the dot: "sys"; empty when none
  Format format = Format::Unknown;          ///< rendered as pe/elf/macho/macho_fat/unknown
  std::optional<Privilege> privilege;       ///< rendered as kernel/boot/user, nullopt = "unknown"
};

/// First match of one string of a matching rule.
struct StringMatch {
  std::string identifier;  ///< "$vi_company", or "$" for anonymous strings
  std::uint64_t offset = 0;  ///< file offset of the first match
  std::uint32_t length = 0;  ///< bytes matched
  friend bool operator==(const StringMatch&, const StringMatch&) = default;
};

/// One rule that matched one file.
struct RuleMatch {
  std::string rule;
  std::string ns;
  std::vector<std::string> tags;
  std::map<std::string, std::string> meta;
  /// Matched strings in declaration order, first occurrence only, at most
  /// MatchOptions::max_strings_per_rule entries; `strings_truncated` tells when more matched.
  std::vector<StringMatch> strings;
  bool strings_truncated = false;

  /// meta["vendor"]; every shipped and user rule has it (enforced at compile time).
  [[nodiscard]] std::string_view vendor() const { return meta_or_empty("vendor"); }
  /// meta["confidence"] parsed; always valid for rules that passed RuleSet::compile.
  [[nodiscard]] Confidence confidence() const {
    return confidence_from_string(meta_or_empty("confidence")).value_or(Confidence::Low);
  }

  friend bool operator==(const RuleMatch&, const RuleMatch&) = default;
 private:
  [[nodiscard]] std::string_view meta_or_empty(const std::string& key) const {
    const auto it = meta.find(key);
    return it == meta.end() ? std::string_view{} : std::string_view{it->second};
  }
};

}  // namespace trustscan::match
