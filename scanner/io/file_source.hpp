#pragma once
/// \file
/// Where a scan root's files come from (issue 10): a directory of the host (io::RootDir, opened
/// with openat2 beneath it) or a file system inside a disk image (image/, read through libtsk).
/// discover/, the pipeline's per-file analysis and the Windows-image loader work on this interface
/// only, so that a file inside an E01 goes through exactly the same stages as a file on disk.
///
/// Contract for every implementation:
///  - read-only: nothing is ever written to the source, and no temporary file is created for its
///    content (bytes are read into memory, within the caller's size limit);
///  - relative paths are '/'-separated, without a leading '/' ("" = the root), and never leave the
///    root (".." is not interpreted; symlinks are never followed);
///  - every const member function may be called from several threads at once.

#include <sys/stat.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/byte_source.hpp"
#include "core/error.hpp"
#include "io/fs_type.hpp"

namespace trustscan::io {

/// One directory entry as FileSource::list() returns it.
struct DirEntry {
  std::string name;
  unsigned char type = 0;  ///< d_type (DT_REG, DT_DIR, DT_LNK, ... or DT_UNKNOWN)
};

/// One directory entry with the metadata the walk needs (FileSource::scan_dir).
struct EntryStat {
  std::string name;
  struct stat st {};        ///< valid when stat_error is empty (st_mode carries the file type)
  std::string stat_error;   ///< why the entry could not be stat'ed ("" = it could)
  bool vanished = false;    ///< it could not because it is gone (deleted or renamed since the listing)
  std::string link_target;  ///< a symlink's target as stored ("" when unreadable or not a link)
  /// Only in images: the name is no longer allocated (a deleted file). `recoverable` says whether
  /// its metadata still describes the file, i.e. whether its content can be read back.
  bool deleted = false;
  bool recoverable = false;
  /// Only in images: the file system's own metadata or a virtual entry made up by the reader
  /// ($MFT, $FAT1, $OrphanFiles): not a file anybody stored.
  bool fs_internal = false;
};

/// A directory's entries, sorted by name, and the device it is on (for mount detection).
struct DirListing {
  std::vector<EntryStat> entries;
  std::uint64_t device = 0;
  /// Listing stopped early (a read error part-way): the entries above are still valid.
  std::optional<Error> partial;
};

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
  /// Takes ownership of the bytes that a FileSource read into `data`.
  static FileContents adopt(std::vector<std::uint8_t> data) noexcept { return FileContents(std::move(data)); }

  [[nodiscard]] std::span<const std::byte> bytes() const noexcept { return std::as_bytes(std::span(data_)); }

  /// The bytes as the vector LIEF's API takes (parse::parse_binary patches and restores them in
  /// place). Never resized: bytes() stays valid.
  [[nodiscard]] std::vector<std::uint8_t>& buffer() noexcept { return data_; }

 private:
  explicit FileContents(std::vector<std::uint8_t> data) noexcept : data_(std::move(data)) {}
  std::vector<std::uint8_t> data_;
};

/// One open file of a FileSource. Used by one thread at a time.
class SourceFile {
 public:
  virtual ~SourceFile() = default;
  /// At most `max` bytes from the start of the file (format sniffing).
  [[nodiscard]] virtual Result<std::vector<std::byte>> read_prefix(std::size_t max) = 0;
  /// The whole file. Errc::TooLarge when it is larger than `max_size` (0 = no limit).
  [[nodiscard]] virtual Result<FileContents> read_all(std::uint64_t max_size) = 0;
  /// The file's size now (it may differ from what the walk saw).
  [[nodiscard]] virtual Result<std::uint64_t> size() = 0;
  /// Up to `out.size()` bytes from `offset` (pread(2) semantics: fewer at the end of the file,
  /// 0 beyond it). For files verified without being held whole (StreamedFile).
  [[nodiscard]] virtual Result<std::size_t> read_at(std::uint64_t offset, std::span<std::byte> out) = 0;
};

/// A file of a FileSource as a ByteSource read on demand: what a file above the streaming
/// threshold is verified, hashed and matched through, so that it is never held whole (issue 16).
/// Its size is taken once, when it is made; a file that shrinks afterwards gives Errc::Io on
/// the ranges it lost (a per-file error, never a crash — unlike a mapping, which would raise
/// SIGBUS). Borrows the SourceFile; one thread at a time.
class StreamedFile final : public ByteSource {
 public:
  /// Errc::TooLarge when the file is now larger than `max_size` (0 = no limit).
  static Result<StreamedFile> open(SourceFile& file, std::uint64_t max_size);
  [[nodiscard]] std::uint64_t size() const noexcept override { return size_; }
  [[nodiscard]] Result<std::span<const std::byte>> read(std::uint64_t offset, std::size_t length,
                                                        std::vector<std::byte>& scratch) const override;

 private:
  StreamedFile(SourceFile& file, std::uint64_t size) noexcept : file_(&file), size_(size) {}
  SourceFile* file_;
  std::uint64_t size_;
};

/// A tree of files to scan. See the file comment for the contract.
class FileSource {
 public:
  virtual ~FileSource() = default;

  /// The root as reported: the directory as given, or "IMAGE" / "IMAGE/pN" for an image's volume.
  [[nodiscard]] virtual const std::string& path() const noexcept = 0;

  /// The entries of directory `relative` with their metadata, sorted by name, without "." and "..".
  [[nodiscard]] virtual Result<DirListing> scan_dir(const std::string& relative) const = 0;

  /// The entries of directory `relative` (names and types only), sorted by name. At most
  /// `max_entries` (Errc::TooLarge beyond: a hostile directory cannot make us allocate without bound).
  [[nodiscard]] virtual Result<std::vector<DirEntry>> list(const std::string& relative,
                                                           std::size_t max_entries = 1'000'000) const = 0;

  /// Opens the regular file `relative` for reading. `inode` is the st_ino the walk reported for it
  /// (0 = unknown): a source may use it to avoid resolving the path again, and must use it for
  /// deleted files, whose names no longer resolve.
  [[nodiscard]] virtual Result<std::unique_ptr<SourceFile>> open_file(const std::string& relative,
                                                                      std::uint64_t inode = 0) const = 0;

  /// A hint that the regular file `relative` (as for open_file) will be read soon, up to `length`
  /// bytes from its start: a source may start reading it into the page cache in the background.
  /// Never blocks for the data, never reports an error (the read that follows does). Default:
  /// nothing.
  virtual void read_ahead(const std::string& relative, std::uint64_t inode, std::uint64_t length) const;

  /// For the walk: a directory `relative` that is on another device than its parent. Returns its
  /// class and a description (e.g. "nfs, fs type 0x6969") when it is a pseudo, network or FUSE
  /// file system (io/fs_type.hpp), which the walk does not enter by default; nullopt for a local
  /// one (and always for sources that have no mounts, such as a disk image's volume).
  [[nodiscard]] virtual std::optional<MountedFs> foreign_filesystem(const std::string& relative) const;

  /// Resolves `relative` ('/'-separated, no leading '/') the way Windows looks names up:
  /// component by component, case-insensitively (ASCII letters). An exact spelling wins; else the
  /// first case-insensitive match in name order. Returns the path as spelled in the source.
  /// Errc::Io when a component does not exist (message: "no such file: <component>").
  /// Never follows a symlink (a component that is one does not match).
  [[nodiscard]] Result<std::string> resolve_nocase(std::string_view relative) const;

  /// open_file() + read_all().
  [[nodiscard]] Result<FileContents> read_file(const std::string& relative, std::uint64_t max_size) const;
};

}  // namespace trustscan::io
