#include "attribute/name_normalise.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <utility>

#include "attribute/confusables.hpp"

namespace trustscan::attribute {

std::vector<std::string_view> split_words(std::string_view normalized) {
  std::vector<std::string_view> words;
  std::size_t start = 0;
  while (start < normalized.size()) {
    std::size_t end = normalized.find(' ', start);
    if (end == std::string_view::npos) end = normalized.size();
    if (end > start) words.push_back(normalized.substr(start, end - start));
    start = end + 1;
  }
  return words;
}

namespace {

// Legal-form words, as *normalised* word sequences. Suffixes are dropped from the end, prefixes
// from the start, repeatedly, never leaving an empty name, and only next to a word of their own
// script (same_script). Longer sequences are listed first within each group where one is a
// suffix of another ("spol s r o" before "s r o"). The CJK forms are split off their names by
// name_words (confusables.cpp).
constexpr auto kLegalSuffixes = std::to_array<std::string_view>(
    {"spol s r o", "s r o", "gmbh co kg", "co kg", "gmbh", "company limited", "co limited", "co ltd", "pte ltd",
     "pte limited", "pvt ltd", "private limited", "pty ltd", "sdn bhd", "s p a", "s a s", "s r l", "s a", "s l", "a s",
     "a ş", "b v", "n v", "e v", "e k", "k k", "l l c", "ltd", "limited", "inc", "incorporated", "corp", "corporation",
     "co", "company", "llc", "lp", "llp", "plc", "ag", "kg", "se", "sa", "sas", "sarl", "srl", "spa", "bv", "nv", "ab",
     "oy", "oyj", "asa", "kk", "pte", "pvt", "pty", "jsc", "ojsc", "cjsc", "pjsc", "zao", "ooo", "ao",
     // Russian and Belarusian forms in Cyrillic (Russia: АО, ЗАО, ОАО, ПАО, НАО, ООО; Belarus:
     // ОДО, ЧУП, УП, ОАО, ЗАО) and Ukrainian (ТОВ, ПрАТ, ПАТ)
     "ао", "зао", "оао", "пао", "нао", "ооо", "одо", "чуп", "уп", "тов", "прат", "пат",
     // CJK: China (mainland, Taiwan, Hong Kong), Japan, Korea
     "股份有限公司", "有限责任公司", "有限責任公司", "有限公司", "株式会社", "有限会社", "合同会社", "주식회사",
     "유한회사", "주"});
constexpr auto kLegalPrefixes = std::to_array<std::string_view>(
    {"s c", "ao", "zao", "oao", "pao", "ooo", "jsc", "pjsc", "cjsc", "ojsc", "tov",
     // Russian register forms spelled out, in transliteration and in Cyrillic
     "aktsionernoe obshchestvo", "zakrytoe aktsionernoe obshchestvo", "otkrytoe aktsionernoe obshchestvo",
     "publichnoe aktsionernoe obshchestvo", "obshchestvo s ogranichennoi otvetstvennostiu",
     "obshchestvo s ogranichennoy otvetstvennostyu", "акционерное общество", "закрытое акционерное общество",
     "открытое акционерное общество", "публичное акционерное общество", "непубличное акционерное общество",
     "общество с ограниченной ответственностью", "общество с дополнительной ответственностью",
     "частное унитарное предприятие", "ао", "зао", "оао", "пао", "нао", "ооо", "одо", "чуп", "уп", "тов", "прат", "пат",
     "株式会社", "有限会社", "주식회사", "주"});

/// `seq` ends words[begin, end) and may be dropped: something stays (unless allow_empty) and the
/// word it would leave at the end is in its script.
bool ends_with_words(const std::vector<std::string_view>& words, std::size_t begin, std::size_t end,
                     const std::vector<std::string_view>& seq, bool allow_empty) {
  if (end - begin < seq.size() || (!allow_empty && end - begin == seq.size())) return false;
  const std::size_t at = end - seq.size();
  if (!std::equal(seq.begin(), seq.end(), words.begin() + static_cast<std::ptrdiff_t>(at))) return false;
  return at == begin || same_script(seq.front(), words[at - 1]);
}

/// `seq` starts words[begin, end) and may be dropped (as ends_with_words).
bool starts_with_words(const std::vector<std::string_view>& words, std::size_t begin, std::size_t end,
                       const std::vector<std::string_view>& seq, bool allow_empty) {
  if (end - begin < seq.size() || (!allow_empty && end - begin == seq.size())) return false;
  if (!std::equal(seq.begin(), seq.end(), words.begin() + static_cast<std::ptrdiff_t>(begin))) return false;
  return begin + seq.size() == end || same_script(seq.back(), words[begin + seq.size()]);
}

std::string join(const std::vector<std::string_view>& words, std::size_t begin, std::size_t end) {
  std::string out;
  for (std::size_t i = begin; i < end; ++i) {
    if (i > begin) out += ' ';
    out += words[i];
  }
  return out;
}

}  // namespace

std::string normalize_name(std::string_view name) { return name_words(name, LetterCase::Fold); }

namespace {

/// Drops legal-form words at both ends of `words`; with allow_empty=false the last word stays.
std::pair<std::size_t, std::size_t> strip_range(const std::vector<std::string_view>& words, bool allow_empty) {
  static const auto kSuffixWords = [] {
    std::vector<std::vector<std::string_view>> out;
    out.reserve(kLegalSuffixes.size());
    for (auto s : kLegalSuffixes) out.push_back(split_words(s));
    return out;
  }();
  static const auto kPrefixWords = [] {
    std::vector<std::vector<std::string_view>> out;
    out.reserve(kLegalPrefixes.size());
    for (auto s : kLegalPrefixes) out.push_back(split_words(s));
    return out;
  }();
  std::size_t begin = 0;
  std::size_t end = words.size();
  for (bool changed = true; changed && begin < end;) {
    changed = false;
    for (const auto& seq : kSuffixWords) {
      if (ends_with_words(words, begin, end, seq, allow_empty)) {
        end -= seq.size();
        changed = true;
        break;
      }
    }
    for (const auto& seq : kPrefixWords) {
      if (begin < end && starts_with_words(words, begin, end, seq, allow_empty)) {
        begin += seq.size();
        changed = true;
        break;
      }
    }
  }
  return {begin, end};
}

}  // namespace

bool only_legal_form(std::string_view normalized) {
  const auto words = split_words(normalized);
  const auto [begin, end] = strip_range(words, true);
  return !words.empty() && begin >= end;
}

std::string strip_legal_forms(std::string_view normalized) {
  const auto words = split_words(normalized);
  const auto [begin, end] = strip_range(words, false);
  return join(words, begin, end);
}

std::pair<std::size_t, std::size_t> legal_form_bounds(const std::vector<std::string_view>& words) {
  return strip_range(words, false);
}

std::string_view apple_certificate_holder(std::string_view cn) noexcept {
  static constexpr std::array<std::string_view, 10> kKinds = {
      "Developer ID Application: ",
      "Developer ID Installer: ",
      "Developer ID Kernel Extension: ",
      "Apple Development: ",
      "Apple Distribution: ",
      "Mac Developer: ",
      "3rd Party Mac Developer Application: ",
      "3rd Party Mac Developer Installer: ",
      "iPhone Developer: ",
      "iPhone Distribution: ",
  };
  for (auto kind : kKinds) {
    if (!cn.starts_with(kind)) continue;
    std::string_view holder = cn.substr(kind.size());
    // Strip a trailing " (TEAMID)".
    if (holder.size() > 13 && holder.back() == ')') {
      const auto open = holder.rfind(" (");
      if (open != std::string_view::npos && holder.size() - open == 13) holder = holder.substr(0, open);
    }
    return holder;
  }
  return cn;
}

}  // namespace trustscan::attribute
