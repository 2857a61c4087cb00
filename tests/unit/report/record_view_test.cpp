// The report model (report/record_view.hpp): the view built from a scanned record equals the view
// read back from that record's JSON (as a baseline reads an earlier report) and from its NDJSON
// event, for every record of the samples, the vendor image and the Windows image — so a field
// renamed or re-typed in the JSON writer fails here instead of reading as "" in CEF, syslog or the
// baseline. And the reader refuses a record without a field the writer always writes.
#include "report/record_view.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <map>
#include <string>

#include "pipeline/pipeline.hpp"
#include "report/baseline_impl.hpp"
#include "report/json_model.hpp"
#include "support/temp_tree.hpp"

using namespace trustscan;
using nlohmann::ordered_json;
namespace fs = std::filesystem;

namespace {

/// Every record of the test trees, scanned with trust anchors for their signatures and a policy
/// that flags a vendor of each (so that there are findings with rules and severities).
const pipeline::ScanResult& scanned() {
  static const pipeline::ScanResult result = [] {
    const fs::path build = test::samples_dir().parent_path();
    pipeline::ScanOptions opt;
    opt.roots = {test::samples_dir().string(), (build / "vendor-samples" / "vendor-image").string(),
                 (build / "windows-samples" / "windows-image").string()};
    for (const std::string& root : opt.roots) REQUIRE(fs::is_directory(root));
    opt.threads = 2;
    opt.context.data_dir = TRUSTSCAN_SOURCE_DIR;
    opt.context.trust_dirs = {build / "vendor-samples" / "vendor-image-ca", build / "windows-samples" / "catalog-ca"};
    opt.context.verify_time = 1'796'083'200;  // 2026-12-01: inside the test certificates' validity
    auto r = pipeline::scan(opt);
    REQUIRE(r);
    return std::move(*r);
  }();
  return result;
}

/// A record as a baseline reads it: written, serialised, parsed, read.
report::RecordView read_back(const ordered_json& record) {
  auto parsed = ordered_json::parse(report::dump_json(record, 2));
  auto view = report::read_record_view(parsed);
  INFO(record.dump() << ": " << (view ? "" : view.error().message));
  REQUIRE(view);
  return std::move(*view);
}

/// The JSON record of a scanned record that has every part the view reads.
ordered_json full_record() {
  for (const auto& r : scanned().records)
    if (r.verdict && r.verdict->flagged() && !r.verdict->rules.empty() && r.windows && !r.windows->services.empty() &&
        r.signature.applies)
      return report::record_object(r);
  FAIL("no flagged record registered as a Windows service among the samples");
  return nullptr;
}

/// A field's name in the reader's messages: "/trustscan/finding/rules/0/id" is
/// "trustscan.finding.rules[0].id".
std::string dotted(std::string pointer) {
  for (char& c : pointer) c = c == '/' ? '.' : c;
  if (auto at = pointer.find(".0."); at != std::string::npos) pointer.replace(at, 3, "[0].");
  return pointer.substr(1);
}

}  // namespace

TEST_CASE("record view: built from a record and read back from its JSON are equal", "[report][view]") {
  const pipeline::ScanResult& result = scanned();
  REQUIRE(result.records.size() > 20);
  std::map<std::string, int> seen;
  for (const record::FileRecord& r : result.records) {
    INFO(r.file.path);
    const report::RecordView built = report::record_view(r);
    CHECK(read_back(report::record_object(r)) == built);
    if (!built.signature) ++seen["no code signature"];
    else if (!built.signature->exists) ++seen["unsigned"];
    else if (built.signature->subject_name && built.signature->source) ++seen["authenticode signer"];
    else if (built.signature->subject_name) ++seen["other signer"];
    if (built.vendor) ++seen[built.country ? "vendor with country" : "vendor without country"];
    if (built.is_finding() && built.first_rule() && built.finding->severity) ++seen["finding"];
    if (built.finding && !built.is_finding()) ++seen["other verdict"];
    if (built.windows_services && !built.windows_services->empty()) ++seen["windows service"];
    if (!built.errors.empty()) ++seen["errors"];
    if (built.mtime && built.sha256) ++seen["mtime and hash"];
    if (built.privilege == "unknown") ++seen["not parsed"];
  }
  // The comparison means something only if the records cover every part of the view.
  for (const char* part : {"no code signature", "unsigned", "authenticode signer", "other signer", "vendor with country",
                           "vendor without country", "finding", "other verdict", "windows service", "errors",
                           "mtime and hash", "not parsed"}) {
    INFO(part);
    CHECK(seen[part] > 0);
  }
}

TEST_CASE("record view: NDJSON file events read back as the view they were written from", "[report][view]") {
  const pipeline::ScanResult& result = scanned();
  report::RunInfo run{"0.0.0-test", "testhost", nullptr};
  std::size_t files = 0, alerts = 0;
  // As written (report_events: ECS-stamped, the non-ECS code_signature members in trustscan.*).
  report::report_events(result, run, [&](ordered_json&& ev, const report::EventInfo& info) {
    if (info.kind != report::EventInfo::Kind::File) {
      CHECK(info.record == nullptr);
      return;
    }
    ++files;
    alerts += info.alert;
    REQUIRE(info.record);
    REQUIRE(info.index);
    CHECK(info.path == info.record->path);
    CHECK(read_back(ev) == *info.record);
    CHECK(*info.record == report::record_view(result.records[*info.index]));
    CHECK(info.alert == info.record->is_finding());
  });
  CHECK(files == result.records.size());
  CHECK(alerts > 0);
}

TEST_CASE("record view: a record without a field the writer always writes is refused, naming it", "[report][view]") {
  const ordered_json full = full_record();
  REQUIRE(report::read_record_view(full));
  // Every field the writer always writes (for a record like this one) that the view reads.
  for (const char* pointer :
       {"/file", "/file/path", "/file/name", "/file/size", "/file/code_signature/exists", "/trustscan",
        "/trustscan/type", "/trustscan/privilege", "/trustscan/errors", "/trustscan/vendor/id", "/trustscan/vendor/name",
        "/trustscan/vendor/category", "/trustscan/vendor/confidence", "/trustscan/finding/status",
        "/trustscan/finding/rules", "/trustscan/finding/rules/0/id", "/trustscan/finding/rules/0/reason",
        "/trustscan/windows/services", "/trustscan/windows/services/0/name", "/trustscan/windows/services/0/start"}) {
    INFO(pointer);
    const ordered_json::json_pointer p(pointer);
    ordered_json broken = full;
    broken.at(p.parent_pointer()).erase(p.back());
    auto view = report::read_record_view(broken);
    REQUIRE_FALSE(view);
    CHECK(view.error().code == Errc::Config);
    CHECK_THAT(view.error().message, Catch::Equals("has no " + dotted(pointer)));
  }
  // Optional fields may be absent, but never of another type than the writer gives them.
  for (auto [pointer, value, message] :
       {std::tuple{"/file/size", ordered_json(-1), "has file.size that is not an unsigned integer"},
        {"/file/hash/sha256", ordered_json(7), "has file.hash.sha256 that is not a string"},
        {"/file/code_signature/subject_name", ordered_json::array(),
         "has file.code_signature.subject_name that is not a string"},
        {"/trustscan/country", ordered_json(true), "has trustscan.country that is not a string"},
        {"/trustscan/finding/severity", ordered_json::object(), "has trustscan.finding.severity that is not a string"},
        {"/trustscan/errors", ordered_json::object(), "has trustscan.errors that is not an array"},
        {"/trustscan/vendor", ordered_json("acme"), "has trustscan.vendor that is not an object"}}) {
    INFO(pointer);
    ordered_json broken = full;
    broken[ordered_json::json_pointer(pointer)] = value;
    auto view = report::read_record_view(broken);
    REQUIRE_FALSE(view);
    CHECK_THAT(view.error().message, Catch::Equals(message));
  }
  CHECK_FALSE(report::read_record_view(ordered_json::array()));
}

TEST_CASE("record text: JsonText writes what the record's document serialises to, for every sample record",
          "[report][json]") {
  // The JSON report writes its records with JsonText (no document); NDJSON, the baseline and the
  // views use the document (JsonTree). One emitter feeds both: their texts must be the same.
  const pipeline::ScanResult& result = scanned();
  std::size_t signed_records = 0, with_rules = 0;
  for (const record::FileRecord& r : result.records) {
    INFO(r.file.path);
    const ordered_json doc = report::record_object(r);
    for (int indent : {2, -1}) {
      std::string text;
      report::JsonText w(text, indent);
      report::write_record(w, r);
      CHECK(text == report::dump_json(doc, indent));
    }
    std::string nested = "[\n  ";  // one level deep, as in an array
    report::JsonText w(nested, 2, 1);
    report::write_record(w, r);
    nested += "\n]";
    CHECK(nested == report::dump_json(ordered_json::array({doc}), 2));
    signed_records += r.signature.exists;
    with_rules += !r.matches.empty();
  }
  CHECK(signed_records > 0);
  CHECK(with_rules > 0);
}

TEST_CASE("a record's severity is the worse of its policy and known-bad findings", "[report]") {
  const auto view = [](std::optional<std::string> status, std::optional<std::string> severity,
                       std::optional<std::string> known_bad) {
    report::RecordView v;
    if (status) v.finding = report::FindingView{*status, severity, {}, std::nullopt};
    v.known_bad_severity = std::move(known_bad);
    return v.severity();
  };
  CHECK(view("finding", "high", "critical") == "critical");
  CHECK(view("finding", "critical", "high") == "critical");
  CHECK(view("finding", "medium", std::nullopt) == "medium");
  CHECK(view(std::nullopt, std::nullopt, "high") == "high");
  CHECK(view("suppressed", "critical", "medium") == "medium");  // a suppressed finding counts for nothing
  CHECK(view("suppressed", "critical", std::nullopt) == std::nullopt);
  CHECK(view(std::nullopt, std::nullopt, std::nullopt) == std::nullopt);
}
