#pragma once
/// \file
/// report/ internal: the JSON objects of the report and of the NDJSON events, *before* they are
/// serialised. Every emitter (JSON, NDJSON, CEF, syslog, the baseline filter) builds on these, so
/// a field is defined in one place (json_report.cpp) and all outputs agree on it. Not for use
/// outside report/ (nlohmann is quarantined here).

#include <functional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "pipeline/pipeline.hpp"
#include "report/report.hpp"

namespace trustscan::report {

/// Receives one NDJSON event (an ECS object) at a time, in output order.
using EventSink = std::function<void(nlohmann::ordered_json&&)>;

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

/// One element of the document's "skipped" array.
[[nodiscard]] nlohmann::ordered_json skipped_object(const discover::Skipped& s);

/// One element of the document's "errors" array.
[[nodiscard]] nlohmann::ordered_json path_error_object(const discover::PathError& e);

/// The envelope shared by every NDJSON event (@timestamp, ecs, event.kind/module/dataset, observer).
[[nodiscard]] nlohmann::ordered_json event_envelope(const pipeline::ScanResult& result, const RunInfo& run,
                                                    std::string_view kind, std::string_view dataset);

/// Serialises like the JSON/NDJSON writers: `indent` -1 = one compact line; invalid UTF-8 (which
/// utf8_escaped already prevents) is replaced rather than thrown on.
[[nodiscard]] std::string dump_json(const nlohmann::ordered_json& j, int indent);

}  // namespace trustscan::report
