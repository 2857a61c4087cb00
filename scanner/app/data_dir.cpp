#include "app/data_dir.hpp"

#include <cstdlib>

namespace trustscan::app {

std::filesystem::path find_data_dir() {
  namespace fs = std::filesystem;
  std::error_code ec;
  auto has_data = [&](const fs::path& p) { return fs::is_directory(p / "signatures", ec); };
  if (const char* env = std::getenv("TRUSTSCAN_DATA_DIR"); env && *env) return env;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    fs::path installed = exe.parent_path().parent_path() / "share" / "trustscan";
    if (has_data(installed)) return installed;
  }
  return TRUSTSCAN_SOURCE_DIR;
}

}  // namespace trustscan::app
