// The table in baseline mode: only what changed since the previous report, for people. Reads the
// same deltas and report views as the JSON and NDJSON writers; laid out at the table's width with
// nothing cut (text_layout.hpp); every string that came from a scanned file (or from the previous
// report) is made terminal-safe.
#include <algorithm>
#include <cstdio>
#include <ostream>
#include <string>

#include "report/baseline_impl.hpp"
#include "report/text.hpp"
#include "report/text_layout.hpp"

namespace trustscan::report {
namespace {

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

void write_rows(const BaselineDiff::Impl& b, const TableOptions& t, TextOut& out) {
  const auto& deltas = b.diff.deltas;
  if (deltas.empty()) return out.line("  none");
  const std::size_t shown = t.limit ? std::min(*t.limit, deltas.size()) : deltas.size();
  RowTable rows(2, {"CHANGE", "STATUS", "VENDOR"});
  for (std::size_t i = 0; i < shown; ++i) {
    const RecordView& rec = b.record_of(deltas[i]);
    rows.add({std::string(to_string(deltas[i].change)), terminal_safe(status(rec)), terminal_safe(vendor(rec))},
             terminal_safe(rec.path));
  }
  rows.write_header(out);
  for (std::size_t i = 0; i < shown; ++i) {
    rows.write_row(out, i);
    for (const FieldChange& c : deltas[i].changes)
      out.prose(11, std::string(c.field) + ": ",
                terminal_safe(value(c.old_value)) + " -> " + terminal_safe(value(c.new_value)));
  }
  if (shown < deltas.size())
    out.prose(2, "",
              "... " + std::to_string(deltas.size() - shown) + " more not shown (--limit " + std::to_string(shown) +
                  "; the JSON report lists them all)");
}

}  // namespace

void write_baseline_table(const pipeline::ScanResult& result, const RunInfo& run, std::ostream& stream) {
  const BaselineDiff::Impl& b = run.baseline->impl();
  const std::optional<std::string>& end = b.previous->head.end;
  TextOut out(stream, run.table.width);
  out.prose(0, "trustscan " + run.tool_version + " on ", terminal_safe(run.hostname) + ", baseline mode");
  out.item(0, "baseline: ", terminal_safe(utf8_escaped(b.previous->path)),
           "(scan ended " + terminal_safe(end.value_or("?")) + ")");
  out.prose(0, "CHANGES SINCE THE BASELINE: ",
            std::to_string(b.counts[0]) + " new, " + std::to_string(b.counts[1]) + " changed, " +
                std::to_string(b.counts[2]) + " gone; " + std::to_string(b.diff.unchanged) +
                " unchanged; findings among new and changed: " + std::to_string(b.findings));
  write_rows(b, run.table, out);
  const pipeline::ScanSummary& s = result.summary;
  out.blank();
  out.prose(0, "scan: ",
            std::to_string(s.binaries) + " binaries, " + std::to_string(s.error_count) + " with errors, " +
                std::to_string(s.findings) + " findings in total (new, changed and unchanged)");
}

}  // namespace trustscan::report
