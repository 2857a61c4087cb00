#pragma once
/// \file
/// `trustscan check` (issue 19): a monitoring plugin by the Monitoring Plugins guidelines, for
/// Nagios, Icinga 2, Naemon and the like, and the value source of the Zabbix items. It reads the
/// state the scheduled scan wrote (`-o state=FILE`; report/state.hpp) or, with --scan, scans
/// itself within its --timeout; it prints one status line with performance data and the
/// findings, and exits 0 OK, 1 WARNING, 2 CRITICAL or 3 UNKNOWN (bad options, a missing or
/// damaged state, a timeout). docs/monitoring.md describes it; cli.cpp registers it.

#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

#include "app/scan_options.hpp"

namespace CLI {
class App;
}

namespace trustscan::app {

/// Where the shipped systemd unit writes the state (packaging/systemd/trustscan.service).
inline constexpr std::string_view kDefaultStatePath = "/var/lib/trustscan/state.json";

/// What `check` was given.
struct CheckCommand {
  CLI::App* app = nullptr;  ///< `trustscan check`
  std::string state_file{kDefaultStatePath};
  std::vector<std::string> scan_roots;  ///< --scan ROOT...: scan instead of reading the state
  std::string warning, critical = "0";  ///< -w, -c: ranges on the number of findings
  std::int64_t max_age = 172'800;       ///< --max-age seconds, two days (0: never stale)
  std::string stale = "warning";        ///< --stale warning|critical
  double timeout = 10;                  ///< -t seconds
  std::string zabbix_key;               ///< --zabbix KEY: print that item's value instead
  ScanArgs args;                        ///< --scan: the options shared with scan (add_context_options)
};

/// Adds `check` to `app`; `cmd` receives the values once parsed.
void add_check_command(CLI::App& app, CheckCommand& cmd);

/// Runs `check`; returns the plugin's exit status (0-3).
[[nodiscard]] int run_check(CheckCommand& cmd, std::ostream& out, std::ostream& err);

/// A command-line error of `check`: an UNKNOWN line on `out` (a plugin's standard error is not
/// shown by the monitoring system); returns 3.
[[nodiscard]] int check_usage_error(std::string_view message, std::ostream& out);

}  // namespace trustscan::app
