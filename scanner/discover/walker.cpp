#include "discover/walker.hpp"

#include <fnmatch.h>
#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <memory>

#include "io/file_source.hpp"

namespace trustscan::discover {
namespace {

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
  Walker(const io::FileSource& root, std::size_t root_index, const WalkOptions& opt, WalkResult& out)
      : root_(root), root_index_(root_index), opt_(opt), out_(out) {}

  void run() {
    root_is_slash_ = root_.path() == "/";
    std::vector<std::string> stack{""};
    while (!stack.empty()) {
      if (opt_.stop && opt_.stop->load(std::memory_order_relaxed) != 0) {
        out_.interrupted = true;
        return;
      }
      std::string dir = std::move(stack.back());
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
  void list_directory(const std::string& dir, std::vector<std::string>& stack) {
    const std::string dir_path = join_path(root_.path(), dir);
    auto listing = root_.scan_dir(dir);
    if (!listing && listing.error().code == Errc::NotFound) {
      skip(dir_path, SkipReason::Vanished, "directory, deleted or renamed since its parent was listed");
      return;
    }
    if (!listing) {
      Error e = listing.error();
      e.stage = "discover";
      out_.errors.push_back({dir_path, std::move(e)});
      return;
    }
    ++out_.directories;
    if (listing->partial) {
      Error e = *listing->partial;
      e.stage = "discover";
      out_.errors.push_back({dir_path, std::move(e)});
    }
    std::vector<std::string> subdirs;
    for (const io::EntryStat& entry : listing->entries) {
      const std::string& name = entry.name;
      std::string rel = dir.empty() ? name : dir + "/" + name;
      std::string path = join_path(root_.path(), rel);
      if (entry.vanished) {
        skip(path, SkipReason::Vanished, "deleted or renamed since its directory was listed");
        continue;
      }
      if (!entry.stat_error.empty()) {
        out_.errors.push_back({path, Error{Errc::Io, entry.stat_error, "discover"}});
        continue;
      }
      const struct stat& st = entry.st;
      if (entry.fs_internal) {  // $MFT, $FAT1, $OrphanFiles (--include-deleted lists the latter)
        if (!(opt_.include_deleted && S_ISDIR(st.st_mode))) {
          ++out_.image_entry_counts["fs_metadata"];
          continue;
        }
      }
      if (entry.deleted && !opt_.include_deleted) {
        ++out_.image_entry_counts["deleted"];
        continue;
      }
      if (!opt_.excludes.empty() && excluded(opt_, path)) {
        skip(path, SkipReason::Excluded, S_ISDIR(st.st_mode) ? "directory" : "");
        continue;
      }
      if (S_ISDIR(st.st_mode)) {
        if (entry.deleted) {  // a deleted directory's entries are reached through its listing, if at all
          ++out_.image_entry_counts["deleted"];
          continue;
        }
        if (static_cast<std::uint64_t>(st.st_dev) != listing->device && !enter_mount(path, rel)) continue;
        subdirs.push_back(std::move(rel));
      } else if (S_ISREG(st.st_mode)) {
        if (entry.deleted && !entry.recoverable) {  // its metadata was reused or lost: nothing to read
          ++out_.image_entry_counts["deleted_unrecoverable"];
          continue;
        }
        add_file(std::move(rel), std::move(path), st, entry.deleted);
      } else if (S_ISLNK(st.st_mode)) {
        on_symlink(entry.link_target, rel, path);
      } else {
        // Devices are routine in /dev: counted. FIFOs and sockets in a scanned tree are listed.
        bool device = S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode);
        skip(path, SkipReason::SpecialFile, std::string(special_kind(st.st_mode)), !device);
      }
    }
    for (auto it = subdirs.rbegin(); it != subdirs.rend(); ++it) stack.push_back(std::move(*it));
  }

  /// A directory on another device: refuse pseudo file systems, network and FUSE ones unless
  /// --include-network-fs, and all mounts with --one-file-system.
  bool enter_mount(const std::string& path, const std::string& rel) {
    if (opt_.one_file_system) {
      skip(path, SkipReason::OtherFilesystem, "mount point");
      return false;
    }
    auto foreign = root_.foreign_filesystem(rel);
    if (!foreign) return true;
    switch (foreign->fs_class) {
      case io::FsClass::Pseudo: skip(path, SkipReason::PseudoFilesystem, std::move(foreign->description)); return false;
      case io::FsClass::Network:
        if (opt_.include_network_fs) return true;
        skip(path, SkipReason::NetworkFilesystem, std::move(foreign->description));
        return false;
      case io::FsClass::Fuse:
        if (opt_.include_network_fs) return true;
        skip(path, SkipReason::FuseFilesystem, std::move(foreign->description));
        return false;
      case io::FsClass::Local: return true;
    }
    return true;
  }

  void add_file(std::string rel, std::string path, const struct stat& st, bool deleted) {
    if (st.st_size == 0) {
      ++out_.empty_files;
      return;
    }
    if (skip_if_too_large(path, static_cast<std::uint64_t>(st.st_size), opt_.max_file_size, out_)) return;
    out_.files.push_back(file_ref(root_index_, std::move(rel), std::move(path), st));
    out_.files.back().deleted = deleted;
  }

  void on_symlink(const std::string& target, const std::string& rel, const std::string& path) {
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

  const io::FileSource& root_;
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

bool skip_if_too_large(const std::string& path, std::uint64_t size, std::uint64_t max_file_size, WalkResult& out) {
  if (max_file_size == 0 || size <= max_file_size) return false;
  ++out.skip_counts[std::string(to_string(SkipReason::TooLarge))];
  out.skipped.push_back({path, SkipReason::TooLarge, std::to_string(size) + " bytes"});
  return true;
}

void walk(const io::FileSource& root, std::size_t root_index, const WalkOptions& options, WalkResult& out) {
  Walker(root, root_index, options, out).run();
}

}  // namespace trustscan::discover
