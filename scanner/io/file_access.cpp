#include "io/file_access.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <utility>

#include "core/deadline.hpp"

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

/// An open regular file of a RootDir.
class RootFile final : public SourceFile {
 public:
  explicit RootFile(int fd) noexcept : fd_(fd) {}
  RootFile(const RootFile&) = delete;
  RootFile& operator=(const RootFile&) = delete;
  ~RootFile() override { ::close(fd_); }
  Result<std::vector<std::byte>> read_prefix(std::size_t max) override { return io::read_prefix(fd_, max); }
  Result<FileContents> read_all(std::uint64_t max_size) override { return FileContents::read(fd_, max_size); }
  Result<std::uint64_t> size() override {
    struct stat st {};
    if (::fstat(fd_, &st) != 0) return std::unexpected(errno_error(errno, "fstat"));
    if (!S_ISREG(st.st_mode)) return fail(Errc::Unsupported, "not a regular file");
    return static_cast<std::uint64_t>(st.st_size);
  }
  Result<std::size_t> read_at(std::uint64_t offset, std::span<std::byte> out) override {
    for (;;) {
      const ssize_t n = ::pread(fd_, out.data(), out.size(), static_cast<off_t>(offset));
      if (n >= 0) return static_cast<std::size_t>(n);
      if (errno != EINTR) return std::unexpected(errno_error(errno, "read at offset " + std::to_string(offset)));
    }
  }

 private:
  int fd_;
};

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

Result<int> open_root_file(const std::string& path) {
  int fd = ::open(path.c_str(), kBaseFlags | O_NOATIME);
  if (fd < 0 && errno == EPERM) fd = ::open(path.c_str(), kBaseFlags);
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
  if (fd < 0 && errno == ENOENT)  // listed a moment ago, gone now (a live host): not a read error
    return fail(Errc::NotFound, "open " + relative + ": deleted or renamed since it was listed");
  if (fd < 0) return std::unexpected(errno_error(errno, "open " + relative));
  return fd;
}

namespace {
/// Calls `each(name, d_type)` for every entry of directory `fd` but "." and "..", in the order
/// the file system gives, until it returns false; false (errno set) when reading failed
/// part-way. getdents64 directly, not fdopendir/readdir: fdopendir's fstat and fcntl were two
/// system calls per directory, 37,000 of a walk of /usr (about 3 microseconds each on a
/// virtual machine).
template <class Each>
bool read_names(int fd, Each&& each) {
  alignas(struct dirent64) char buf[32768];
  for (;;) {
    const ssize_t n = ::getdents64(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return false;
    if (n == 0) return true;
    for (ssize_t at = 0; at < n;) {
      const auto* e = reinterpret_cast<const struct dirent64*>(buf + at);  // the kernel's layout
      at += e->d_reclen;
      const std::string_view name = e->d_name;
      if (name != "." && name != ".." && !each(name, e->d_type)) return true;
    }
  }
}
}  // namespace

Result<std::vector<DirEntry>> RootDir::list(const std::string& relative, std::size_t max_entries) const {
  auto fd = open_beneath(relative, true);
  if (!fd) return std::unexpected(fd.error());
  const FdGuard guard(*fd);
  std::vector<DirEntry> out;
  bool too_many = false;
  const bool read = read_names(*fd, [&](std::string_view name, unsigned char type) {
    too_many = out.size() >= max_entries;  // (the rest of a hostile directory is not read)
    if (!too_many) out.push_back({std::string(name), type});
    return !too_many;
  });
  if (too_many) return fail(Errc::TooLarge, relative + ": more than " + std::to_string(max_entries) + " entries");
  if (!read) return std::unexpected(errno_error(errno, "readdir " + relative));
  std::ranges::sort(out, {}, &DirEntry::name);
  return out;
}

Result<DirListing> RootDir::scan_dir(const std::string& relative) const {
  auto fd = open_beneath(relative, true);
  if (!fd) return std::unexpected(fd.error());
  const FdGuard guard(*fd);
  DirListing out;
  struct stat dir_st {};
  if (::fstat(*fd, &dir_st) == 0) out.device = dir_st.st_dev;
  if (!read_names(*fd, [&](std::string_view name, unsigned char) {
        out.entries.emplace_back().name = name;
        return true;
      }))
    out.partial = Error{Errc::Io, std::string("readdir: ") + std::strerror(errno)};
  std::ranges::sort(out.entries, {}, &EntryStat::name);
  for (EntryStat& e : out.entries) {
    if (::fstatat(*fd, e.name.c_str(), &e.st, AT_SYMLINK_NOFOLLOW) != 0) {
      e.vanished = errno == ENOENT;
      e.stat_error = std::string("stat: ") + std::strerror(errno);
      continue;
    }
    if (S_ISLNK(e.st.st_mode)) {
      std::array<char, 4096> buf{};
      ssize_t n = ::readlinkat(*fd, e.name.c_str(), buf.data(), buf.size() - 1);
      if (n >= 0) e.link_target.assign(buf.data(), static_cast<std::size_t>(n));
    }
  }
  return out;
}

Result<std::unique_ptr<SourceFile>> RootDir::open_file(const std::string& relative, std::uint64_t) const {
  auto fd = open_beneath(relative, false);
  if (!fd) return std::unexpected(fd.error());
  return std::make_unique<RootFile>(*fd);
}

void RootDir::read_ahead(const std::string& relative, std::uint64_t, std::uint64_t length) const {
  if (length == 0) return;  // (0 would mean "to the end")
  auto fd = open_beneath(relative, false);
  if (!fd) return;
  const FdGuard guard(*fd);
  (void)::posix_fadvise(guard.get(), 0, static_cast<off_t>(length), POSIX_FADV_WILLNEED);
}

std::optional<MountedFs> RootDir::foreign_filesystem(const std::string& relative) const {
  auto fd = open_beneath(relative, true);
  if (!fd) return std::nullopt;  // the walk reports the open error when it gets there
  struct statfs sfs {};
  const bool known = ::fstatfs(*fd, &sfs) == 0;
  ::close(*fd);
  if (!known) return std::nullopt;
  const auto magic = static_cast<std::uint64_t>(static_cast<unsigned long>(sfs.f_type));
  const FsClass fs_class = classify_fs_type(magic).fs_class;
  if (fs_class == FsClass::Local) return std::nullopt;
  return MountedFs{fs_class, describe_fs_type(magic)};
}

/// Bytes read by one pread of FileContents::read (between two checks of the time budget).
constexpr std::uint64_t kReadPiece = std::uint64_t{16} << 20;

Result<FileContents> FileContents::read(int fd, std::uint64_t max_size) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return std::unexpected(errno_error(errno, "fstat"));
  if (!S_ISREG(st.st_mode)) return fail(Errc::Unsupported, "not a regular file");
  auto size = static_cast<std::uint64_t>(st.st_size);
  if (max_size != 0 && size > max_size)
    return fail(Errc::TooLarge, "file grew to " + std::to_string(size) + " bytes since it was listed");
  // A std::vector because LIEF's API takes one (its zero-filling costs less than the copy it saves).
  std::vector<std::uint8_t> data(static_cast<std::size_t>(size));
  std::size_t got = 0;
  while (got < size) {
    // In pieces, so that the time budget is checked while a large file comes from a slow disk.
    if (auto in_time = check_deadline("reading the file"); !in_time) return std::unexpected(in_time.error());
    const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(size - got, kReadPiece));
    ssize_t n = ::pread(fd, data.data() + got, want, static_cast<off_t>(got));
    if (n < 0) {
      if (errno == EINTR) continue;
      return std::unexpected(errno_error(errno, "read"));
    }
    if (n == 0) break;  // truncated meanwhile: keep what was there
    got += static_cast<std::size_t>(n);
  }
  data.resize(got);
  return FileContents(std::move(data));
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
