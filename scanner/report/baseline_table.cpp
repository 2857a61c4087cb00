// The table in baseline mode: only what changed since the previous report, for people. Built
// from the same baseline JSON document as --format json; fits 100 columns; every string that came
// from a scanned file (or from the previous report) is made terminal-safe.
#include <cstdio>
#include <ostream>
#include <string>

#include "report/baseline_impl.hpp"
#include "report/text.hpp"

namespace trustscan::report {
namespace {

using nlohmann::ordered_json;

constexpr std::size_t kMaxRows = 200;  // the JSON report has them all

std::string pad(std::string s, std::size_t width) {
  std::size_t cols = 0;
  for (unsigned char c : s) cols += (c & 0xc0) != 0x80;
  if (cols < width) s.append(width - cols, ' ');
  return s;
}

std::string text(const ordered_json& j, const char* pointer) {
  ordered_json::json_pointer p(pointer);
  if (!j.contains(p)) return {};
  const ordered_json& v = j.at(p);
  return v.is_string() ? v.get<std::string>() : v.is_null() ? std::string() : v.dump();
}

/// "critical" for a finding, else the verdict status ("no_match", "suppressed", ...), "-" when
/// unattributed.
std::string status(const ordered_json& rec) {
  std::string st = text(rec, "/trustscan/finding/status");
  if (st == "finding") return text(rec, "/trustscan/finding/severity");
  return st.empty() ? "-" : st;
}

std::string vendor(const ordered_json& rec) {
  std::string name = text(rec, "/trustscan/vendor/name");
  if (name.empty()) return "-";
  std::string cc = text(rec, "/trustscan/country");
  return name + " (" + (cc.empty() ? "-" : cc) + ")";
}

std::string value(const ordered_json& v) {
  if (v.is_null()) return "(none)";
  return v.is_string() ? v.get<std::string>() : v.dump();
}

}  // namespace

void write_baseline_table(const pipeline::ScanResult& result, const RunInfo& run, std::ostream& out) {
  ordered_json doc = json_document(result, run);
  apply_baseline(*run.baseline, doc);
  const ordered_json& b = doc["summary"]["baseline"];
  const ordered_json& scan = doc["scan"]["baseline"];
  out << "trustscan " << run.tool_version << " on " << elide_middle(terminal_safe(run.hostname), 40)
      << ", baseline mode\n";
  out << "baseline: " << elide_middle(terminal_safe(text(scan, "/report")), 60) << " (scan ended "
      << (scan.contains("previous_end") ? text(scan, "/previous_end") : "?") << ")\n";
  out << "CHANGES SINCE THE BASELINE: " << b["new"].get<std::size_t>() << " new, " << b["changed"].get<std::size_t>()
      << " changed, " << b["gone"].get<std::size_t>() << " gone; " << b["unchanged"].get<std::size_t>()
      << " unchanged; findings among new and changed: " << b["findings"].get<std::size_t>() << '\n';
  const ordered_json& files = doc["files"];
  if (files.empty()) out << "  none\n";
  else out << "  " << pad("CHANGE", 9) << pad("STATUS", 13) << pad("VENDOR", 24) << "PATH\n";
  std::size_t rows = 0;
  for (const auto& rec : files) {
    if (++rows > kMaxRows) {
      out << "  ... and " << files.size() - kMaxRows << " more (see --format json)\n";
      break;
    }
    out << "  " << pad(text(rec, "/trustscan/baseline/change"), 9) << pad(elide_middle(status(rec), 12), 13)
        << pad(elide_middle(terminal_safe(vendor(rec)), 23), 24)
        << elide_middle(terminal_safe(text(rec, "/file/path")), 52) << '\n';
    const ordered_json& changes = rec["trustscan"]["baseline"].value("changes", ordered_json::array());
    for (const auto& c : changes) {
      std::string field = c["field"].get<std::string>();
      std::size_t room = (100 - 11 - field.size() - 5) / 2;  // "           field: OLD -> NEW"
      out << "           " << field << ": " << elide_middle(terminal_safe(value(c["old"])), room) << " -> "
          << elide_middle(terminal_safe(value(c["new"])), room) << '\n';
    }
  }
  const ordered_json& s = doc["summary"];
  out << "\nscan: " << s["binaries"].get<std::size_t>() << " binaries, " << s["errors"].get<std::size_t>()
      << " with errors, " << s["findings"].get<std::size_t>() << " findings in total (new, changed and unchanged)\n";
}

}  // namespace trustscan::report
