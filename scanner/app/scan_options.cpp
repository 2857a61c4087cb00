#include "app/scan_options.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <optional>

#include <CLI/CLI.hpp>

#include "app/data_dir.hpp"
#include "app/table_view.hpp"

namespace trustscan::app {
namespace {

/// ROOT, -f, -o, -e, size and time limits, threads, file systems.
void add_walk_options(CLI::App& scan, ScanArgs& a) {
  pipeline::ScanOptions& opt = a.opt;
  scan.add_option("ROOT", opt.roots, "Directories, disk image files or files to scan (default: /)");
  scan.add_option("-f,--format", a.format_name, "Output format: " + report::output_formats_help())
      ->check(CLI::IsMember(report::output_format_names()))
      ->each([&a](const std::string&) { a.format_given = true; })
      ->capture_default_str();
  scan.add_option("-o,--output", a.outputs,
                  "FORMAT[=FILE]: write this format to FILE ('-' or none: standard output); repeatable, one scan. "
                  "Any other value is a FILE for -f (as before). FILE may hold %Y%m%dT%H%M%SZ (UTC)")
      ->allow_extra_args(false);
  // One GLOB per -e, so "-e '*.dll' /mnt/img" keeps /mnt/img as a root.
  scan.add_option("-e,--exclude", opt.excludes, "Skip paths or names matching GLOB (repeatable)")
      ->allow_extra_args(false);
  scan.add_option("--max-file-size", opt.limits.max_file_size, "Skip (and report) files larger than this (e.g. 512MB)")
      ->transform(CLI::AsSizeValue(false))
      ->capture_default_str();
  scan.add_option("--max-parse-size", opt.limits.max_parse_size,
                  "Binaries above this are hashed but not parsed (LIEF needs 2-4x their size in memory)")
      ->transform(CLI::AsSizeValue(false))
      ->capture_default_str();
  scan.add_option("--stream-threshold", opt.limits.stream_threshold,
                  "Binaries above this (or --max-parse-size) are verified and matched without being read whole")
      ->transform(CLI::AsSizeValue(false))
      ->capture_default_str();
  scan.add_option("-j,--threads", opt.threads, "Worker threads (default: all cores)")->check(CLI::Range(0u, 1024u));
  scan.add_option("--file-timeout", a.file_timeout,
                  "Give up on a file whose analysis takes longer than SECONDS (reported as an error; 0 = never)")
      ->check(CLI::Range(0.0, 86400.0))
      ->capture_default_str();
  scan.add_option("--max-memory", a.max_memory,
                  "Cap the address space (e.g. 4GB): an allocation beyond it fails that file only (0 = no cap)")
      ->transform(CLI::AsSizeValue(false));
  scan.add_flag("-x,--one-file-system", opt.one_file_system, "Do not descend into other mounted file systems");
  scan.add_flag("--include-network-fs", opt.include_network_fs,
                "Also descend into network (NFS, SMB, ...) and FUSE file systems mounted below the roots (skipped by "
                "default; a root itself is always scanned)");
}

/// Trust anchors, imported data sets, CRLs, module keys, padding, Windows catalogs and images,
/// disk image files.
void add_verify_options(CLI::App& scan, ScanArgs& a) {
  scan.add_option("--trust-store", a.trust_dirs, "Also trust the certificates (PEM/DER) in DIR (repeatable)")
      ->allow_extra_args(false)
      ->check(CLI::ExistingDirectory);
  scan.add_flag("--no-default-trust", a.no_default_trust,
                "Trust only --trust-store anchors, not the shipped ones nor an imported root program");
  scan.add_option("--data-dir", a.dataset_dir, "Imported data sets (trustscan data import; docs/datasets.md)")
      ->capture_default_str();
  scan.add_option("--crl-dir", a.crl_dir, "Offline CRLs to check revocation against (no network is ever used)")
      ->check(CLI::ExistingDirectory);
  scan.add_option("--module-keys", a.key_dirs, "Linux module-signing certificates (PEM/DER) in DIR (repeatable)")
      ->allow_extra_args(false)
      ->check(CLI::ExistingDirectory);
  scan.add_flag("--no-kernel-keys", a.no_kernel_keys, "Do not read module-signing keys from ROOT/boot/vmlinuz-*");
  scan.add_option("--kernel", a.kernel_files,
                  "Also take module-signing keys from this kernel image (vmlinuz, vmlinux) (repeatable)")
      ->allow_extra_args(false)
      ->check(CLI::ExistingFile);
  scan.add_flag("--strict-padding", a.opt.context.strict_padding,
                "Data hidden inside a signature's WIN_CERTIFICATE makes it invalid (as EnableCertPaddingCheck)");
  scan.add_option("--catalog-dir", a.catalog_dirs, "Also index the Windows catalogs (.cat) below DIR (repeatable)")
      ->allow_extra_args(false)
      ->check(CLI::ExistingDirectory);
  scan.add_flag("--no-windows-image", a.no_windows_image,
                "Do not detect Windows images under the roots (no registry, no CatRoot)");
  // Issue 10: disk image files (docs/disk-images.md).
  scan.add_flag("--image", a.opt.images.force,
                "Open every file ROOT as a disk image (raw, E01, VMDK, VHD); without it, detected");
  scan.add_option("--partition", a.partitions,
                  "Scan only volume N of the images (repeatable; 0 = no partition table; default: all)")
      ->delimiter(',')
      ->allow_extra_args(false);
  scan.add_flag("--include-deleted", a.opt.images.include_deleted,
                "Also scan deleted files of the images that can still be read back (marked deleted)");
  scan.add_flag("--hash-image", a.opt.images.hash, "Report the SHA-256 of every image file (reads it whole)");
}

/// Rules, vendor lists, the policy and what fails the run.
void add_policy_options(CLI::App& scan, ScanArgs& a) {
  scan.add_option("--rules", a.rule_paths, "Also compile the YARA rules in FILE or DIR (repeatable)")
      ->allow_extra_args(false)
      ->check(CLI::ExistingPath);
  scan.add_flag("--no-default-rules", a.no_default_rules, "Use only --rules, not the shipped rules/index.yar");
  scan.add_flag("--match-all", a.match_all,
                "Match the rules against every binary, also the kernel's own in-tree modules (skipped by default)");
  scan.add_option("--vendors", a.vendor_files, "Also load the vendor list FILE or DIR (repeatable)")
      ->allow_extra_args(false)
      ->check(CLI::ExistingPath);
  scan.add_option("--policy", a.policy_text,
                  "Policy preset NAME (rules/policy/NAME.yaml: default, nl-2018, bsi-2022, ...) or policy FILE "
                  "(default: default)");
  scan.add_option("--flag-country", a.flag_countries,
                  "Also flag vendors of these countries, added to the policy (ISO codes, e.g. CN)")
      ->delimiter(',')
      ->allow_extra_args(false);
  scan.add_option("--flag-vendor", a.flag_vendors, "Also flag these vendor ids, added to the policy (e.g. kaspersky)")
      ->delimiter(',')
      ->allow_extra_args(false);
  scan.add_option("--only-flag-country", a.only_flag_countries,
                  "Flag only vendors of these countries (and --flag-vendor ids): replaces the policy")
      ->delimiter(',')
      ->allow_extra_args(false);
  scan.add_option("--only-flag-vendor", a.only_flag_vendors,
                  "Flag only these vendor ids (and --flag-country countries): replaces the policy")
      ->delimiter(',')
      ->allow_extra_args(false);
  scan.add_flag("--all-privileges", a.opt.context.all_privileges,
                "Report user-mode software too, not only kernel and boot");
  scan.add_option("--fail-on", a.fail_on_text, "Lowest finding severity that exits 1: none|low|medium|high|critical")
      ->capture_default_str();
  scan.add_option("--verify-time", a.verify_time,
                  "Verify signatures as of this time (YYYY-MM-DD[THH:MM:SS] UTC) instead of now");
}

/// Issue 8: SIEM outputs and baselines (docs/siem.md), the cache (docs/cache.md), the progress line.
void add_output_options(CLI::App& scan, ScanArgs& a) {
  scan.add_option("--baseline", a.baseline_file,
                  "Report only records new, changed or gone since this earlier --format json report")
      ->check(CLI::ExistingFile);
  scan.add_option("--syslog", a.syslog_text,
                  "Also send findings and a summary as RFC 5424 syslog to unix[:PATH] (default /dev/log), "
                  "udp://HOST[:PORT] or tcp://HOST[:PORT] (port 514)");
  scan.add_option("--syslog-facility", a.syslog_facility, "Syslog facility: user, daemon, local0..local7, ... or 0-23")
      ->capture_default_str();
  scan.add_flag("--syslog-all", a.syslog_all, "Send every event (all records, skips, errors), not only findings");
  scan.add_option("--cache", a.cache_file,
                  "Keep per-file results in this SQLite FILE and reuse them for files unchanged since (docs/cache.md)");
  scan.add_flag("-q,--quiet", a.quiet, "No progress line on standard error (shown only when it is a terminal)");
  // Issue 20: timer deployments (docs/deployment.md).
  scan.add_option("--keep", a.keep,
                  "Keep the newest N reports of each dated -o FILE pattern (%Y...): older ones matching it are deleted")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1000000}));
  scan.add_option("--summary", a.summary_when,
                  "One summary line on standard error (counts, duration, reports): auto (when it is the systemd "
                  "journal), always or never")
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->capture_default_str();
}

/// "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM:SS" (UTC) to Unix seconds.
std::optional<std::int64_t> parse_utc(const std::string& s) {
  std::tm tm{};
  const char* end = ::strptime(s.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (!end || *end) {
    tm = {};
    end = ::strptime(s.c_str(), "%Y-%m-%d", &tm);
  }
  if (!end || *end) return std::nullopt;
  return static_cast<std::int64_t>(::timegm(&tm));
}

/// --partition values: volume numbers, or "all" (which selects every volume: an empty list).
Result<std::vector<unsigned>> parse_partitions(const std::vector<std::string>& partitions) {
  std::vector<unsigned> numbers;
  for (const std::string& p : partitions) {
    if (p == "all") continue;
    char* end = nullptr;
    errno = 0;
    unsigned long n = std::strtoul(p.c_str(), &end, 10);
    if (p.empty() || !end || *end || errno || n > 4096 || p.front() == '-')
      return fail(Errc::Config, "--partition: expected a volume number or 'all', got '" + p + "'");
    numbers.push_back(static_cast<unsigned>(n));
  }
  if (std::ranges::find(partitions, "all") != partitions.end()) numbers.clear();
  return numbers;
}

/// Copies the verification, data set, rule, vendor and policy options into the context options.
void fill_context(const ScanArgs& a, pipeline::ContextOptions& c) {
  c.trust_dirs.assign(a.trust_dirs.begin(), a.trust_dirs.end());
  c.default_trust = !a.no_default_trust;
  c.dataset_dir = a.dataset_dir;
  if (!a.crl_dir.empty()) c.crl_dir = a.crl_dir;
  c.module_key_dirs.assign(a.key_dirs.begin(), a.key_dirs.end());
  c.kernel_keys_from_roots = !a.no_kernel_keys;
  c.kernel_images.assign(a.kernel_files.begin(), a.kernel_files.end());
  c.catalog_dirs.assign(a.catalog_dirs.begin(), a.catalog_dirs.end());
  c.windows_images = !a.no_windows_image;
  c.rule_paths.assign(a.rule_paths.begin(), a.rule_paths.end());
  c.default_rules = !a.no_default_rules;
  c.match_all = a.match_all;
  c.vendor_files.assign(a.vendor_files.begin(), a.vendor_files.end());
  c.flag_countries = a.flag_countries;
  c.flag_countries.insert(c.flag_countries.end(), a.only_flag_countries.begin(), a.only_flag_countries.end());
  c.flag_vendors = a.flag_vendors;
  c.flag_vendors.insert(c.flag_vendors.end(), a.only_flag_vendors.begin(), a.only_flag_vendors.end());
  c.flags_replace_policy = !a.only_flag_countries.empty() || !a.only_flag_vendors.empty();
  c.load_threads = a.opt.threads;
}

}  // namespace

Result<std::filesystem::path> find_policy(const std::string& text, const std::filesystem::path& data_dir,
                                          std::string_view option) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::is_regular_file(text, ec)) return fs::path(text);
  const fs::path presets = data_dir / "rules" / "policy";
  const bool name_only = text.find('/') == std::string::npos && text.front() != '.';
  if (name_only) {
    fs::path preset = presets / text;
    if (preset.extension() != ".yaml") preset += ".yaml";
    if (fs::is_regular_file(preset, ec)) return preset;
  }
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(presets, ec))
    if (entry.path().extension() == ".yaml") names.push_back(entry.path().stem().string());
  std::ranges::sort(names);
  std::string list;
  for (const std::string& n : names) list += (list.empty() ? "" : ", ") + n;
  return fail(Errc::Config, std::string(option) + " '" + text + "': no such file" +
                                (name_only ? ", nor a shipped preset (" + (list.empty() ? "none found" : list) + ")"
                                           : std::string()));
}

namespace {

/// --policy: a file as given, or the name of a shipped preset (find_policy).
Result<std::optional<std::filesystem::path>> resolve_policy(const ScanArgs& a, const std::filesystem::path& data_dir) {
  if (a.policy_text.empty()) return std::nullopt;
  if (!a.only_flag_countries.empty() || !a.only_flag_vendors.empty())
    return fail(Errc::Config,
                "--policy and --only-flag-country/--only-flag-vendor exclude each other: "
                "the --only-flag options replace the policy");
  auto found = find_policy(a.policy_text, data_dir, "--policy");
  if (!found) return std::unexpected(found.error());
  return *found;
}

/// A root that does not exist or cannot be opened is a usage error, not a scan with an error in it.
Result<void> check_roots(const std::vector<std::string>& roots) {
  for (const std::string& root : roots) {
    struct stat st {};
    if (::stat(root.c_str(), &st) != 0)
      return fail(Errc::Config, "cannot scan '" + root + "': " + std::strerror(errno));
    if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode)) continue;  // FIFOs, devices: never opened (reported)
    const int fd = ::open(root.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) return fail(Errc::Config, "cannot scan '" + root + "': cannot open it: " + std::strerror(errno));
    ::close(fd);
  }
  return {};
}

}  // namespace

Result<ScanArgs> parse_scan_options(const std::vector<std::string>& args) {
  CLI::App cli;
  ScanArgs parsed;
  (void)add_scan_command(cli, parsed);
  std::vector<std::string> reversed(args.rbegin(), args.rend());  // CLI11 takes them last first
  reversed.emplace_back("scan");
  try {
    cli.parse(reversed);
  } catch (const CLI::ParseError& e) { return fail(Errc::Config, e.what()); }
  return parsed;
}

bool scan_option_is_list(std::string_view key) {
  CLI::App cli;
  ScanArgs unused;
  const CLI::App* scan = add_scan_command(cli, unused);
  const CLI::Option* option = scan->get_option_no_throw("--" + std::string(key));
  return option != nullptr && option->get_items_expected_max() > 1;
}

CLI::App* add_scan_command(CLI::App& app, ScanArgs& args) {
  auto* scan = app.add_subcommand(
      "scan", "Scan directory trees (a live host's / or a mounted image), disk image files, or files");
  add_walk_options(*scan, args);
  add_verify_options(*scan, args);
  add_policy_options(*scan, args);
  add_output_options(*scan, args);
  add_table_options(*scan, args.table);
  return scan;
}

void add_context_options(CLI::App& cmd, ScanArgs& args) {
  add_verify_options(cmd, args);
  add_policy_options(cmd, args);
}

Result<pipeline::ScanOptions> to_engine_options(const ScanArgs& args, const std::filesystem::path& data_dir) {
  pipeline::ScanOptions opt = args.opt;
  opt.context.data_dir = data_dir;
  fill_context(args, opt.context);
  auto policy_file = resolve_policy(args, data_dir);
  if (!policy_file) return std::unexpected(policy_file.error());
  opt.context.policy_file = *policy_file;
  if (!args.verify_time.empty()) {
    auto t = parse_utc(args.verify_time);
    if (!t)
      return fail(Errc::Config,
                  "--verify-time: expected YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS, got '" + args.verify_time + "'");
    opt.context.verify_time = *t;
  }
  opt.file_timeout = std::chrono::milliseconds(static_cast<std::int64_t>(args.file_timeout * 1000));
  return opt;
}

Result<ScanPlan> to_scan_plan(const ScanArgs& args) {
  std::vector<std::string> roots = args.opt.roots;
  if (roots.empty()) roots = {"/"};
  auto data_dir = find_data_dir();
  if (!data_dir) return std::unexpected(data_dir.error());
  if (auto checked = check_roots(roots); !checked) return std::unexpected(checked.error());
  auto engine = to_engine_options(args, *data_dir);
  if (!engine) return std::unexpected(engine.error());
  ScanPlan plan{std::move(*engine), {}};
  pipeline::ScanOptions& opt = plan.opt;
  opt.roots = std::move(roots);
  auto partitions = parse_partitions(args.partitions);
  if (!partitions) return std::unexpected(partitions.error());
  opt.images.partitions = std::move(*partitions);
  auto fail_on = policy::FailOn::parse(args.fail_on_text);
  if (!fail_on) return std::unexpected(fail_on.error());
  plan.fail_on = *fail_on;
  opt.abandon_hung_threads = true;  // the CLI owns its process (pipeline.hpp, docs/time-budget.md)
  if (!args.cache_file.empty()) opt.cache_file = args.cache_file;
  return plan;
}

}  // namespace trustscan::app
