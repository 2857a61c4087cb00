// The data-directory lookup order of app/data_dir.hpp, on throw-away trees standing in for an
// installed prefix, a build tree and a source tree.
#include "app/data_dir.hpp"

#include <catch2/catch.hpp>

#include "support/temp_tree.hpp"

using trustscan::app::DataDirInputs;
using trustscan::app::has_data;
using trustscan::app::resolve_data_dir;
namespace fs = std::filesystem;

namespace {

void make_data(const trustscan::test::TempTree& t, const std::string& dir) {
  t.mkdir(dir + "/signatures/vendors");
  t.mkdir(dir + "/rules/policy");
}

}  // namespace

TEST_CASE("has_data needs both signatures/ and rules/", "[app][data_dir]") {
  trustscan::test::TempTree t;
  t.mkdir("a/signatures");
  CHECK_FALSE(has_data(t.path() / "a"));
  t.mkdir("a/rules");
  CHECK(has_data(t.path() / "a"));
  CHECK_FALSE(has_data(t.path() / "missing"));
}

TEST_CASE("data directory lookup order", "[app][data_dir]") {
  trustscan::test::TempTree t;
  const fs::path root = t.path();
  make_data(t, "prefix/share/trustscan");  // an installed tree beside prefix/bin
  make_data(t, "src");                     // the source tree
  make_data(t, "usr/share/trustscan");     // the compiled-in install prefix
  t.mkdir("prefix/bin");
  t.mkdir("src/build");
  DataDirInputs in;
  in.executable = root / "prefix/bin/trustscan";
  in.build_dir = root / "src/build";
  in.source_dir = root / "src";
  in.install_data_dir = root / "usr/share/trustscan";

  SECTION("installed: <exe>/../share/trustscan comes first") {
    auto dir = resolve_data_dir(in);
    REQUIRE(dir);
    CHECK(*dir == root / "prefix/share/trustscan");
  }
  SECTION("TRUSTSCAN_DATA_DIR overrides everything") {
    in.env = (root / "src").string();
    auto dir = resolve_data_dir(in);
    REQUIRE(dir);
    CHECK(*dir == root / "src");
  }
  SECTION("an empty TRUSTSCAN_DATA_DIR counts as unset") {
    in.env = "";
    auto dir = resolve_data_dir(in);
    REQUIRE(dir);
    CHECK(*dir == root / "prefix/share/trustscan");
  }
  SECTION("TRUSTSCAN_DATA_DIR without data is an error, not a silent fallback") {
    in.env = (root / "prefix").string();
    auto dir = resolve_data_dir(in);
    REQUIRE_FALSE(dir);
    CHECK(dir.error().code == trustscan::Errc::Config);
    CHECK_THAT(dir.error().message, Catch::Contains("TRUSTSCAN_DATA_DIR=" + (root / "prefix").string()));
  }
  SECTION("build tree: the source tree wins over the compiled-in prefix") {
    in.executable = root / "src/build/trustscan";
    auto dir = resolve_data_dir(in);
    REQUIRE(dir);
    CHECK(*dir == root / "src");
  }
  SECTION("build tree reached through a symlink is still the build tree") {
    t.symlink("b", (root / "src/build").string());
    in.executable = root / "b/trustscan";
    auto dir = resolve_data_dir(in);
    REQUIRE(dir);
    CHECK(*dir == root / "src");
  }
  SECTION("a copy outside both trees uses the compiled-in prefix before the source tree") {
    t.mkdir("elsewhere/bin");
    in.executable = root / "elsewhere/bin/trustscan";
    auto dir = resolve_data_dir(in);
    REQUIRE(dir);
    CHECK(*dir == root / "usr/share/trustscan");
  }
  SECTION("then the source tree, when the prefix has no data") {
    in.executable = root / "elsewhere/bin/trustscan";
    in.install_data_dir = root / "nowhere/share/trustscan";
    auto dir = resolve_data_dir(in);
    REQUIRE(dir);
    CHECK(*dir == root / "src");
  }
  SECTION("nothing found: the error lists every place tried") {
    in.executable = root / "elsewhere/bin/trustscan";
    in.install_data_dir = root / "nowhere/share/trustscan";
    in.source_dir = root / "gone";
    auto dir = resolve_data_dir(in);
    REQUIRE_FALSE(dir);
    const std::string& msg = dir.error().message;
    CHECK_THAT(msg, Catch::Contains((root / "elsewhere/share/trustscan").string()));
    CHECK_THAT(msg, Catch::Contains((root / "nowhere/share/trustscan").string()));
    CHECK_THAT(msg, Catch::Contains((root / "gone").string()));
    CHECK_THAT(msg, Catch::Contains("TRUSTSCAN_DATA_DIR"));
  }
}
