#include "discover/walker.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <memory>

#include "io/file_access.hpp"

namespace trustscan::discover {
namespace {

/// statfs f_type values of kernel pseudo file systems: nothing on them is a file on disk.
constexpr std::array<unsigned long, 18> kPseudoFs{
    0x9fa0,      /* proc */     0x62656572, /* sysfs */   0x1cd1,     /* devpts */
    0x27e0eb,    /* cgroup */   0x63677270, /* cgroup2 */ 0x64626720, /* debugfs */
    0x74726163,  /* tracefs */  0x73636673, /* securityfs */ 0x6165676c, /* pstore */
    0xcafe4a11,  /* bpf */      0x62656570, /* configfs */ 0x65735543, /* fusectl */
    0x19800202,  /* mqueue */   0x42494e4d, /* binfmt_misc */ 0xde5e81e4, /* efivarfs */
    0xf97cff8c,  /* selinuxfs */ 0x6e736673, /* nsfs */   0x0187,     /* autofs */
};

struct DirCloser {
  void operator()(DIR* d) const noexcept { ::closedir(d); }
};

std::string_view base_name(std::string_view path) {
  auto slash = path.find_last_of('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

bool excluded(const WalkOptions& opt, const std::string& path) {
  std::string name(base_name(path));
  for (const std::string& glob : opt.excludes)
    if (::fnmatch(glob.c_str(), path.c_str(), 0) == 0 || ::fnmatch(glob.c_str(), name.c_str(), 0) == 0) return true;
  return false;
}

std::string_view special_kind(mode_t mode) {
  if (S_ISFIFO(mode)) return "fifo";
  if (S_ISSOCK(mode)) return "socket";
  if (S_ISCHR(mode)) return "character device";
  if (S_ISBLK(mode)) return "block device";
  return "unknown file type";
}

class Walker {
 public:
  Walker(const io::RootDir& root, std::size_t root_index, const WalkOptions& opt, WalkResult& out)
      : root_(root), root_index_(root_index), opt_(opt), out_(out) {}

  void run() {
    struct stat st {};
    if (::fstat(root_.fd(), &st) != 0) {
      out_.errors.push_back({root_.path(), Error{Errc::Io, std::string("stat: ") + std::strerror(errno), "discover"}});
      return;
    }
    root_is_slash_ = root_.path() == "/";
    std::vector<std::pair<std::string, dev_t>> stack{{"", st.st_dev}};
    while (!stack.empty()) {
      if (opt_.stop && opt_.stop->load(std::memory_order_relaxed) != 0) {
        out_.interrupted = true;
        return;
      }
      auto [dir, dev] = std::move(stack.back());
      stack.pop_back();
      list_directory(dir, stack);
    }
  }

 private:
  void skip(const std::string& path, SkipReason reason, std::string detail, bool listed = true) {
    ++out_.skip_counts[std::string(to_string(reason))];
    if (listed) out_.skipped.push_back({path, reason, std::move(detail)});
  }

  /// Lists one directory, records its files, and pushes its subdirectories (in name order).
  void list_directory(const std::string& dir, std::vector<std::pair<std::string, dev_t>>& stack) {
    const std::string dir_path = join_path(root_.path(), dir);
    auto fd = root_.open_beneath(dir, true);
    if (!fd) {
      Error e = fd.error();
      e.stage = "discover";
      out_.errors.push_back({dir_path, std::move(e)});
      return;
    }
    std::unique_ptr<DIR, DirCloser> d(::fdopendir(*fd));
    if (!d) {
      ::close(*fd);
      out_.errors.push_back({dir_path, Error{Errc::Io, std::string("opendir: ") + std::strerror(errno), "discover"}});
      return;
    }
    ++out_.directories;
    struct stat dir_st {};
    ::fstat(::dirfd(d.get()), &dir_st);
    std::vector<std::string> names;
    errno = 0;
    while (dirent* e = ::readdir(d.get())) {
      std::string_view n = e->d_name;
      if (n != "." && n != "..") names.emplace_back(n);
    }
    if (errno != 0)
      out_.errors.push_back({dir_path, Error{Errc::Io, std::string("readdir: ") + std::strerror(errno), "discover"}});
    std::ranges::sort(names);
    std::vector<std::pair<std::string, dev_t>> subdirs;
    for (const std::string& name : names) {
      std::string rel = dir.empty() ? name : dir + "/" + name;
      std::string path = join_path(root_.path(), rel);
      struct stat st {};
      if (::fstatat(::dirfd(d.get()), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
        out_.errors.push_back({path, Error{Errc::Io, std::string("stat: ") + std::strerror(errno), "discover"}});
        continue;
      }
      if (!opt_.excludes.empty() && excluded(opt_, path)) {
        skip(path, SkipReason::Excluded, S_ISDIR(st.st_mode) ? "directory" : "");
        continue;
      }
      if (S_ISDIR(st.st_mode)) {
        if (st.st_dev != dir_st.st_dev && !enter_mount(path, ::dirfd(d.get()), name, st)) continue;
        subdirs.emplace_back(std::move(rel), st.st_dev);
      } else if (S_ISREG(st.st_mode)) {
        add_file(std::move(rel), std::move(path), st);
      } else if (S_ISLNK(st.st_mode)) {
        on_symlink(::dirfd(d.get()), name, rel, path);
      } else {
        // Devices are routine in /dev: counted. FIFOs and sockets in a scanned tree are listed.
        bool device = S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode);
        skip(path, SkipReason::SpecialFile, std::string(special_kind(st.st_mode)), !device);
      }
    }
    for (auto it = subdirs.rbegin(); it != subdirs.rend(); ++it) stack.push_back(std::move(*it));
  }

  /// A directory on another device: refuse pseudo file systems, and all mounts with --one-file-system.
  bool enter_mount(const std::string& path, int parent_fd, const std::string& name, const struct stat&) {
    if (opt_.one_file_system) {
      skip(path, SkipReason::OtherFilesystem, "mount point");
      return false;
    }
    int fd = ::openat(parent_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return true;  // the walk reports the open error when it gets there
    struct statfs sfs {};
    bool pseudo = ::fstatfs(fd, &sfs) == 0 &&
                  std::ranges::find(kPseudoFs, static_cast<unsigned long>(sfs.f_type)) != kPseudoFs.end();
    ::close(fd);
    if (pseudo) {
      char hex[32];
      std::snprintf(hex, sizeof hex, "fs type 0x%lx", static_cast<unsigned long>(sfs.f_type));
      skip(path, SkipReason::PseudoFilesystem, hex);
    }
    return !pseudo;
  }

  void add_file(std::string rel, std::string path, const struct stat& st) {
    if (st.st_size == 0) {
      ++out_.empty_files;
      return;
    }
    if (opt_.max_file_size != 0 && static_cast<std::uint64_t>(st.st_size) > opt_.max_file_size) {
      skip(path, SkipReason::TooLarge, std::to_string(st.st_size) + " bytes");
      return;
    }
    out_.files.push_back(file_ref(root_index_, std::move(rel), std::move(path), st));
  }

  void on_symlink(int dir_fd, const std::string& name, const std::string& rel, const std::string& path) {
    std::array<char, 4096> buf{};
    ssize_t n = ::readlinkat(dir_fd, name.c_str(), buf.data(), buf.size() - 1);
    std::string target = n >= 0 ? std::string(buf.data(), static_cast<std::size_t>(n)) : std::string();
    LinkResolution r = resolve_link(rel, target);
    if (r.escapes) {
      skip(path, SkipReason::Symlink, "not followed: target '" + target + "' leads outside the scan root");
    } else if (r.absolute && !root_is_slash_) {
      skip(path, SkipReason::Symlink,
           "not followed: absolute target '" + target + "' (inside the root it is '/" + r.resolved + "')");
    } else {
      skip(path, SkipReason::Symlink, "", false);
    }
  }

  const io::RootDir& root_;
  std::size_t root_index_;
  const WalkOptions& opt_;
  WalkResult& out_;
  bool root_is_slash_ = false;
};

}  // namespace

FileRef file_ref(std::size_t root_index, std::string relative, std::string path, const struct stat& st) {
  FileRef f;
  f.root_index = root_index;
  f.relative = std::move(relative);
  f.path = std::move(path);
  f.size = static_cast<std::uint64_t>(st.st_size);
  f.device = st.st_dev;
  f.inode = st.st_ino;
  f.mode = st.st_mode;
  f.uid = st.st_uid;
  f.gid = st.st_gid;
  f.mtime = {st.st_mtim.tv_sec, static_cast<std::uint32_t>(st.st_mtim.tv_nsec)};
  f.ctime = {st.st_ctim.tv_sec, static_cast<std::uint32_t>(st.st_ctim.tv_nsec)};
  return f;
}

std::string join_path(std::string_view root, std::string_view relative) {
  if (relative.empty()) return std::string(root);
  std::string out(root);
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  if (out != "/") out += '/';
  out += relative;
  return out;
}

LinkResolution resolve_link(std::string_view link_relative, std::string_view target) {
  LinkResolution r;
  r.absolute = !target.empty() && target.front() == '/';
  std::vector<std::string_view> parts;
  if (!r.absolute) {
    // Start from the directory that holds the link.
    std::string_view dir = link_relative.substr(0, link_relative.find_last_of('/') == std::string_view::npos
                                                        ? 0
                                                        : link_relative.find_last_of('/'));
    for (std::size_t pos = 0; pos < dir.size();) {
      auto next = dir.find('/', pos);
      if (next == std::string_view::npos) next = dir.size();
      if (next > pos) parts.push_back(dir.substr(pos, next - pos));
      pos = next + 1;
    }
  }
  for (std::size_t pos = 0; pos <= target.size();) {
    auto next = target.find('/', pos);
    if (next == std::string_view::npos) next = target.size();
    std::string_view part = target.substr(pos, next - pos);
    pos = next + 1;
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      if (parts.empty()) {
        // A chroot clamps ".." at "/"; an absolute target never escapes, a relative one does.
        if (!r.absolute) r.escapes = true;
        continue;
      }
      parts.pop_back();
      continue;
    }
    parts.push_back(part);
  }
  for (std::string_view p : parts) {
    if (!r.resolved.empty()) r.resolved += '/';
    r.resolved += p;
  }
  return r;
}

void walk(const io::RootDir& root, std::size_t root_index, const WalkOptions& options, WalkResult& out) {
  Walker(root, root_index, options, out).run();
}

}  // namespace trustscan::discover
