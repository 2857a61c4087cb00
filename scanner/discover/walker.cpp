#include "discover/walker.hpp"

#include <fnmatch.h>
#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <exception>
#include <iterator>
#include <memory>
#include <mutex>
#include <system_error>
#include <thread>

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

/// One directory of the walk: what listing it found (its own entries only) and its
/// subdirectories, in name order. Listed by any walking thread; assembled in walk order.
struct DirTask {
  std::string relative;
  WalkResult found;
  std::vector<DirTask*> children;
};

/// The most threads a walk lists directories on (beyond this, the file system's own locks and
/// the disk bound it).
constexpr unsigned kMaxWalkThreads = 8;

class Walker {
 public:
  Walker(const io::FileSource& root, std::size_t root_index, const WalkOptions& opt, WalkResult& out)
      : root_(root), root_index_(root_index), opt_(opt), out_(out) {}

  /// Each directory is listed (and its entries sorted into files, skips and errors) on one of
  /// WalkOptions::threads threads, depth first; the results are then put together in the order a
  /// single thread would have found them, so the outcome does not depend on the thread count.
  /// (FileSource: every const member function may be called from several threads at once.)
  void run() {
    root_is_slash_ = root_.path() == "/";
    tasks_.push_back(DirTask{});
    pending_.push_back(&tasks_.front());
    const unsigned threads = std::clamp(opt_.threads, 1u, kMaxWalkThreads);
    std::vector<std::jthread> helpers;
    try {
      for (unsigned t = 1; t < threads; ++t) helpers.emplace_back([this] { list_pending(); });
    } catch (const std::system_error&) {  // no thread to be had: the threads there are do the walk
    }
    list_pending();
    helpers.clear();                                 // joins
    if (failure_) std::rethrow_exception(failure_);  // as the walk on one thread would have
    if (stopped_) out_.interrupted = true;
    assemble();
  }

 private:
  /// Takes directories from the pending stack until none is pending or being listed.
  void list_pending() {
    std::unique_lock lock(m_);
    for (;;) {
      cv_.wait(lock, [&] { return stopped_ || !pending_.empty() || busy_ == 0; });
      if (stopped_ || pending_.empty()) break;  // (busy_ == 0: the walk is complete)
      DirTask* task = pending_.back();
      pending_.pop_back();
      ++busy_;
      lock.unlock();
      std::vector<std::string> subdirs;
      bool stop = opt_.stop && opt_.stop->load(std::memory_order_relaxed) != 0;
      std::exception_ptr failure;
      try {
        if (!stop) list_directory(task->relative, task->found, subdirs);
      } catch (...) {  // (an allocation failure): ends the walk, rethrown by run()
        failure = std::current_exception();
        stop = true;
      }
      lock.lock();
      --busy_;
      try {
        for (std::string& rel : subdirs) {
          DirTask& child = tasks_.emplace_back();
          child.relative = std::move(rel);
          task->children.push_back(&child);
        }
        for (auto it = task->children.rbegin(); it != task->children.rend(); ++it) pending_.push_back(*it);
      } catch (...) {  // (allocation): as a listing's exception, and the other threads are woken
        if (!failure) failure = std::current_exception();
        stop = true;
      }
      if (stop) stopped_ = true;
      if (failure && !failure_) failure_ = failure;
      cv_.notify_all();
    }
    cv_.notify_all();
  }

  /// Appends every directory's findings to out_, depth first, subdirectories in name order.
  void assemble() {
    std::size_t files = out_.files.size();
    for (const DirTask& t : tasks_) files += t.found.files.size();
    out_.files.reserve(files);
    std::vector<DirTask*> stack{&tasks_.front()};
    while (!stack.empty()) {
      DirTask* task = stack.back();
      stack.pop_back();
      merge(std::move(task->found));
      task->found = WalkResult{};  // its emptied vectors and maps go now, not with the walker
      for (auto it = task->children.rbegin(); it != task->children.rend(); ++it) stack.push_back(*it);
    }
  }

  void merge(WalkResult&& part) {
    std::ranges::move(part.files, std::back_inserter(out_.files));
    std::ranges::move(part.skipped, std::back_inserter(out_.skipped));
    std::ranges::move(part.errors, std::back_inserter(out_.errors));
    for (const auto& [reason, n] : part.skip_counts) out_.skip_counts[reason] += n;
    for (const auto& [kind, n] : part.image_entry_counts) out_.image_entry_counts[kind] += n;
    out_.directories += part.directories;
    out_.empty_files += part.empty_files;
  }

  static void skip(WalkResult& out, const std::string& path, SkipReason reason, std::string detail,
                   bool listed = true) {
    ++out.skip_counts[std::string(to_string(reason))];
    if (listed) out.skipped.push_back({path, reason, std::move(detail)});
  }

  /// Lists one directory into `out` (its files, skips and errors) and `subdirs` (in name order).
  void list_directory(const std::string& dir, WalkResult& out, std::vector<std::string>& subdirs) const {
    const std::string dir_path = join_path(root_.path(), dir);
    auto listing = root_.scan_dir(dir);
    if (!listing && listing.error().code == Errc::NotFound) {
      skip(out, dir_path, SkipReason::Vanished, "directory, deleted or renamed since its parent was listed");
      return;
    }
    if (!listing) {
      Error e = listing.error();
      e.stage = "discover";
      out.errors.push_back({dir_path, std::move(e)});
      return;
    }
    ++out.directories;
    if (listing->partial) {
      Error e = *listing->partial;
      e.stage = "discover";
      out.errors.push_back({dir_path, std::move(e)});
    }
    for (const io::EntryStat& entry : listing->entries) {
      const std::string& name = entry.name;
      std::string rel = dir.empty() ? name : dir + "/" + name;
      std::string path = join_path(root_.path(), rel);
      if (entry.vanished) {
        skip(out, path, SkipReason::Vanished, "deleted or renamed since its directory was listed");
        continue;
      }
      if (!entry.stat_error.empty()) {
        out.errors.push_back({path, Error{Errc::Io, entry.stat_error, "discover"}});
        continue;
      }
      const struct stat& st = entry.st;
      if (entry.fs_internal) {  // $MFT, $FAT1, $OrphanFiles (--include-deleted lists the latter)
        if (!(opt_.include_deleted && S_ISDIR(st.st_mode))) {
          ++out.image_entry_counts["fs_metadata"];
          continue;
        }
      }
      if (entry.deleted && !opt_.include_deleted) {
        ++out.image_entry_counts["deleted"];
        continue;
      }
      if (!opt_.excludes.empty() && excluded(opt_, path)) {
        skip(out, path, SkipReason::Excluded, S_ISDIR(st.st_mode) ? "directory" : "");
        continue;
      }
      if (S_ISDIR(st.st_mode)) {
        if (entry.deleted) {  // a deleted directory's entries are reached through its listing, if at all
          ++out.image_entry_counts["deleted"];
          continue;
        }
        if (static_cast<std::uint64_t>(st.st_dev) != listing->device && !enter_mount(out, path, rel)) continue;
        subdirs.push_back(std::move(rel));
      } else if (S_ISREG(st.st_mode)) {
        if (entry.deleted && !entry.recoverable) {  // its metadata was reused or lost: nothing to read
          ++out.image_entry_counts["deleted_unrecoverable"];
          continue;
        }
        add_file(out, std::move(rel), std::move(path), st, entry.deleted);
      } else if (S_ISLNK(st.st_mode)) {
        on_symlink(out, entry.link_target, rel, path);
      } else {
        // Devices are routine in /dev: counted. FIFOs and sockets in a scanned tree are listed.
        bool device = S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode);
        skip(out, path, SkipReason::SpecialFile, std::string(special_kind(st.st_mode)), !device);
      }
    }
  }

  /// A directory on another device: refuse pseudo file systems, network and FUSE ones unless
  /// --include-network-fs, and all mounts with --one-file-system.
  bool enter_mount(WalkResult& out, const std::string& path, const std::string& rel) const {
    if (opt_.one_file_system) {
      skip(out, path, SkipReason::OtherFilesystem, "mount point");
      return false;
    }
    auto foreign = root_.foreign_filesystem(rel);
    if (!foreign) return true;
    switch (foreign->fs_class) {
      case io::FsClass::Pseudo:
        skip(out, path, SkipReason::PseudoFilesystem, std::move(foreign->description));
        return false;
      case io::FsClass::Network:
        if (opt_.include_network_fs) return true;
        skip(out, path, SkipReason::NetworkFilesystem, std::move(foreign->description));
        return false;
      case io::FsClass::Fuse:
        if (opt_.include_network_fs) return true;
        skip(out, path, SkipReason::FuseFilesystem, std::move(foreign->description));
        return false;
      case io::FsClass::Local: return true;
    }
    return true;
  }

  void add_file(WalkResult& out, std::string rel, std::string path, const struct stat& st, bool deleted) const {
    if (st.st_size == 0) {
      ++out.empty_files;
      return;
    }
    if (skip_if_too_large(path, static_cast<std::uint64_t>(st.st_size), opt_.max_file_size, out)) return;
    out.files.push_back(file_ref(root_index_, std::move(rel), std::move(path), st));
    out.files.back().deleted = deleted;
  }

  void on_symlink(WalkResult& out, const std::string& target, const std::string& rel, const std::string& path) const {
    LinkResolution r = resolve_link(rel, target);
    if (r.escapes) {
      skip(out, path, SkipReason::Symlink, "not followed: target '" + target + "' leads outside the scan root");
    } else if (r.absolute && !root_is_slash_) {
      skip(out, path, SkipReason::Symlink,
           "not followed: absolute target '" + target + "' (inside the root it is '/" + r.resolved + "')");
    } else {
      skip(out, path, SkipReason::Symlink, "", false);
    }
  }

  const io::FileSource& root_;
  std::size_t root_index_;
  const WalkOptions& opt_;
  WalkResult& out_;
  bool root_is_slash_ = false;
  std::mutex m_;
  std::condition_variable cv_;
  std::deque<DirTask> tasks_;      ///< every directory met (stable addresses; guarded by m_)
  std::vector<DirTask*> pending_;  ///< to be listed, the next on top (guarded by m_)
  std::size_t busy_ = 0;           ///< directories being listed (guarded by m_)
  bool stopped_ = false;           ///< WalkOptions::stop was seen, or a listing threw (guarded by m_)
  std::exception_ptr failure_;     ///< what a listing threw (guarded by m_)
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
