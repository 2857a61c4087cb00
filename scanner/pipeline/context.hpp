#pragma once
/// \file
/// State loaded once before a scan and shared read-only by every worker: trust anchors, the
/// kernel module keyring, Mach-O anchors. Loading fails only on configuration errors.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "attribute/vendor_db.hpp"
#include "core/error.hpp"
#include "datasets/dataset.hpp"
#include "datasets/dataset_io.hpp"
#include "match/known_bad.hpp"
#include "match/rule_set.hpp"
#include "pipeline/rules_on_demand.hpp"
#include "policy/policy.hpp"
#include "verify/kernel_keys.hpp"
#include "verify/macho_signature.hpp"
#include "verify/trust_store.hpp"

namespace trustscan::pipeline {

struct OperatorCatalogs;  // pipeline/windows_image.hpp

struct ScanOptions;

/// Where the shipped data lives (rules/, signatures/) and what the operator added.
struct ContextOptions {
  std::filesystem::path data_dir;                 ///< holds signatures/ (see app/data_dir)
  std::vector<std::filesystem::path> trust_dirs;  ///< --trust-store: added to the shipped anchors
  bool default_trust = true;                      ///< false: only --trust-store anchors
  /// --data-dir: imported data sets (datasets/); its Microsoft root program, when imported,
  /// replaces the shipped Authenticode anchors (trust_anchor_sets()).
  std::filesystem::path dataset_dir{datasets::kDefaultDataDir};
  std::optional<std::filesystem::path> crl_dir;        ///< --crl-dir: offline revocation data
  std::vector<std::filesystem::path> module_key_dirs;  ///< --module-keys
  std::vector<std::filesystem::path> catalog_dirs;     ///< --catalog-dir: Windows catalogs (.cat) to index
  bool windows_images = true;                          ///< detect Windows images under the roots
  bool kernel_keys_from_roots = true;                  ///< read module-signing keys from ROOT/boot/vmlinuz-*
  std::vector<std::filesystem::path> kernel_images;    ///< --kernel: kernel images to take module keys from
  std::int64_t verify_time = 0;                        ///< Unix seconds to verify at; 0 = now
  std::vector<std::filesystem::path> vendor_files;     ///< --vendors: added to the shipped vendor list
  std::vector<std::filesystem::path> rule_paths;       ///< --rules: YARA files/dirs added to rules/index.yar
  bool default_rules = true;                           ///< false: only --rules
  /// --match-all: run the rules on every binary, also on the kernel's own in-tree modules
  /// (rule_scope.hpp says which files are otherwise skipped, and why that is safe).
  bool match_all = false;
  /// Policy: --policy FILE, plus --flag-country / --flag-vendor. With none of them the shipped
  /// rules/policy/default.yaml applies; flags alone replace it; a file plus flags combine.
  std::optional<std::filesystem::path> policy_file;
  std::vector<std::string> flag_countries;
  std::vector<std::string> flag_vendors;
  /// --only-flag-country/--only-flag-vendor: the flags replace the policy instead of adding to it.
  bool flags_replace_policy = false;
  bool all_privileges = false;  ///< --all-privileges: user-mode software in scope too
  bool strict_padding = false;  ///< --strict-padding: certificate padding is invalid
  /// --threads: how many threads loading may use besides the caller's (vendor files, --catalog-dir
  /// catalogs; with 1, the rules are compiled on the caller's thread too); 0 = one per core.
  unsigned load_threads = 0;
  /// The rules are compiled when a scan first needs them, not while loading (rules_on_demand.hpp):
  /// set by the CLI for a re-scan with a cache of this program, which may need none.
  bool rules_on_demand = false;
};

/// A diagnostic about loading (a kernel image that could not be read, a skipped key file).
struct LoadNote {
  std::string path;
  std::string message;
};

/// The module-signing keyring and what loading it reported.
struct LoadedKeyring {
  verify::KernelKeyring keyring;
  std::vector<LoadNote> notes;           ///< problems met reading kernel images / key files
  std::vector<std::string> key_sources;  ///< where the keys came from
};

/// The module-signing keyring, loaded once, by the first thread that needs it or offers to
/// (load_here): the kernel images of the roots must be decompressed (about 0.5 s of CPU for
/// Debian's 8 MB vmlinuz), and the walk, the Windows catalogs and the files that are not kernel
/// modules need no keys. The scan's first worker loads it before its first file, so the load takes
/// one of the --threads workers and never a thread of its own (with --threads 1 the scan uses one
/// core). Whoever needs the keys while another thread loads them waits, so no module is ever
/// verified against a partly loaded keyring. Copies share the one load; every member is safe to
/// call from any thread.
class PendingKeyring {
 public:
  /// An empty keyring, already loaded.
  PendingKeyring();
  /// A keyring already loaded.
  explicit PendingKeyring(LoadedKeyring loaded);
  /// The keyring `load` builds, run by the first caller of load_here() or of a waiting member.
  explicit PendingKeyring(std::function<LoadedKeyring()> load);

  /// Runs the load on the calling thread, outside any time budget, when no thread has started
  /// it; returns at once when one has (or it is done).
  void load_here() const;
  /// The complete keyring (loads it here, or waits for the thread loading it). On a thread with a
  /// deadline (core/deadline.hpp) it waits for another thread's load no longer than that: past it,
  /// an empty keyring, and the deadline has fired (the file is then reported as timed out, never
  /// as verified against it).
  [[nodiscard]] const verify::KernelKeyring& keys() const;
  /// The complete load, with its notes (loads it here, or waits for it).
  [[nodiscard]] const LoadedKeyring& wait() const;
  /// True once the load has finished (never waits, never starts it).
  [[nodiscard]] bool ready() const;
  /// The complete load, to add more keys to (loads it here, or waits for it). Only before the
  /// keyring is shared with readers: the pipeline adds the kernel images found inside disk-image
  /// roots this way before any file is analysed.
  [[nodiscard]] LoadedKeyring& wait_to_modify();

 private:
  struct Load;  ///< the load not yet run: its function, whether a thread took it, its promise
  std::shared_ptr<Load> load_;
  std::shared_future<std::shared_ptr<LoadedKeyring>> loaded_;
};

/// The anchor sets a scan verifies Authenticode (and catalog) signatures against, in order:
///  - "microsoft-root-program" (imported into `dataset_dir`), else the shipped
///    "trustscan-builtin" (signatures/trust/trustscan-builtin/), unless --no-default-trust;
///  - "uefi" and "debian-secure-boot" (signatures/trust/<name>/: UEFI db and shim anchors,
///    which no root program holds), unless --no-default-trust;
///  - one set per --trust-store directory, named after its path.
/// Apple's anchors (signatures/trust/apple/) are Mach-O's own (verify::MachOTrustAnchors).
/// `used` receives the provenance of the imported data sets the sets came from.
[[nodiscard]] Result<std::vector<verify::AnchorSetSpec>> trust_anchor_sets(const ContextOptions& options,
                                                                           std::vector<datasets::DatasetInfo>& used);

/// What every scan of an Engine shares: loaded once (load_shared_context), then only read, by any
/// number of scans and their threads at once.
struct SharedContext {
  verify::TrustStore trust;
  verify::MachOTrustAnchors apple;
  attribute::VendorDb vendors;
  /// Compiled once, at load or when first needed (ContextOptions::rules_on_demand); never null.
  std::unique_ptr<const RulesOnDemand> rules;
  policy::Policy policy;
  /// ContextOptions::verify_time (pinned by --verify-time); 0 = each scan verifies at its start.
  std::int64_t verify_time = 0;
  bool match_all = false;        ///< ContextOptions::match_all
  std::vector<LoadNote> notes;   ///< non-fatal loading problems, reported with every scan
  /// Imported data sets the scans use (their provenance, named in every report).
  std::vector<datasets::DatasetInfo> datasets;
  bool strict_padding = false;  ///< ContextOptions::strict_padding
  /// The known-bad driver feeds imported into ContextOptions::dataset_dir (LOLDrivers, driver
  /// block rules); empty when neither is imported (load_known_bad()).
  match::KnownBadFeed known_bad;
  /// The operator's keys (--module-keys, --kernel); each scan adds its roots' kernel images' keys
  /// to a copy of them.
  LoadedKeyring operator_keys;
  bool kernel_keys_from_roots = true;  ///< ContextOptions::kernel_keys_from_roots
  /// The --catalog-dir catalogs, loaded once (pipeline/windows_image.hpp); never null once loaded.
  std::shared_ptr<const OperatorCatalogs> operator_catalogs;
};

/// One scan's context: the shared part (by reference: `shared` keeps it alive) and what depends
/// on the scan's roots: the module keyring and the notes of loading it.
struct Context {
  explicit Context(std::shared_ptr<const SharedContext> loaded);
  std::shared_ptr<const SharedContext> shared;
  /// Unix seconds signatures are verified at: the engine's pinned time, else when this scan began
  /// (an engine loaded last month does not verify at last month's date).
  std::int64_t verify_time = 0;
  const verify::TrustStore& trust;
  const verify::MachOTrustAnchors& apple;
  PendingKeyring kernel_keys;  ///< the operator's keys and the roots' kernel images (see PendingKeyring)
  const attribute::VendorDb& vendors;
  const RulesOnDemand& rules;
  /// The scan's own policy (Policy::for_scan): suppressions expire by verify_time's day, and the
  /// suppression counters are this scan's alone.
  policy::Policy policy;
  bool match_all = false;
  std::vector<LoadNote> notes;  ///< the shared notes and this scan's (the keyring's own are in kernel_keys.wait())
  const std::vector<datasets::DatasetInfo>& datasets;
  bool strict_padding = false;
  const match::KnownBadFeed& known_bad;
};

/// The known-bad driver feeds of `dataset_dir` and, in `used`, their provenance. A data set
/// that is not imported is skipped; a damaged feed or provenance is an error naming its file.
[[nodiscard]] Result<match::KnownBadFeed> load_known_bad(const std::filesystem::path& dataset_dir,
                                                         std::vector<datasets::DatasetInfo>& used);

/// Loads everything scans share. Fails only on configuration errors.
[[nodiscard]] Result<std::shared_ptr<const SharedContext>> load_shared_context(const ContextOptions& options);

/// One scan's context over `shared`: the module keyring starts as a copy of the operator's keys;
/// the kernel images of the directory `roots` are added to it on a background thread (unless
/// --no-kernel-keys), with `memo` (the scan's --cache) when given.
[[nodiscard]] Context scan_context(std::shared_ptr<const SharedContext> shared, const std::vector<std::string>& roots,
                                   std::shared_ptr<verify::KernelImageMemo> memo);

}  // namespace trustscan::pipeline
