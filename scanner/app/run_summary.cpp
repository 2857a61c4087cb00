#include "app/run_summary.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <numeric>
#include <ostream>

#include "report/text.hpp"

namespace trustscan::app {
namespace {

using report::counted;
using report::joined;
using report::seconds_text;

/// "2 findings (critical 1, high 1)", most severe first.
std::string findings_text(const pipeline::ScanSummary& s) {
  std::string text = counted(s.findings, "finding", "findings");
  std::string by;
  for (const char* severity : {"critical", "high", "medium", "low"})
    if (auto it = s.findings_by_severity.find(severity); it != s.findings_by_severity.end() && it->second > 0)
      by += (by.empty() ? "" : ", ") + std::string(severity) + " " + std::to_string(it->second);
  return by.empty() ? text : text + " (" + by + ")";
}

}  // namespace

Result<SummaryWhen> parse_summary_when(std::string_view text) {
  if (text == "auto") return SummaryWhen::Auto;
  if (text == "always") return SummaryWhen::Always;
  if (text == "never") return SummaryWhen::Never;
  return fail(Errc::Config, "--summary: expected auto, always or never, got '" + std::string(text) + "'");
}

bool stderr_is_journal() {
  const char* stream = std::getenv("JOURNAL_STREAM");
  if (!stream) return false;
  unsigned long long dev = 0, ino = 0;
  if (std::sscanf(stream, "%llu:%llu", &dev, &ino) != 2) return false;
  struct stat st {};
  return ::fstat(STDERR_FILENO, &st) == 0 && st.st_dev == dev && st.st_ino == ino;
}

std::string summary_line(const pipeline::ScanResult& result, const RunOutcome& outcome) {
  const pipeline::ScanSummary& s = result.summary;
  std::string line = "trustscan: scan ";
  if (result.interrupted_by != 0) {
    const char* name = sigabbrev_np(result.interrupted_by);
    line += "interrupted by SIG" + std::string(name ? name : std::to_string(result.interrupted_by).c_str());
  } else {
    line += result.complete() ? "complete" : "incomplete";
  }
  line += " in " + seconds_text(result.finished - result.started) + ": " + findings_text(s);
  line += ", " + counted(s.known_bad_findings, "known-bad driver", "known-bad drivers");
  if (const report::BaselineDiff* b = outcome.baseline)
    line += " (since the baseline: " + std::to_string(b->count(report::BaselineChange::New)) + " new, " +
            std::to_string(b->count(report::BaselineChange::Changed)) + " changed, " +
            std::to_string(b->count(report::BaselineChange::Gone)) + " gone)";
  const std::uint64_t skipped = std::accumulate(s.skipped.begin(), s.skipped.end(), std::uint64_t{0},
                                                [](std::uint64_t n, const auto& kv) { return n + kv.second; });
  line += ", " + counted(s.error_count, "error", "errors") + ", " + std::to_string(skipped) + " skipped, " +
          counted(s.files_scanned, "file scanned", "files scanned");
  if (!outcome.written.empty()) line += "; reports: " + joined(outcome.written);
  if (!outcome.failed.empty()) line += "; NOT WRITTEN: " + joined(outcome.failed);
  return line;
}

void write_run_summary(SummaryWhen when, const pipeline::ScanResult& result, const RunOutcome& outcome,
                       std::ostream& err) {
  if (when == SummaryWhen::Never) return;
  const bool journal = stderr_is_journal();
  if (when == SummaryWhen::Auto && !journal) return;
  if (journal) {
    const bool findings = result.summary.findings > 0 || result.summary.known_bad_findings > 0;
    const bool errors = result.summary.error_count > 0;
    err << '<' << (!outcome.failed.empty() ? 3 : findings ? 4 : errors ? 5 : 6) << '>';
  }
  err << summary_line(result, outcome) << '\n';
  err.flush();
}

}  // namespace trustscan::app
