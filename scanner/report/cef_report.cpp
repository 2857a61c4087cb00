// --format cef: one ArcSight CEF:0 line per finding, built from the same NDJSON events as every
// other event output (so baseline mode applies). Field mapping: docs/siem.md.
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

using nlohmann::ordered_json;

/// CEF severity of a gone record that was a finding: the flagged file is no longer there, which
/// is worth an entry but not an alarm.
constexpr int kGoneSeverity = 1;

std::string str(const ordered_json& j, const char* pointer) {
  ordered_json::json_pointer p(pointer);
  if (!j.contains(p)) return {};
  const ordered_json& v = j.at(p);
  return v.is_string() ? v.get<std::string>() : v.is_null() ? std::string() : v.dump();
}

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

/// A field of whom the finding is about: the verdict's subject (issue 15: the attributed vendor or
/// publisher, or the vendor a claim names), else the attributed vendor (reports before 1.4).
std::string finding_subject(const ordered_json& ev, std::string_view subject_field, const char* old_path) {
  const std::string pointer = "/trustscan/finding/subject/" + std::string(subject_field);
  return ev.contains(ordered_json::json_pointer("/trustscan/finding/subject")) ? str(ev, pointer.c_str())
                                                                               : str(ev, old_path);
}

/// The CEF line of a finding event (an alert, or a gone record that was a finding).
std::string cef_line(const ordered_json& ev, const RunInfo& run, const std::string& policy) {
  std::string change = str(ev, "/trustscan/baseline/change");
  bool gone = change == "gone";
  std::string severity = str(ev, "/trustscan/finding/severity");
  std::string rule_id = gone ? str(ev, "/trustscan/finding/rules/0/id") : str(ev, "/rule/id");
  std::string country = finding_subject(ev, "country", "/trustscan/country");
  std::string vendor = finding_subject(ev, "name", "/trustscan/vendor/name");
  std::string prefix = change == "new" ? "New flagged " : change == "changed" ? "Changed flagged "
                       : gone          ? "Removed flagged "
                                       : "Flagged ";
  std::string name = prefix + str(ev, "/trustscan/privilege") + " " + str(ev, "/trustscan/type") + " from " + vendor +
                     " (" + (country.empty() ? "no country" : country) + "): " + str(ev, "/file/name");
  std::string line = "CEF:0|trustscan|trustscan|" + cef_header_escape(run.tool_version) + "|" +
                     cef_header_escape(rule_id) + "|" + cef_header_escape(name) + "|" +
                     std::to_string(gone ? kGoneSeverity : cef_severity(severity)) + "|";

  Extension x;
  x.add("rt", epoch_ms(str(ev, "/@timestamp")));
  x.add("dvchost", str(ev, "/observer/hostname"));
  x.add("dhost", str(ev, "/host/name"));
  x.add("cat", gone ? "vendor-jurisdiction" : str(ev, "/rule/category"));
  x.add("act", change);
  x.add("outcome", str(ev, "/event/outcome"));
  x.add("fname", str(ev, "/file/name"));
  x.add("filePath", str(ev, "/file/path"));
  x.add("fsize", str(ev, "/file/size"));
  x.add("fileHash", str(ev, "/file/hash/sha256"));
  if (change == "changed")
    for (const auto& c : ev["trustscan"]["baseline"]["changes"])
      if (c["field"] == "sha256" && c["old"].is_string()) x.add("oldFileHash", c["old"].get<std::string>());
  x.add("fileType", str(ev, "/trustscan/type"));
  x.add("fileModificationTime", epoch_ms(str(ev, "/file/mtime")));
  x.labelled("cs1", "vendor", vendor);
  x.labelled("cs2", "vendorCountry", country);
  x.labelled("cs3", "signer", str(ev, "/file/code_signature/subject_name"));
  std::string sig = str(ev, "/file/code_signature/status");
  if (sig.empty() && str(ev, "/file/code_signature/exists") == "false") sig = "unsigned";
  x.labelled("cs4", "signatureStatus", sig);
  x.labelled("cs5", "privilege", str(ev, "/trustscan/privilege"));
  x.labelled("cs6", "policy", policy);
  if (!gone) x.labelled("cn1", "riskScore", str(ev, "/event/risk_score"));
  x.labelled("flexString1", "vendorId", finding_subject(ev, "id", "/trustscan/vendor/id"));
  if (change == "changed") {
    std::string changes;
    for (const auto& c : ev["trustscan"]["baseline"]["changes"]) {
      auto show = [](const ordered_json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); };
      changes += (changes.empty() ? "" : "; ") + c["field"].get<std::string>() + ": " + show(c["old"]) + " -> " +
                 show(c["new"]);
    }
    x.labelled("flexString2", "baselineChanges", changes);
  }
  std::string reason = gone ? str(ev, "/trustscan/finding/rules/0/reason") : str(ev, "/rule/description");
  x.add("msg", gone ? "no longer present: " + str(ev, "/file/path") + " (flagged: " + reason + ")"
                    : str(ev, "/message") + ": " + reason);
  return line + x.text();
}

bool is_cef_event(const ordered_json& ev) {
  if (str(ev, "/event/dataset") != "trustscan.file") return false;
  if (str(ev, "/event/kind") == "alert") return true;
  return str(ev, "/trustscan/baseline/change") == "gone" && str(ev, "/trustscan/finding/status") == "finding";
}

}  // namespace

void write_cef(const pipeline::ScanResult& result, const RunInfo& run, std::ostream& out) {
  std::string policy = utf8_escaped(result.policy_name);
  report_events(result, run, [&](ordered_json&& ev) {
    if (is_cef_event(ev)) out << cef_line(ev, run, policy) << '\n';
  });
}

}  // namespace trustscan::report
