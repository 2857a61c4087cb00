#pragma once
/// \file
/// Writing the finished reports: to standard output, or to files through a temporary beside each.

#include <cstddef>
#include <ctime>
#include <iosfwd>
#include <string>
#include <vector>

#include "app/output_spec.hpp"
#include "app/run_summary.hpp"

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

/// Writes every output of the run from the same result, each whatever happened to the others
/// (a failure is told on `err`, naming the output): dated file names are expanded with `when`
/// (UTC), and after each dated report is written, `keep` > 0 prunes the older reports of its
/// pattern (dated_path.hpp). Returns which outputs were written and which failed.
[[nodiscard]] RunOutcome write_outputs(const std::vector<OutputSpec>& outputs, const pipeline::ScanResult& result,
                                       const report::RunInfo& run, std::time_t when, std::size_t keep,
                                       std::ostream& out, std::ostream& err);

}  // namespace trustscan::app
