#pragma once
/// \file
/// The name normalisation of the vendor list's matching rules (docs/vendors.md, "Matching
/// rules"): what the loader stores and every lookup compares. Pure functions of their input.

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace trustscan::attribute {

/// The name normalisation of the matching rules: "  Kaspersky  Lab, ZAO " -> "kaspersky lab zao",
/// "АО «ЛАБОРАТОРИЯ Касперского»" -> "ао лаборатория касперского" (name_words with case folding,
/// confusables.hpp). Compatibility forms ("Ａ") and format characters are *not* folded here: they
/// are the look-alike fold's business.
[[nodiscard]] std::string normalize_name(std::string_view name);
/// Drops legal-form words at either end of a *normalised* name ("ao kaspersky lab" ->
/// "kaspersky lab"), each only next to a word of its own script (same_script); returns "" when
/// nothing else would be left.
[[nodiscard]] std::string strip_legal_forms(std::string_view normalized);
/// True when a normalised name is nothing but legal-form words ("inc", "co ltd"): the typical
/// result of a comma splitting "Acme, Inc." in a YAML flow list.
[[nodiscard]] bool only_legal_form(std::string_view normalized);
/// "Developer ID Application: GetSentry LLC (97JCY7859U)" -> "GetSentry LLC"; other names
/// unchanged. The Apple certificate kinds recognised are listed in docs/vendors.md.
[[nodiscard]] std::string_view apple_certificate_holder(std::string_view common_name) noexcept;

/// The words of a *normalised* name (views into it).
[[nodiscard]] std::vector<std::string_view> split_words(std::string_view normalized);
/// The words strip_legal_forms keeps, as [first, last) indexes into `words`.
[[nodiscard]] std::pair<std::size_t, std::size_t> legal_form_bounds(const std::vector<std::string_view>& words);

/// ASCII upper case to lower case; every other byte unchanged.
[[nodiscard]] constexpr char ascii_lower(char c) noexcept {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

}  // namespace trustscan::attribute
