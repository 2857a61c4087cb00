#pragma once
/// \file
/// The scan cache (`--cache FILE`, issue 8, docs/cache.md): per-file results kept in an SQLite
/// database (libsqlite3 is used only in scanner/cache/), so that a re-scan of an unchanged tree
/// opens no file it already knows.
///
/// Key: the path as reported plus what stat(2) says — device, inode, size, mtime and ctime to the
/// nanosecond. A file whose content changes gets a new mtime and ctime (ctime cannot be set back
/// from user space), a renamed file gets a new path (and ctime), a hard link is its own entry.
/// An entry is reused only when, besides the key, its configuration fingerprint (program, rules,
/// trust anchors, keys, limits: pipeline) equals the scan's and the verification clock lies in
/// the entry's verify::ClockWindow; otherwise it is "stale" and the file is analysed again.
///
/// Threads: any number of Readers (one SQLite connection each, one per worker thread) read while
/// one writer thread, fed by store(), writes in batched transactions. WAL journal mode. For a
/// re-scan (rescan()) the writer thread first reads the whole table into memory; Readers take
/// their hits from it and ask SQLite for anything else.
///
/// Files: a missing or empty FILE is created. One that is not an SQLite database, or an SQLite
/// database another program wrote (its application_id), is refused (Errc::Config) and left
/// untouched. Our own database in which SQLite reports corruption while it is opened (its schema
/// and the first pages of its tables are read) is deleted and rebuilt, with a note; one in which
/// it reports corruption during the scan (a look-up, a write, the prune's survey) is used where it
/// can be read and deleted by finish(), with a note, so that the next scan starts from an empty one.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "cache/file_facts.hpp"
#include "core/error.hpp"
#include "discover/file_ref.hpp"
#include "verify/kernel_keys.hpp"

namespace trustscan::cache {

/// SQLite `PRAGMA application_id` of a trustscan cache ("tsc1"), read from the file header before
/// SQLite opens it: a database with another id is not ours.
inline constexpr std::uint32_t kApplicationId = 0x74736331;
/// `PRAGMA user_version`: the table layout. A cache of another layout is emptied.
inline constexpr int kSchemaVersion = 2;

struct CacheOptions {
  std::filesystem::path file;
  /// Identity of everything besides the file that decides its facts (pipeline builds it). An
  /// entry written under another fingerprint is stale.
  std::string fingerprint;
};

enum class LookupStatus {
  Hit,     ///< usable: `entry` holds the stored result
  Absent,  ///< no entry for this path (or the cache could not be read)
  Stale,   ///< an entry exists but may not be used (`reason` says why)
};

struct Lookup {
  LookupStatus status = LookupStatus::Absent;
  Entry entry;         ///< valid for Hit
  std::string reason;  ///< Stale: "file changed", "configuration changed", "verification time", "damaged"
};

/// The entries to delete after a complete scan: those whose path lies below one of `prefixes`
/// (each ends with '/') but was not met by the walk (`present`): deleted, renamed or excluded
/// files.
struct Prune {
  std::vector<std::string> prefixes;
  /// The walk's files (a view, not a copy: a whole host has hundreds of thousands); it must stay
  /// valid until finish() returns.
  std::span<const discover::FileRef> present;
};

class ScanCache {
 public:
  /// Opens (or creates, or rebuilds) the cache; `notes` receives what people should know (a
  /// rebuilt or emptied cache). Fails with Errc::Config, before anything is written, on a file
  /// that is not ours or that cannot be opened for writing.
  [[nodiscard]] static Result<std::shared_ptr<ScanCache>> open(const CacheOptions& options,
                                                               std::vector<std::string>& notes);
  ~ScanCache();
  ScanCache(const ScanCache&) = delete;
  ScanCache& operator=(const ScanCache&) = delete;

  /// True when `file` is a cache in which this program (the same build, program_identity())
  /// finished a scan and which holds entries: a scan with it is a re-scan, most of whose files
  /// are likely found in it. Writes nothing; false on any doubt.
  [[nodiscard]] static bool holds_results_of_this_program(const std::filesystem::path& file) noexcept;

  /// holds_results_of_this_program(), as the cache was when this scan opened it.
  [[nodiscard]] bool rescan() const noexcept;

  /// Sets the configuration fingerprint (CacheOptions::fingerprint) when it can only be computed
  /// after opening, before reader() and store() are used: `compute` runs at once when the cache
  /// held entries when it was opened (look-ups compare it), else later on the writer thread
  /// before it first writes (nothing can be found in an empty cache: its readers find nothing
  /// without reading). A fingerprint that waits for something slow (the kernel images' keys)
  /// then no longer holds up a first scan. What `compute` uses must outlive finish().
  void set_fingerprint(std::function<std::string()> compute);

  /// What an earlier scan recorded under `key` with remember(), as the cache held it when it was
  /// opened; "" when nothing is. (Whoever can write the cache can change it, as they can change
  /// the entries.)
  [[nodiscard]] std::string remembered(const std::string& key) const;
  /// Records `value` under `key` for later scans; written by finish(), unless a write failed.
  /// Not "program", which is the cache's own.
  void remember(const std::string& key, std::string value);

  /// The kernel images' module-signing keys as found by earlier scans of this program (a
  /// connection of its own, for the thread that loads the keys; issue 21).
  [[nodiscard]] std::shared_ptr<verify::KernelImageMemo> kernel_images() const;

  /// A read connection for one thread (not shareable). It stays valid after finish() and after
  /// the ScanCache is gone, so a worker thread abandoned after --file-timeout can never use a
  /// destroyed connection.
  class Reader {
   public:
    ~Reader();
    Reader(const Reader&) = delete;
    Reader& operator=(const Reader&) = delete;
    /// Looks `file` up for a scan verifying signatures at `verify_time` (Unix seconds). Never
    /// opens or reads `file` itself. The first look-up of a re-scan waits until the writer
    /// thread has read the table (usually done during the walk).
    [[nodiscard]] Lookup find(const discover::FileRef& file, std::int64_t verify_time);

    struct Impl;
    explicit Reader(std::unique_ptr<Impl> impl);

   private:
    std::unique_ptr<Impl> impl_;
  };
  [[nodiscard]] std::unique_ptr<Reader> reader() const;

  /// Queues `entry` as the result for `file` (thread-safe; written by the writer thread in
  /// batches). Ignored after finish().
  void store(const discover::FileRef& file, const Entry& entry);

  /// What the walk found, once it is known: the writer thread lists the entries `prune` would
  /// delete while the files are analysed (on a re-scan of a whole host, listing them after the
  /// analysis was a tenth of the scan's time). Nothing is deleted before finish(true).
  void survey(Prune prune);

  /// Writes everything queued, deletes the entries survey() listed when `prune` (the scan was
  /// complete), and closes the database. Called once; the destructor calls it (without pruning)
  /// when nobody did.
  void finish(bool prune);

  /// Problems met while the scan ran (a failed write, an unreadable entry), for people.
  [[nodiscard]] std::vector<std::string> notes() const;
  /// Entries written by this scan, and deleted by the prune (for tests and benchmarks).
  [[nodiscard]] std::uint64_t written() const;
  [[nodiscard]] std::uint64_t pruned() const;

  struct Impl;

 private:
  explicit ScanCache(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

/// For `trustscan --version`: SQLite as loaded at run time, e.g. "NAME 1.2.3".
[[nodiscard]] std::string sqlite_version();

}  // namespace trustscan::cache
