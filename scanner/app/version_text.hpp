#pragma once
/// \file
/// `trustscan --version`: the program, the libraries it runs with, and the data it would use.

#include <filesystem>
#include <string>

namespace trustscan::app {

/// What `--version` prints: "trustscan X.Y.Z", one line per library (as loaded at run time where
/// the library can say), the shipped data directory and the data sets imported into
/// `imported_dir` (their publisher versions and import dates, or that none were imported).
[[nodiscard]] std::string version_text(const std::filesystem::path& imported_dir);

}  // namespace trustscan::app
