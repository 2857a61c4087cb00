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

namespace trustscan::io {

/// One directory entry as RootDir::list() returns it.
struct DirEntry {
  std::string name;
  unsigned char type = 0;  ///< d_type (DT_REG, DT_DIR, DT_LNK, ... or DT_UNKNOWN)
};

/// An open scan root. Files and directories are opened relative to it with openat2(2)
/// RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS, so neither a symlink nor ".." can lead outside it,
/// even if the tree changes while it is scanned. Move-only.
class RootDir {
 public:
  static Result<RootDir> open(const std::string& path);
  RootDir(RootDir&& other) noexcept;
  RootDir& operator=(RootDir&& other) noexcept;
  RootDir(const RootDir&) = delete;
  RootDir& operator=(const RootDir&) = delete;
  ~RootDir();

  /// Opens `relative` (no leading '/'; "" = the root itself) read-only with O_NOATIME where the
  /// OS allows it. `directory` asks for O_DIRECTORY. Returns the fd (caller owns it).
  [[nodiscard]] Result<int> open_beneath(const std::string& relative, bool directory) const;
  /// The entries of directory `relative` ("" = the root), without "." and "..", sorted by name.
  /// At most `max_entries` are returned (Errc::TooLarge beyond: a hostile directory cannot make
  /// us allocate without bound).
  [[nodiscard]] Result<std::vector<DirEntry>> list(const std::string& relative,
                                                   std::size_t max_entries = 1'000'000) const;

  /// Resolves `relative` ('/'-separated, no leading '/') the way Windows looks names up:
  /// component by component, case-insensitively (ASCII letters). An exact spelling wins; else the
  /// first case-insensitive match in name order. Returns the path as spelled on disk.
  /// Errc::Io when a component does not exist (message: "no such file: <component>").
  /// Never follows a symlink (a component that is one does not match).
  [[nodiscard]] Result<std::string> resolve_nocase(std::string_view relative) const;

  [[nodiscard]] int fd() const noexcept { return fd_; }
  [[nodiscard]] const std::string& path() const noexcept { return path_; }

 private:
  RootDir(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  int fd_ = -1;
  std::string path_;
};

/// Opens `path` (absolute or relative to the working directory) read-only, refusing a symlink
/// as the final component, without updating its access time where permitted.
Result<int> open_readonly(const std::string& path, bool directory);

/// A file's bytes, read once into memory and handed to every stage as the same span.
///
/// Read, not mmap(2): a mapping of a file that another process truncates while we hash or parse it
/// raises SIGBUS, which would end the whole scan (a hostile local process could do it on purpose);
/// a read sees the file as it was. Move-only.
class FileContents {
 public:
  /// Reads an open regular file. Fails with Errc::TooLarge when it is now larger than `max_size`
  /// (it may have grown or been replaced since the walk saw it).
  static Result<FileContents> read(int fd, std::uint64_t max_size);

  [[nodiscard]] std::span<const std::byte> bytes() const noexcept { return {data_.get(), size_}; }

 private:
  FileContents(std::unique_ptr<std::byte[]> data, std::size_t size) : data_(std::move(data)), size_(size) {}
  std::unique_ptr<std::byte[]> data_;
  std::size_t size_ = 0;
};

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
