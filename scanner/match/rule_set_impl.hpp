#pragma once
/// \file
/// RuleSet internals shared by rule_set.cpp and matcher.cpp (private to scanner/match/).

#include <algorithm>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "match/rule_set.hpp"
#include "match/yara_handles.hpp"

namespace trustscan::match {

struct RuleSet::Impl {
  detail::RulesHandle rules;
  /// The gated rules (rule_set.hpp, "Gated rules"), or empty: scanned only when a gate matched.
  detail::RulesHandle gated;
  std::vector<RuleInfo> infos;
  std::vector<RuleDiagnostic> warnings;
  std::vector<std::filesystem::path> sources;
  std::string fingerprint;  ///< RuleSet::fingerprint
};

namespace detail {

/// External variables declared by RuleSet::compile with their defaults, in declaration order.
struct ExternalDefault {
  const char* name;
  const char* value;
};
inline constexpr ExternalDefault kExternals[] = {
    {"filename", ""}, {"filepath", ""}, {"extension", ""}, {"format", "unknown"}, {"privilege", "unknown"},
};

/// Whether a rule with these tags is a gate (tag `gate`: rule_set.hpp, "Gated rules").
[[nodiscard]] inline bool is_gate(const std::vector<std::string>& tags) {
  return std::ranges::find(tags, std::string_view("gate")) != tags.end();
}

/// Renders a YR_META value as text (integers decimal, booleans true/false).
[[nodiscard]] std::string meta_value(const YR_META& meta);

}  // namespace detail
}  // namespace trustscan::match
