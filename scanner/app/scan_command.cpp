#include "app/scan_command.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <iterator>
#include <new>
#include <optional>
#include <ostream>

#include "app/dated_path.hpp"
#include "app/exit_codes.hpp"
#include "app/output_spec.hpp"
#include "app/progress.hpp"
#include "app/report_output.hpp"
#include "app/run_summary.hpp"
#include "app/table_view.hpp"
#include "cache/scan_cache.hpp"
#include "pipeline/engine.hpp"
#include "pipeline/memory_budget.hpp"
#include "report/baseline.hpp"
#include "report/formats.hpp"
#include "report/report.hpp"
#include "report/syslog_sink.hpp"

namespace trustscan::app {
namespace {

std::string hostname() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0) return "unknown";
  return buf;
}

/// SIGINT/SIGTERM: stop the scan and still write a complete report marked incomplete. The handler
/// only stores the signal number; a second signal acts as the default (SA_RESETHAND) and kills.
std::atomic<int> g_stop_signal{0};
static_assert(std::atomic<int>::is_always_lock_free);

extern "C" void on_stop_signal(int signo) { g_stop_signal.store(signo); }

void install_stop_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESETHAND | SA_RESTART;
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);
}

/// True when `inner` lies below the directory `outer` (both as they resolve now).
bool lies_below(const std::filesystem::path& inner, const std::string& outer) {
  std::error_code ec;
  if (!std::filesystem::is_directory(outer, ec)) return false;
  const auto dir = std::filesystem::weakly_canonical(outer, ec);
  if (ec) return false;
  const auto file = std::filesystem::weakly_canonical(std::filesystem::absolute(inner, ec), ec);
  if (ec) return false;
  auto [d, f] = std::mismatch(dir.begin(), dir.end(), file.begin(), file.end());
  return d == dir.end() || (std::next(d) == dir.end() && d->empty());  // "/" and "a/" end in an empty element
}

/// --max-memory: RLIMIT_AS makes an oversized allocation fail (std::bad_alloc, caught per file)
/// instead of inviting the OOM killer. Address space, not RSS: leave room for thread stacks and
/// mappings.
Result<void> cap_memory(std::uint64_t max_memory) {
  if (max_memory == 0) return {};
  struct rlimit lim {
    static_cast<rlim_t>(max_memory), static_cast<rlim_t>(max_memory)
  };
  if (::setrlimit(RLIMIT_AS, &lim) != 0)
    return fail(Errc::Config, std::string("--max-memory: ") + std::strerror(errno));
  return {};
}

/// What the report needs besides the scan: a baseline to compare with, a syslog receiver. Both
/// are checked before the scan, so a bad one fails at once (exit 2).
struct ReportInputs {
  std::optional<report::Baseline> baseline;
  std::optional<report::SyslogOptions> syslog;
};

Result<ReportInputs> load_report_inputs(const ScanArgs& args, const std::vector<OutputSpec>& outputs,
                                        bool syslog_facility_given) {
  ReportInputs in;
  for (const OutputSpec& o : outputs)
    if (!args.baseline_file.empty() && !o.format.baseline)
      return fail(Errc::Config, "--format " + std::string(o.format.name) + " has no baseline mode");
  if (args.keep > 0 && std::ranges::none_of(outputs, [](const OutputSpec& o) { return is_dated_pattern(o.path); }))
    return fail(Errc::Config, "--keep needs a dated report, -o FORMAT=FILE with a placeholder such as %Y%m%dT%H%M%SZ");
  if (!args.baseline_file.empty()) {
    auto loaded = report::Baseline::load(args.baseline_file);
    if (!loaded) return std::unexpected(loaded.error());
    in.baseline = std::move(*loaded);
  }
  if (args.syslog_text.empty() && (args.syslog_all || syslog_facility_given))
    return fail(Errc::Config, "--syslog-all and --syslog-facility need --syslog TARGET");
  if (!args.syslog_text.empty()) {
    auto target = report::parse_syslog_target(args.syslog_text);
    auto facility = report::parse_syslog_facility(args.syslog_facility);
    if (!target) return std::unexpected(target.error());
    if (!facility) return std::unexpected(facility.error());
    in.syslog = report::SyslogOptions{*target, *facility, args.syslog_all};
  }
  return in;
}

/// Runs the pipeline, with the progress line on a terminal (the stream must be the process's
/// standard error) unless --quiet; prints the cache's notes.
Result<pipeline::ScanResult> scan_with_progress(pipeline::ScanOptions& opt, const ScanArgs& args, std::ostream& err) {
  std::optional<ProgressLine> progress;
  if (!args.quiet && err.rdbuf() == std::cerr.rdbuf() && ::isatty(STDERR_FILENO)) {
    progress.emplace(err, ProgressLine::terminal_width(STDERR_FILENO));
    opt.progress = [&progress](const pipeline::ScanProgress& p) { progress->update(p); };
  }
  Result<pipeline::ScanResult> scanned = fail(Errc::Internal, "no scan");
  try {
    // The CLI is one client of the engine (issue 19): pipeline::scan loads it and runs one scan.
    scanned = pipeline::scan(opt);
  } catch (const std::bad_alloc&) {  // outside any file's boundary: loading rules, anchors, keys
    progress.reset();
    opt.progress = nullptr;
    return fail(Errc::Internal, std::string("out of memory before or after the per-file stages") +
                                    (args.max_memory ? " (--max-memory is too low for this scan)" : ""));
  }
  progress.reset();  // erases the line before anything else is written
  opt.progress = nullptr;
  if (scanned)
    for (const std::string& note : scanned->cache_notes) err << "trustscan: " << note << '\n';
  return scanned;
}

int usage_error(std::ostream& err, const Error& e) {
  err << "trustscan: " << e.message << '\n';
  return static_cast<int>(ExitCode::Usage);
}

/// Every output of the scan; the exit code.
int write_reports(const ScanArgs& args, const ScanPlan& plan, const std::vector<OutputSpec>& outputs,
                  const ReportInputs& inputs, SummaryWhen summary_when, const pipeline::ScanResult& result,
                  std::ostream& out, std::ostream& err) {
  std::optional<report::BaselineDiff> diff;
  if (inputs.baseline) diff = report::BaselineDiff::compare(*inputs.baseline, result);
  report::RunInfo run{TRUSTSCAN_VERSION, hostname(), diff ? &*diff : nullptr, args.table};
  run.exit_code = exit_code_for(result, plan.fail_on, run.baseline);  // the state output records it (issue 19)
  // Every output from the same result, named by the scan's start (dated reports).
  const RunOutcome outcome = write_outputs(outputs, result, run, std::chrono::system_clock::to_time_t(result.started),
                                           args.keep, out, err);
  write_run_summary(summary_when, result, outcome, err);
  if (inputs.syslog) {  // after the report: it is written even when the receiver is not there
    auto sent = report::send_syslog(result, run, *inputs.syslog);
    if (!sent) return usage_error(err, sent.error());
  }
  if (!outcome.failed.empty()) return static_cast<int>(ExitCode::Usage);
  return *run.exit_code;
}

/// Leaves the scan's result to the end of the process. A scan command is followed by the
/// process's exit, which gives the memory back at once, while freeing it record by record (every
/// string and vector of every record, on one thread) was 5 % of the CPU of a cached re-scan of
/// the real tree (perf: ~ScanResult). The last result stays reachable (a leak checker does not
/// count it); another scan in the same process frees the one before.
void keep_until_exit(pipeline::ScanResult&& result) {
  static pipeline::ScanResult* last = nullptr;  // a plain pointer: no destructor at exit
  try {
    auto* kept = new pipeline::ScanResult(std::move(result));
    delete last;
    last = kept;
  } catch (const std::bad_alloc&) {  // then it is freed as usual
  }
}

}  // namespace

int run_scan(const ScanArgs& args, bool syslog_facility_given, std::ostream& out, std::ostream& err) {
  auto plan = to_scan_plan(args);
  if (!plan) return usage_error(err, plan.error());
  pipeline::ScanOptions& opt = plan->opt;
  // A re-scan: the cache holds results of this very program, most files will come from it.
  const bool rescan = opt.cache_file && cache::ScanCache::holds_results_of_this_program(*opt.cache_file);
  // Before any thread: a re-scan's workers mostly decode cached records, an arena each suits them
  // (not under --max-memory: each arena reserves 64 MiB of the address space it limits).
  if (rescan && args.max_memory == 0) pipeline::use_malloc_arenas(pipeline::MallocArenas::PerThread);
  // A re-scan compiles the rules only if a file needs them (pipeline/rules_on_demand.hpp); a first
  // scan while the engine loads, beside the vendor list.
  opt.context.rules_on_demand = rescan;
  if (auto capped = cap_memory(args.max_memory); !capped) return usage_error(err, capped.error());
  if (opt.cache_file)
    for (const std::string& root : opt.roots)
      if (lies_below(*opt.cache_file, root))
        err << "trustscan: warning: the --cache file " << args.cache_file << " is inside the scanned tree " << root
            << ": it is written there (and not scanned itself)\n";
  opt.stop = &g_stop_signal;
  install_stop_handlers();
  // Issue 20: several outputs, one scan. Issue 8: a bad baseline or syslog target fails before the scan (exit 2).
  auto outputs = parse_outputs(args.outputs, args.format_name, args.format_given);
  if (!outputs) return usage_error(err, outputs.error());
  auto summary_when = parse_summary_when(args.summary_when);
  if (!summary_when) return usage_error(err, summary_when.error());
  auto inputs = load_report_inputs(args, *outputs, syslog_facility_given);
  if (!inputs) return usage_error(err, inputs.error());

  auto scanned = scan_with_progress(opt, args, err);
  if (!scanned) return usage_error(err, scanned.error());
  const int code = write_reports(args, *plan, *outputs, *inputs, *summary_when, *scanned, out, err);
  keep_until_exit(std::move(*scanned));
  return code;
}

}  // namespace trustscan::app
