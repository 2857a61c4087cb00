// What looking for Windows installations costs (issue 16): pipeline::probe_windows() — a
// breadth-first look at directory names up to three levels down — beside the detection it
// replaced (`Windows/System32/config/SYSTEM` resolved at the root and in each direct
// subdirectory), on the same trees, best of N runs each. Run by tools/bench_windows_probe.sh.
//
// usage: trustscan_windows_probe_bench RUNS TREE...

#include <dirent.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "io/file_access.hpp"
#include "pipeline/windows_probe.hpp"

namespace {

using trustscan::io::RootDir;

/// The detection before issue 16: the SYSTEM hive at the root, else in each direct subdirectory.
std::size_t previous_probe(const RootDir& root) {
  constexpr const char* kSystemHive = "Windows/System32/config/SYSTEM";
  if (root.resolve_nocase(kSystemHive)) return 1;
  auto entries = root.list("", 100'000);
  if (!entries) return 0;
  std::size_t found = 0;
  for (const auto& e : *entries)
    if (e.type == DT_DIR && root.resolve_nocase(e.name + "/" + kSystemHive)) ++found;
  return found;
}

template <typename F>
double best_of(int runs, F&& f) {
  double best = 1e9;
  for (int i = 0; i < runs; ++i) {
    auto start = std::chrono::steady_clock::now();
    f();
    best = std::min(best, std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s RUNS TREE...\n", argv[0]);
    return 2;
  }
  const int runs = std::max(1, std::atoi(argv[1]));
  std::printf("%-44s %12s %8s %6s %8s %14s %6s\n", "tree", "probe ms", "dirs", "found", "warnings", "previous ms",
              "found");
  for (int i = 2; i < argc; ++i) {
    auto root = RootDir::open(argv[i]);
    if (!root) {
      std::fprintf(stderr, "%s: %s\n", argv[i], root.error().message.c_str());
      return 1;
    }
    trustscan::pipeline::ProbeResult result;
    double probe_ms = best_of(runs, [&] { result = trustscan::pipeline::probe_windows(*root); });
    std::size_t previous_found = 0;
    double previous_ms = best_of(runs, [&] { previous_found = previous_probe(*root); });
    std::printf("%-44s %12.2f %8zu %6zu %8zu %14.2f %6zu\n", argv[i], probe_ms, result.directories_listed,
                result.hits.size(), result.warnings.size(), previous_ms, previous_found);
    for (std::size_t h = 0; h < result.hits.size() && h < 5; ++h)
      std::printf("    found at depth %u: %s\n", result.hits[h].depth, result.hits[h].base.c_str());
    for (const std::string& w : result.warnings) std::printf("    warning: %s\n", w.c_str());
  }
  return 0;
}
