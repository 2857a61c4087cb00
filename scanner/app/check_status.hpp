#pragma once
/// \file
/// `trustscan check` (issue 19) decides a Monitoring Plugins status from a monitoring state
/// (report/state.hpp) and prints the plugin output: one status line with performance data, then
/// the findings as long output, all under 8 KiB. Pure functions of the state, the settings and
/// the time (unit-tested); app/check_command.cpp reads the state or scans, and prints.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app/check_range.hpp"
#include "core/error.hpp"
#include "report/state.hpp"

namespace trustscan::app {

/// The Monitoring Plugins return codes: the status is the exit code.
enum class CheckStatus : int { Ok = 0, Warning = 1, Critical = 2, Unknown = 3 };

/// "OK", "WARNING", "CRITICAL", "UNKNOWN".
[[nodiscard]] std::string_view to_string(CheckStatus s) noexcept;

/// Output of a plugin is cut to this many bytes (Nagios' default buffer is 8 KiB).
inline constexpr std::size_t kCheckOutputLimit = 8000;

/// What makes a state WARNING or CRITICAL (docs/monitoring.md).
struct CheckSettings {
  std::optional<ThresholdRange> warning;     ///< -w on the number of findings; none by default
  std::optional<ThresholdRange> critical;    ///< -c on the number of findings; "0" by default (any finding)
  std::int64_t max_age = 0;                  ///< --max-age seconds: an older scan is stale; 0 = never
  CheckStatus stale = CheckStatus::Warning;  ///< --stale: the status of a stale scan
  /// A scan that did not cover everything (interrupted, timed out) is at least WARNING.
  CheckStatus incomplete = CheckStatus::Warning;
};

/// The decision, with its reasons beyond the finding count.
struct CheckResult {
  CheckStatus status = CheckStatus::Ok;
  std::int64_t age = 0;               ///< seconds since the scan finished (0 when it lies in the future)
  std::vector<std::string> problems;  ///< "last scan incomplete", "last scan 3d ago (max-age 2d)"
};

/// The worst of the finding thresholds (critical before warning), the staleness and the
/// completeness of `state`, at Unix time `now`.
[[nodiscard]] CheckResult decide(const report::MonitorState& state, const CheckSettings& settings, std::int64_t now);

/// The plugin output: "TRUSTSCAN STATUS - summary|perfdata", then one line per listed finding
/// while the whole stays within `limit` bytes (the rest counted in a last line). Untrusted text
/// (paths, vendors, reasons) is made terminal-safe and never contains '|'.
[[nodiscard]] std::string plugin_output(const report::MonitorState& state, const CheckSettings& settings,
                                        const CheckResult& result, std::size_t limit = kCheckOutputLimit);

/// The one line of an UNKNOWN result: "TRUSTSCAN UNKNOWN - message".
[[nodiscard]] std::string unknown_output(std::string_view message);

/// The value of a Zabbix item (`--zabbix KEY`, packaging/zabbix/trustscan.conf): findings,
/// kernel_binaries, unsigned_kernel, read_errors, scan_age (seconds), status (the check's exit
/// status, 0-3) or discovery (low-level discovery JSON). Another key is Errc::Config.
[[nodiscard]] Result<std::string> zabbix_value(std::string_view key, const report::MonitorState& state,
                                               const CheckResult& result);

}  // namespace trustscan::app
