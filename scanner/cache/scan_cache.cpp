#include "cache/scan_cache.hpp"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstddef>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <span>
#include <string_view>
#include <thread>

#include "cache/program_id.hpp"
#include "cache/record_codec.hpp"
#include "io/hashing.hpp"

namespace trustscan::cache {
namespace {

/// Entries are found by an integer key, path_id(path), and the stored path is compared: a
/// look-up by the path itself (a BLOB index, long paths with long common prefixes, then the
/// table by rowid) was two thirds of a cached re-scan's look-up time.
constexpr const char* kCreateTable =
    "CREATE TABLE IF NOT EXISTS entries ("
    " id INTEGER PRIMARY KEY NOT NULL, path BLOB NOT NULL,"
    " device INTEGER NOT NULL, inode INTEGER NOT NULL, size INTEGER NOT NULL,"
    " mtime_sec INTEGER NOT NULL, mtime_nsec INTEGER NOT NULL,"
    " ctime_sec INTEGER NOT NULL, ctime_nsec INTEGER NOT NULL,"
    " config TEXT NOT NULL,"
    " clock_from INTEGER NOT NULL, clock_until INTEGER NOT NULL,"
    " record BLOB NOT NULL)";
/// What the module-signing keys of a kernel image were (verify::KernelImageFindings), by the
/// image's path and stat identity, for the program that found them (issue 21).
constexpr const char* kCreateKernelImages =
    "CREATE TABLE IF NOT EXISTS kernel_images ("
    " path BLOB PRIMARY KEY NOT NULL,"
    " device INTEGER NOT NULL, inode INTEGER NOT NULL, size INTEGER NOT NULL,"
    " mtime_sec INTEGER NOT NULL, mtime_nsec INTEGER NOT NULL,"
    " ctime_sec INTEGER NOT NULL, ctime_nsec INTEGER NOT NULL,"
    " program TEXT NOT NULL, sha256 TEXT NOT NULL, compression TEXT NOT NULL,"
    " decompressed_size INTEGER NOT NULL, certificates BLOB NOT NULL)";
/// Facts about the cache as a whole: "program", the program that last finished a scan with it
/// (a hash of program_identity()), and what scans recorded with ScanCache::remember().
constexpr const char* kCreateMeta =
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL)";
constexpr const char* kSelect =
    "SELECT path, device, inode, size, mtime_sec, mtime_nsec, ctime_sec, ctime_nsec, config, clock_from, clock_until,"
    " record FROM entries WHERE id = ?1";
constexpr const char* kInsert =
    "INSERT OR REPLACE INTO entries (id, path, device, inode, size, mtime_sec, mtime_nsec, ctime_sec, ctime_nsec,"
    " config, clock_from, clock_until, record) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)";
/// Reads of the database through a mapping of at most 256 MiB (the WAL is still read by pread);
/// the mapped pages are the kernel's page cache, shared. On every connection that reads much: the
/// readers' (look-ups) and the writer's (the prune's survey).
constexpr const char* kMapped = "PRAGMA mmap_size=268435456;";
/// A reader's connection never writes.
constexpr const char* kReaderSetup = "PRAGMA query_only=ON;";
/// Look-ups per read transaction of a Reader, while they are hits. Each statement outside a
/// transaction takes and drops a WAL read lock (a process-wide mutex and fcntl locks): with two
/// threads that was a third of a cached re-scan's CPU, most of it waiting. A run of hits pays it
/// once per this many; a look-up that is not a hit ends the transaction at once, since the file
/// is then analysed and stored: a snapshot held across analyses would keep the writer's
/// checkpoints from ever restarting the WAL (a first scan of 150,000 files grew it to 965 MB).
/// A reader's snapshot cannot miss anything it needs: it looks each path up once, and entries
/// written by this scan are for files it has already analysed.
constexpr std::uint32_t kLookupsPerRead = 1024;
/// Rows per write transaction: large enough that commits cost little, small enough that an
/// interrupted scan keeps most of its work.
constexpr std::size_t kBatch = 512;
/// Waiting for another process that holds the database (a second scan using the same cache).
constexpr int kBusyTimeoutMs = 10'000;

struct DbCloser {
  void operator()(sqlite3* db) const noexcept { sqlite3_close_v2(db); }
};
using Db = std::unique_ptr<sqlite3, DbCloser>;
struct StmtFinalizer {
  void operator()(sqlite3_stmt* s) const noexcept { sqlite3_finalize(s); }
};
using Stmt = std::unique_ptr<sqlite3_stmt, StmtFinalizer>;

bool is_corruption(int rc) noexcept {
  const int primary = rc & 0xff;
  return primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB;
}

/// An SQLite failure with the message of the connection that had it.
struct DbError {
  int rc = SQLITE_OK;
  std::string message;
};

DbError db_error(sqlite3* db, int rc) {
  return {rc, db ? sqlite3_errmsg(db) : sqlite3_errstr(rc)};
}

std::optional<DbError> exec(sqlite3* db, const char* sql) {
  char* msg = nullptr;
  const int rc = sqlite3_exec(db, sql, nullptr, nullptr, &msg);
  if (rc == SQLITE_OK) return std::nullopt;
  DbError e{rc, msg ? msg : sqlite3_errstr(rc)};
  sqlite3_free(msg);
  return e;
}

Stmt prepare(sqlite3* db, const char* sql, int& rc) {
  sqlite3_stmt* s = nullptr;
  rc = sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, nullptr);
  return Stmt(s);
}

std::int64_t as_i64(std::uint64_t v) noexcept { return static_cast<std::int64_t>(v); }

/// The key of `path`'s entry. A hash of this build (the entries are only used by the build that
/// wrote them: the configuration fingerprint names the program); two paths with the same key
/// replace each other's entry and are analysed again, never mistaken for each other (the stored
/// path is compared). The prune drops rows whose key is not their path's under this build.
std::int64_t path_id(std::string_view path) noexcept {
  return static_cast<std::int64_t>(std::hash<std::string_view>{}(path));
}

/// An entry the prune deletes: its key, and its ctime when surveyed (a row rewritten since, by
/// another scan sharing the cache, is left alone).
struct Gone {
  std::int64_t id = 0, ctime_sec = 0, ctime_nsec = 0;
};

/// One queued row.
struct Row {
  std::int64_t id = 0;
  std::string path;
  std::int64_t device = 0, inode = 0, size = 0, mtime_sec = 0, mtime_nsec = 0, ctime_sec = 0, ctime_nsec = 0;
  std::int64_t clock_from = 0, clock_until = 0;
  std::vector<std::uint8_t> record;
};

/// A stored entry as a look-up judges it, read from SQLite or from a Snapshot.
struct Stored {
  std::string_view path;
  std::array<std::int64_t, 7> stat{};      ///< device, inode, size, mtime (s, ns), ctime (s, ns)
  std::optional<std::string_view> config;  ///< nullopt: NULL
  verify::ClockWindow window;
  std::span<const std::uint8_t> record;
};

/// The entries table as the scan found it when it opened the cache, in memory: a re-scan looks
/// its files up here (one read of the table, by the writer's thread beside the walk, instead of a
/// descent of SQLite's B-tree per file), and its prune surveys these rows. Only a hit is taken
/// from it; any other look-up asks SQLite, which also sees what other scans wrote since.
struct Snapshot {
  /// Above this much memory (the rows, their paths and records, the index) the table is left
  /// where it is: the look-ups read SQLite file by file, and the prune's survey reads it again.
  /// /usr's 149,000 rows take about 50 MB.
  static constexpr std::size_t kMaxBytes = std::size_t{128} << 20;

  struct Entry {
    std::int64_t id = 0;
    std::array<std::int64_t, 7> stat{};
    verify::ClockWindow window;
    std::uint32_t config = 0;  ///< index into configs; kNull: NULL
    std::uint32_t path_size = 0;
    std::uint64_t path_at = 0, record_at = 0, record_size = 0;  ///< in text
  };
  std::vector<Entry> entries;
  static constexpr std::uint32_t kNull = 0xffffffff;
  std::vector<std::string> configs;  ///< the distinct fingerprints (a handful at most)
  std::string text;
  std::vector<std::uint32_t> slots;  ///< open addressing by id: entry index + 1, 0 = free

  [[nodiscard]] std::string_view path(const Entry& e) const {
    return std::string_view(text).substr(e.path_at, e.path_size);
  }
  [[nodiscard]] Stored stored(const Entry& e) const {
    return {path(e),
            e.stat,
            e.config == kNull ? std::nullopt : std::optional<std::string_view>(configs[e.config]),
            e.window,
            {reinterpret_cast<const std::uint8_t*>(text.data()) + e.record_at, e.record_size}};
  }
  [[nodiscard]] static std::size_t slot_of(std::int64_t id, std::size_t mask) noexcept {
    return static_cast<std::size_t>((static_cast<std::uint64_t>(id) * 0x9e3779b97f4a7c15ULL) >> 20) & mask;
  }
  [[nodiscard]] const Entry* find(std::int64_t id) const noexcept {
    if (slots.empty()) return nullptr;
    const std::size_t mask = slots.size() - 1;
    for (std::size_t i = slot_of(id, mask); slots[i] != 0; i = (i + 1) & mask)
      if (entries[slots[i] - 1].id == id) return &entries[slots[i] - 1];
    return nullptr;
  }
  void index() {
    std::size_t n = 1;
    while (n < 2 * entries.size() + 1) n *= 2;
    slots.assign(n, 0);
    for (std::size_t k = 0; k < entries.size(); ++k) {
      std::size_t i = slot_of(entries[k].id, n - 1);
      while (slots[i] != 0) i = (i + 1) & (n - 1);
      slots[i] = static_cast<std::uint32_t>(k + 1);
    }
  }
};

/// The Snapshot, settled once by the writer thread (first thing, before it writes) and read by
/// every Reader, which may outlive the cache: nullptr when the table was not read (an empty or
/// too large table, a failure).
class SnapshotSlot {
 public:
  void settle(std::shared_ptr<const Snapshot> s) {
    {
      const std::lock_guard lock(m_);
      snapshot_ = std::move(s);
      settled_ = true;
    }
    cv_.notify_all();
  }
  /// The snapshot, once the writer has settled it (a Reader asks once, before its first look-up:
  /// the walk before it has usually given the writer the time).
  [[nodiscard]] const Snapshot* wait() {
    std::unique_lock lock(m_);
    cv_.wait(lock, [this] { return settled_; });
    return snapshot_.get();
  }

 private:
  std::mutex m_;
  std::condition_variable cv_;
  bool settled_ = false;
  std::shared_ptr<const Snapshot> snapshot_;
};

std::optional<int> pragma_int(sqlite3* db, const char* sql) {
  int rc = SQLITE_OK;
  Stmt s = prepare(db, sql, rc);
  if (rc != SQLITE_OK || sqlite3_step(s.get()) != SQLITE_ROW) return std::nullopt;
  return sqlite3_column_int(s.get(), 0);
}

/// The size of the database's pages (0 when it cannot be read): at least what its rows' paths
/// and records take, so that the Snapshot's text is made in one allocation. Grown by doubling,
/// it was copied four times for the bench tree's 10.7 MB, and the 15 MB of copies left behind
/// were fresh memory that nothing used again.
std::size_t stored_bytes(sqlite3* db) {
  const auto pages = pragma_int(db, "PRAGMA page_count"), page = pragma_int(db, "PRAGMA page_size");
  if (!pages || !page || *pages < 0 || *page < 0) return 0;
  return static_cast<std::size_t>(*pages) * static_cast<std::size_t>(*page);
}

/// Reads the entries table into a Snapshot; nullptr when it would take more than
/// Snapshot::kMaxBytes or cannot be read (`error` then says why).
std::shared_ptr<const Snapshot> read_snapshot(sqlite3* db, DbError& error) {
  int rc = SQLITE_OK;
  Stmt all = prepare(db,
                     "SELECT id, path, device, inode, size, mtime_sec, mtime_nsec, ctime_sec, ctime_nsec, config,"
                     " clock_from, clock_until, record FROM entries",
                     rc);
  if (rc != SQLITE_OK) {
    error = db_error(db, rc);
    return nullptr;
  }
  auto snap = std::make_shared<Snapshot>();
  snap->text.reserve(std::min(stored_bytes(db), Snapshot::kMaxBytes));
  sqlite3_stmt* q = all.get();
  while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
    Snapshot::Entry e;
    e.id = sqlite3_column_int64(q, 0);
    for (int i = 0; i < 7; ++i) e.stat[static_cast<std::size_t>(i)] = sqlite3_column_int64(q, 2 + i);
    if (const auto* config = reinterpret_cast<const char*>(sqlite3_column_text(q, 9))) {
      const auto known = std::ranges::find(snap->configs, std::string_view(config));
      e.config = static_cast<std::uint32_t>(known - snap->configs.begin());
      if (known == snap->configs.end()) snap->configs.emplace_back(config);
    } else {
      e.config = Snapshot::kNull;
    }
    e.window = {sqlite3_column_int64(q, 10), sqlite3_column_int64(q, 11)};
    const auto* path = static_cast<const char*>(sqlite3_column_blob(q, 1));
    e.path_size = static_cast<std::uint32_t>(sqlite3_column_bytes(q, 1));
    const auto* record = static_cast<const char*>(sqlite3_column_blob(q, 12));
    e.record_size = static_cast<std::uint64_t>(sqlite3_column_bytes(q, 12));
    // (the index: at most four 4-byte slots per row)
    if (snap->text.size() + e.path_size + e.record_size + (snap->entries.size() + 1) * (sizeof(Snapshot::Entry) + 16) >
        Snapshot::kMaxBytes)
      return nullptr;
    e.path_at = snap->text.size();
    if (path) snap->text.append(path, e.path_size);
    e.record_at = snap->text.size();
    if (record) snap->text.append(record, e.record_size);
    snap->entries.push_back(e);
  }
  if (rc != SQLITE_DONE) {
    error = db_error(db, rc);
    return nullptr;
  }
  snap->index();
  return snap;
}

/// A look-up's verdict on `stored`, the entry under `file`'s key (Hit with the decoded entry, or
/// Absent/Stale with the reason).
Lookup judge(const Stored& stored, const discover::FileRef& file, const std::string& config, std::int64_t verify_time) {
  Lookup out;
  if (stored.path != file.path) return out;  // another path with the same key: as good as absent
  out.status = LookupStatus::Stale;
  const std::array<std::int64_t, 7> seen{as_i64(file.device), as_i64(file.inode), as_i64(file.size), file.mtime.sec,
                                         file.mtime.nsec,     file.ctime.sec,     file.ctime.nsec};
  if (stored.stat != seen) {
    out.reason = "file changed";
    return out;
  }
  if (!stored.config || *stored.config != config) {
    out.reason = "configuration changed";
    return out;
  }
  if (!stored.window.contains(verify_time)) {
    out.reason = "verification time";
    return out;
  }
  auto entry = decode(stored.record);
  if (!entry) {
    out.reason = "damaged";
    return out;
  }
  out.status = LookupStatus::Hit;
  out.entry = std::move(*entry);
  return out;
}

/// What the header of an existing file says about it.
enum class FileKind { New, Ours, ForeignSqliteEmpty };

Result<FileKind> classify_file(const std::filesystem::path& file) {
  const std::string name = file.string();
  struct stat st {};
  if (::stat(name.c_str(), &st) != 0) {
    if (errno == ENOENT) return FileKind::New;
    return fail(Errc::Config, "--cache " + name + ": " + std::strerror(errno));
  }
  if (!S_ISREG(st.st_mode)) return fail(Errc::Config, "--cache " + name + ": not a regular file");
  if (st.st_size == 0) return FileKind::New;
  const int fd = ::open(name.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return fail(Errc::Config, "--cache " + name + ": " + std::strerror(errno));
  std::array<unsigned char, 100> header{};
  const ssize_t n = ::pread(fd, header.data(), header.size(), 0);
  ::close(fd);
  static constexpr char kMagic[] = "SQLite format 3";  // 16 bytes with its NUL
  if (n < static_cast<ssize_t>(header.size()) || std::memcmp(header.data(), kMagic, sizeof kMagic) != 0)
    return fail(Errc::Config, "--cache " + name +
                                  ": not a trustscan cache (not an SQLite database); refusing to overwrite it. "
                                  "Remove it or name another file");
  const std::uint32_t app = (std::uint32_t{header[68]} << 24) | (std::uint32_t{header[69]} << 16) |
                            (std::uint32_t{header[70]} << 8) | std::uint32_t{header[71]};
  if (app == kApplicationId) return FileKind::Ours;
  if (app == 0) return FileKind::ForeignSqliteEmpty;  // decided once SQLite has looked inside
  char hex[16];
  std::snprintf(hex, sizeof hex, "0x%08x", app);
  return fail(Errc::Config, "--cache " + name + ": an SQLite database of another program (application_id " + hex +
                                "), not a trustscan cache; refusing to touch it");
}

/// The number of tables in `db`, or nullopt on an error.
std::optional<int> table_count(sqlite3* db) {
  int rc = SQLITE_OK;
  Stmt s = prepare(db, "SELECT count(*) FROM sqlite_master", rc);
  if (rc != SQLITE_OK || sqlite3_step(s.get()) != SQLITE_ROW) return std::nullopt;
  return sqlite3_column_int(s.get(), 0);
}

/// The first row of each of the cache's tables that exists (the meta table whole: a few rows),
/// which reads the schema and each table's first pages: a damaged start of the file is found on
/// opening it. Damage further in is found where the scan reads it (Notes::damage). A
/// `PRAGMA quick_check`, which read the whole file, was 8 % of a cached re-scan of /usr
/// (docs/cache.md, "The file").
std::optional<DbError> first_pages_readable(sqlite3* db) {
  for (const char* sql : {"SELECT name FROM sqlite_master", "SELECT id FROM entries LIMIT 1",
                          "SELECT path FROM kernel_images LIMIT 1", "SELECT key, value FROM meta"}) {
    int rc = SQLITE_OK;
    Stmt s = prepare(db, sql, rc);
    if (rc != SQLITE_OK) {
      if (is_corruption(rc)) return db_error(db, rc);
      continue;  // a table a cache of an earlier layout did not have yet
    }
    while ((rc = sqlite3_step(s.get())) == SQLITE_ROW) {}
    if (rc != SQLITE_DONE) return db_error(db, rc);
  }
  return std::nullopt;
}

/// Opens an SQLite connection to `file`; `flags` as for sqlite3_open_v2.
std::pair<Db, DbError> connect(const std::string& file, int flags) {
  // Before SQLite's first use in the process: no allocation statistics, whose process-wide mutex
  // every sqlite3_malloc takes (a tenth of a cached re-scan's CPU with two threads, mostly
  // waiting). Nothing here reads them. Refused (SQLITE_MISUSE) if SQLite is already initialised.
  static const int no_memstatus = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  (void)no_memstatus;
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(file.c_str(), &raw, flags | SQLITE_OPEN_NOMUTEX, nullptr);
  Db db(raw);
  if (rc != SQLITE_OK) return {nullptr, db_error(raw, rc)};
  sqlite3_busy_timeout(db.get(), kBusyTimeoutMs);
  sqlite3_extended_result_codes(db.get(), 1);
  return {std::move(db), DbError{}};
}

/// Makes `db` (a file we own or a new one) a usable cache. Returns the failure, if any.
std::optional<DbError> prepare_schema(sqlite3* db, bool fresh, std::vector<std::string>& notes,
                                      const std::string& name) {
  if (auto e = exec(db, "PRAGMA journal_mode=WAL")) return e;
  // The prune's survey reads every row: by pread and a copy each, unmapped.
  if (auto e = exec(db, kMapped)) return e;
  // The header's identity is written only where it is not already right: a new file, or one of
  // another layout. Writing it with the values it holds writes the file's first page all the
  // same, and every re-scan then committed and checkpointed (four fdatasync(2)s, two of them
  // between the scan and its report) though it changed nothing. A file that is not new is ours
  // (classify_file read its application_id).
  std::string setup = "PRAGMA synchronous=NORMAL;";
  if (fresh) setup += " PRAGMA application_id=" + std::to_string(kApplicationId) + ";";
  bool other_layout = false;
  if (!fresh) {
    if (auto e = first_pages_readable(db)) return e;
    const auto version = pragma_int(db, "PRAGMA user_version");
    if (!version) return db_error(db, sqlite3_errcode(db));
    other_layout = *version != kSchemaVersion;
    if (other_layout) {
      if (auto e = exec(db, "DROP TABLE IF EXISTS entries")) return e;
      notes.push_back("--cache " + name + ": written by another version of trustscan (layout " +
                      std::to_string(*version) + "); emptied");
    }
  }
  if (fresh || other_layout) setup += " PRAGMA user_version=" + std::to_string(kSchemaVersion) + ";";
  if (auto e = exec(db, setup.c_str())) return e;
  if (auto e = exec(db, kCreateTable)) return e;
  if (auto e = exec(db, kCreateKernelImages)) return e;
  if (auto e = exec(db, kCreateMeta)) return e;
  return std::nullopt;
}

/// This program's identity as the meta table keeps it.
std::string program_hash() { return io::sha256_hex(std::as_bytes(std::span(std::string_view(program_identity())))); }

/// Whether the entries table holds a row; nullopt when it cannot be read.
std::optional<bool> has_entries(sqlite3* db) {
  int rc = SQLITE_OK;
  Stmt any = prepare(db, "SELECT 1 FROM entries LIMIT 1", rc);
  if (rc != SQLITE_OK) return std::nullopt;
  rc = sqlite3_step(any.get());
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) return std::nullopt;
  return rc == SQLITE_ROW;
}

/// The meta table's value for `key` ("" when absent or unreadable).
std::string meta_value(sqlite3* db, const char* key) {
  int rc = SQLITE_OK;
  Stmt s = prepare(db, "SELECT value FROM meta WHERE key = ?1", rc);
  if (rc != SQLITE_OK) return {};
  sqlite3_bind_text(s.get(), 1, key, -1, SQLITE_STATIC);
  if (sqlite3_step(s.get()) != SQLITE_ROW) return {};
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(s.get(), 0));
  return text ? text : "";
}

/// Whether a cache whose entries table holds a row or not (`entries`; nullopt: unreadable) and
/// whose meta "program" is `program` holds this program's results: a scan with it is a re-scan.
bool results_of_this_program(std::optional<bool> entries, std::string_view program) {
  return entries == true && program == program_hash();
}

/// Sets the meta table's `key` to `value`, unless it says so already (a scan that changed nothing
/// writes nothing). Not a note when it fails: what the table holds only spares later scans work.
void set_meta_value(sqlite3* db, const std::string& key, const std::string& value) {
  if (meta_value(db, key.c_str()) == value) return;
  int rc = SQLITE_OK;
  Stmt s = prepare(db, "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)", rc);
  if (rc != SQLITE_OK) return;
  sqlite3_bind_text(s.get(), 1, key.data(), static_cast<int>(key.size()), SQLITE_STATIC);
  sqlite3_bind_text(s.get(), 2, value.data(), static_cast<int>(value.size()), SQLITE_STATIC);
  (void)sqlite3_step(s.get());
}

/// The meta table (empty when it cannot be read).
std::map<std::string, std::string, std::less<>> meta_values(sqlite3* db) {
  std::map<std::string, std::string, std::less<>> out;
  int rc = SQLITE_OK;
  Stmt s = prepare(db, "SELECT key, value FROM meta", rc);
  if (rc != SQLITE_OK) return out;
  while (sqlite3_step(s.get()) == SQLITE_ROW) {
    const auto* key = reinterpret_cast<const char*>(sqlite3_column_text(s.get(), 0));
    const auto* value = reinterpret_cast<const char*>(sqlite3_column_text(s.get(), 1));
    if (key && value) out.insert_or_assign(key, value);
  }
  return out;
}

/// Creates an empty `name` readable and writable by the owner only, unless it exists. Whoever can
/// write the cache decides what trustscan reports about unchanged files; SQLite gives the -wal
/// and -shm files the mode of the database.
std::optional<std::string> create_private(const std::string& name) {
  const int fd = ::open(name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd >= 0) ::close(fd);
  else if (errno != EEXIST) return std::string(std::strerror(errno));
  return std::nullopt;
}

void remove_database_files(const std::string& name) {
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) ::unlink((name + suffix).c_str());
}

}  // namespace

// ---------------------------------------------------------------------------------------------

/// Shared by the cache, its writer thread and every reader (readers may outlive the cache).
struct Notes {
  mutable std::mutex m;
  std::vector<std::string> lines;
  bool read_failure_noted = false;
  /// The first corruption SQLite reported during the scan (a look-up, a write, the survey);
  /// finish() then deletes the cache, so that the next scan starts from an empty one.
  std::optional<std::string> damage;
  void add(std::string line) {
    std::lock_guard lock(m);
    lines.push_back(std::move(line));
  }
  /// Remembers `e` when it is a corruption.
  void found(const DbError& e) {
    if (!is_corruption(e.rc)) return;
    std::lock_guard lock(m);
    if (!damage) damage = e.message;
  }
};

struct ScanCache::Reader::Impl {
  Db db;
  Stmt select;
  std::shared_ptr<SnapshotSlot> snapshot;
  std::optional<const Snapshot*> table;  ///< snapshot->wait(), asked before the first look-up
  std::string config;
  std::shared_ptr<Notes> notes;
  std::string name;
  std::uint32_t lookups_in_read = 0;  ///< look-ups in the open read transaction

  /// Opens a read transaction before the first look-up of a batch (when that fails, each
  /// look-up is its own transaction, as SQLite does by default) and ends it after the last.
  /// Whether one is open is SQLite's to say (sqlite3_get_autocommit), not a count of ours.
  void begin_read() {
    if (sqlite3_get_autocommit(db.get())) {
      lookups_in_read = 0;
      (void)exec(db.get(), "BEGIN");
    }
    ++lookups_in_read;
  }
  void end_read(bool now) {
    if (sqlite3_get_autocommit(db.get()) || (!now && lookups_in_read < kLookupsPerRead)) return;
    if (exec(db.get(), "COMMIT")) (void)exec(db.get(), "ROLLBACK");  // (read-only: nothing is lost)
    lookups_in_read = 0;
  }
  ~Impl() {
    if (db) end_read(true);
  }
};

ScanCache::Reader::Reader(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ScanCache::Reader::~Reader() = default;

Lookup ScanCache::Reader::find(const discover::FileRef& file, std::int64_t verify_time) {
  Lookup out;
  if (!impl_) return out;
  const std::int64_t id = path_id(file.path);
  // A hit in the table as opened is a hit (anything else is asked of SQLite, which also sees
  // what other scans have written since).
  if (!impl_->table) impl_->table = impl_->snapshot ? impl_->snapshot->wait() : nullptr;
  if (const Snapshot* table = *impl_->table)
    if (const Snapshot::Entry* e = table->find(id))
      if (out = judge(table->stored(*e), file, impl_->config, verify_time); out.status == LookupStatus::Hit) {
        if (impl_->db) impl_->end_read(true);  // a read transaction of earlier look-ups pins nothing meanwhile
        return out;
      }
  out = Lookup{};
  if (!impl_->select) return out;
  sqlite3_stmt* s = impl_->select.get();
  impl_->begin_read();
  struct Reset {
    Impl& impl;
    sqlite3_stmt* s;
    const Lookup& out;
    ~Reset() {
      sqlite3_reset(s);
      sqlite3_clear_bindings(s);
      impl.end_read(out.status != LookupStatus::Hit);  // not a hit: the file is analysed next
    }
  } reset{*impl_, s, out};
  sqlite3_bind_int64(s, 1, id);
  const int rc = sqlite3_step(s);
  if (rc == SQLITE_DONE) return out;
  if (rc != SQLITE_ROW) {
    impl_->notes->found(db_error(impl_->db.get(), rc));
    std::lock_guard lock(impl_->notes->m);
    if (!impl_->notes->read_failure_noted) {
      impl_->notes->read_failure_noted = true;
      impl_->notes->lines.push_back("--cache " + impl_->name + ": reading failed (" + sqlite3_errmsg(impl_->db.get()) +
                                    "); the files concerned were analysed again");
    }
    return out;
  }
  Stored stored;
  const auto* path = static_cast<const char*>(sqlite3_column_blob(s, 0));
  stored.path = std::string_view(path ? path : "", static_cast<std::size_t>(sqlite3_column_bytes(s, 0)));
  for (int i = 0; i < 7; ++i) stored.stat[static_cast<std::size_t>(i)] = sqlite3_column_int64(s, 1 + i);
  if (const auto* config = reinterpret_cast<const char*>(sqlite3_column_text(s, 8))) stored.config = config;
  stored.window = {sqlite3_column_int64(s, 9), sqlite3_column_int64(s, 10)};
  const auto* blob = static_cast<const std::uint8_t*>(sqlite3_column_blob(s, 11));
  stored.record = {blob, blob ? static_cast<std::size_t>(sqlite3_column_bytes(s, 11)) : 0};
  out = judge(stored, file, impl_->config, verify_time);
  return out;
}

// ---------------------------------------------------------------------------------------------

/// verify::KernelImageMemo in the kernel_images table, over a connection of its own. Findings
/// count only for the program that stored them (program_identity(): the executable's and
/// libraries' build-ids). Certificates are stored as (4-byte little-endian length, DER) pairs.
class KernelImageTable final : public verify::KernelImageMemo {
 public:
  explicit KernelImageTable(const std::string& file) : program_(program_hash()) {
    db_ = connect(file, SQLITE_OPEN_READWRITE).first;
  }

  std::optional<verify::KernelImageFindings> find(const std::string& path, const struct stat& st) override {
    int rc = SQLITE_OK;
    Stmt q = db_ ? prepare(db_.get(),
                           "SELECT device, inode, size, mtime_sec, mtime_nsec, ctime_sec, ctime_nsec, program,"
                           " sha256, compression, decompressed_size, certificates FROM kernel_images"
                           " WHERE path = ?1",
                           rc)
                 : Stmt();
    if (!q) return std::nullopt;
    sqlite3_bind_blob(q.get(), 1, path.data(), static_cast<int>(path.size()), SQLITE_STATIC);
    if (sqlite3_step(q.get()) != SQLITE_ROW) return std::nullopt;
    const auto key = stat_key(st);
    for (int i = 0; i < 7; ++i)
      if (sqlite3_column_int64(q.get(), i) != key[static_cast<std::size_t>(i)]) return std::nullopt;
    if (text(q.get(), 7) != program_) return std::nullopt;
    verify::KernelImageFindings f{
        text(q.get(), 8), text(q.get(), 9), static_cast<std::uint64_t>(sqlite3_column_int64(q.get(), 10)), {}};
    const auto* blob = static_cast<const std::byte*>(sqlite3_column_blob(q.get(), 11));
    std::span<const std::byte> rest(blob, blob ? static_cast<std::size_t>(sqlite3_column_bytes(q.get(), 11)) : 0);
    while (rest.size() >= 4) {
      std::uint32_t n = 0;
      for (int i = 3; i >= 0; --i) n = (n << 8) | std::to_integer<std::uint32_t>(rest[static_cast<std::size_t>(i)]);
      if (n == 0 || n > rest.size() - 4) return std::nullopt;  // damaged: search the image
      f.certificates.emplace_back(rest.begin() + 4, rest.begin() + 4 + n);
      rest = rest.subspan(4 + n);
    }
    if (!rest.empty() || f.certificates.empty()) return std::nullopt;
    return f;
  }

  void store(const std::string& path, const struct stat& st, const verify::KernelImageFindings& f) override {
    int rc = SQLITE_OK;
    Stmt q = db_ ? prepare(db_.get(),
                           "INSERT OR REPLACE INTO kernel_images VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8,"
                           " ?9, ?10, ?11, ?12, ?13)",
                           rc)
                 : Stmt();
    if (!q) return;  // not remembered: searched again next time
    std::vector<std::byte> certs;
    for (const auto& der : f.certificates) {
      const auto n = static_cast<std::uint32_t>(der.size());
      for (int i = 0; i < 4; ++i) certs.push_back(static_cast<std::byte>((n >> (8 * i)) & 0xff));
      certs.insert(certs.end(), der.begin(), der.end());
    }
    sqlite3_bind_blob(q.get(), 1, path.data(), static_cast<int>(path.size()), SQLITE_STATIC);
    const auto key = stat_key(st);
    for (int i = 0; i < 7; ++i) sqlite3_bind_int64(q.get(), 2 + i, key[static_cast<std::size_t>(i)]);
    sqlite3_bind_text(q.get(), 9, program_.data(), static_cast<int>(program_.size()), SQLITE_STATIC);
    sqlite3_bind_text(q.get(), 10, f.sha256.data(), static_cast<int>(f.sha256.size()), SQLITE_STATIC);
    sqlite3_bind_text(q.get(), 11, f.compression.data(), static_cast<int>(f.compression.size()), SQLITE_STATIC);
    sqlite3_bind_int64(q.get(), 12, as_i64(f.decompressed_size));
    sqlite3_bind_blob(q.get(), 13, certs.data(), static_cast<int>(certs.size()), SQLITE_STATIC);
    (void)sqlite3_step(q.get());  // a failure only means the image is searched again next time
  }

 private:
  static std::array<std::int64_t, 7> stat_key(const struct stat& st) {
    return {as_i64(st.st_dev), as_i64(st.st_ino),  as_i64(static_cast<std::uint64_t>(st.st_size)),
            st.st_mtim.tv_sec, st.st_mtim.tv_nsec, st.st_ctim.tv_sec,
            st.st_ctim.tv_nsec};
  }
  static std::string text(sqlite3_stmt* q, int column) {
    const auto* t = reinterpret_cast<const char*>(sqlite3_column_text(q, column));
    return t ? t : "";
  }
  std::string program_;
  Db db_;
};

struct ScanCache::Impl {
  std::string name;
  std::string config;
  /// The cache held no entry when it was opened: nothing to look up, so readers find nothing
  /// without reading and the fingerprint may be computed late (set_fingerprint).
  bool empty_at_open = false;
  /// holds_results_of_this_program() when it was opened (results_of_this_program).
  bool rescan = false;
  /// set_fingerprint's computation, when deferred: run by the writer before its first write.
  std::function<std::string()> pending_config;  ///< guarded by m
  /// The meta table as opened (remembered()), and what remember() asked for (written by finish()).
  std::map<std::string, std::string, std::less<>> meta_at_open;
  std::map<std::string, std::string, std::less<>> to_remember;  ///< guarded by m
  std::shared_ptr<Notes> notes = std::make_shared<Notes>();
  /// The entries as opened, read by the writer thread first (not for an empty cache).
  std::shared_ptr<SnapshotSlot> snapshot = std::make_shared<SnapshotSlot>();
  Db db;  ///< the writer's connection (used by the writer thread, then by finish())
  std::thread writer;
  std::mutex m;
  std::condition_variable cv;
  std::deque<Row> queue;
  bool stopping = false;  ///< guarded by m
  bool finished = false;
  bool write_failed = false;  ///< writer thread only
  std::uint64_t written = 0;  ///< guarded by m after the writer ends
  std::uint64_t pruned = 0;
  std::optional<Prune> survey_request;  ///< guarded by m
  /// Written by the writer thread, read by finish() after it ended: the entries to delete.
  std::optional<std::vector<Gone>> gone;

  void write_loop() {
    settle_snapshot();
    int rc = SQLITE_OK;
    Stmt insert = prepare(db.get(), kInsert, rc);
    if (rc != SQLITE_OK) fail_writes(db_error(db.get(), rc));
    std::vector<Row> batch;
    for (;;) {
      std::optional<Prune> to_survey;
      {
        std::unique_lock lock(m);
        cv.wait(lock, [&] { return stopping || !queue.empty() || survey_request; });
        if (survey_request) {
          to_survey = std::move(survey_request);
          survey_request.reset();
        } else {
          if (queue.empty() && stopping) return;
          const auto end = queue.begin() + static_cast<std::ptrdiff_t>(std::min(queue.size(), kBatch));
          batch.assign(std::make_move_iterator(queue.begin()), std::make_move_iterator(end));
          queue.erase(queue.begin(), end);
        }
      }
      if (to_survey) {
        gone = list_gone(*to_survey);
        continue;
      }
      if (!write_failed) settle_config();
      if (!write_failed) write_batch(insert.get(), batch);
      batch.clear();
    }
  }

  /// Reads the table for the look-ups and the prune (Snapshot), or settles that there is none:
  /// only for a re-scan (`rescan`), whose look-ups are mostly hits. In a first scan with another
  /// program's cache none is, and the table in memory would only add to the scan's peak (50 MB
  /// for /usr's).
  void settle_snapshot() {
    std::shared_ptr<const Snapshot> read;
    if (rescan) try {
        DbError error;
        read = read_snapshot(db.get(), error);
        if (!read) notes->found(error);  // (too large: no error, and the look-ups read SQLite)
      } catch (const std::exception&) {  // (allocation) the look-ups read SQLite
        read.reset();
      }
    snapshot->settle(std::move(read));
  }

  /// Computes a deferred fingerprint (set_fingerprint); a failure fails the writes.
  void settle_config() {
    std::function<std::string()> compute;
    {
      std::lock_guard lock(m);
      compute = std::move(pending_config);
      pending_config = nullptr;
    }
    if (!compute) return;
    try {
      std::string computed = compute();
      std::lock_guard lock(m);
      config = std::move(computed);
    } catch (const std::exception& e) {
      fail_writes(
          DbError{SQLITE_ERROR, std::string("the configuration fingerprint could not be computed: ") + e.what()});
    }
  }

  void write_batch(sqlite3_stmt* insert, const std::vector<Row>& batch) {
    if (auto e = exec(db.get(), "BEGIN IMMEDIATE")) return fail_writes(*e);
    for (const Row& r : batch) {
      sqlite3_bind_int64(insert, 1, r.id);
      sqlite3_bind_blob(insert, 2, r.path.data(), static_cast<int>(r.path.size()), SQLITE_STATIC);
      const std::int64_t ints[] = {r.device, r.inode, r.size, r.mtime_sec, r.mtime_nsec, r.ctime_sec, r.ctime_nsec};
      for (int i = 0; i < 7; ++i) sqlite3_bind_int64(insert, 3 + i, ints[i]);
      sqlite3_bind_text(insert, 10, config.data(), static_cast<int>(config.size()), SQLITE_STATIC);
      sqlite3_bind_int64(insert, 11, r.clock_from);
      sqlite3_bind_int64(insert, 12, r.clock_until);
      sqlite3_bind_blob(insert, 13, r.record.data(), static_cast<int>(r.record.size()), SQLITE_STATIC);
      const int rc = sqlite3_step(insert);
      sqlite3_reset(insert);
      sqlite3_clear_bindings(insert);
      if (rc != SQLITE_DONE) {
        const DbError e = db_error(db.get(), rc);
        (void)exec(db.get(), "ROLLBACK");
        return fail_writes(e);
      }
    }
    if (auto e = exec(db.get(), "COMMIT")) {
      (void)exec(db.get(), "ROLLBACK");
      return fail_writes(*e);
    }
    std::lock_guard lock(m);
    written += batch.size();
  }

  void fail_writes(const DbError& e) {
    write_failed = true;
    notes->found(e);
    notes->add("--cache " + name + ": writing failed (" + e.message + "); results of this scan were not all cached");
  }

  /// Records this program as the cache's (meta "program"), when it is not already: a scan that
  /// changed nothing writes nothing.
  void record_program() {
    // (Without it, only the next scan's choice of malloc arenas (app/) and rules (pipeline/) is
    // a first scan's.)
    set_meta_value(db.get(), "program", program_hash());
  }

  /// Writes what remember() asked for.
  void record_remembered() {
    std::lock_guard lock(m);
    for (const auto& [key, value] : to_remember) set_meta_value(db.get(), key, value);
  }

  void cleanup_failed(const std::string& why) { notes->add("--cache " + name + ": cleaning up failed (" + why + ")"); }

  /// The corruption found during the scan, if any (Notes::found).
  [[nodiscard]] std::optional<std::string> damage() const {
    std::lock_guard lock(notes->m);
    return notes->damage;
  }

  /// The keys of the entries below `prune`'s prefixes that its walk did not meet, and of those
  /// whose key is not their path's (written by a build that keyed paths otherwise: no look-up of
  /// this build can reach them). nullopt when they could not be listed (then nothing is deleted).
  std::optional<std::vector<Gone>> list_gone(const Prune& prune) {
    // The walk's paths by their keys: a row whose key is among them is its path's (else the key
    // is checked below) or another path's under the same key, which that path's next store
    // replaces. (A set of the paths themselves cost 0.2 s of CPU on /usr, most of it allocating.)
    std::vector<std::int64_t> present;
    present.reserve(prune.present.size());
    for (const discover::FileRef& f : prune.present) present.push_back(path_id(f.path));
    std::ranges::sort(present);
    std::vector<std::string_view> prefixes;
    for (const std::string& prefix : prune.prefixes)
      if (!prefix.empty() && prefix.back() == '/') prefixes.emplace_back(prefix);
    std::vector<Gone> out;
    const auto survey = [&](std::int64_t id, std::string_view path, std::int64_t ctime_sec, std::int64_t ctime_nsec) {
      const bool below = std::ranges::any_of(prefixes,
                                             [&](std::string_view prefix) { return path.starts_with(prefix); });
      if (id != path_id(path) || (below && !std::ranges::binary_search(present, id)))
        out.push_back({id, ctime_sec, ctime_nsec});
    };
    // The rows as opened (rows written since are this scan's files, or another scan's, which
    // stay), else every row read now.
    if (const Snapshot* snap = snapshot->wait()) {  // (settled by this thread before any write)
      for (const Snapshot::Entry& e : snap->entries) survey(e.id, snap->path(e), e.stat[5], e.stat[6]);
      return out;
    }
    int rc = SQLITE_OK;
    Stmt select = prepare(db.get(), "SELECT id, path, ctime_sec, ctime_nsec FROM entries", rc);
    if (rc != SQLITE_OK) {
      cleanup_failed(sqlite3_errmsg(db.get()));
      return std::nullopt;
    }
    while ((rc = sqlite3_step(select.get())) == SQLITE_ROW) {
      const auto* p = static_cast<const char*>(sqlite3_column_blob(select.get(), 1));
      survey(sqlite3_column_int64(select.get(), 0),
             std::string_view(p ? p : "", static_cast<std::size_t>(sqlite3_column_bytes(select.get(), 1))),
             sqlite3_column_int64(select.get(), 2), sqlite3_column_int64(select.get(), 3));
    }
    if (rc != SQLITE_DONE) {
      notes->found(db_error(db.get(), rc));
      cleanup_failed(sqlite3_errmsg(db.get()));
      return std::nullopt;
    }
    return out;
  }

  void delete_gone(const std::vector<Gone>& rows) {
    if (rows.empty()) return;
    int rc = SQLITE_OK;
    Stmt remove = prepare(db.get(), "DELETE FROM entries WHERE id = ?1 AND ctime_sec = ?2 AND ctime_nsec = ?3", rc);
    if (rc != SQLITE_OK) return cleanup_failed(sqlite3_errmsg(db.get()));
    if (auto e = exec(db.get(), "BEGIN IMMEDIATE")) return cleanup_failed(e->message);
    std::uint64_t deleted = 0;
    for (const Gone& row : rows) {
      sqlite3_bind_int64(remove.get(), 1, row.id);
      sqlite3_bind_int64(remove.get(), 2, row.ctime_sec);
      sqlite3_bind_int64(remove.get(), 3, row.ctime_nsec);
      rc = sqlite3_step(remove.get());
      deleted += static_cast<std::uint64_t>(sqlite3_changes(db.get()));
      sqlite3_reset(remove.get());
      if (rc != SQLITE_DONE) {
        (void)exec(db.get(), "ROLLBACK");
        return cleanup_failed(sqlite3_errmsg(db.get()));
      }
    }
    if (auto e = exec(db.get(), "COMMIT")) {
      (void)exec(db.get(), "ROLLBACK");
      return cleanup_failed(e->message);
    }
    pruned = deleted;
  }
};

ScanCache::ScanCache(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

ScanCache::~ScanCache() {
  if (impl_ && !impl_->finished) finish(false);
}

Result<std::shared_ptr<ScanCache>> ScanCache::open(const CacheOptions& options, std::vector<std::string>& notes) {
  const std::string name = options.file.string();
  auto kind = classify_file(options.file);
  if (!kind) return std::unexpected(kind.error());
  if (*kind == FileKind::New)
    if (auto e = create_private(name)) return fail(Errc::Config, "--cache " + name + ": cannot create: " + *e);
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
  auto [db, err] = connect(name, flags);
  if (!db) return fail(Errc::Config, "--cache " + name + ": cannot open: " + err.message);
  if (*kind == FileKind::ForeignSqliteEmpty) {
    // application_id 0: an empty database (e.g. made by `sqlite3 FILE ''`) may become ours; one
    // with tables belongs to someone else.
    const auto tables = table_count(db.get());
    if (!tables || *tables != 0)
      return fail(Errc::Config, "--cache " + name +
                                    ": an SQLite database of another program (it has tables but no trustscan "
                                    "application_id); refusing to touch it");
    kind = FileKind::New;
  }
  auto problem = prepare_schema(db.get(), *kind == FileKind::New, notes, name);
  if (problem && *kind == FileKind::Ours && is_corruption(problem->rc)) {
    // Ours (the header says so) and damaged: start again from an empty cache.
    db.reset();
    remove_database_files(name);
    if (auto e = create_private(name)) return fail(Errc::Config, "--cache " + name + ": cannot create: " + *e);
    notes.push_back("--cache " + name + ": the cache was corrupt (" + problem->message +
                    "); deleted it and started an empty one");
    std::tie(db, err) = connect(name, flags);
    if (!db) return fail(Errc::Config, "--cache " + name + ": cannot create: " + err.message);
    problem = prepare_schema(db.get(), true, notes, name);
  }
  if (problem) return fail(Errc::Config, "--cache " + name + ": cannot use the cache: " + problem->message);

  auto impl = std::make_unique<Impl>();
  impl->name = name;
  impl->config = options.fingerprint;
  const std::optional<bool> entries = has_entries(db.get());
  impl->empty_at_open = entries == false;  // (unreadable: not known to be empty)
  impl->meta_at_open = meta_values(db.get());
  const auto program = impl->meta_at_open.find("program");
  impl->rescan = program != impl->meta_at_open.end() && results_of_this_program(entries, program->second);
  impl->db = std::move(db);
  std::shared_ptr<ScanCache> cache(new ScanCache(std::move(impl)));
  cache->impl_->writer = std::thread([self = cache->impl_.get()] { self->write_loop(); });
  return cache;
}

bool ScanCache::holds_results_of_this_program(const std::filesystem::path& file) noexcept {
  try {
    auto kind = classify_file(file);
    if (!kind || *kind != FileKind::Ours) return false;
    auto [db, err] = connect(file.string(), SQLITE_OPEN_READWRITE);
    if (!db || exec(db.get(), kReaderSetup)) return false;
    return results_of_this_program(has_entries(db.get()), meta_value(db.get(), "program"));
  } catch (const std::exception&) {  // (allocation) then it is not known to hold any
    return false;
  }
}

void ScanCache::set_fingerprint(std::function<std::string()> compute) {
  if (!impl_->empty_at_open) {
    std::string fingerprint = compute();
    std::lock_guard lock(impl_->m);  // the writer reads it after taking rows from the queue
    impl_->config = std::move(fingerprint);
    return;
  }
  std::lock_guard lock(impl_->m);
  impl_->pending_config = std::move(compute);
}

bool ScanCache::rescan() const noexcept { return impl_->rescan; }

std::string ScanCache::remembered(const std::string& key) const {
  const auto it = impl_->meta_at_open.find(key);
  return it == impl_->meta_at_open.end() || key == "program" ? std::string() : it->second;
}

void ScanCache::remember(const std::string& key, std::string value) {
  if (key == "program") return;
  std::lock_guard lock(impl_->m);
  impl_->to_remember.insert_or_assign(key, std::move(value));
}

std::shared_ptr<verify::KernelImageMemo> ScanCache::kernel_images() const {
  return std::make_shared<KernelImageTable>(impl_->name);
}

std::unique_ptr<ScanCache::Reader> ScanCache::reader() const {
  auto r = std::make_unique<Reader::Impl>();
  {
    std::lock_guard lock(impl_->m);  // the writer sets a deferred fingerprint (settle_config)
    r->config = impl_->config;
  }
  r->notes = impl_->notes;
  r->snapshot = impl_->snapshot;
  r->name = impl_->name;
  if (impl_->empty_at_open) return std::make_unique<Reader>(std::move(r));  // finds nothing, reads nothing
  auto [db, err] = connect(impl_->name, SQLITE_OPEN_READWRITE);
  int rc = SQLITE_OK;
  // Mapped reads: a look-up reads a few pages, and pread copied each (13 % of a re-scan of /usr).
  if (db && !exec(db.get(), kReaderSetup) && !exec(db.get(), kMapped)) r->select = prepare(db.get(), kSelect, rc);
  if (!db || !r->select) {
    impl_->notes->add("--cache " + impl_->name + ": cannot read (" + (db ? sqlite3_errmsg(db.get()) : err.message) +
                      "); files were analysed again");
    r->select.reset();
  }
  r->db = std::move(db);
  return std::make_unique<Reader>(std::move(r));
}

void ScanCache::store(const discover::FileRef& file, const Entry& entry) {
  const verify::ClockWindow window = entry.clock_window();
  Row row{path_id(file.path), file.path,      as_i64(file.device), as_i64(file.inode),
          as_i64(file.size),  file.mtime.sec, file.mtime.nsec,     file.ctime.sec,
          file.ctime.nsec,    window.from,    window.until,        encode(entry)};
  {
    std::lock_guard lock(impl_->m);
    if (impl_->stopping) return;
    impl_->queue.push_back(std::move(row));
  }
  impl_->cv.notify_one();
}

void ScanCache::survey(Prune prune) {
  {
    std::lock_guard lock(impl_->m);
    if (impl_->stopping) return;
    impl_->survey_request = std::move(prune);
  }
  impl_->cv.notify_one();
}

void ScanCache::finish(bool prune) {
  if (impl_->finished) return;
  impl_->finished = true;
  {
    std::lock_guard lock(impl_->m);
    impl_->stopping = true;
  }
  impl_->cv.notify_one();
  if (impl_->writer.joinable()) impl_->writer.join();
  if (const auto damage = impl_->damage()) {
    // Found damaged during the scan (Notes::found): what it held was not used where it could not
    // be read (those files were analysed), and the next scan starts from an empty cache.
    impl_->db.reset();
    remove_database_files(impl_->name);
    impl_->notes->add("--cache " + impl_->name + ": the cache was found corrupt during the scan (" + *damage +
                      "); deleted it: the next scan starts from an empty one");
    return;
  }
  if (prune && impl_->gone && !impl_->write_failed) impl_->delete_gone(*impl_->gone);
  if (!impl_->write_failed) {
    impl_->record_program();
    impl_->record_remembered();
  }
  impl_->db.reset();  // the last connection to close checkpoints the WAL into the database
}

std::vector<std::string> ScanCache::notes() const {
  std::lock_guard lock(impl_->notes->m);
  return impl_->notes->lines;
}

std::uint64_t ScanCache::written() const {
  std::lock_guard lock(impl_->m);
  return impl_->written;
}

std::uint64_t ScanCache::pruned() const { return impl_->pruned; }

std::string sqlite_version() { return std::string("SQLite ") + sqlite3_libversion(); }

}  // namespace trustscan::cache
