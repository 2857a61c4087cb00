#pragma once
/// \file
/// The name normalisation of the vendor list's matching rules (docs/vendors.md, "Matching
/// rules"): what the loader stores and every lookup compares. Pure functions of their input.

#include <string>
#include <string_view>
#include <vector>

namespace trustscan::attribute {

/// The name normalisation of the matching rules: "  Kaspersky  Lab, ZAO " -> "kaspersky lab zao".
/// Non-ASCII letters are kept byte for byte (no Unicode case folding); full-width ASCII forms and
/// CJK punctuation are folded ("（" is punctuation, "Ａ" is "a").
[[nodiscard]] std::string normalize_name(std::string_view name);
/// Drops legal-form words at either end of a *normalised* name ("ao kaspersky lab" ->
/// "kaspersky lab"); returns "" when nothing else would be left.
[[nodiscard]] std::string strip_legal_forms(std::string_view normalized);
/// True when a normalised name is nothing but legal-form words ("inc", "co ltd"): the typical
/// result of a comma splitting "Acme, Inc." in a YAML flow list.
[[nodiscard]] bool only_legal_form(std::string_view normalized);
/// "Developer ID Application: GetSentry LLC (97JCY7859U)" -> "GetSentry LLC"; other names
/// unchanged. The Apple certificate kinds recognised are listed in docs/vendors.md.
[[nodiscard]] std::string_view apple_certificate_holder(std::string_view common_name) noexcept;

/// The words of a *normalised* name (views into it).
[[nodiscard]] std::vector<std::string_view> split_words(std::string_view normalized);

/// ASCII upper case to lower case; every other byte unchanged.
[[nodiscard]] constexpr char ascii_lower(char c) noexcept {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

}  // namespace trustscan::attribute
