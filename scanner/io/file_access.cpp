#include "io/file_access.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <algorithm>
#include <memory>
#include <utility>

namespace trustscan::io {
namespace {

Error errno_error(int err, const std::string& what) {
  Errc code = (err == EACCES || err == EPERM) ? Errc::PermissionDenied : Errc::Io;
  return Error{code, what + ": " + std::strerror(err)};
}

constexpr int kBaseFlags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;

/// openat2 with RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS (Linux >= 5.6). O_NOATIME is tried first and
/// dropped on EPERM (it needs file ownership or CAP_FOWNER).
int openat2_beneath(int dirfd, const char* rel, int flags) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    open_how how{};
    how.flags = static_cast<std::uint64_t>(flags | (attempt == 0 ? O_NOATIME : 0));
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
    long fd = syscall(SYS_openat2, dirfd, rel, &how, sizeof how);
    if (fd >= 0) return static_cast<int>(fd);
    if (errno != EPERM) return -1;
  }
  return -1;
}

int openat_nofollow(int dirfd, const char* rel, int flags) {
  int fd = ::openat(dirfd, rel, flags | O_NOFOLLOW | O_NOATIME);
  if (fd < 0 && errno == EPERM) fd = ::openat(dirfd, rel, flags | O_NOFOLLOW);
  return fd;
}

}  // namespace

Result<int> open_readonly(const std::string& path, bool directory) {
  int flags = kBaseFlags | (directory ? O_DIRECTORY : 0);
  int fd = openat_nofollow(AT_FDCWD, path.c_str(), flags);
  if (fd < 0) return std::unexpected(errno_error(errno, "open " + path));
  return fd;
}

Result<RootDir> RootDir::open(const std::string& path) {
  // The root itself may be given through a symlink (e.g. /mnt/image -> /media/x): that is the
  // user's choice, so follow it here, and only here.
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_DIRECTORY | O_NOATIME);
  if (fd < 0 && errno == EPERM) fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_DIRECTORY);
  if (fd < 0) return std::unexpected(errno_error(errno, "open root " + path));
  return RootDir(fd, path);
}

RootDir::RootDir(RootDir&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), path_(std::move(other.path_)) {}

RootDir& RootDir::operator=(RootDir&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    path_ = std::move(other.path_);
  }
  return *this;
}

RootDir::~RootDir() {
  if (fd_ >= 0) ::close(fd_);
}

Result<int> RootDir::open_beneath(const std::string& relative, bool directory) const {
  const char* rel = relative.empty() ? "." : relative.c_str();
  int flags = kBaseFlags | (directory ? O_DIRECTORY : 0);
  int fd = openat2_beneath(fd_, rel, flags);
  if (fd < 0 && errno == ENOSYS) {
    // Kernels before 5.6: the walker never descends through symlinks, so a no-follow open of the
    // final component is the remaining guard (a race that swaps a parent directory is possible).
    fd = openat_nofollow(fd_, rel, flags);
  }
  if (fd < 0) return std::unexpected(errno_error(errno, "open " + relative));
  return fd;
}

Result<std::vector<DirEntry>> RootDir::list(const std::string& relative, std::size_t max_entries) const {
  auto fd = open_beneath(relative, true);
  if (!fd) return std::unexpected(fd.error());
  DIR* d = ::fdopendir(*fd);
  if (!d) {
    int err = errno;
    ::close(*fd);
    return std::unexpected(errno_error(err, "opendir " + relative));
  }
  struct DirCloser {
    void operator()(DIR* p) const noexcept { ::closedir(p); }
  };
  std::unique_ptr<DIR, DirCloser> guard(d);
  std::vector<DirEntry> out;
  errno = 0;
  while (const dirent* e = ::readdir(d)) {
    std::string_view name = e->d_name;
    if (name == "." || name == "..") continue;
    if (out.size() >= max_entries)
      return fail(Errc::TooLarge, relative + ": more than " + std::to_string(max_entries) + " entries");
    out.push_back({std::string(name), e->d_type});
  }
  if (errno != 0) return std::unexpected(errno_error(errno, "readdir " + relative));
  std::ranges::sort(out, {}, &DirEntry::name);
  return out;
}

namespace {
bool iequals_ascii(std::string_view a, std::string_view b) noexcept {
  auto lower = [](unsigned char c) { return c >= 'A' && c <= 'Z' ? static_cast<unsigned char>(c + 32) : c; };
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [&](char x, char y) { return lower(x) == lower(y); });
}
}  // namespace

Result<std::string> RootDir::resolve_nocase(std::string_view relative) const {
  std::string resolved;
  while (!relative.empty()) {
    auto slash = relative.find('/');
    std::string_view component = relative.substr(0, slash);
    relative = slash == std::string_view::npos ? std::string_view{} : relative.substr(slash + 1);
    if (component.empty() || component == ".") continue;
    if (component == "..") return fail(Errc::Unsupported, "'..' in a Windows path");
    auto entries = list(resolved);
    if (!entries) return std::unexpected(entries.error());
    const DirEntry* hit = nullptr;
    for (const DirEntry& e : *entries) {
      if (e.type == DT_LNK || !iequals_ascii(e.name, component)) continue;
      if (e.name == component) {
        hit = &e;
        break;
      }
      if (!hit) hit = &e;
    }
    if (!hit) return fail(Errc::Io, "no such file: " + (resolved.empty() ? "" : resolved + "/") + std::string(component));
    resolved += (resolved.empty() ? "" : "/") + hit->name;
  }
  return resolved;
}

Result<FileContents> FileContents::read(int fd, std::uint64_t max_size) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return std::unexpected(errno_error(errno, "fstat"));
  if (!S_ISREG(st.st_mode)) return fail(Errc::Unsupported, "not a regular file");
  auto size = static_cast<std::uint64_t>(st.st_size);
  if (max_size != 0 && size > max_size)
    return fail(Errc::TooLarge, "file grew to " + std::to_string(size) + " bytes since it was listed");
  // make_unique_for_overwrite: no zero-filling of a buffer that is about to be overwritten.
  auto data = std::make_unique_for_overwrite<std::byte[]>(static_cast<std::size_t>(std::max<std::uint64_t>(size, 1)));
  std::size_t got = 0;
  while (got < size) {
    ssize_t n = ::pread(fd, data.get() + got, static_cast<std::size_t>(size - got), static_cast<off_t>(got));
    if (n < 0) {
      if (errno == EINTR) continue;
      return std::unexpected(errno_error(errno, "read"));
    }
    if (n == 0) break;  // truncated meanwhile: keep what was there
    got += static_cast<std::size_t>(n);
  }
  return FileContents(std::move(data), got);
}

Result<std::vector<std::byte>> read_prefix(int fd, std::size_t max) {
  std::vector<std::byte> buf(max);
  std::size_t got = 0;
  while (got < max) {
    ssize_t n = ::pread(fd, buf.data() + got, max - got, static_cast<off_t>(got));
    if (n < 0) {
      if (errno == EINTR) continue;
      return std::unexpected(errno_error(errno, "read"));
    }
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }
  buf.resize(got);
  return buf;
}

FdGuard::~FdGuard() {
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace trustscan::io
