#include "report/known_bad_json.hpp"

#include <set>
#include <string_view>

#include "policy/severity.hpp"

namespace trustscan::report {
namespace {

using nlohmann::ordered_json;

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

void match_json(JsonSink& w, const match::KnownBadMatch& m) {
  w.begin_object();
  w.text_member("dataset", m.source);
  w.text_member("id", m.id);
  w.member("category", datasets::to_string(m.category));
  w.text_member("name", m.name);
  w.member("key", datasets::to_string(m.kind));
  w.text_member("value", m.value);
  if (!m.via.empty()) w.text_member("via", m.via);
  safe_strings(w, "cves", m.cves);
  if (m.loads_despite_hvci) w.member("loads_despite_hvci", *m.loads_despite_hvci);
  safe_strings(w, "references", m.references);
  // Set aside by a suppression of the policy (schema 1.6): on the record, not part of the finding.
  if (!m.suppressed_by.empty()) {
    w.object("suppressed");
    w.text_member("id", m.suppressed_by);
    w.text_member("reason", m.suppression_reason);
    w.end_object();
  }
  w.end_object();
}

void enrichment_json(JsonSink& w, const match::KnownBadMatch& m) {
  w.begin_object();
  w.object("indicator");
  w.member("type", "file");
  w.text_member("provider", m.source);
  w.text_member("name", m.name);
  w.member("description", datasets::to_string(m.category));
  if (!m.references.empty()) w.text_member("reference", m.references.front());
  w.end_object();
  w.object("matched");
  w.text_member("atomic", m.value);
  w.member("field", matched_field(m.kind));
  w.text_member("id", m.id);
  w.text_member("index", m.source);
  w.member("type", "indicator_match_rule");
  w.end_object();
  w.end_object();
}

}  // namespace

void add_known_bad_details(JsonSink& w, const record::FileRecord& r) {
  if (r.known_bad.empty()) return;
  w.array("known_bad");
  for (const match::KnownBadMatch& m : r.known_bad) match_json(w, m);
  w.end_array();
  if (r.known_bad_severity) w.member("known_bad_severity", policy::to_string(*r.known_bad_severity));
}

void add_known_bad_ecs(JsonSink& w, const record::FileRecord& r) {
  if (r.known_bad.empty()) return;
  std::set<std::string> cves;
  w.object("threat");
  w.array("enrichments");
  for (const match::KnownBadMatch& m : r.known_bad) {
    enrichment_json(w, m);
    cves.insert(m.cves.begin(), m.cves.end());
  }
  w.end_array();
  w.end_object();
  if (cves.empty()) return;
  w.object("vulnerability");
  safe_strings(w, "id", {cves.begin(), cves.end()});
  w.member("enumeration", "CVE");
  w.end_object();
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
