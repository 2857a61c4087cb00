#pragma once
/// \file
/// report/ internal: the data behind Baseline and BaselineDiff, the pure record comparison (unit
/// tested on report views alone), and how each output applies a diff. Both sides are compared as
/// report views (record_view.hpp): the previous report's records as read_record_view() reads
/// them, the current records as record_view() builds them, so old and new values are the same
/// report values.

#include <cstddef>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "report/baseline.hpp"
#include "report/json_model.hpp"
#include "report/record_view.hpp"

namespace trustscan::report {

struct Baseline::Impl {
  std::string path;            ///< as given on the command line
  ReportHead head;             ///< schema version, roots, end of the previous report
  nlohmann::ordered_json doc;  ///< the whole previous report: its gone records are written as they were
  std::vector<RecordView> records;  ///< its records (doc["files"]), read
};

/// One compared field that differs: old and new value, nullopt when the record has none.
struct FieldChange {
  std::string_view field;  ///< ComparedField::name
  std::optional<std::string> old_value;
  std::optional<std::string> new_value;
  friend bool operator==(const FieldChange&, const FieldChange&) = default;
};

/// One record that is new, changed or gone.
struct BaselineDelta {
  BaselineChange change = BaselineChange::New;
  std::optional<std::size_t> current;   ///< index into the current records (new, changed)
  std::optional<std::size_t> previous;  ///< index into the previous report's files (changed, gone)
  std::string path;                     ///< file.path: current (new, changed) or previous (gone)
  std::vector<FieldChange> changes;     ///< in compared_fields() order (changed only)
};

/// The comparison of two record lists (each with the scan roots they were found under).
struct RecordDiff {
  std::vector<BaselineDelta> deltas;  ///< sorted by path (byte order), then current before gone
  std::size_t unchanged = 0;
  /// Which previous root was matched with which current root (equal strings, or the only two
  /// left over: an image mounted elsewhere). Unpaired roots are absent.
  std::vector<std::pair<std::string, std::string>> root_pairs;
};

/// Compares records by (paired root, path below the root, occurrence); roots are the escaped
/// roots (`scan.roots`).
[[nodiscard]] RecordDiff diff_records(const std::vector<std::string>& previous_roots,
                                      const std::vector<RecordView>& previous,
                                      const std::vector<std::string>& current_roots,
                                      const std::vector<RecordView>& current);

/// The value of compared field `name` in a record (nullopt when absent or no such field).
/// Exposed for tests.
[[nodiscard]] std::optional<std::string> compared_value(std::string_view name, const RecordView& record);

struct BaselineDiff::Impl {
  std::shared_ptr<const Baseline::Impl> previous;
  RecordDiff diff;
  std::vector<RecordView> current;                   ///< the current records' views
  std::vector<std::optional<std::size_t>> by_record;  ///< current record index -> delta index
  std::size_t counts[3] = {0, 0, 0};                 ///< by BaselineChange
  std::size_t findings = 0;                          ///< new or changed records that are findings
  std::vector<std::string> current_roots;

  /// The delta of current record `index`, nullptr when it is unchanged.
  [[nodiscard]] const BaselineDelta* delta_of(std::size_t index) const noexcept {
    return index < by_record.size() && by_record[index] ? &diff.deltas[*by_record[index]] : nullptr;
  }
  /// The record a delta is about: the current one (new, changed) or the previous one (gone).
  [[nodiscard]] const RecordView& record_of(const BaselineDelta& d) const noexcept {
    return d.current ? current[*d.current] : previous->records[*d.previous];
  }
};

/// `trustscan.baseline` of a delta: {"change": …, "changes": […]} (changes only for changed).
[[nodiscard]] nlohmann::ordered_json baseline_annotation(const BaselineDelta& d);

/// The JSON document in baseline mode: `files` holds only new/changed (current record) and gone
/// (previous record) entries, each with trustscan.baseline; `findings` only those of new/changed
/// records; `summary.baseline` and `scan.baseline` are added.
void apply_baseline(const BaselineDiff& diff, nlohmann::ordered_json& doc);

/// NDJSON in baseline mode: passes on only the file events of new/changed records (annotated,
/// EventInfo::delta set), adds one event per gone record after them, and adds the baseline counts
/// to the summary event.
[[nodiscard]] EventSink baseline_filter(const BaselineDiff& diff, const pipeline::ScanResult& result,
                                        const RunInfo& run, EventSink next);

/// The events of the run as every event-based output sees them: ndjson_events(), through
/// baseline_filter() when run.baseline is set.
void report_events(const pipeline::ScanResult& result, const RunInfo& run, const EventSink& sink);

/// The table in baseline mode (write_table calls it when run.baseline is set).
void write_baseline_table(const pipeline::ScanResult& result, const RunInfo& run, std::ostream& out);

}  // namespace trustscan::report
