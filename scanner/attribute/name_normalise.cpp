#include "attribute/name_normalise.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <utility>

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

bool is_ascii_alnum(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/// Decodes one UTF-8 sequence at `s[i]`; returns its length (1 for an invalid byte, with cp = the
/// byte) and the code point.
std::size_t decode_utf8(std::string_view s, std::size_t i, char32_t& cp) noexcept {
  const auto b0 = static_cast<unsigned char>(s[i]);
  std::size_t len = 1;
  if (b0 >= 0xF0 && b0 < 0xF8)
    len = 4;
  else if (b0 >= 0xE0)
    len = 3;
  else if (b0 >= 0xC0)
    len = 2;
  if (len == 1 || i + len > s.size()) {
    cp = b0;
    return 1;
  }
  char32_t v = b0 & (0x7FU >> len);
  for (std::size_t k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0U) != 0x80U) {
      cp = b0;
      return 1;
    }
    v = (v << 6U) | (b & 0x3FU);
  }
  cp = v;
  return len;
}

/// Punctuation and spaces outside ASCII that separate words in names: NBSP, (c), (R), middle dot,
/// the General Punctuation block (dashes, quotes, spaces), (TM), CJK symbols and punctuation
/// (ideographic space, 、 。 「 」 ...).
bool is_unicode_separator(char32_t cp) noexcept {
  return cp == 0x00A0 || cp == 0x00A9 || cp == 0x00AE || cp == 0x00B7 || (cp >= 0x2000 && cp <= 0x206F) ||
         cp == 0x2122 || (cp >= 0x3000 && cp <= 0x303F) || cp == 0xFEFF;
}

// Legal-form words, as *normalised* word sequences. Suffixes are dropped from the end, prefixes
// from the start, repeatedly, never leaving an empty name. Longer sequences are listed first
// within each group where one is a suffix of another ("spol s r o" before "s r o").
constexpr auto kLegalSuffixes = std::to_array<std::string_view>(
    {"spol s r o",   "s r o",   "gmbh co kg",  "co kg",       "gmbh",    "company limited",
     "co limited",   "co ltd",  "pte ltd",     "pte limited", "pvt ltd", "private limited",
     "pty ltd",      "sdn bhd", "s p a",       "s a s",       "s r l",   "s a",
     "s l",          "a s",     "a ş",         "b v",         "n v",     "e v",
     "e k",          "k k",     "l l c",       "ltd",         "limited", "inc",
     "incorporated", "corp",    "corporation", "co",          "company", "llc",
     "lp",           "llp",     "plc",         "ag",          "kg",      "se",
     "sa",           "sas",     "sarl",        "srl",         "spa",     "bv",
     "nv",           "ab",      "oy",          "oyj",         "asa",     "kk",
     "pte",          "pvt",     "pty",         "jsc",         "ojsc",    "cjsc",
     "pjsc",         "zao",     "ooo",         "ao",          "a Ş"});  // "A.Ş.": no Unicode case
                                                                        // folding, so both cases of
                                                                        // Ş
constexpr auto kLegalPrefixes = std::to_array<std::string_view>(
    {"s c", "ao", "zao", "oao", "pao", "ooo", "jsc", "pjsc", "cjsc", "ojsc", "tov"});

bool ends_with_words(const std::vector<std::string_view>& words, std::size_t begin, std::size_t end,
                     const std::vector<std::string_view>& seq, bool allow_empty) {
  if (end - begin < seq.size() || (!allow_empty && end - begin == seq.size())) return false;
  return std::equal(seq.begin(), seq.end(), words.begin() + static_cast<std::ptrdiff_t>(end - seq.size()));
}

bool starts_with_words(const std::vector<std::string_view>& words, std::size_t begin, std::size_t end,
                       const std::vector<std::string_view>& seq, bool allow_empty) {
  if (end - begin < seq.size() || (!allow_empty && end - begin == seq.size())) return false;
  return std::equal(seq.begin(), seq.end(), words.begin() + static_cast<std::ptrdiff_t>(begin));
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

std::string normalize_name(std::string_view name) {
  std::string out;
  out.reserve(name.size());
  bool gap = false;
  const auto put = [&](std::string_view bytes) {
    if (gap && !out.empty()) out += ' ';
    gap = false;
    out += bytes;
  };
  for (std::size_t i = 0; i < name.size();) {
    char32_t cp = 0;
    const std::size_t len = decode_utf8(name, i, cp);
    if (cp >= 0xFF01 && cp <= 0xFF5E) cp -= 0xFEE0;  // full-width ASCII forms -> ASCII
    if (cp < 0x80) {
      const char c = static_cast<char>(cp);
      if (is_ascii_alnum(c)) {
        const char lower = ascii_lower(c);
        put(std::string_view{&lower, 1});
      } else {
        gap = true;
      }
    } else if (is_unicode_separator(cp)) {
      gap = true;
    } else {
      put(name.substr(i, len));
    }
    i += len;
  }
  return out;
}

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
