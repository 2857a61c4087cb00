// vendor_lookups VENDORS_DIR NAMES_FILE [PASSES]
//
// The cost of VendorDb's name lookups, per call (tools/bench_lookups.sh runs it on the names of a
// real scan). NAMES_FILE holds one "kind<TAB>value" per line, kind = subject | company |
// copyright | dn | file (a subject value is "O<TAB>CN"; a dn is a module signer's distinguished
// name, looked up by its O and CN as the attributor does; a file is a file name). Prints the load
// time and, per kind, the calls, how many matched (and how: exact, legal_form_variant, look_alike)
// and the mean nanoseconds per call over PASSES passes (default 200), for every name and
// separately for names no lookup matches (the path that adds the look-alike fold), and the total
// the lookups of NAMES_FILE cost once (one scan's worth when NAMES_FILE lists one scan's names).
// Not a test: timings belong to benchmarks, not to CTest.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "attribute/attributor.hpp"
#include "attribute/vendor_db.hpp"

using namespace trustscan;
using attribute::VendorDb;
using attribute::VendorMatch;
using Clock = std::chrono::steady_clock;

namespace {

struct Query {
  std::string kind;
  std::string a, b;
};

constexpr std::string_view kKinds[] = {"subject", "company", "copyright", "dn", "file"};

std::optional<VendorMatch> lookup(const VendorDb& db, const Query& q) {
  if (q.kind == "subject") return db.by_subject(q.a, q.b);
  if (q.kind == "company") return db.by_company_name(q.a);
  if (q.kind == "copyright") return db.by_copyright(q.a);
  if (q.kind == "dn") return db.by_subject(attribute::dn_attribute(q.a, "O"), attribute::dn_attribute(q.a, "CN"));
  auto all = db.by_file_name(q.a);
  if (all.empty()) return std::nullopt;
  return all.front();
}

std::vector<Query> read_names(const char* path) {
  std::vector<Query> out;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    const auto tab = line.find('\t');
    if (tab == std::string::npos) continue;
    Query q{line.substr(0, tab), line.substr(tab + 1), {}};
    if (q.kind == "subject") {
      const auto cn = q.a.find('\t');
      if (cn != std::string::npos) {
        q.b = q.a.substr(cn + 1);
        q.a.resize(cn);
      }
    }
    if (std::ranges::find(kKinds, q.kind) != std::end(kKinds)) out.push_back(std::move(q));
  }
  return out;
}

/// Mean nanoseconds per lookup of `queries`, over `passes` passes.
double time_per_call(const VendorDb& db, const std::vector<const Query*>& queries, int passes) {
  if (queries.empty()) return 0;
  std::size_t sink = 0;
  const auto start = Clock::now();
  for (int p = 0; p < passes; ++p)
    for (const Query* q : queries) sink += lookup(db, *q).has_value();
  const auto ns = std::chrono::duration<double, std::nano>(Clock::now() - start).count();
  if (sink == static_cast<std::size_t>(-1)) std::puts("");  // keep the calls
  return ns / (static_cast<double>(passes) * static_cast<double>(queries.size()));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s VENDORS_DIR NAMES_FILE [PASSES]\n", argv[0]);
    return 2;
  }
  const int passes = argc > 3 ? std::atoi(argv[3]) : 200;
  const std::vector<std::filesystem::path> paths{argv[1]};
  const auto load_start = Clock::now();
  const auto db = VendorDb::load(paths);
  const auto load_ms = std::chrono::duration<double, std::milli>(Clock::now() - load_start).count();
  if (!db) {
    std::fprintf(stderr, "%s\n", db.error().message.c_str());
    return 2;
  }
  std::printf("load: %zu vendors in %.1f ms\n", db->vendors().size(), load_ms);
  const std::vector<Query> queries = read_names(argv[2]);
  std::map<std::string, std::vector<const Query*>> all, missed;
  std::map<std::string, std::map<std::string, int>> kinds;
  for (const Query& q : queries) {
    const auto m = lookup(*db, q);
    all[q.kind].push_back(&q);
    all["(all)"].push_back(&q);
    if (!m) {
      missed[q.kind].push_back(&q);
      missed["(all)"].push_back(&q);
    }
    const std::string how = m ? std::string(to_string(m->kind)) : "none";
    kinds[q.kind][how]++;
    kinds["(all)"][how]++;
  }
  std::printf("%-10s %7s %-52s %12s %14s\n", "kind", "calls", "matches", "ns/call", "ns/call(miss)");
  double total_ns = 0;
  for (const auto& [kind, list] : all) {
    std::string how;
    for (const auto& [k, n] : kinds[kind]) how += k + "=" + std::to_string(n) + " ";
    const double per_call = time_per_call(*db, list, passes);
    if (kind != "(all)") total_ns += per_call * static_cast<double>(list.size());
    std::printf("%-10s %7zu %-52s %12.0f %14.0f\n", kind.c_str(), list.size(), how.c_str(), per_call,
                time_per_call(*db, missed[kind], passes));
  }
  std::printf("total: %.2f ms for the %zu lookups, each once (one thread)\n", total_ns / 1e6, queries.size());
  return 0;
}
