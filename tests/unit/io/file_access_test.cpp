#include <catch2/catch.hpp>

#include "io/file_access.hpp"
#include "support/temp_tree.hpp"

using trustscan::Errc;
using trustscan::io::RootDir;

TEST_CASE("RootDir::resolve_nocase finds Windows paths whatever their case", "[io][windows]") {
  trustscan::test::TempTree t;
  t.write("WINDOWS/System32/config/SYSTEM", "hive");
  t.write("WINDOWS/System32/DRIVERS/klif.sys", "x");
  auto root = RootDir::open(t.path().string());
  REQUIRE(root);

  auto hive = root->resolve_nocase("Windows/system32/CONFIG/system");
  REQUIRE(hive);
  CHECK(*hive == "WINDOWS/System32/config/SYSTEM");
  auto drv = root->resolve_nocase("windows//System32/./drivers/KLIF.SYS");
  REQUIRE(drv);
  CHECK(*drv == "WINDOWS/System32/DRIVERS/klif.sys");
  CHECK(root->resolve_nocase("")->empty());

  auto missing = root->resolve_nocase("Windows/System32/drivers/missing.sys");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code == Errc::Io);
  CHECK(missing.error().message.find("missing.sys") != std::string::npos);
  CHECK_FALSE(root->resolve_nocase("Windows/../WINDOWS"));
}

TEST_CASE("RootDir::resolve_nocase prefers the exact spelling and never follows symlinks", "[io][windows]") {
  trustscan::test::TempTree t;
  t.write("a/File.txt", "upper");
  t.write("a/file.txt", "lower");
  t.write("outside/secret", "s");
  t.symlink("a/link", "../outside");
  auto root = RootDir::open(t.path().string());
  REQUIRE(root);
  CHECK(*root->resolve_nocase("a/file.txt") == "a/file.txt");
  CHECK(*root->resolve_nocase("a/File.txt") == "a/File.txt");
  CHECK(*root->resolve_nocase("A/FILE.TXT") == "a/File.txt");  // first in name order
  CHECK_FALSE(root->resolve_nocase("a/link/secret"));
  CHECK_FALSE(root->resolve_nocase("a/LINK"));
}

TEST_CASE("RootDir::list is sorted, bounded and skips dot entries", "[io]") {
  trustscan::test::TempTree t;
  t.write("d/b", "");
  t.write("d/a", "");
  t.write("d/c", "");
  auto root = RootDir::open(t.path().string());
  REQUIRE(root);
  auto all = root->list("d");
  REQUIRE(all);
  REQUIRE(all->size() == 3);
  CHECK((*all)[0].name == "a");
  CHECK((*all)[2].name == "c");
  auto bounded = root->list("d", 2);
  REQUIRE_FALSE(bounded);
  CHECK(bounded.error().code == Errc::TooLarge);
  CHECK_FALSE(root->list("d/a"));  // not a directory
}
