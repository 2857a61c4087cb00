#pragma once
/// \file
/// The Unicode side of vendor-name matching, and the only place that includes ICU (libicu):
///  - the words of a name as the normaliser compares them (full Unicode case folding, every
///    punctuation, space, symbol or control character a word break; CJK legal forms split off);
///  - the script of a word, so that legal forms are dropped only next to words of their own
///    script ("АО «Лаборатория Касперского»" loses its АО, "АО Kaspersky Lab" with a Cyrillic АО
///    does not);
///  - the look-alike fold of Unicode TR39 (https://www.unicode.org/reports/tr39/): NFKC, removal
///    of format characters (zero-width, bidi controls, BOM, soft hyphen) and default-ignorable
///    code points, and the confusable skeleton, under which "АО Кaspersky Lab" (Cyrillic А, О, К),
///    "Kasper\u200Bsky", "ＡＯ Ｋａｓｐｅｒｓｋｙ" and "𝐊𝐚𝐬𝐩𝐞𝐫𝐬𝐤𝐲" all meet "Kaspersky".
/// How VendorDb uses them: docs/vendors.md, "Matching rules". Every function is pure and safe to
/// call from any number of threads (ICU's normalisers and one spoof checker, opened once).

#include <cstdint>
#include <string>
#include <string_view>

namespace trustscan::attribute {

/// Whether name_words() folds letter case.
enum class LetterCase { Fold, Keep };

/// A name as words: with LetterCase::Fold full Unicode case folding (Cyrillic, Greek, ...,
/// "ß" -> "ss") of every character that NFKC leaves alone; letters, marks, digits and format
/// characters are kept, every run of anything else (ASCII or Unicode punctuation and spaces,
/// « », symbols such as © ® ™, controls, invalid UTF-8) becomes one space, and the ends are
/// trimmed. Nothing is normalised here: compatibility and singleton characters (full-width "Ａ",
/// the Kelvin sign), decomposed accents and format characters keep their spelling, so a name
/// that carries them equals a listed one only after the look-alike fold. A run of Han, kana or Hangul that ends
/// with a CJK legal form (有限公司, 股份有限公司, 株式会社, 주식회사, ...) or starts with a Japanese
/// or Korean one is split there ("北京奇虎科技有限公司" -> "北京奇虎科技 有限公司"), so the
/// legal-form rule can drop it as a word. Pure ASCII takes a table-free path.
[[nodiscard]] std::string name_words(std::string_view utf8, LetterCase letter_case);

/// True when legal-form word `form` may be dropped next to word `neighbour`: both are in one
/// script (Latin, Cyrillic, Greek, ...; Han, kana and Hangul count as one), or one of them has no
/// script of its own (digits). A word mixing two scripts ("Кaspersky") is in none.
[[nodiscard]] bool same_script(std::string_view form, std::string_view neighbour);

/// The first step of the look-alike fold: NFKC (compatibility forms: full-width "Ａ", the Kelvin
/// sign "K", mathematical bold "𝐊", ligatures), then every format character (general category
/// Cf: U+200B–U+200F, U+202A–U+202E, U+2060–U+2069, U+FEFF, U+00AD, ...) and default-ignorable
/// code point removed. ASCII text is returned unchanged.
[[nodiscard]] std::string look_alike_prefold(std::string_view utf8);

/// The TR39 confusable skeleton of `utf8` (ICU uspoof_getSkeleton: NFD, each character replaced by
/// its prototype from Unicode's confusables.txt, NFD): Cyrillic "А" -> "A", "0" -> "O", "m" ->
/// "rn". Not case-insensitive by itself: "К" -> "K" but "к" -> "ĸ". ASCII input uses a table
/// taken from ICU once.
[[nodiscard]] std::string skeleton(std::string_view utf8);

/// For `trustscan --version`: ICU (confusable detection) as loaded at run time, e.g. "NAME 1.2.3".
[[nodiscard]] std::string icu_version();

}  // namespace trustscan::attribute
