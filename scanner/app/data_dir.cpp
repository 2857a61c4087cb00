#include "app/data_dir.hpp"

#include <algorithm>
#include <cstdlib>

namespace trustscan::app {
namespace fs = std::filesystem;

bool has_data(const fs::path& dir) {
  std::error_code ec;
  return fs::is_directory(dir / "signatures", ec) && fs::is_directory(dir / "rules", ec);
}

namespace {

/// Same directory, even when reached through different spellings or symlinks.
bool same_dir(const fs::path& a, const fs::path& b) {
  if (a.empty() || b.empty()) return false;
  std::error_code ec;
  bool same = fs::equivalent(a, b, ec);
  return !ec && same;
}

}  // namespace

Result<fs::path> resolve_data_dir(const DataDirInputs& in) {
  if (in.env && !in.env->empty()) {
    if (has_data(*in.env)) return fs::path(*in.env);
    return fail(Errc::Config, "TRUSTSCAN_DATA_DIR=" + *in.env + " has no signatures/ and rules/ directories");
  }
  std::vector<fs::path> tried;
  auto found = [&](const fs::path& dir) {
    if (std::find(tried.begin(), tried.end(), dir) == tried.end()) tried.push_back(dir);
    return has_data(dir);
  };
  const fs::path exe_dir = in.executable.parent_path();
  if (!in.executable.empty()) {
    fs::path beside = (exe_dir.parent_path() / "share" / "trustscan").lexically_normal();
    if (found(beside)) return beside;
  }
  // A build tree's binary uses the tree it was built from, even when a copy is installed.
  if (same_dir(exe_dir, in.build_dir) && found(in.source_dir)) return in.source_dir;
  if (!in.install_data_dir.empty() && found(in.install_data_dir)) return in.install_data_dir;
  if (!in.source_dir.empty() && found(in.source_dir)) return in.source_dir;
  std::string where;
  for (const auto& dir : tried) where += (where.empty() ? "" : ", ") + dir.string();
  return fail(Errc::Config, "cannot find trustscan's data (signatures/, rules/); looked in " +
                                (where.empty() ? std::string("no place") : where) +
                                "; set TRUSTSCAN_DATA_DIR to the directory that holds them");
}

DataDirInputs current_data_dir_inputs() {
  DataDirInputs in;
  if (const char* env = std::getenv("TRUSTSCAN_DATA_DIR")) in.env = env;
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) in.executable = exe;
  in.build_dir = TRUSTSCAN_BINARY_DIR;
  in.source_dir = TRUSTSCAN_SOURCE_DIR;
  in.install_data_dir = TRUSTSCAN_INSTALL_DATADIR;
  return in;
}

Result<fs::path> find_data_dir() { return resolve_data_dir(current_data_dir_inputs()); }

}  // namespace trustscan::app
