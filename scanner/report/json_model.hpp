#pragma once
/// \file
/// report/ internal: the JSON objects of the report and of the NDJSON events, *before* they are
/// serialised, and the one reader of a report record (read_record_view). Every field name of the
/// report is spelled in json_report.cpp only: the JSON and NDJSON writers build on these
/// objects, the other outputs (CEF, syslog, the baseline) read typed report views
/// (record_view.hpp) and EventInfo. Not for use outside report/ (nlohmann is quarantined here).

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "pipeline/pipeline.hpp"
#include "report/json_sink.hpp"
#include "report/record_view.hpp"
#include "report/report.hpp"

namespace trustscan::report {

struct BaselineDelta;  // report/baseline_impl.hpp

/// What an NDJSON event is about, typed: the outputs built on the events (CEF, syslog, the
/// baseline filter) read this, never the event's JSON.
struct EventInfo {
  enum class Kind {
    File,     ///< trustscan.file: a record (in baseline mode also a gone one)
    Skipped,  ///< trustscan.skipped
    Error,    ///< trustscan.error: a path that could not be read
    Service,  ///< trustscan.service: a registered Windows service whose file is missing
    Summary,  ///< trustscan.summary: the last event
  };
  Kind kind = Kind::Summary;
  bool alert = false;                   ///< event.kind "alert": a record that is a finding
  const RecordView* record = nullptr;   ///< File: the record (current, or the previous one when gone)
  std::optional<std::size_t> index;     ///< File, current scan: index into ScanResult::records
  const BaselineDelta* delta = nullptr;  ///< baseline mode, File: how the record changed (baseline_filter)
  std::string_view path;                ///< the event's file.path, "" when it has none
};

/// Receives one NDJSON event (an ECS object) at a time, in output order, with what it is about.
using EventSink = std::function<void(nlohmann::ordered_json&& event, const EventInfo& info)>;

/// The whole `--format json` document (schema docs/schema/report.schema.json), without baseline
/// filtering.
[[nodiscard]] nlohmann::ordered_json json_document(const pipeline::ScanResult& result, const RunInfo& run);

/// json_document() without its three long arrays, which follow the head in this order: "files"
/// (record_object of each record), "skipped" (skipped_object), "errors" (path_error_object).
/// write_json streams them after the head instead of building one document.
[[nodiscard]] nlohmann::ordered_json json_document_head(const pipeline::ScanResult& result, const RunInfo& run);

/// The `--format ndjson` events, in order: one per record (findings first), one per listed skip,
/// one per path error, then the summary. Without baseline filtering.
void ndjson_events(const pipeline::ScanResult& result, const RunInfo& run, const EventSink& sink);

/// One report record: `{"file": {...}, "trustscan": {...}}`.
[[nodiscard]] nlohmann::ordered_json record_object(const record::FileRecord& r);

/// record_object(r), written into `w` (JsonText: its text without building it).
void write_record(JsonSink& w, const record::FileRecord& r);

/// One element of the document's "skipped" array.
[[nodiscard]] nlohmann::ordered_json skipped_object(const discover::Skipped& s);

/// One element of the document's "errors" array.
[[nodiscard]] nlohmann::ordered_json path_error_object(const discover::PathError& e);

/// The envelope shared by every NDJSON event (@timestamp, ecs, event.kind/module/dataset, observer).
[[nodiscard]] nlohmann::ordered_json event_envelope(const pipeline::ScanResult& result, const RunInfo& run,
                                                    std::string_view kind, std::string_view dataset);

/// The events' `@timestamp`: the end of the scan (RFC 3339, milliseconds, UTC).
[[nodiscard]] std::string event_timestamp(const pipeline::ScanResult& result);

/// A scan of the live host (a root is "/"): CEF then names it (`dhost`). NDJSON events carry the
/// scanning host on every event (ecs_event.hpp).
[[nodiscard]] bool live_scan(const pipeline::ScanResult& result);

/// Leaves out of a file event what datagram transports cannot carry (syslog_sink.hpp): the full
/// signature structures, YARA matches and parser warnings. What the event schema requires stays,
/// and file.code_signature keeps the primary signature's verdict.
void compact_event(nlohmann::ordered_json& event);

/// What the baseline reads of an earlier `--format json` report besides its records.
struct ReportHead {
  std::string schema_version;           ///< `schema_version`
  std::vector<std::string> roots;       ///< `scan.roots`
  std::optional<std::string> end;       ///< `scan.end`
  bool baseline_mode = false;           ///< `scan.baseline` is present: the report lists only changes
};

/// The head of a report document: Errc::Config, saying what is missing, when `doc` is not a
/// trustscan JSON report (no string schema_version; no files array or scan.roots).
[[nodiscard]] Result<ReportHead> read_report_head(const nlohmann::ordered_json& doc);

/// THE reader of a report record (an element of a report's `files`, or an NDJSON file event):
/// its RecordView. A field the writer always writes that is missing, or any field of another
/// type than the writer gives it, is Errc::Config naming the field ("has no file.path", "has
/// file.size that is not an unsigned integer").
[[nodiscard]] Result<RecordView> read_record_view(const nlohmann::ordered_json& record);

/// Serialises like the JSON/NDJSON writers: `indent` -1 = one compact line; invalid UTF-8 (which
/// utf8_escaped already prevents) is replaced rather than thrown on.
[[nodiscard]] std::string dump_json(const nlohmann::ordered_json& j, int indent);

}  // namespace trustscan::report
