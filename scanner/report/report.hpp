#pragma once
/// \file
/// report/: turns a ScanResult into the documented output formats. The JSON shape is a versioned
/// contract (docs/report-schema.md, docs/schema/report.schema.json); field names follow the
/// Elastic Common Schema where one exists, the rest live under `trustscan.*`.

#include <iosfwd>
#include <string>
#include <string_view>

#include "pipeline/pipeline.hpp"

namespace trustscan::report {

/// Version of the JSON report layout; bump the minor for additions, the major for changes.
inline constexpr std::string_view kSchemaVersion = "1.7.0";  // 1.7: issue 20 (docs/report-schema.md)
/// Elastic Common Schema version the NDJSON events follow.
inline constexpr std::string_view kEcsVersion = "8.11.0";

class BaselineDiff;  // report/baseline.hpp

/// Facts about the scanning run that are not in the result itself.
struct RunInfo {
  std::string tool_version;
  std::string hostname;  ///< the machine trustscan runs on (ECS observer.hostname)
  /// Baseline mode (--baseline): every writer reports only new, changed and gone records.
  const BaselineDiff* baseline = nullptr;
};

// The writers; report/formats.hpp lists them as the output formats.

/// One JSON document: scan metadata, summary, records, skipped paths, errors.
void write_json(const pipeline::ScanResult& result, const RunInfo& run, std::ostream& out);
/// One ECS event per line: each binary, each listed skip, each unreadable path, then a summary.
void write_ndjson(const pipeline::ScanResult& result, const RunInfo& run, std::ostream& out);
/// A summary for people, fitting 100 columns; every untrusted string is made terminal-safe.
void write_table(const pipeline::ScanResult& result, const RunInfo& run, std::ostream& out);
/// ArcSight CEF:0, one line per finding (not suppressed); nothing when there is none
/// (docs/siem.md). In baseline mode: new and changed findings, and gone records that were findings.
void write_cef(const pipeline::ScanResult& result, const RunInfo& run, std::ostream& out);

}  // namespace trustscan::report
