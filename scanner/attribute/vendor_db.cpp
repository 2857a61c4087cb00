// The vendor list's lookups; loading is in vendor_loader.cpp, the name normalisation in
// name_normalise.cpp, the look-alike lookups in look_alike.cpp.
#include "attribute/vendor_db.hpp"

#include <algorithm>
#include <array>
#include <cstddef>

namespace trustscan::attribute {

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

std::span<const Category> all_categories() noexcept { return kCategories; }

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

}  // namespace trustscan::attribute
