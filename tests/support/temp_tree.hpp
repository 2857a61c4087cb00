#pragma once
// A throw-away directory for a test, removed with everything in it when the test ends.

#include <filesystem>
#include <string>
#include <string_view>

namespace trustscan::test {

class TempTree {
 public:
  TempTree();
  TempTree(const TempTree&) = delete;
  TempTree& operator=(const TempTree&) = delete;
  ~TempTree();

  [[nodiscard]] const std::filesystem::path& path() const noexcept { return root_; }
  /// Writes `content` to root/relative, creating parent directories.
  void write(std::string_view relative, std::string_view content) const;
  void mkdir(std::string_view relative) const;
  void symlink(std::string_view relative, std::string_view target) const;
  void fifo(std::string_view relative) const;

 private:
  std::filesystem::path root_;
};

/// Directory with the test-time samples (tools/make_samples.sh output).
[[nodiscard]] std::filesystem::path samples_dir();
/// The tree of real Debian/npm binaries (tools/fetch_real_tree.sh): $TRUSTSCAN_REAL_TREE or the
/// default cache. Tests that need it skip with a warning when it is absent (real_tree_has).
[[nodiscard]] std::filesystem::path real_tree();
/// True when `p` (a file of the real tree) exists. When it does not: false with a warning on
/// stderr (the test skips), or, under TRUSTSCAN_REQUIRE_REAL_TREE=1 (set by tools/setup.sh --test,
/// so in CI), a thrown error: a test must not pass by skipping where the tree is meant to be.
[[nodiscard]] bool real_tree_has(const std::filesystem::path& p);
/// The public data sets beside the repository (../shared/data: Microsoft's root program, ...),
/// present on every development machine and in CI; never copied into the repository.
[[nodiscard]] std::filesystem::path shared_data_dir();
/// Reads a whole file (test helper; the product maps files instead).
[[nodiscard]] std::string read_file(const std::filesystem::path& p);

}  // namespace trustscan::test
