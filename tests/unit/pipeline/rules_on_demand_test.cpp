// The rules are compiled when a scan first needs them (issue 21, rules_on_demand.hpp): a cached
// re-scan of unchanged files compiles none, and an error in them still ends a scan before it starts.
#include "pipeline/rules_on_demand.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <map>
#include <thread>
#include <vector>

#include "pipeline/pipeline.hpp"
#include "pipeline/scan_run.hpp"
#include "support/temp_tree.hpp"

using namespace trustscan;
namespace fs = std::filesystem;

namespace {

constexpr const char* kRule =
    "rule Test_Modinfo {\n"
    "  meta: vendor = \"linux-kernel\" description = \"test\" confidence = \"low\" reference = "
    "\"rules_on_demand_test\"\n"
    "  strings: $a = \"signature test module\"\n"
    "  condition: $a\n"
    "}\n";

/// A signed module that the rule matches, in a tree older than the cache's racy window.
struct Root {
  test::TempTree tree;
  test::TempTree db;
  Root() {
    tree.write("lib/modules/6.1.0-test/kernel/outoftree.ko",
               test::read_file(test::samples_dir() / "modsig" / "demo-signed.ko"));
    tree.write("lib/modules/6.1.0-test/kernel/readme.txt", "not a binary\n");
    db.write("rules/test.yar", kRule);
    std::this_thread::sleep_for(std::chrono::seconds(3));  // older than the cache's racy window
  }
  [[nodiscard]] fs::path cache() const { return db.path() / "cache.db"; }
};

pipeline::ScanOptions options(const Root& root, const fs::path& rules) {
  pipeline::ScanOptions opt;
  opt.cache_file = root.cache();
  opt.roots = {root.tree.path().string()};
  opt.threads = 2;
  opt.context.data_dir = TRUSTSCAN_SOURCE_DIR;
  opt.context.default_rules = false;
  opt.context.rule_paths = {rules};
  opt.context.kernel_keys_from_roots = false;
  opt.context.module_key_dirs = {test::samples_dir() / "modsig" / "keys"};
  opt.context.rules_on_demand = true;  // as pipeline::scan sets it for a scan with a cache
  return opt;
}

struct Scanned {
  std::shared_ptr<const pipeline::SharedContext> shared;
  Result<pipeline::ScanResult> result;
  std::size_t sent = 0;  ///< records the sink received
};

/// One scan on a context of its own, as a fresh process would load it.
Scanned scan_fresh(const pipeline::ScanOptions& opt) {
  auto shared = pipeline::load_shared_context(opt.context);
  REQUIRE(shared);
  Scanned s{*shared, pipeline::ScanResult{}, 0};
  pipeline::Sink sink;
  sink.record = [&s](const record::FileRecord&) { ++s.sent; };
  s.result = pipeline::run_scan(opt, *shared, sink, true, nullptr);
  return s;
}

bool matched(const pipeline::ScanResult& r) {
  return r.records.size() == 1 && r.records.front().matches.size() == 1 &&
         r.records.front().matches.front().rule == "Test_Modinfo";
}

}  // namespace

TEST_CASE("rules on demand are compiled once, by the first caller, for every thread", "[pipeline][rules]") {
  std::atomic<int> compiles{0};
  test::TempTree t;
  t.write("test.yar", kRule);
  const pipeline::RulesOnDemand rules("fp", [&] {
    ++compiles;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));  // the others arrive meanwhile
    return match::RuleSet::compile({t.path() / "test.yar"});
  });
  CHECK(rules.configured());
  CHECK(rules.fingerprint() == "fp");
  CHECK_FALSE(rules.compiled());
  std::vector<const match::RuleSet*> seen(4);
  {
    std::vector<std::jthread> threads;
    for (std::size_t i = 0; i < seen.size(); ++i)
      threads.emplace_back([&, i] { seen[i] = rules.get() ? &*rules.get() : nullptr; });
  }
  CHECK(compiles == 1);
  CHECK(rules.compiled());
  for (const auto* s : seen) CHECK((s && s == seen.front()));

  const pipeline::RulesOnDemand none;
  CHECK_FALSE(none.configured());
  CHECK(none.fingerprint().empty());
}

TEST_CASE("a worker's scanner on demand: made once; a failure is reported once", "[pipeline][rules]") {
  int compiles = 0;
  const pipeline::RulesOnDemand broken("fp", [&]() -> Result<match::RuleSet> {
    ++compiles;
    return fail(Errc::Config, "x.yar:1: syntax error");
  });
  std::vector<Error> errors;
  pipeline::MatcherOnDemand m(broken, [&](const Error& e) { errors.push_back(e); });
  CHECK_FALSE(m.failed());
  for (int i = 0; i < 3; ++i) CHECK(m.get() == nullptr);
  CHECK(m.failed());
  CHECK(compiles == 1);  // the failure is kept, not retried
  REQUIRE(errors.size() == 1);
  CHECK(errors.front().message == "x.yar:1: syntax error");

  test::TempTree t;
  t.write("test.yar", kRule);
  const pipeline::RulesOnDemand good("fp", [&] { return match::RuleSet::compile({t.path() / "test.yar"}); });
  pipeline::MatcherOnDemand g(good, [&](const Error& e) { errors.push_back(e); });
  match::Matcher* first = g.get();
  CHECK(first != nullptr);
  CHECK(g.get() == first);
  CHECK_FALSE(g.failed());
  CHECK(errors.size() == 1);
}

TEST_CASE("a scan with a cache compiles its rules when a file needs them, or before it starts when unsure",
          "[pipeline][rules][cache]") {
  Root root;
  const fs::path rules = root.db.path() / "rules" / "test.yar";
  const auto opt = options(root, rules);

  // A first scan: nothing is remembered, so the rules are compiled before any file.
  auto first = scan_fresh(opt);
  REQUIRE(first.result);
  CHECK(first.shared->rules->compiled());
  CHECK(matched(*first.result));
  REQUIRE(first.result->summary.cache);
  CHECK(first.result->summary.cache->misses == 2);

  // A re-scan of the unchanged tree: every file from the cache, no rule compiled, same matches.
  auto second = scan_fresh(opt);
  REQUIRE(second.result);
  CHECK(second.result->summary.cache->hits == 2);
  CHECK_FALSE(second.shared->rules->compiled());
  CHECK(matched(*second.result));
  CHECK(second.result->records.front().matches == first.result->records.front().matches);

  // Another vendor list: whether the rules name only known vendors is not known; compiled first.
  root.db.write("vendors/extra.yaml",
                "vendors:\n  - id: extra-test-vendor\n    name: Extra Test Vendor\n    country: NL\n"
                "    category: antivirus\n    sources:\n      - {fact: f, source: ALT}\n");
  auto with_vendors = opt;
  with_vendors.context.vendor_files = {root.db.path() / "vendors" / "extra.yaml"};
  auto third = scan_fresh(with_vendors);
  REQUIRE(third.result);
  CHECK(third.result->summary.cache->hits == 2);
  CHECK(third.shared->rules->compiled());

  // A new file needs them (the cache remembers the third scan's rules and vendors): compiled by
  // the worker that analyses it, and run on it.
  root.tree.write("lib/modules/6.1.0-test/kernel/copy.ko",
                  test::read_file(test::samples_dir() / "modsig" / "demo-signed.ko"));
  auto fourth = scan_fresh(with_vendors);
  REQUIRE(fourth.result);
  CHECK(fourth.result->summary.cache->hits == 2);
  CHECK(fourth.shared->rules->compiled());
  REQUIRE(fourth.result->records.size() == 2);
  for (const auto& rec : fourth.result->records) CHECK(rec.matches.size() == 1);

  // Rules that do not compile end the scan before any file, cache or not.
  root.db.write("rules/broken.yar", "rule Broken {\n  condition:\n    undefined_thing\n}\n");
  auto broken = scan_fresh(options(root, root.db.path() / "rules" / "broken.yar"));
  REQUIRE_FALSE(broken.result);
  CHECK(broken.result.error().code == Errc::Config);
  CHECK(broken.result.error().message.find("broken.yar:3") != std::string::npos);
  CHECK(broken.sent == 0);
}
