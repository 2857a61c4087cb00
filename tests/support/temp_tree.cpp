#include "support/temp_tree.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>

namespace trustscan::test {

TempTree::TempTree() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "trustscan-test-XXXXXX").string();
  if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
  root_ = tmpl;
}

TempTree::~TempTree() {
  std::error_code ec;
  std::filesystem::remove_all(root_, ec);
}

void TempTree::write(std::string_view relative, std::string_view content) const {
  auto p = root_ / relative;
  std::filesystem::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << content;
}

void TempTree::mkdir(std::string_view relative) const { std::filesystem::create_directories(root_ / relative); }

void TempTree::symlink(std::string_view relative, std::string_view target) const {
  auto p = root_ / relative;
  std::filesystem::create_directories(p.parent_path());
  std::filesystem::create_symlink(std::string(target), p);
}

void TempTree::fifo(std::string_view relative) const {
  auto p = root_ / relative;
  std::filesystem::create_directories(p.parent_path());
  if (::mkfifo(p.c_str(), 0600) != 0) throw std::runtime_error("mkfifo failed");
}

std::filesystem::path samples_dir() { return TRUSTSCAN_SAMPLES_DIR; }

std::filesystem::path real_tree() {
  const char* env = std::getenv("TRUSTSCAN_REAL_TREE");
  return env && *env ? std::filesystem::path(env) : std::filesystem::path("/var/cache/trustscan/realtree");
}

bool real_tree_has(const std::filesystem::path& p) {
  if (std::filesystem::exists(p)) return true;
  const char* required = std::getenv("TRUSTSCAN_REQUIRE_REAL_TREE");
  const std::string what = p.string() + " is missing (tools/fetch_real_tree.sh)";
  if (required && std::string_view(required) == "1")
    throw std::runtime_error(what + ", and TRUSTSCAN_REQUIRE_REAL_TREE=1 requires the real tree");
  std::fprintf(stderr, "%s: test skipped\n", what.c_str());
  return false;
}

std::filesystem::path shared_data_dir() {
  return (std::filesystem::path(TRUSTSCAN_SOURCE_DIR) / ".." / "shared" / "data").lexically_normal();
}

std::string read_file(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

}  // namespace trustscan::test
