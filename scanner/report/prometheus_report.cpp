// `--format prometheus`: the scan as metrics in the Prometheus text exposition format, one file
// for node_exporter's textfile collector (docs/deployment.md, "Prometheus"). Gauges only, named by
// the Prometheus naming rules (the `trustscan_` prefix, base units, `_info` for metadata with the
// value 1); no per-file labels. No timestamps: the collector rejects them, and the time of the scan
// is a metric of its own.
#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <map>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "policy/severity.hpp"
#include "report/baseline.hpp"
#include "report/baseline.hpp"
#include "report/prometheus.hpp"
#include "report/report.hpp"
#include "report/text.hpp"
#include "verify/signature_status.hpp"

namespace trustscan::report {

namespace {

/// `\` -> `\\`, LF -> `\n`, and with `quote` also `"` -> `\"`.
std::string escaped(std::string_view s, bool quote) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c == '\\' || (quote && c == '"')) out += '\\';
    if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

}  // namespace

std::string prometheus_label_value(std::string_view s) { return escaped(utf8_escaped(s), true); }

std::string prometheus_help_text(std::string_view s) { return escaped(s, false); }

std::string prometheus_number(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  std::array<char, 64> buf{};
  auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), value);
  return ec == std::errc{} ? std::string(buf.data(), end) : std::string("NaN");
}

namespace {

using Labels = std::vector<std::pair<std::string_view, std::string>>;

struct Sample {
  Labels labels;
  double value = 0;
};

/// One metric family: HELP, TYPE gauge, then its samples (none: HELP and TYPE alone, which the
/// format allows, so that every family is always declared).
void write_family(std::ostream& out, std::string_view name, std::string_view help, const std::vector<Sample>& samples) {
  out << "# HELP " << name << ' ' << prometheus_help_text(help) << '\n';
  out << "# TYPE " << name << " gauge\n";
  for (const Sample& s : samples) {
    out << name;
    if (!s.labels.empty()) {
      out << '{';
      for (std::size_t i = 0; i < s.labels.size(); ++i)
        out << (i ? "," : "") << s.labels[i].first << "=\"" << prometheus_label_value(s.labels[i].second) << '"';
      out << '}';
    }
    out << ' ' << prometheus_number(s.value) << '\n';
  }
}

void write_one(std::ostream& out, std::string_view name, std::string_view help, double value) {
  write_family(out, name, help, {Sample{{}, value}});
}

/// `counts` by `label`: every value of `always` (0 when absent), then any other key of `counts`.
std::vector<Sample> by_label(std::string_view label, const std::map<std::string, std::uint64_t>& counts,
                             const std::vector<std::string_view>& always) {
  std::vector<Sample> samples;
  for (std::string_view key : always) {
    auto it = counts.find(std::string(key));
    samples.push_back({{{label, std::string(key)}}, it == counts.end() ? 0.0 : static_cast<double>(it->second)});
  }
  for (const auto& [key, n] : counts)
    if (std::ranges::find(always, std::string_view(key)) == always.end())
      samples.push_back({{{label, key}}, static_cast<double>(n)});
  return samples;
}

double unix_seconds(std::chrono::system_clock::time_point t) {
  return std::chrono::duration<double>(t.time_since_epoch()).count();
}

/// What wrote the file and with which data: trustscan_info and trustscan_dataset_info.
void write_info(const pipeline::ScanResult& result, const RunInfo& run, std::ostream& out) {
  write_family(out, "trustscan_info",
               "The trustscan that wrote this file: its version, the report schema version and the policy that "
               "decided the findings (value 1).",
               {Sample{{{"version", run.tool_version},
                        {"schema_version", std::string(kSchemaVersion)},
                        {"policy", result.policy_name}},
                       1}});
  std::vector<Sample> datasets;
  datasets.reserve(result.datasets.size());
  for (const datasets::DatasetInfo& d : result.datasets)
    datasets.push_back({{{"name", d.name}, {"version", d.version}, {"imported_at", d.imported_at}}, 1});
  write_family(out, "trustscan_dataset_info",
               "An imported data set (feed) the scan used: its name, the publisher's version (empty when it has "
               "none) and when it was imported (value 1).",
               datasets);
}

/// The counts of the scan: binaries, kernel binaries by signature, findings, errors.
void write_counts(const pipeline::ScanSummary& s, std::ostream& out) {
  write_one(out, "trustscan_binaries",
            "Binaries (executables, libraries, drivers, kernel modules, boot files) the last scan reported.",
            static_cast<double>(s.binaries));
  std::vector<std::string_view> statuses;
  for (auto st :
       {verify::SignatureStatus::Valid, verify::SignatureStatus::Untrusted, verify::SignatureStatus::Invalid,
        verify::SignatureStatus::UnknownKey, verify::SignatureStatus::Malformed, verify::SignatureStatus::Unsigned})
    statuses.push_back(verify::to_string(st));
  write_family(out, "trustscan_kernel_binaries",
               "Kernel-privileged binaries of the last scan by signature status (unsigned: no signature at all).",
               by_label("signature_status", s.kernel_by_signature, statuses));
  std::vector<std::string_view> severities;
  for (auto sev : {policy::Severity::Low, policy::Severity::Medium, policy::Severity::High, policy::Severity::Critical})
    severities.push_back(policy::to_string(sev));
  write_family(out, "trustscan_findings",
               "Findings of the last scan (flagged by the policy, in scope, not suppressed) by severity.",
               by_label("severity", s.findings_by_severity, severities));
  write_one(out, "trustscan_known_bad_findings",
            "Findings of the last scan that a known-bad driver feed lists (LOLDrivers, the driver block rules).",
            static_cast<double>(s.known_bad_findings));
  write_family(out, "trustscan_errors",
               "Files and paths of the last scan with an error, by kind: read (not read, or not whole) or malformed "
               "(read, but not what their format says).",
               {Sample{{{"kind", "read"}}, static_cast<double>(s.read_errors)},
                Sample{{{"kind", "malformed"}}, static_cast<double>(s.malformed_errors)}});
}

/// --baseline: how many records are new, changed and gone since the baseline report.
void write_baseline(const BaselineDiff& baseline, std::ostream& out) {
  std::map<std::string, std::uint64_t> changes;
  for (const BaselineChange c : {BaselineChange::New, BaselineChange::Changed, BaselineChange::Gone})
    changes[std::string(to_string(c))] = baseline.count(c);
  write_family(
      out, "trustscan_baseline_records",
      "Records of the last scan that are new, changed or gone since its --baseline report.",
      by_label("change", changes,
               {to_string(BaselineChange::New), to_string(BaselineChange::Changed), to_string(BaselineChange::Gone)}));
}

}  // namespace

void write_prometheus(const pipeline::ScanResult& result, const RunInfo& run, std::ostream& out) {
  write_info(result, run, out);
  write_one(out, "trustscan_scan_complete",
            "1 when the last scan covered everything it was asked to (not interrupted, no file over its time "
            "budget), 0 otherwise.",
            result.complete() ? 1 : 0);
  write_one(out, "trustscan_last_scan_timestamp_seconds", "When the last scan finished, in seconds since the epoch.",
            unix_seconds(result.finished));
  write_one(out, "trustscan_scan_duration_seconds", "How long the last scan took.",
            std::chrono::duration<double>(result.finished - result.started).count());
  write_counts(result.summary, out);
  if (run.baseline) write_baseline(*run.baseline, out);
}

}  // namespace trustscan::report
