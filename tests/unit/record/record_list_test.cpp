#include "record/record_list.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <vector>

using namespace trustscan;

namespace {
record::FileRecord at(const std::string& path) {
  record::FileRecord r;
  r.file.path = path;
  return r;
}
}  // namespace

TEST_CASE("RecordList keeps each record where it was made and reads like a vector", "[record]") {
  std::vector<std::unique_ptr<record::FileRecord>> made;
  made.push_back(std::make_unique<record::FileRecord>(at("/a")));
  made.push_back(std::make_unique<record::FileRecord>(at("/b")));
  const record::FileRecord* address = made.back().get();
  record::RecordList list(std::move(made));  // as collect() makes the result's
  list.push_back(at("/c"));
  REQUIRE(list.size() == 3);
  CHECK(&list[1] == address);  // taken, not moved: the point of the list
  CHECK(list.front().file.path == "/a");
  CHECK(list.back().file.path == "/c");

  std::string seen;
  for (const record::FileRecord& r : list) seen += r.file.path;
  CHECK(seen == "/a/b/c");
  const record::RecordList& view = list;
  CHECK(view.end() - view.begin() == 3);
  CHECK(view.begin()[2].file.path == "/c");
  CHECK(std::ranges::find(view, "/b", [](const record::FileRecord& r) { return r.file.path; })->file.path == "/b");
  CHECK(std::ranges::is_sorted(view, {}, [](const record::FileRecord& r) { return r.file.path; }));

  record::RecordList copy = list;  // a copy owns records of its own
  copy[0].file.path = "/z";
  CHECK(list[0].file.path == "/a");
  CHECK(&copy[1] != &list[1]);
  record::RecordList moved = std::move(copy);
  CHECK(moved.size() == 3);
  CHECK(moved[0].file.path == "/z");
}
