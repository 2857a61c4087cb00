// trustscan_engine_bench — what one scan costs beyond its files (issue 19); run by tools/bench_engine.sh.
//
// usage: trustscan_engine_bench DATA_DIR TREE LIST [THREADS]
//   DATA_DIR  the source tree (signatures/, rules/)
//   TREE      a directory holding the files of LIST
//   LIST      one path a line: the files under TREE to scan one by one
//   THREADS   threads of each scan (default 1)
//
// Loads one pipeline::Engine, scans TREE once to warm the page cache, then times, in wall and CPU
// seconds (the process's, every thread's): every file of LIST as a scan of its own (Engine::scan
// with that one file as root, records only to a sink: keep_records=false), and one scan of TREE.
// Prints both, the ratio and the records each way (they must be the same); then, for scale, the
// first 100 files each through pipeline::scan (the engine loaded again for every scan, as every
// scan did before issue 19). CPU times are given because the machine may be shared.
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "pipeline/engine.hpp"

using namespace trustscan;
using Clock = std::chrono::steady_clock;

namespace {

double cpu_seconds() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

struct Cost {
  double wall = 0, cpu = 0;
  std::size_t records = 0, scans = 0, failed = 0;
};

/// Scans each request on `engine`, counting the records its sink receives.
Cost run(const pipeline::Engine& engine, const std::vector<pipeline::ScanRequest>& requests) {
  Cost c;
  std::atomic<std::size_t> records{0};
  const pipeline::Sink sink{[&records](const record::FileRecord&) { records.fetch_add(1); }, {}};
  const double cpu = cpu_seconds();
  const auto start = Clock::now();
  for (const pipeline::ScanRequest& r : requests) {
    auto result = engine.scan(r, sink);
    ++c.scans;
    if (!result) ++c.failed;
  }
  c.wall = std::chrono::duration<double>(Clock::now() - start).count();
  c.cpu = cpu_seconds() - cpu;
  c.records = records.load();
  return c;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: trustscan_engine_bench DATA_DIR TREE LIST [THREADS]\n");
    return 2;
  }
  pipeline::ScanOptions settings;
  settings.context.data_dir = argv[1];
  // A root's boot/vmlinuz-* gives its modules their signing keys; a single file has no root. So
  // that both ways do the same work and give the same records, neither reads kernel images.
  settings.context.kernel_keys_from_roots = false;
  settings.threads = argc > 4 ? static_cast<unsigned>(std::stoul(argv[4])) : 1;
  const double load_cpu = cpu_seconds();
  const auto load_start = Clock::now();
  auto engine = pipeline::Engine::load(settings);
  if (!engine) {
    std::fprintf(stderr, "trustscan_engine_bench: %s\n", engine.error().message.c_str());
    return 2;
  }
  std::printf("engine load: %.3f s wall, %.3f s CPU (once)\n",
              std::chrono::duration<double>(Clock::now() - load_start).count(), cpu_seconds() - load_cpu);

  pipeline::ScanRequest tree;
  tree.roots = {argv[2]};
  tree.keep_records = false;
  std::vector<pipeline::ScanRequest> singles;
  std::ifstream list(argv[3]);
  for (std::string line; std::getline(list, line);)
    if (!line.empty()) {
      pipeline::ScanRequest r;
      r.roots = {line};
      r.keep_records = false;
      singles.push_back(std::move(r));
    }

  (void)run(**engine, {tree});  // warms the page cache
  const Cost one_by_one = run(**engine, singles);
  const Cost as_tree = run(**engine, {tree});
  std::printf("threads per scan: %u\n", settings.threads);
  std::printf("%zu single-file scans: %.3f s wall, %.3f s CPU, %zu records, %zu failed (%.2f ms wall per scan)\n",
              one_by_one.scans, one_by_one.wall, one_by_one.cpu, one_by_one.records, one_by_one.failed,
              one_by_one.scans ? 1000.0 * one_by_one.wall / static_cast<double>(one_by_one.scans) : 0.0);
  std::printf("one scan of the tree:  %.3f s wall, %.3f s CPU, %zu records\n", as_tree.wall, as_tree.cpu,
              as_tree.records);
  std::printf("ratio single/tree: %.2fx wall, %.2fx CPU (target < 2x)\n", one_by_one.wall / as_tree.wall,
              one_by_one.cpu / as_tree.cpu);

  const std::size_t reloads = std::min<std::size_t>(100, singles.size());
  const double reload_cpu = cpu_seconds();
  const auto reload_start = Clock::now();
  for (std::size_t i = 0; i < reloads; ++i) {
    pipeline::ScanOptions options = settings;
    options.roots = singles[i].roots;
    (void)pipeline::scan(options);
  }
  const double reload_wall = std::chrono::duration<double>(Clock::now() - reload_start).count();
  std::printf(
      "for scale, %zu single files through pipeline::scan (a load each): %.3f s wall, %.3f s CPU (%.2f ms wall per "
      "scan)\n",
      reloads, reload_wall, cpu_seconds() - reload_cpu,
      reloads ? 1000.0 * reload_wall / static_cast<double>(reloads) : 0.0);
  return one_by_one.records == as_tree.records && one_by_one.failed == 0 ? 0 : 1;
}
