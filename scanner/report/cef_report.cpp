// --format cef: one ArcSight CEF:0 line per finding, in the order of the NDJSON events and with
// baseline mode applied the same way (report_events), built from the events' typed report views
// (record_view.hpp), never from their JSON. Field mapping: docs/siem.md.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ostream>
#include <string>
#include <vector>

#include "report/baseline_impl.hpp"
#include "report/cef.hpp"
#include "report/report.hpp"
#include "report/text.hpp"

namespace trustscan::report {

std::string cef_header_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c == '\\' || c == '|') out += '\\';
    out += (c == '\n' || c == '\r') ? ' ' : c;
  }
  return out;
}

std::string cef_extension_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '=': out += "\\="; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      default: out += c;
    }
  }
  return out;
}

int cef_severity(std::string_view severity) noexcept {
  if (severity == "critical") return 10;
  if (severity == "high") return 8;
  if (severity == "medium") return 6;
  if (severity == "low") return 3;
  return 0;
}

namespace {

/// CEF severity of a gone record that was a finding: the flagged file is no longer there, which
/// is worth an entry but not an alarm.
constexpr int kGoneSeverity = 1;

/// "key=value" pairs, escaped, in order.
class Extension {
 public:
  void add(std::string_view key, const std::string& value) {
    if (value.empty()) return;
    if (!text_.empty()) text_ += ' ';
    text_.append(key).append("=").append(cef_extension_escape(value));
  }
  /// A deviceCustomString / flexString with its label.
  void labelled(std::string_view key, std::string_view label, const std::string& value) {
    if (value.empty()) return;
    add(std::string(key) + "Label", std::string(label));
    add(key, value);
  }
  [[nodiscard]] const std::string& text() const { return text_; }

 private:
  std::string text_;
};

/// Milliseconds since the Unix epoch of an RFC 3339 time as the report writes it, "" if unparsable.
std::string epoch_ms(const std::string& iso) {
  int y, mo, d, h, mi, s, ms = 0;
  if (std::sscanf(iso.c_str(), "%d-%d-%dT%d:%d:%d.%dZ", &y, &mo, &d, &h, &mi, &s, &ms) < 6) return {};
  using namespace std::chrono;
  auto days = sys_days{year{y} / month{static_cast<unsigned>(mo)} / day{static_cast<unsigned>(d)}};
  auto t = days + hours{h} + minutes{mi} + seconds{s} + milliseconds{ms};
  return std::to_string(duration_cast<milliseconds>(t.time_since_epoch()).count());
}

/// What every line of the run shares.
struct RunFields {
  const RunInfo& run;
  std::string policy;     ///< cs6: the policy's name
  std::string timestamp;  ///< rt: the events' @timestamp
  std::string observer;   ///< dvchost: observer.hostname
  std::string host;       ///< dhost: host.name (live scans only)
};

/// The file's signature status for cs4: as verified, "unsigned" for a format that carries
/// signatures when the file has none, "" when its format has none.
std::string signature_status(const RecordView& v) {
  if (!v.signature) return {};
  return v.signature->exists ? v.signature->status.value_or("") : "unsigned";
}

std::string show(const std::optional<std::string>& v) { return v ? *v : "null"; }

/// "field: old -> new; ..." of a changed record (flexString2).
std::string changes_text(const BaselineDelta& d) {
  std::string out;
  for (const FieldChange& c : d.changes)
    out += (out.empty() ? "" : "; ") + std::string(c.field) + ": " + show(c.old_value) + " -> " + show(c.new_value);
  return out;
}

/// The hash before the change, when the bytes changed.
std::string old_hash(const BaselineDelta& d) {
  for (const FieldChange& c : d.changes)
    if (c.field == "sha256" && c.old_value) return *c.old_value;
  return {};
}

/// The CEF line of a finding event (an alert, or a gone record that was a finding).
std::string cef_line(const RecordView& v, const BaselineDelta* delta, const RunFields& rf) {
  const std::string change = delta ? std::string(to_string(delta->change)) : std::string();
  const bool gone = change == "gone", changed = change == "changed";
  const std::string severity = v.finding ? v.finding->severity.value_or("") : "";
  const RuleView* rule = v.first_rule();
  // Whom the finding is about (issue 15): the verdict's subject, which may be an unlisted
  // publisher or a claimed vendor, not always the attributed vendor.
  const SubjectView subject = v.finding_subject().value_or(SubjectView{});
  const std::string& vendor = subject.name;
  const std::string country = subject.country.value_or("");
  std::string prefix = change == "new" ? "New flagged " : changed ? "Changed flagged " : gone ? "Removed flagged " : "Flagged ";
  std::string name = prefix + v.privilege + " " + v.type + " from " + vendor + " (" +
                     (country.empty() ? "no country" : country) + "): " + v.name;
  std::string line = "CEF:0|trustscan|trustscan|" + cef_header_escape(rf.run.tool_version) + "|" +
                     cef_header_escape(rule ? rule->id : "") + "|" + cef_header_escape(name) + "|" +
                     std::to_string(gone ? kGoneSeverity : cef_severity(severity)) + "|";

  Extension x;
  x.add("rt", epoch_ms(rf.timestamp));
  x.add("dvchost", rf.observer);
  x.add("dhost", rf.host);
  x.add("cat", std::string(kRuleCategory));
  x.add("act", change);
  x.add("outcome", v.errors.empty() ? "success" : "failure");
  x.add("fname", v.name);
  x.add("filePath", v.path);
  x.add("fsize", std::to_string(v.size));
  x.add("fileHash", v.sha256.value_or(""));
  if (changed) x.add("oldFileHash", old_hash(*delta));
  x.add("fileType", v.type);
  x.add("fileModificationTime", epoch_ms(v.mtime.value_or("")));
  x.labelled("cs1", "vendor", vendor);
  x.labelled("cs2", "vendorCountry", country);
  x.labelled("cs3", "signer", v.signature ? v.signature->subject_name.value_or("") : "");
  x.labelled("cs4", "signatureStatus", signature_status(v));
  x.labelled("cs5", "privilege", v.privilege);
  x.labelled("cs6", "policy", rf.policy);
  if (!gone) x.labelled("cn1", "riskScore", std::to_string(ecs_risk_score(severity)));
  x.labelled("flexString1", "vendorId", subject.id);
  if (changed) x.labelled("flexString2", "baselineChanges", changes_text(*delta));
  const std::string reason = rule ? rule->reason : "";
  x.add("msg", gone ? "no longer present: " + v.path + " (flagged: " + reason + ")" : alert_message(v) + ": " + reason);
  return line + x.text();
}

/// The CEF line of an alert for a known-bad driver that is no vendor finding (issue 17): the
/// first listed entry it matches that is not suppressed names the event; every entry is in cs1/flexString1.
std::string cef_known_bad_line(const RecordView& v, const RunFields& rf) {
  // The first match the policy did not set aside (there is one: the record is a finding).
  const auto kept = std::ranges::find_if(v.known_bad, [](const KnownBadView& k) { return k.suppressed.empty(); });
  const KnownBadView& first = kept != v.known_bad.end() ? *kept : v.known_bad.front();
  const std::string severity = v.known_bad_severity.value_or("");
  const std::string rule_id = "known-bad:" + first.dataset + ":" + first.id;
  std::string name = "Known-bad " + v.privilege + " " + v.type + " (" + first.category + "): " + v.name;
  std::string line = "CEF:0|trustscan|trustscan|" + cef_header_escape(rf.run.tool_version) + "|" +
                     cef_header_escape(rule_id) + "|" + cef_header_escape(name) + "|" +
                     std::to_string(cef_severity(severity)) + "|";
  std::string entries;
  for (const KnownBadView& k : v.known_bad)
    entries += (entries.empty() ? "" : ", ") + k.dataset + ":" + k.id + " by " + k.key;
  Extension x;
  x.add("rt", epoch_ms(rf.timestamp));
  x.add("dvchost", rf.observer);
  x.add("dhost", rf.host);
  x.add("cat", std::string(kKnownBadRuleCategory));
  x.add("outcome", v.errors.empty() ? "success" : "failure");
  x.add("fname", v.name);
  x.add("filePath", v.path);
  x.add("fsize", std::to_string(v.size));
  x.add("fileHash", v.sha256.value_or(""));
  x.add("fileType", v.type);
  x.labelled("cs1", "knownBadEntries", entries);
  x.labelled("cs3", "signer", v.signature ? v.signature->subject_name.value_or("") : "");
  x.labelled("cs4", "signatureStatus", signature_status(v));
  x.labelled("cs5", "privilege", v.privilege);
  x.labelled("cn1", "riskScore", std::to_string(ecs_risk_score(severity)));
  x.labelled("flexString1", "knownBadCategory", first.category);
  x.add("msg", "known-bad driver " + first.name + " (" + first.dataset + " " + first.id + ") " + v.path);
  return line + x.text();
}

/// A finding event: an alert, or (baseline mode) a gone record that was a finding.
bool is_cef_event(const EventInfo& info) {
  if (info.kind != EventInfo::Kind::File || !info.record) return false;
  if (info.alert) return true;
  return info.delta && info.delta->change == BaselineChange::Gone && info.record->is_finding();
}

}  // namespace

void write_cef(const pipeline::ScanResult& result, const RunInfo& run, std::ostream& out) {
  const RunFields rf{run, utf8_escaped(result.policy_name), event_timestamp(result), utf8_escaped(run.hostname),
                     live_scan(result) ? utf8_escaped(run.hostname) : std::string()};
  report_events(result, run, [&](nlohmann::ordered_json&&, const EventInfo& info) {
    if (!is_cef_event(info)) return;
    const RecordView& v = *info.record;
    if (info.alert && !v.is_finding() && v.is_known_bad_finding())
      out << cef_known_bad_line(v, rf) << '\n';
    else
      out << cef_line(v, info.delta, rf) << '\n';
  });
}

}  // namespace trustscan::report
