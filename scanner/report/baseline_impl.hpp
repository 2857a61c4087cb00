#pragma once
/// \file
/// report/ internal: the data behind Baseline and BaselineDiff, the pure record comparison (unit
/// tested on JSON alone), and how each output applies a diff. Both sides are compared as report
/// JSON (the previous report as read, the current records as record_object() builds them), so
/// old and new values are always extracted the same way.

#include <cstddef>
#include <iosfwd>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "report/baseline.hpp"
#include "report/json_model.hpp"

namespace trustscan::report {

struct Baseline::Impl {
  std::string path;            ///< as given on the command line
  std::string schema_version;  ///< of the previous report
  nlohmann::ordered_json doc;  ///< the whole previous report
};

/// One record that is new, changed or gone.
struct BaselineDelta {
  BaselineChange change = BaselineChange::New;
  std::optional<std::size_t> current;          ///< index into the current records (new, changed)
  std::optional<std::size_t> previous;         ///< index into the previous report's files (changed, gone)
  std::string path;                            ///< file.path: current (new, changed) or previous (gone)
  nlohmann::ordered_json changes = nlohmann::ordered_json::array();  ///< [{field, old, new}] (changed)
};

/// The comparison of two record lists (each with the scan roots they were found under).
struct RecordDiff {
  std::vector<BaselineDelta> deltas;  ///< sorted by path (byte order), then current before gone
  std::size_t unchanged = 0;
  /// Which previous root was matched with which current root (equal strings, or the only two
  /// left over: an image mounted elsewhere). Unpaired roots are absent.
  std::vector<std::pair<std::string, std::string>> root_pairs;
};

/// Compares records by (paired root, path below the root, occurrence). Records are report
/// records ({"file":…, "trustscan":…}); roots are the escaped roots (`scan.roots`).
[[nodiscard]] RecordDiff diff_records(const std::vector<std::string>& previous_roots,
                                      const nlohmann::ordered_json& previous_files,
                                      const std::vector<std::string>& current_roots,
                                      const std::vector<nlohmann::ordered_json>& current_files);

/// The value of compared field `name` in a record (null when absent). Exposed for tests.
[[nodiscard]] nlohmann::ordered_json compared_value(std::string_view name, const nlohmann::ordered_json& record);

struct BaselineDiff::Impl {
  std::shared_ptr<const Baseline::Impl> previous;
  RecordDiff diff;
  std::vector<std::optional<std::size_t>> by_record;       ///< current record index -> delta index
  std::multimap<std::string, std::size_t> by_current_path;  ///< file.path -> delta index (new, changed)
  std::size_t counts[3] = {0, 0, 0};                       ///< by BaselineChange
  std::size_t findings = 0;                                ///< new or changed records that are findings
  std::vector<std::string> current_roots;
};

/// `trustscan.baseline` of a delta: {"change": …, "changes": […]} (changes only for changed).
[[nodiscard]] nlohmann::ordered_json baseline_annotation(const BaselineDelta& d);

/// The JSON document in baseline mode: `files` holds only new/changed (current record) and gone
/// (previous record) entries, each with trustscan.baseline; `findings` only those of new/changed
/// records; `summary.baseline` and `scan.baseline` are added.
void apply_baseline(const BaselineDiff& diff, nlohmann::ordered_json& doc);

/// NDJSON in baseline mode: passes on only the file events of new/changed records (annotated),
/// adds one event per gone record after them, and adds the baseline counts to the summary event.
[[nodiscard]] EventSink baseline_filter(const BaselineDiff& diff, const pipeline::ScanResult& result,
                                        const RunInfo& run, EventSink next);

/// The events of the run as every event-based output sees them: ndjson_events(), through
/// baseline_filter() when run.baseline is set.
void report_events(const pipeline::ScanResult& result, const RunInfo& run, const EventSink& sink);

/// The table in baseline mode (write_table calls it when run.baseline is set).
void write_baseline_table(const pipeline::ScanResult& result, const RunInfo& run, std::ostream& out);

}  // namespace trustscan::report
