// Rules are not run on the scanned kernel's own in-tree modules (issue 9, rule_scope.hpp), and only
// on those. Samples: tools/make_modsig_samples.sh (the fake kernels carry signing_key's certificate).
#include "match/rule_scope.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <map>
#include <thread>

#include "pipeline/pipeline.hpp"
#include "support/temp_tree.hpp"

using namespace trustscan;
namespace fs = std::filesystem;

namespace {

fs::path modsig(const char* name) { return test::samples_dir() / "modsig" / name; }

/// The module signature of a record (nullptr when it has none).
const verify::Signature* module_signature(const record::FileRecord& r) {
  for (const verify::Signature& s : r.signatures.signatures)
    if (s.source == verify::SignatureSource::Module) return &s;
  return nullptr;
}

/// A root with a kernel image holding signing_key, and three modules, plus a rule that matches
/// all of them (the description string in their .modinfo).
struct Root {
  test::TempTree tree;
  Root() {
    tree.write("boot/vmlinuz-test", test::read_file(modsig("root-xz/boot/vmlinuz-test")));
    tree.write("lib/modules/6.1.0-test/kernel/intree.ko", test::read_file(modsig("demo-intree-signed.ko")));
    tree.write("lib/modules/6.1.0-test/kernel/outoftree.ko", test::read_file(modsig("demo-signed.ko")));
    tree.write("lib/modules/6.1.0-test/kernel/otherkey.ko", test::read_file(modsig("demo-other-key.ko")));
    tree.write("rules/test.yar",
               "rule Test_Modinfo {\n"
               "  meta: vendor = \"linux-kernel\" description = \"test\" confidence = \"low\" reference = \"rule_scope_test\"\n"
               "  strings: $a = \"signature test module\"\n"
               "  condition: $a\n"
               "}\n");
  }
};

std::map<std::string, const record::FileRecord*> by_name(const pipeline::ScanResult& r) {
  std::map<std::string, const record::FileRecord*> out;
  for (const auto& rec : r.records) out[rec.file.path.substr(rec.file.path.find_last_of('/') + 1)] = &rec;
  return out;
}

pipeline::ScanResult scan(const Root& root, bool match_all, bool kernel_keys,
                          std::optional<fs::path> cache_file = std::nullopt) {
  pipeline::ScanOptions opt;
  opt.cache_file = std::move(cache_file);
  opt.roots = {root.tree.path().string()};
  opt.threads = 2;
  opt.context.data_dir = TRUSTSCAN_SOURCE_DIR;
  opt.context.default_rules = false;
  opt.context.rule_paths = {root.tree.path() / "rules" / "test.yar"};
  opt.context.match_all = match_all;
  opt.context.kernel_keys_from_roots = kernel_keys;
  if (!kernel_keys) opt.context.module_key_dirs = {test::samples_dir() / "modsig" / "keys"};
  auto result = pipeline::scan(opt);
  REQUIRE(result);
  return std::move(*result);
}

bool matched(const record::FileRecord& r) {
  return r.matches.size() == 1 && r.matches[0].rule == "Test_Modinfo";
}

}  // namespace

TEST_CASE("an in-tree module signed with its kernel's build key is not matched, and says why", "[pipeline][rule_scope]") {
  Root root;
  const auto result = scan(root, false, true);
  auto recs = by_name(result);
  for (const char* name : {"intree.ko", "outoftree.ko", "otherkey.ko"}) REQUIRE(recs.count(name) == 1);
  const auto& intree = *recs.at("intree.ko");
  const verify::Signature* sig = module_signature(intree);
  REQUIRE(sig);
  CHECK(sig->status == verify::SignatureStatus::Valid);
  CHECK(sig->module()->kernel_build_key);
  REQUIRE(intree.rules_skipped);
  CHECK(intree.rules_skipped->find("vmlinuz-test") != std::string::npos);
  CHECK(intree.matches.empty());
  // Signed with the same key but not in-tree, or signed with an unknown key: matched.
  CHECK(matched(*recs.at("outoftree.ko")));
  CHECK_FALSE(recs.at("outoftree.ko")->rules_skipped);
  CHECK(matched(*recs.at("otherkey.ko")));
  CHECK_FALSE(recs.at("otherkey.ko")->rules_skipped);
  CHECK(result.summary.rules_skipped == 1);
}

TEST_CASE("--match-all matches the kernel's in-tree modules too", "[pipeline][rule_scope]") {
  Root root;
  const auto result = scan(root, true, true);
  auto recs = by_name(result);
  CHECK(matched(*recs.at("intree.ko")));
  CHECK_FALSE(recs.at("intree.ko")->rules_skipped);
  CHECK(result.summary.rules_skipped == 0);
}

TEST_CASE("a key given with --module-keys never makes a module skip the rules", "[pipeline][rule_scope]") {
  Root root;
  const auto result = scan(root, false, false);
  auto recs = by_name(result);
  const auto& intree = *recs.at("intree.ko");
  const verify::Signature* sig = module_signature(intree);
  REQUIRE(sig);
  CHECK(sig->status == verify::SignatureStatus::Valid);
  CHECK(sig->module()->key_source_kind == "module_keys");
  CHECK_FALSE(sig->module()->kernel_build_key);
  CHECK(matched(intree));
  CHECK(result.summary.rules_skipped == 0);
}

TEST_CASE("rules_not_needed wants every condition", "[pipeline][rule_scope]") {
  record::FileRecord rec;
  rec.binary.emplace();
  rec.binary->elf.emplace();
  rec.binary->elf->modinfo["intree"] = "Y";
  rec.classification.type = FileType::KernelModule;
  verify::Signature& sig = rec.signatures.signatures.emplace_back();
  sig.source = verify::SignatureSource::Module;
  sig.status = verify::SignatureStatus::Valid;
  verify::ModuleDetails& details = sig.details.emplace<verify::ModuleDetails>();
  details.kernel_build_key = true;
  details.key_source = "/boot/vmlinuz";
  CHECK(match::rules_not_needed(rec));

  SECTION("not in-tree") { rec.binary->elf->modinfo["intree"] = "N"; }
  SECTION("no intree key") { rec.binary->elf->modinfo.erase("intree"); }
  SECTION("signature not valid") { sig.status = verify::SignatureStatus::Invalid; }
  SECTION("not the kernel's build key") { details.kernel_build_key = false; }
  SECTION("unsigned") { rec.signatures.signatures.clear(); }
  SECTION("not a kernel module") { rec.classification.type = FileType::SharedObject; }
  SECTION("an error in a stage") { rec.errors.push_back(Error{Errc::Malformed, "x", "parse"}); }
  CHECK_FALSE(match::rules_not_needed(rec));
}

TEST_CASE("a cache hit keeps the rule skip, and --match-all does not reuse it", "[pipeline][rule_scope][cache]") {
  Root root;
  test::TempTree db;
  const fs::path cache = db.path() / "cache.db";
  std::this_thread::sleep_for(std::chrono::seconds(3));  // older than the cache's racy window
  const auto first = scan(root, false, true, cache);
  const auto second = scan(root, false, true, cache);
  REQUIRE(second.summary.cache);
  CHECK(second.summary.cache->hits >= 3);
  CHECK(second.summary.cache->misses == 0);
  auto recs = by_name(second);
  REQUIRE(recs.at("intree.ko")->rules_skipped);
  CHECK(*recs.at("intree.ko")->rules_skipped == *by_name(first).at("intree.ko")->rules_skipped);
  CHECK(recs.at("intree.ko")->matches.empty());
  CHECK(second.summary.rules_skipped == 1);
  // --match-all is part of the cache's fingerprint: nothing is reused, the module is matched.
  const auto all = scan(root, true, true, cache);
  REQUIRE(all.summary.cache);
  CHECK(all.summary.cache->hits == 0);
  CHECK(matched(*by_name(all).at("intree.ko")));
}
