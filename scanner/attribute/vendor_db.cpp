#include "attribute/vendor_db.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <utility>

#include "attribute/confusables.hpp"
#include "config/country.hpp"
#include "config/document.hpp"
#include "config/reader.hpp"

namespace trustscan::attribute {

using config::Diagnostics;
using config::Mark;
using config::Need;
using config::ObjectReader;
using config::Value;

std::string_view to_string(Category c) noexcept {
  switch (c) {
    case Category::Antivirus: return "antivirus";
    case Category::Edr: return "edr";
    case Category::Vpn: return "vpn";
    case Category::Firewall: return "firewall";
    case Category::AntiCheat: return "anti-cheat";
    case Category::Backup: return "backup";
    case Category::Dlp: return "dlp";
    case Category::Security: return "security";
    case Category::Hardware: return "hardware";
    case Category::Os: return "os";
    case Category::Virtualization: return "virtualization";
    case Category::Utility: return "utility";
    case Category::Developer: return "developer";
    case Category::Pki: return "pki";
    case Category::Other: return "other";
  }
  return "other";
}

namespace {
constexpr std::array kCategories = {Category::Antivirus,
                                    Category::Edr,
                                    Category::Vpn,
                                    Category::Firewall,
                                    Category::AntiCheat,
                                    Category::Backup,
                                    Category::Dlp,
                                    Category::Security,
                                    Category::Hardware,
                                    Category::Os,
                                    Category::Virtualization,
                                    Category::Utility,
                                    Category::Developer,
                                    Category::Pki,
                                    Category::Other};
}  // namespace

std::optional<Category> category_from_string(std::string_view s) noexcept {
  for (Category c : kCategories) {
    if (to_string(c) == s) return c;
  }
  return std::nullopt;
}

std::string_view to_string(MatchField f) noexcept {
  switch (f) {
    case MatchField::LegalName: return "legal_name";
    case MatchField::CompanyName: return "company_name";
    case MatchField::SigningService: return "signing_service";
    case MatchField::FileName: return "file_name";
    case MatchField::Thumbprint: return "thumbprint";
    case MatchField::TeamId: return "team_id";
    case MatchField::CopyrightHolder: return "copyright_holder";
  }
  return "legal_name";
}

std::string_view to_string(MatchKind k) noexcept {
  switch (k) {
    case MatchKind::Exact: return "exact";
    case MatchKind::LegalFormVariant: return "legal_form_variant";
    case MatchKind::LookAlike: return "look_alike";
  }
  return "exact";
}

std::string_view to_string(SubjectPart p) noexcept {
  switch (p) {
    case SubjectPart::None: return "";
    case SubjectPart::Organization: return "O";
    case SubjectPart::CommonName: return "CN";
  }
  return "";
}

// ---------------------------------------------------------------------------------------------
// Normalisation

namespace {

char ascii_lower(char c) noexcept {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

// Legal-form words, as *normalised* word sequences. Suffixes are dropped from the end, prefixes
// from the start, repeatedly, never leaving an empty name, and only next to a word of their own
// script (same_script). Longer sequences are listed first within each group where one is a
// suffix of another ("spol s r o" before "s r o"). The CJK forms are split off their names by
// name_words (confusables.cpp).
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
     "pjsc",         "zao",     "ooo",         "ao",
     // Russian and Belarusian forms in Cyrillic (Russia: АО, ЗАО, ОАО, ПАО, НАО, ООО; Belarus:
     // ОДО, ЧУП, УП, ОАО, ЗАО) and Ukrainian (ТОВ, ПрАТ, ПАТ)
     "ао", "зао", "оао", "пао", "нао", "ооо", "одо", "чуп", "уп", "тов", "прат", "пат",
     // CJK: China (mainland, Taiwan, Hong Kong), Japan, Korea
     "股份有限公司", "有限责任公司", "有限責任公司", "有限公司", "株式会社", "有限会社", "合同会社",
     "주식회사", "유한회사", "주"});
constexpr auto kLegalPrefixes = std::to_array<std::string_view>(
    {"s c", "ao", "zao", "oao", "pao", "ooo", "jsc", "pjsc", "cjsc", "ojsc", "tov",
     // Russian register forms spelled out, in transliteration and in Cyrillic
     "aktsionernoe obshchestvo", "zakrytoe aktsionernoe obshchestvo",
     "otkrytoe aktsionernoe obshchestvo", "publichnoe aktsionernoe obshchestvo",
     "obshchestvo s ogranichennoi otvetstvennostiu", "obshchestvo s ogranichennoy otvetstvennostyu",
     "акционерное общество", "закрытое акционерное общество", "открытое акционерное общество",
     "публичное акционерное общество", "непубличное акционерное общество",
     "общество с ограниченной ответственностью", "общество с дополнительной ответственностью",
     "частное унитарное предприятие", "ао", "зао", "оао", "пао", "нао", "ооо", "одо", "чуп", "уп",
     "тов", "прат", "пат", "株式会社", "有限会社", "주식회사", "주"});

/// `seq` ends words[begin, end) and may be dropped: something stays (unless allow_empty) and the
/// word it would leave at the end is in its script.
bool ends_with_words(const std::vector<std::string_view>& words, std::size_t begin, std::size_t end,
                     const std::vector<std::string_view>& seq, bool allow_empty) {
  if (end - begin < seq.size() || (!allow_empty && end - begin == seq.size())) return false;
  const std::size_t at = end - seq.size();
  if (!std::equal(seq.begin(), seq.end(), words.begin() + static_cast<std::ptrdiff_t>(at)))
    return false;
  return at == begin || same_script(seq.front(), words[at - 1]);
}

/// `seq` starts words[begin, end) and may be dropped (as ends_with_words).
bool starts_with_words(const std::vector<std::string_view>& words, std::size_t begin,
                       std::size_t end, const std::vector<std::string_view>& seq,
                       bool allow_empty) {
  if (end - begin < seq.size() || (!allow_empty && end - begin == seq.size())) return false;
  if (!std::equal(seq.begin(), seq.end(), words.begin() + static_cast<std::ptrdiff_t>(begin)))
    return false;
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

std::string normalize_name(std::string_view name) { return name_words(name, LetterCase::Fold); }

namespace {

/// Drops legal-form words at both ends of `words`; with allow_empty=false the last word stays.
std::pair<std::size_t, std::size_t> strip_range(const std::vector<std::string_view>& words,
                                                bool allow_empty) {
  static const auto kSuffixWords = [] {
    std::vector<std::vector<std::string_view>> out;
    for (auto s : kLegalSuffixes) out.push_back(split_words(s));
    return out;
  }();
  static const auto kPrefixWords = [] {
    std::vector<std::vector<std::string_view>> out;
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

/// True when a normalised name is nothing but legal-form words ("inc", "co ltd"): the typical
/// result of a comma splitting "Acme, Inc." in a YAML flow list.
bool only_legal_form(std::string_view normalized) {
  const auto words = split_words(normalized);
  const auto [begin, end] = strip_range(words, true);
  return !words.empty() && begin >= end;
}

}  // namespace

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
      "iPhone Distribution: "};
  for (auto kind : kKinds) {
    if (!cn.starts_with(kind)) continue;
    std::string_view holder = cn.substr(kind.size());
    // Strip a trailing " (TEAMID)".
    if (holder.size() > 13 && holder.back() == ')') {
      const auto open = holder.rfind(" (");
      if (open != std::string_view::npos && holder.size() - open == 13)
        holder = holder.substr(0, open);
    }
    return holder;
  }
  return cn;
}

// ---------------------------------------------------------------------------------------------
// Lookups

const Vendor* VendorDb::find(std::string_view id) const noexcept {
  const auto it = by_id_.find(std::string{id});
  return it == by_id_.end() ? nullptr : &vendors_[it->second];
}

const Vendor* VendorDb::parent_of(const Vendor& v) const noexcept {
  const auto index = static_cast<std::size_t>(&v - vendors_.data());
  if (index >= vendors_.size() || parent_[index] < 0) return nullptr;
  return &vendors_[static_cast<std::size_t>(parent_[index])];
}

std::optional<std::string_view> VendorDb::country_of(const Vendor& v) const noexcept {
  const auto index = static_cast<std::size_t>(&v - vendors_.data());
  if (index >= vendors_.size() || !country_[index]) return std::nullopt;
  return std::string_view{*country_[index]};
}

std::vector<std::string_view> VendorDb::jurisdictions(const Vendor& v) const {
  std::vector<std::string_view> out;
  for (const Vendor* cur = &v; cur != nullptr; cur = parent_of(*cur)) {
    if (auto c = country_of(*cur); c && std::ranges::find(out, *c) == out.end()) out.push_back(*c);
  }
  return out;
}

VendorMatch VendorDb::make_match(const Ref& ref, MatchKind kind, SubjectPart part) const {
  const Vendor& v = vendors_[ref.vendor];
  const std::vector<std::string>* list = &v.legal_names;
  switch (ref.field) {
    case MatchField::LegalName: break;
    case MatchField::CompanyName: list = &v.company_names; break;
    case MatchField::SigningService: list = &v.signing_services; break;
    case MatchField::FileName: list = &v.file_names; break;
    case MatchField::Thumbprint: list = &v.thumbprints; break;
    case MatchField::TeamId: list = &v.team_ids; break;
    case MatchField::CopyrightHolder: list = &v.copyright_holders; break;
  }
  return VendorMatch{&v, ref.field, kind, (*list)[ref.index], part};
}

std::optional<VendorMatch> VendorDb::match_name(std::string_view name, bool company,
                                                SubjectPart part, MatchKind kind) const {
  const std::string normalized = normalize_name(name);
  if (normalized.empty()) return std::nullopt;
  const std::string key = kind == MatchKind::Exact ? normalized : strip_legal_forms(normalized);
  const auto& legal = kind == MatchKind::Exact ? legal_exact_ : legal_loose_;
  const auto& companies = kind == MatchKind::Exact ? company_exact_ : company_loose_;
  if (company) {
    if (auto it = companies.find(key); it != companies.end())
      return make_match(it->second, kind, part);
  }
  if (auto it = legal.find(key); it != legal.end()) return make_match(it->second, kind, part);
  return std::nullopt;
}

std::optional<VendorMatch> VendorDb::by_subject(std::string_view organization,
                                                std::string_view common_name) const {
  if (!common_name.empty()) {
    if (auto it = services_.find(normalize_name(common_name)); it != services_.end()) {
      return make_match(it->second, MatchKind::Exact, SubjectPart::CommonName);
    }
  }
  const std::string_view cn = apple_certificate_holder(common_name);
  for (MatchKind kind : {MatchKind::Exact, MatchKind::LegalFormVariant}) {
    if (auto m = match_name(organization, false, SubjectPart::Organization, kind)) return m;
    if (auto m = match_name(cn, false, SubjectPart::CommonName, kind)) return m;
  }
  if (auto m = match_look_alike(organization, false, SubjectPart::Organization)) return m;
  return match_look_alike(cn, false, SubjectPart::CommonName);
}

std::optional<VendorMatch> VendorDb::by_company_name(std::string_view company) const {
  for (MatchKind kind : {MatchKind::Exact, MatchKind::LegalFormVariant}) {
    if (auto m = match_name(company, true, SubjectPart::None, kind)) return m;
  }
  return match_look_alike(company, true, SubjectPart::None);
}

std::vector<VendorMatch> VendorDb::by_file_name(std::string_view file_name) const {
  std::string key;
  key.reserve(file_name.size());
  for (char c : file_name) key += ascii_lower(c);
  std::vector<VendorMatch> out;
  if (auto it = files_.find(key); it != files_.end()) {
    for (const Ref& ref : it->second) out.push_back(make_match(ref, MatchKind::Exact));
  }
  return out;
}

std::optional<VendorMatch> VendorDb::by_thumbprint(std::string_view hex) const {
  std::string key;
  key.reserve(hex.size());
  for (char c : hex) {
    if (c == ':' || c == ' ') continue;
    key += ascii_lower(c);
  }
  if (auto it = thumbprints_.find(key); it != thumbprints_.end())
    return make_match(it->second, MatchKind::Exact);
  return std::nullopt;
}

std::optional<VendorMatch> VendorDb::by_team_id(std::string_view team_id) const {
  if (auto it = team_ids_.find(std::string{team_id}); it != team_ids_.end()) {
    return make_match(it->second, MatchKind::Exact);
  }
  return std::nullopt;
}

const VendorDb::Holder* VendorDb::longest_holder(const std::vector<Holder>& holders,
                                                 const std::vector<std::string_view>& words) {
  const Holder* best = nullptr;
  for (const Holder& h : holders) {
    if (h.tokens.empty() || h.tokens.size() > words.size()) continue;
    if (best != nullptr && h.tokens.size() <= best->tokens.size()) continue;
    for (std::size_t i = 0; i + h.tokens.size() <= words.size(); ++i) {
      if (std::equal(h.tokens.begin(), h.tokens.end(),
                     words.begin() + static_cast<std::ptrdiff_t>(i))) {
        best = &h;
        break;
      }
    }
  }
  return best;
}

std::optional<VendorMatch> VendorDb::by_copyright(std::string_view legal_copyright) const {
  const std::string normalized = normalize_name(legal_copyright);
  if (const Holder* best = longest_holder(holders_, split_words(normalized)))
    return make_match(best->ref, MatchKind::Exact);
  return copyright_look_alike(legal_copyright);
}

// ---------------------------------------------------------------------------------------------
// Loading

namespace {

bool is_slug(std::string_view s) noexcept {
  if (s.empty() || s.size() > 64 || s.front() == '-' || s.back() == '-') return false;
  char prev = 0;
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    if (!ok || (c == '-' && prev == '-')) return false;
    prev = c;
  }
  return true;
}

bool is_source_key(std::string_view s) noexcept {
  if (s.empty() || s.size() > 32 || !(s.front() >= 'A' && s.front() <= 'Z')) return false;
  return std::ranges::all_of(
      s, [](char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'; });
}

bool is_lower_hex(std::string_view s) noexcept {
  return std::ranges::all_of(
      s, [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

bool has_outer_space(std::string_view s) noexcept {
  const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  return !s.empty() && (space(s.front()) || space(s.back()));
}

std::string list_categories() {
  std::string out;
  for (Category c : kCategories) out += (out.empty() ? "" : ", ") + std::string{to_string(c)};
  return out;
}

}  // namespace

/// Builds a VendorDb from parsed files, collecting every problem. A friend of VendorDb.
class VendorDbBuilder {
 public:
  void read_file(const config::Document& doc) {
    ObjectReader top(doc.root(), "vendor file", {"vendors", "sources"}, diag_);
    if (!top.valid()) return;
    for (const Value& s : top.list("sources")) read_source_definition(s);
    // A file may hold only the sources legend; otherwise it must list vendors.
    const Value* vendors =
        top.get("vendors", top.find("sources") ? Need::Optional : Need::Required);
    if (vendors != nullptr && !vendors->is_sequence()) {
      diag_.error(vendors->mark(), "vendor file: vendors: expected a list, found " +
                                       std::string{vendors->kind_name()});
      return;
    }
    if (vendors != nullptr) {
      for (const Value& v : vendors->items()) read_vendor(v);
    }
  }

  Result<VendorDb> finish() {
    check_ids();
    resolve_parents();
    check_sources();
    build_indexes();
    if (!diag_.empty()) return std::unexpected(diag_.to_error());
    return std::move(db_);
  }

  Diagnostics& diagnostics() { return diag_; }

 private:
  struct Located {
    std::string text;
    Mark mark;
  };
  struct Pending {
    Vendor vendor;
    Mark mark;
    Mark id_mark;
    std::optional<Mark> parent_mark;
    std::vector<Mark> legal_marks, company_marks, file_marks, thumb_marks, team_marks,
        service_marks, holder_marks;
    std::vector<Located> source_refs;
  };

  void read_source_definition(const Value& v) {
    ObjectReader r(v, "source", {"key", "title", "url"}, diag_);
    if (!r.valid()) return;
    auto key = r.string("key", Need::Required);
    auto title = r.string("title", Need::Required);
    auto url = r.string("url");
    if (title && title->empty())
      diag_.error(r.key_mark("title"), r.member("title") + ": must not be empty");
    if (url && !(url->starts_with("https://") || url->starts_with("http://"))) {
      diag_.error(r.key_mark("url"), r.member("url") + ": must be an http(s) URL");
    }
    if (!key) return;
    if (!is_source_key(*key)) {
      diag_.error(
          r.key_mark("key"),
          "source '" + *key + "': keys are upper-case letters, digits and '_' (e.g. LOL, MSBL)");
      return;
    }
    const auto [it, inserted] = source_keys_.emplace(*key, r.key_mark("key"));
    if (!inserted) {
      diag_.error(r.key_mark("key"),
                  "source '" + *key + "': defined twice (first at " + it->second.to_string() + ")");
    }
  }

  /// Reads a list of names, checking each with `check` (which returns "" or a problem).
  template <class Check>
  void read_list(ObjectReader& r, std::string_view key, std::vector<std::string>& out,
                 std::vector<Mark>& marks, Check check) {
    for (const Value& item : r.list(key)) {
      auto s = config::as_string(item, r.member(key), diag_);
      if (!s) continue;
      std::string problem;
      if (s->empty())
        problem = "empty entry";
      else if (has_outer_space(*s))
        problem = "'" + *s + "' has leading or trailing spaces";
      else
        problem = check(*s);
      if (!problem.empty()) {
        diag_.error(item.mark(), r.member(key) + ": " + problem);
        continue;
      }
      if (std::ranges::find(out, *s) != out.end()) {
        diag_.error(item.mark(), r.member(key) + ": '" + *s + "' is listed twice");
        continue;
      }
      out.push_back(std::move(*s));
      marks.push_back(item.mark());
    }
  }

  static std::string check_name(const std::string& s) {
    const std::string n = normalize_name(s);
    if (n.empty()) return "'" + s + "' has no letters or digits";
    if (only_legal_form(n)) {
      return "'" + s +
             "' is only a legal form; in a flow list [a, b] a comma splits names, so quote "
             "names that contain one (\"Acme, Inc.\")";
    }
    return {};
  }

  void read_vendor(const Value& value) {
    // Name the vendor in every message, including the key checks done by the constructor.
    std::string what = "vendor";
    for (const config::Entry& e : value.entries()) {
      if (e.key.text() == "id" && e.value.is_scalar()) what = "vendor '" + e.value.text() + "'";
    }
    ObjectReader r(value, what,
                   {"id", "name", "legal_names", "company_names", "file_names", "thumbprints",
                    "team_ids", "signing_services", "copyright_holders", "country", "parent",
                    "category", "notes", "sources"},
                   diag_);
    if (!r.valid()) return;
    Pending p;
    Vendor& v = p.vendor;
    p.mark = r.mark();
    v.origin = r.mark().to_string();
    if (auto id = r.string("id", Need::Required)) {
      p.id_mark = r.find("id")->mark();
      if (!is_slug(*id)) {
        diag_.error(
            p.id_mark,
            "vendor '" + *id +
                "': id must be lower-case letters, digits and single '-' (e.g. 'trend-micro')");
      }
      v.id = std::move(*id);
      r.set_what("vendor '" + v.id + "'");
    }
    if (auto name = r.string("name", Need::Required)) {
      if (name->empty() || has_outer_space(*name)) {
        diag_.error(r.find("name")->mark(),
                    r.member("name") + ": must be non-empty without outer spaces");
      }
      v.name = std::move(*name);
    }

    read_list(r, "legal_names", v.legal_names, p.legal_marks, check_name);
    read_list(r, "company_names", v.company_names, p.company_marks, check_name);
    read_list(r, "signing_services", v.signing_services, p.service_marks, check_name);
    read_list(r, "copyright_holders", v.copyright_holders, p.holder_marks, check_name);
    read_list(r, "file_names", v.file_names, p.file_marks, [](const std::string& s) -> std::string {
      if (s.find_first_of("/\\") != std::string::npos)
        return "'" + s + "' must be a file name, not a path";
      if (std::ranges::any_of(s, [](char c) { return c >= 'A' && c <= 'Z'; })) {
        std::string lower = s;
        for (char& c : lower) c = ascii_lower(c);
        return "'" + s + "' must be lower-case ('" + lower + "'); lookups ignore case";
      }
      return {};
    });
    read_list(r, "thumbprints", v.thumbprints, p.thumb_marks,
              [](const std::string& s) -> std::string {
                if ((s.size() != 40 && s.size() != 64) || !is_lower_hex(s)) {
                  return "'" + s +
                         "' must be a SHA-1 (40) or SHA-256 (64) digest in lower-case hex without "
                         "separators";
                }
                return {};
              });
    read_list(r, "team_ids", v.team_ids, p.team_marks, [](const std::string& s) -> std::string {
      const bool ok = s.size() == 10 && std::ranges::all_of(s, [](char c) {
                        return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
                      });
      return ok ? std::string{}
                : "'" + s + "' is not an Apple Team ID (10 upper-case letters or digits)";
    });

    const Value* country = r.find("country");
    if (country != nullptr) {
      v.country_given = true;
      if (!country->is_null()) {
        if (auto code = config::as_string(*country, r.member("country"), diag_)) {
          if (config::is_country_code(*code)) {
            v.country = std::move(*code);
          } else {
            std::string hint;
            std::string upper = *code;
            for (char& c : upper) c = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
            if (upper != *code && config::is_country_code(upper))
              hint = " (codes are upper-case: '" + upper + "')";
            else if (auto right = config::common_mistake(upper); !right.empty()) {
              hint = " (did you mean '" + std::string{right} + "'?)";
            }
            diag_.error(country->mark(), r.member("country") + ": '" + *code +
                                             "' is not an ISO 3166-1 alpha-2 country code" + hint);
          }
        }
      }
    }
    if (const Value* parent = r.find("parent"); parent != nullptr && !parent->is_null()) {
      if (auto id = config::as_string(*parent, r.member("parent"), diag_)) {
        v.parent = std::move(*id);
        p.parent_mark = parent->mark();
      }
    }
    if (country == nullptr && r.find("parent") == nullptr) {
      diag_.error(r.mark(), r.what() +
                                ": needs 'country' (ISO 3166-1 alpha-2, or null for no single "
                                "jurisdiction) or a 'parent' to inherit it from");
    }
    if (auto category = r.string("category", Need::Required)) {
      if (auto c = category_from_string(*category)) {
        v.category = *c;
      } else {
        diag_.error(r.find("category")->mark(), r.member("category") + ": unknown category '" +
                                                    *category + "' (one of: " + list_categories() +
                                                    ")");
      }
    }
    if (auto notes = r.string("notes")) v.notes = std::move(*notes);

    const auto sources = r.list("sources", Need::Required);
    if (r.find("sources") != nullptr && r.find("sources")->is_sequence() && sources.empty()) {
      diag_.error(r.key_mark("sources"),
                  r.member("sources") + ": every vendor needs at least one source");
    }
    for (const Value& s : sources) {
      ObjectReader sr(s, r.member("sources"), {"fact", "source"}, diag_);
      if (!sr.valid()) continue;
      auto fact = sr.string("fact", Need::Required);
      auto source = sr.string("source", Need::Required);
      if (fact && fact->empty())
        diag_.error(sr.key_mark("fact"), sr.member("fact") + ": must not be empty");
      if (!fact || !source) continue;
      p.source_refs.push_back(Located{*source, sr.find("source")->mark()});
      v.sources.push_back(SourceRef{std::move(*fact), std::move(*source)});
    }
    pending_.push_back(std::move(p));
  }

  void check_ids() {
    std::unordered_map<std::string, std::size_t> seen;
    for (std::size_t i = 0; i < pending_.size(); ++i) {
      const std::string& id = pending_[i].vendor.id;
      if (id.empty()) continue;
      const auto [it, inserted] = seen.emplace(id, i);
      if (!inserted) {
        diag_.error(pending_[i].id_mark, "vendor '" + id + "': duplicate id (first defined at " +
                                             pending_[it->second].mark.to_string() + ")");
      }
    }
  }

  void resolve_parents() {
    std::unordered_map<std::string, std::size_t> index;
    for (std::size_t i = 0; i < pending_.size(); ++i) index.emplace(pending_[i].vendor.id, i);
    std::vector<std::int32_t> parent(pending_.size(), -1);
    for (std::size_t i = 0; i < pending_.size(); ++i) {
      const Vendor& v = pending_[i].vendor;
      if (!v.parent) continue;
      const auto it = index.find(*v.parent);
      if (it == index.end()) {
        diag_.error(*pending_[i].parent_mark,
                    "vendor '" + v.id + "': parent '" + *v.parent + "' is not a vendor id");
      } else if (it->second == i) {
        diag_.error(*pending_[i].parent_mark,
                    "vendor '" + v.id + "': a vendor cannot be its own parent");
      } else {
        parent[i] = static_cast<std::int32_t>(it->second);
      }
    }
    // Cycles: walk up from each vendor; more steps than vendors means a loop.
    std::vector<bool> reported(pending_.size(), false);
    for (std::size_t i = 0; i < pending_.size(); ++i) {
      std::int32_t cur = parent[i];
      std::size_t steps = 0;
      while (cur >= 0 && steps <= pending_.size()) {
        if (static_cast<std::size_t>(cur) == i) break;
        cur = parent[static_cast<std::size_t>(cur)];
        ++steps;
      }
      if (cur >= 0 && static_cast<std::size_t>(cur) == i && !reported[i]) {
        std::string chain = pending_[i].vendor.id;
        for (auto k = parent[i]; k >= 0 && static_cast<std::size_t>(k) != i;
             k = parent[static_cast<std::size_t>(k)]) {
          chain += " -> " + pending_[static_cast<std::size_t>(k)].vendor.id;
          reported[static_cast<std::size_t>(k)] = true;
        }
        chain += " -> " + pending_[i].vendor.id;
        diag_.error(*pending_[i].parent_mark,
                    "vendor '" + pending_[i].vendor.id + "': parent cycle " + chain);
        reported[i] = true;
      }
    }
    parent_ = std::move(parent);
    index_ = std::move(index);
  }

  void check_sources() {
    for (const Pending& p : pending_) {
      for (const Located& ref : p.source_refs) {
        if (ref.text.starts_with("https://") || ref.text.starts_with("http://")) continue;
        const std::string key = ref.text.substr(0, ref.text.find(':'));
        if (!source_keys_.contains(key)) {
          diag_.error(ref.mark, "vendor '" + p.vendor.id + "': source '" + ref.text +
                                    "' is neither an http(s) URL nor a key of the sources legend");
        }
      }
    }
  }

  using Owner = std::pair<std::size_t, Mark>;  // pending index, where the name is written

  /// Records `key` for vendor `i`; reports a name that another vendor already has.
  void claim(std::unordered_map<std::string, Owner>& owners, const std::string& key, std::size_t i,
             const Mark& mark, std::string_view what, std::string_view text,
             std::string_view key_kind = "normalised") {
    if (key.empty()) return;
    const auto [it, inserted] = owners.emplace(key, Owner{i, mark});
    if (!inserted && it->second.first != i) {
      diag_.error(mark, "vendor '" + pending_[i].vendor.id + "': " + std::string{what} + " '" +
                            std::string{text} + "' (" + std::string{key_kind} + " '" + key +
                            "') is also a name of vendor '" + pending_[it->second.first].vendor.id +
                            "' (" + it->second.second.to_string() +
                            "); names must identify one vendor");
    }
  }

  void build_indexes() {
    // Sort vendors by id; remember where each pending entry went.
    std::vector<std::size_t> order(pending_.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::ranges::sort(order, {},
                      [&](std::size_t i) -> const std::string& { return pending_[i].vendor.id; });
    std::vector<std::uint32_t> position(pending_.size());
    for (std::size_t k = 0; k < order.size(); ++k)
      position[order[k]] = static_cast<std::uint32_t>(k);

    std::unordered_map<std::string, Owner> exact_owner, loose_owner, look_alike_owner,
        service_owner, thumb_owner, team_owner;
    for (std::size_t i = 0; i < pending_.size(); ++i) {
      const Pending& p = pending_[i];
      const Vendor& v = p.vendor;
      const std::uint32_t at = position[i];
      const auto add_names = [&](const std::vector<std::string>& names,
                                 const std::vector<Mark>& marks, MatchField field,
                                 std::string_view what) {
        auto& exact = field == MatchField::LegalName ? db_.legal_exact_ : db_.company_exact_;
        auto& loose = field == MatchField::LegalName ? db_.legal_loose_ : db_.company_loose_;
        for (std::size_t k = 0; k < names.size(); ++k) {
          const std::string n = normalize_name(names[k]);
          const std::string l = strip_legal_forms(n);
          claim(exact_owner, n, i, marks[k], what, names[k]);
          if (l != n) claim(loose_owner, l, i, marks[k], what, names[k]);
          const VendorDb::Ref ref{at, field, static_cast<std::uint32_t>(k)};
          exact.emplace(n, ref);
          loose.emplace(l, ref);
          auto& look_alike =
              field == MatchField::LegalName ? db_.legal_look_alike_ : db_.company_look_alike_;
          for (std::string& key : VendorDb::look_alike_keys(names[k])) {
            claim(look_alike_owner, key, i, marks[k], what, names[k], "look-alike key");
            look_alike.emplace(std::move(key), ref);
          }
        }
      };
      add_names(v.legal_names, p.legal_marks, MatchField::LegalName, "legal name");
      add_names(v.company_names, p.company_marks, MatchField::CompanyName, "company name");
      for (std::size_t k = 0; k < v.signing_services.size(); ++k) {
        const std::string n = normalize_name(v.signing_services[k]);
        claim(service_owner, n, i, p.service_marks[k], "signing service", v.signing_services[k]);
        db_.services_.emplace(
            n, VendorDb::Ref{at, MatchField::SigningService, static_cast<std::uint32_t>(k)});
      }
      for (std::size_t k = 0; k < v.thumbprints.size(); ++k) {
        claim(thumb_owner, v.thumbprints[k], i, p.thumb_marks[k], "thumbprint", v.thumbprints[k]);
        db_.thumbprints_.emplace(v.thumbprints[k], VendorDb::Ref{at, MatchField::Thumbprint,
                                                                 static_cast<std::uint32_t>(k)});
      }
      for (std::size_t k = 0; k < v.team_ids.size(); ++k) {
        claim(team_owner, v.team_ids[k], i, p.team_marks[k], "team id", v.team_ids[k]);
        db_.team_ids_.emplace(v.team_ids[k],
                              VendorDb::Ref{at, MatchField::TeamId, static_cast<std::uint32_t>(k)});
      }
      for (std::size_t k = 0; k < v.file_names.size(); ++k) {
        db_.files_[v.file_names[k]].push_back(
            VendorDb::Ref{at, MatchField::FileName, static_cast<std::uint32_t>(k)});
      }
      for (std::size_t k = 0; k < v.copyright_holders.size(); ++k) {
        VendorDb::Holder h;
        const std::string normalized =
            normalize_name(v.copyright_holders[k]);  // outlives the views
        for (auto w : split_words(normalized)) h.tokens.emplace_back(w);
        h.ref = VendorDb::Ref{at, MatchField::CopyrightHolder, static_cast<std::uint32_t>(k)};
        for (auto& words : VendorDb::look_alike_holder_words(v.copyright_holders[k]))
          db_.holders_look_alike_.push_back(VendorDb::Holder{std::move(words), h.ref});
        db_.holders_.push_back(std::move(h));
      }
    }
    // A name that is exact for one vendor and a legal-form variant for another is ambiguous too.
    std::vector<std::pair<std::string, Owner>> loose_sorted(loose_owner.begin(), loose_owner.end());
    std::ranges::sort(loose_sorted, {},
                      [](const auto& kv) { return kv.second.first; });  // file order
    for (const auto& [key, owner] : loose_sorted) {
      if (auto it = exact_owner.find(key);
          it != exact_owner.end() && it->second.first != owner.first) {
        diag_.error(owner.second,
                    "vendor '" + pending_[owner.first].vendor.id + "': a name reduces to '" + key +
                        "', which is a name of vendor '" + pending_[it->second.first].vendor.id +
                        "' (" + it->second.second.to_string() +
                        "); names must identify one vendor");
      }
    }
    for (auto& [name, refs] : db_.files_) {
      std::ranges::sort(refs, {}, &VendorDb::Ref::vendor);
    }
    // Holders in vendor order, so that ties are resolved the same way every run.
    for (auto* holders : {&db_.holders_, &db_.holders_look_alike_})
      std::ranges::stable_sort(*holders, {}, [](const VendorDb::Holder& h) { return h.ref.vendor; });

    db_.vendors_.reserve(pending_.size());
    db_.parent_.assign(pending_.size(), -1);
    db_.country_.assign(pending_.size(), std::nullopt);
    for (std::size_t k = 0; k < order.size(); ++k) {
      const std::size_t i = order[k];
      db_.by_id_.emplace(pending_[i].vendor.id, static_cast<std::uint32_t>(k));
      if (parent_[i] >= 0)
        db_.parent_[k] = static_cast<std::int32_t>(position[static_cast<std::size_t>(parent_[i])]);
    }
    for (std::size_t k = 0; k < order.size(); ++k)
      db_.vendors_.push_back(std::move(pending_[order[k]].vendor));
    // Resolve countries: own if the entry has a `country` key, else the parent's (cycles were
    // reported above; the step bound keeps this finite anyway).
    for (std::size_t k = 0; k < db_.vendors_.size(); ++k) {
      std::int64_t cur = static_cast<std::int64_t>(k);
      for (std::size_t steps = 0; cur >= 0 && steps <= db_.vendors_.size(); ++steps) {
        const Vendor& v = db_.vendors_[static_cast<std::size_t>(cur)];
        if (v.country_given) {
          db_.country_[k] = v.country;
          break;
        }
        cur = db_.parent_[static_cast<std::size_t>(cur)];
      }
    }
  }

  Diagnostics diag_;
  std::vector<Pending> pending_;
  std::unordered_map<std::string, Mark> source_keys_;
  std::unordered_map<std::string, std::size_t> index_;
  std::vector<std::int32_t> parent_;
  VendorDb db_;
};

Result<VendorDb> VendorDb::load(std::span<const std::filesystem::path> paths) {
  static constexpr std::array<std::string_view, 3> kExtensions = {".yaml", ".yml", ".json"};
  auto files = config::expand_paths(paths, kExtensions);
  if (!files) return std::unexpected(files.error());
  VendorDbBuilder builder;
  for (const auto& file : *files) {
    auto doc = config::parse_file(file);
    if (!doc) {
      builder.diagnostics().add(doc.error().message);
      continue;
    }
    builder.read_file(*doc);
  }
  return builder.finish();
}

Result<VendorDb> VendorDb::parse(std::string_view text, std::string name) {
  auto doc = config::parse_text(text, std::move(name));
  if (!doc) return std::unexpected(doc.error());
  VendorDbBuilder builder;
  builder.read_file(*doc);
  return builder.finish();
}

}  // namespace trustscan::attribute
