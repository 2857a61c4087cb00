#pragma once
/// \file
/// The run's summary on standard error — one line with the counts an operator needs (findings
/// by severity, known-bad drivers, errors, skips, duration, where the reports went) — so that a
/// timer scan leaves its result in the journal (systemd sends a service's standard error there).
/// Written when standard error is the journal (`--summary auto`, the default: not on a terminal,
/// not into a pipe that a script expects to stay quiet), or always/never as asked.

#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "pipeline/pipeline.hpp"
#include "report/baseline.hpp"

namespace trustscan::app {

enum class SummaryWhen { Auto, Always, Never };

/// `--summary WHEN`: auto, always or never (Errc::Config otherwise).
[[nodiscard]] Result<SummaryWhen> parse_summary_when(std::string_view text);

/// True when standard error is the systemd journal: $JOURNAL_STREAM names the device and inode
/// of this process's standard error (sd_journal_stream_fd(3), systemd.exec(5)).
[[nodiscard]] bool stderr_is_journal();

/// What the summary reports besides the result.
struct RunOutcome {
  std::vector<std::string> written;  ///< the outputs written (OutputSpec::label with the expanded file)
  std::vector<std::string> failed;   ///< the outputs that could not be written
  const report::BaselineDiff* baseline = nullptr;
};

/// The summary line, without a newline: "trustscan: scan complete in 2.5 s: 2 findings (critical 1,
/// high 1), 0 known-bad drivers, 1 error, 3 skipped, 120 files scanned; reports: json=/r.json".
[[nodiscard]] std::string summary_line(const pipeline::ScanResult& result, const RunOutcome& outcome);

/// Writes the summary line to `err` when `when` says so (Auto: stderr_is_journal()). On the
/// journal it starts with the syslog priority the journal reads (SyslogLevelPrefix=): <3> when an
/// output failed, <4> with findings, <5> with errors, <6> otherwise.
void write_run_summary(SummaryWhen when, const pipeline::ScanResult& result, const RunOutcome& outcome,
                       std::ostream& err);

}  // namespace trustscan::app
