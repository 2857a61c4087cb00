#pragma once
/// \file
/// Read-only access to one file's bytes: opened once (beneath its scan root, never through a
/// symlink), read once, and handed to every stage as the same span.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "io/file_source.hpp"

namespace trustscan::io {

/// An open scan root: a directory of the host. Files and directories are opened relative to it
/// with openat2(2) RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS, so neither a symlink nor ".." can lead
/// outside it, even if the tree changes while it is scanned. Move-only.
class RootDir final : public FileSource {
 public:
  static Result<RootDir> open(const std::string& path);
  RootDir(RootDir&& other) noexcept;
  RootDir& operator=(RootDir&& other) noexcept;
  RootDir(const RootDir&) = delete;
  RootDir& operator=(const RootDir&) = delete;
  ~RootDir() override;

  /// Opens `relative` (no leading '/'; "" = the root itself) read-only with O_NOATIME where the
  /// OS allows it. `directory` asks for O_DIRECTORY. Returns the fd (caller owns it).
  [[nodiscard]] Result<int> open_beneath(const std::string& relative, bool directory) const;
  /// FileSource: see there. Entries are stat'ed with fstatat(AT_SYMLINK_NOFOLLOW) and symlink
  /// targets read with readlinkat (which updates a link's own atime: Linux has no O_NOATIME for it).
  [[nodiscard]] const std::string& path() const noexcept override { return path_; }
  [[nodiscard]] Result<DirListing> scan_dir(const std::string& relative) const override;
  [[nodiscard]] Result<std::vector<DirEntry>> list(const std::string& relative,
                                                   std::size_t max_entries = 1'000'000) const override;
  [[nodiscard]] Result<std::unique_ptr<SourceFile>> open_file(const std::string& relative,
                                                              std::uint64_t inode = 0) const override;
  /// posix_fadvise(POSIX_FADV_WILLNEED) on the file, opened as open_file does and closed again.
  void read_ahead(const std::string& relative, std::uint64_t inode, std::uint64_t length) const override;
  /// statfs(2) of the directory: a pseudo, network or FUSE file system (io/fs_type.hpp)?
  [[nodiscard]] std::optional<MountedFs> foreign_filesystem(const std::string& relative) const override;

  [[nodiscard]] int fd() const noexcept { return fd_; }

 private:
  RootDir(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  int fd_ = -1;
  std::string path_;
};

/// Opens `path` (absolute or relative to the working directory) read-only, refusing a symlink
/// as the final component, without updating its access time where permitted.
Result<int> open_readonly(const std::string& path, bool directory);

/// Opens a scan root that is a file (a disk image) read-only, without updating its access time
/// where permitted. Like RootDir::open, and unlike open_readonly, it follows a symlink: the root is
/// the user's choice.
Result<int> open_root_file(const std::string& path);

/// Reads at most `max` bytes from the start of an open file (for format sniffing).
Result<std::vector<std::byte>> read_prefix(int fd, std::size_t max);

/// Closes an fd on scope exit.
class FdGuard {
 public:
  explicit FdGuard(int fd) noexcept : fd_(fd) {}
  FdGuard(const FdGuard&) = delete;
  FdGuard& operator=(const FdGuard&) = delete;
  ~FdGuard();
  [[nodiscard]] int get() const noexcept { return fd_; }

 private:
  int fd_;
};

}  // namespace trustscan::io
