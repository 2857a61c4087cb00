// The report model of a scanned record (record_view.hpp): the values its JSON record carries,
// derived with the same helpers as the JSON writer (json_report.cpp, signature_json.cpp).
#include "report/record_view.hpp"

#include <array>
#include <utility>

#include "policy/severity.hpp"
#include "report/signature_json.hpp"
#include "report/text.hpp"

namespace trustscan::report {
namespace {

/// `file.code_signature` (code_signature_ecs), nullopt when the format has none.
std::optional<CodeSignatureView> code_signature_view(const record::FileRecord& r) {
  const verify::SignatureVerdict& v = r.signature;
  if (!v.applies) return std::nullopt;
  CodeSignatureView c;
  c.exists = v.exists;
  if (!v.exists) return c;
  c.status = std::string(to_string(v.status));
  if (const verify::Signature* primary = r.primary_signature()) {
    c.subject_name = ecs_subject_name(*primary);
    c.source = ecs_source(*primary);
  }
  return c;
}

FindingView finding_view(const policy::Verdict& v) {
  FindingView f;
  f.status = std::string(policy::to_string(v.status));
  if (v.flagged()) f.severity = std::string(policy::to_string(v.severity));
  for (const policy::MatchedRule& m : v.rules) f.rules.push_back({m.rule_id, utf8_escaped(m.reason)});
  if (v.status != policy::Verdict::Status::Unattributed)
    f.subject = SubjectView{v.subject.vendor_id, utf8_escaped(v.subject.name), v.subject.country,
                            utf8_escaped(v.subject.note)};
  return f;
}

}  // namespace

RecordView record_view(const record::FileRecord& r) {
  RecordView v;
  v.path = utf8_escaped(r.file.path);
  v.name = std::string(base_name(v.path));
  v.size = r.file.size;
  if (std::string t = rfc3339(r.file.mtime); !t.empty()) v.mtime = std::move(t);
  if (!r.sha256.empty()) v.sha256 = r.sha256;
  v.signature = code_signature_view(r);
  v.type = r.binary ? std::string(to_string(r.classification.type)) : "unknown";
  v.privilege = r.binary ? std::string(to_string(*r.privilege())) : "unknown";
  if (const auto& a = r.attribution; a && a->attributed()) {
    v.vendor = VendorView{a->vendor, utf8_escaped(a->name), a->category, std::string(to_string(a->confidence))};
    v.country = a->country;
  }
  if (r.verdict) v.finding = finding_view(*r.verdict);
  if (r.windows) {
    v.windows_services.emplace();
    for (const windows::Service& s : r.windows->services)
      v.windows_services->push_back({utf8_escaped(s.name), std::string(windows::to_string(s.start))});
  }
  for (const Error& e : r.errors) v.errors.push_back({e.stage, std::string(to_string(e.code)), utf8_escaped(e.message)});
  for (const match::KnownBadMatch& m : r.known_bad)
    v.known_bad.push_back({utf8_escaped(m.source), utf8_escaped(m.id), std::string(datasets::to_string(m.category)),
                           utf8_escaped(m.name), std::string(datasets::to_string(m.kind)),
                           utf8_escaped(m.suppressed_by)});
  if (r.known_bad_severity) v.known_bad_severity = std::string(policy::to_string(*r.known_bad_severity));
  return v;
}

int ecs_risk_score(std::string_view severity) noexcept {
  static constexpr std::array<std::pair<std::string_view, int>, 4> kScores{
      {{"low", 21}, {"medium", 47}, {"high", 73}, {"critical", 99}}};
  for (const auto& [name, score] : kScores)
    if (name == severity) return score;
  return 0;
}

std::optional<SubjectView> RecordView::finding_subject() const {
  if (finding && finding->subject) return finding->subject;
  if (vendor) return SubjectView{vendor->id, vendor->name, country, {}};
  return std::nullopt;
}

std::string alert_message(const RecordView& v) {
  const SubjectView s = v.finding_subject().value_or(SubjectView{});
  return s.name + " (" + s.country.value_or("no country") + ") " + v.type + " " + v.path +
         (s.note.empty() ? "" : ": " + s.note);
}

std::optional<std::string> RecordView::severity() const {
  std::optional<std::string> out;
  if (is_finding()) out = finding->severity;
  if (!is_known_bad_finding()) return out;
  const auto mine = out ? policy::severity_from_string(*out) : std::nullopt;
  const auto listed = policy::severity_from_string(*known_bad_severity);
  return !mine || (listed && *listed > *mine) ? known_bad_severity : out;
}

}  // namespace trustscan::report
