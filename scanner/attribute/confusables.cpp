// ICU (libicu-dev, pkg-config icu-uc icu-i18n) is included here and nowhere else.
#include "attribute/confusables.hpp"

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/uscript.h>
#include <unicode/uspoof.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <array>
#include <limits>
#include <memory>
#include <stdexcept>

#include "core/ascii.hpp"

namespace trustscan::attribute {
namespace {

/// The ICU objects every function uses, opened once. Normalizer2 instances belong to ICU; the
/// spoof checker is only read after opening (ICU documents it as safe for concurrent checks).
struct Icu {
  const icu::Normalizer2* nfkc = nullptr;
  std::unique_ptr<USpoofChecker, decltype(&uspoof_close)> spoof{nullptr, &uspoof_close};
  std::array<std::string, 128> ascii_skeleton;  ///< skeleton of each ASCII character
};

std::string to_utf8(const icu::UnicodeString& s) {
  std::string out;
  s.toUTF8String(out);
  return out;
}

icu::UnicodeString from_utf8(std::string_view s) {
  // Names are bounded by the parse limits long before this; the clamp only keeps the int32
  // length ICU takes from wrapping.
  const auto size = static_cast<std::int32_t>(
      std::min<std::size_t>(s.size(), std::numeric_limits<std::int32_t>::max()));
  return icu::UnicodeString::fromUTF8(icu::StringPiece(s.data(), size));
}

const Icu& icu_objects() {
  static const Icu objects = [] {
    Icu o;
    UErrorCode status = U_ZERO_ERROR;
    o.nfkc = icu::Normalizer2::getNFKCInstance(status);
    o.spoof.reset(uspoof_open(&status));
    if (U_FAILURE(status)) throw std::runtime_error(std::string("ICU: ") + u_errorName(status));
    for (char32_t c = 0; c < 128; ++c) {
      icu::UnicodeString skeleton;
      uspoof_getSkeletonUnicodeString(o.spoof.get(), 0, icu::UnicodeString(static_cast<UChar32>(c)), skeleton, &status);
      o.ascii_skeleton[c] = to_utf8(skeleton);
    }
    if (U_FAILURE(status)) throw std::runtime_error(std::string("ICU: ") + u_errorName(status));
    return o;
  }();
  return objects;
}

bool is_ascii_alnum(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/// Letters, marks, numbers and format characters belong to words; everything else separates.
bool is_word_character(UChar32 c) noexcept {
  return (U_GET_GC_MASK(c) & (U_GC_L_MASK | U_GC_M_MASK | U_GC_N_MASK | U_GC_CF_MASK)) != 0;
}

/// CJK legal forms written without a space: "有限公司" ends "北京奇虎科技有限公司"; Japanese
/// and Korean forms may also come first ("株式会社ソニー", "주식회사 안랩" has its own space).
/// Longer forms first where one ends another.
constexpr auto kCjkLegalSuffixes = std::to_array<std::string_view>({"股份有限公司", "有限责任公司", "有限責任公司",
                                                                    "有限公司", "株式会社", "有限会社", "合同会社",
                                                                    "주식회사", "유한회사"});
constexpr auto kCjkLegalPrefixes = std::to_array<std::string_view>({"株式会社", "有限会社", "주식회사"});

/// Appends `word` to `out`, with a space after a CJK legal-form prefix and before a suffix.
void append_split_word(std::string& out, std::string_view word) {
  if (is_ascii(word)) {
    out += word;
    return;
  }
  for (std::string_view p : kCjkLegalPrefixes) {
    if (word.size() > p.size() && word.starts_with(p)) {
      out.append(p).push_back(' ');
      word.remove_prefix(p.size());
      break;
    }
  }
  for (std::string_view s : kCjkLegalSuffixes) {
    if (word.size() > s.size() && word.ends_with(s)) {
      out.append(word.substr(0, word.size() - s.size())).push_back(' ');
      out += s;
      return;
    }
  }
  out += word;
}

std::string split_cjk_legal_forms(std::string_view words) {
  std::string out;
  out.reserve(words.size() + 8);
  for (std::size_t start = 0; start < words.size();) {
    std::size_t end = words.find(' ', start);
    if (end == std::string_view::npos) end = words.size();
    if (!out.empty()) out += ' ';
    append_split_word(out, words.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

std::string ascii_words(std::string_view name, LetterCase letter_case) {
  std::string out;
  out.reserve(name.size());
  bool gap = false;
  for (char c : name) {
    if (!is_ascii_alnum(c)) {
      gap = true;
      continue;
    }
    if (gap && !out.empty()) out += ' ';
    gap = false;
    out += (letter_case == LetterCase::Fold && c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  return out;
}

/// The script class of one code point: Han, kana, Bopomofo and Hangul are one class (Japanese
/// names mix them); Common and Inherited (digits, marks) have none.
UScriptCode script_class(UChar32 c) noexcept {
  UErrorCode status = U_ZERO_ERROR;
  const UScriptCode s = uscript_getScript(c, &status);
  if (U_FAILURE(status) || s == USCRIPT_INHERITED) return USCRIPT_COMMON;
  if (s == USCRIPT_HIRAGANA || s == USCRIPT_KATAKANA || s == USCRIPT_HANGUL || s == USCRIPT_BOPOMOFO)
    return USCRIPT_HAN;
  return s;
}

constexpr int kMixedScripts = -1;

/// USCRIPT_COMMON for a word without letters, kMixedScripts for one with letters of two classes.
int word_script(std::string_view word) noexcept {
  if (is_ascii(word)) return std::ranges::any_of(word, [](char c) { return c > '9'; }) ? USCRIPT_LATIN : USCRIPT_COMMON;
  int script = USCRIPT_COMMON;
  const auto length = static_cast<std::int32_t>(std::min<std::size_t>(word.size(), 1U << 20));
  for (std::int32_t i = 0; i < length;) {
    UChar32 c = 0;
    U8_NEXT(word.data(), i, length, c);
    const UScriptCode s = c < 0 ? USCRIPT_COMMON : script_class(c);
    if (s == USCRIPT_COMMON) continue;
    if (script == USCRIPT_COMMON)
      script = s;
    else if (script != s)
      return kMixedScripts;
  }
  return script;
}

}  // namespace

std::string name_words(std::string_view utf8, LetterCase letter_case) {
  if (is_ascii(utf8)) return ascii_words(utf8, letter_case);
  const Icu& icu = icu_objects();
  const icu::UnicodeString text = from_utf8(utf8);
  icu::UnicodeString words;
  bool gap = false;
  for (std::int32_t i = 0; i < text.length();) {
    const UChar32 c = text.char32At(i);
    i += U16_LENGTH(c);
    if (!is_word_character(c)) {
      gap = true;
      continue;
    }
    if (gap && !words.isEmpty()) words.append(static_cast<UChar>(u' '));
    gap = false;
    icu::UnicodeString one(c);
    // Only characters NFKC leaves alone are folded: a compatibility or singleton character (the
    // full-width "Ａ", the Kelvin sign, "ſ") keeps its own spelling, so it meets the list only as
    // a look-alike, never as an exact name.
    UErrorCode status = U_ZERO_ERROR;
    if (letter_case == LetterCase::Fold && icu.nfkc->isNormalized(one, status) && U_SUCCESS(status)) one.foldCase();
    words.append(one);
  }
  return split_cjk_legal_forms(to_utf8(words));
}

bool same_script(std::string_view form, std::string_view neighbour) {
  const int a = word_script(form);
  const int b = word_script(neighbour);
  if (a == USCRIPT_COMMON || b == USCRIPT_COMMON) return true;
  return a == b && a != kMixedScripts;
}

std::string look_alike_prefold(std::string_view utf8) {
  if (is_ascii(utf8)) return std::string(utf8);
  const Icu& icu = icu_objects();
  UErrorCode status = U_ZERO_ERROR;
  const icu::UnicodeString text = icu.nfkc->normalize(from_utf8(utf8), status);
  if (U_FAILURE(status)) return std::string(utf8);  // not reached with ICU's data
  icu::UnicodeString kept;
  for (std::int32_t i = 0; i < text.length();) {
    const UChar32 c = text.char32At(i);
    i += U16_LENGTH(c);
    if ((U_GET_GC_MASK(c) & U_GC_CF_MASK) != 0 || u_hasBinaryProperty(c, UCHAR_DEFAULT_IGNORABLE_CODE_POINT)) continue;
    kept.append(c);
  }
  return to_utf8(kept);
}

std::string skeleton(std::string_view utf8) {
  const Icu& icu = icu_objects();
  if (is_ascii(utf8)) {
    std::string out;
    out.reserve(utf8.size() + 4);
    for (char c : utf8) out += icu.ascii_skeleton[static_cast<unsigned char>(c)];
    return out;
  }
  UErrorCode status = U_ZERO_ERROR;
  icu::UnicodeString out;
  uspoof_getSkeletonUnicodeString(icu.spoof.get(), 0, from_utf8(utf8), out, &status);
  if (U_FAILURE(status)) return std::string(utf8);  // not reached with ICU's data
  return to_utf8(out);
}

std::string icu_version() {
  UVersionInfo v;
  u_getVersion(v);
  char text[U_MAX_VERSION_STRING_LENGTH];
  u_versionToString(v, text);
  return std::string("ICU ") + text;
}

}  // namespace trustscan::attribute
