#pragma once
/// \file
/// Writing the finished report: to standard output, or to a file through a temporary beside it.

#include <iosfwd>
#include <string>

#include "report/formats.hpp"
#include "report/report.hpp"

namespace trustscan::app {

/// Writes the report in `format` to `path`, or to `out` when `path` is empty. A regular file is
/// written via a temporary in the same directory and a rename, so a full disk or an interrupted
/// write never leaves a truncated report under the final name; a device or FIFO is written in
/// place. Returns false after telling `err` why the report could not be written.
[[nodiscard]] bool write_report(const pipeline::ScanResult& result, const report::OutputFormat& format,
                                const report::RunInfo& run, const std::string& path, std::ostream& out,
                                std::ostream& err);

}  // namespace trustscan::app
