#pragma once
/// \file
/// The options of `trustscan scan`: their definition on the command line (CLI11) and their
/// translation into what the scan, the report and the exit code need. Nothing here runs a scan.

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "pipeline/pipeline.hpp"
#include "policy/severity.hpp"
#include "report/formats.hpp"
#include "report/report.hpp"

namespace CLI {
class App;
}

namespace trustscan::app {

/// The values of the scan command's options as given. Options that map one to one onto a
/// ScanOptions field are written into `opt` directly; the others are kept as given and checked
/// by to_scan_plan().
struct ScanArgs {
  pipeline::ScanOptions opt;
  std::string format_name{report::output_formats().front().name};
  bool format_given = false;          ///< -f appeared on the command line
  std::vector<std::string> outputs;   ///< -o values, as given (app/output_spec.hpp reads them)
  std::size_t keep = 0;               ///< --keep N: dated reports kept per pattern (0: no retention)
  std::string summary_when = "auto";  ///< --summary
  double file_timeout = pipeline::kDefaultFileTimeoutSeconds;  ///< seconds
  std::uint64_t max_memory = 0;
  std::vector<std::string> trust_dirs, key_dirs, catalog_dirs;
  std::vector<std::string> kernel_files;  ///< --kernel (issue 20)
  std::string crl_dir, verify_time;
  bool no_default_trust = false, no_kernel_keys = false, no_windows_image = false;
  std::string dataset_dir = opt.context.dataset_dir.string();  ///< --data-dir
  std::vector<std::string> partitions;
  std::vector<std::string> rule_paths, vendor_files, flag_countries, flag_vendors;
  std::vector<std::string> only_flag_countries, only_flag_vendors;
  std::string policy_text, fail_on_text = "low";
  bool no_default_rules = false, match_all = false;
  std::string baseline_file, syslog_text, syslog_facility = "user";
  bool syslog_all = false;
  std::string cache_file;
  bool quiet = false;
  report::TableOptions table;  ///< --limit, --findings-only (app/table_view.hpp); the width is decided later
};

/// Adds the `scan` subcommand with every option to `app`; parsing fills `args`.
CLI::App* add_scan_command(CLI::App& app, ScanArgs& args);

/// The options `trustscan explain` shares with `scan` (issue 20): trust stores, data sets, CRLs,
/// module keys, catalogs, rules, vendor lists and the policy — everything but the walk and the
/// outputs. Parsing fills `args`.
void add_context_options(CLI::App& cmd, ScanArgs& args);

/// What the options decide before anything is loaded.
struct ScanPlan {
  pipeline::ScanOptions opt;  ///< roots, limits, context; `stop` and `progress` still unset
  policy::FailOn fail_on;
};

/// Checks the options that need more than CLI11's checks (partitions, --fail-on,
/// --verify-time), finds the data directory and fills in ScanOptions. An error is a usage error;
/// its message names the option.
[[nodiscard]] Result<ScanPlan> to_scan_plan(const ScanArgs& args);

/// The engine's part of the options — everything pipeline::Engine::load takes: the context
/// (trust, data sets, keys, catalogs, rules, vendors, policy, --verify-time), the size limits,
/// the threads and the per-file time budget — checked as to_scan_plan checks them, with the
/// shipped data in `data_dir`. to_scan_plan and the library's configuration (capi/) both use it,
/// so that a key of ts_config_set means what the option of `trustscan scan` means.
[[nodiscard]] Result<pipeline::ScanOptions> to_engine_options(const ScanArgs& args,
                                                              const std::filesystem::path& data_dir);

/// `args` ("--KEY=VALUE", in order) parsed as options of `trustscan scan`, without roots: the
/// library's configuration (capi/) reads its keys through this. Errc::Config with the message the
/// CLI would give for a value it refuses.
[[nodiscard]] Result<ScanArgs> parse_scan_options(const std::vector<std::string>& args);

/// Whether the option --KEY of `trustscan scan` takes a list (may be given more than once).
[[nodiscard]] bool scan_option_is_list(std::string_view key);

/// A policy named by `text`: a file as given, or the name of a shipped preset
/// (DATA_DIR/rules/policy/NAME[.yaml]). Errc::Config naming `option` and the presets otherwise.
/// The CLI's --policy and the library's "policy" key.
[[nodiscard]] Result<std::filesystem::path> find_policy(const std::string& text, const std::filesystem::path& data_dir,
                                                        std::string_view option);

}  // namespace trustscan::app
