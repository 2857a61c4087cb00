// The JSON and NDJSON writers: the models of json_report.cpp, reduced to the changes in baseline
// mode (baseline.cpp), then serialised once.
#include <algorithm>
#include <ostream>
#include <string>
#include <vector>

#include "core/parallel.hpp"
#include "report/baseline_impl.hpp"
#include "report/json_model.hpp"
#include "report/json_sink.hpp"
#include "report/report.hpp"

namespace trustscan::report {

namespace {

/// Records serialised per batch: bounds the text held in memory on any tree size (about 0.5 MB
/// a batch, for each of threads + 1 batches, reused by the next ones). Batches of 1,024 held 4 MB,
/// whose first use was about 2,000 of a cached re-scan's page faults (docs/performance.md, "tenth
/// round").
constexpr std::size_t kBatch = 128;
/// Bytes of a typical element's text (a binary's record: 4 KB on the real tree): what a batch's
/// text is reserved for, so that the first batch does not copy it as it grows.
constexpr std::size_t kTypicalElement = 4096;

/// Writes `"name": [ items ]` as the next member of the top-level object, exactly as dump_json
/// of the whole document would: `emit` writes each element into a JsonText (json_sink.hpp) two
/// levels deep. The batches are rendered on `threads` threads and written in order by this one
/// while the others render the next (a batch split between threads and written when both were
/// done left the second thread mostly idle: it started after this one had claimed both halves),
/// so that neither a document nor the whole text is ever held.
template <class Items, class Emit>
void write_member_array(std::ostream& out, const char* name, const Items& items, unsigned threads, Emit emit) {
  out << ",\n  \"" << name << "\": ";
  if (items.empty()) {
    out << "[]";
    return;
  }
  out << "[\n";
  const std::size_t batches = (items.size() + kBatch - 1) / kBatch;
  parallel_ordered<std::string>(
      batches, threads, std::size_t{threads} + 1,
      [&](std::size_t batch, std::string& text) {
        const std::size_t from = batch * kBatch, to = std::min(items.size(), from + kBatch);
        // The first use of a batch's text grows it to its size; later ones reuse that capacity.
        text.clear();
        if (text.capacity() == 0) text.reserve((to - from) * kTypicalElement);
        for (std::size_t i = from; i < to; ++i) {
          text += "    ";  // the element's first line; JsonText indents the others
          JsonText w(text, 2, 2);
          emit(w, items[i]);
          if (i + 1 < items.size()) text += ",\n";
        }
      },
      [&](std::size_t, const std::string& text) { out << text; });
  out << "\n  ]";
}

}  // namespace

void write_json(const pipeline::ScanResult& result, const RunInfo& run, std::ostream& out) {
  if (run.baseline) {  // the diff is small, and apply_baseline works on the whole document
    nlohmann::ordered_json doc = json_document(result, run);
    apply_baseline(*run.baseline, doc);
    out << dump_json(doc, 2) << '\n';
    return;
  }
  // The same text as dump_json(json_document(...), 2), streamed: the head's closing "\n}" is held
  // back, the three arrays follow as its last members.
  std::string head = dump_json(json_document_head(result, run), 2);
  head.resize(head.size() - 2);
  out << head;
  const unsigned threads = std::clamp(result.threads_used, 1u, 64u);
  write_member_array(out, "files", result.records, threads, [](JsonSink& w, const auto& r) { write_record(w, r); });
  write_member_array(out, "skipped", result.skipped, threads,
                     [](JsonSink& w, const auto& s) { w.json(skipped_object(s)); });
  write_member_array(out, "errors", result.errors, threads,
                     [](JsonSink& w, const auto& e) { w.json(path_error_object(e)); });
  out << "\n}\n";
}

void write_ndjson(const pipeline::ScanResult& result, const RunInfo& run, std::ostream& out) {
  report_events(result, run, [&out](nlohmann::ordered_json&& ev, const EventInfo&) { out << dump_json(ev, -1) << '\n'; });
}

}  // namespace trustscan::report
