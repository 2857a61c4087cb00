#pragma once
/// \file
/// report/: turns a ScanResult into the documented output formats. The JSON shape is a versioned
/// contract (docs/report-schema.md, docs/schema/report.schema.json); field names follow the
/// Elastic Common Schema where one exists, the rest live under `trustscan.*`.

#include <cstddef>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>

#include "pipeline/pipeline.hpp"

namespace trustscan::report {

/// Version of the JSON report layout; bump the minor for additions, the major for changes.
inline constexpr std::string_view kSchemaVersion =
    "1.8.0";  // 1.8: the SHA-1 authentihash only where wanted (docs/report-schema.md, Versioning)
/// Elastic Common Schema version the NDJSON events follow: every field outside `trustscan.*` is
/// checked against this version's field list (tools/check_ecs_events.py, tests/cli/ecs_test.sh).
inline constexpr std::string_view kEcsVersion = "9.5.0-dev";

class BaselineDiff;  // report/baseline.hpp

/// How the table is laid out (issue 20); the app decides the width.
struct TableOptions {
  std::size_t width = 0;             ///< display columns per line; 0 = no limit (nothing wrapped)
  std::optional<std::size_t> limit;  ///< --limit: rows listed per section (findings: all); none = all
  bool findings_only = false;        ///< --findings-only: the header, the summary and the findings
};

/// Facts about the scanning run that are not in the result itself.
struct RunInfo {
  std::string tool_version;
  std::string hostname;  ///< the machine trustscan runs on (ECS observer.hostname)
  /// Baseline mode (--baseline): every writer reports only new, changed and gone records.
  const BaselineDiff* baseline = nullptr;
  TableOptions table{};  ///< the table writer's layout
  /// The scan's exit code as the CLI decided it before writing (the state output records it).
  std::optional<int> exit_code{};
};

// The writers; report/formats.hpp lists them as the output formats.

/// One JSON document: scan metadata, summary, records, skipped paths, errors.
void write_json(const pipeline::ScanResult& result, const RunInfo& run, std::ostream& out);
/// One ECS event per line: each binary, each listed skip, each unreadable path, then a summary.
void write_ndjson(const pipeline::ScanResult& result, const RunInfo& run, std::ostream& out);
/// A summary for people at run.table.width columns, nothing cut (paths and messages wrap); every
/// untrusted string is made terminal-safe.
void write_table(const pipeline::ScanResult& result, const RunInfo& run, std::ostream& out);
/// ArcSight CEF:0, one line per finding (not suppressed); nothing when there is none
/// (docs/siem.md). In baseline mode: new and changed findings, and gone records that were findings.
void write_cef(const pipeline::ScanResult& result, const RunInfo& run, std::ostream& out);
/// CSV for spreadsheets (RFC 4180, CRLF): a header row, then one row per record (in baseline
/// mode: per new, changed or gone record), per listed skip and per unreadable path; formula-safe.
void write_csv(const pipeline::ScanResult& result, const RunInfo& run, std::ostream& out);
/// Prometheus text exposition format for node_exporter's textfile collector (issue 19): gauges of
/// the whole scan (findings by severity, kernel binaries by signature status, errors by kind, time
/// and duration, info metrics with the version, policy and data sets); in baseline mode also the
/// counts of new, changed and gone records (prometheus_report.cpp, docs/deployment.md).
void write_prometheus(const pipeline::ScanResult& result, const RunInfo& run, std::ostream& out);

}  // namespace trustscan::report
