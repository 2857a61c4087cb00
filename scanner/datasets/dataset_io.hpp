#pragma once
/// \file
/// Files of the data directory: provenance.json of each data set (DatasetInfo) written and read
/// back, and the small file and time helpers every importer and loader shares.
///
/// Layout (docs/datasets.md):
///
///     DATA_DIR/                      --data-dir, default /var/lib/trustscan/data
///       <name>/provenance.json       DatasetInfo of the import that wrote <name>/
///       <name>/...                   the data set's runtime files
///       .staging-<name>-XXXXXX/      an import in progress (removed when it ends)

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "datasets/dataset.hpp"

namespace trustscan::datasets {

/// Where imported data sets live unless --data-dir says otherwise.
inline constexpr std::string_view kDefaultDataDir = "/var/lib/trustscan/data";
/// The provenance file inside each data set directory.
inline constexpr std::string_view kProvenanceFile = "provenance.json";
/// An input file larger than this is refused (the largest public source, cacert.pem, is ~1 MiB).
inline constexpr std::uintmax_t kMaxSourceFileSize = 64ull << 20;

/// The bytes of `path`. Errors (Errc::Io / Errc::TooLarge) name `shown` (the path as reports
/// give it, e.g. relative to the source directory).
[[nodiscard]] Result<std::string> read_file(const std::filesystem::path& path, std::string_view shown,
                                            std::uintmax_t max_size = kMaxSourceFileSize);
/// Writes `bytes` to a new file `path` (fails if it exists).
[[nodiscard]] Result<void> write_new_file(const std::filesystem::path& path, std::string_view bytes);

/// The provenance record of a source file read from the source directory.
[[nodiscard]] SourceFile source_file(std::string relative_path, std::string_view bytes);

/// "YYYY-MM-DDTHH:MM:SSZ" for Unix seconds.
[[nodiscard]] std::string iso8601(std::int64_t unix_seconds);
/// Unix seconds of "YYYY-MM-DDTHH:MM:SSZ" (exactly that form); nullopt otherwise.
[[nodiscard]] std::optional<std::int64_t> parse_iso8601(std::string_view text);
/// Now, in Unix seconds.
[[nodiscard]] std::int64_t now_unix();

/// Writes `info` as DIR/provenance.json.
[[nodiscard]] Result<void> write_provenance(const std::filesystem::path& dir, const DatasetInfo& info);
/// Reads DIR/provenance.json; errors name the file.
[[nodiscard]] Result<DatasetInfo> read_provenance(const std::filesystem::path& dir);
/// The provenance of every data set in `data_dir`, by name. A data directory that does not
/// exist holds none (not an error); a data set whose provenance cannot be read is an error
/// naming its file.
[[nodiscard]] Result<std::vector<DatasetInfo>> load_provenance(const std::filesystem::path& data_dir);

}  // namespace trustscan::datasets
