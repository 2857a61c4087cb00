#pragma once
/// \file
/// Internal to datasets/: what every known-bad importer needs besides its parser.

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "datasets/dataset.hpp"

namespace trustscan::datasets::detail {

/// `relative` (a path under `source`) with the SHA-256 and size of its bytes, for provenance.
[[nodiscard]] Result<SourceFile> source_file(const std::filesystem::path& source,
                                             const std::filesystem::path& relative);

/// The regular files of `dir` whose names end in `extension`, sorted by name; an empty list when
/// the directory does not exist; Errc::Io when it exists but cannot be listed.
[[nodiscard]] Result<std::vector<std::filesystem::path>> files_with_extension(const std::filesystem::path& dir,
                                                                              std::string_view extension);

/// The current time as ISO-8601 UTC ("2026-08-12T10:00:00Z").
[[nodiscard]] std::string utc_now();

/// Every "CVE-YYYY-NNNN..." id in `text`, in order, without repeats.
[[nodiscard]] std::vector<std::string> cve_ids(std::string_view text);

}  // namespace trustscan::datasets::detail
