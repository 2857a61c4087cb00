// The table of output formats (formats.hpp).
#include "report/formats.hpp"

#include <algorithm>
#include <ostream>

#include "report/state.hpp"

namespace trustscan::report {
namespace {

// THE list: the CLI, the man page and the completions read it; the first row is the default.
constexpr OutputFormat kFormats[] = {
    {"table", "a summary for people",
     "A summary for people at the terminal's width (COLUMNS, or no limit into a file or a pipe), nothing cut: "
     "findings by vendor with their evidence, the other kernel and boot binaries with their vendor and country, "
     "errors and skipped paths (--limit, --findings-only).",
     write_table, false, true},
    {"json", "one document", "One JSON document: the scan, its summary, the findings and every record.", write_json,
     false, true},
    {"ndjson", "one ECS event per line",
     "One Elastic Common Schema event per line for a SIEM: findings are events of kind alert, the last line is the "
     "scan summary.",
     write_ndjson, true, true},
    {"cef", "one ArcSight CEF line per finding", "One ArcSight CEF line per finding, nothing when there is none.",
     write_cef, true, true},
    {"csv", "one spreadsheet row per record",
     "CSV for spreadsheets with a header row: one row per binary, listed skip and unreadable path (RFC 4180, cells "
     "that would start a formula are prefixed with a quote).",
     write_csv, false, true},
    {"prometheus", "metrics for node_exporter",
     "Prometheus metrics in the text exposition format for the textfile collector of node_exporter (a FILE whose "
     "name ends in .prom): findings by severity, kernel binaries by signature status, errors, the time, duration "
     "and completeness of the scan, the version, policy and data sets. Under --baseline also the counts of new, "
     "changed and gone records.",
     write_prometheus, false, true, true, ".prom", "node_exporter's textfile collector reads only files named *.prom"},
    {"state", "a small JSON state for monitoring checks",
     "A small JSON document for monitoring checks (trustscan check and the Zabbix items) with the scan times, "
     "completeness and exit code, the counts, the data set versions and the findings (at most 100 listed). Always "
     "the whole scan, no baseline mode.",
     write_state, false, false, true},
};

}  // namespace

std::span<const OutputFormat> output_formats() noexcept { return kFormats; }

std::optional<OutputFormat> find_output_format(std::string_view name) noexcept {
  auto it = std::ranges::find(kFormats, name, &OutputFormat::name);
  if (it == std::end(kFormats)) return std::nullopt;
  return *it;
}

std::vector<std::string> output_format_names() {
  std::vector<std::string> out;
  for (const OutputFormat& f : kFormats) out.emplace_back(f.name);
  return out;
}

std::string output_formats_help() {
  std::string out;
  for (std::size_t i = 0; i < std::size(kFormats); ++i) {
    if (i > 0) out += i + 1 == std::size(kFormats) ? " or " : ", ";
    out.append(kFormats[i].name).append(" (").append(kFormats[i].summary).append(")");
  }
  return out;
}

void print_output_formats(std::ostream& out) {
  for (const OutputFormat& f : kFormats)
    out << f.name << '\t' << f.summary << '\t' << f.description << '\t' << (f.line_per_event ? "yes" : "no") << '\t'
        << (f.baseline ? "yes" : "no") << '\n';
}

}  // namespace trustscan::report
