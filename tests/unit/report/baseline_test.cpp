// The baseline diff on report records alone (no scan): keys, root pairing, each compared field.
// Records are written as report JSON and read back with read_record_view, as a baseline is.
#include "report/baseline_impl.hpp"

#include <catch2/catch.hpp>

#include "support/temp_tree.hpp"

using namespace trustscan;
using nlohmann::ordered_json;
using report::BaselineChange;

namespace {

/// A minimal report record: a signed kernel driver attributed to `vendor` with verdict `status`.
ordered_json report_record(const std::string& path, const std::string& sha, const std::string& vendor = "acme",
                    const std::string& status = "finding", const std::string& severity = "critical") {
  ordered_json r{{"file", {{"path", path}, {"name", path.substr(path.rfind('/') + 1)}, {"size", 4096},
                           {"hash", {{"sha256", sha}}},
                           {"code_signature", {{"exists", true}, {"status", "valid"}, {"subject_name", "Acme Ltd"}}}}},
                 {"trustscan", {{"type", "driver"}, {"privilege", "kernel"},
                                {"vendor", {{"id", vendor}, {"name", "Acme"}, {"category", "edr"}, {"confidence", "high"}}},
                                {"country", "RU"}, {"finding", {{"status", status}, {"rules", ordered_json::array()}}},
                                {"errors", ordered_json::array()}}}};
  if (status == "finding") r["trustscan"]["finding"]["severity"] = severity;
  return r;
}

/// The record as a baseline reads it.
report::RecordView view(const ordered_json& record) {
  auto v = report::read_record_view(record);
  INFO(record.dump() << ": " << (v ? "" : v.error().message));
  REQUIRE(v);
  return std::move(*v);
}

std::vector<report::RecordView> views(const ordered_json& records) {
  std::vector<report::RecordView> out;
  for (const auto& r : records) out.push_back(view(r));
  return out;
}

/// diff_records on report JSON.
report::RecordDiff diff(const std::vector<std::string>& previous_roots, const ordered_json& previous,
                        const std::vector<std::string>& current_roots, const ordered_json& current) {
  return report::diff_records(previous_roots, views(previous), current_roots, views(current));
}

using Value = std::optional<std::string>;
report::FieldChange change(std::string_view field, Value old_value, Value new_value) {
  return {field, std::move(old_value), std::move(new_value)};
}

std::string sha(char c) { return std::string(64, c); }

/// "change path" per delta, in order.
std::vector<std::string> summary(const report::RecordDiff& d) {
  std::vector<std::string> out;
  for (const auto& x : d.deltas) out.push_back(std::string(report::to_string(x.change)) + " " + x.path);
  return out;
}

}  // namespace

TEST_CASE("baseline: new, changed, gone and unchanged records", "[report][baseline]") {
  ordered_json prev = ordered_json::array({report_record("/img/a.sys", sha('a')), report_record("/img/b.sys", sha('b')),
                                            report_record("/img/c.sys", sha('c'))});
  ordered_json cur = ordered_json::array({report_record("/img/a.sys", sha('a')), report_record("/img/b.sys", sha('B')),
                                          report_record("/img/d.sys", sha('d'))});
  auto d = diff({"/img"}, prev, {"/img"}, cur);
  CHECK(summary(d) == std::vector<std::string>{"changed /img/b.sys", "gone /img/c.sys", "new /img/d.sys"});
  CHECK(d.unchanged == 1);
  const auto& changed = d.deltas[0];
  REQUIRE(changed.changes.size() == 1);
  CHECK(changed.changes[0] == change("sha256", sha('b'), sha('B')));
  CHECK(changed.current == 1u);
  CHECK(changed.previous == 1u);
  CHECK(d.deltas[1].previous == 2u);
  CHECK_FALSE(d.deltas[1].current);
  CHECK(d.deltas[2].current == 2u);
  CHECK(report::baseline_annotation(changed) ==
        ordered_json{{"change", "changed"},
                     {"changes", ordered_json::array({{{"field", "sha256"}, {"old", sha('b')}, {"new", sha('B')}}})}});
  CHECK(report::baseline_annotation(d.deltas[2]) == ordered_json{{"change", "new"}});
}

TEST_CASE("baseline: every compared field is detected, old and new values reported", "[report][baseline]") {
  struct Case {
    const char* field;
    void (*mutate)(ordered_json&);
    Value old_value, new_value;
  };
  const Case cases[] = {
      {"signature.status", [](ordered_json& r) { r["file"]["code_signature"]["status"] = "invalid"; }, "valid", "invalid"},
      {"signature.signer", [](ordered_json& r) { r["file"]["code_signature"]["subject_name"] = "Other"; }, "Acme Ltd", "Other"},
      {"vendor", [](ordered_json& r) { r["trustscan"]["vendor"]["id"] = "other"; }, "acme", "other"},
      {"country", [](ordered_json& r) { r["trustscan"]["country"] = nullptr; }, "RU", std::nullopt},
      {"privilege", [](ordered_json& r) { r["trustscan"]["privilege"] = "boot"; }, "kernel", "boot"},
      {"type", [](ordered_json& r) { r["trustscan"]["type"] = "efi_driver"; }, "driver", "efi_driver"},
      {"severity", [](ordered_json& r) { r["trustscan"]["finding"]["severity"] = "high"; }, "critical", "high"},
  };
  for (const auto& c : cases) {
    ordered_json now = report_record("/img/x.sys", sha('x'));
    c.mutate(now);
    auto d = diff({"/img"}, ordered_json::array({report_record("/img/x.sys", sha('x'))}), {"/img"}, ordered_json::array({now}));
    INFO(c.field);
    REQUIRE(d.deltas.size() == 1);
    CHECK(d.deltas[0].change == BaselineChange::Changed);
    REQUIRE(d.deltas[0].changes.size() == 1);
    CHECK(d.deltas[0].changes[0] == change(c.field, c.old_value, c.new_value));
  }
  // Signature removed: the status says "unsigned" and the signer is gone.
  ordered_json unsigned_now = report_record("/img/x.sys", sha('x'));
  unsigned_now["file"]["code_signature"] = {{"exists", false}};
  auto u = diff({"/img"}, ordered_json::array({report_record("/img/x.sys", sha('x'))}), {"/img"},
                ordered_json::array({unsigned_now}));
  REQUIRE(u.deltas.size() == 1);
  CHECK(u.deltas[0].changes == std::vector<report::FieldChange>{change("signature.status", "valid", "unsigned"),
                                                                change("signature.signer", "Acme Ltd", std::nullopt)});
  // A verdict change usually drags the severity along: both are listed, in table order.
  auto d = diff({"/img"}, ordered_json::array({report_record("/img/x.sys", sha('x'), "acme", "no_match")}), {"/img"},
                ordered_json::array({report_record("/img/x.sys", sha('x'))}));
  REQUIRE(d.deltas.size() == 1);
  CHECK(d.deltas[0].changes == std::vector<report::FieldChange>{change("verdict", "no_match", "finding"),
                                                                change("severity", std::nullopt, "critical")});
  // Fields outside the table (here the size) never make a record "changed".
  ordered_json bigger = report_record("/img/x.sys", sha('x'));
  bigger["file"]["size"] = 12345;
  d = diff({"/img"}, ordered_json::array({report_record("/img/x.sys", sha('x'))}), {"/img"}, ordered_json::array({bigger}));
  CHECK(d.deltas.empty());
  CHECK(d.unchanged == 1);
}

TEST_CASE("baseline: the compared-field table is the documented one", "[report][baseline]") {
  std::vector<std::string> names;
  for (const auto& f : report::compared_fields()) names.emplace_back(f.name);
  CHECK(names == std::vector<std::string>{"sha256", "signature.status", "signature.signer", "vendor", "country",
                                          "verdict", "severity", "privilege", "type", "signature.source",
                                          "windows.start", "known_bad", "known_bad.category", "known_bad.severity"});
  CHECK(report::compared_value("sha256", view(report_record("/x", sha('1')))) == sha('1'));
  CHECK_FALSE(report::compared_value("no-such-field", view(report_record("/x", sha('1')))));
}

TEST_CASE("baseline: roots are paired; an image mounted elsewhere compares by relative path", "[report][baseline]") {
  SECTION("one root each, different mount points") {
    auto d = diff({"/mnt/old"}, ordered_json::array({report_record("/mnt/old/w/a.sys", sha('a'))}),
                  {"/mnt/new/"}, ordered_json::array({report_record("/mnt/new/w/a.sys", sha('a'))}));
    CHECK(d.deltas.empty());
    CHECK(d.unchanged == 1);
    REQUIRE(d.root_pairs.size() == 1);
    CHECK(d.root_pairs[0] == std::pair<std::string, std::string>{"/mnt/old", "/mnt/new/"});
  }
  SECTION("equal roots pair first; the single leftover pair too") {
    ordered_json prev = ordered_json::array({report_record("/a/x", sha('1')), report_record("/b/y", sha('2'))});
    auto d = diff({"/a", "/b"}, prev, {"/c", "/a"},
                  ordered_json::array({report_record("/a/x", sha('1')), report_record("/c/y", sha('2'))}));
    CHECK(d.deltas.empty());
    CHECK(d.root_pairs.size() == 2);
  }
  SECTION("two leftovers on each side are not guessed: their records are gone and new") {
    ordered_json prev = ordered_json::array({report_record("/p/x", sha('1')), report_record("/q/x", sha('1'))});
    auto d = diff({"/p", "/q"}, prev, {"/r", "/s"},
                  ordered_json::array({report_record("/r/x", sha('1')), report_record("/s/x", sha('1'))}));
    CHECK(summary(d) == std::vector<std::string>{"gone /p/x", "gone /q/x", "new /r/x", "new /s/x"});
    CHECK(d.root_pairs.empty());
  }
  SECTION("the root / and a root that is a file") {
    auto d = diff({"/", "/opt/one.sys"},
                  ordered_json::array({report_record("/etc/x.ko", sha('1')), report_record("/opt/one.sys", sha('2'))}),
                  {"/", "/opt/one.sys"},
                  ordered_json::array({report_record("/etc/x.ko", sha('1')), report_record("/opt/one.sys", sha('3'))}));
    CHECK(summary(d) == std::vector<std::string>{"changed /opt/one.sys"});
  }
  SECTION("nested roots list a file twice: occurrences are matched in order") {
    ordered_json prev = ordered_json::array({report_record("/boot/vmlinuz", sha('1')), report_record("/boot/vmlinuz", sha('1'))});
    auto d = diff({"/", "/boot"}, prev, {"/", "/boot"},
                  ordered_json::array({report_record("/boot/vmlinuz", sha('1')), report_record("/boot/vmlinuz", sha('1'))}));
    CHECK(d.deltas.empty());
    CHECK(d.unchanged == 2);
  }
}

TEST_CASE("baseline: Baseline::load accepts full 1.x reports and refuses everything else", "[report][baseline]") {
  test::TempTree dir;
  auto load = [&](const std::string& name, const std::string& text) {
    dir.write(name, text);
    return report::Baseline::load((dir.path() / name).string());
  };
  ordered_json doc{{"schema_version", "1.0.0"},
                   {"scan", {{"roots", {"/img"}}, {"end", "2026-01-01T00:00:00.000Z"}}},
                   {"files", ordered_json::array({report_record("/img/a.sys", sha('a'))})}};
  auto ok = load("ok.json", doc.dump(2));
  REQUIRE(ok);
  CHECK(ok->records() == 1);
  doc["schema_version"] = "1.7.3";  // a later minor only adds fields
  CHECK(load("minor.json", doc.dump()));

  auto message = [&](const std::string& name, const std::string& text) {
    auto r = load(name, text);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == Errc::Config);
    CHECK(r.error().message.find(name) != std::string::npos);
    return r.error().message;
  };
  doc["schema_version"] = "2.0.0";
  CHECK_THAT(message("major.json", doc.dump()), Catch::Contains("schema 2.0.0 is incompatible"));
  doc["schema_version"] = "1.0.0";
  ordered_json delta = doc;
  delta["scan"]["baseline"] = {{"report", "x.json"}};
  CHECK_THAT(message("delta.json", delta.dump()), Catch::Contains("itself written with --baseline"));
  // NDJSON is read (issue 20), but only a whole report: the summary event is its last line.
  CHECK_THAT(message("events.ndjson", "{\"event\":{\"dataset\":\"trustscan.file\"}}\n{\"event\":{}}\n"),
             Catch::Contains("NDJSON report without its summary event"));
  CHECK_THAT(message("cut.ndjson", "{\"event\":{\"dataset\":\"trustscan.file\"}}\n{\"event\":{\"da"),
             Catch::Contains("NDJSON line 2 is not JSON"));
  CHECK_THAT(message("cache.db", std::string("SQLite format 3\0rest", 20)),
             Catch::Contains("(a --cache file?) is no report"));
  CHECK_THAT(message("broken.json", "{\"schema_version\": \"1.0.0\", "), Catch::Contains("not a JSON document"));
  CHECK_THAT(message("other.json", "{\"hello\": 1}"), Catch::Contains("no schema_version"));
  ordered_json nofiles = doc;
  nofiles.erase("files");
  CHECK_THAT(message("nofiles.json", nofiles.dump()), Catch::Contains("no files"));
  ordered_json nopath = doc;
  nopath["files"][0]["file"].erase("path");
  CHECK_THAT(message("nopath.json", nopath.dump()), Catch::Contains("record 0 has no file.path"));
  auto missing = report::Baseline::load((dir.path() / "absent.json").string());
  REQUIRE_FALSE(missing);
  CHECK_THAT(missing.error().message, Catch::Contains("cannot open"));
}
