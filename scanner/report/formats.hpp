#pragma once
/// \file
/// THE list of output formats. The CLI's `--format` choices, its help text (app/scan_options.cpp)
/// and its dispatch (app/report_output.cpp) come from it; the man page and the shell completions
/// are filled from it at build time (`trustscan __formats` prints it; cmake/format_docs.cmake
/// writes docs/man/trustscan.1.in and packaging/completion/*.in into the build tree). Adding a
/// format is one writer function (report.hpp) and one row here (formats.cpp).

#include <iosfwd>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "report/report.hpp"

namespace trustscan::report {

/// Writes the whole report of a finished scan (baseline mode when RunInfo::baseline is set).
using ReportWriter = void (*)(const pipeline::ScanResult& result, const RunInfo& run, std::ostream& out);

/// One output format.
struct OutputFormat {
  std::string_view name;     ///< the `--format` value
  /// One short phrase: the CLI help and the zsh completion. Plain text: no tab, newline, `;`,
  /// `"`, `'`, `:`, `\` or leading `-` (tests/unit/report/formats_test.cpp).
  std::string_view summary;
  std::string_view description;  ///< a sentence or two for the man page (same characters allowed)
  ReportWriter write = nullptr;
  /// One self-contained line per event, the summary last: the output can be appended to a log,
  /// piped or sent to a SIEM as it comes (ndjson, cef).
  bool line_per_event = false;
  /// Reduces itself to the new, changed and gone records under `--baseline` (prometheus: adds
  /// their counts to the metrics of the whole scan).
  bool baseline = false;
  /// A file other daemons' users read (state: the monitoring agents; prometheus: node_exporter):
  /// written 0644 whatever the umask. Such files hold counts and findings, never the report.
  bool readable_by_all = false;
  /// A regular file written in this format must be named with this suffix, and why (prometheus:
  /// node_exporter's textfile collector reads only *.prom). Empty: any name.
  std::string_view file_suffix{};
  std::string_view file_suffix_reason{};

  friend bool operator==(const OutputFormat&, const OutputFormat&) = default;
};

/// Every format, the default (`table`) first.
[[nodiscard]] std::span<const OutputFormat> output_formats() noexcept;

/// The format called `name`, nullopt for none.
[[nodiscard]] std::optional<OutputFormat> find_output_format(std::string_view name) noexcept;

/// The `--format` values, in table order.
[[nodiscard]] std::vector<std::string> output_format_names();

/// The formats for the CLI help: "table (a summary for people), json (one document), ... or cef (...)".
[[nodiscard]] std::string output_formats_help();

/// `trustscan __formats`: one line per format, tab-separated — name, summary, description,
/// line_per_event and baseline as "yes"/"no" — for the build to fill the man page and completions.
void print_output_formats(std::ostream& out);

}  // namespace trustscan::report
