#pragma once
/// \file
/// The only place exit codes are decided (documented in README.md, "Exit codes", and the man page).

#include "pipeline/pipeline.hpp"
#include "policy/evaluator.hpp"
#include "report/baseline.hpp"

namespace trustscan::app {

enum class ExitCode : int {
  Clean = 0,     ///< scan complete, nothing flagged, nothing left unread (malformed files may be listed)
  Findings = 1,  ///< flagged software found (vendor policy; issue 5)
  Usage = 2,     ///< bad command line, configuration, rule or list file; or output could not be
                 ///< written, or sent (--syslog)
  /// scan completed, but something that should have been read could not be (an error of kind
  /// `read`: I/O, permission, timeout, memory cap, an unreadable image; core/error_kind.hpp). A
  /// file read but malformed is listed with its error and does not by itself exit 3.
  FileErrors = 3,
  /// `trustscan data`: a data set could not be imported or fetched (or its files are damaged);
  /// the installed one stays in use.
  DataFailed = 4,
  /// Interrupted by a signal: 128 + the signal number (130 for SIGINT, 143 for SIGTERM), as a
  /// shell reports a killed command; the report was still written, marked incomplete.
  InterruptedBase = 128,
};

/// Findings at or above `fail_on` win over file errors: an operator must see a flagged driver
/// even when some other file was unreadable. In baseline mode only new and changed records count
/// (an unchanged finding was reported before; a gone one is no longer there). An interrupted scan
/// exits 128 + the signal number whatever it found: its report is incomplete.
[[nodiscard]] inline int exit_code_for(const pipeline::ScanResult& result, const policy::FailOn& fail_on,
                                       const report::BaselineDiff* baseline = nullptr) {
  if (result.interrupted_by != 0) return static_cast<int>(ExitCode::InterruptedBase) + result.interrupted_by;
  for (std::size_t i = 0; i < result.records.size(); ++i) {
    const auto& r = result.records[i];
    if (baseline && !baseline->change_of(i)) continue;
    if (r.verdict && policy::fails(fail_on, *r.verdict)) return static_cast<int>(ExitCode::Findings);
    if (r.known_bad_severity && fail_on.fails(*r.known_bad_severity)) return static_cast<int>(ExitCode::Findings);
  }
  return static_cast<int>(result.summary.read_errors > 0 ? ExitCode::FileErrors : ExitCode::Clean);
}

}  // namespace trustscan::app
