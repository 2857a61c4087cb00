#pragma once
/// \file
/// The monitoring state (issue 19): what the scheduled scan leaves for the checks that run between
/// scans (`trustscan check`, the Zabbix items): a small JSON document (`-o state=FILE`, schema
/// docs/schema/state.schema.json, docs/monitoring.md) with the scan's times, completeness, exit
/// code, counts, data set versions, policy and its findings (at most kStateFindingsLimit, the rest
/// counted). MonitorState is the one typed form of it: built from a scan (monitor_state) or read
/// back from the file (parse_state), so a check of a state file and a check that scans decide
/// from the same values.

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "pipeline/pipeline.hpp"
#include "report/report.hpp"

namespace trustscan::report {

/// The document's `schema` value, and its version: bump the minor for additions, the major for
/// changes (a reader refuses another major).
inline constexpr std::string_view kStateSchema = "trustscan-state";
inline constexpr std::string_view kStateVersion = "1.0.0";
/// Findings listed in a state; the others are only counted (`findings_omitted`).
inline constexpr std::size_t kStateFindingsLimit = 100;

/// One finding of the state: a flagged record (vendor policy) or a listed known-bad driver that
/// runs in the kernel or at boot.
struct StateFinding {
  std::string path;
  std::optional<std::string> vendor;   ///< whom the finding is about (absent: unattributed known-bad driver)
  std::optional<std::string> country;  ///< that vendor's country
  std::string severity;                ///< "low" ... "critical": the worse of the verdict and the known-bad severity
  std::optional<std::string> sha256;
  std::string reason;  ///< the first matching rule's reason, or the known-bad entry
  friend bool operator==(const StateFinding&, const StateFinding&) = default;
};

/// A data set the scan used.
struct StateDataset {
  std::string name, version, imported_at;
  friend bool operator==(const StateDataset&, const StateDataset&) = default;
};

/// The monitoring state of one scan.
struct MonitorState {
  std::string version{kStateVersion};  ///< the document's schema version
  std::string tool_version, hostname;
  std::string started, finished;   ///< RFC 3339 UTC
  std::int64_t finished_unix = 0;  ///< `finished` in Unix seconds (what a check's scan age is measured from)
  bool complete = false;           ///< the scan covered everything it was asked to
  std::optional<int> exit_code;    ///< the scan's exit code (absent when the writer did not know it)
  std::vector<std::string> roots;
  std::string policy;
  std::uint64_t binaries = 0;
  std::uint64_t findings = 0;  ///< records that are findings (each counted once)
  std::map<std::string, std::uint64_t> findings_by_severity;
  std::uint64_t kernel_binaries = 0;  ///< kernel-privileged records
  std::map<std::string, std::uint64_t> kernel_by_signature;
  std::uint64_t unsigned_kernel = 0;                                ///< kernel_by_signature["unsigned"]
  std::uint64_t errors = 0, read_errors = 0, malformed_errors = 0;  ///< ScanSummary's, by kind
  std::vector<StateDataset> datasets;
  std::vector<StateFinding> finding_list;  ///< worst first, then by path; at most the limit
  std::uint64_t findings_omitted = 0;      ///< findings beyond the list
  friend bool operator==(const MonitorState&, const MonitorState&) = default;
};

/// The state of a finished scan; `run.exit_code` becomes its exit code. At most `limit` findings
/// are listed.
[[nodiscard]] MonitorState monitor_state(const pipeline::ScanResult& result, const RunInfo& run,
                                         std::size_t limit = kStateFindingsLimit);

/// The state as its JSON document (one line, ending in a newline).
[[nodiscard]] std::string state_json(const MonitorState& state);

/// Reads a state document. A text that is no JSON, has another `schema` or major version, or
/// lacks a required member is Errc::Malformed with a message saying what is wrong.
[[nodiscard]] Result<MonitorState> parse_state(std::string_view text);

/// Zabbix low-level discovery of the listed findings: a JSON array of objects with the macros
/// {#PATH}, {#VENDOR}, {#COUNTRY}, {#SEVERITY}, {#SHA256} (strings; "" when unknown).
[[nodiscard]] std::string zabbix_discovery(const MonitorState& state);

/// `-o state`: the state document of the scan.
void write_state(const pipeline::ScanResult& result, const RunInfo& run, std::ostream& out);

}  // namespace trustscan::report
