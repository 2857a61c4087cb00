// The table in baseline mode: only what changed since the previous report, for people. Reads the
// same deltas and report views as the JSON and NDJSON writers; fits 100 columns; every string that
// came from a scanned file (or from the previous report) is made terminal-safe.
#include <cstdio>
#include <ostream>
#include <string>

#include "report/baseline_impl.hpp"
#include "report/text.hpp"

namespace trustscan::report {
namespace {

constexpr std::size_t kMaxRows = 200;  // the JSON report has them all

std::string pad(std::string s, std::size_t width) {
  std::size_t cols = 0;
  for (unsigned char c : s) cols += (c & 0xc0) != 0x80;
  if (cols < width) s.append(width - cols, ' ');
  return s;
}

/// The severity for a finding, else the verdict status ("no_match", "suppressed", ...), "-" when
/// unattributed.
std::string status(const RecordView& rec) {
  if (!rec.finding) return "-";
  if (rec.finding->status == "finding") return rec.finding->severity.value_or("");
  return rec.finding->status.empty() ? "-" : rec.finding->status;
}

std::string vendor(const RecordView& rec) {
  if (!rec.vendor || rec.vendor->name.empty()) return "-";
  return rec.vendor->name + " (" + (rec.country && !rec.country->empty() ? *rec.country : "-") + ")";
}

std::string value(const std::optional<std::string>& v) { return v.value_or("(none)"); }

void write_rows(const BaselineDiff::Impl& b, std::ostream& out) {
  const auto& deltas = b.diff.deltas;
  if (deltas.empty()) out << "  none\n";
  else out << "  " << pad("CHANGE", 9) << pad("STATUS", 13) << pad("VENDOR", 24) << "PATH\n";
  std::size_t rows = 0;
  for (const BaselineDelta& d : deltas) {
    if (++rows > kMaxRows) {
      out << "  ... and " << deltas.size() - kMaxRows << " more (see --format json)\n";
      break;
    }
    const RecordView& rec = b.record_of(d);
    out << "  " << pad(std::string(to_string(d.change)), 9) << pad(elide_middle(status(rec), 12), 13)
        << pad(elide_middle(terminal_safe(vendor(rec)), 23), 24) << elide_middle(terminal_safe(rec.path), 52) << '\n';
    for (const FieldChange& c : d.changes) {
      std::size_t room = (100 - 11 - c.field.size() - 5) / 2;  // "           field: OLD -> NEW"
      out << "           " << c.field << ": " << elide_middle(terminal_safe(value(c.old_value)), room) << " -> "
          << elide_middle(terminal_safe(value(c.new_value)), room) << '\n';
    }
  }
}

}  // namespace

void write_baseline_table(const pipeline::ScanResult& result, const RunInfo& run, std::ostream& out) {
  const BaselineDiff::Impl& b = run.baseline->impl();
  const std::optional<std::string>& end = b.previous->head.end;
  out << "trustscan " << run.tool_version << " on " << elide_middle(terminal_safe(run.hostname), 40)
      << ", baseline mode\n";
  out << "baseline: " << elide_middle(terminal_safe(utf8_escaped(b.previous->path)), 60) << " (scan ended "
      << terminal_safe(end.value_or("?")) << ")\n";
  out << "CHANGES SINCE THE BASELINE: " << b.counts[0] << " new, " << b.counts[1] << " changed, " << b.counts[2]
      << " gone; " << b.diff.unchanged << " unchanged; findings among new and changed: " << b.findings << '\n';
  write_rows(b, out);
  const pipeline::ScanSummary& s = result.summary;
  out << "\nscan: " << s.binaries << " binaries, " << s.error_count << " with errors, " << s.findings
      << " findings in total (new, changed and unchanged)\n";
}

}  // namespace trustscan::report
