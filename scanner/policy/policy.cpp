#include "policy/policy.hpp"

#include <algorithm>
#include <map>
#include <utility>

#include "config/country.hpp"
#include "config/document.hpp"
#include "config/reader.hpp"

namespace trustscan::policy {

using config::Diagnostics;
using config::Mark;
using config::Need;
using config::ObjectReader;
using config::Value;

std::vector<std::string_view> Scope::names() const {
  if (*this == all()) return {"all"};
  std::vector<std::string_view> out;
  if (kernel) out.emplace_back("kernel");
  if (boot) out.emplace_back("boot");
  if (user) out.emplace_back("user");
  if (unknown) out.emplace_back("unknown");
  return out;
}

std::string_view to_string(SuppressionStatus::State s) noexcept {
  switch (s) {
    case SuppressionStatus::State::Used: return "used";
    case SuppressionStatus::State::Expired: return "expired";
    case SuppressionStatus::State::Unused: break;
  }
  return "unused";
}

std::chrono::year_month_day system_today() noexcept {
  return std::chrono::year_month_day{
      std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now())};
}

// ---------------------------------------------------------------------------------------------
// Policy: construction, counters, report

Policy::Policy() : today_(system_today()) {}
Policy::Policy(Policy&&) noexcept = default;
Policy& Policy::operator=(Policy&&) noexcept = default;
Policy::~Policy() = default;

Policy::Policy(const Policy&) = default;

Policy Policy::for_scan(std::chrono::year_month_day today) const {
  Policy p(*this);
  p.today_ = today;
  p.reset_counters();
  return p;
}

void Policy::reset_counters() {
  const std::size_t n = 2 * suppressions_.size();
  counters_.slots = n == 0 ? nullptr : std::make_unique<std::atomic<std::uint64_t>[]>(n);
  for (std::size_t i = 0; i < n; ++i) counters_.slots[i].store(0, std::memory_order_relaxed);
}

// Relaxed ordering is enough: the counters are independent tallies, and the report is read
// after the workers are joined (join synchronises).
void Policy::record_use(std::size_t index) const noexcept {
  if (index < suppressions_.size()) counters_.slots[2 * index].fetch_add(1, std::memory_order_relaxed);
}

void Policy::record_match_after_expiry(std::size_t index) const noexcept {
  if (index < suppressions_.size()) counters_.slots[2 * index + 1].fetch_add(1, std::memory_order_relaxed);
}

std::uint64_t Policy::uses(std::size_t index) const noexcept {
  return index < suppressions_.size() ? counters_.slots[2 * index].load(std::memory_order_relaxed) : 0;
}

std::uint64_t Policy::matches_after_expiry(std::size_t index) const noexcept {
  return index < suppressions_.size() ? counters_.slots[2 * index + 1].load(std::memory_order_relaxed) : 0;
}

std::vector<SuppressionStatus> Policy::suppression_report(std::chrono::year_month_day today) const {
  std::vector<SuppressionStatus> out;
  out.reserve(suppressions_.size());
  for (std::size_t i = 0; i < suppressions_.size(); ++i) {
    const Suppression& s = suppressions_[i];
    SuppressionStatus st{s.id, s.reason, s.expires, s.origin};
    st.uses = uses(i);
    st.matches_after_expiry = matches_after_expiry(i);
    // An expired suppression is reported as expired even if it was used earlier in a scan that
    // ran across midnight of its expiry day: it needs attention either way.
    if (s.expired(today))
      st.state = SuppressionStatus::State::Expired;
    else
      st.state = st.uses > 0 ? SuppressionStatus::State::Used : SuppressionStatus::State::Unused;
    out.push_back(std::move(st));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Glob

bool glob_match(std::string_view pattern, std::string_view text) {
  // Dynamic programming over the pattern: `can[j]` = the pattern consumed so far matches
  // text[0, j). No backtracking, so no pathological patterns.
  std::vector<char> can(text.size() + 1, 0);
  std::vector<char> next(text.size() + 1, 0);
  can[0] = 1;
  std::size_t i = 0;
  while (i < pattern.size()) {
    std::fill(next.begin(), next.end(), 0);
    if (pattern[i] == '*') {
      const bool any = i + 1 < pattern.size() && pattern[i + 1] == '*';
      i += any ? 2 : 1;
      // A star extends every reachable position forward until (for '*') a '/'.
      bool run = false;
      for (std::size_t j = 0; j <= text.size(); ++j) {
        if (can[j]) run = true;
        if (run) next[j] = 1;
        if (j < text.size() && !any && text[j] == '/') run = false;
      }
    } else {
      const char p = pattern[i++];
      for (std::size_t j = 0; j < text.size(); ++j) {
        if (!can[j]) continue;
        if (p == '?' ? text[j] != '/' : text[j] == p) next[j + 1] = 1;
      }
    }
    std::swap(can, next);
  }
  return can[text.size()] != 0;
}

// ---------------------------------------------------------------------------------------------
// Loading

namespace {

constexpr std::string_view kPolicy = "policy";

char ascii_upper(char c) noexcept {
  return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
}
char ascii_lower(char c) noexcept {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

std::string upper(std::string_view s) {
  std::string out{s};
  for (char& c : out) c = ascii_upper(c);
  return out;
}
std::string lower(std::string_view s) {
  std::string out{s};
  for (char& c : out) c = ascii_lower(c);
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

/// Why `code` is not a country code, with a hint; empty when it is one.
std::string country_problem(std::string_view code) {
  if (config::is_country_code(code)) return {};
  std::string hint;
  const std::string up = upper(code);
  if (up != code && config::is_country_code(up))
    hint = " (codes are upper-case: '" + up + "')";
  else if (auto right = config::common_mistake(up); !right.empty())
    hint = " (did you mean '" + std::string{right} + "'?)";
  return "'" + std::string{code} + "' is not an ISO 3166-1 alpha-2 country code" + hint;
}

/// Why `id` is not a vendor of the list, with a hint; empty when it is one.
std::string vendor_problem(std::string_view id, const attribute::VendorDb& vendors) {
  if (vendors.find(id) != nullptr) return {};
  std::string hint;
  const std::string low = lower(id);
  if (low != id && vendors.find(low) != nullptr) {
    hint = " (ids are lower-case: '" + low + "')";
  } else {
    std::size_t best = 3;
    for (const attribute::Vendor& v : vendors.vendors()) {
      const std::size_t d = config::edit_distance(low, v.id, 2);
      if (d < best) {
        best = d;
        hint = " (did you mean '" + v.id + "'?)";
      }
    }
    // A display name given instead of an id ("Kaspersky", "Trend Micro").
    if (hint.empty()) {
      const std::string norm = attribute::normalize_name(id);
      for (const attribute::Vendor& v : vendors.vendors()) {
        if (attribute::normalize_name(v.name) == norm) {
          hint = " (the id of '" + v.name + "' is '" + v.id + "')";
          break;
        }
      }
    }
  }
  return "vendor '" + std::string{id} + "' is not in the vendor list" + hint;
}

/// "country 'RU'" when the mapping has a scalar `key`, else `kind`: the name used in messages,
/// known before the ObjectReader reports unknown keys.
std::string entry_name(const Value& item, std::string_view kind, std::string_view key) {
  if (item.is_mapping()) {
    for (const config::Entry& e : item.entries()) {
      if (e.key.is_scalar() && e.key.text() == key && e.value.is_scalar() && !e.value.text().empty())
        return std::string{kind} + " '" + e.value.text() + "'";
    }
  }
  return std::string{kind};
}

bool is_hex(std::string_view s) {
  return std::ranges::all_of(s, [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  });
}

class Loader {
 public:
  Loader(const attribute::VendorDb& vendors, Diagnostics& diag)
      : vendors_(vendors), diag_(diag) {}

  void read(const Value& root, const std::string& file, std::string& name, std::string& description,
            std::vector<Rule>& rules, std::vector<Suppression>& suppressions, Scope& scope, Confidence& min_confidence,
            KnownBadSettings& known_bad) {
    if (root.is_null()) {
      Mark where = root.mark();
      if (!where.file) where.file = std::make_shared<const std::string>(file);
      diag_.error(where, "policy: the file is empty (expected a mapping with 'name' and "
                               "'countries' and/or 'vendors')");
      return;
    }
    ObjectReader r(root, std::string{kPolicy},
                   {"name", "description", "privileges", "min_confidence", "match_parents", "countries", "vendors",
                    "suppressions", "known_bad"},
                   diag_);
    if (!r.valid()) return;
    if (auto n = required_text(r, "name")) name = std::move(*n);
    if (auto d = r.string("description")) description = std::move(*d);
    if (const Value* v = r.find("privileges")) scope = read_scope(*v, r.member("privileges"));
    if (const Value* v = r.find("min_confidence")) {
      if (auto s = config::as_string(*v, r.member("min_confidence"), diag_)) {
        if (auto c = confidence_from_string(*s))
          min_confidence = *c;
        else
          diag_.error(v->mark(), r.member("min_confidence") + ": expected low, medium or high, "
                                                              "found '" + *s + "'");
      }
    }
    default_match_parents_ = r.boolean("match_parents").value_or(true);
    if (const Value* v = r.find("known_bad")) known_bad = read_known_bad(*v, r.member("known_bad"), diag_);

    std::map<std::string, int, std::less<>> seen;  // rule id -> line
    for (const Value& item : r.list("countries")) {
      if (auto rule = read_rule(item, Rule::Kind::Country)) add_rule(std::move(*rule), item, seen, rules);
    }
    for (const Value& item : r.list("vendors")) {
      if (auto rule = read_rule(item, Rule::Kind::Vendor)) add_rule(std::move(*rule), item, seen, rules);
    }
    std::map<std::string, int, std::less<>> ids;
    for (const Value& item : r.list("suppressions")) {
      if (auto s = read_suppression(item)) {
        if (auto it = ids.find(s->id); it != ids.end()) {
          diag_.error(item.mark(), "suppression '" + s->id + "': id is used twice (first at line " +
                                       std::to_string(it->second) + ")");
          continue;
        }
        ids.emplace(s->id, item.mark().line);
        suppressions.push_back(std::move(*s));
      }
    }
  }

 private:
  /// A required string that must not be empty or blank.
  std::optional<std::string> required_text(ObjectReader& r, std::string_view key) {
    auto s = r.string(key, Need::Required);
    if (s && trim(*s).empty()) {
      diag_.error(r.find(key)->mark(), r.member(key) + ": must not be empty");
      return std::nullopt;
    }
    return s;
  }

  /// The string items of a list, each with its value (for marks); reports wrong types.
  std::vector<std::pair<std::string, const Value*>> string_items(const Value& v,
                                                                 const std::string& what) {
    std::vector<std::pair<std::string, const Value*>> out;
    if (!v.is_sequence()) {
      diag_.error(v.mark(), what + ": expected a list, found " + std::string{v.kind_name()});
      return out;
    }
    for (const Value& item : v.items()) {
      if (auto s = config::as_string(item, what, diag_)) out.emplace_back(std::move(*s), &item);
    }
    return out;
  }

  Scope read_scope(const Value& v, const std::string& what) {
    Scope s{false, false, false, false};
    const auto items = string_items(v, what);
    if (v.is_sequence() && v.items().empty()) {
      diag_.error(v.mark(), what + ": must name at least one of kernel, boot, user, unknown, all");
      return Scope::kernel_and_boot();
    }
    for (const auto& [name, item] : items) {
      if (name == "kernel")
        s.kernel = true;
      else if (name == "boot")
        s.boot = true;
      else if (name == "user")
        s.user = true;
      else if (name == "unknown")
        s.unknown = true;
      else if (name == "all")
        s = Scope::all();
      else
        diag_.error(item->mark(), what + ": unknown privilege '" + name +
                                      "' (allowed: kernel, boot, user, unknown, all)");
    }
    return s;
  }

  std::vector<attribute::Category> read_categories(const Value& v, const std::string& what) {
    std::vector<attribute::Category> out;
    for (const auto& [name, item] : string_items(v, what)) {
      if (auto c = attribute::category_from_string(name)) {
        if (std::ranges::find(out, *c) == out.end()) out.push_back(*c);
      } else {
        diag_.error(item->mark(),
                    what + ": unknown category '" + name +
                        "' (allowed: antivirus, edr, vpn, firewall, anti-cheat, backup, dlp, "
                        "security, hardware, os, virtualization, utility, developer, pki, other)");
      }
    }
    if (v.is_sequence() && v.items().empty())
      diag_.error(v.mark(), what + ": leave the key out to flag every category; an empty list "
                                   "would flag nothing");
    return out;
  }

  std::optional<Rule> read_rule(const Value& item, Rule::Kind kind) {
    const bool country = kind == Rule::Kind::Country;
    const std::string key_name = country ? "code" : "id";
    ObjectReader r(item, entry_name(item, country ? "country" : "vendor", key_name),
                   {country ? "code" : "id", "reason", "source", "date", "categories",
                    "match_parents"},
                   diag_);
    if (!r.valid()) return std::nullopt;
    Rule rule;
    rule.kind = kind;
    rule.origin = item.mark().to_string();
    bool ok = true;
    if (auto key = r.string(key_name, Need::Required)) {
      r.set_what((country ? "country '" : "vendor '") + *key + "'");
      const std::string problem = country ? country_problem(*key) : vendor_problem(*key, vendors_);
      if (!problem.empty()) {
        diag_.error(r.find(key_name)->mark(), r.member(key_name) + ": " + problem);
        ok = false;
      }
      rule.key = std::move(*key);
    } else {
      ok = false;
    }
    auto reason = required_text(r, "reason");
    auto source = required_text(r, "source");
    if (!reason || !source) ok = false;
    if (const Value* d = r.find("date")) {
      rule.date = config::as_date(*d, r.member("date"), diag_);
      if (!rule.date) ok = false;
    }
    if (const Value* c = r.find("categories")) rule.categories = read_categories(*c, r.member("categories"));
    rule.match_parents = r.boolean("match_parents").value_or(default_match_parents_);
    if (!ok) return std::nullopt;
    rule.reason = std::move(*reason);
    rule.source = std::move(*source);
    rule.id = (country ? "country:" : "vendor:") + rule.key;
    return rule;
  }

  void add_rule(Rule rule, const Value& item, std::map<std::string, int, std::less<>>& seen,
                std::vector<Rule>& rules) {
    if (auto it = seen.find(rule.id); it != seen.end()) {
      diag_.error(item.mark(), std::string{rule.kind == Rule::Kind::Country ? "country '" : "vendor '"} +
                                   rule.key + "' is listed twice (first at line " +
                                   std::to_string(it->second) + ")");
      return;
    }
    seen.emplace(rule.id, item.mark().line);
    rules.push_back(std::move(rule));
  }

  std::optional<Suppression> read_suppression(const Value& item) {
    ObjectReader r(item, entry_name(item, "suppression", "id"), {"id", "reason", "expires", "match"},
                   diag_);
    if (!r.valid()) return std::nullopt;
    Suppression s;
    s.origin = item.mark().to_string();
    bool ok = true;
    if (auto id = required_text(r, "id")) {
      r.set_what("suppression '" + *id + "'");
      s.id = std::move(*id);
    } else {
      ok = false;
    }
    auto reason = required_text(r, "reason");
    if (reason)
      s.reason = std::move(*reason);
    else
      ok = false;
    if (auto e = r.date("expires", Need::Required))
      s.expires = *e;
    else
      ok = false;

    const Value* m = r.get("match", Need::Required);
    if (m == nullptr) return std::nullopt;
    ObjectReader mr(*m, r.member("match"), {"vendor", "sha256", "path", "known_bad"}, diag_);
    if (!mr.valid()) return std::nullopt;
    if (const Value* v = mr.find("vendor")) {
      if (auto id = config::as_string(*v, mr.member("vendor"), diag_)) {
        if (auto problem = vendor_problem(*id, vendors_); !problem.empty()) {
          diag_.error(v->mark(), mr.member("vendor") + ": " + problem);
          ok = false;
        }
        s.vendor = std::move(*id);
      } else {
        ok = false;
      }
    }
    if (const Value* v = mr.find("sha256")) {
      if (auto h = config::as_string(*v, mr.member("sha256"), diag_)) {
        if (h->size() != 64 || !is_hex(*h)) {
          diag_.error(v->mark(), mr.member("sha256") + ": '" + *h +
                                     "' is not a SHA-256 digest (64 hexadecimal digits)");
          ok = false;
        }
        s.sha256 = lower(*h);
      } else {
        ok = false;
      }
    }
    if (const Value* v = mr.find("path")) {
      if (auto g = config::as_string(*v, mr.member("path"), diag_)) {
        if (g->empty()) {
          diag_.error(v->mark(), mr.member("path") + ": must not be empty");
          ok = false;
        }
        s.path = std::move(*g);
      } else {
        ok = false;
      }
    }
    if (!mr.find("vendor") && !mr.find("sha256") && !mr.find("path") && !mr.find("known_bad")) {
      diag_.error(m->mark(), mr.what() + ": needs at least one of vendor, sha256, path, known_bad");
      ok = false;
    }
    if (const Value* v = mr.find("known_bad")) ok = read_known_bad_match(mr, *v, s) && ok;
    if (!ok) return std::nullopt;
    return s;
  }

  /// `match.known_bad`: DATASET:ID or any (with sha256 or path); never with vendor.
  bool read_known_bad_match(ObjectReader& mr, const Value& v, Suppression& s) {
    auto key = config::as_string(v, mr.member("known_bad"), diag_);
    if (!key) return false;
    if (auto problem = known_bad_key_problem(*key); !problem.empty()) {
      diag_.error(v.mark(), mr.member("known_bad") + ": " + problem);
      return false;
    }
    if (mr.find("vendor")) {
      diag_.error(v.mark(), mr.member("known_bad") +
                                ": cannot be combined with vendor (a known-bad match is "
                                "about the file, whatever its vendor)");
      return false;
    }
    if (*key == "any" && !mr.find("sha256") && !mr.find("path")) {
      diag_.error(v.mark(), mr.member("known_bad") +
                                ": 'any' needs sha256 or path (to turn the category off, "
                                "set known_bad.enabled: false)");
      return false;
    }
    s.known_bad = std::move(*key);
    return true;
  }

  const attribute::VendorDb& vendors_;
  Diagnostics& diag_;
  bool default_match_parents_ = true;
};

}  // namespace

Result<Policy> Policy::from_document(const config::Document& doc,
                                     const attribute::VendorDb& vendors) {
  Policy p;
  Diagnostics diag;
  Loader(vendors, diag)
      .read(doc.root(), doc.name(), p.name_, p.description_, p.rules_, p.suppressions_, p.scope_, p.min_confidence_,
            p.known_bad_);
  if (!diag.empty()) return std::unexpected(diag.to_error());
  // Country rules first, then vendor rules (the order documented for rules()).
  std::ranges::stable_partition(p.rules_,
                                [](const Rule& r) { return r.kind == Rule::Kind::Country; });
  p.reset_counters();
  return p;
}

Result<Policy> Policy::parse(std::string_view text, std::string name,
                             const attribute::VendorDb& vendors) {
  auto doc = config::parse_text(text, std::move(name));
  if (!doc) return std::unexpected(doc.error());
  return from_document(*doc, vendors);
}

Result<Policy> Policy::load(const std::filesystem::path& path,
                            const attribute::VendorDb& vendors) {
  auto doc = config::parse_file(path);
  if (!doc) return std::unexpected(doc.error());
  return from_document(*doc, vendors);
}

Result<Policy> Policy::from_flags(std::span<const std::string> countries,
                                  std::span<const std::string> vendor_ids,
                                  const attribute::VendorDb& vendors) {
  Policy p;
  p.name_ = "command line";
  Diagnostics diag;
  auto each = [](std::span<const std::string> args, auto&& fn) {
    for (const std::string& arg : args) {
      std::string_view rest = arg;
      while (true) {
        const std::size_t comma = rest.find(',');
        const std::string_view piece = trim(rest.substr(0, comma));
        if (!piece.empty()) fn(piece);
        if (comma == std::string_view::npos) break;
        rest.remove_prefix(comma + 1);
      }
    }
  };
  auto add = [&p](Rule::Kind kind, std::string key, std::string_view option) {
    Rule r;
    r.kind = kind;
    r.id = (kind == Rule::Kind::Country ? "country:" : "vendor:") + key;
    if (std::ranges::any_of(p.rules_, [&r](const Rule& o) { return o.id == r.id; })) return;
    r.reason = "flagged on the command line (" + std::string{option} + " " + key + ")";
    r.source = "command line";
    r.origin = std::string{option};
    r.key = std::move(key);
    p.rules_.push_back(std::move(r));
  };
  each(countries, [&](std::string_view code) {
    const std::string up = upper(code);
    if (config::is_country_code(up)) {
      add(Rule::Kind::Country, up, "--flag-country");
      return;
    }
    std::string hint;
    if (auto right = config::common_mistake(up); !right.empty())
      hint = " (did you mean '" + std::string{right} + "'?)";
    diag.add("--flag-country: '" + std::string{code} +
             "' is not an ISO 3166-1 alpha-2 country code" + hint);
  });
  each(vendor_ids, [&](std::string_view id) {
    if (auto problem = vendor_problem(id, vendors); !problem.empty()) {
      diag.add("--flag-vendor: " + problem);
      return;
    }
    add(Rule::Kind::Vendor, std::string{id}, "--flag-vendor");
  });
  if (!diag.empty()) return std::unexpected(diag.to_error());
  p.reset_counters();
  return p;
}

Result<Policy> Policy::combine(Policy base, Policy extra) {
  Diagnostics diag;
  for (Rule& r : extra.rules_) {
    if (std::ranges::none_of(base.rules_, [&r](const Rule& o) { return o.id == r.id; }))
      base.rules_.push_back(std::move(r));
  }
  std::ranges::stable_partition(base.rules_,
                                [](const Rule& r) { return r.kind == Rule::Kind::Country; });
  for (Suppression& s : extra.suppressions_) {
    auto same = std::ranges::find(base.suppressions_, s.id, &Suppression::id);
    if (same != base.suppressions_.end()) {
      diag.add(s.origin + ": suppression '" + s.id + "' is already defined at " + same->origin);
      continue;
    }
    base.suppressions_.push_back(std::move(s));
  }
  if (!diag.empty()) return std::unexpected(diag.to_error());
  if (!extra.name_.empty()) base.name_ = base.name_.empty() ? extra.name_ : base.name_ + " + " + extra.name_;
  base.reset_counters();
  return base;
}

}  // namespace trustscan::policy
