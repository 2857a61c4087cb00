// End-to-end over the test-time samples: every row of tools/make_samples.sh's MANIFEST.tsv is
// checked against what the pipeline reports (format, type, privilege, or an error).
#include "pipeline/pipeline.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <map>
#include <sstream>

#include "support/temp_tree.hpp"

using namespace trustscan;

namespace {

struct Expectation {
  std::string format, type, privilege;
};

std::map<std::string, Expectation> read_manifest() {
  std::ifstream in(test::samples_dir() / "MANIFEST.tsv");
  REQUIRE(in);
  std::map<std::string, Expectation> rows;
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string path;
    Expectation e;
    std::getline(fields, path, '\t');
    std::getline(fields, e.format, '\t');
    std::getline(fields, e.type, '\t');
    std::getline(fields, e.privilege, '\t');
    rows[path] = e;
  }
  return rows;
}

/// Scans with the shipped trust data; a configuration error fails the test.
pipeline::ScanResult scan_samples(pipeline::ScanOptions opt) {
  opt.context.data_dir = TRUSTSCAN_SOURCE_DIR;
  auto result = pipeline::scan(opt);
  REQUIRE(result);
  return std::move(*result);
}

}  // namespace

TEST_CASE("every sample is identified, parsed and classified as its manifest says", "[pipeline]") {
  auto manifest = read_manifest();
  REQUIRE(manifest.size() >= 18);
  pipeline::ScanOptions opt;
  opt.roots = {test::samples_dir().string()};
  opt.threads = 2;
  pipeline::ScanResult result = scan_samples(opt);

  std::map<std::string, const record::FileRecord*> by_rel;
  for (const auto& r : result.records) by_rel[r.file.relative] = &r;
  std::size_t not_binaries = 0;
  for (const auto& [path, want] : manifest) {
    INFO(path);
    auto it = by_rel.find(path);
    if (want.format == "unknown") {
      CHECK(it == by_rel.end());
      ++not_binaries;
      continue;
    }
    REQUIRE(it != by_rel.end());
    const record::FileRecord& rec = *it->second;
    CHECK(to_string(rec.format) == want.format);
    if (want.type == "error") {
      CHECK_FALSE(rec.binary);
      CHECK_FALSE(rec.errors.empty());
      continue;
    }
    CHECK(rec.errors.empty());
    REQUIRE(rec.binary);
    CHECK(to_string(rec.classification.type) == want.type);
    CHECK(to_string(rec.classification.privilege) == want.privilege);
    CHECK_FALSE(rec.classification.reason.empty());
    CHECK(rec.sha256.size() == 64);
  }
  // Everything the manifest lists as "not a binary" is counted (the empty file separately; other
  // sample scripts add files of their own beside the manifest's).
  CHECK(result.summary.non_binaries + result.summary.empty_files >= not_binaries);
  CHECK(result.errors.empty());
}

TEST_CASE("a compressed module keeps the on-disk hash and records its decompressed size", "[pipeline]") {
  pipeline::ScanOptions opt;
  opt.roots = {(test::samples_dir() / "elf" / "demo.ko.xz").string()};
  auto result = scan_samples(opt);
  REQUIRE(result.records.size() == 1);
  const auto& rec = result.records[0];
  CHECK(rec.compression == Compression::Xz);
  CHECK(rec.format == Format::Elf);
  REQUIRE(rec.decompressed_size);
  CHECK(*rec.decompressed_size == std::filesystem::file_size(test::samples_dir() / "elf" / "demo.ko"));
  CHECK(rec.file.path == opt.roots[0]);
}

TEST_CASE("a missing root is an error in the result, not an exception", "[pipeline]") {
  pipeline::ScanOptions opt;
  opt.roots = {"/nonexistent/trustscan/root"};
  auto result = scan_samples(opt);
  REQUIRE(result.errors.size() == 1);
  CHECK(result.summary.error_count == 1);
}
