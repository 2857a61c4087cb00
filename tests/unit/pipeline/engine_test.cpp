// pipeline::Engine (issue 19): loaded once, several scans at the same time from several threads,
// each streaming its records to a sink; keep_records=false; a scan cancelled from another thread.
#include "pipeline/engine.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

#include "report/explain.hpp"
#include "support/temp_tree.hpp"

using namespace trustscan;

namespace {

pipeline::ScanOptions sample_options() {
  pipeline::ScanOptions opt;
  opt.roots = {test::samples_dir().string()};
  opt.threads = 2;
  opt.context.data_dir = TRUSTSCAN_SOURCE_DIR;
  return opt;
}

/// A record as its JSON (everything a report says of it), by path.
std::string json_of(const record::FileRecord& rec) {
  std::ostringstream out;
  report::write_explain_json(rec, out);
  return out.str();
}

/// What a sink received: each record's JSON by path, and how often each path came.
struct Received {
  std::mutex m;  // only to check the engine's promise; it calls one at a time
  std::atomic<int> in_call{0};
  bool overlapped = false;
  std::map<std::string, std::string> records;
  std::map<std::string, int> calls;
  std::size_t errors = 0;

  pipeline::Sink sink() {
    return {[this](const record::FileRecord& rec) {
              if (in_call.fetch_add(1) != 0) overlapped = true;
              {
                std::lock_guard lock(m);
                records[rec.file.path] = json_of(rec);
                ++calls[rec.file.path];
              }
              in_call.fetch_sub(1);
            },
            [this](const discover::PathError&) {
              std::lock_guard lock(m);
              ++errors;
            }};
  }
};

std::map<std::string, std::string> by_path(const record::RecordList& records) {
  std::map<std::string, std::string> out;
  for (const record::FileRecord& r : records) out[r.file.path] = json_of(r);
  return out;
}

void check_same_summary(const pipeline::ScanSummary& a, const pipeline::ScanSummary& b) {
  CHECK(a.files_seen == b.files_seen);
  CHECK(a.files_scanned == b.files_scanned);
  CHECK(a.binaries == b.binaries);
  CHECK(a.non_binaries == b.non_binaries);
  CHECK(a.bytes_scanned == b.bytes_scanned);
  CHECK(a.error_count == b.error_count);
  CHECK(a.read_errors == b.read_errors);
  CHECK(a.malformed_errors == b.malformed_errors);
  CHECK(a.by_format == b.by_format);
  CHECK(a.by_privilege == b.by_privilege);
  CHECK(a.by_type == b.by_type);
  CHECK(a.kernel_by_signature == b.kernel_by_signature);
  CHECK(a.skipped == b.skipped);
  CHECK(a.findings == b.findings);
  CHECK(a.findings_by_severity == b.findings_by_severity);
  CHECK(a.suppressed == b.suppressed);
  CHECK(a.attributed == b.attributed);
  CHECK(a.known_bad == b.known_bad);
  CHECK(a.catalog_signed == b.catalog_signed);
  CHECK(a.rules_skipped == b.rules_skipped);
}

}  // namespace

TEST_CASE("one engine, two scans at once from two threads: the records of pipeline::scan, each sent once",
          "[pipeline][engine]") {
  const pipeline::ScanOptions opt = sample_options();
  auto reference = pipeline::scan(opt);
  REQUIRE(reference);
  REQUIRE(reference->records.size() >= 18);
  const auto expected = by_path(reference->records);

  auto engine = pipeline::Engine::load(opt);
  REQUIRE(engine);
  const pipeline::ScanRequest request = pipeline::request_of(opt);
  Received first, second;
  std::optional<Result<pipeline::ScanResult>> a, b;
  std::thread t1([&] { a = (*engine)->scan(request, first.sink()); });
  std::thread t2([&] { b = (*engine)->scan(request, second.sink()); });
  t1.join();
  t2.join();
  REQUIRE(a.has_value());
  REQUIRE(a->has_value());
  REQUIRE(b.has_value());
  REQUIRE(b->has_value());
  for (Received* r : {&first, &second}) {
    CHECK_FALSE(r->overlapped);
    CHECK(r->records == expected);
    CHECK(r->errors == reference->errors.size());
    for (const auto& [path, n] : r->calls) {
      INFO(path);
      CHECK(n == 1);
    }
  }
  CHECK(by_path((*a)->records) == expected);
  CHECK(by_path((*b)->records) == expected);
  check_same_summary((*a)->summary, reference->summary);
  check_same_summary((*b)->summary, reference->summary);
}

TEST_CASE("pipeline::scan's engine lives as long as its result; Engine::scan's is the caller's", "[pipeline][engine]") {
  const pipeline::ScanOptions opt = sample_options();
  auto once = pipeline::scan(opt);
  REQUIRE(once);
  REQUIRE(once->engine);
  CHECK(once->engine.use_count() == 1);  // (nothing else holds it: it goes with the result)
  auto engine = pipeline::Engine::load(opt);
  REQUIRE(engine);
  auto result = (*engine)->scan(pipeline::request_of(opt), {});
  REQUIRE(result);
  CHECK_FALSE(result->engine);
  CHECK(engine->use_count() == 1);
}

TEST_CASE("keep_records=false: records only to the sink, the summary still complete", "[pipeline][engine]") {
  const pipeline::ScanOptions opt = sample_options();
  auto engine = pipeline::Engine::load(opt);
  REQUIRE(engine);
  pipeline::ScanRequest request = pipeline::request_of(opt);
  auto kept = (*engine)->scan(request, {});
  REQUIRE(kept);
  request.keep_records = false;
  Received sent;
  auto streamed = (*engine)->scan(request, sent.sink());
  REQUIRE(streamed);
  CHECK(streamed->records.empty());
  CHECK(sent.records == by_path(kept->records));
  CHECK(streamed->summary.binaries == kept->records.size());
  check_same_summary(streamed->summary, kept->summary);
  CHECK(streamed->load_notes.size() == kept->load_notes.size());
  CHECK(streamed->complete());
}

TEST_CASE("a scan is cancelled from another thread: it ends early, marked interrupted", "[pipeline][engine]") {
  const std::filesystem::path tree = test::real_tree();
  if (!test::real_tree_has(tree / "usr")) return;
  pipeline::ScanOptions opt;
  opt.roots = {tree.string()};
  opt.threads = 2;
  opt.context.data_dir = TRUSTSCAN_SOURCE_DIR;
  auto engine = pipeline::Engine::load(opt);
  REQUIRE(engine);
  pipeline::ScanRequest request = pipeline::request_of(opt);
  request.keep_records = false;

  constexpr std::size_t kCancelAfter = 20;
  std::atomic<int> stop{0};
  std::atomic<std::size_t> sent{0};
  std::mutex m;
  std::condition_variable cv;
  const pipeline::Sink sink{[&](const record::FileRecord&) {
                              std::lock_guard lock(m);  // (so that the canceller cannot miss the wake-up)
                              if (sent.fetch_add(1) + 1 == kCancelAfter) cv.notify_all();
                            },
                            {}};
  std::thread canceller([&] {
    std::unique_lock lock(m);
    cv.wait(lock, [&] { return sent.load() >= kCancelAfter; });
    stop.store(1);
  });
  auto result = (*engine)->scan(request, sink, &stop);
  {
    std::lock_guard lock(m);  // (the scan may end without reaching kCancelAfter: wake the canceller)
    sent.fetch_add(kCancelAfter);
  }
  cv.notify_all();
  canceller.join();
  REQUIRE(result);
  CHECK(result->interrupted_by == 1);
  CHECK_FALSE(result->complete());
  CHECK(result->summary.files_not_scanned > 0);
  // Workers finish the file they hold and take no other: a few files past the cancel, not the tree.
  CHECK(result->summary.binaries < kCancelAfter + 200);
  CHECK(result->summary.files_not_scanned > 1000);
  CHECK(result->summary.binaries >= kCancelAfter);
  CHECK(result->summary.binaries == sent.load() - kCancelAfter);
}

TEST_CASE("each scan of an engine has its own suppression counts and its own time", "[pipeline][engine]") {
  // An engine runs many scans (a library client keeps it loaded for days): a scan reports the
  // suppressions it used itself, and verifies at its own start unless --verify-time pins it.
  test::TempTree dir;
  dir.write("policy.yaml",
            "name: t\ncountries:\n  - code: RU\n    reason: r\n    source: s\nsuppressions:\n"
            "  - id: lab\n    reason: r\n    expires: 2099-12-31\n    match:\n      vendor: kaspersky\n"
            "  - id: old\n    reason: r\n    expires: 2000-01-01\n    match:\n      vendor: kaspersky\n");
  pipeline::ScanOptions opt = sample_options();
  opt.roots = {(test::samples_dir().parent_path() / "vendor-samples").string()};
  opt.context.policy_file = dir.path() / "policy.yaml";
  auto engine = pipeline::Engine::load(opt);
  REQUIRE(engine);
  const pipeline::ScanRequest request = pipeline::request_of(opt);
  Received first, second;
  auto a = (*engine)->scan(request, first.sink());
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  auto b = (*engine)->scan(request, second.sink());
  REQUIRE(a);
  REQUIRE(b);
  for (const pipeline::ScanResult* r : {&*a, &*b}) {
    REQUIRE(r->suppressions.size() == 2);
    CHECK(r->summary.suppressed >= 3);
    CHECK(r->suppressions[0].uses == r->summary.suppressed);
    CHECK(r->suppressions[1].matches_after_expiry == r->summary.suppressed);
  }
  CHECK(b->verify_time > a->verify_time);

  opt.context.verify_time = 1'700'000'000;
  auto pinned = pipeline::Engine::load(opt);
  REQUIRE(pinned);
  auto c = (*pinned)->scan(request, first.sink());
  REQUIRE(c);
  CHECK(c->verify_time == 1'700'000'000);
}

TEST_CASE("the engine's load tells a broken trust data set before a broken vendor list, and each alone",
          "[pipeline][engine]") {
  // The trust anchors and the known-bad feeds load on threads of their own beside the vendor list:
  // which error a load with several broken inputs tells must not depend on which thread ends first.
  const test::TempTree tmp;
  tmp.mkdir("data/microsoft-root-program");  // no provenance, no roots: broken
  tmp.write("data/loldrivers/known_bad.tsv", "not a feed\n");
  tmp.write("vendors.yaml", "vendors: [unclosed\n");
  const std::string vendor_file = (tmp.path() / "vendors.yaml").string();
  auto load = [&](bool broken_data, bool broken_vendors, bool broken_feed) {
    pipeline::ScanOptions opt = sample_options();
    opt.context.load_threads = 2;
    const test::TempTree empty;
    opt.context.dataset_dir = broken_data ? tmp.path() / "data" : empty.path();
    if (!broken_data && broken_feed) {
      tmp.write("feed/loldrivers/known_bad.tsv", "not a feed\n");
      opt.context.dataset_dir = tmp.path() / "feed";
    }
    if (broken_vendors) opt.context.vendor_files = {vendor_file};
    auto engine = pipeline::Engine::load(opt);
    REQUIRE_FALSE(engine);
    return engine.error().message;
  };
  for (int round = 0; round < 5; ++round) {  // (a race would show in some of them)
    CHECK_THAT(load(true, true, false), Catch::Contains("microsoft-root-program"));
    CHECK_THAT(load(false, true, true), Catch::Contains(vendor_file));
  }
  CHECK_THAT(load(true, false, false), Catch::Contains("microsoft-root-program"));
  CHECK_THAT(load(false, false, true), Catch::Contains("known-bad driver feed"));
}
