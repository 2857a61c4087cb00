#include "datasets/import.hpp"

#include <fcntl.h>
#include <stdio.h>  // renameat2 (glibc, _GNU_SOURCE)
#include <stdlib.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <exception>

#include "datasets/dataset_io.hpp"

namespace trustscan::datasets {

namespace fs = std::filesystem;

namespace {

Result<fs::path> make_staging(const fs::path& data_dir, std::string_view name) {
  std::string tmpl = (data_dir / (".staging-" + std::string(name) + "-XXXXXX")).string();
  if (::mkdtemp(tmpl.data()) == nullptr)
    return fail(Errc::Io, "cannot create a staging directory in " + data_dir.string() + ": " + std::strerror(errno));
  return fs::path(tmpl);
}

void sync_directory(const fs::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  (void)::fsync(fd);
  ::close(fd);
}

/// One importer, start to end; the staging directory never outlives the call.
ImportOutcome run_importer(const ImporterEntry& entry, const fs::path& source, const fs::path& data_dir,
                           const std::string& source_label) {
  ImportOutcome outcome{std::string(entry.name), ImportState::Failed, std::nullopt, {}};
  auto staging = make_staging(data_dir, entry.name);
  if (!staging) {
    outcome.message = staging.error().message;
    return outcome;
  }
  auto remove_staging = [&] {
    std::error_code ec;
    fs::remove_all(*staging, ec);
  };
  Result<std::optional<DatasetInfo>> imported = fail(Errc::Internal, "importer did not run");
  try {  // an importer's bug must not leave a staging directory behind or end the command
    imported = entry.run(source, *staging);
  } catch (const std::exception& e) {
    imported = fail(Errc::Internal, std::string(entry.name) + ": " + e.what());
  }
  if (!imported || !*imported) {
    remove_staging();
    outcome.state = imported ? ImportState::Absent : ImportState::Failed;
    if (!imported) outcome.message = imported.error().message;
    return outcome;
  }
  DatasetInfo info = std::move(**imported);
  info.name = std::string(entry.name);
  info.source = source_label;
  info.imported_at = iso8601(now_unix());
  auto installed = write_provenance(*staging, info);
  if (installed) installed = install_directory(*staging, data_dir / entry.name);
  if (!installed) {
    remove_staging();
    outcome.message = installed.error().message;
    return outcome;
  }
  outcome.state = ImportState::Imported;
  outcome.info = std::move(info);
  return outcome;
}

}  // namespace

Result<void> install_directory(const fs::path& staging, const fs::path& target) {
  sync_directory(staging);
  std::error_code ec;
  if (!fs::exists(target, ec)) {
    if (::rename(staging.c_str(), target.c_str()) != 0)
      return fail(Errc::Io, "cannot rename " + staging.string() + " to " + target.string() + ": " + std::strerror(errno));
  } else if (::renameat2(AT_FDCWD, staging.c_str(), AT_FDCWD, target.c_str(), RENAME_EXCHANGE) == 0) {
    fs::remove_all(staging, ec);  // now the previous data set
  } else {
    // A file system without RENAME_EXCHANGE: move the old one aside first (a short window in
    // which the data set is absent, never mixed).
    const fs::path old = staging.string() + ".old";
    if (::rename(target.c_str(), old.c_str()) != 0 || ::rename(staging.c_str(), target.c_str()) != 0)
      return fail(Errc::Io, "cannot replace " + target.string() + ": " + std::strerror(errno));
    fs::remove_all(old, ec);
  }
  sync_directory(target.parent_path());
  return {};
}

Result<std::vector<ImportOutcome>> import_datasets(const fs::path& source, const fs::path& data_dir,
                                                   const std::string& source_label,
                                                   std::span<const ImporterEntry> which) {
  std::error_code ec;
  if (!fs::is_directory(source, ec)) return fail(Errc::Config, source.string() + ": not a directory");
  fs::create_directories(data_dir, ec);
  if (ec || !fs::is_directory(data_dir, ec))
    return fail(Errc::Io, "cannot create the data directory " + data_dir.string() + (ec ? ": " + ec.message() : ""));
  std::vector<ImportOutcome> outcomes;
  for (const ImporterEntry& entry : which) outcomes.push_back(run_importer(entry, source, data_dir, source_label));
  return outcomes;
}

}  // namespace trustscan::datasets
