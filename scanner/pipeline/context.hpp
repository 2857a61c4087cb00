#pragma once
/// \file
/// State loaded once before a scan and shared read-only by every worker: trust anchors, the
/// kernel module keyring, Mach-O anchors. Loading fails only on configuration errors.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "attribute/vendor_db.hpp"
#include "core/error.hpp"
#include "match/rule_set.hpp"
#include "policy/policy.hpp"
#include "verify/kernel_keys.hpp"
#include "verify/macho_signature.hpp"
#include "verify/trust_store.hpp"

namespace trustscan::pipeline {

struct ScanOptions;

/// Where the shipped data lives (rules/, signatures/) and what the operator added.
struct ContextOptions {
  std::filesystem::path data_dir;                  ///< holds signatures/ (see app/data_dir)
  std::vector<std::filesystem::path> trust_dirs;   ///< --trust-store: added to the shipped anchors
  bool default_trust = true;                       ///< false: only --trust-store anchors
  std::optional<std::filesystem::path> crl_dir;    ///< --crl-dir: offline revocation data
  std::vector<std::filesystem::path> module_key_dirs;  ///< --module-keys
  std::vector<std::filesystem::path> catalog_dirs;     ///< --catalog-dir: Windows catalogs (.cat) to index
  bool windows_images = true;                          ///< detect Windows images under the roots
  bool kernel_keys_from_roots = true;              ///< read module-signing keys from ROOT/boot/vmlinuz-*
  std::int64_t verify_time = 0;                    ///< Unix seconds to verify at; 0 = now
  std::vector<std::filesystem::path> vendor_files; ///< --vendors: added to the shipped vendor list
  std::vector<std::filesystem::path> rule_paths;   ///< --rules: YARA files/dirs added to rules/index.yar
  bool default_rules = true;                       ///< false: only --rules
  /// Policy: --policy FILE, plus --flag-country / --flag-vendor. With none of them the shipped
  /// rules/policy/default.yaml applies; flags alone replace it; a file plus flags combine.
  std::optional<std::filesystem::path> policy_file;
  std::vector<std::string> flag_countries;
  std::vector<std::string> flag_vendors;
  bool all_privileges = false;                     ///< --all-privileges: user-mode software in scope too
};

/// A diagnostic about loading (a kernel image that could not be read, a skipped key file).
struct LoadNote {
  std::string path;
  std::string message;
};

struct Context {
  verify::TrustStore trust;
  verify::MachOTrustAnchors apple;
  verify::KernelKeyring kernel_keys;
  attribute::VendorDb vendors;
  std::optional<match::RuleSet> rules;  ///< compiled once; absent when no rule file is configured
  policy::Policy policy;
  std::int64_t verify_time = 0;
  std::vector<LoadNote> notes;          ///< non-fatal loading problems, reported with the scan
  std::vector<std::string> key_sources; ///< where module-signing keys came from
};

/// Loads everything shared; roots are needed to find their kernel images.
[[nodiscard]] Result<Context> load_context(const ContextOptions& options, const std::vector<std::string>& roots);

}  // namespace trustscan::pipeline
