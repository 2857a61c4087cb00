// trustscan_known_bad_bench — the known-bad feed's costs (issue 17); run by tools/bench_known_bad.sh.
//
// usage: trustscan_known_bad_bench SOURCE [TREE]
//   SOURCE  a directory laid out like the public sources (loldrivers/yaml/, wdac/*.xml)
//   TREE    optional: a tree of real files; its PE files are hashed to price the file SHA-1 and
//           MD5 that LOLDrivers needs for the drivers it lists by those only
//
// Prints: the import time and counts of each data set; the feed load time (best of 20); the cost
// of match() per file for files that match nothing (the usual case: random hashes, names and a
// three-certificate chain per file) and for files that hit; with TREE, the first-page hashes' cost
// per PE file, and the PE files' SHA-256 alone vs SHA-256 + SHA-1 + MD5 in one pass
// (io::file_digests), in CPU seconds, for every PE file and for the kernel-mode ones only
// (LOLDrivers lists drivers). CPU times are given because the machine may be shared.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "datasets/known_bad_feed.hpp"
#include "datasets/known_bad_import.hpp"
#include "io/hashing.hpp"
#include "match/known_bad.hpp"

namespace fs = std::filesystem;
using namespace trustscan;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

std::string random_hex(std::mt19937_64& rng, std::size_t digits) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(digits, '0');
  for (char& c : out) c = kDigits[rng() & 0xF];
  return out;
}

int import_all(const fs::path& source, const fs::path& data) {
  const std::pair<const char*, datasets::Importer> importers[] = {
      {"loldrivers", &datasets::import_loldrivers}, {"driver-block-rules", &datasets::import_driver_block_rules}};
  for (const auto& [name, importer] : importers) {
    fs::create_directories(data / name);
    const auto start = Clock::now();
    const std::clock_t cpu = std::clock();
    auto info = importer(source, data / name);
    const double s = seconds_since(start);
    const double cpu_s = static_cast<double>(std::clock() - cpu) / CLOCKS_PER_SEC;
    if (!info) {
      std::fprintf(stderr, "import %s: %s\n", name, info.error().message.c_str());
      return 1;
    }
    if (!*info) {
      std::printf("import %s: no input\n", name);
      fs::remove_all(data / name);
      continue;
    }
    std::printf("import %s: %.2f s wall, %.2f CPU s, %zu source files, version '%s', feed %ju bytes\n", name, s,
                cpu_s, (*info)->files.size(),
                (*info)->version.c_str(), static_cast<std::uintmax_t>(fs::file_size(data / name / "known_bad.tsv")));
    for (const auto& [key, n] : (*info)->counts) std::printf("  %-36s %ju\n", key.c_str(), static_cast<std::uintmax_t>(n));
  }
  return 0;
}

/// Best of `runs` loads: wall and CPU milliseconds.
std::pair<double, double> load_ms(const fs::path& data, int runs) {
  double wall = 1e9;
  double cpu = 1e9;
  for (int i = 0; i < runs; ++i) {
    const auto start = Clock::now();
    const std::clock_t c = std::clock();
    auto feed = match::KnownBadFeed::load(data);
    cpu = std::min(cpu, static_cast<double>(std::clock() - c) * 1e3 / CLOCKS_PER_SEC);
    wall = std::min(wall, seconds_since(start) * 1e3);
    if (!feed) std::fprintf(stderr, "load: %s\n", feed.error().message.c_str());
  }
  return {wall, cpu};
}

/// Files that match nothing: every hash kind, four version names, a signed three-certificate chain.
struct MissFacts {
  std::vector<std::string> hex;
  std::vector<std::string> names;
  std::vector<match::KnownBadFacts> facts;
};

MissFacts miss_facts(std::size_t n) {
  std::mt19937_64 rng(17);
  MissFacts m;
  m.hex.reserve(n * 7);
  m.names.reserve(n * 4);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t d : {64, 40, 32, 64, 40, 64, 40}) m.hex.push_back(random_hex(rng, d));
    for (int k = 0; k < 4; ++k) m.names.push_back("file" + std::to_string(rng() % 100000) + ".sys");
  }
  for (std::size_t i = 0; i < n; ++i) {
    match::KnownBadFacts f;
    const std::string* h = &m.hex[i * 7];
    f.file_sha256 = h[0];
    f.file_sha1 = h[1];
    f.file_md5 = h[2];
    f.authenticode_sha256 = h[3];
    f.authenticode_sha1 = h[4];
    f.page_sha256 = h[5];
    f.page_sha1 = h[6];
    for (int k = 0; k < 4; ++k) f.version_names[k] = m.names[i * 4 + k];
    f.file_version = FileVersion::from_parts(1, 2, 3, 4);
    f.signers.push_back({{h[0], h[1], h[3]}, "Some Publisher", ""});
    m.facts.push_back(std::move(f));
  }
  return m;
}

void lookups(const fs::path& data) {
  auto feed = match::KnownBadFeed::load(data);
  if (!feed) return;
  const auto m = miss_facts(200'000);
  const auto cpu_ns_per = [](std::clock_t since, std::size_t n) {
    return static_cast<double>(std::clock() - since) * 1e9 / CLOCKS_PER_SEC / static_cast<double>(n);
  };
  std::size_t hits = 0;
  std::clock_t start = std::clock();
  for (const auto& f : m.facts) hits += feed->match(f).size();
  std::printf("match, files that hit nothing: %.0f ns CPU per file (%zu files, %zu matches)\n",
              cpu_ns_per(start, m.facts.size()), m.facts.size(), hits);
  // Hits: every listed file SHA-256, as a file with just that hash.
  auto feeds = datasets::read_feed(data / "loldrivers" / "known_bad.tsv");
  if (!feeds || feeds->hashes.empty()) return;
  std::vector<match::KnownBadFacts> hit;
  for (const auto& h : feeds->hashes)
    if (h.kind == datasets::KeyKind::FileSha256) hit.emplace_back().file_sha256 = h.hex;
  hits = 0;
  start = std::clock();
  for (const auto& f : hit) hits += feed->match(f).size();
  std::printf("match, files whose SHA-256 is listed: %.0f ns CPU per file (%zu files, %zu matches)\n",
              cpu_ns_per(start, hit.size()), hit.size(), hits);
}

/// 0: not a PE; else 1 + the optional header's Subsystem (1 + 1 = a native, kernel-mode image).
unsigned pe_subsystem(const std::string& b) {
  const auto u16 = [&](std::size_t at) {
    return static_cast<unsigned>(static_cast<unsigned char>(b[at]) | static_cast<unsigned char>(b[at + 1]) << 8);
  };
  if (b.size() < 0x40 || b[0] != 'M' || b[1] != 'Z') return 0;
  const std::size_t pe = u16(0x3C) | static_cast<std::size_t>(u16(0x3E)) << 16;
  if (pe > b.size() || b.size() - pe < 24 + 70 || b.compare(pe, 4, std::string("PE\0\0", 4)) != 0) return 0;
  return 1 + u16(pe + 24 + 68);
}

/// SHA-256 alone vs SHA-256 + SHA-1 + MD5 of `files` (best of 3, CPU seconds).
void price(const char* what, const std::vector<const std::string*>& files) {
  std::size_t bytes = 0;
  for (const auto* f : files) bytes += f->size();
  if (files.empty()) {
    std::printf("%s: none\n", what);
    return;
  }
  const auto run = [&](bool extra) {
    double best = 1e9;
    for (int r = 0; r < 3; ++r) {
      const std::clock_t start = std::clock();
      for (const auto* f : files) (void)io::file_digests(std::as_bytes(std::span(*f)), {.sha256 = true, .sha1 = extra, .md5 = extra});
      best = std::min(best, static_cast<double>(std::clock() - start) / CLOCKS_PER_SEC);
    }
    return best;
  };
  const double plain = run(false);
  const double all = run(true);
  const double mb = static_cast<double>(bytes) / 1e6;
  std::printf("%s: %zu files, %.1f MB (in memory)\n", what, files.size(), mb);
  std::printf("  SHA-256 alone:          %.3f CPU s, %.0f MB/s\n", plain, mb / plain);
  std::printf("  SHA-256 + SHA-1 + MD5:  %.3f CPU s, %.0f MB/s (+%.3f CPU s, +%.0f %%)\n", all, mb / all,
              all - plain, (all / plain - 1) * 100);
}

void digests(const fs::path& tree) {
  std::vector<std::string> files;
  std::vector<unsigned> subsystems;
  for (const auto& e : fs::recursive_directory_iterator(tree, fs::directory_options::skip_permission_denied)) {
    std::error_code ec;
    if (!e.is_regular_file(ec) || e.is_symlink(ec) || e.file_size(ec) > (64U << 20U)) continue;
    std::ifstream in(e.path(), std::ios::binary);
    std::string b{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    const unsigned subsystem = pe_subsystem(b);
    if (subsystem == 0) continue;
    subsystems.push_back(subsystem);
    files.push_back(std::move(b));
  }
  std::vector<const std::string*> all, native;
  for (std::size_t i = 0; i < files.size(); ++i) {
    all.push_back(&files[i]);
    if (subsystems[i] == 2) native.push_back(&files[i]);
  }
  // The first-page hashes hash one page with SHA-1 and SHA-256 (verify::first_page_hashes).
  const std::clock_t start = std::clock();
  for (const auto* f : all)
    (void)io::file_digests(std::as_bytes(std::span(*f)).first(std::min<std::size_t>(f->size(), 4096)),
                           {.sha256 = true, .sha1 = true, .md5 = false});
  std::printf("first-page hashes (one 4 KiB page, SHA-1 + SHA-256): %.1f us CPU per PE file\n",
              static_cast<double>(std::clock() - start) * 1e6 / CLOCKS_PER_SEC / static_cast<double>(all.size()));
  price(("every PE file of " + tree.string()).c_str(), all);
  price("its kernel-mode (native subsystem) PE files", native);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3) {
    std::fprintf(stderr, "usage: %s SOURCE [TREE]\n", argv[0]);
    return 2;
  }
  const fs::path data = fs::temp_directory_path() / ("trustscan-known-bad-bench-" + std::to_string(::getpid()));
  fs::create_directories(data);
  int rc = import_all(argv[1], data);
  if (rc == 0) {
    const auto [wall, cpu] = load_ms(data, 20);
    std::printf("load (both feeds, best of 20): %.1f ms wall, %.1f ms CPU\n", wall, cpu);
    lookups(data);
    if (argc == 3) digests(argv[2]);
  }
  fs::remove_all(data);
  return rc;
}
