#include "discover/walker.hpp"

#include <fnmatch.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <exception>
#include <iterator>
#include <memory>
#include <new>
#include <mutex>
#include <system_error>
#include <thread>
#include <utility>

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

/// What the walk holds only until its result is made (the files each thread listed, the
/// directories' parts): objects in blocks mapped for them alone, given back whole to the system
/// at the end, with stable addresses. From the heap, where the walk also makes the result's
/// path strings, they left it in pieces that the scan's large buffers could not use: with its
/// findings in heap vectors, a walk on several threads made the first scan of /usr 7 % slower
/// (10 % and twice the page faults for the one reverted in eb9ab9c; docs/performance.md,
/// "eleventh round").
template <class T>
class MappedBlocks {
 public:
  MappedBlocks() = default;
  MappedBlocks(const MappedBlocks&) = delete;
  MappedBlocks& operator=(const MappedBlocks&) = delete;
  MappedBlocks(MappedBlocks&& other) noexcept
      : blocks_(std::exchange(other.blocks_, {})), size_(std::exchange(other.size_, 0)) {}
  MappedBlocks& operator=(MappedBlocks&&) = delete;
  ~MappedBlocks() {
    for (std::size_t i = 0; i < size_; ++i) (*this)[i].~T();
    for (void* block : blocks_) ::munmap(block, kBlockBytes);
  }

  [[nodiscard]] std::size_t size() const noexcept { return size_; }
  T& operator[](std::size_t i) noexcept { return static_cast<T*>(blocks_[i / kPerBlock])[i % kPerBlock]; }
  /// The new last object, made from `args`.
  template <class... Args>
  T& emplace_back(Args&&... args) {
    if (size_ == blocks_.size() * kPerBlock) {
      blocks_.reserve(blocks_.size() + 1);  // (so that push_back cannot throw with the block unrecorded)
      void* block = ::mmap(nullptr, kBlockBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                           -1, 0);
      if (block == MAP_FAILED) throw std::bad_alloc();
      blocks_.push_back(block);
    }
    T* slot = static_cast<T*>(blocks_[size_ / kPerBlock]) + size_ % kPerBlock;
    T* made = new (slot) T(std::forward<Args>(args)...);
    ++size_;
    return *made;
  }

 private:
  /// Pages are only used as they are written: a block's size bounds nothing but its share of the
  /// address space.
  static constexpr std::size_t kBlockBytes = std::size_t{4} << 20;
  static constexpr std::size_t kPerBlock = kBlockBytes / sizeof(T);
  static_assert(kPerBlock > 0 && alignof(T) <= 4096);
  std::vector<void*> blocks_;
  std::size_t size_ = 0;
};

/// One directory of the walk: what listing it added (files, skips, errors, counts, exactly as a
/// walk of that directory alone would) and its subdirectories, in name order. The walk's result
/// is these parts in pre-order (a directory's own entries, then each subdirectory's walk), so it
/// does not depend on which thread listed what.
struct DirPart {
  std::string relative;
  WalkResult out;  ///< all but the files, which are in the blocks of the thread that listed it:
  std::size_t lister = 0, first_file = 0, end_file = 0;
  std::vector<DirPart*> children;
};

class Walker {
 public:
  Walker(const io::FileSource& root, std::size_t root_index, const WalkOptions& opt)
      : root_(root), root_index_(root_index), opt_(opt), root_is_slash_(root.path() == "/") {}

  /// Lists every directory below the root on up to opt_.threads threads (the caller's included),
  /// then appends the parts to `out` in pre-order.
  void run(WalkResult& out) {
    pending_.push_back(&parts_.emplace_back());  // the root: ""
    files_.resize(std::max(1u, opt_.threads));
    {
      std::vector<std::jthread> helpers;
      for (std::size_t t = 1; t < files_.size(); ++t) try {
          helpers.emplace_back([this, t] { work(t); });
        } catch (const std::system_error&) {
          break;  // fewer threads: the ones running list what is left
        }
      work(0);
    }
    if (failure_) std::rethrow_exception(failure_);
    out.interrupted = out.interrupted || interrupted_;
    std::size_t files = out.files.size();
    for (const auto& listed : files_) files += listed.size();
    out.files.reserve(files);
    std::vector<DirPart*> stack{&parts_[0]};
    while (!stack.empty()) {
      DirPart* part = stack.back();
      stack.pop_back();
      MappedBlocks<FileRef>& listed = files_[part->lister];
      for (std::size_t i = part->first_file; i < part->end_file; ++i) out.files.push_back(std::move(listed[i]));
      append(std::exchange(part->out, {}), out);  // (its memory goes as it is taken)
      for (auto it = part->children.rbegin(); it != part->children.rend(); ++it) stack.push_back(*it);
    }
  }

 private:
  /// One thread's share (`lister`: its blocks in files_): the next pending directory (the newest,
  /// as a depth-first walk would take it) until none is pending and none is being listed, or the
  /// walk is stopped or failed.
  void work(std::size_t lister) {
    MappedBlocks<FileRef>& files = files_[lister];
    std::unique_lock lock(mutex_);
    for (;;) {
      changed_.wait(lock, [this] { return ended() || !pending_.empty() || listing_ == 0; });
      if (ended() || pending_.empty()) return;  // (nothing being listed can add any)
      if (opt_.stop && opt_.stop->load(std::memory_order_relaxed) != 0) {
        interrupted_ = true;
        changed_.notify_all();
        return;
      }
      DirPart* part = pending_.back();
      pending_.pop_back();
      ++listing_;
      lock.unlock();
      std::vector<std::string> subdirs;
      std::exception_ptr failed;
      part->first_file = files.size();
      try {
        list_directory(part->relative, part->out, files, subdirs);
      } catch (...) {  // (out of memory): ends the walk, rethrown by run() as a one-thread walk would
        failed = std::current_exception();
      }
      part->lister = lister;
      part->end_file = files.size();
      lock.lock();
      --listing_;
      try {
        if (!failed) queue(*part, subdirs);
      } catch (...) {  // (out of memory as well)
        failed = std::current_exception();
      }
      if (failed && !failure_) failure_ = failed;
      // The end, for every thread; otherwise one more thread per directory this thread does not
      // take itself (waking all on every directory made each listing wake the other threads for
      // nothing: with more threads than cores, that cost more than the listing).
      if (ended() || (pending_.empty() && listing_ == 0))
        changed_.notify_all();
      else
        for (std::size_t i = 1; i < part->children.size(); ++i) changed_.notify_one();
    }
  }
  [[nodiscard]] bool ended() const { return interrupted_ || failure_; }

  /// `part`'s subdirectories, found by its listing, become parts to list (under mutex_).
  void queue(DirPart& part, std::vector<std::string>& subdirs) {
    part.children.reserve(subdirs.size());
    for (auto& rel : subdirs) {
      DirPart& child = parts_.emplace_back();  // (the parts being listed stay where they are)
      child.relative = std::move(rel);
      part.children.push_back(&child);
    }
    for (auto it = part.children.rbegin(); it != part.children.rend(); ++it) pending_.push_back(*it);
  }

  /// Appends the result of one directory but its files to the walk's.
  static void append(WalkResult part, WalkResult& out) {
    std::ranges::move(part.skipped, std::back_inserter(out.skipped));
    std::ranges::move(part.errors, std::back_inserter(out.errors));
    for (const auto& [reason, n] : part.skip_counts) out.skip_counts[reason] += n;
    for (const auto& [kind, n] : part.image_entry_counts) out.image_entry_counts[kind] += n;
    out.directories += part.directories;
    out.empty_files += part.empty_files;
  }

  static void skip(WalkResult& out, const std::string& path, SkipReason reason, std::string detail,
                   bool listed = true) {
    ++out.skip_counts[std::string(to_string(reason))];
    if (listed) out.skipped.push_back({path, reason, std::move(detail)});
  }

  /// Lists one directory into `out`, its files to be scanned appended to `files`, and returns its
  /// subdirectories to walk (in name order).
  void list_directory(const std::string& dir, WalkResult& out, MappedBlocks<FileRef>& files,
                      std::vector<std::string>& subdirs) const {
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
        add_file(out, files, std::move(rel), std::move(path), st, entry.deleted);
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

  void add_file(WalkResult& out, MappedBlocks<FileRef>& files, std::string rel, std::string path, const struct stat& st,
                bool deleted) const {
    if (skip_if_excluded(path, st, opt_, out)) return;  // (before the empty ones: counted once, here)
    if (st.st_size == 0) {
      ++out.empty_files;
      return;
    }
    if (skip_if_too_large(path, static_cast<std::uint64_t>(st.st_size), opt_.max_file_size, out)) return;
    files.emplace_back(file_ref(root_index_, std::move(rel), std::move(path), st)).deleted = deleted;
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
  bool root_is_slash_;
  std::mutex mutex_;  ///< guards what follows
  std::condition_variable changed_;
  MappedBlocks<DirPart> parts_;    ///< every directory found, the root first
  std::vector<DirPart*> pending_;  ///< found, not yet taken by a thread
  /// The files each thread listed (DirPart::lister), until the walk's list is made of them.
  std::vector<MappedBlocks<FileRef>> files_;
  unsigned listing_ = 0;  ///< taken, being listed
  bool interrupted_ = false;
  std::exception_ptr failure_;  ///< the first exception of a thread's listing
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

bool skip_if_excluded(const std::string& path, const struct stat& st, const WalkOptions& opt, WalkResult& out) {
  const auto own = std::ranges::find_if(opt.excluded_files, [&](const ExcludedFile& f) {
    return f.device == static_cast<std::uint64_t>(st.st_dev) && f.inode == static_cast<std::uint64_t>(st.st_ino);
  });
  if (own == opt.excluded_files.end()) return false;
  ++out.skip_counts[std::string(to_string(SkipReason::Excluded))];
  out.skipped.push_back({path, SkipReason::Excluded, own->detail});
  return true;
}

bool skip_if_too_large(const std::string& path, std::uint64_t size, std::uint64_t max_file_size, WalkResult& out) {
  if (max_file_size == 0 || size <= max_file_size) return false;
  ++out.skip_counts[std::string(to_string(SkipReason::TooLarge))];
  out.skipped.push_back({path, SkipReason::TooLarge, std::to_string(size) + " bytes"});
  return true;
}

void walk(const io::FileSource& root, std::size_t root_index, const WalkOptions& options, WalkResult& out) {
  Walker(root, root_index, options).run(out);
}

}  // namespace trustscan::discover
