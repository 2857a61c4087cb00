// What the per-file time budget cannot interrupt (issue 19, docs/time-budget.md): a LIEF parse is
// one library call with no deadline check inside, so a file whose deadline passes while LIEF
// parses it overruns the budget by up to that parse's time. This measures parse_binary() (the
// same call, limits and decompression as the pipeline) on every binary under the given paths
// that LIEF would be given (not above Limits::streamed_above()), and prints the slowest.
// Run by tools/bench_time_budget.sh.
//
// usage: trustscan_parse_time_bench [--top N] PATH...

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "identify/format.hpp"
#include "io/decompress.hpp"
#include "parse/parser.hpp"

namespace {

namespace fs = std::filesystem;
using namespace trustscan;

struct Timing {
  double ms = 0;
  std::uintmax_t size = 0;
  std::string path;
  bool parsed = false;
};

std::vector<std::byte> read_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::vector<char> raw((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::byte> out(raw.size());
  std::ranges::transform(raw, out.begin(), [](char c) { return static_cast<std::byte>(c); });
  return out;
}

/// The parse time of `p`, when LIEF would parse it; nullopt otherwise.
std::optional<Timing> time_parse(const fs::path& p, const Limits& limits) {
  std::error_code ec;
  const std::uintmax_t size = fs::file_size(p, ec);
  if (ec || size == 0 || size > limits.streamed_above()) return std::nullopt;
  std::vector<std::byte> bytes = read_bytes(p);
  auto id = identify::sniff(std::span(bytes).first(std::min(bytes.size(), identify::kSniffBytes)), bytes.size(),
                            p.string());
  if (id.compression != Compression::None) {
    auto inflated = io::decompress(id.compression, bytes, limits.max_decompressed_size);
    if (!inflated || inflated->size() > limits.max_parse_size) return std::nullopt;
    bytes = std::move(*inflated);
    id = identify::sniff(std::span(bytes).first(std::min(bytes.size(), identify::kSniffBytes)), bytes.size(), "");
  }
  if (id.format == Format::Unknown) return std::nullopt;
  const auto began = std::chrono::steady_clock::now();
  const auto model = parse::parse_binary(id.format, bytes, limits);
  const std::chrono::duration<double, std::milli> took = std::chrono::steady_clock::now() - began;
  return Timing{took.count(), bytes.size(), p.string(), model.has_value()};
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t top = 10;
  int first = 1;
  if (argc > 2 && std::string(argv[1]) == "--top") {
    top = std::strtoul(argv[2], nullptr, 10);
    first = 3;
  }
  const Limits limits;
  std::vector<Timing> timings;
  for (int i = first; i < argc; ++i) {
    const fs::path root(argv[i]);
    if (fs::is_regular_file(root)) {
      if (auto t = time_parse(root, limits)) timings.push_back(std::move(*t));
      continue;
    }
    for (auto it = fs::recursive_directory_iterator(root, fs::directory_options::skip_permission_denied);
         it != fs::recursive_directory_iterator(); ++it)
      if (it->is_regular_file() && !it->is_symlink())
        if (auto t = time_parse(it->path(), limits)) timings.push_back(std::move(*t));
  }
  std::ranges::sort(timings, std::greater<>{}, &Timing::ms);
  double total = 0;
  for (const Timing& t : timings) total += t.ms;
  std::printf("binaries parsed by LIEF: %zu, total %.0f ms\n", timings.size(), total);
  for (std::size_t i = 0; i < std::min(top, timings.size()); ++i)
    std::printf("%10.1f ms  %10.1f MiB  %s%s\n", timings[i].ms, static_cast<double>(timings[i].size) / (1 << 20),
                timings[i].path.c_str(), timings[i].parsed ? "" : "  (refused/failed)");
  return 0;
}
