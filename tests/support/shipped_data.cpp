#include "support/shipped_data.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <vector>

namespace trustscan::test {

const attribute::VendorDb& shipped_vendors() {
  static const Result<attribute::VendorDb> db = [] {
    const std::vector<std::filesystem::path> paths{std::filesystem::path{TRUSTSCAN_SOURCE_DIR} / "signatures" /
                                                   "vendors"};
    return attribute::VendorDb::load(paths);
  }();
  if (!db) FAIL(db.error().message);
  return *db;
}

}  // namespace trustscan::test
