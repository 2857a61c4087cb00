#pragma once
/// \file
/// report/ internal: the Prometheus text exposition format (version 0.0.4, what node_exporter's
/// textfile collector reads) as `--format prometheus` writes it (prometheus_report.cpp). Exposed
/// for the unit tests; write_prometheus (report.hpp) is the API.

#include <string>
#include <string_view>

namespace trustscan::report {

/// A label value between its double quotes: made valid UTF-8 (utf8_escaped), then `\` -> `\\`,
/// `"` -> `\"`, LF -> `\n` (backslash + letter), the three escapes the format defines.
[[nodiscard]] std::string prometheus_label_value(std::string_view s);

/// A `# HELP` docstring: `\` -> `\\`, LF -> `\n` (a quote needs no escape there).
[[nodiscard]] std::string prometheus_help_text(std::string_view s);

/// A sample value: integers as written, fractions in the shortest form that reads back the same.
[[nodiscard]] std::string prometheus_number(double value);

}  // namespace trustscan::report
