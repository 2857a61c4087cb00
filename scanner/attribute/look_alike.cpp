// VendorDb's look-alike lookups (MatchKind::LookAlike): names that equal a listed name only after
// the TR39 look-alike fold of confusables.hpp. The list's names are folded once by the loader
// (vendor_loader.cpp, index_vendor); a lookup folds its query only after the exact and legal-form
// lookups missed.
//
// A key is computed from the look-alike prefold (NFKC, format characters removed) of a name, cut
// into words like normalize_name, in two ways, because a skeleton is not case-insensitive:
//   A = skeleton(case-fold(skeleton(words as written)))  -- "AO Кaspersky": the capital Cyrillic
//       К has the skeleton "K" (its small form к has "ĸ", so folding first would lose it);
//   B = skeleton(case-fold(words))                       -- "касперского" in another case than
//       the list's "Касперского" (capital К -> "K", small к -> "ĸ": only folding first meets).
// Both keys are made for the whole name and for its legal-form-free words (legal_form_bounds),
// and a query matches when any of its keys is a key of a listed name.
#include <algorithm>
#include <array>

#include "attribute/confusables.hpp"
#include "attribute/vendor_db.hpp"

namespace trustscan::attribute {
namespace {

/// Words [begin, end) of a name_words() string, as one string (they are separated by one space).
std::string_view word_run(const std::vector<std::string_view>& words, std::size_t begin, std::size_t end) {
  const char* first = words[begin].data();
  const char* last = words[end - 1].data() + words[end - 1].size();
  return {first, static_cast<std::size_t>(last - first)};
}

/// Keys A and B of one run of words, given as written (`cased`) and case-folded (`folded`).
std::array<std::string, 2> fold_both(std::string_view cased, std::string_view folded) {
  return {skeleton(name_words(skeleton(cased), LetterCase::Fold)), skeleton(folded)};
}

void add_unique(std::vector<std::string>& keys, std::string key) {
  if (!key.empty() && std::ranges::find(keys, key) == keys.end()) keys.push_back(std::move(key));
}

/// The A and B folds of a whole text (copyright lines, holders).
std::array<std::string, 2> text_folds(std::string_view text) {
  const std::string pre = look_alike_prefold(text);
  return fold_both(name_words(pre, LetterCase::Keep), name_words(pre, LetterCase::Fold));
}

}  // namespace

std::vector<std::string> VendorDb::look_alike_keys(std::string_view name) {
  const std::string pre = look_alike_prefold(name);
  const std::string cased = name_words(pre, LetterCase::Keep);
  const std::string folded = name_words(pre, LetterCase::Fold);
  const auto cased_words = split_words(cased);
  const auto folded_words = split_words(folded);
  std::vector<std::string> keys;
  if (folded_words.empty()) return keys;
  for (std::string& key : fold_both(cased, folded)) add_unique(keys, std::move(key));
  // Case folding never splits or joins words; if it ever did, only the whole name is keyed.
  if (cased_words.size() != folded_words.size()) return keys;
  const auto [begin, end] = legal_form_bounds(folded_words);
  if (begin == 0 && end == folded_words.size()) return keys;
  for (std::string& key : fold_both(word_run(cased_words, begin, end), word_run(folded_words, begin, end)))
    add_unique(keys, std::move(key));
  return keys;
}

std::vector<std::vector<std::string>> VendorDb::look_alike_holder_words(std::string_view holder) {
  std::vector<std::vector<std::string>> out;
  for (const std::string& fold : text_folds(holder)) {
    std::vector<std::string> words;
    for (std::string_view w : split_words(fold)) words.emplace_back(w);
    if (!words.empty() && std::ranges::find(out, words) == out.end()) out.push_back(std::move(words));
  }
  return out;
}

std::optional<VendorMatch> VendorDb::match_look_alike(std::string_view name, bool company, SubjectPart part) const {
  if (name.empty()) return std::nullopt;
  const std::vector<std::string> keys = look_alike_keys(name);
  if (company) {
    for (const std::string& key : keys)
      if (auto it = company_look_alike_.find(key); it != company_look_alike_.end())
        return make_match(it->second, MatchKind::LookAlike, part);
  }
  for (const std::string& key : keys)
    if (auto it = legal_look_alike_.find(key); it != legal_look_alike_.end())
      return make_match(it->second, MatchKind::LookAlike, part);
  return std::nullopt;
}

std::optional<VendorMatch> VendorDb::copyright_look_alike(std::string_view text) const {
  if (holders_look_alike_.empty() || text.empty()) return std::nullopt;
  const Holder* best = nullptr;
  for (const std::string& fold : text_folds(text)) {
    const Holder* h = longest_holder(holders_look_alike_, split_words(fold));
    if (h != nullptr && (best == nullptr || h->tokens.size() > best->tokens.size())) best = h;
  }
  if (best == nullptr) return std::nullopt;
  return make_match(best->ref, MatchKind::LookAlike);
}

}  // namespace trustscan::attribute
