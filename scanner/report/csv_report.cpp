// `--format csv`: one row per reported record, skip and unreadable path, for spreadsheets
// (RFC 4180; docs/report-schema.md, "CSV"). Every cell is a report value (record_view.hpp); a
// cell that a spreadsheet would take for a formula is defused.
#include <algorithm>
#include <array>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "report/baseline_impl.hpp"
#include "report/csv.hpp"
#include "report/record_view.hpp"
#include "report/report.hpp"
#include "report/text.hpp"

namespace trustscan::report {

std::string csv_cell(std::string_view value) {
  std::string cell;
  cell.reserve(value.size() + 3);
  // File names, signer names and version strings are chosen by whoever made the scanned file:
  // "=HYPERLINK(...)" must stay text (OWASP "CSV injection": a leading quote).
  if (!value.empty() && std::string_view("=+-@\t\r").find(value.front()) != std::string_view::npos) cell += '\'';
  cell += value;
  if (cell.find_first_of(",\"\r\n") == std::string::npos) return cell;
  std::string quoted = "\"";
  for (char c : cell) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  quoted += '"';
  return quoted;
}

namespace {

/// The columns, in order (the header row).
constexpr std::array<std::string_view, 22> kColumns = {"kind",
                                                       "path",
                                                       "format",
                                                       "type",
                                                       "privilege",
                                                       "signature_status",
                                                       "signer",
                                                       "signature_source",
                                                       "vendor_id",
                                                       "vendor",
                                                       "country",
                                                       "finding",
                                                       "severity",
                                                       "rule",
                                                       "reason",
                                                       "known_bad",
                                                       "known_bad_severity",
                                                       "sha256",
                                                       "size",
                                                       "errors",
                                                       "skip_reason",
                                                       "baseline_change"};

using Row = std::array<std::string, kColumns.size()>;

void write_row(const Row& row, std::ostream& out) {
  for (std::size_t i = 0; i < row.size(); ++i) out << (i ? "," : "") << csv_cell(row[i]);
  out << "\r\n";
}

/// The row of a record: `format` from the scanned record ("" for a gone one), the rest from its view.
Row record_row(const RecordView& v, std::string_view format, std::string_view change) {
  Row row;
  row[0] = "file";
  row[1] = v.path;
  row[2] = format;
  row[3] = v.type;
  row[4] = v.privilege;
  if (v.signature) {
    row[5] = v.signature->exists ? v.signature->status.value_or("") : "unsigned";
    row[6] = v.signature->subject_name.value_or("");
    row[7] = v.signature->source.value_or("");
  }
  if (v.vendor) {
    row[8] = v.vendor->id;
    row[9] = v.vendor->name;
  }
  row[10] = v.country.value_or("");
  if (v.finding) {
    row[11] = v.finding->status;
    row[12] = v.finding->severity.value_or("");
  }
  if (const RuleView* rule = v.first_rule()) {
    row[13] = rule->id;
    row[14] = rule->reason;
  }
  std::vector<std::string> known_bad, errors;
  for (const KnownBadView& k : v.known_bad)
    known_bad.push_back(k.dataset + ":" + k.id + (k.suppressed.empty() ? "" : " (suppressed)"));
  for (const ErrorView& e : v.errors) errors.push_back(e.stage + ": " + e.code + ": " + e.message);
  row[15] = joined(known_bad, "; ");
  row[16] = v.known_bad_severity.value_or("");
  row[17] = v.sha256.value_or("");
  row[18] = std::to_string(v.size);
  row[19] = joined(errors, "; ");
  row[21] = change;
  return row;
}

/// The rows of the records: every one, or in baseline mode the new, changed and gone ones.
void record_rows(const pipeline::ScanResult& result, const RunInfo& run, std::ostream& out) {
  if (!run.baseline) {
    for (const record::FileRecord& r : result.records)
      write_row(record_row(record_view(r), to_string(r.format), ""), out);
    return;
  }
  const BaselineDiff::Impl& b = run.baseline->impl();
  for (const BaselineDelta& d : b.diff.deltas) {
    const std::string_view format = d.current ? to_string(result.records[*d.current].format) : std::string_view();
    write_row(record_row(b.record_of(d), format, to_string(d.change)), out);
  }
}

}  // namespace

void write_csv(const pipeline::ScanResult& result, const RunInfo& run, std::ostream& out) {
  Row header;
  std::ranges::copy(kColumns, header.begin());
  write_row(header, out);
  record_rows(result, run, out);
  for (const discover::Skipped& s : result.skipped) {
    Row row;
    row[0] = "skipped";
    row[1] = utf8_escaped(s.path);
    row[20] = std::string(discover::to_string(s.reason)) + (s.detail.empty() ? "" : ": " + utf8_escaped(s.detail));
    write_row(row, out);
  }
  for (const discover::PathError& e : result.errors) {
    Row row;
    row[0] = "error";
    row[1] = utf8_escaped(e.path);
    row[19] = e.error.stage + ": " + std::string(to_string(e.error.code)) + ": " + utf8_escaped(e.error.message);
    write_row(row, out);
  }
}

}  // namespace trustscan::report
