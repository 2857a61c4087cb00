#pragma once
/// \file
/// Finds trustscan's shipped data (signatures/, rules/): $TRUSTSCAN_DATA_DIR, then the install
/// prefix (<exe>/../share/trustscan), then the source tree the binary was built from.

#include <filesystem>

namespace trustscan::app {

[[nodiscard]] std::filesystem::path find_data_dir();

}  // namespace trustscan::app
