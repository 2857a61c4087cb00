#pragma once
/// \file
/// Finds trustscan's shipped data (signatures/, rules/). Lookup order (docs/deployment.md):
///  1. $TRUSTSCAN_DATA_DIR, when set and non-empty (an error if it holds no data);
///  2. <directory of the executable>/../share/trustscan — an installed tree, wherever it was put
///     (a .deb in /usr, `cmake --install --prefix /opt/x`, an unpacked archive);
///  3. the source tree, when the executable is the one in the build tree it was built in;
///  4. the install prefix compiled in (<CMAKE_INSTALL_PREFIX>/share/trustscan);
///  5. the source tree the binary was built from, if it still exists.
/// A directory counts only when it has both signatures/ and rules/.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"

namespace trustscan::app {

/// Everything the lookup depends on, so that it can be tested without moving binaries around.
struct DataDirInputs {
  std::optional<std::string> env;          ///< $TRUSTSCAN_DATA_DIR (nullopt or empty: unset)
  std::filesystem::path executable;        ///< the running binary (/proc/self/exe); empty if unknown
  std::filesystem::path build_dir;         ///< directory the binary was built in
  std::filesystem::path source_dir;        ///< source tree it was built from
  std::filesystem::path install_data_dir;  ///< compile-time <prefix>/share/trustscan
};

/// True when `dir` holds trustscan's data (signatures/ and rules/ directories).
[[nodiscard]] bool has_data(const std::filesystem::path& dir);

/// Applies the lookup order above; the error names every place that was tried.
[[nodiscard]] Result<std::filesystem::path> resolve_data_dir(const DataDirInputs& in);

/// The inputs of this process: environment, /proc/self/exe and the compiled-in paths.
[[nodiscard]] DataDirInputs current_data_dir_inputs();

/// resolve_data_dir(current_data_dir_inputs()).
[[nodiscard]] Result<std::filesystem::path> find_data_dir();

}  // namespace trustscan::app
