#include "app/explain_command.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <ostream>
#include <string_view>

#include <CLI/CLI.hpp>

#include "app/exit_codes.hpp"
#include "core/ascii.hpp"
#include "report/explain.hpp"

namespace trustscan::app {
namespace {

int usage(std::ostream& err, const std::string& message) {
  err << "trustscan explain: " << message << '\n';
  return static_cast<int>(ExitCode::Usage);
}

/// A Linux kernel module read on its own has no kernel image beside it, which is where a scan of
/// its root takes the module-signing keys from. When FILE lies in ROOT/[usr/]lib/modules/VER/
/// and ROOT/boot/vmlinuz-VER exists, that image is the one a scan of ROOT would read: explain
/// takes its keys too (as --kernel would), so it says what that scan says.
std::optional<std::filesystem::path> kernel_of_module(const std::filesystem::path& file) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path abs = fs::absolute(file, ec).lexically_normal();
  if (ec) return std::nullopt;
  std::vector<fs::path> parts(abs.begin(), abs.end());
  for (std::size_t i = 1; i + 2 < parts.size(); ++i) {
    if (parts[i] != "lib" || parts[i + 1] != "modules") continue;
    fs::path root;
    const std::size_t root_end = i > 1 && parts[i - 1] == "usr" ? i - 1 : i;
    for (std::size_t k = 0; k < root_end; ++k) root /= parts[k];
    const fs::path image = root / "boot" / ("vmlinuz-" + parts[i + 2].string());
    if (fs::is_regular_file(image, ec)) return image;
  }
  return std::nullopt;
}

/// The child of `dir` named `name` in any case (NTFS names keep Windows' case), or "" when none.
std::string child_named(const std::filesystem::path& dir, std::string_view name) {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec))
    if (iequals_ascii(entry.path().filename().string(), name)) return entry.path().filename().string();
  return {};
}

/// A Windows driver read on its own has no Windows image around it, from which a scan of the
/// image takes its catalogs and registry. When FILE lies in BASE/Windows/System32 (any case),
/// BASE is that installation: explain indexes its CatRoot (as --catalog-dir would), so catalog
/// signatures and kernel_load are decided as that scan decides them. Returns BASE ("" if none).
std::filesystem::path windows_installation(const std::filesystem::path& file, ScanArgs& args) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path abs = fs::absolute(file, ec).lexically_normal();
  if (ec) return {};
  std::vector<fs::path> parts(abs.begin(), abs.end());
  for (std::size_t i = 1; i + 2 < parts.size(); ++i) {
    if (!iequals_ascii(parts[i].string(), "windows") || !iequals_ascii(parts[i + 1].string(), "system32")) continue;
    fs::path base;
    for (std::size_t k = 0; k < i; ++k) base /= parts[k];
    const fs::path system32 = base / parts[i] / parts[i + 1];
    if (const std::string catroot = child_named(system32, "catroot"); !catroot.empty())
      args.catalog_dirs.push_back((system32 / catroot).string());
    return base;
  }
  return {};
}

/// Why a file that is not among the records was not explained, and the exit code.
int not_explained(const pipeline::ScanResult& result, const std::string& file, bool json, std::ostream& out,
                  std::ostream& err) {
  for (const auto& e : result.errors) {
    err << "trustscan explain: " << file << ": could not be read: " << e.error.message << '\n';
    return static_cast<int>(ExitCode::FileErrors);
  }
  std::string why = "not a binary trustscan analyses (no PE, ELF or Mach-O header): nothing to explain";
  for (const auto& s : result.skipped)
    why = "skipped by the scan (" + std::string(discover::to_string(s.reason)) + (s.detail.empty() ? "" : ": ") +
          s.detail + ")";
  if (!result.images.empty() || !result.records.empty())
    why = "a disk image holding " + std::to_string(result.records.size()) + " binaries: run 'trustscan scan " + file +
          "' (explain takes one binary)";
  (json ? err : out) << (json ? "trustscan explain: " : "") << file << ": " << why << '\n';
  return static_cast<int>(ExitCode::Clean);
}

}  // namespace

void add_explain_command(CLI::App& app, ExplainCommand& cmd) {
  cmd.app = app.add_subcommand("explain",
                               "Show every stage's evidence for one file: identify, parse, hashes, signatures, "
                               "rules, attribution, country, policy verdict, known-bad matches");
  cmd.app->add_option("FILE", cmd.file, "The file to explain")->required();
  cmd.app
      ->add_option("-f,--format", cmd.format, "text (for people) or json (the file's record as the JSON report has it)")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  add_context_options(*cmd.app, cmd.args);
  // The disk-image options and --fail-on belong to scanning trees and images, not to one file.
  for (const char* name : {"--image", "--partition", "--include-deleted", "--hash-image", "--fail-on"})
    cmd.app->remove_option(cmd.app->get_option(name));
}

int run_explain(ExplainCommand& cmd, std::ostream& out, std::ostream& err) {
  struct stat st {};
  if (::stat(cmd.file.c_str(), &st) != 0) return usage(err, cmd.file + ": " + std::strerror(errno));
  if (S_ISDIR(st.st_mode))
    return usage(err, cmd.file + " is a directory: explain takes one file (trustscan scan DIR scans a tree)");
  if (!S_ISREG(st.st_mode)) return usage(err, cmd.file + " is not a regular file");
  ScanArgs& args = cmd.args;
  args.opt.roots = {cmd.file};
  args.opt.threads = 1;
  args.quiet = true;
  if (!args.no_kernel_keys && args.kernel_files.empty() && args.key_dirs.empty())
    if (auto image = kernel_of_module(cmd.file)) args.kernel_files.push_back(image->string());
  const std::filesystem::path windows = args.no_windows_image ? std::filesystem::path()
                                                              : windows_installation(cmd.file, args);
  auto plan = to_scan_plan(args);
  if (!plan) return usage(err, plan.error().message);
  auto scanned = pipeline::scan(plan->opt);
  if (!scanned) return usage(err, scanned.error().message);
  const pipeline::ScanResult& result = *scanned;
  const bool json = cmd.format == "json";
  if (result.records.size() != 1 || !result.images.empty()) return not_explained(result, cmd.file, json, out, err);
  const record::FileRecord& record = result.records.front();
  if (json) {
    report::write_explain_json(record, out);
  } else {
    report::write_explain(result, record, out);
    if (!windows.empty())
      out << "  note: the file lies in the Windows installation " << windows.string()
          << ": its CatRoot catalogs were indexed, but its registry (driver services, start types: the boot-start "
             "severity) is read only by 'trustscan scan "
          << windows.string() << "'\n";
  }
  return static_cast<int>(ExitCode::Clean);
}

}  // namespace trustscan::app
