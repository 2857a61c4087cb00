// A baseline from the NDJSON report of an earlier run (`--format ndjson`): its events, put back
// into the shape of the JSON report the baseline reads (Baseline::load).
#include "report/baseline_ndjson.hpp"

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>

namespace trustscan::report {

using nlohmann::ordered_json;

namespace {

/// The first line that is not blank.
std::string_view first_line(std::string_view text) {
  std::size_t start = text.find_first_not_of(" \t\r\n");
  if (start == std::string_view::npos) return {};
  text.remove_prefix(start);
  return text.substr(0, text.find('\n'));
}

/// `ev.event.dataset` when it is a string, "" otherwise.
std::string dataset_of(const ordered_json& ev) {
  if (!ev.is_object() || !ev.contains("event") || !ev["event"].is_object()) return {};
  const ordered_json& event = ev["event"];
  return event.contains("dataset") && event["dataset"].is_string() ? event["dataset"].get<std::string>() : "";
}

/// The report record of a file event: what JSON's `files[]` holds (`file`, `trustscan` and the
/// ECS objects a record carries besides them).
ordered_json record_of_event(const ordered_json& ev) {
  ordered_json record = ordered_json::object();
  for (const char* key : {"file", "trustscan", "threat", "vulnerability"})
    if (ev.contains(key)) record[key] = ev[key];
  return record;
}

}  // namespace

bool looks_like_ndjson(std::string_view text) {
  const std::string_view line = first_line(text);
  if (line.empty()) return false;
  const ordered_json first = ordered_json::parse(line, nullptr, /*allow_exceptions=*/false);  // once
  return first.is_object() && first.contains("event");
}

Result<ordered_json> report_from_ndjson(std::string_view text) {
  ordered_json files = ordered_json::array();
  ordered_json summary;
  std::size_t number = 0;
  while (!text.empty()) {
    const std::size_t end = text.find('\n');
    const std::string_view line = text.substr(0, end);
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    ++number;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    ordered_json ev = ordered_json::parse(line, nullptr, /*allow_exceptions=*/false);  // parsed once
    if (ev.is_discarded()) return fail(Errc::Config, "NDJSON line " + std::to_string(number) + " is not JSON");
    const std::string dataset = dataset_of(ev);
    if (dataset == "trustscan.file")
      files.push_back(record_of_event(ev));
    else if (dataset == "trustscan.summary")
      summary = std::move(ev);
  }
  if (summary.is_null() || !summary.contains("trustscan") || !summary["trustscan"].is_object())
    return fail(Errc::Config, "NDJSON report without its summary event (the last line): not a complete report");
  // Findings come first in NDJSON; the JSON report lists records in path order.
  std::stable_sort(files.begin(), files.end(), [](const ordered_json& a, const ordered_json& b) {
    static const std::string kNone;
    const auto path = [](const ordered_json& r) -> const std::string& {  // no copy per comparison
      return r.contains("file") && r["file"].is_object() && r["file"].contains("path") && r["file"]["path"].is_string()
                 ? r["file"]["path"].get_ref<const std::string&>()
                 : kNone;
    };
    return path(a) < path(b);
  });
  ordered_json& t = summary["trustscan"];
  ordered_json doc = ordered_json::object();
  for (const char* key : {"schema_version", "scan"})
    if (t.contains(key)) doc[key] = std::move(t[key]);
  doc["files"] = std::move(files);
  return doc;
}

}  // namespace trustscan::report
