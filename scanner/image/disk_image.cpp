// libtsk (The Sleuth Kit) is included only in this file: image formats, partition tables, file
// systems. Every TSK object is used by one thread at a time (see the header's file comment).
#include "image/disk_image.hpp"

#include "core/utf16.hpp"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <set>
#include <string_view>
#include <unordered_map>

#include "image/ewf_hashes.hpp"
#include "io/file_access.hpp"
#include "image/libraries.hpp"
#include "io/hashing.hpp"

namespace trustscan::image {
namespace {

/// Bytes read per tsk_fs_file_read call: large enough to bypass libtsk's 64 KiB image cache (a
/// read that does not fit goes straight to the image reader) and to read whole runs at once.
constexpr std::size_t kReadChunk = 4u << 20;
/// NTFS: MFT entries below this are the file system's own files ($MFT ... $Extend, reserved).
constexpr TSK_INUM_T kNtfsFirstUserEntry = 24;
/// HFS+: catalog node IDs below this are the volume's special files.
constexpr TSK_INUM_T kHfsFirstUserId = 16;
/// NTFS $Volume (MFT entry 3) and its $VOLUME_NAME attribute (type 0x60).
constexpr TSK_INUM_T kNtfsVolumeEntry = 3;
constexpr auto kNtfsVolumeName = static_cast<TSK_FS_ATTR_TYPE_ENUM>(0x60);

/// The current thread's libtsk error (its error state is thread-local), then cleared.
std::string tsk_message() {
  const char* m = tsk().tsk_error_get();
  std::string s = m && *m ? m : "unknown libtsk error";
  tsk().tsk_error_reset();
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  for (char& c : s)
    if (c == '\n') c = ' ';
  return s;
}

struct ImgCloser {
  void operator()(TSK_IMG_INFO* p) const noexcept { tsk().tsk_img_close(p); }
};
struct VsCloser {
  void operator()(TSK_VS_INFO* p) const noexcept { tsk().tsk_vs_close(p); }
};
struct FsCloser {
  void operator()(TSK_FS_INFO* p) const noexcept { tsk().tsk_fs_close(p); }
};
struct FileCloser {
  void operator()(TSK_FS_FILE* p) const noexcept { tsk().tsk_fs_file_close(p); }
};
struct DirCloser {
  void operator()(TSK_FS_DIR* p) const noexcept { tsk().tsk_fs_dir_close(p); }
};
using ImgPtr = std::unique_ptr<TSK_IMG_INFO, ImgCloser>;
using VsPtr = std::unique_ptr<TSK_VS_INFO, VsCloser>;
using FsPtr = std::unique_ptr<TSK_FS_INFO, FsCloser>;
using FilePtr = std::unique_ptr<TSK_FS_FILE, FileCloser>;
using DirPtr = std::unique_ptr<TSK_FS_DIR, DirCloser>;

std::string utf16le_to_utf8(const unsigned char* p, std::size_t bytes) {
  return utf16_to_utf8(std::as_bytes(std::span(p, bytes)), ByteOrder::Little, bytes * 2);
}

std::string trim_label(std::string s) {
  if (auto nul = s.find('\0'); nul != std::string::npos) s.resize(nul);
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

/// The volume label, where this file system keeps one in a fixed place; "" otherwise.
std::string volume_label(TSK_FS_INFO* fs) {
  if (TSK_FS_TYPE_ISEXT(fs->ftype)) {
    // ext2/3/4 superblock (byte 1024 of the volume): s_volume_name at +0x78, 16 bytes.
    char name[16];
    if (tsk().tsk_fs_read(fs, 1024 + 0x78, name, sizeof name) != static_cast<ssize_t>(sizeof name)) {
      tsk().tsk_error_reset();
      return {};
    }
    return trim_label(std::string(name, sizeof name));
  }
  if (TSK_FS_TYPE_ISFAT(fs->ftype)) {
    // Boot sector: extended boot signature 0x29, then the 11-byte label (FAT32 at 0x47, else 0x2b).
    unsigned char boot[512];
    if (tsk().tsk_fs_read(fs, 0, reinterpret_cast<char*>(boot), sizeof boot) != static_cast<ssize_t>(sizeof boot)) {
      tsk().tsk_error_reset();
      return {};
    }
    bool fat32 = fs->ftype == TSK_FS_TYPE_FAT32;
    std::size_t sig = fat32 ? 0x42 : 0x26, at = fat32 ? 0x47 : 0x2b;
    if (boot[sig] != 0x29) return {};
    std::string label = trim_label(std::string(reinterpret_cast<const char*>(boot + at), 11));
    return label == "NO NAME" ? std::string() : label;
  }
  if (TSK_FS_TYPE_ISNTFS(fs->ftype)) {
    FilePtr vol(tsk().tsk_fs_file_open_meta(fs, nullptr, kNtfsVolumeEntry));
    if (!vol) {
      tsk().tsk_error_reset();
      return {};
    }
    const TSK_FS_ATTR* attr = tsk().tsk_fs_file_attr_get_type(vol.get(), kNtfsVolumeName, 0, 0);
    if (!attr || attr->size <= 0 || attr->size > 512) {
      tsk().tsk_error_reset();
      return {};
    }
    unsigned char buf[512];
    ssize_t n = tsk().tsk_fs_attr_read(attr, 0, reinterpret_cast<char*>(buf), static_cast<size_t>(attr->size),
                                       TSK_FS_FILE_READ_FLAG_NONE);
    if (n <= 0) {
      tsk().tsk_error_reset();
      return {};
    }
    return utf16le_to_utf8(buf, static_cast<std::size_t>(n));
  }
  return {};  // HFS+ (the root folder's name), exFAT (a directory entry): not read
}

/// Benchmarks only: TRUSTSCAN_IMAGE_HANDLES=N caps the handles per volume (1 = every read of the
/// volume behind one lock, the alternative measured in docs/disk-images.md). 0/unset = no cap.
std::size_t handle_cap() {
  const char* v = std::getenv("TRUSTSCAN_IMAGE_HANDLES");
  if (!v || !*v) return 0;
  char* end = nullptr;
  unsigned long n = std::strtoul(v, &end, 10);
  return end && *end == '\0' ? static_cast<std::size_t>(n) : 0;
}

/// The image's files and how to reopen them (every pool handle opens its own TSK_IMG_INFO).
struct ImageFiles {
  std::string path;
  std::vector<std::string> files;
  TSK_IMG_TYPE_ENUM type = TSK_IMG_TYPE_DETECT;
  unsigned sector_size = 0;

  Result<ImgPtr> open() const {
    std::vector<const char*> names;
    names.reserve(files.size());
    for (const auto& f : files) names.push_back(f.c_str());
    ImgPtr img(tsk().tsk_img_open_utf8(static_cast<int>(names.size()), names.data(), type, sector_size));
    if (!img) return fail(Errc::Io, "cannot open image " + path + ": " + tsk_message());
    return img;
  }
};

/// Private TSK handles of one volume, lent to one thread at a time.
class HandlePool : public std::enable_shared_from_this<HandlePool> {
 public:
  struct Handle {
    ImgPtr img;
    FsPtr fs;
  };

  /// A borrowed handle; given back when destroyed.
  class Lease {
   public:
    Lease(std::shared_ptr<HandlePool> pool, std::unique_ptr<Handle> h) : pool_(std::move(pool)), h_(std::move(h)) {}
    Lease(Lease&&) noexcept = default;
    Lease& operator=(Lease&&) noexcept = delete;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease() {
      if (h_) pool_->give_back(std::move(h_));
    }
    [[nodiscard]] TSK_FS_INFO* fs() const noexcept { return h_->fs.get(); }

   private:
    std::shared_ptr<HandlePool> pool_;
    std::unique_ptr<Handle> h_;
  };

  HandlePool(std::shared_ptr<const ImageFiles> image, std::uint64_t offset, TSK_FS_TYPE_ENUM type)
      : image_(std::move(image)), offset_(offset), type_(type), cap_(handle_cap()) {}

  Result<Lease> borrow() {
    std::unique_lock lock(mu_);
    if (cap_ != 0) cv_.wait(lock, [&] { return !free_.empty() || opened_ < cap_; });
    if (!free_.empty()) {
      auto h = std::move(free_.back());
      free_.pop_back();
      return Lease(shared_from_this(), std::move(h));
    }
    ++opened_;
    lock.unlock();
    auto h = open_handle();
    if (!h) {
      std::lock_guard relock(mu_);
      --opened_;
      cv_.notify_one();
      return std::unexpected(h.error());
    }
    return Lease(shared_from_this(), std::move(*h));
  }

 private:
  Result<std::unique_ptr<Handle>> open_handle() const {
    auto img = image_->open();
    if (!img) return std::unexpected(img.error());
    FsPtr fs(tsk().tsk_fs_open_img(img->get(), static_cast<TSK_OFF_T>(offset_), type_));
    if (!fs) return fail(Errc::Io, "cannot open the file system again: " + tsk_message());
    return std::make_unique<Handle>(Handle{std::move(*img), std::move(fs)});
  }

  void give_back(std::unique_ptr<Handle> h) {
    std::lock_guard lock(mu_);
    free_.push_back(std::move(h));
    cv_.notify_one();
  }

  std::shared_ptr<const ImageFiles> image_;
  std::uint64_t offset_;
  TSK_FS_TYPE_ENUM type_;
  std::size_t cap_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Handle>> free_;
  std::size_t opened_ = 0;
};

/// One open file: it keeps its handle until closed.
class VolumeFile final : public io::SourceFile {
 public:
  VolumeFile(HandlePool::Lease lease, FilePtr file) : lease_(std::move(lease)), file_(std::move(file)) {}
  VolumeFile(const VolumeFile&) = delete;
  VolumeFile& operator=(const VolumeFile&) = delete;
  ~VolumeFile() override { file_.reset(); }  // before the lease gives the handle back

  Result<std::vector<std::byte>> read_prefix(std::size_t max) override {
    std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(max, meta_size()));
    std::vector<std::byte> buf(want);
    if (want == 0) return buf;
    ssize_t n = tsk().tsk_fs_file_read(file_.get(), 0, reinterpret_cast<char*>(buf.data()), want,
                                       TSK_FS_FILE_READ_FLAG_NONE);
    if (n < 0) return fail(Errc::Io, "read: " + read_error());
    buf.resize(static_cast<std::size_t>(n));
    return buf;
  }

  Result<io::FileContents> read_all(std::uint64_t max_size) override {
    std::uint64_t total = meta_size();
    if (max_size != 0 && total > max_size)
      return fail(Errc::TooLarge, std::to_string(total) + " bytes is above the size limit");
    std::vector<std::uint8_t> data(static_cast<std::size_t>(total));  // a vector: what LIEF's API takes
    std::uint64_t got = 0;
    while (got < total) {
      auto want = static_cast<std::size_t>(std::min<std::uint64_t>(kReadChunk, total - got));
      ssize_t n = tsk().tsk_fs_file_read(file_.get(), static_cast<TSK_OFF_T>(got),
                                         reinterpret_cast<char*>(data.data() + got), want, TSK_FS_FILE_READ_FLAG_NONE);
      if (n < 0) return fail(Errc::Io, "read at offset " + std::to_string(got) + ": " + read_error());
      if (n == 0)
        return fail(Errc::Io,
                    "read at offset " + std::to_string(got) + ": no data (of " + std::to_string(total) + " bytes)");
      got += static_cast<std::uint64_t>(n);
    }
    return io::FileContents::adopt(std::move(data));
  }

  Result<std::uint64_t> size() override { return meta_size(); }

  Result<std::size_t> read_at(std::uint64_t offset, std::span<std::byte> out) override {
    const std::uint64_t total = meta_size();
    if (offset >= total || out.empty()) return std::size_t{0};
    const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(out.size(), total - offset));
    ssize_t n = tsk().tsk_fs_file_read(file_.get(), static_cast<TSK_OFF_T>(offset), reinterpret_cast<char*>(out.data()),
                                       want, TSK_FS_FILE_READ_FLAG_NONE);
    if (n < 0) return fail(Errc::Io, "read at offset " + std::to_string(offset) + ": " + read_error());
    return static_cast<std::size_t>(n);
  }

 private:
  /// libtsk's message, and what it means when the image ends before the file system does.
  [[nodiscard]] std::string read_error() const {
    const TSK_FS_INFO* fs = lease_.fs();
    std::string m = tsk_message();
    return fs->last_block_act < fs->last_block ? "beyond the end of the truncated image (" + m + ")" : m;
  }

  [[nodiscard]] std::uint64_t meta_size() const noexcept {
    return file_->meta && file_->meta->size > 0 ? static_cast<std::uint64_t>(file_->meta->size) : 0;
  }

  HandlePool::Lease lease_;
  FilePtr file_;  // declared after lease_: closed before the handle goes back
};

mode_t meta_type_bits(TSK_FS_META_TYPE_ENUM t) {
  switch (t) {
    case TSK_FS_META_TYPE_REG: return S_IFREG;
    case TSK_FS_META_TYPE_DIR:
    case TSK_FS_META_TYPE_VIRT_DIR: return S_IFDIR;
    case TSK_FS_META_TYPE_LNK: return S_IFLNK;
    case TSK_FS_META_TYPE_FIFO: return S_IFIFO;
    case TSK_FS_META_TYPE_CHR: return S_IFCHR;
    case TSK_FS_META_TYPE_BLK: return S_IFBLK;
    case TSK_FS_META_TYPE_SOCK: return S_IFSOCK;
    case TSK_FS_META_TYPE_VIRT: return S_IFREG;
    default: return 0;
  }
}

mode_t name_type_bits(TSK_FS_NAME_TYPE_ENUM t) {
  switch (t) {
    case TSK_FS_NAME_TYPE_REG:
    case TSK_FS_NAME_TYPE_VIRT: return S_IFREG;
    case TSK_FS_NAME_TYPE_DIR:
    case TSK_FS_NAME_TYPE_VIRT_DIR: return S_IFDIR;
    case TSK_FS_NAME_TYPE_LNK: return S_IFLNK;
    case TSK_FS_NAME_TYPE_FIFO: return S_IFIFO;
    case TSK_FS_NAME_TYPE_CHR: return S_IFCHR;
    case TSK_FS_NAME_TYPE_BLK: return S_IFBLK;
    case TSK_FS_NAME_TYPE_SOCK: return S_IFSOCK;
    default: return 0;
  }
}

unsigned char d_type_of(TSK_FS_NAME_TYPE_ENUM t) {
  switch (t) {
    case TSK_FS_NAME_TYPE_REG: return DT_REG;
    case TSK_FS_NAME_TYPE_DIR: return DT_DIR;
    case TSK_FS_NAME_TYPE_LNK: return DT_LNK;
    case TSK_FS_NAME_TYPE_FIFO: return DT_FIFO;
    case TSK_FS_NAME_TYPE_CHR: return DT_CHR;
    case TSK_FS_NAME_TYPE_BLK: return DT_BLK;
    case TSK_FS_NAME_TYPE_SOCK: return DT_SOCK;
    default: return DT_UNKNOWN;
  }
}

/// The file system's own entries and the reader's virtual ones: never user files.
bool fs_internal(const TSK_FS_INFO* fs, const TSK_FS_NAME& name, const TSK_FS_META* meta, bool in_root) {
  if (name.type == TSK_FS_NAME_TYPE_VIRT || name.type == TSK_FS_NAME_TYPE_VIRT_DIR) return true;
  if (meta && (meta->type == TSK_FS_META_TYPE_VIRT || meta->type == TSK_FS_META_TYPE_VIRT_DIR)) return true;
  if (!in_root || !name.name) return false;
  std::string_view n = name.name;
  // libtsk lists FAT's volume label directory entry as a file named "<label> (Volume Label Entry)".
  if (TSK_FS_TYPE_ISFAT(fs->ftype)) return n.ends_with(" (Volume Label Entry)");
  if (TSK_FS_TYPE_ISNTFS(fs->ftype)) return n.starts_with('$') && name.meta_addr < kNtfsFirstUserEntry;
  if (TSK_FS_TYPE_ISHFS(fs->ftype))
    return (n.starts_with('$') && name.meta_addr < kHfsFirstUserId) || n.find("HFS+ Private") != std::string_view::npos;
  return false;
}

/// A scanned volume: the walk, the analysis and the Windows loader read it through this.
class VolumeSource final : public io::FileSource {
 public:
  VolumeSource(std::shared_ptr<HandlePool> pool, std::string root, std::uint64_t device)
      : pool_(std::move(pool)), root_(std::move(root)), device_(device) {}

  const std::string& path() const noexcept override { return root_; }

  Result<io::DirListing> scan_dir(const std::string& relative) const override {
    auto lease = pool_->borrow();
    if (!lease) return std::unexpected(lease.error());
    TSK_FS_INFO* fs = lease->fs();
    auto dir = open_dir(fs, relative);
    if (!dir) return std::unexpected(dir.error());
    io::DirListing out;
    out.device = device_;
    const bool in_root = relative.empty();
    std::size_t n = tsk().tsk_fs_dir_getsize(dir->get());
    std::set<std::pair<std::string, TSK_INUM_T>> allocated;  // name, meta: to drop stale duplicates
    for (std::size_t i = 0; i < n; ++i) {
      FilePtr f(tsk().tsk_fs_dir_get(dir->get(), i));
      if (!f || !f->name) {
        tsk().tsk_error_reset();
        continue;
      }
      const TSK_FS_NAME& name = *f->name;
      if (!name.name || !*name.name) continue;
      std::string_view nm = name.name;
      if (nm == "." || nm == "..") continue;
      io::EntryStat e;
      e.name = name.name;
      if (nm.find('/') != std::string_view::npos) {  // HFS+ allows it; a path cannot hold it
        e.stat_error = "the name contains '/', which a path below the root cannot express";
        out.entries.push_back(std::move(e));
        continue;
      }
      e.deleted = (name.flags & TSK_FS_NAME_FLAG_UNALLOC) != 0;
      const TSK_FS_META* meta = f->meta;
      e.fs_internal = fs_internal(fs, name, meta, in_root);
      if (e.deleted) {
        // Recoverable: the metadata is still this file's (not reused by another one: unallocated,
        // and on NTFS the same sequence number) and says where the content is.
        e.recoverable = meta && (meta->flags & TSK_FS_META_FLAG_UNALLOC) &&
                        (!TSK_FS_TYPE_ISNTFS(fs->ftype) || meta->seq == name.meta_seq) &&
                        tsk().tsk_fs_file_attr_get(f.get()) != nullptr;
        tsk().tsk_error_reset();
      } else {
        allocated.emplace(e.name, name.meta_addr);
      }
      mode_t type = meta ? meta_type_bits(meta->type) : 0;
      if (type == 0) type = name_type_bits(name.type);
      if (!meta && !e.deleted) {
        e.stat_error = "no metadata for this entry (inode " + std::to_string(name.meta_addr) + "): " + tsk_message();
      } else if (type == 0) {
        e.st.st_mode = S_IFSOCK;  // neither a file nor a directory: never opened (special_file)
      }
      if (type != 0) e.st.st_mode = type | static_cast<mode_t>(meta && !e.deleted ? (meta->mode & 07777) : 0);
      e.st.st_ino = name.meta_addr;
      e.st.st_dev = static_cast<dev_t>(device_);
      if (meta && (!e.deleted || e.recoverable)) {
        e.st.st_size = meta->size > 0 ? static_cast<off_t>(meta->size) : 0;
        e.st.st_nlink = static_cast<nlink_t>(std::max(meta->nlink, 0));
        e.st.st_uid = static_cast<uid_t>(meta->uid);
        e.st.st_gid = static_cast<gid_t>(meta->gid);
        e.st.st_mtim = {meta->mtime, static_cast<long>(meta->mtime_nano)};
        e.st.st_ctim = {meta->ctime, static_cast<long>(meta->ctime_nano)};
        if (type == S_IFLNK && meta->link) e.link_target = meta->link;
      }
      if (type == S_IFDIR && !e.deleted) remember_dir(join(relative, e.name), name.meta_addr);
      out.entries.push_back(std::move(e));
    }
    // A deleted entry with the name and inode of a live one is a stale copy of it (NTFS index
    // slack, an ext4 entry re-added): not a second file.
    std::erase_if(out.entries, [&](const io::EntryStat& e) {
      return e.deleted && allocated.contains({e.name, static_cast<TSK_INUM_T>(e.st.st_ino)});
    });
    std::ranges::stable_sort(out.entries, {}, &io::EntryStat::name);
    return out;
  }

  Result<std::vector<io::DirEntry>> list(const std::string& relative, std::size_t max_entries) const override {
    auto lease = pool_->borrow();
    if (!lease) return std::unexpected(lease.error());
    auto dir = open_dir(lease->fs(), relative);
    if (!dir) return std::unexpected(dir.error());
    std::vector<io::DirEntry> out;
    std::size_t n = tsk().tsk_fs_dir_getsize(dir->get());
    for (std::size_t i = 0; i < n; ++i) {
      const TSK_FS_NAME* name = tsk().tsk_fs_dir_get_name(dir->get(), i);
      if (!name || !name->name || !*name->name || (name->flags & TSK_FS_NAME_FLAG_UNALLOC)) continue;
      if (name->type == TSK_FS_NAME_TYPE_VIRT || name->type == TSK_FS_NAME_TYPE_VIRT_DIR) continue;
      std::string_view nm = name->name;
      if (nm == "." || nm == ".." || nm.find('/') != std::string_view::npos) continue;  // scan_dir reports those
      if (out.size() >= max_entries)
        return fail(Errc::TooLarge, relative + ": more than " + std::to_string(max_entries) + " entries");
      out.push_back({std::string(nm), d_type_of(name->type)});
      if (name->type == TSK_FS_NAME_TYPE_DIR) remember_dir(join(relative, out.back().name), name->meta_addr);
    }
    std::ranges::sort(out, {}, &io::DirEntry::name);
    return out;
  }

  Result<std::unique_ptr<io::SourceFile>> open_file(const std::string& relative, std::uint64_t inode) const override {
    auto lease = pool_->borrow();
    if (!lease) return std::unexpected(lease.error());
    TSK_FS_INFO* fs = lease->fs();
    TSK_INUM_T inum = inode;
    if (inum == 0) {
      int8_t r = tsk().tsk_fs_path2inum(fs, ("/" + relative).c_str(), &inum, nullptr);
      if (r != 0) return fail(Errc::Io, "open " + relative + ": " + (r > 0 ? "no such file" : tsk_message()));
    }
    FilePtr f(tsk().tsk_fs_file_open_meta(fs, nullptr, inum));
    if (!f || !f->meta)
      return fail(Errc::Io, std::string("cannot read the file's metadata") +
                                (fs->last_block_act < fs->last_block ? " (the image is truncated)" : "") + ": " +
                                tsk_message());
    if (f->meta->type != TSK_FS_META_TYPE_REG)
      return fail(Errc::Unsupported, "open " + relative + ": not a regular file");
    return std::make_unique<VolumeFile>(std::move(*lease), std::move(f));
  }

 private:
  static std::string join(const std::string& dir, const std::string& name) {
    return dir.empty() ? name : dir + "/" + name;
  }

  void remember_dir(std::string relative, TSK_INUM_T inum) const {
    std::lock_guard lock(dirs_mu_);
    dir_inums_.try_emplace(std::move(relative), inum);
  }

  /// The directory `relative`, by the inode its parent's listing gave, else by path.
  Result<DirPtr> open_dir(TSK_FS_INFO* fs, const std::string& relative) const {
    TSK_INUM_T inum = fs->root_inum;
    if (!relative.empty()) {
      std::unique_lock lock(dirs_mu_);
      auto it = dir_inums_.find(relative);
      if (it != dir_inums_.end()) {
        inum = it->second;
      } else {
        lock.unlock();
        int8_t r = tsk().tsk_fs_path2inum(fs, ("/" + relative).c_str(), &inum, nullptr);
        if (r != 0) return fail(Errc::Io, "open " + relative + ": " + (r > 0 ? "no such directory" : tsk_message()));
      }
    }
    DirPtr dir(tsk().tsk_fs_dir_open_meta(fs, inum));
    if (!dir)
      return fail(Errc::Io, std::string("cannot read the directory") +
                                (fs->last_block_act < fs->last_block ? " (the image is truncated)" : "") + ": " +
                                tsk_message());
    return dir;
  }

  std::shared_ptr<HandlePool> pool_;
  std::string root_;
  std::uint64_t device_;
  mutable std::mutex dirs_mu_;
  mutable std::unordered_map<std::string, TSK_INUM_T> dir_inums_;
};

/// The image type a file's magic announces (EWF, VMDK, VHD), else TSK_IMG_TYPE_DETECT.
Result<TSK_IMG_TYPE_ENUM> container_type(const std::string& path) {
  auto fd = io::open_root_file(path);
  if (!fd) return std::unexpected(fd.error());
  io::FdGuard guard(*fd);
  unsigned char head[64] = {};
  ssize_t n = ::pread(*fd, head, sizeof head, 0);
  auto starts = [&](std::string_view magic) {
    return n >= static_cast<ssize_t>(magic.size()) && std::memcmp(head, magic.data(), magic.size()) == 0;
  };
  using namespace std::string_view_literals;  // the magics hold NUL bytes
  if (starts("EVF\x09\x0d\x0a\xff\x00"sv) || starts("LVF\x09\x0d\x0a\xff\x00"sv)) return TSK_IMG_TYPE_EWF_EWF;
  if (starts("KDMV") || starts("# Disk DescriptorFile")) return TSK_IMG_TYPE_VMDK_VMDK;
  if (starts("conectix")) return TSK_IMG_TYPE_VHD_VHD;  // dynamic VHD: a footer copy at the start
  struct stat st {};
  if (::fstat(*fd, &st) == 0 && st.st_size >= 512) {  // fixed VHD: the footer is the last sector
    char foot[8] = {};
    if (::pread(*fd, foot, sizeof foot, st.st_size - 512) == 8 && std::memcmp(foot, "conectix", 8) == 0)
      return TSK_IMG_TYPE_VHD_VHD;
  }
  return TSK_IMG_TYPE_DETECT;
}

/// Opens the file system of volume `v` in `img` and describes it in `v`; returns it (or null).
FsPtr probe_volume(TSK_IMG_INFO* img, Volume& v) {
  FsPtr fs(tsk().tsk_fs_open_img(img, static_cast<TSK_OFF_T>(v.offset), TSK_FS_TYPE_DETECT));
  if (!fs) {
    v.error = Error{Errc::Unsupported, "no file system recognised: " + tsk_message(), "image"};
    return nullptr;
  }
  v.fs_type = tsk().tsk_fs_type_toname(fs->ftype);
  v.label = volume_label(fs.get());
  if (fs->last_block_act < fs->last_block)
    v.warnings.push_back("image truncated: the file system has " + std::to_string(fs->last_block + 1) + " blocks of " +
                         std::to_string(fs->block_size) + " bytes, the image holds " +
                         std::to_string(fs->last_block_act + 1) + "; what lies beyond its end cannot be read");
  return fs;
}

/// The allocated partitions of the image's volume system as volumes 1..n, or the whole image as
/// volume 0 when libtsk finds no volume system (`vs_error` then says why). Returns whether a
/// volume system was found.
bool list_volumes(TSK_IMG_INFO* img, ImageInfo& info, std::string& vs_error) {
  VsPtr vs(tsk().tsk_vs_open(img, 0, TSK_VS_TYPE_DETECT));
  if (vs) {
    info.volume_system = tsk().tsk_vs_type_toname(vs->vstype);
    unsigned number = 0;
    for (TSK_PNUM_T i = 0; i < vs->part_count; ++i) {
      const TSK_VS_PART_INFO* part = tsk().tsk_vs_part_get(vs.get(), i);
      if (!part || !(part->flags & TSK_VS_PART_FLAG_ALLOC)) continue;
      Volume v;
      v.number = ++number;
      v.offset = static_cast<std::uint64_t>(part->start) * vs->block_size + static_cast<std::uint64_t>(vs->offset);
      v.length = static_cast<std::uint64_t>(part->len) * vs->block_size;
      v.description = part->desc ? part->desc : "";
      info.volumes.push_back(std::move(v));
    }
  } else {
    vs_error = tsk_message();
    Volume v;
    v.length = info.size;
    info.volumes.push_back(std::move(v));
  }
  tsk().tsk_error_reset();
  return vs != nullptr;
}

/// --partition: marks the selected volumes; a number the image does not have is an error.
void select_partitions(ImageInfo& info, const std::vector<unsigned>& partitions) {
  if (partitions.empty()) return;
  for (Volume& v : info.volumes) v.selected = std::ranges::find(partitions, v.number) != partitions.end();
  for (unsigned n : partitions)
    if (std::ranges::none_of(info.volumes, [&](const Volume& v) { return v.number == n; })) {
      std::string have;
      for (const Volume& v : info.volumes) have += (have.empty() ? "" : ", ") + std::to_string(v.number);
      info.errors.push_back(Error{Errc::Config,
                                  "--partition " + std::to_string(n) + ": the image has no such volume (it has " +
                                      (have.empty() ? "none" : have) + ")",
                                  "image"});
    }
}

/// --hash-image: the SHA-256 of every file of the image ("" and an error for one that cannot be
/// read).
void hash_image_files(ImageInfo& info, const std::vector<std::string>& files) {
  for (const std::string& f : files) {
    auto fd = io::open_root_file(f);
    if (!fd) {
      info.sha256.emplace_back();
      info.errors.push_back(Error{fd.error().code, "--hash-image: " + fd.error().message, "image"});
      continue;
    }
    io::FdGuard guard(*fd);
    auto sum = io::sha256_fd(*fd);
    if (sum) {
      info.sha256.push_back(*sum);
    } else {
      info.sha256.emplace_back();
      info.errors.push_back(Error{sum.error().code, "--hash-image " + f + ": " + sum.error().message, "image"});
    }
  }
}

}  // namespace

struct DiskImage::Impl {
  ImageInfo info;
  std::shared_ptr<const ImageFiles> files;
  std::vector<std::pair<unsigned, std::shared_ptr<HandlePool>>> pools;  ///< by volume number
};

DiskImage::DiskImage(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}
DiskImage::~DiskImage() = default;

const ImageInfo& DiskImage::info() const noexcept { return impl_->info; }

Result<std::unique_ptr<io::FileSource>> DiskImage::source(const Volume& volume, std::string display_root) const {
  for (const auto& [number, pool] : impl_->pools)
    if (number == volume.number)
      return std::make_unique<VolumeSource>(pool, std::move(display_root), std::uint64_t{number} + 1);
  return fail(Errc::Unsupported, "volume " + std::to_string(volume.number) + " holds no readable file system");
}

std::string describe(const Volume& v) {
  std::string out = v.number == 0 ? "whole image" : "partition " + std::to_string(v.number);
  out += " (" + (v.fs_type.empty() ? std::string("no file system") : v.fs_type) + ", offset " +
         std::to_string(v.offset);
  if (!v.label.empty()) out += ", label " + v.label;
  return out + ")";
}

Result<std::shared_ptr<DiskImage>> DiskImage::open(const std::string& path, const OpenOptions& options) {
  auto impl = std::make_shared<Impl>();
  auto files = std::make_shared<ImageFiles>();
  files->path = path;
  // A container format is opened as that format only: a truncated or corrupt E01 must be reported
  // as such, not silently read as a raw file of no known file system.
  auto container = container_type(path);
  if (!container) return std::unexpected(container.error());
  // libtsk is loaded by the first file offered as an image. Without it, nothing tells a raw image
  // from any other file: scanned as one file, a whole disk would be reported as one clean
  // non-binary. An error on the root instead (Config, not Unsupported), whatever its format.
  if (const auto& loaded = load_tsk(); !loaded)
    return fail(Errc::Config, "not scanned: whether it is a disk image cannot be told without libtsk (" +
                                  loaded.error().message + ")");
  ImgPtr img(tsk().tsk_img_open_utf8_sing(path.c_str(), *container, 0));
  if (!img && *container != TSK_IMG_TYPE_DETECT)
    return fail(Errc::Io, std::string("cannot read this ") + tsk().tsk_img_type_toname(*container) +
                              " image (truncated, corrupt, or a segment missing): " + tsk_message());
  if (!img) return fail(Errc::Unsupported, "not a disk image libtsk can open: " + tsk_message());
  files->type = img->itype;
  files->sector_size = img->sector_size;
  for (int i = 0; i < img->num_img; ++i) files->files.emplace_back(img->images[i]);
  if (files->files.empty()) files->files.push_back(path);
  ImageInfo& info = impl->info;
  info.path = path;
  info.format = tsk().tsk_img_type_toname(img->itype);
  info.format_description = tsk().tsk_img_type_todesc(img->itype);
  info.size = static_cast<std::uint64_t>(img->size);
  info.sector_size = img->sector_size;
  info.files = files->files;

  std::string vs_error;
  const bool vs = list_volumes(img.get(), info, vs_error);

  bool any_fs = false;
  for (Volume& v : info.volumes) {
    FsPtr fs = probe_volume(img.get(), v);
    if (!fs) continue;
    any_fs = true;
    impl->pools.emplace_back(v.number, std::make_shared<HandlePool>(files, v.offset, fs->ftype));
  }
  if (!vs && !any_fs && img->itype == TSK_IMG_TYPE_RAW)
    return fail(Errc::Unsupported, "no partition table (" + vs_error + ") and no file system (" +
                                       info.volumes.front().error->message + ") recognised");
  if (!vs && !any_fs) {
    // Say whether the image could not be read at all (a truncated E01 has lost its chunk tables)
    // or was read and holds nothing libtsk knows; the volume's own error is then redundant.
    char sector[512];
    Volume& whole = info.volumes.front();
    if (tsk().tsk_img_read(img.get(), 0, sector, sizeof sector) != static_cast<ssize_t>(sizeof sector))
      whole.error = Error{Errc::Io,
                          "cannot read the " + info.format + " image's data (truncated or damaged): " + tsk_message(),
                          "image"};
    else
      whole.error = Error{Errc::Unsupported,
                          "neither a partition table nor a file system recognised in this " + info.format + " image",
                          "image"};
  }
  impl->files = files;

  select_partitions(info, options.partitions);
  if (options.hash) hash_image_files(info, files->files);
  check_stored_hashes(img.get(), info, options.hash);
  return std::shared_ptr<DiskImage>(new DiskImage(std::move(impl)));
}

std::string sleuthkit_version() {
  const auto& loaded = load_tsk();
  return loaded ? std::string("The Sleuth Kit ") + loaded->tsk_version_get_str() : loaded.error().message;
}

}  // namespace trustscan::image
