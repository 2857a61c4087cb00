// The JSON and NDJSON writers: the models of json_report.cpp, reduced to the changes in baseline
// mode (baseline.cpp), then serialised once.
#include <algorithm>
#include <exception>
#include <ostream>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "report/baseline_impl.hpp"
#include "report/json_model.hpp"
#include "report/report.hpp"

namespace trustscan::report {

namespace {

/// Records serialised per batch: bounds the text held in memory (a few MB) on any tree size.
constexpr std::size_t kBatch = 1024;

/// `j` as dump_json(j, 2) writes it `depth` levels deep in a document: every line indented by
/// 2 × depth more. JSON text has no raw newline inside a string, so every '\n' is layout.
void append_nested(std::string& out, const nlohmann::ordered_json& j, int depth) {
  const std::string text = dump_json(j, 2);
  const std::string pad(static_cast<std::size_t>(2 * depth), ' ');
  out.reserve(out.size() + text.size() + text.size() / 16);
  out += pad;
  for (char c : text) {
    out += c;
    if (c == '\n') out += pad;
  }
}

/// Writes `"name": [ items ]` as the next member of the top-level object, exactly as dump_json
/// of the whole document would, building and serialising the elements on `threads` threads in
/// batches (in order) so that neither a whole-document DOM nor its whole text is ever held.
template <class T, class Make>
void write_member_array(std::ostream& out, const char* name, const std::vector<T>& items, unsigned threads,
                        Make make) {
  out << ",\n  \"" << name << "\": ";
  if (items.empty()) {
    out << "[]";
    return;
  }
  out << "[\n";
  std::vector<std::string> parts(threads);
  for (std::size_t begin = 0; begin < items.size(); begin += kBatch) {
    const std::size_t end = std::min(items.size(), begin + kBatch);
    const std::size_t per = (end - begin + threads - 1) / threads;
    std::vector<std::exception_ptr> failures(threads);
    auto work = [&](unsigned t) {
      try {
        std::string& text = parts[t];
        text.clear();
        const std::size_t from = begin + t * per, to = std::min(end, from + per);
        for (std::size_t i = from; i < to; ++i) {
          append_nested(text, make(items[i]), 2);
          if (i + 1 < items.size()) text += ",\n";
        }
      } catch (...) {
        failures[t] = std::current_exception();
      }
    };
    {
      std::vector<std::jthread> pool;
      std::vector<unsigned> here{0};  // shares run on this thread: its own, and any without a thread
      for (unsigned t = 1; t < threads; ++t) try {
          pool.emplace_back(work, t);
        } catch (const std::system_error&) {
          here.push_back(t);
        }
      for (unsigned t : here) work(t);
    }
    for (const auto& f : failures)
      if (f) std::rethrow_exception(f);
    for (const auto& text : parts) out << text;
  }
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
  write_member_array(out, "files", result.records, threads, [](const auto& r) { return record_object(r); });
  write_member_array(out, "skipped", result.skipped, threads, [](const auto& s) { return skipped_object(s); });
  write_member_array(out, "errors", result.errors, threads, [](const auto& e) { return path_error_object(e); });
  out << "\n}\n";
}

void write_ndjson(const pipeline::ScanResult& result, const RunInfo& run, std::ostream& out) {
  report_events(result, run, [&out](nlohmann::ordered_json&& ev, const EventInfo&) { out << dump_json(ev, -1) << '\n'; });
}

}  // namespace trustscan::report
