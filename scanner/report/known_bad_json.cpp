#include "report/known_bad_json.hpp"

#include <set>
#include <string_view>

#include "policy/severity.hpp"
#include "report/text.hpp"

namespace trustscan::report {
namespace {

using nlohmann::ordered_json;

ordered_json text_list(const std::vector<std::string>& v) {
  ordered_json out = ordered_json::array();
  for (const std::string& s : v) out.push_back(utf8_escaped(s));
  return out;
}

/// The report field that holds the matched value, for the hash kinds a report carries.
std::string_view matched_field(datasets::KeyKind k) noexcept {
  switch (k) {
    case datasets::KeyKind::FileSha256: return "file.hash.sha256";
    case datasets::KeyKind::FileSha1: return "file.hash.sha1";
    case datasets::KeyKind::FileMd5: return "file.hash.md5";
    case datasets::KeyKind::AuthenticodeSha256: return "trustscan.authenticode.hash_sha256";
    case datasets::KeyKind::AuthenticodeSha1: return "trustscan.authenticode.hash_sha1";
    default: return "trustscan.known_bad.value";
  }
}

ordered_json match_json(const match::KnownBadMatch& m) {
  ordered_json j{{"dataset", utf8_escaped(m.source)},
                 {"id", utf8_escaped(m.id)},
                 {"category", std::string(datasets::to_string(m.category))},
                 {"name", utf8_escaped(m.name)},
                 {"key", std::string(datasets::to_string(m.kind))},
                 {"value", utf8_escaped(m.value)}};
  if (!m.via.empty()) j["via"] = utf8_escaped(m.via);
  j["cves"] = text_list(m.cves);
  if (m.loads_despite_hvci) j["loads_despite_hvci"] = *m.loads_despite_hvci;
  j["references"] = text_list(m.references);
  // Set aside by a suppression of the policy (schema 1.6): on the record, not part of the finding.
  if (!m.suppressed_by.empty())
    j["suppressed"] = {{"id", utf8_escaped(m.suppressed_by)}, {"reason", utf8_escaped(m.suppression_reason)}};
  return j;
}

ordered_json enrichment_json(const match::KnownBadMatch& m) {
  ordered_json indicator{{"type", "file"},
                         {"provider", utf8_escaped(m.source)},
                         {"name", utf8_escaped(m.name)},
                         {"description", std::string(datasets::to_string(m.category))}};
  if (!m.references.empty()) indicator["reference"] = utf8_escaped(m.references.front());
  return {{"indicator", std::move(indicator)},
          {"matched",
           {{"atomic", utf8_escaped(m.value)},
            {"field", std::string(matched_field(m.kind))},
            {"id", utf8_escaped(m.id)},
            {"index", utf8_escaped(m.source)},
            {"type", "indicator_match_rule"}}}};
}

}  // namespace

void add_known_bad_details(const record::FileRecord& r, ordered_json& trustscan) {
  if (r.known_bad.empty()) return;
  ordered_json list = ordered_json::array();
  for (const match::KnownBadMatch& m : r.known_bad) list.push_back(match_json(m));
  trustscan["known_bad"] = std::move(list);
  if (r.known_bad_severity) trustscan["known_bad_severity"] = std::string(policy::to_string(*r.known_bad_severity));
}

void add_known_bad_ecs(const record::FileRecord& r, ordered_json& record) {
  if (r.known_bad.empty()) return;
  ordered_json enrichments = ordered_json::array();
  std::set<std::string> cves;
  for (const match::KnownBadMatch& m : r.known_bad) {
    enrichments.push_back(enrichment_json(m));
    cves.insert(m.cves.begin(), m.cves.end());
  }
  record["threat"] = {{"enrichments", std::move(enrichments)}};
  if (!cves.empty()) record["vulnerability"] = {{"id", text_list({cves.begin(), cves.end()})}, {"enumeration", "CVE"}};
}

nlohmann::ordered_json known_bad_policy_json(const policy::KnownBadSettings& s) {
  using datasets::KnownBadCategory;
  ordered_json severities;
  for (KnownBadCategory c :
       {KnownBadCategory::Malicious, KnownBadCategory::Vulnerable, KnownBadCategory::VulnerableOrMalicious})
    severities[std::string(datasets::to_string(c))] = std::string(policy::to_string(s.severity(c)));
  return {{"enabled", s.enabled}, {"severities", std::move(severities)}, {"raise_boot_start", s.raise_boot_start}};
}

std::string known_bad_rule_id(const match::KnownBadMatch& m) { return "known-bad:" + m.source + ":" + m.id; }

}  // namespace trustscan::report
