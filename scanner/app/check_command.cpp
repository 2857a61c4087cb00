#include "app/check_command.hpp"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <ostream>
#include <sstream>
#include <thread>

#include <CLI/CLI.hpp>

#include "app/check_status.hpp"
#include "app/exit_codes.hpp"
#include "datasets/dataset_io.hpp"
#include "report/state.hpp"

namespace trustscan::app {
namespace {

constexpr int kUnknown = static_cast<int>(CheckStatus::Unknown);

/// "0.5", "10": seconds as given.
std::string seconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", s);
  return buf;
}

/// The plugin's own time budget (--timeout): at 90 % of it the scan is asked to stop (the result
/// is then incomplete: UNKNOWN); if the answer has not been printed when the budget is over, the
/// watchdog prints the UNKNOWN line itself and ends the process — a monitoring system kills a
/// plugin that overruns and then shows no output at all.
class Watchdog {
 public:
  Watchdog(std::chrono::milliseconds budget, std::atomic<int>& stop, std::ostream& out)
      : thread_([this, budget, &stop, &out] { watch(budget, stop, out); }) {}
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;
  ~Watchdog() {
    {
      std::lock_guard lock(mutex_);
      done_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  /// Held while the answer is printed: from then on the watchdog stays silent.
  [[nodiscard]] std::unique_lock<std::mutex> answer() {
    std::unique_lock lock(mutex_);
    done_ = true;
    return lock;
  }

 private:
  void watch(std::chrono::milliseconds budget, std::atomic<int>& stop, std::ostream& out) {
    const auto start = std::chrono::steady_clock::now();
    std::unique_lock lock(mutex_);
    if (cv_.wait_until(lock, start + budget * 9 / 10, [this] { return done_; })) return;
    stop.store(SIGALRM);
    if (cv_.wait_until(lock, start + budget, [this] { return done_; })) return;
    out << unknown_output("timed out after " + seconds(static_cast<double>(budget.count()) / 1000) + " s (--timeout)");
    out.flush();
    std::_Exit(kUnknown);
  }
  std::mutex mutex_;
  std::condition_variable cv_;
  bool done_ = false;
  std::thread thread_;  // last: started once the members it uses exist
};

Result<report::MonitorState> read_state_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return fail(Errc::Io, "cannot read the state " + path + ": " + std::strerror(errno) +
                              " (the scan writes it with -o state=FILE)");
  std::ostringstream text;
  text << in.rdbuf();
  auto state = report::parse_state(text.str());
  if (!state) return fail(Errc::Malformed, "the state " + path + ": " + state.error().message);
  return state;
}

Result<report::MonitorState> scan_state(CheckCommand& cmd, const std::atomic<int>& stop) {
  cmd.args.opt.roots = cmd.scan_roots;
  cmd.args.file_timeout = std::min(cmd.args.file_timeout, cmd.timeout);
  auto plan = to_scan_plan(cmd.args);
  if (!plan) return std::unexpected(plan.error());
  plan->opt.stop = &stop;
  auto result = pipeline::scan(plan->opt);
  if (!result) return std::unexpected(result.error());
  if (stop.load() != 0)
    return fail(Errc::Timeout, "the scan did not finish within --timeout " + seconds(cmd.timeout) + " s");
  report::RunInfo run{TRUSTSCAN_VERSION, {}, nullptr, {}, exit_code_for(*result, plan->fail_on)};
  return report::monitor_state(*result, run);
}

Result<CheckSettings> check_settings(const CheckCommand& cmd) {
  CheckSettings s;
  if (!cmd.warning.empty()) {
    auto w = parse_threshold_range(cmd.warning);
    if (!w) return std::unexpected(w.error());
    s.warning = *w;
  }
  if (!cmd.critical.empty()) {
    auto c = parse_threshold_range(cmd.critical);
    if (!c) return std::unexpected(c.error());
    s.critical = *c;
  }
  if (cmd.max_age < 0) return fail(Errc::Config, "--max-age must be 0 (never stale) or more seconds");
  s.max_age = cmd.max_age;
  s.stale = cmd.stale == "critical" ? CheckStatus::Critical : CheckStatus::Warning;
  if (!cmd.zabbix_key.empty())  // a misspelt key is told as such, whatever the state
    if (auto known = zabbix_value(cmd.zabbix_key, {}, {}); !known) return std::unexpected(known.error());
  return s;
}

/// Prints what was asked for (the plugin output or a Zabbix value); returns the exit status.
int answer(const CheckCommand& cmd, const Result<report::MonitorState>& state, const CheckSettings& settings,
           std::ostream& out) {
  if (!state) {
    // Zabbix: the status item is 3 (UNKNOWN) too; every other item gets the message (not a number:
    // the item turns unsupported, showing why).
    out << (cmd.zabbix_key == "status" ? "3\n" : unknown_output(state.error().message));
    return kUnknown;
  }
  const CheckResult result = decide(*state, settings, datasets::now_unix());
  if (!cmd.zabbix_key.empty()) {
    auto value = zabbix_value(cmd.zabbix_key, *state, result);
    out << (value ? *value + '\n' : unknown_output(value.error().message));
    return value ? 0 : kUnknown;
  }
  out << plugin_output(*state, settings, result);
  return static_cast<int>(result.status);
}

}  // namespace

void add_check_command(CLI::App& app, CheckCommand& cmd) {
  cmd.app = app.add_subcommand("check",
                               "Monitoring plugin: the state of the last scan as OK, WARNING, CRITICAL or "
                               "UNKNOWN (Nagios, Icinga 2; Zabbix items)");
  CLI::App& c = *cmd.app;
  c.add_option("--state", cmd.state_file, "The state the scan wrote with -o state=FILE")->capture_default_str();
  c.add_option("--scan", cmd.scan_roots, "Scan these roots now (within --timeout) instead of reading the state")
      ->excludes("--state");
  c.add_option("-w,--warning", cmd.warning,
               "WARNING when the number of findings is outside this range (N, N:, ~:N, "
               "N:M, @N:M); default none");
  c.add_option("-c,--critical", cmd.critical, "CRITICAL when the number of findings is outside this range")
      ->capture_default_str();
  c.add_option("--max-age", cmd.max_age, "A scan that finished more than this many seconds ago is stale (0: never)")
      ->capture_default_str();
  c.add_option("--stale", cmd.stale, "The status of a stale scan")
      ->check(CLI::IsMember({"warning", "critical"}))
      ->capture_default_str();
  c.add_option("-t,--timeout", cmd.timeout, "UNKNOWN when no answer within this many seconds")
      ->check(CLI::Range(0.1, 86400.0))
      ->capture_default_str();
  c.add_option("--zabbix", cmd.zabbix_key,
               "Print one Zabbix item instead: findings, kernel_binaries, unsigned_kernel, read_errors, scan_age, "
               "status or discovery");
  add_context_options(c, cmd.args);
}

int run_check(CheckCommand& cmd, std::ostream& out, std::ostream& /*err*/) {
  auto settings = check_settings(cmd);
  if (!settings) return check_usage_error(settings.error().message, out);
  std::atomic<int> stop{0};
  const auto budget = std::chrono::milliseconds(static_cast<std::int64_t>(cmd.timeout * 1000));
  Watchdog watchdog(budget, stop, out);
  const Result<report::MonitorState> state = cmd.scan_roots.empty() ? read_state_file(cmd.state_file)
                                                                    : scan_state(cmd, stop);
  const auto lock = watchdog.answer();
  const int status = answer(cmd, state, *settings, out);
  out.flush();
  return status;
}

int check_usage_error(std::string_view message, std::ostream& out) {
  out << unknown_output(message);
  return kUnknown;
}

}  // namespace trustscan::app
