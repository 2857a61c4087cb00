#include "pipeline/context.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <exception>
#include <future>
#include <iterator>

#include "core/deadline.hpp"
#include "core/parallel.hpp"
#include "datasets/microsoft_root_program.hpp"
#include "pipeline/windows_image.hpp"

namespace trustscan::pipeline {
namespace {

/// The verification time: `pinned` (--verify-time), or now when none is pinned.
std::int64_t pinned_or_now(std::int64_t pinned) {
  return pinned ? pinned
                : std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
                      .count();
}

/// The UTC day of Unix time `t`: suppression expiry follows the clock of verification
/// (--verify-time pins both).
std::chrono::year_month_day day_of(std::int64_t t) {
  return std::chrono::year_month_day{
      std::chrono::floor<std::chrono::days>(std::chrono::sys_seconds{std::chrono::seconds{t}})};
}

void note_key_report(const verify::KernelKeyLoadReport& report, LoadedKeyring& keys) {
  for (const auto& e : report.errors) keys.notes.push_back({e.path, e.error.message});
  for (const auto& image : report.images)
    keys.key_sources.push_back(image.path + " (" + std::to_string(image.certificates) + " certificates, " +
                               image.compression + ")");
}

Result<policy::Policy> load_policy(const ContextOptions& opt, const attribute::VendorDb& vendors) {
  bool flags = !opt.flag_countries.empty() || !opt.flag_vendors.empty();
  Result<policy::Policy> result = fail(Errc::Config, "no policy");
  if (!opt.flags_replace_policy || !flags) {  // --flag-country/--flag-vendor add to the policy
    result = policy::Policy::load(opt.policy_file.value_or(opt.data_dir / "rules" / "policy" / "default.yaml"),
                                  vendors);
    if (result && flags) {
      auto extra = policy::Policy::from_flags(opt.flag_countries, opt.flag_vendors, vendors);
      if (!extra) return extra;
      result = policy::Policy::combine(std::move(*result), std::move(*extra));
    }
  } else {
    result = policy::Policy::from_flags(opt.flag_countries, opt.flag_vendors, vendors);
  }
  if (result && opt.all_privileges) result->set_scope(policy::Scope::all());
  return result;
}

}  // namespace

Result<std::vector<verify::AnchorSetSpec>> trust_anchor_sets(const ContextOptions& opt,
                                                             std::vector<datasets::DatasetInfo>& used) {
  std::vector<verify::AnchorSetSpec> sets;
  const auto shipped = opt.data_dir / "signatures" / "trust";
  if (opt.default_trust) {
    auto program = datasets::load_root_program(opt.dataset_dir);
    if (!program) return std::unexpected(program.error());
    if (*program) {
      sets.push_back(std::move((*program)->anchors));
      used.push_back(std::move((*program)->provenance));
    } else {
      sets.push_back({"trustscan-builtin", {shipped / "trustscan-builtin"}, {}, {}});
    }
    for (const char* name : {"uefi", "debian-secure-boot"}) sets.push_back({name, {shipped / name}, {}, {}});
  }
  // One set per --trust-store directory, named as given (given twice: once); a name that is
  // already a set's ("uefi" given as a relative path) becomes the absolute path.
  auto named = [&](const std::string& name) {
    return std::find_if(sets.begin(), sets.end(), [&](const verify::AnchorSetSpec& s) { return s.name == name; });
  };
  for (const auto& dir : opt.trust_dirs) {
    std::string name = dir.string();
    if (auto it = named(name); it != sets.end() && it->dirs != std::vector{dir})
      name = std::filesystem::absolute(dir).string();
    if (named(name) == sets.end()) sets.push_back({name, {dir}, {}, {}});
  }
  return sets;
}

Result<match::KnownBadFeed> load_known_bad(const std::filesystem::path& dataset_dir,
                                           std::vector<datasets::DatasetInfo>& used) {
  auto feed = match::KnownBadFeed::load(dataset_dir);
  if (!feed) return fail(Errc::Config, "known-bad driver feed: " + feed.error().message);
  for (const match::KnownBadFeed::Loaded& loaded : feed->loaded()) {
    auto provenance = datasets::read_provenance(dataset_dir / loaded.source);
    if (!provenance) return fail(Errc::Config, "known-bad driver feed: " + provenance.error().message);
    used.push_back(std::move(*provenance));
  }
  return feed;
}

PendingKeyring::PendingKeyring() : PendingKeyring(LoadedKeyring{}) {}

PendingKeyring::PendingKeyring(LoadedKeyring loaded) {
  std::promise<std::shared_ptr<LoadedKeyring>> done;
  done.set_value(std::make_shared<LoadedKeyring>(std::move(loaded)));
  loaded_ = done.get_future().share();
}

struct PendingKeyring::Load {
  std::atomic<bool> taken{false};
  std::function<LoadedKeyring()> run;
  std::promise<std::shared_ptr<LoadedKeyring>> done;
};

PendingKeyring::PendingKeyring(std::function<LoadedKeyring()> load) : load_(std::make_shared<Load>()) {
  load_->run = std::move(load);
  loaded_ = load_->done.get_future().share();
}

void PendingKeyring::load_here() const {
  if (!load_ || load_->taken.load(std::memory_order_acquire) || load_->taken.exchange(true)) return;
  const DeadlineScope unbudgeted(nullptr);  // the keys are every module's, not the current file's
  try {
    load_->done.set_value(std::make_shared<LoadedKeyring>(load_->run()));
  } catch (...) { load_->done.set_exception(std::current_exception()); }
  load_->run = nullptr;  // what it captured is no longer needed
}

const verify::KernelKeyring& PendingKeyring::keys() const {
  load_here();
  const Deadline* deadline = current_deadline();
  if (deadline && deadline->limited() && loaded_.wait_until(deadline->at()) != std::future_status::ready &&
      deadline->passed("waiting for the module-signing keyring")) {
    static const verify::KernelKeyring kNone;
    return kNone;
  }
  return wait().keyring;
}

const LoadedKeyring& PendingKeyring::wait() const {
  load_here();
  return *loaded_.get();
}

LoadedKeyring& PendingKeyring::wait_to_modify() {
  load_here();
  return *loaded_.get();
}

bool PendingKeyring::ready() const { return loaded_.wait_for(std::chrono::seconds(0)) == std::future_status::ready; }

Context::Context(std::shared_ptr<const SharedContext> loaded)
    : shared(std::move(loaded)),
      verify_time(pinned_or_now(shared->verify_time)),
      trust(shared->trust),
      apple(shared->apple),
      vendors(shared->vendors),
      rules(*shared->rules),
      policy(shared->policy.for_scan(day_of(verify_time))),
      match_all(shared->match_all),
      notes(shared->notes),
      datasets(shared->datasets),
      strict_padding(shared->strict_padding),
      known_bad(shared->known_bad) {}

namespace {

/// --module-keys and --kernel: the operator's files, so a wrong one is a usage error.
Result<LoadedKeyring> load_operator_keys(const ContextOptions& opt) {
  LoadedKeyring keys;
  for (const auto& dir : opt.module_key_dirs) {
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec))
      return fail(Errc::Config, "--module-keys " + dir.string() + ": not a directory");
    auto report = keys.keyring.add_from_directory(dir);
    note_key_report(report, keys);
    keys.key_sources.push_back(dir.string() + " (" + std::to_string(report.keys_added) + " keys)");
  }
  for (const auto& image : opt.kernel_images) {  // --kernel: the operator's file, so a failure is a usage error
    auto report = keys.keyring.add_from_kernel_file(image);
    if (report.images.empty() || report.images.front().certificates == 0)
      return fail(Errc::Config, "--kernel " + image.string() + ": " +
                                    (report.errors.empty() ? std::string("no module-signing certificate in it")
                                                           : report.errors.front().error.message));
    note_key_report(report, keys);
  }
  return keys;
}

/// The rule files: the shipped index and --rules (none configured: empty).
std::vector<std::filesystem::path> rule_paths(const ContextOptions& opt) {
  std::vector<std::filesystem::path> paths;
  if (opt.default_rules) paths.push_back(opt.data_dir / "rules" / "index.yar");
  paths.insert(paths.end(), opt.rule_paths.begin(), opt.rule_paths.end());
  return paths;
}

/// A rule naming a vendor the list does not know would be evidence for nobody: refused.
Result<match::RuleSet> check_vendors(Result<match::RuleSet> compiled, const attribute::VendorDb& vendors) {
  if (!compiled) return compiled;
  for (const auto& rule : compiled->rules())
    if (auto it = rule.meta.find("vendor"); it != rule.meta.end() && !vendors.find(it->second))
      return fail(Errc::Config, "YARA rule " + rule.ns + ":" + rule.name + " names vendor '" + it->second +
                                    "', which signatures/vendors does not define");
  return compiled;
}

/// The rules compiled at load, started on a thread of their own: they need nothing else of the
/// context, and the vendor list is loaded meanwhile. Not started when there are none, or when
/// they are compiled on demand (then only their fingerprint is taken here).
std::future<Result<match::RuleSet>> start_compiling_rules(const ContextOptions& opt) {
  auto paths = rule_paths(opt);
  if (paths.empty() || opt.rules_on_demand) return {};
  return start_beside(opt.load_threads != 1, [paths = std::move(paths)] { return match::RuleSet::compile(paths); });
}

/// The rules as the shared context keeps them: compiled (`compiling`, checked against the vendor
/// list) or, on demand, their fingerprint and how to compile them then.
Result<std::unique_ptr<RulesOnDemand>> load_rules(const ContextOptions& opt,
                                                  std::future<Result<match::RuleSet>>& compiling,
                                                  const attribute::VendorDb& vendors) {
  if (compiling.valid()) {
    auto compiled = check_vendors(compiling.get(), vendors);
    if (!compiled) return std::unexpected(compiled.error());
    return std::make_unique<RulesOnDemand>(std::move(*compiled));
  }
  const auto paths = rule_paths(opt);
  if (paths.empty()) return std::make_unique<RulesOnDemand>();
  auto fingerprint = match::RuleSet::fingerprint_of(paths);
  if (!fingerprint) return std::unexpected(fingerprint.error());
  // (`vendors` is the shared context's own, which outlives its rules.)
  return std::make_unique<RulesOnDemand>(
      std::move(*fingerprint), [paths, &vendors] { return check_vendors(match::RuleSet::compile(paths), vendors); });
}

}  // namespace

Result<std::shared_ptr<const SharedContext>> load_shared_context(const ContextOptions& opt) {
  auto compiling = start_compiling_rules(opt);  // joined on every return (the future's destructor)
  // The trust anchors (Microsoft's root program: hundreds of certificates) and the known-bad
  // feeds each read data sets of their own: both on threads of their own while this one reads the
  // vendor list. One after the other they were 10-12 ms each of a cached re-scan's critical path
  // (every worker waits for the engine). Their errors are told in the order they were loaded
  // before.
  std::vector<datasets::DatasetInfo> anchor_datasets, feed_datasets;
  const bool beside = opt.load_threads != 1;
  auto trusting = start_beside(beside, [&]() -> Result<verify::TrustStore> {
    auto sets = trust_anchor_sets(opt, anchor_datasets);
    if (!sets) return std::unexpected(sets.error());
    return verify::TrustStore::load_sets(*sets, opt.crl_dir);
  });
  auto feeding = start_beside(beside, [&] { return load_known_bad(opt.dataset_dir, feed_datasets); });
  std::vector<std::filesystem::path> vendor_paths{opt.data_dir / "signatures" / "vendors"};
  vendor_paths.insert(vendor_paths.end(), opt.vendor_files.begin(), opt.vendor_files.end());
  auto vendors = attribute::VendorDb::load(vendor_paths, opt.load_threads);

  auto trust = trusting.get();
  if (!trust) return std::unexpected(trust.error());
  verify::MachOTrustAnchors apple;
  if (opt.default_trust) {
    auto loaded = verify::MachOTrustAnchors::load_directory(opt.data_dir / "signatures" / "trust" / "apple");
    if (!loaded) return std::unexpected(loaded.error());
    apple = std::move(*loaded);
  }
  if (!vendors) return std::unexpected(vendors.error());
  auto policy = load_policy(opt, *vendors);
  if (!policy) return std::unexpected(policy.error());
  auto known_bad = feeding.get();
  if (!known_bad) return std::unexpected(known_bad.error());
  std::vector<datasets::DatasetInfo> datasets = std::move(anchor_datasets);  // (in the order they were loaded)
  datasets.insert(datasets.end(), std::make_move_iterator(feed_datasets.begin()),
                  std::make_move_iterator(feed_datasets.end()));
  auto keys = load_operator_keys(opt);
  if (!keys) return std::unexpected(keys.error());
  auto ctx = std::make_shared<SharedContext>(SharedContext{std::move(*trust),
                                                           std::move(apple),
                                                           std::move(*vendors),
                                                           nullptr,
                                                           std::move(*policy),
                                                           opt.verify_time,
                                                           opt.match_all,
                                                           {},
                                                           std::move(datasets),
                                                           opt.strict_padding,
                                                           std::move(*known_bad),
                                                           std::move(*keys),
                                                           opt.kernel_keys_from_roots,
                                                           nullptr});
  auto rules = load_rules(opt, compiling, ctx->vendors);
  if (!rules) return std::unexpected(rules.error());
  ctx->rules = std::move(*rules);
  // Verified once, against the engine's anchors, at its pinned time or when it was loaded.
  ctx->operator_catalogs = std::make_shared<const OperatorCatalogs>(load_operator_catalogs(
      opt.catalog_dirs, {&ctx->trust, pinned_or_now(ctx->verify_time)}, threads_or_cores(opt.load_threads)));
  // (Each scan's policy expires suppressions by its own verify_time's day: Context, for_scan.)
  return std::shared_ptr<const SharedContext>(std::move(ctx));
}

Context scan_context(std::shared_ptr<const SharedContext> shared, const std::vector<std::string>& roots,
                     std::shared_ptr<verify::KernelImageMemo> memo) {
  Context ctx(std::move(shared));
  const LoadedKeyring& operator_keys = ctx.shared->operator_keys;
  LoadedKeyring keys{operator_keys.keyring.copy(), operator_keys.notes, operator_keys.key_sources};
  std::vector<std::string> key_roots;
  if (ctx.shared->kernel_keys_from_roots)
    for (const auto& root : roots) {
      struct stat st {};
      if (::stat(root.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) key_roots.push_back(root);
    }
  if (key_roots.empty()) {
    ctx.kernel_keys = PendingKeyring(std::move(keys));
  } else {
    // The kernel images are decompressed by the scan's first worker (PendingKeyring).
    auto partial = std::make_shared<LoadedKeyring>(std::move(keys));
    ctx.kernel_keys = PendingKeyring([partial, key_roots = std::move(key_roots), memo = std::move(memo)]() mutable {
      LoadedKeyring loaded = std::move(*partial);
      for (const auto& root : key_roots) {
        try {  // a kernel image is input like any file: a failure is a note, never the end
          note_key_report(loaded.keyring.add_from_root(root, memo.get()), loaded);
        } catch (const std::exception& e) {
          loaded.notes.push_back({root, std::string("kernel images not read for module keys: ") + e.what()});
        }
      }
      return loaded;
    });
  }
  return ctx;
}

}  // namespace trustscan::pipeline
