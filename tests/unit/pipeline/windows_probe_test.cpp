#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "io/file_access.hpp"
#include "pipeline/windows_probe.hpp"
#include "support/temp_tree.hpp"

using trustscan::io::RootDir;
using trustscan::pipeline::probe_windows;
using trustscan::pipeline::ProbeLimits;
using trustscan::pipeline::ProbeResult;
using trustscan::pipeline::WindowsParts;

namespace {

ProbeResult probe(const trustscan::test::TempTree& t, const ProbeLimits& limits = {}) {
  auto root = RootDir::open(t.path().string());
  REQUIRE(root);
  return probe_windows(*root, limits);
}

std::vector<std::string> bases(const ProbeResult& r) {
  std::vector<std::string> out;
  for (const auto& hit : r.hits) out.push_back(hit.base);
  return out;
}

}  // namespace

TEST_CASE("Any one part identifies a Windows installation, in any case", "[pipeline][windows]") {
  trustscan::test::TempTree t;
  t.write("hives/WINDOWS/system32/CONFIG/system", "h");
  t.write("software/Windows/System32/config/Software", "h");
  t.mkdir("catroot/windows/SYSTEM32/catroot/{F750E6C3-38EE-11D1-85E5-00C04FC295EE}");
  t.write("kernel/Windows/System32/NTOSKRNL.EXE", "k");
  t.mkdir("empty/Windows/System32/drivers");           // a Windows directory, but no part
  t.write("wrongtype/Windows/System32/CatRoot", "f");  // a file, not the CatRoot directory
  t.mkdir("wrongtype/Windows/System32/ntoskrnl.exe");  // a directory, not the kernel
  ProbeResult r = probe(t);
  CHECK(bases(r) == std::vector<std::string>{"catroot", "hives", "kernel", "software"});
  CHECK(r.warnings.empty());
  REQUIRE(r.hits.size() == 4);
  CHECK(r.hits[0].parts.recognised_by() == "catroot");
  CHECK(r.hits[0].parts.missing() == std::vector<std::string_view>{"system_hive", "software_hive", "ntoskrnl"});
  CHECK(r.hits[1].parts.system_hive);
  CHECK_FALSE(r.hits[1].parts.software_hive);
  CHECK(r.hits[2].parts.found() == std::vector<std::string_view>{"ntoskrnl"});
  CHECK(r.hits[3].parts.recognised_by() == "software_hive");
  for (const auto& hit : r.hits) CHECK(hit.depth == 1);
}

TEST_CASE("The probe looks up to three levels down, shallowest first, and not below an image", "[pipeline][windows]") {
  trustscan::test::TempTree t;
  t.write("a/b/c/Windows/System32/ntoskrnl.exe", "k");          // depth 3: found
  t.write("a/b/c/d/Windows/System32/ntoskrnl.exe", "k");        // depth 4: not looked at
  t.write("z/Windows/System32/config/SYSTEM", "h");             // depth 1
  t.write("z/Windows.old/Windows/System32/ntoskrnl.exe", "k");  // inside the image at z
  t.write("z/inner/Windows/System32/ntoskrnl.exe", "k");        // inside the image at z
  ProbeResult r = probe(t);
  CHECK(bases(r) == std::vector<std::string>{"z", "a/b/c"});
  REQUIRE(r.hits.size() == 2);
  CHECK(r.hits[1].depth == 3);
  WindowsParts all{true, true, true, true};
  CHECK(all.missing().empty());
  CHECK(all.recognised_by() == "system_hive");
}

TEST_CASE("An image at the scan root stops the look; symlinks are not followed", "[pipeline][windows]") {
  trustscan::test::TempTree t;
  t.write("Windows/System32/CatRoot/x.cat", "c");
  t.write("vol2/Windows/System32/ntoskrnl.exe", "k");
  trustscan::test::TempTree other;
  other.write("Windows/System32/ntoskrnl.exe", "k");
  t.symlink("vol2/link", other.path().string());
  ProbeResult at_root = probe(t);
  REQUIRE(at_root.hits.size() == 1);
  CHECK(at_root.hits[0].base.empty());
  CHECK(at_root.hits[0].depth == 0);

  trustscan::test::TempTree linked;
  linked.symlink("vol", other.path().string());
  linked.symlink("Windows", (other.path() / "Windows").string());
  CHECK(probe(linked).hits.empty());
}

TEST_CASE("The probe's limits stop it with a warning", "[pipeline][windows]") {
  trustscan::test::TempTree t;
  for (int i = 0; i < 5; ++i) t.mkdir("d" + std::to_string(i) + "/x");
  t.write("d4/x/Windows/System32/ntoskrnl.exe", "k");
  CHECK(bases(probe(t)) == std::vector<std::string>{"d4/x"});

  ProbeLimits few_dirs;
  few_dirs.max_directories = 6;  // the root and its five subdirectories, none of depth 2
  ProbeResult capped = probe(t, few_dirs);
  CHECK(capped.hits.empty());
  CHECK(capped.directories_listed == 6);
  REQUIRE(capped.warnings.size() == 1);
  CHECK(capped.warnings[0].find("stopped after 6 directories") != std::string::npos);
  CHECK(capped.warnings[0].find("'d0/x', depth 2 of 3") != std::string::npos);

  ProbeLimits small_dirs;
  small_dirs.max_dir_entries = 4;  // the root has five entries
  ProbeResult too_large = probe(t, small_dirs);
  CHECK(too_large.hits.empty());
  REQUIRE(too_large.warnings.size() == 1);
  CHECK(too_large.warnings[0].find("the scan root has more than 4 entries") != std::string::npos);

  ProbeLimits shallow;
  shallow.max_depth = 1;
  CHECK(probe(t, shallow).hits.empty());
}
