#include "report/lists.hpp"

#include <algorithm>
#include <ostream>
#include <string_view>

#include <nlohmann/json.hpp>

#include "report/json_model.hpp"
#include "report/text.hpp"

namespace trustscan::report {
namespace {

using nlohmann::ordered_json;

/// `s` padded to `width` terminal columns (display_width: UTF-8 names line up), then a space.
std::string pad(std::string s, std::size_t width) {
  if (const std::size_t w = display_width(s); w < width) s.append(width - w, ' ');
  return s + ' ';
}

std::vector<std::string> jurisdictions(const attribute::VendorDb& db, const attribute::Vendor& v) {
  const auto chain = db.jurisdictions(v);
  std::vector<std::string> out(chain.begin(), chain.end());
  return out;
}

std::string scope_text(const policy::Scope& s) {
  std::vector<std::string> p;
  if (s.kernel) p.emplace_back("kernel");
  if (s.boot) p.emplace_back("boot");
  if (s.user) p.emplace_back("user");
  if (s.unknown) p.emplace_back("unknown");
  return joined(p);
}

std::vector<std::string> categories(const policy::Rule& r) {
  std::vector<std::string> out;
  out.reserve(r.categories.size());
  for (attribute::Category c : r.categories) out.emplace_back(attribute::to_string(c));
  return out;
}

std::string rule_text(const policy::Rule& r) {
  std::string text = r.kind == policy::Rule::Kind::Country ? "vendors of " + r.key : "vendor " + r.key;
  if (r.match_parents) text += r.kind == policy::Rule::Kind::Country ? " (or owned from it)" : " (or owned by it)";
  if (!r.categories.empty()) text += ", only " + joined(categories(r), "/");
  return text;
}

std::string known_bad_text(const policy::KnownBadSettings& k) {
  if (!k.enabled) return "not findings (matches reported only)";
  return std::string("malicious ") + std::string(policy::to_string(k.malicious)) + ", vulnerable " +
         std::string(policy::to_string(k.vulnerable)) + ", block rules " +
         std::string(policy::to_string(k.vulnerable_or_malicious)) +
         (k.raise_boot_start ? ", boot-start raised one step" : "");
}

ordered_json policy_json(const PolicyPreset& p) {
  ordered_json j{{"name", p.name}, {"file", utf8_escaped(p.file.string())}};
  if (!p.policy) {
    j["error"] = utf8_escaped(p.error);
    return j;
  }
  const policy::Policy& pol = *p.policy;
  ordered_json rules = ordered_json::array();
  for (const policy::Rule& r : pol.rules())
    rules.push_back({{"id", r.id},
                     {"kind", r.kind == policy::Rule::Kind::Country ? "country" : "vendor"},
                     {"key", r.key},
                     {"categories", categories(r)},
                     {"match_parents", r.match_parents},
                     {"reason", utf8_escaped(r.reason)},
                     {"source", utf8_escaped(r.source)}});
  const policy::Scope& s = pol.scope();
  const policy::KnownBadSettings& k = pol.known_bad();
  j["policy_name"] = utf8_escaped(pol.name());
  j["description"] = utf8_escaped(pol.description());
  j["privileges"] = {{"kernel", s.kernel}, {"boot", s.boot}, {"user", s.user}, {"unknown", s.unknown}};
  j["min_confidence"] = std::string(to_string(pol.min_confidence()));
  j["rules"] = std::move(rules);
  j["known_bad"] = {{"enabled", k.enabled},
                    {"malicious", std::string(policy::to_string(k.malicious))},
                    {"vulnerable", std::string(policy::to_string(k.vulnerable))},
                    {"vulnerable_or_malicious", std::string(policy::to_string(k.vulnerable_or_malicious))},
                    {"raise_boot_start", k.raise_boot_start}};
  j["suppressions"] = pol.suppressions().size();
  return j;
}

void write_policy_text(const PolicyPreset& p, std::ostream& out) {
  out << p.name << "  (" << terminal_safe(p.file.string()) << ")\n";
  if (!p.policy) {
    out << "  does not load: " << terminal_safe(p.error) << "\n\n";
    return;
  }
  const policy::Policy& pol = *p.policy;
  if (!pol.description().empty()) out << "  " << terminal_safe(pol.description()) << '\n';
  out << "  scope: " << scope_text(pol.scope()) << "; minimum confidence: " << to_string(pol.min_confidence()) << '\n';
  if (pol.rules().empty()) out << "  flags: no vendor or country\n";
  for (const policy::Rule& r : pol.rules()) {
    out << "  flags " << rule_text(r) << " [" << r.id << "]\n";
    out << "    why: " << terminal_safe(r.reason) << "\n    source: " << terminal_safe(r.source) << '\n';
  }
  out << "  known-bad drivers: " << known_bad_text(pol.known_bad()) << '\n';
  if (!pol.suppressions().empty()) out << "  suppressions: " << pol.suppressions().size() << '\n';
  out << '\n';
}

}  // namespace

void write_vendor_list(const attribute::VendorDb& db, std::span<const attribute::Vendor* const> list, bool json,
                       std::ostream& out) {
  if (json) {
    ordered_json arr = ordered_json::array();
    for (const attribute::Vendor* v : list) {
      auto country = db.country_of(*v);
      arr.push_back({{"id", v->id},
                     {"name", utf8_escaped(v->name)},
                     {"country", country ? ordered_json(std::string(*country)) : ordered_json(nullptr)},
                     {"jurisdictions", jurisdictions(db, *v)},
                     {"category", std::string(attribute::to_string(v->category))},
                     {"parent", v->parent ? ordered_json(*v->parent) : ordered_json(nullptr)},
                     {"origin", utf8_escaped(v->origin)}});
    }
    out << dump_json(arr, 2) << '\n';
    return;
  }
  std::size_t id_w = 2, name_w = 4;
  for (const attribute::Vendor* v : list) {
    id_w = std::max(id_w, display_width(v->id));
    name_w = std::max(name_w, display_width(terminal_safe(v->name)));
  }
  out << pad("ID", id_w) << pad("NAME", name_w) << pad("CC", 2) << pad("CATEGORY", 12) << "OWNED FROM\n";
  for (const attribute::Vendor* v : list) {
    auto country = db.country_of(*v);
    std::vector<std::string> chain = jurisdictions(db, *v);
    if (!chain.empty() && country && chain.front() == *country) chain.erase(chain.begin());
    out << pad(v->id, id_w) << pad(terminal_safe(v->name), name_w) << pad(country ? std::string(*country) : "-", 2)
        << pad(std::string(attribute::to_string(v->category)), 12) << (chain.empty() ? "-" : joined(chain)) << '\n';
  }
  out << list.size() << " vendors\n";
}

void write_policy_list(std::span<const PolicyPreset> presets, bool json, std::ostream& out) {
  if (json) {
    ordered_json arr = ordered_json::array();
    for (const PolicyPreset& p : presets) arr.push_back(policy_json(p));
    out << dump_json(arr, 2) << '\n';
    return;
  }
  for (const PolicyPreset& p : presets) write_policy_text(p, out);
  out << presets.size() << " presets (trustscan scan --policy NAME)\n";
}

}  // namespace trustscan::report
