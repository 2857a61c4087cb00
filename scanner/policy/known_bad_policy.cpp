#include "policy/known_bad_policy.hpp"

#include <algorithm>

#include "config/document.hpp"
#include "config/reader.hpp"
#include "datasets/known_bad_feed.hpp"
#include "policy/policy.hpp"

namespace trustscan::policy {

Severity KnownBadSettings::severity(datasets::KnownBadCategory c) const noexcept {
  switch (c) {
    case datasets::KnownBadCategory::Malicious: return malicious;
    case datasets::KnownBadCategory::Vulnerable: return vulnerable;
    case datasets::KnownBadCategory::VulnerableOrMalicious: break;
  }
  return vulnerable_or_malicious;
}

namespace {

/// One `severities` member: low/medium/high/critical.
void read_severity(config::ObjectReader& r, std::string_view key, Severity& out) {
  auto text = r.string(key);
  if (!text) return;
  if (auto s = severity_from_string(*text)) {
    out = *s;
    return;
  }
  r.diagnostics().error(r.find(key)->mark(),
                        r.member(key) + ": expected low, medium, high or critical, found '" + *text + "'");
}

}  // namespace

KnownBadSettings read_known_bad(const config::Value& value, const std::string& what, config::Diagnostics& diag) {
  KnownBadSettings s;
  config::ObjectReader r(value, what, {"enabled", "severities", "raise_boot_start"}, diag);
  if (!r.valid()) return s;
  s.origin = value.mark().to_string();
  s.enabled = r.boolean("enabled").value_or(true);
  s.raise_boot_start = r.boolean("raise_boot_start").value_or(true);
  if (const config::Value* v = r.find("severities")) {
    config::ObjectReader sr(*v, r.member("severities"), {"malicious", "vulnerable", "vulnerable_or_malicious"}, diag);
    if (sr.valid()) {
      read_severity(sr, "malicious", s.malicious);
      read_severity(sr, "vulnerable", s.vulnerable);
      read_severity(sr, "vulnerable_or_malicious", s.vulnerable_or_malicious);
    }
  }
  return s;
}

std::string known_bad_key_problem(std::string_view key) {
  if (key == "any") return {};
  const std::size_t colon = key.find(':');
  const std::string_view dataset = key.substr(0, colon);
  if (colon == std::string_view::npos || colon + 1 == key.size() ||
      (dataset != datasets::kLolDriversDataset && dataset != datasets::kDriverBlockRulesDataset))
    return "'" + std::string{key} +
           "' is neither 'any' nor DATASET:ID (DATASET: " + std::string{datasets::kLolDriversDataset} + " or " +
           std::string{datasets::kDriverBlockRulesDataset} + ")";
  return {};
}

namespace {

bool same_hex(std::string_view a, std::string_view b) noexcept {
  return a.size() == b.size() && std::ranges::equal(a, b, [](char x, char y) {
           auto low = [](char c) { return (c >= 'A' && c <= 'F') ? static_cast<char>(c - 'A' + 'a') : c; };
           return low(x) == low(y);
         });
}

/// The suppression covers the match of this file (its expiry aside).
bool covers(const Suppression& sup, const match::KnownBadMatch& m, const KnownBadFile& file) {
  if (!sup.known_bad) return false;  // a vendor-verdict suppression
  if (*sup.known_bad != "any") {
    const std::string_view key = *sup.known_bad;
    const std::size_t colon = key.find(':');
    if (key.substr(0, colon) != m.source || key.substr(colon + 1) != m.id) return false;
  }
  if (sup.sha256 && !same_hex(file.sha256, *sup.sha256)) return false;
  if (sup.path && !glob_match(*sup.path, file.path)) return false;
  return true;
}

/// Marks `m` suppressed by the first valid suppression that covers it; counts uses and matches
/// after expiry.
void suppress(const Policy& policy, match::KnownBadMatch& m, const KnownBadFile& file) {
  m.suppressed_by.clear();
  m.suppression_reason.clear();
  const auto sups = policy.suppressions();
  for (std::size_t i = 0; i < sups.size(); ++i) {
    if (!covers(sups[i], m, file)) continue;
    if (sups[i].expired(policy.today())) {
      policy.record_match_after_expiry(i);
      continue;
    }
    if (m.suppressed_by.empty()) {
      m.suppressed_by = sups[i].id;
      m.suppression_reason = sups[i].reason;
      policy.record_use(i);
    }
  }
}

Severity raised(Severity s) noexcept {
  return s == Severity::Critical ? s : static_cast<Severity>(static_cast<int>(s) + 1);
}

}  // namespace

std::optional<Severity> evaluate_known_bad(const Policy& policy, std::vector<match::KnownBadMatch>& matches,
                                           const KnownBadFile& file) {
  for (match::KnownBadMatch& m : matches) suppress(policy, m, file);
  const KnownBadSettings& settings = policy.known_bad();
  const bool kernel = file.boot_start || file.privilege == Privilege::Kernel || file.privilege == Privilege::Boot;
  if (!settings.enabled || !kernel) return std::nullopt;
  std::optional<Severity> worst;
  for (const match::KnownBadMatch& m : matches) {
    if (!m.suppressed_by.empty()) continue;
    Severity s = settings.severity(m.category);
    if (file.boot_start && settings.raise_boot_start) s = raised(s);
    if (!worst || s > *worst) worst = s;
  }
  return worst;
}

std::string describe(const KnownBadSettings& s) {
  if (!s.enabled) return "off";
  std::string out = "on: malicious ";
  out += to_string(s.malicious);
  out += ", vulnerable ";
  out += to_string(s.vulnerable);
  out += ", vulnerable_or_malicious ";
  out += to_string(s.vulnerable_or_malicious);
  out += s.raise_boot_start ? ", boot-start +1" : ", boot-start +0";
  return out;
}

}  // namespace trustscan::policy
