// write_json streams the document (head, then the records in parallel batches, each written as
// text by JsonText without a document): its text must be exactly what serialising the whole
// document at once gives, for any record count and thread count, and for any value.
#include <cstdint>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "report/json_model.hpp"
#include "report/json_sink.hpp"
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

TEST_CASE("JsonText: the text nlohmann writes of the document JsonTree builds", "[report][json]") {
  // Every kind of value, empty and nested containers, strings nlohmann escapes (quotes, control
  // characters, non-ASCII, invalid UTF-8), and a prepared value (a double) one level down.
  auto emit = [](report::JsonSink& w) {
    w.begin_object();
    w.member("plain", "text");
    w.member("quote\"d", std::string("a \"b\"\\ \t\n\x01\x7f"));
    w.member("utf8", std::string("caf\xc3\xa9 \xe2\x82\xac"));
    w.member("invalid", std::string("bad \xff\xc3 end"));
    w.member("negative", -42);
    w.member("unsigned", std::uint64_t{18'446'744'073'709'551'615U});
    w.member("yes", true);
    w.key("nothing");
    w.null();
    w.member("none", std::optional<std::string>());
    w.object("empty_object");
    w.end_object();
    w.array("empty_array");
    w.end_array();
    w.array("nested");
    w.begin_array();
    w.end_array();
    w.begin_object();
    w.member("list", std::vector<std::string>{"x", "y"});
    w.key("prepared");
    w.json(nlohmann::ordered_json{{"pi", 3.25}, {"list", {1, 2}}, {"empty", nlohmann::ordered_json::object()}});
    w.end_object();
    w.number(std::int64_t{7});
    w.end_array();
    w.end_object();
  };
  nlohmann::ordered_json doc;
  report::JsonTree tree(doc);
  emit(tree);
  for (int indent : {2, -1}) {
    CAPTURE(indent);
    std::string text;
    report::JsonText w(text, indent);
    emit(w);
    CHECK(text == report::dump_json(doc, indent));
  }
}

TEST_CASE("JSON record: keys that escape alike are written once, as the document holds them", "[report][json]") {
  // utf8_escaped turns the byte 0xff into the four characters \xff, which a key may also spell:
  // the document keeps one member (the first key's place, the last value), the text must too.
  record::FileRecord rec;
  rec.file.path = "/evidence/x.dll";
  rec.binary.emplace();
  rec.binary->pe.emplace();
  rec.binary->pe->version_info = {{"\xff", "escaped"}, {"\\xff", "literal"}, {"CompanyName", "Acme"}};
  const nlohmann::ordered_json doc = report::record_object(rec);
  CHECK(doc["trustscan"]["pe"]["version_info"].size() == 2);
  std::string text;
  report::JsonText w(text, 2);
  report::write_record(w, rec);
  CHECK(text == report::dump_json(doc, 2));
}

TEST_CASE("JsonText: every byte value at every position of a string is written as nlohmann writes it",
          "[report][json]") {
  // JsonText copies plain strings itself and checks them eight bytes at a time: a byte that needs
  // escaping (control characters, '"', '\\', anything above 0x7f) must be seen wherever it is.
  // Every length up to 21, so that the bytes after the last whole word (checked one by one) are met
  // at every position too, in values and in member names.
  for (std::size_t size = 1; size <= 21; ++size)
    for (int byte = 0; byte < 256; ++byte)
      for (std::size_t at = 0; at < size; ++at) {
        std::string s(size, 'a');
        s[at] = static_cast<char>(byte);
        CAPTURE(size, byte, at);
        std::string text;
        report::JsonText w(text, -1);
        w.string(s);
        CHECK(text == report::dump_json(nlohmann::ordered_json(s), -1));
        std::string object;
        report::JsonText o(object, -1);
        o.begin_object();
        o.key(s);
        o.null();
        o.end_object();
        CHECK(object == report::dump_json(nlohmann::ordered_json{{s, nullptr}}, -1));
      }
}

TEST_CASE("JSON report: a module's .modinfo, ASCII as it is, other bytes escaped", "[report][json]") {
  report::RunInfo run{"0.0.0-test", "host", nullptr};
  pipeline::ScanResult r;
  r.options.roots = {"/m"};
  r.threads_used = 1;
  auto module_with = [&r](std::map<std::string, std::string> modinfo) {
    record::FileRecord rec;
    rec.file.path = "/m/" + std::to_string(r.records.size()) + ".ko";
    rec.binary.emplace();
    rec.binary->elf.emplace();
    rec.binary->elf->modinfo = std::move(modinfo);
    r.records.push_back(std::move(rec));
  };
  module_with({{"alias", "pci:v00008086d*"}, {"license", "GPL"}, {"name", "e1000e"}});
  // Valid UTF-8 stays; an invalid byte becomes the text \xff, so "k\xff" and the key "k\\xff"
  // name one member: the first one's place, the last one's value.
  module_with({{"author", "Ren\xc3\xa9"}, {"k\\xff", "second"}, {"k\xff", "first \xfe"}, {"z", "1"}});
  for (const std::string& text : {streamed(r, run), whole(r, run)}) {
    const auto files = nlohmann::ordered_json::parse(text)["files"];
    REQUIRE(files.size() == 2);
    CHECK(files[0]["trustscan"]["elf"]["modinfo"].dump() ==
          R"({"alias":"pci:v00008086d*","license":"GPL","name":"e1000e"})");
    CHECK(files[1]["trustscan"]["elf"]["modinfo"].dump() ==
          "{\"author\":\"Ren\xc3\xa9\",\"k\\\\xff\":\"first \\\\xfe\",\"z\":\"1\"}");
  }
}
