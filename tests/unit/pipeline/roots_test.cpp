// pipeline::discover_roots: a directory root listed on more threads than the scan analyses on.
#include "pipeline/roots.hpp"

#include <catch2/catch.hpp>

#include <string>

#include "pipeline/pipeline.hpp"
#include "support/temp_tree.hpp"

namespace trustscan {
namespace {

std::vector<std::string> walked(const test::TempTree& t, unsigned threads) {
  pipeline::ScanOptions opt;
  opt.roots = {t.path().string()};
  opt.threads = threads;
  opt.context.windows_images = false;
  pipeline::OpenedRoots roots;
  discover::WalkResult walk;
  pipeline::discover_roots(opt, roots, walk);
  CHECK(walk.errors.empty());
  CHECK(walk.directories == 1 + 4 * (1 + 6));
  std::vector<std::string> files;
  for (const discover::FileRef& f : walk.files) files.push_back(f.relative);
  return files;
}

}  // namespace

TEST_CASE("listing threads: at least kListingThreads beside the analysis, one stays one", "[pipeline][roots]") {
  CHECK(pipeline::listing_threads(1) == 1);
  CHECK(pipeline::listing_threads(2) == pipeline::kListingThreads);
  CHECK(pipeline::listing_threads(pipeline::kListingThreads + 4) == pipeline::kListingThreads + 4);
  CHECK(pipeline::kListingThreads > 2);
}

TEST_CASE("a directory root lists the same files on one scan thread or on the listing threads", "[pipeline][roots]") {
  test::TempTree t;
  for (int a = 0; a < 4; ++a)
    for (int b = 0; b < 6; ++b)
      for (int c = 0; c < 3; ++c)
        t.write("d" + std::to_string(a) + "/s" + std::to_string(b) + "/f" + std::to_string(c) + ".bin", "x");
  const std::vector<std::string> one = walked(t, 1);
  REQUIRE(one.size() == 4 * 6 * 3);
  CHECK(one.front() == "d0/s0/f0.bin");
  CHECK(walked(t, 2) == one);  // (listed on listing_threads(2) threads, in the order of one)
}

}  // namespace trustscan
