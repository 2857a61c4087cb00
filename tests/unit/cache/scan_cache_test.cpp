// The SQLite scan cache (issue 8): what is a hit and what is stale, batching across reopen,
// pruning, and the files it refuses (not ours) or rebuilds (ours, corrupt).

#include "cache/scan_cache.hpp"

#include <sqlite3.h>

#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <functional>
#include <limits>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "support/temp_tree.hpp"

using namespace trustscan;
namespace fs = std::filesystem;

namespace {

discover::FileRef file(const std::string& path, std::uint64_t inode = 7) {
  discover::FileRef f;
  f.path = path;
  f.size = 4096;
  f.device = 2049;
  f.inode = inode;
  f.mtime = {1700000000, 123456789};
  f.ctime = {1700000001, 987654321};
  return f;
}

cache::Entry binary_facts(std::string sha) {
  record::FileFacts f;
  f.format = Format::Pe;
  f.sha256 = std::move(sha);
  verify::Signature s;  // its clock window is the entry's
  s.clock_window = {1577836800, 2208988800};  // 2020..2040
  f.signatures.signatures.push_back(s);
  return cache::Entry{f};
}

std::shared_ptr<cache::ScanCache> open_cache(const fs::path& db, const std::string& config,
                                             std::vector<std::string>* notes_out = nullptr) {
  std::vector<std::string> notes;
  auto c = cache::ScanCache::open({db, config}, notes);
  INFO((c ? std::string() : c.error().message));
  REQUIRE(c.has_value());
  if (notes_out) *notes_out = notes;
  return *c;
}

/// A scan that stored one binary's result (`sha`) for `path` and finished.
void store_one(const fs::path& db, const std::string& config, const std::string& path, const std::string& sha) {
  auto c = open_cache(db, config);
  c->store(file(path), binary_facts(sha));
  c->finish(false);
}

/// Runs `sql` on the cache file behind the cache's back; the rows its last statement changed.
int change_behind_the_cache(const fs::path& db, const std::string& sql) {
  sqlite3* raw = nullptr;
  REQUIRE(sqlite3_open(db.c_str(), &raw) == SQLITE_OK);
  REQUIRE(sqlite3_exec(raw, sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK);
  const int changed = sqlite3_changes(raw);
  sqlite3_close(raw);
  return changed;
}

constexpr std::int64_t k2026 = 1767225600;

std::string slurp(const fs::path& p) { return test::read_file(p); }

/// An SQLite database made by "someone else", optionally with an application_id.
void make_foreign_db(const fs::path& p, std::uint32_t app_id) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(p.c_str(), &db) == SQLITE_OK);
  const std::string sql = "CREATE TABLE notes(x); INSERT INTO notes VALUES ('mine'); PRAGMA application_id=" +
                          std::to_string(app_id) + ";";
  REQUIRE(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(db);
}

}  // namespace

TEST_CASE("a stored result is a hit only for the same file, configuration and clock window", "[cache]") {
  test::TempTree tmp;
  const fs::path db = tmp.path() / "cache.db";
  {
    auto c = open_cache(db, "config-A");
    c->store(file("/img/a.sys"), binary_facts("aa"));
    c->store(file("/img/readme.txt", 8), cache::Entry{});  // not a binary
    c->finish(false);
    CHECK(c->written() == 2);
  }
  CHECK((fs::status(db).permissions() & fs::perms::all) == (fs::perms::owner_read | fs::perms::owner_write));
  auto c = open_cache(db, "config-A");
  auto r = c->reader();
  const auto hit = r->find(file("/img/a.sys"), k2026);
  REQUIRE(hit.status == cache::LookupStatus::Hit);
  CHECK(hit.entry == binary_facts("aa"));
  CHECK(r->find(file("/img/readme.txt", 8), k2026).status == cache::LookupStatus::Hit);
  CHECK(r->find(file("/img/readme.txt", 8), std::numeric_limits<std::int64_t>::max() - 1).status ==
        cache::LookupStatus::Hit);  // no signature: any clock
  CHECK(r->find(file("/img/other.sys"), k2026).status == cache::LookupStatus::Absent);

  auto changed = [&](auto&& edit) {
    discover::FileRef f = file("/img/a.sys");
    edit(f);
    return r->find(f, k2026);
  };
  for (auto edit : std::vector<void (*)(discover::FileRef&)>{
           [](discover::FileRef& f) { f.size += 1; }, [](discover::FileRef& f) { f.inode += 1; },
           [](discover::FileRef& f) { f.device += 1; }, [](discover::FileRef& f) { f.mtime.nsec += 1; },
           [](discover::FileRef& f) { f.mtime.sec += 1; }, [](discover::FileRef& f) { f.ctime.nsec += 1; },
           [](discover::FileRef& f) { f.ctime.sec -= 1; }}) {
    const auto l = changed(edit);
    CHECK(l.status == cache::LookupStatus::Stale);
    CHECK(l.reason == "file changed");
  }
  // The verification clock must lie in [from, until).
  CHECK(r->find(file("/img/a.sys"), 1577836800).status == cache::LookupStatus::Hit);
  const auto late = r->find(file("/img/a.sys"), 2208988800);
  CHECK(late.status == cache::LookupStatus::Stale);
  CHECK(late.reason == "verification time");
  CHECK(r->find(file("/img/a.sys"), 1577836799).status == cache::LookupStatus::Stale);
  c->finish(false);

  auto other = open_cache(db, "config-B");
  const auto l = other->reader()->find(file("/img/a.sys"), k2026);
  CHECK(l.status == cache::LookupStatus::Stale);
  CHECK(l.reason == "configuration changed");
}

TEST_CASE("a scan whose files all hit writes nothing to the cache file", "[cache]") {
  test::TempTree tmp;
  const fs::path db = tmp.path() / "cache.db";
  store_one(db, "config-A", "/img/a.sys", "aa");
  const std::string bytes = slurp(db);
  const auto written = fs::last_write_time(db);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));  // a write now would show in the time
  {
    auto c = open_cache(db, "config-A");
    CHECK(c->reader()->find(file("/img/a.sys"), k2026).status == cache::LookupStatus::Hit);
    c->finish(false);
    CHECK(c->written() == 0);
  }
  // Not even the header's identity (application_id, user_version): writing it, with the values
  // it held, made each such scan commit and checkpoint.
  CHECK(fs::last_write_time(db) == written);
  CHECK(slurp(db) == bytes);
  CHECK_FALSE(fs::exists(tmp.path() / "cache.db-wal"));
}

TEST_CASE("a cache of another layout is emptied once and then has the layout of this program", "[cache]") {
  test::TempTree tmp;
  const fs::path db = tmp.path() / "cache.db";
  store_one(db, "config-A", "/img/a.sys", "aa");
  change_behind_the_cache(db, "PRAGMA user_version=1");
  std::vector<std::string> notes;
  {
    auto c = open_cache(db, "config-A", &notes);
    REQUIRE(notes.size() == 1);
    CHECK(notes[0].find("written by another version of trustscan (layout 1); emptied") != std::string::npos);
    CHECK(c->reader()->find(file("/img/a.sys"), k2026).status == cache::LookupStatus::Absent);
    c->store(file("/img/a.sys"), binary_facts("aa"));
    c->finish(false);
  }
  // Its user_version was written: the next scan keeps what this one stored.
  auto c = open_cache(db, "config-A", &notes);
  CHECK(notes.empty());
  CHECK(c->reader()->find(file("/img/a.sys"), k2026).status == cache::LookupStatus::Hit);
}

TEST_CASE("writes from many threads arrive; prune drops what the walk no longer finds", "[cache]") {
  test::TempTree tmp;
  const fs::path db = tmp.path() / "cache.db";
  constexpr int kThreads = 4, kPerThread = 700;  // more than one write batch per thread
  {
    auto c = open_cache(db, "cfg");
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t)
      threads.emplace_back([&, t] {
        for (int i = 0; i < kPerThread; ++i)
          c->store(file("/r/t" + std::to_string(t) + "/f" + std::to_string(i), 1000 * t + i), cache::Entry{});
      });
    for (auto& th : threads) th.join();
    c->store(file("/r-other/x", 1), cache::Entry{});
    c->store(file("/r", 2), cache::Entry{});  // the root itself as a file: not "below" /r/
    c->finish(false);
    CHECK(c->written() == kThreads * kPerThread + 2);
    CHECK(c->pruned() == 0);
  }
  // The next scan's walk finds t0's files only, and a new one, which it stores after the survey.
  std::vector<discover::FileRef> present;  // Prune::present is a view: it outlives finish()
  for (int i = 0; i < kPerThread; ++i) present.push_back(file("/r/t0/f" + std::to_string(i), i));
  present.push_back(file("/r/new", 5000));
  auto scan = [&](bool complete) {
    auto c = open_cache(db, "cfg");
    c->survey({{"/r/"}, present});
    c->store(present.back(), cache::Entry{});
    c->finish(complete);
    return c->pruned();
  };
  CHECK(scan(false) == 0);  // an incomplete scan deletes nothing
  CHECK(scan(true) == (kThreads - 1) * kPerThread);
  auto c = open_cache(db, "cfg");
  auto r = c->reader();
  CHECK(r->find(file("/r/t0/f699", 699), k2026).status == cache::LookupStatus::Hit);
  CHECK(r->find(file("/r/new", 5000), k2026).status == cache::LookupStatus::Hit);
  CHECK(r->find(file("/r/t1/f0", 1000), k2026).status == cache::LookupStatus::Absent);
  CHECK(r->find(file("/r-other/x", 1), k2026).status == cache::LookupStatus::Hit);
  CHECK(r->find(file("/r", 2), k2026).status == cache::LookupStatus::Hit);
}

TEST_CASE("a reader reads in batches: another scan's writes become visible, and look-ups stay right", "[cache]") {
  // A Reader keeps one read transaction over many look-ups (one per look-up cost a WAL lock each)
  // and ends it regularly, so that it never pins an old snapshot of the database for a whole scan.
  test::TempTree tmp;
  const fs::path db = tmp.path() / "cache.db";
  constexpr int kFiles = 3000;  // several read batches
  {
    auto c = open_cache(db, "cfg");
    for (int i = 0; i < kFiles; ++i) c->store(file("/r/f" + std::to_string(i), 100 + i), cache::Entry{});
    c->finish(false);
  }
  auto c = open_cache(db, "cfg");
  auto r = c->reader();
  // A hit opens a read transaction (only hits keep one open: a miss ends it, the file being
  // analysed next); meanwhile a second scan of the same cache stores a file and ends.
  CHECK(r->find(file("/r/f0", 100), k2026).status == cache::LookupStatus::Hit);
  {
    auto other = open_cache(db, "cfg");
    other->store(file("/r/new", 1), cache::Entry{});
    other->finish(false);
    REQUIRE(other->written() == 1);
  }
  int hits = 0;  // hits only: the transaction ends after a batch, not because of a miss
  for (int i = 0; i < kFiles; ++i)
    hits += r->find(file("/r/f" + std::to_string(i), 100 + i), k2026).status == cache::LookupStatus::Hit;
  CHECK(hits == kFiles);
  CHECK(r->find(file("/r/new", 1), k2026).status == cache::LookupStatus::Hit);
  CHECK(r->find(file("/r/f5", 999), k2026).status == cache::LookupStatus::Stale);  // (another inode)
  c->finish(false);
}

TEST_CASE("look-ups find hits in the table as the cache was opened, and ask SQLite for the rest", "[cache]") {
  // The writer thread reads the whole table first (a re-scan of /usr: one pass instead of a
  // B-tree descent per file); a look-up that is not a hit there reads the database as it is now.
  test::TempTree tmp;
  const fs::path db = tmp.path() / "cache.db";
  {
    auto c = open_cache(db, "cfg");
    for (int i = 0; i < 100; ++i)
      c->store(file("/s/f" + std::to_string(i), 100 + i), binary_facts("h" + std::to_string(i)));
    c->finish(false);
  }
  auto c = open_cache(db, "cfg");
  auto r = c->reader();
  const auto hit = r->find(file("/s/f7", 107), k2026);
  REQUIRE(hit.status == cache::LookupStatus::Hit);
  REQUIRE(hit.entry.binary);
  CHECK(hit.entry.binary->sha256 == "h7");
  {  // behind the cache's back: a row deleted, another changed, one added
    REQUIRE(change_behind_the_cache(db,
                                    "DELETE FROM entries WHERE path = CAST('/s/f1' AS BLOB);"
                                    "UPDATE entries SET inode = 999 WHERE path = CAST('/s/f2' AS BLOB);") == 1);
    auto other = open_cache(db, "cfg");
    other->store(file("/s/new", 1), binary_facts("new"));
    other->finish(false);
  }
  // (A look-up that is not a hit ends any read transaction the reader kept: SQLite's view is now.)
  CHECK(r->find(file("/s/none", 1), k2026).status == cache::LookupStatus::Absent);
  CHECK(r->find(file("/s/f1", 101), k2026).status == cache::LookupStatus::Hit);  // as opened
  CHECK(r->find(file("/s/f2", 102), k2026).status == cache::LookupStatus::Hit);  // as opened
  CHECK(r->find(file("/s/f2", 999), k2026).status == cache::LookupStatus::Hit);  // as SQLite has it now
  CHECK(r->find(file("/s/new", 1), k2026).status == cache::LookupStatus::Hit);   // written since
  const auto stale = r->find(file("/s/f3", 5), k2026);                           // another inode
  CHECK(stale.status == cache::LookupStatus::Stale);
  CHECK(stale.reason == "file changed");
  CHECK(r->find(file("/s/f3", 103), k2026).status == cache::LookupStatus::Hit);
  r.reset();
  c->finish(false);
  CHECK(open_cache(db, "cfg")->reader()->find(file("/s/f1", 101), k2026).status == cache::LookupStatus::Absent);
}

TEST_CASE("a first scan (every look-up a miss, then a store) keeps the WAL small", "[cache]") {
  // A reader's snapshot held across the analyses of missed files would keep the writer's
  // checkpoints from restarting the WAL: it grew with every row written (965 MB for 150,000).
  test::TempTree tmp;
  const fs::path db = tmp.path() / "cache.db";
  auto c = open_cache(db, "cfg");
  constexpr int kThreads = 2, kFiles = 4000;
  std::atomic<std::uintmax_t> largest{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      auto r = c->reader();
      for (int i = 0; i < kFiles; ++i) {
        const discover::FileRef f = file("/first/t" + std::to_string(t) + "/f" + std::to_string(i), 1 + i);
        if (r->find(f, k2026).status == cache::LookupStatus::Hit) continue;
        std::this_thread::sleep_for(std::chrono::microseconds(50));                     // the file's analysis
        c->store(f, binary_facts(std::string(2000, static_cast<char>('a' + i % 26))));  // about 2 KB a row
        if (i % 64 == 0) {
          std::error_code ec;
          const auto wal = fs::file_size(fs::path(db.string() + "-wal"), ec);
          if (!ec && wal > largest) largest = wal;
        }
      }
    });
  for (auto& th : threads) th.join();
  c->finish(false);
  CHECK(c->written() == kThreads * kFiles);
  INFO("largest WAL " << largest.load() << " bytes for " << kThreads * kFiles << " rows of about 2 KB");
  CHECK(largest.load() < (std::uintmax_t{16} << 20));  // SQLite checkpoints at 1,000 pages (4 MB)
}

TEST_CASE("entries are found by a key of their path, and the stored path decides", "[cache]") {
  // Rows are keyed by std::hash of the path (the look-up of a BLOB path index was most of a
  // re-scan's look-up time). A row under another path's key (a collision, or a key computed by
  // another build) is never taken for that path, and the prune drops it.
  test::TempTree tmp;
  const fs::path db = tmp.path() / "cache.db";
  store_one(db, "cfg", "/t/b.sys", "bb");
  const auto key_of_a = static_cast<std::int64_t>(std::hash<std::string_view>{}("/t/a.sys"));
  CHECK(change_behind_the_cache(
            db, "UPDATE entries SET id = " + std::to_string(key_of_a) + " WHERE path = CAST('/t/b.sys' AS BLOB)") == 1);
  const std::vector<discover::FileRef> present{file("/t/a.sys"), file("/t/b.sys")};  // same stat as b's row
  auto c = open_cache(db, "cfg");
  {
    auto r = c->reader();
    CHECK(r->find(present[0], k2026).status == cache::LookupStatus::Absent);  // b's row under a's key
    CHECK(r->find(present[1], k2026).status == cache::LookupStatus::Absent);  // not under b's own key
  }
  c->survey({{"/t/"}, present});
  c->finish(true);
  CHECK(c->pruned() == 1);  // both paths are present: pruned for its key alone
}

TEST_CASE("files that are not our cache are refused and left untouched", "[cache]") {
  test::TempTree tmp;
  std::vector<std::string> notes;
  SECTION("text") {
    const fs::path p = tmp.path() / "notes.txt";
    tmp.write("notes.txt", std::string(5000, 'x'));
    auto c = cache::ScanCache::open({p, "cfg"}, notes);
    REQUIRE_FALSE(c.has_value());
    CHECK(c.error().code == Errc::Config);
    CHECK_THAT(c.error().message, Catch::Contains("not a trustscan cache (not an SQLite database)"));
    CHECK(slurp(p) == std::string(5000, 'x'));
  }
  SECTION("another program's SQLite database") {
    const fs::path p = tmp.path() / "app.db";
    make_foreign_db(p, 0);
    const std::string before = slurp(p);
    auto c = cache::ScanCache::open({p, "cfg"}, notes);
    REQUIRE_FALSE(c.has_value());
    CHECK_THAT(c.error().message, Catch::Contains("another program"));
    CHECK(slurp(p) == before);
    make_foreign_db(tmp.path() / "app2.db", 0x12345678);
    auto c2 = cache::ScanCache::open({tmp.path() / "app2.db", "cfg"}, notes);
    REQUIRE_FALSE(c2.has_value());
    CHECK_THAT(c2.error().message, Catch::Contains("application_id 0x12345678"));
  }
  SECTION("a directory") {
    auto c = cache::ScanCache::open({tmp.path(), "cfg"}, notes);
    REQUIRE_FALSE(c.has_value());
    CHECK_THAT(c.error().message, Catch::Contains("not a regular file"));
  }
  SECTION("an empty file becomes a cache") {
    tmp.write("empty.db", "");
    auto c = cache::ScanCache::open({tmp.path() / "empty.db", "cfg"}, notes);
    CHECK(c.has_value());
  }
  CHECK(notes.empty());
}

TEST_CASE("our own cache, corrupted, is rebuilt with a note", "[cache]") {
  test::TempTree tmp;
  const fs::path db = tmp.path() / "cache.db";
  {
    auto c = open_cache(db, "cfg");
    for (int i = 0; i < 2000; ++i) c->store(file("/t/f" + std::to_string(i), i), binary_facts(std::string(64, 'f')));
    c->finish(false);
  }
  const auto size = fs::file_size(db);
  REQUIRE(size > 8 * 4096);
  {  // overwrite pages 3.. with a pattern, leaving the header (ours) intact
    std::fstream f(db, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(2 * 4096);
    const std::string junk(size - 3 * 4096, '\x5a');
    f.write(junk.data(), static_cast<std::streamsize>(junk.size()));
  }
  std::vector<std::string> notes;
  auto c = open_cache(db, "cfg", &notes);
  REQUIRE(notes.size() == 1);
  CHECK_THAT(notes[0], Catch::Contains("corrupt") && Catch::Contains("started an empty one"));
  CHECK(c->reader()->find(file("/t/f1", 1), k2026).status == cache::LookupStatus::Absent);
  c->store(file("/t/f1", 1), binary_facts("x"));
  c->finish(false);
  CHECK(open_cache(db, "cfg")->reader()->find(file("/t/f1", 1), k2026).status == cache::LookupStatus::Hit);
}

TEST_CASE("a cache damaged past its first pages is found so where it is read and deleted at the end", "[cache]") {
  // Opening reads the first pages only (not the whole file: PRAGMA quick_check was 8 % of a
  // cached re-scan of /usr); damage further in is found by the look-ups and the survey.
  test::TempTree tmp;
  const fs::path db = tmp.path() / "cache.db";
  constexpr int kFiles = 2000;
  {
    auto c = open_cache(db, "cfg");
    for (int i = 0; i < kFiles; ++i) c->store(file("/t/f" + std::to_string(i), i), binary_facts(std::string(64, 'f')));
    c->finish(false);
  }
  std::int64_t page = 0, page_size = 0;
  {  // a leaf page of the entries from the middle of the table (SQLite's dbstat)
    sqlite3* raw = nullptr;
    REQUIRE(sqlite3_open_v2(db.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
    std::vector<std::int64_t> leaves;
    sqlite3_stmt* s = nullptr;
    REQUIRE(sqlite3_prepare_v2(raw, "SELECT pageno FROM dbstat WHERE name = 'entries' AND pagetype = 'leaf'", -1, &s,
                               nullptr) == SQLITE_OK);
    while (sqlite3_step(s) == SQLITE_ROW) leaves.push_back(sqlite3_column_int64(s, 0));
    sqlite3_finalize(s);
    REQUIRE(sqlite3_prepare_v2(raw, "PRAGMA page_size", -1, &s, nullptr) == SQLITE_OK);
    REQUIRE(sqlite3_step(s) == SQLITE_ROW);
    page_size = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    sqlite3_close(raw);
    REQUIRE(leaves.size() > 10);
    page = leaves[leaves.size() / 2];
  }
  {
    std::fstream f(db, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp((page - 1) * page_size);
    const std::string junk(static_cast<std::size_t>(page_size), '\x5a');
    f.write(junk.data(), static_cast<std::streamsize>(junk.size()));
  }
  std::vector<std::string> notes;
  auto c = open_cache(db, "cfg", &notes);
  CHECK(notes.empty());  // opened as it is
  int hits = 0;
  auto reader = c->reader();
  for (int i = 0; i < kFiles; ++i)
    hits += reader->find(file("/t/f" + std::to_string(i), i), k2026).status == cache::LookupStatus::Hit;
  CHECK(hits > kFiles / 2);  // what could be read was used
  CHECK(hits < kFiles);      // what could not was not
  reader.reset();
  c->finish(true);
  const auto lines = c->notes();
  CHECK(std::ranges::any_of(lines, [](const std::string& l) {
    return l.find("found corrupt during the scan") != std::string::npos &&
           l.find("next scan starts from an empty one") != std::string::npos;
  }));
  CHECK_FALSE(fs::exists(db));
  notes.clear();
  CHECK(open_cache(db, "cfg", &notes)->reader()->find(file("/t/f1", 1), k2026).status == cache::LookupStatus::Absent);
  CHECK(notes.empty());
}

TEST_CASE("a cache holds results of this program once a scan by it stored some", "[cache]") {
  test::TempTree tmp;
  const fs::path db = tmp.path() / "cache.db";
  CHECK_FALSE(cache::ScanCache::holds_results_of_this_program(db));  // no file
  open_cache(db, "config-A")->finish(false);
  CHECK_FALSE(cache::ScanCache::holds_results_of_this_program(db));  // no entry
  store_one(db, "config-A", "/img/a.sys", "aa");
  CHECK(cache::ScanCache::holds_results_of_this_program(db));

  // Written by another build (trustscan was upgraded since): its entries are all stale here.
  CHECK(change_behind_the_cache(db, "UPDATE meta SET value = 'another build' WHERE key = 'program'") == 1);
  CHECK_FALSE(cache::ScanCache::holds_results_of_this_program(db));
  open_cache(db, "config-A")->finish(false);  // this build finishes a scan with it: its again
  CHECK(cache::ScanCache::holds_results_of_this_program(db));

  tmp.write("notes.txt", "not an SQLite database");
  CHECK_FALSE(cache::ScanCache::holds_results_of_this_program(tmp.path() / "notes.txt"));
  CHECK_FALSE(cache::ScanCache::holds_results_of_this_program(tmp.path()));  // a directory
}

TEST_CASE("a fingerprint given as a computation waits for the first write on an empty cache only", "[cache]") {
  test::TempTree tmp;
  const fs::path db = tmp.path() / "cache.db";
  std::atomic<int> computed{0};
  const auto config_a = [&computed] {
    ++computed;
    return std::string("config-A");
  };
  {
    auto c = open_cache(db, "");
    c->set_fingerprint(config_a);
    CHECK(computed == 0);  // empty: nothing to compare it with yet
    CHECK(c->reader()->find(file("/img/a.sys"), k2026).status == cache::LookupStatus::Absent);
    c->store(file("/img/a.sys"), binary_facts("aa"));
    c->finish(false);
    CHECK(computed == 1);  // by the writer, before the entry was written under it
    CHECK(c->written() == 1);
  }
  {
    auto c = open_cache(db, "");
    c->set_fingerprint(config_a);
    CHECK(computed == 2);  // entries to compare with: at once
    CHECK(c->reader()->find(file("/img/a.sys"), k2026).status == cache::LookupStatus::Hit);
    c->set_fingerprint([] { return std::string("config-B"); });
    const auto l = c->reader()->find(file("/img/a.sys"), k2026);
    CHECK(l.status == cache::LookupStatus::Stale);
    CHECK(l.reason == "configuration changed");
    c->finish(false);
  }
  SECTION("nothing stored: never computed") {
    const fs::path other = tmp.path() / "other.db";
    auto c = open_cache(other, "");
    c->set_fingerprint(config_a);
    c->finish(false);
    CHECK(computed == 2);
  }
  SECTION("a computation that fails: nothing written, a note") {
    const fs::path other = tmp.path() / "failing.db";
    auto c = open_cache(other, "");
    c->set_fingerprint([]() -> std::string { throw std::runtime_error("no keys"); });
    c->store(file("/img/a.sys"), binary_facts("aa"));
    c->finish(false);
    CHECK(c->written() == 0);
    const auto notes = c->notes();
    REQUIRE(notes.size() == 1);
    CHECK_THAT(notes.front(), Catch::Contains("no keys"));
  }
}

TEST_CASE("what a scan remembers is there for the next one, as the cache held it when opened", "[cache]") {
  test::TempTree tmp;
  const fs::path db = tmp.path() / "cache.db";
  {
    auto c = open_cache(db, "config-A");
    CHECK(c->remembered("rules").empty());
    c->remember("rules", "token-1");
    CHECK(c->remembered("rules").empty());  // (as opened)
    c->remember("program", "forged");       // the cache's own: ignored
    c->finish(false);
  }
  {
    auto c = open_cache(db, "config-A");
    CHECK(c->remembered("rules") == "token-1");
    CHECK(c->remembered("program").empty());
    CHECK(c->remembered("other").empty());
    c->remember("rules", "token-2");
    c->finish(false);
  }
  {
    auto c = open_cache(db, "config-A");
    CHECK(c->remembered("rules") == "token-2");
    c->remember("rules", "token-3");
  }  // (the destructor finishes too)
  CHECK(open_cache(db, "config-A")->remembered("rules") == "token-3");
  CHECK(cache::ScanCache::holds_results_of_this_program(db) == false);  // no entry: still no results
}
