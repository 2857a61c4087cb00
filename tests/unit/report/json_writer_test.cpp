// write_json streams the document (head, then the records in parallel batches): its text must be
// exactly what serialising the whole document at once gives, for any record count and thread count.
#include <sstream>
#include <string>

#include <catch2/catch.hpp>

#include "report/json_model.hpp"
#include "report/report.hpp"

using namespace trustscan;

namespace {

pipeline::ScanResult result_with(std::size_t records, std::size_t skipped, std::size_t errors, unsigned threads) {
  pipeline::ScanResult r;
  r.options.roots = {"/evidence"};
  r.threads_used = threads;
  for (std::size_t i = 0; i < records; ++i) {
    record::FileRecord rec;
    rec.file.path = "/evidence/dir " + std::to_string(i) + "/f\xe9\n.sys";  // invalid UTF-8, a newline
    rec.file.size = i * 4096;
    rec.sha256 = std::string(64, static_cast<char>('a' + i % 6));
    if (i % 3 == 0) rec.errors.push_back(Error{Errc::Malformed, "parse: bad header \"x\"\n", "parse"});
    if (i % 5 == 0) rec.rules_skipped = "in-tree module";
    r.records.push_back(std::move(rec));
  }
  for (std::size_t i = 0; i < skipped; ++i)
    r.skipped.push_back({"/evidence/link" + std::to_string(i), discover::SkipReason::Symlink, "-> /etc"});
  for (std::size_t i = 0; i < errors; ++i)
    r.errors.push_back({"/evidence/locked" + std::to_string(i), Error{Errc::PermissionDenied, "denied", "discover"}});
  return r;
}

std::string streamed(const pipeline::ScanResult& r, const report::RunInfo& run) {
  std::ostringstream out;
  report::write_json(r, run, out);
  return out.str();
}

std::string whole(const pipeline::ScanResult& r, const report::RunInfo& run) {
  return report::dump_json(report::json_document(r, run), 2) + "\n";
}

}  // namespace

TEST_CASE("write_json: the streamed document equals the whole document serialised at once", "[report][json]") {
  report::RunInfo run{"0.0.0-test", "host\x1b[31m", nullptr};
  struct Shape {
    std::size_t records, skipped, errors;
    unsigned threads;
  };
  for (Shape s : {Shape{0, 0, 0, 1}, Shape{1, 0, 0, 2}, Shape{0, 3, 0, 2}, Shape{0, 0, 2, 2}, Shape{7, 2, 1, 1},
                  Shape{7, 2, 1, 3}, Shape{1024, 0, 0, 2}, Shape{1025, 1, 1, 2}, Shape{2500, 5, 3, 3},
                  Shape{3, 1, 1, 8}}) {
    CAPTURE(s.records, s.skipped, s.errors, s.threads);
    auto r = result_with(s.records, s.skipped, s.errors, s.threads);
    std::string text = streamed(r, run);
    CHECK(text == whole(r, run));
    CHECK(nlohmann::ordered_json::parse(text)["files"].size() == s.records);
  }
}
