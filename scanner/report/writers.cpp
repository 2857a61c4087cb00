// The JSON and NDJSON writers: the models of json_report.cpp, reduced to the changes in baseline
// mode (baseline.cpp), then serialised once.
#include <ostream>

#include "report/baseline_impl.hpp"
#include "report/json_model.hpp"
#include "report/report.hpp"

namespace trustscan::report {

void write_json(const pipeline::ScanResult& result, const RunInfo& run, std::ostream& out) {
  nlohmann::ordered_json doc = json_document(result, run);
  if (run.baseline) apply_baseline(*run.baseline, doc);
  out << dump_json(doc, 2) << '\n';
}

void write_ndjson(const pipeline::ScanResult& result, const RunInfo& run, std::ostream& out) {
  report_events(result, run, [&out](nlohmann::ordered_json&& ev) { out << dump_json(ev, -1) << '\n'; });
}

}  // namespace trustscan::report
