// A large file near the end of a scan runs its rules on the core of a worker that found no file
// left (issue 9, SpareCores): same record as when it runs them itself.
#include <catch2/catch.hpp>

#include "pipeline/pipeline.hpp"
#include "support/temp_tree.hpp"

using namespace trustscan;
namespace fs = std::filesystem;

namespace {

/// A signed PE with 8 MiB of overlay ending in a marker, a rule on the marker, and a small
/// non-binary for the second worker to finish with.
struct Root {
  test::TempTree tree;
  Root() {
    std::string big = test::read_file(test::samples_dir() / "signed" / "signed-sha256.exe");
    big.append(std::size_t{8} << 20, '\x5a');
    big += "trustscan-spare-core-marker";
    tree.write("big/app.exe", big);
    tree.write("notes.txt", "not a binary\n");
    tree.write("rules/test.yar",
               "rule Test_SpareCore {\n"
               "  meta: vendor = \"ahnlab\" description = \"test\" confidence = \"low\" reference = \"spare_core_test\"\n"
               "  strings: $a = \"trustscan-spare-core-marker\"\n"
               "  condition: $a and privilege == \"user\" and extension == \"exe\" and format == \"pe\"\n"
               "}\n");
  }
};

pipeline::ScanResult scan(const Root& root, unsigned threads) {
  pipeline::ScanOptions opt;
  opt.roots = {(root.tree.path() / "big").string(), (root.tree.path() / "notes.txt").string()};
  opt.threads = threads;
  opt.context.data_dir = TRUSTSCAN_SOURCE_DIR;
  opt.context.default_rules = false;
  opt.context.rule_paths = {root.tree.path() / "rules" / "test.yar"};
  auto result = pipeline::scan(opt);
  REQUIRE(result);
  return std::move(*result);
}

}  // namespace

TEST_CASE("a large file's rules run on a spare core with the same result", "[pipeline][spare_core]") {
  Root root;
  const auto alone = scan(root, 1);
  REQUIRE(alone.records.size() == 1);
  CHECK(alone.files_on_spare_core == 0);  // one thread: never a spare core
  const auto& a = alone.records[0];
  REQUIRE(a.matches.size() == 1);
  CHECK(a.matches[0].rule == "Test_SpareCore");
  REQUIRE(a.signatures.authentihash);

  // The second worker must end (notes.txt is quick) before the first reaches the rules; on a
  // busy machine it may not, so a few tries.
  for (int attempt = 0; attempt < 5; ++attempt) {
    const auto both = scan(root, 2);
    REQUIRE(both.records.size() == 1);
    const auto& b = both.records[0];
    CHECK(b.matches == a.matches);
    CHECK(b.errors.size() == a.errors.size());
    CHECK(b.sha256 == a.sha256);
    CHECK(b.signatures == a.signatures);
    if (both.files_on_spare_core == 1) SUCCEED("rules ran on the spare core");
    if (both.files_on_spare_core == 1) return;
  }
  FAIL("the rules never ran on the spare core in 5 scans");
}
