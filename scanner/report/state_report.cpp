// The monitoring state (state.hpp): built from a scan, written as JSON, read back. Field names:
// docs/monitoring.md and docs/schema/state.schema.json.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <functional>
#include <ostream>

#include <nlohmann/json.hpp>

#include "policy/severity.hpp"
#include "report/record_view.hpp"
#include "report/state.hpp"
#include "report/text.hpp"

namespace trustscan::report {
namespace {

using nlohmann::ordered_json;

/// The state's finding for a record, nullopt when the record is no finding.
std::optional<StateFinding> finding_of(const record::FileRecord& r) {
  const RecordView v = record_view(r);
  if (!v.is_finding() && !v.is_known_bad_finding()) return std::nullopt;
  StateFinding f;
  f.path = v.path;
  f.sha256 = v.sha256;
  if (const auto subject = v.finding_subject()) {
    f.vendor = subject->name;
    f.country = subject->country;
  }
  std::vector<std::string> reasons;
  f.severity = v.severity().value_or("");
  if (v.is_finding())
    if (const RuleView* rule = v.first_rule()) reasons.push_back(rule->reason);
  if (v.is_known_bad_finding()) {
    for (const KnownBadView& k : v.known_bad)
      if (k.suppressed.empty())
        reasons.push_back("known-bad driver " + k.name + " (" + k.dataset + " " + k.id + ", " + k.category + ")");
  }
  f.reason = joined(reasons, "; ");
  return f;
}

/// Unix seconds of an RFC 3339 UTC time as rfc3339() writes it ("2026-01-02T03:04:05.678Z").
std::optional<std::int64_t> unix_seconds(const std::string& text) {
  std::tm tm{};
  char zone = 0;
  if (std::sscanf(text.c_str(), "%d-%d-%dT%d:%d:%d%c", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
                  &tm.tm_sec, &zone) < 6)
    return std::nullopt;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return static_cast<std::int64_t>(::timegm(&tm));
}

ordered_json nullable(const std::optional<std::string>& s) {
  return s ? ordered_json(utf8_escaped(*s)) : ordered_json();
}

std::optional<std::string> optional_string(const nlohmann::json& j, const char* key) {
  const nlohmann::json& v = j.at(key);
  if (v.is_null()) return std::nullopt;
  return v.get<std::string>();
}

MonitorState read_document(const nlohmann::json& j) {
  MonitorState s;
  s.version = j.at("version").get<std::string>();
  s.tool_version = j.at("tool").at("version").get<std::string>();
  s.hostname = j.at("host").at("name").get<std::string>();
  const nlohmann::json& scan = j.at("scan");
  s.started = scan.at("started").get<std::string>();
  s.finished = scan.at("finished").get<std::string>();
  s.complete = scan.at("complete").get<bool>();
  if (const auto& code = scan.at("exit_code"); !code.is_null()) s.exit_code = code.get<int>();
  s.roots = scan.at("roots").get<std::vector<std::string>>();
  s.policy = scan.at("policy").get<std::string>();
  const nlohmann::json& c = j.at("counts");
  s.binaries = c.at("binaries").get<std::uint64_t>();
  s.findings = c.at("findings").get<std::uint64_t>();
  s.findings_by_severity = c.at("findings_by_severity").get<std::map<std::string, std::uint64_t>>();
  s.kernel_binaries = c.at("kernel_binaries").get<std::uint64_t>();
  s.kernel_by_signature = c.at("kernel_by_signature").get<std::map<std::string, std::uint64_t>>();
  s.unsigned_kernel = c.at("unsigned_kernel").get<std::uint64_t>();
  s.errors = c.at("errors").at("total").get<std::uint64_t>();
  s.read_errors = c.at("errors").at("read").get<std::uint64_t>();
  s.malformed_errors = c.at("errors").at("malformed").get<std::uint64_t>();
  for (const auto& d : j.at("datasets"))
    s.datasets.push_back(
        {d.at("name").get<std::string>(), d.at("version").get<std::string>(), d.at("imported_at").get<std::string>()});
  for (const auto& f : j.at("findings"))
    s.finding_list.push_back({f.at("path").get<std::string>(), optional_string(f, "vendor"),
                              optional_string(f, "country"), f.at("severity").get<std::string>(),
                              optional_string(f, "sha256"), f.at("reason").get<std::string>()});
  s.findings_omitted = j.at("findings_omitted").get<std::uint64_t>();
  return s;
}

}  // namespace

MonitorState monitor_state(const pipeline::ScanResult& result, const RunInfo& run, std::size_t limit) {
  MonitorState s;
  s.tool_version = run.tool_version;
  s.hostname = run.hostname;
  s.started = rfc3339(result.started);
  s.finished = rfc3339(result.finished);
  s.finished_unix = std::chrono::duration_cast<std::chrono::seconds>(result.finished.time_since_epoch()).count();
  s.complete = result.complete();
  s.exit_code = run.exit_code;
  s.roots = result.options.roots;
  s.policy = result.policy_name;
  const pipeline::ScanSummary& sum = result.summary;
  s.binaries = sum.binaries;
  s.kernel_by_signature = sum.kernel_by_signature;
  for (const auto& [status, n] : sum.kernel_by_signature) s.kernel_binaries += n;
  if (auto it = sum.kernel_by_signature.find("unsigned"); it != sum.kernel_by_signature.end())
    s.unsigned_kernel = it->second;
  s.errors = sum.error_count;
  s.read_errors = sum.read_errors;
  s.malformed_errors = sum.malformed_errors;
  for (const datasets::DatasetInfo& d : result.datasets) s.datasets.push_back({d.name, d.version, d.imported_at});
  std::vector<StateFinding> all;
  for (const record::FileRecord& r : result.records)
    if (auto f = finding_of(r)) {
      ++s.findings_by_severity[f->severity];
      all.push_back(std::move(*f));
    }
  s.findings = all.size();
  // Worst first (records are in path order already; the sort keeps it within a severity).
  std::ranges::stable_sort(all, std::greater<>{}, [](const StateFinding& f) {
    return static_cast<int>(policy::severity_from_string(f.severity).value_or(policy::Severity::Low));
  });
  if (all.size() > limit) {
    s.findings_omitted = all.size() - limit;
    all.resize(limit);
  }
  s.finding_list = std::move(all);
  return s;
}

std::string state_json(const MonitorState& s) {
  ordered_json findings = ordered_json::array();
  for (const StateFinding& f : s.finding_list)
    findings.push_back({{"path", utf8_escaped(f.path)},
                        {"vendor", nullable(f.vendor)},
                        {"country", nullable(f.country)},
                        {"severity", f.severity},
                        {"sha256", nullable(f.sha256)},
                        {"reason", utf8_escaped(f.reason)}});
  ordered_json datasets = ordered_json::array();
  for (const StateDataset& d : s.datasets)
    datasets.push_back({{"name", utf8_escaped(d.name)},
                        {"version", utf8_escaped(d.version)},
                        {"imported_at", utf8_escaped(d.imported_at)}});
  ordered_json roots = ordered_json::array();
  for (const std::string& r : s.roots) roots.push_back(utf8_escaped(r));
  const ordered_json doc = {
      {"schema", kStateSchema},
      {"version", s.version},
      {"tool", {{"name", "trustscan"}, {"version", s.tool_version}}},
      {"host", {{"name", utf8_escaped(s.hostname)}}},
      {"scan",
       {{"started", s.started},
        {"finished", s.finished},
        {"complete", s.complete},
        {"exit_code", s.exit_code ? ordered_json(*s.exit_code) : ordered_json()},
        {"roots", std::move(roots)},
        {"policy", utf8_escaped(s.policy)}}},
      {"counts",
       {{"binaries", s.binaries},
        {"findings", s.findings},
        {"findings_by_severity", s.findings_by_severity},
        {"kernel_binaries", s.kernel_binaries},
        {"kernel_by_signature", s.kernel_by_signature},
        {"unsigned_kernel", s.unsigned_kernel},
        {"errors", {{"total", s.errors}, {"read", s.read_errors}, {"malformed", s.malformed_errors}}}}},
      {"datasets", std::move(datasets)},
      {"findings", std::move(findings)},
      {"findings_omitted", s.findings_omitted},
  };
  return doc.dump() + '\n';
}

Result<MonitorState> parse_state(std::string_view text) {
  const nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return fail(Errc::Malformed, "not a JSON object");
  if (!j.contains("schema") || j["schema"] != kStateSchema)
    return fail(Errc::Malformed, "not a trustscan state (\"schema\" is not \"" + std::string(kStateSchema) + "\")");
  const std::string major = std::string(kStateVersion.substr(0, kStateVersion.find('.') + 1));
  if (!j.contains("version") || !j["version"].is_string() || !j["version"].get<std::string>().starts_with(major))
    return fail(Errc::Malformed, "state schema version " + (j.contains("version") ? j["version"].dump() : "missing") +
                                     ", this trustscan reads " + major + "x");
  try {
    MonitorState s = read_document(j);
    const auto finished = unix_seconds(s.finished);
    if (!finished) return fail(Errc::Malformed, "scan.finished is no RFC 3339 time: " + s.finished);
    s.finished_unix = *finished;
    return s;
  } catch (const nlohmann::json::exception& e) {
    return fail(Errc::Malformed, std::string("damaged state: ") + e.what());
  }
}

std::string zabbix_discovery(const MonitorState& state) {
  ordered_json out = ordered_json::array();
  for (const StateFinding& f : state.finding_list)
    out.push_back({{"{#PATH}", utf8_escaped(f.path)},
                   {"{#VENDOR}", utf8_escaped(f.vendor.value_or(""))},
                   {"{#COUNTRY}", f.country.value_or("")},
                   {"{#SEVERITY}", f.severity},
                   {"{#SHA256}", f.sha256.value_or("")}});
  return out.dump();
}

void write_state(const pipeline::ScanResult& result, const RunInfo& run, std::ostream& out) {
  out << state_json(monitor_state(result, run));
}

}  // namespace trustscan::report
