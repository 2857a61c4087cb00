#include "app/check_status.hpp"

#include <algorithm>

#include "report/text.hpp"

namespace trustscan::app {
namespace {

CheckStatus worst(CheckStatus a, CheckStatus b) noexcept { return static_cast<int>(a) >= static_cast<int>(b) ? a : b; }

/// "45s", "12m", "5h", "3d": an age at a glance.
std::string age_text(std::int64_t seconds) {
  if (seconds < 120) return std::to_string(seconds) + "s";
  constexpr std::int64_t kHour = 3600, kDay = 86400;
  if (seconds < 2 * kHour) return std::to_string(seconds / 60) + "m";
  if (seconds < 2 * kDay) return std::to_string(seconds / kHour) + "h";
  return std::to_string(seconds / kDay) + "d";
}

/// Untrusted text for plugin output: terminal-safe, one line, and no '|' (it starts perfdata).
std::string plugin_safe(std::string_view s) {
  std::string out;
  for (char c : report::terminal_safe(s)) {
    if (c == '|')
      out += "\\x7c";
    else
      out += c;
  }
  return out;
}

std::string severity_counts(const report::MonitorState& state) {
  std::vector<std::string> parts;
  for (std::string_view sev : {"critical", "high", "medium", "low"})
    if (auto it = state.findings_by_severity.find(std::string(sev)); it != state.findings_by_severity.end())
      parts.push_back(std::to_string(it->second) + " " + std::string(sev));
  return parts.empty() ? "" : " (" + report::joined(parts) + ")";
}

std::string perfdata(const report::MonitorState& state, const CheckSettings& settings, const CheckResult& result) {
  const auto text = [](const std::optional<ThresholdRange>& r) { return r ? r->text : std::string(); };
  std::string age_warn, age_crit;
  if (settings.max_age > 0)
    (settings.stale == CheckStatus::Critical ? age_crit : age_warn) = std::to_string(settings.max_age);
  return "findings=" + std::to_string(state.findings) + ";" + text(settings.warning) + ";" + text(settings.critical) +
         ";0 kernel_binaries=" + std::to_string(state.kernel_binaries) +
         ";;;0 unsigned_kernel=" + std::to_string(state.unsigned_kernel) +
         ";;;0 scan_age=" + std::to_string(result.age) + "s;" + age_warn + ";" + age_crit +
         ";0 read_errors=" + std::to_string(state.read_errors) + ";;;0";
}

/// The start of a long reason, cut at a space (the reports carry it whole): more findings fit.
std::string short_reason(const std::string& reason) {
  constexpr std::size_t kMax = 120;
  if (reason.size() <= kMax) return reason;
  const std::size_t space = reason.rfind(' ', kMax);
  return reason.substr(0, space == std::string::npos || space == 0 ? kMax : space) + " ...";
}

std::string finding_line(const report::StateFinding& f) {
  std::string line = f.severity + " " + plugin_safe(f.path);
  if (f.vendor) line += " - " + plugin_safe(*f.vendor) + " (" + plugin_safe(f.country.value_or("no country")) + ")";
  if (!f.reason.empty()) line += ": " + plugin_safe(short_reason(f.reason));
  return line + '\n';
}

}  // namespace

std::string_view to_string(CheckStatus s) noexcept {
  switch (s) {
    case CheckStatus::Ok: return "OK";
    case CheckStatus::Warning: return "WARNING";
    case CheckStatus::Critical: return "CRITICAL";
    case CheckStatus::Unknown: break;
  }
  return "UNKNOWN";
}

CheckResult decide(const report::MonitorState& state, const CheckSettings& settings, std::int64_t now) {
  CheckResult r;
  r.age = std::max<std::int64_t>(0, now - state.finished_unix);
  const auto findings = static_cast<double>(state.findings);
  if (settings.critical && settings.critical->alerts(findings))
    r.status = CheckStatus::Critical;
  else if (settings.warning && settings.warning->alerts(findings))
    r.status = CheckStatus::Warning;
  if (!state.complete) {
    r.status = worst(r.status, settings.incomplete);
    r.problems.emplace_back("last scan incomplete");
  }
  if (settings.max_age > 0 && r.age > settings.max_age) {
    r.status = worst(r.status, settings.stale);
    r.problems.push_back("last scan " + age_text(r.age) + " ago, over --max-age " + age_text(settings.max_age));
  }
  return r;
}

std::string plugin_output(const report::MonitorState& state, const CheckSettings& settings, const CheckResult& result,
                          std::size_t limit) {
  std::string head = "TRUSTSCAN " + std::string(to_string(result.status)) + " - " +
                     report::counted(state.findings, "finding", "findings") + severity_counts(state) + ", " +
                     report::counted(state.kernel_binaries, "kernel binary", "kernel binaries") + " (" +
                     std::to_string(state.unsigned_kernel) + " unsigned), scan " + age_text(result.age) + " ago";
  for (const std::string& p : result.problems) head += "; " + p;
  std::string out = head + "|" + perfdata(state, settings, result) + '\n';
  std::size_t listed = 0;
  for (const report::StateFinding& f : state.finding_list) {
    const std::string line = finding_line(f);
    constexpr std::size_t kTail = 40;  // room for the "... N more" line
    if (out.size() + line.size() + kTail > limit) break;
    out += line;
    ++listed;
  }
  if (const std::uint64_t more = state.findings - std::min<std::uint64_t>(listed, state.findings); more > 0)
    out += "... " + report::counted(more, "more finding", "more findings") + " (trustscan's reports list all)\n";
  if (out.size() > limit) out.resize(limit);  // only the status line itself could be longer
  return out;
}

std::string unknown_output(std::string_view message) { return "TRUSTSCAN UNKNOWN - " + plugin_safe(message) + '\n'; }

Result<std::string> zabbix_value(std::string_view key, const report::MonitorState& state, const CheckResult& result) {
  if (key == "findings") return std::to_string(state.findings);
  if (key == "kernel_binaries") return std::to_string(state.kernel_binaries);
  if (key == "unsigned_kernel") return std::to_string(state.unsigned_kernel);
  if (key == "read_errors") return std::to_string(state.read_errors);
  if (key == "scan_age") return std::to_string(result.age);
  if (key == "status") return std::to_string(static_cast<int>(result.status));
  if (key == "discovery") return report::zabbix_discovery(state);
  return fail(Errc::Config, "--zabbix " + std::string(key) +
                                ": no such item (findings, kernel_binaries, unsigned_kernel, read_errors, scan_age, "
                                "status or discovery)");
}

}  // namespace trustscan::app
