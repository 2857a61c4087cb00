#include "app/cli.hpp"

#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <iterator>
#include <chrono>
#include <csignal>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include <CLI/CLI.hpp>

#include <cstdio>
#include <ctime>
#include <optional>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <ostream>
#include <sstream>

#include "app/data_command.hpp"
#include "app/data_dir.hpp"
#include "app/progress.hpp"
#include "app/exit_codes.hpp"
#include "report/baseline.hpp"
#include "report/formats.hpp"
#include "report/report.hpp"
#include "report/syslog_sink.hpp"

namespace trustscan::app {
namespace {

std::string hostname() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0) return "unknown";
  return buf;
}

void emit(const pipeline::ScanResult& result, report::OutputFormat format, const report::RunInfo& run,
          std::ostream& out) {
  format.write(result, run, out);
}

/// Writes the report to `path` via a temporary file in the same directory and a rename, so a
/// full disk or an interrupted write never leaves a truncated report under the final name.
bool write_file(const std::string& path, const pipeline::ScanResult& result, report::OutputFormat format,
                const report::RunInfo& run, std::ostream& err) {
  // A device or a FIFO (-o /dev/null, -o /dev/stdout, a named pipe) is written to in place: the
  // rename below would replace the node itself by a regular file (as root, /dev/null for the
  // whole machine).
  if (struct stat st {}; ::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
    std::ofstream f(path, std::ios::binary);
    if (!f) {
      err << "trustscan: cannot write " << path << ": " << std::strerror(errno) << '\n';
      return false;
    }
    emit(result, format, run, f);
    f.flush();
    if (!f) {
      err << "trustscan: writing " << path << " failed\n";
      return false;
    }
    return true;
  }
  // A fresh temporary beside the target (O_EXCL: never through a planted symlink).
  std::string tmp = path + ".partial-XXXXXX";
  int fd = ::mkstemp(tmp.data());
  if (fd < 0) {
    err << "trustscan: cannot write " << path << ": cannot create a temporary file beside it: "
        << std::strerror(errno) << '\n';
    return false;
  }
  ::fchmod(fd, 0644);
  ::close(fd);
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    if (!f) {
      err << "trustscan: cannot write " << path << ": cannot open " << tmp << '\n';
      std::remove(tmp.c_str());
      return false;
    }
    emit(result, format, run, f);
    f.flush();
    if (!f) {
      err << "trustscan: writing " << path << " failed (disk full?)\n";
      std::remove(tmp.c_str());
      return false;
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    err << "trustscan: cannot rename " << tmp << " to " << path << ": " << ec.message() << '\n';
    std::remove(tmp.c_str());
    return false;
  }
  return true;
}

/// SIGINT/SIGTERM: stop the scan and still write a complete report marked incomplete. The handler
/// only stores the signal number; a second signal acts as the default (SA_RESETHAND) and kills.
std::atomic<int> g_stop_signal{0};
static_assert(std::atomic<int>::is_always_lock_free);

extern "C" void on_stop_signal(int signo) { g_stop_signal.store(signo); }

void install_stop_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESETHAND | SA_RESTART;
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);
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

/// True when `inner` lies below the directory `outer` (both as they resolve now).
bool lies_below(const std::filesystem::path& inner, const std::string& outer) {
  std::error_code ec;
  if (!std::filesystem::is_directory(outer, ec)) return false;
  const auto dir = std::filesystem::weakly_canonical(outer, ec);
  if (ec) return false;
  const auto file = std::filesystem::weakly_canonical(std::filesystem::absolute(inner, ec), ec);
  if (ec) return false;
  auto [d, f] = std::mismatch(dir.begin(), dir.end(), file.begin(), file.end());
  return d == dir.end() || (std::next(d) == dir.end() && d->empty());  // "/" and "a/" end in an empty element
}

}  // namespace

int run(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
  // The build fills the man page and the shell completions from this list (cmake/format_docs.cmake).
  if (argc == 2 && std::string_view(argv[1]) == "__formats") {
    report::print_output_formats(out);
    return static_cast<int>(ExitCode::Clean);
  }
  CLI::App app{"trustscan - find kernel-privileged software and who made it, on live hosts and offline images"};
  app.set_version_flag("--version", std::string("trustscan ") + TRUSTSCAN_VERSION);
  app.require_subcommand(1);
  pipeline::ScanOptions opt;
  std::string format_name(report::output_formats().front().name);
  std::string output;
  auto* scan = app.add_subcommand("scan", "Scan directory trees (a live host's / or a mounted image), disk image files, or files");
  scan->add_option("ROOT", opt.roots, "Directories, disk image files or files to scan (default: /)");
  scan->add_option("-f,--format", format_name, "Output format: " + report::output_formats_help())
      ->check(CLI::IsMember(report::output_format_names()))
      ->capture_default_str();
  scan->add_option("-o,--output", output, "Write the report to FILE instead of standard output");
  // One GLOB per -e, so "-e '*.dll' /mnt/img" keeps /mnt/img as a root.
  scan->add_option("-e,--exclude", opt.excludes, "Skip paths or names matching GLOB (repeatable)")
      ->allow_extra_args(false);
  scan->add_option("--max-file-size", opt.limits.max_file_size, "Skip (and report) files larger than this (e.g. 512MB)")
      ->transform(CLI::AsSizeValue(false))
      ->capture_default_str();
  scan->add_option("--max-parse-size", opt.limits.max_parse_size,
                   "Binaries above this are hashed but not parsed (LIEF needs 2-4x their size in memory)")
      ->transform(CLI::AsSizeValue(false))
      ->capture_default_str();
  scan->add_option("-j,--threads", opt.threads, "Worker threads (default: all cores)")->check(CLI::Range(0u, 1024u));
  double file_timeout = 120;
  scan->add_option("--file-timeout", file_timeout,
                   "Give up on a file whose analysis takes longer than SECONDS (reported as an error; 0 = never)")
      ->check(CLI::Range(0.0, 86400.0))
      ->capture_default_str();
  std::uint64_t max_memory = 0;
  scan->add_option("--max-memory", max_memory,
                   "Cap the address space (e.g. 4GB): an allocation beyond it fails that file only (0 = no cap)")
      ->transform(CLI::AsSizeValue(false));
  scan->add_flag("-x,--one-file-system", opt.one_file_system, "Do not descend into other mounted file systems");
  std::vector<std::string> trust_dirs, key_dirs;
  std::string crl_dir, verify_time;
  bool no_default_trust = false, no_kernel_keys = false;
  scan->add_option("--trust-store", trust_dirs, "Also trust the certificates (PEM/DER) in DIR (repeatable)")
      ->allow_extra_args(false)->check(CLI::ExistingDirectory);
  scan->add_flag("--no-default-trust", no_default_trust,
                 "Trust only --trust-store anchors, not the shipped ones nor an imported root program");
  std::string dataset_dir = opt.context.dataset_dir.string();
  scan->add_option("--data-dir", dataset_dir, "Imported data sets (trustscan data import; docs/datasets.md)")
      ->capture_default_str();
  scan->add_option("--crl-dir", crl_dir, "Offline CRLs to check revocation against (no network is ever used)")
      ->check(CLI::ExistingDirectory);
  scan->add_option("--module-keys", key_dirs, "Linux module-signing certificates (PEM/DER) in DIR (repeatable)")
      ->allow_extra_args(false)->check(CLI::ExistingDirectory);
  scan->add_flag("--no-kernel-keys", no_kernel_keys, "Do not read module-signing keys from ROOT/boot/vmlinuz-*");
  scan->add_flag("--strict-padding", opt.context.strict_padding,
                 "Data hidden inside a signature's WIN_CERTIFICATE makes it invalid (as EnableCertPaddingCheck)");
  std::vector<std::string> catalog_dirs;
  bool no_windows_image = false;
  scan->add_option("--catalog-dir", catalog_dirs, "Also index the Windows catalogs (.cat) below DIR (repeatable)")
      ->allow_extra_args(false)->check(CLI::ExistingDirectory);
  scan->add_flag("--no-windows-image", no_windows_image,
                 "Do not detect Windows images under the roots (no registry, no CatRoot)");
  // Issue 10: disk image files (docs/disk-images.md).
  std::vector<std::string> partitions;
  scan->add_flag("--image", opt.images.force,
                 "Open every file ROOT as a disk image (raw, E01, VMDK, VHD); without it, detected");
  scan->add_option("--partition", partitions,
                   "Scan only volume N of the images (repeatable; 0 = no partition table; default: all)")
      ->delimiter(',')->allow_extra_args(false);
  scan->add_flag("--include-deleted", opt.images.include_deleted,
                 "Also scan deleted files of the images that can still be read back (marked deleted)");
  scan->add_flag("--hash-image", opt.images.hash, "Report the SHA-256 of every image file (reads it whole)");
  std::vector<std::string> rule_paths, vendor_files, flag_countries, flag_vendors;
  std::string policy_file, fail_on_text = "low";
  bool no_default_rules = false, match_all = false;
  scan->add_option("--rules", rule_paths, "Also compile the YARA rules in FILE or DIR (repeatable)")
      ->allow_extra_args(false)->check(CLI::ExistingPath);
  scan->add_flag("--no-default-rules", no_default_rules, "Use only --rules, not the shipped rules/index.yar");
  scan->add_flag("--match-all", match_all,
                 "Match the rules against every binary, also the kernel's own in-tree modules (skipped by default)");
  scan->add_option("--vendors", vendor_files, "Also load the vendor list FILE or DIR (repeatable)")
      ->allow_extra_args(false)->check(CLI::ExistingPath);
  scan->add_option("--policy", policy_file, "Policy file (default: the shipped rules/policy/default.yaml)")
      ->check(CLI::ExistingFile);
  scan->add_option("--flag-country", flag_countries, "Flag vendors of these countries (ISO codes, e.g. RU,BY)")
      ->delimiter(',')->allow_extra_args(false);
  scan->add_option("--flag-vendor", flag_vendors, "Flag these vendor ids (e.g. kaspersky)")
      ->delimiter(',')->allow_extra_args(false);
  scan->add_flag("--all-privileges", opt.context.all_privileges, "Report user-mode software too, not only kernel and boot");
  scan->add_option("--fail-on", fail_on_text, "Lowest finding severity that exits 1: none|low|medium|high|critical")
      ->capture_default_str();
  scan->add_option("--verify-time", verify_time, "Verify signatures as of this time (YYYY-MM-DD[THH:MM:SS] UTC) instead of now");
  // Issue 8: SIEM outputs and baselines (docs/siem.md).
  std::string baseline_file, syslog_text, syslog_facility = "user";
  bool syslog_all = false;
  scan->add_option("--baseline", baseline_file,
                   "Report only records new, changed or gone since this earlier --format json report")
      ->check(CLI::ExistingFile);
  scan->add_option("--syslog", syslog_text,
                   "Also send findings and a summary as RFC 5424 syslog to unix[:PATH] (default /dev/log), "
                   "udp://HOST[:PORT] or tcp://HOST[:PORT] (port 514)");
  scan->add_option("--syslog-facility", syslog_facility, "Syslog facility: user, daemon, local0..local7, ... or 0-23")
      ->capture_default_str();
  scan->add_flag("--syslog-all", syslog_all, "Send every event (all records, skips, errors), not only findings");
  // Issue 8: incremental re-scans and progress.
  std::string cache_file;
  bool quiet = false;
  scan->add_option("--cache", cache_file,
                   "Keep per-file results in this SQLite FILE and reuse them for files unchanged since (docs/cache.md)");
  scan->add_flag("-q,--quiet", quiet, "No progress line on standard error (shown only when it is a terminal)");
  DataCommand data_cmd;  // issue 16: trustscan data import|status|update (app/data_command.cpp)
  add_data_command(app, data_cmd);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    out << app.help();
    return static_cast<int>(ExitCode::Clean);
  } catch (const CLI::CallForVersion& e) {
    out << e.what() << '\n';
    return static_cast<int>(ExitCode::Clean);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) {  // --help on a subcommand: the deepest one given
      const CLI::App* shown = &app;
      while (!shown->get_subcommands().empty()) shown = shown->get_subcommands().front();
      out << shown->help();
      return static_cast<int>(ExitCode::Clean);
    }
    err << "trustscan: " << e.what() << "\nRun 'trustscan scan --help' for the options.\n";
    return static_cast<int>(ExitCode::Usage);
  }
  if (data_cmd.data->parsed()) return run_data_command(data_cmd, out, err);
  if (opt.roots.empty()) opt.roots = {"/"};
  auto data_dir = find_data_dir();
  if (!data_dir) {
    err << "trustscan: " << data_dir.error().message << '\n';
    return static_cast<int>(ExitCode::Usage);
  }
  opt.context.data_dir = *data_dir;
  opt.context.trust_dirs.assign(trust_dirs.begin(), trust_dirs.end());
  opt.context.default_trust = !no_default_trust;
  opt.context.dataset_dir = dataset_dir;
  if (!crl_dir.empty()) opt.context.crl_dir = crl_dir;
  opt.context.module_key_dirs.assign(key_dirs.begin(), key_dirs.end());
  opt.context.kernel_keys_from_roots = !no_kernel_keys;
  opt.context.catalog_dirs.assign(catalog_dirs.begin(), catalog_dirs.end());
  opt.context.windows_images = !no_windows_image;
  opt.context.rule_paths.assign(rule_paths.begin(), rule_paths.end());
  opt.context.default_rules = !no_default_rules;
  opt.context.match_all = match_all;
  opt.context.vendor_files.assign(vendor_files.begin(), vendor_files.end());
  if (!policy_file.empty()) opt.context.policy_file = policy_file;
  opt.context.flag_countries = flag_countries;
  opt.context.flag_vendors = flag_vendors;
  for (const std::string& p : partitions) {
    if (p == "all") continue;
    char* end = nullptr;
    errno = 0;
    unsigned long n = std::strtoul(p.c_str(), &end, 10);
    if (p.empty() || !end || *end || errno || n > 4096 || p.front() == '-') {
      err << "trustscan: --partition: expected a volume number or 'all', got '" << p << "'\n";
      return static_cast<int>(ExitCode::Usage);
    }
    opt.images.partitions.push_back(static_cast<unsigned>(n));
  }
  if (std::ranges::find(partitions, "all") != partitions.end()) opt.images.partitions.clear();
  auto fail_on = policy::FailOn::parse(fail_on_text);
  if (!fail_on) {
    err << "trustscan: " << fail_on.error().message << '\n';
    return static_cast<int>(ExitCode::Usage);
  }
  if (!verify_time.empty()) {
    auto t = parse_utc(verify_time);
    if (!t) {
      err << "trustscan: --verify-time: expected YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS, got '" << verify_time << "'\n";
      return static_cast<int>(ExitCode::Usage);
    }
    opt.context.verify_time = *t;
  }
  opt.file_timeout = std::chrono::milliseconds(static_cast<std::int64_t>(file_timeout * 1000));
  if (max_memory != 0) {
    // RLIMIT_AS makes an oversized allocation fail (std::bad_alloc, caught per file) instead of
    // inviting the OOM killer. Address space, not RSS: leave room for thread stacks and mappings.
    struct rlimit lim {static_cast<rlim_t>(max_memory), static_cast<rlim_t>(max_memory)};
    if (::setrlimit(RLIMIT_AS, &lim) != 0) {
      err << "trustscan: --max-memory: " << std::strerror(errno) << '\n';
      return static_cast<int>(ExitCode::Usage);
    }
  }
  if (!cache_file.empty()) {
    opt.cache_file = cache_file;
    for (const std::string& root : opt.roots)
      if (lies_below(cache_file, root))
        err << "trustscan: warning: the --cache file " << cache_file << " is inside the scanned tree " << root
            << ": it is written there (and not scanned itself)\n";
  }
  opt.stop = &g_stop_signal;
  install_stop_handlers();
  const report::OutputFormat format = *report::find_output_format(format_name);  // IsMember checked it
  // Issue 8: a bad baseline or syslog target fails before the scan (exit 2).
  std::optional<report::Baseline> baseline;
  if (!baseline_file.empty() && !format.baseline) {
    err << "trustscan: --format " << format_name << " has no baseline mode\n";
    return static_cast<int>(ExitCode::Usage);
  }
  if (!baseline_file.empty()) {
    auto loaded = report::Baseline::load(baseline_file);
    if (!loaded) {
      err << "trustscan: " << loaded.error().message << '\n';
      return static_cast<int>(ExitCode::Usage);
    }
    baseline = std::move(*loaded);
  }
  std::optional<report::SyslogOptions> syslog;
  if (syslog_text.empty() && (syslog_all || scan->count("--syslog-facility"))) {
    err << "trustscan: --syslog-all and --syslog-facility need --syslog TARGET\n";
    return static_cast<int>(ExitCode::Usage);
  }
  if (!syslog_text.empty()) {
    auto target = report::parse_syslog_target(syslog_text);
    auto facility = report::parse_syslog_facility(syslog_facility);
    if (!target || !facility) {
      err << "trustscan: " << (!target ? target.error().message : facility.error().message) << '\n';
      return static_cast<int>(ExitCode::Usage);
    }
    syslog = report::SyslogOptions{*target, *facility, syslog_all};
  }
  // The progress line: only on a terminal (the stream must be the process's standard error).
  std::optional<ProgressLine> progress;
  if (!quiet && err.rdbuf() == std::cerr.rdbuf() && ::isatty(STDERR_FILENO)) {
    progress.emplace(err, ProgressLine::terminal_width(STDERR_FILENO));
    opt.progress = [&progress](const pipeline::ScanProgress& p) { progress->update(p); };
  }
  Result<pipeline::ScanResult> scanned = fail(Errc::Internal, "no scan");
  try {
    scanned = pipeline::scan(opt);
  } catch (const std::bad_alloc&) {  // outside any file's boundary: loading rules, anchors, keys
    progress.reset();
    err << "trustscan: out of memory before or after the per-file stages"
        << (max_memory ? " (--max-memory is too low for this scan)" : "") << '\n';
    return static_cast<int>(ExitCode::Usage);
  }
  progress.reset();  // erases the line before anything else is written
  if (scanned)
    for (const std::string& note : scanned->cache_notes) err << "trustscan: " << note << '\n';
  if (!scanned) {
    err << "trustscan: " << scanned.error().message << '\n';
    return static_cast<int>(ExitCode::Usage);
  }
  const pipeline::ScanResult& result = *scanned;
  std::optional<report::BaselineDiff> diff;
  if (baseline) diff = report::BaselineDiff::compare(*baseline, result);
  report::RunInfo run{TRUSTSCAN_VERSION, hostname(), diff ? &*diff : nullptr};
  if (!output.empty()) {
    if (!write_file(output, result, format, run, err)) return static_cast<int>(ExitCode::Usage);
  } else {
    emit(result, format, run, out);
    out.flush();
    if (!out) {
      err << "trustscan: writing the report to standard output failed\n";
      return static_cast<int>(ExitCode::Usage);
    }
  }
  if (syslog) {  // after the report: it is written even when the receiver is not there
    auto sent = report::send_syslog(result, run, *syslog);
    if (!sent) {
      err << "trustscan: " << sent.error().message << '\n';
      return static_cast<int>(ExitCode::Usage);
    }
  }
  return exit_code_for(result, *fail_on, run.baseline);
}

}  // namespace trustscan::app
