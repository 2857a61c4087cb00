// The Unicode side of name matching (attribute/confusables.hpp): the normaliser's words for
// names outside ASCII, scripts of words, and the TR39 look-alike fold.

#include <catch2/catch.hpp>

#include <string>

#include "attribute/confusables.hpp"

using namespace trustscan::attribute;

TEST_CASE("name_words folds Unicode case and breaks words at every punctuation and symbol",
          "[attribute][confusables]") {
  const auto fold = [](std::string_view s) { return name_words(s, LetterCase::Fold); };
  // Cyrillic and Greek case, « » and ASCII quotes as separators.
  CHECK(fold("АО «ЛАБОРАТОРИЯ Касперского»") == "ао лаборатория касперского");
  CHECK(fold("АО \"Лаборатория Касперского\"") == "ао лаборатория касперского");
  CHECK(fold("ΑΒΓ Δέλτα") == "αβγ δέλτα");
  CHECK(fold("Straße GmbH") == "strasse gmbh");  // full case folding
  // CJK brackets and ideographic space; the legal form becomes a word of its own.
  CHECK(fold("完美世界（北京）软件科技发展有限公司") == "完美世界 北京 软件科技发展 有限公司");
  CHECK(fold("北京奇虎科技有限公司") == "北京奇虎科技 有限公司");
  CHECK(fold("奇安信科技集团股份有限公司") == "奇安信科技集团 股份有限公司");
  CHECK(fold("株式会社ソニー") == "株式会社 ソニー");
  CHECK(fold("有限公司") == "有限公司");  // a form alone stays whole
  CHECK(fold("Trend Micro™ Inc. © 2024") == "trend micro inc 2024");
  CHECK(fold("Й") == "й");
  // No normalisation here: a decomposed й, the Kelvin sign and full-width letters keep their
  // spelling (the look-alike fold meets them).
  CHECK(fold("И\u0306") == "и\u0306");
  CHECK(fold("\u212Aaspersky") == "\u212Aaspersky");
  CHECK(fold("ſ") == "ſ");
  // Letter case kept on request.
  CHECK(name_words("АО «Лаборатория»", LetterCase::Keep) == "АО Лаборатория");
  // Compatibility forms and format characters are not folded here (the look-alike fold does).
  CHECK(fold("Ｋａｓ") == "Ｋａｓ");  // not even case-folded
  CHECK(fold("Kasper\u200Bsky") == "kasper\u200Bsky");
  CHECK(fold("\uFEFFKaspersky") == "\uFEFFkaspersky");
  // Invalid UTF-8 separates; pure ASCII takes the same rules.
  CHECK(fold("Kas\xFFpersky") == "kas persky");
  CHECK(fold("  Kaspersky  Lab, ZAO ") == "kaspersky lab zao");
  CHECK(fold("...") == "");
}

TEST_CASE("same_script: legal forms belong to the script of the name next to them",
          "[attribute][confusables]") {
  CHECK(same_script("ао", "лаборатория"));
  CHECK_FALSE(same_script("ао", "kaspersky"));  // Cyrillic АО before a Latin name
  CHECK_FALSE(same_script("ao", "лаборатория"));
  CHECK(same_script("inc", "acme"));
  CHECK(same_script("inc", "360"));  // digits have no script of their own
  CHECK(same_script("有限公司", "北京奇虎科技"));
  CHECK(same_script("株式会社", "ソニー"));  // Han and kana count as one
  CHECK_FALSE(same_script("ao", "кaspersky"));  // a word mixing scripts is in none
  CHECK_FALSE(same_script("ао", "кaspersky"));
}

TEST_CASE("look_alike_prefold: NFKC and no format characters", "[attribute][confusables]") {
  CHECK(look_alike_prefold("AO Kaspersky Lab") == "AO Kaspersky Lab");
  // Zero-width space / joiner / non-joiner, BOM, soft hyphen, word joiner.
  CHECK(look_alike_prefold("Kasper\u200Bsky") == "Kaspersky");
  CHECK(look_alike_prefold("Kasper\u200Dsky\u200C") == "Kaspersky");
  CHECK(look_alike_prefold("\uFEFFKaspersky") == "Kaspersky");
  CHECK(look_alike_prefold("Kas\u00ADper\u2060sky") == "Kaspersky");
  // Bidi embeddings, overrides and isolates.
  CHECK(look_alike_prefold("Kas\u202Epersky\u202C") == "Kaspersky");
  CHECK(look_alike_prefold("\u2066Kasp\u2067er\u2069sky\u2069 \u2068Lab\u2069") == "Kaspersky Lab");
  CHECK(look_alike_prefold("\u200EKaspersky\u200F") == "Kaspersky");
  // Compatibility forms: full-width, Kelvin sign, mathematical bold, ligatures, superscripts.
  CHECK(look_alike_prefold("ＡＯ Ｋａｓｐｅｒｓｋｙ") == "AO Kaspersky");
  CHECK(look_alike_prefold("\u212Aaspersky") == "Kaspersky");
  CHECK(look_alike_prefold("\U0001D40A\U0001D41A\U0001D42C") == "Kas");
  CHECK(look_alike_prefold("\uFB01le") == "file");
  CHECK(look_alike_prefold("Lab\u00B2") == "Lab2");
  CHECK(look_alike_prefold("И\u0306") == "Й");  // NFKC composes
}

TEST_CASE("skeleton: TR39 prototypes", "[attribute][confusables]") {
  CHECK(skeleton("АО") == "AO");  // Cyrillic А, О
  CHECK(skeleton("Кaspersky") == "Kaspersky");
  CHECK(skeleton("Καspersky") == "Kaspersky");  // Greek Kappa, alpha
  CHECK(skeleton("A0") == "AO");
  CHECK(skeleton("rn") == skeleton("m"));
  CHECK(skeleton("Kaspersky") == "Kaspersky");
  CHECK(skeleton("") == "");
}
