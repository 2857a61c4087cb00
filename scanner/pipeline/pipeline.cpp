#include "pipeline/pipeline.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <variant>

#include "cache/cache_key.hpp"
#include "core/parallel.hpp"
#include "cache/program_id.hpp"
#include "cache/scan_cache.hpp"
#include "discover/walker.hpp"
#include "identify/format.hpp"
#include "io/hashing.hpp"
#include "pipeline/analyze.hpp"
#include "pipeline/memory_budget.hpp"
#include "pipeline/roots.hpp"
#include "pipeline/scan_run.hpp"
#include "pipeline/read_ahead.hpp"
#include "pipeline/summary.hpp"
#include "pipeline/worker_pool.hpp"

namespace trustscan::pipeline {
namespace {

using record::FileRecord;

/// A binary whose record went to the sink only (ScanRequest::keep_records false).
struct SentRecord {};

/// An outcome as kept until the pool has finished: a record or an error behind a pointer, so that
/// the list of every file's outcome costs a few bytes per file instead of a FileRecord's 3 KB
/// (most files are not binaries: for the 148,430 files of a Debian /usr that list alone was
/// 456 MB of a scan's peak memory, with or without --cache).
using KeptOutcome =
    std::variant<NotScanned, NotBinary, SentRecord, std::unique_ptr<FileRecord>, std::unique_ptr<discover::PathError>>;

KeptOutcome keep(Outcome&& o, bool keep_records) {
  if (auto* rec = std::get_if<FileRecord>(&o)) {
    if (!keep_records) return SentRecord{};
    return std::make_unique<FileRecord>(std::move(*rec));
  }
  if (auto* err = std::get_if<discover::PathError>(&o)) return std::make_unique<discover::PathError>(std::move(*err));
  if (std::holds_alternative<NotBinary>(o)) return NotBinary{};
  return NotScanned{};
}

/// What the workers share. Held through a shared_ptr by every worker thread, so that a thread
/// abandoned after --file-timeout can never see any of it destroyed (worker_pool.hpp).
struct ScanState {
  ScanState(const ScanOptions& o, Context c, const Sink& s, bool keep)
      : options(o), ctx(std::move(c)), sink(s), keep_records(keep), budget(o.limits.streamed_above()) {}
  ScanOptions options;
  Context ctx;
  Sink sink;
  bool keep_records = true;
  /// Serialises the sink's calls and guards what is counted with them.
  std::mutex sent_mutex;
  ScanSummary counted;                  ///< the records' share of the summary (count_record)
  std::size_t unknown_key_modules = 0;  ///< for module_key_note
  OpenedRoots roots;
  std::vector<discover::FileRef> files;
  std::shared_ptr<WindowsState> win;
  std::vector<KeptOutcome> outcomes;
  /// Files whose analysis ran out of memory so completely that not even its error could be
  /// recorded (under --max-memory): flagged here, reported after the pool has finished.
  std::unique_ptr<std::atomic<bool>[]> out_of_memory;
  /// Per file: tried once already and postponed (Postpone; its cache look-up was made then).
  std::unique_ptr<std::atomic<bool>[]> postponed;
  std::mutex setup_errors_mutex;
  std::vector<Error> setup_errors;
  std::shared_ptr<cache::ScanCache> cache;  ///< --cache
  std::atomic<std::uint64_t> cache_hits{0}, cache_misses{0}, cache_invalidated{0};
  // Progress (issue 8): written by workers, read by the watchdog's tick.
  std::atomic<std::uint64_t> files_done{0}, bytes_done{0};
  std::atomic<std::size_t> last_root{0};
  SpareCores spare_cores;  ///< cores of finished workers, lent to large files' rules
  MemoryBudget budget;     ///< large binaries held whole at once (memory_budget.hpp)
};

// --- Streaming (issue 19) ---------------------------------------------------------------------

/// Signed kernel modules of `rec` that no loaded key verifies (module_key_note).
std::size_t unknown_key_modules(const FileRecord& rec) {
  return static_cast<std::size_t>(std::ranges::count_if(rec.signatures.signatures, [](const verify::Signature& s) {
    return s.source == verify::SignatureSource::Module && s.status == verify::SignatureStatus::UnknownKey;
  }));
}

/// A path error, final: to the sink.
void send_error(ScanState& st, const discover::PathError& e) {
  if (!st.sink.error) return;
  std::lock_guard lock(st.sent_mutex);
  st.sink.error(e);
}

/// A file's outcome, final: a record is counted and goes to the sink, a path error too (a file
/// that vanished after the walk is a skip, not an error).
void send(ScanState& st, const Outcome& o) {
  if (const auto* rec = std::get_if<FileRecord>(&o)) {
    std::lock_guard lock(st.sent_mutex);
    count_record(st.counted, *rec);
    st.unknown_key_modules += unknown_key_modules(*rec);
    if (st.sink.record) st.sink.record(*rec);
  } else if (const auto* err = std::get_if<discover::PathError>(&o); err && err->error.code != Errc::NotFound) {
    send_error(st, *err);
  }
}

// --- The cache hook (issue 8, docs/cache.md) -------------------------------------------------

/// The configuration a cache entry must have been written under (cache/cache_key.hpp).
cache::Configuration cache_configuration(const Context& ctx, const Limits& limits) {
  cache::Configuration c{ctx.rules.configured() ? ctx.rules.fingerprint() : std::string("none"),
                         ctx.trust.fingerprint(),
                         ctx.apple.fingerprint(),
                         {},
                         ctx.match_all,
                         limits,
                         ctx.strict_padding,
                         ctx.known_bad.needs(datasets::KeyKind::FileSha1),
                         ctx.known_bad.needs(datasets::KeyKind::FileMd5)};
  // (Loads the keyring here, or waits for the thread loading it.)
  for (const verify::KernelKey& k : ctx.kernel_keys.keys().keys())
    c.kernel_keys.push_back(k.sha256_fingerprint + " " + std::string(verify::to_string(k.source)) + " " + k.origin +
                            " " + std::to_string(k.image_position));
  return c;
}

/// A definite result worth storing: not an unreadable path, not a timeout or an exception that a
/// memory cap may have caused, with every rule run.
bool definite(const Outcome& o, bool rules_ran) {
  if (std::holds_alternative<NotScanned>(o) || std::holds_alternative<discover::PathError>(o)) return false;
  const auto* rec = std::get_if<FileRecord>(&o);
  return !rec || (rules_ran && std::ranges::none_of(rec->errors, [](const Error& e) {
                    return e.code == Errc::Internal || e.code == Errc::Timeout;
                  }));
}

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

/// Whether cached facts `rec` lack an authentihash the scan wants (wants_image_sha1): stored by a
/// scan without catalogs, or before the Windows join made the file a driver.
bool lacks_image_sha1(const FileRecord& rec, bool catalogs) {
  const auto& h = rec.signatures.authentihash;
  return h && h->sha1.empty() && !h->sha256.empty() && wants_image_sha1(rec, catalogs);
}

/// The outcome stored for `f`, when there is a usable one (decided from the FileRef alone: the
/// file is not opened). A hit whose rules saw another privilege than the Windows join now gives
/// is not usable, nor one without an authentihash that is wanted now.
std::optional<Outcome> cached_outcome(const discover::FileRef& f, const std::optional<record::WindowsFacts>& windows,
                                      const verify::ImageTrust* image_trust, ScanState& st,
                                      cache::ScanCache::Reader& reader) {
  cache::Lookup found = reader.find(f, st.ctx.verify_time);
  std::optional<Outcome> o;
  if (found.status == cache::LookupStatus::Hit) {
    if (!found.entry.binary)
      o = NotBinary{};
    else if (FileRecord rec = record_of(f, std::move(*found.entry.binary), windows);
             (!st.ctx.rules.configured() || rec.rule_privilege == rec.privilege()) &&
             (rec.signatures.checked == 0 ||
              rec.signatures.image_stores == (image_trust ? image_trust->fingerprint() : "")) &&
             !lacks_image_sha1(rec, st.win->has_catalogs()))
      o = std::move(rec);  // (verified with the image's stores as they are now)
  }
  ++(o ? st.cache_hits : st.cache_misses);
  if (!o && found.status != cache::LookupStatus::Absent) ++st.cache_invalidated;
  return o;
}

/// How a worker runs a file, as to the memory budget (worker_pool.hpp, Postpone).
struct Attempt {
  Run run = Run::Last;     ///< AnalysisTools::may_postpone, beside_postponed
  bool looked_up = false;  ///< postponed before: its cache look-up was made then (and counted)
  std::size_t file = 0;    ///< its index in ScanState::files (AnalysisTools::budget_key)
};

/// One file: the Windows join, the cached outcome or analyze() (then stored), then complete().
/// Also the per-file exception boundary: a bug or an escaped third-party exception becomes an
/// Errc::Internal error on that file, never the end of the scan.
Outcome analyze_guarded(const discover::FileRef& f, ScanState& st, MatcherOnDemand* matcher,
                        cache::ScanCache::Reader* reader, Attempt attempt) {
  const Deadline deadline(st.options.file_timeout);  // checked by the long loops (core/deadline.hpp)
  const DeadlineScope in_budget(&deadline);
  try {
    std::optional<record::WindowsFacts> windows = st.win->facts_of(f);
    const WindowsImage* image = windows ? st.win->image_of(f.root_index, f.relative) : nullptr;
    const verify::ImageTrust* image_trust = image && !image->trust.empty() ? &image->trust : nullptr;
    std::optional<Outcome> o = reader && !attempt.looked_up ? cached_outcome(f, windows, image_trust, st, *reader)
                                                            : std::nullopt;
    if (!o) {
      const std::int64_t began = unix_now();
      const io::FileSource& root = *st.roots.sources[f.root_index];
      o = analyze(
          f, root, std::move(windows),
          {st.ctx, st.options.limits, matcher, &st.spare_cores, image_trust, &st.budget,
           attempt.run == Run::MayPostpone, attempt.run == Run::BesideHeld, attempt.file, st.win->has_catalogs()});
      if (std::holds_alternative<Postponed>(*o)) return std::move(*o);
      if (deadline.fired()) return timed_out(f, st.options.file_timeout, deadline);
      if (reader && definite(*o, !matcher || !matcher->failed()) && cache::unchanged_since_walk(f, root, began)) {
        const auto* rec = std::get_if<FileRecord>(&*o);
        st.cache->store(f, cache::Entry{rec ? std::optional<record::FileFacts>(*rec) : std::nullopt});
      }
    }
    if (auto* rec = std::get_if<FileRecord>(&*o)) complete(*rec, st.ctx, *st.win);
    return std::move(*o);
  } catch (const std::exception& e) {
    return discover::PathError{f.path,
                               Error{Errc::Internal, std::string("unexpected exception: ") + e.what(), "pipeline"}};
  } catch (...) {
    return discover::PathError{f.path, Error{Errc::Internal, "unexpected non-standard exception", "pipeline"}};
  }
}

// --- The rules, compiled when needed (rules_on_demand.hpp) ------------------------------------

/// What a cache remembers (meta "rules") once the scan's rules compiled and named only vendors
/// of the list: this program, the rules' fingerprint and the vendor list's ids (all the check of
/// their vendors reads).
std::string rules_checked_token(const Context& ctx) {
  std::string text = cache::program_identity() + "\nrules " + ctx.rules.fingerprint() + "\nvendors";
  for (const attribute::Vendor& v : ctx.vendors.vendors()) text += " " + v.id;
  return io::sha256_hex(std::as_bytes(std::span(text)));
}

/// Before the first file: the rules are compiled now, so that an error in them ends the scan
/// before it starts, unless they are already or the scan's cache remembers that they compiled
/// (rules_checked_token): then the first file that needs them compiles them, and a re-scan whose
/// files all come from the cache never does.
Result<void> prepare_rules(const ScanState& st) {
  const RulesOnDemand& rules = st.ctx.rules;
  if (!rules.configured() || rules.compiled()) return {};
  if (st.cache && st.cache->remembered("rules") == rules_checked_token(st.ctx)) return {};
  if (const Result<match::RuleSet>& compiled = rules.get(); !compiled) return std::unexpected(compiled.error());
  return {};
}

/// After the pool: the cache remembers rules that compiled (prepare_rules).
void remember_rules(ScanState& st) {
  const RulesOnDemand& rules = st.ctx.rules;
  if (st.cache && rules.configured() && rules.compiled() && rules.get())
    st.cache->remember("rules", rules_checked_token(st.ctx));
}

/// The cache's own files (database, WAL, shared memory, journal) as they are now, by identity:
/// never scanned, they change with every scan; listed as excluded. The open made the ones it
/// uses and keeps them until the scan ends, so the walk is given them, and skips them wherever
/// they are (an empty WAL too, a cache given as a root too).
std::vector<discover::ExcludedFile> cache_files(const std::filesystem::path& cache_file) {
  std::vector<discover::ExcludedFile> out;
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
    struct stat st {};
    if (::stat((cache_file.string() + suffix).c_str(), &st) == 0)
      out.push_back({st.st_dev, st.st_ino, "the --cache database of this scan"});
  }
  return out;
}

/// Once the walk is done: the cache lists, while the files are analysed, its entries below a
/// directory root that the walk did not find (deleted, renamed, now excluded).
void survey_cache(ScanState& st) {
  cache::Prune prune;
  for (const OpenRoot& r : st.roots.opened)
    if (r.is_directory) {
      std::string below = discover::join_path(r.path, "x");  // "R/x": R as the walk spells it
      below.pop_back();
      prune.prefixes.push_back(std::move(below));
    }
  prune.present = st.files;
  st.cache->survey(std::move(prune));
}

/// After the pool: everything queued is written; the surveyed entries are dropped once the
/// whole tree was seen.
void finish_cache(ScanState& st, const ScanResult& result, const PoolReport& pool, std::vector<std::string>& notes) {
  st.cache->finish(result.complete() && pool.timed_out.empty());
  for (std::string& note : st.cache->notes()) notes.push_back(std::move(note));
}

// --- The scan, step by step ------------------------------------------------------------------

/// The scan's own context over what is shared (its roots' kernel keys), with its cache (null: none).
std::shared_ptr<ScanState> prepare(const ScanOptions& options, std::shared_ptr<const SharedContext> shared,
                                   const Sink& sink, bool keep_records, std::shared_ptr<cache::ScanCache> cache) {
  // The thread that loads the kernel images' keys reads what earlier scans found in them from
  // the cache; the cache's configuration fingerprint is known once the context is.
  std::shared_ptr<verify::KernelImageMemo> memo = cache ? cache->kernel_images() : nullptr;
  auto st = std::make_shared<ScanState>(options, scan_context(std::move(shared), options.roots, std::move(memo)), sink,
                                        keep_records);
  if (cache) {
    // (A first scan's cache computes it from its writer: the kernel images' keys it names are
    // loaded by the first worker meanwhile, not by this thread before any worker starts. The
    // state outlives the cache's writer: finish(), or ~ScanState destroying the cache first.)
    cache->set_fingerprint(
        [state = st.get()] { return cache::fingerprint(cache_configuration(state->ctx, state->options.limits)); });
    st->cache = std::move(cache);
  }
  return st;
}

/// discover/: the roots as start_scan opened and walked them; the Windows images under them are
/// found and read (hives, catalogs) before any file is analysed.
discover::WalkResult discover_files(ScanState& st, unsigned threads, ScanStart& start) {
  st.roots = std::move(start.roots);
  discover::WalkResult walk = std::move(start.walk);
  if (st.options.context.kernel_keys_from_roots) add_image_kernel_keys(st.roots, st.ctx);
  st.files = std::move(walk.files);
  if (st.cache) survey_cache(st);  // (while the Windows images are read)
  std::vector<FoundImages> found;
  found.reserve(st.roots.windows_images.size());
  for (auto& look : st.roots.windows_images) found.push_back(look.get());  // (begun beside the walks)
  st.win = std::make_shared<WindowsState>(load_windows(std::move(found), st.roots.sources,
                                                       st.ctx.shared->operator_catalogs,
                                                       {&st.ctx.trust, st.ctx.verify_time}, threads));
  st.outcomes.resize(st.files.size());
  st.out_of_memory.reset(new std::atomic<bool>[st.files.size()]());
  st.postponed.reset(new std::atomic<bool>[st.files.size()]());
  return walk;
}

/// Big files first so that a few large drivers do not leave one core busy at the end; files
/// named like kernel modules after all others, so that the first worker can load the module
/// keyring (PoolOptions::first_worker) while the others analyse what needs no keys.
/// A re-scan passes `walk_order_below`: files smaller than that come after the others and keep
/// the walk's order. Most of them are found in the cache whatever their size, and neighbours in the
/// walk are neighbours in memory: taken by size, a look-up's reads of the file's path and record
/// missed the processor's caches (docs/performance.md, "seventeenth round"). The larger ones
/// still go first: one that changed must not be left for the end.
std::vector<std::size_t> schedule(const std::vector<discover::FileRef>& files, std::uint64_t walk_order_below = 0) {
  std::vector<std::size_t> order, in_walk_order;
  order.reserve(files.size());
  // The keys once per file, not once per comparison (looks_like_module reads the name).
  std::vector<std::pair<bool, std::uint64_t>> key(files.size());
  for (std::size_t i = 0; i < files.size(); ++i) {
    if (files[i].size < walk_order_below) {
      in_walk_order.push_back(i);
      continue;
    }
    key[i] = {!identify::looks_like_module(files[i].relative), files[i].size};
    order.push_back(i);
  }
  std::ranges::stable_sort(order, std::greater<>{}, [&](std::size_t i) { return key[i]; });
  order.insert(order.end(), in_walk_order.begin(), in_walk_order.end());
  return order;
}

/// How far ahead of the workers files are hinted to their source (ReadAheadWindow): per thread,
/// and in all. Files above the streaming threshold are hinted up to it.
constexpr std::size_t kReadAheadFiles = 4;
constexpr std::uint64_t kReadAheadBytes = std::uint64_t{64} << 20;

/// A worker thread's function: its own YARA scanner and cache connection over the shared state.
ItemFunction make_worker(const std::shared_ptr<ScanState>& st) {
  // (Made when a file first needs the rules: a re-scan that finds every file in the cache makes none.)
  std::shared_ptr<MatcherOnDemand> matcher;
  if (st->ctx.rules.configured())
    matcher = std::make_shared<MatcherOnDemand>(st->ctx.rules, [state = st.get()](const Error& e) {
      std::lock_guard lock(state->setup_errors_mutex);
      state->setup_errors.push_back(e);
    });
  // One cache connection per thread (shared_ptr: an abandoned thread keeps its own alive).
  std::shared_ptr<cache::ScanCache::Reader> reader = st->cache ? st->cache->reader() : nullptr;
  return [st, matcher, reader](std::size_t i, const Claim& claim, Run run) -> Postpone {
    const discover::FileRef& f = st->files[i];
    try {
      const Attempt attempt{run, st->postponed[i].load(std::memory_order_relaxed), i};
      Outcome o = analyze_guarded(f, *st, matcher.get(), reader.get(), attempt);
      if (const auto* later = std::get_if<Postponed>(&o)) {
        st->postponed[i].store(true, std::memory_order_relaxed);  // (a miss of the cache, counted once)
        if (run == Run::BesideHeld) return Postpone{[] { return true; }};  // given back to the pool
        return Postpone{[st, bytes = later->bytes, i] { return st->budget.ready(bytes, i); }};
      }
      st->files_done.fetch_add(1, std::memory_order_relaxed);
      st->bytes_done.fetch_add(f.size, std::memory_order_relaxed);
      st->last_root.store(f.root_index, std::memory_order_relaxed);
      if (claim()) {  // final: streamed now, kept (or not) for the result
        if (auto* rec = std::get_if<FileRecord>(&o)) rec->image = st->roots.locations[rec->file.root_index];
        send(*st, o);
        st->outcomes[i] = keep(std::move(o), st->keep_records);
      }
    } catch (...) {  // the error path itself could not allocate: flag it, nothing else
      if (claim()) st->out_of_memory[i].store(true);
    }
    return {};
  };
}

/// PoolOptions::on_start that hints the files after the one taken to their source
/// (ReadAheadWindow, FileSource::read_ahead): files above the streaming threshold up to it.
std::function<void(std::size_t)> read_ahead(const std::shared_ptr<ScanState>& st,
                                            const std::shared_ptr<const std::vector<std::size_t>>& order,
                                            unsigned threads) {
  // What is hinted of each file, in the pool's order: the window counts these bytes.
  std::vector<std::uint64_t> lengths(order->size());
  for (std::size_t k = 0; k < order->size(); ++k)
    lengths[k] = std::min(st->files[(*order)[k]].size, st->options.limits.streamed_above());
  auto ahead = std::make_shared<ReadAheadWindow>(std::move(lengths), kReadAheadFiles * threads, kReadAheadBytes);
  return [st, ahead, order](std::size_t k) {
    const auto [first, last] = ahead->advance(k);
    for (std::size_t p = first; p < last; ++p) {
      const discover::FileRef& f = st->files[(*order)[p]];
      st->roots.sources[f.root_index]->read_ahead(f.relative, f.inode, ahead->size(p));
    }
  };
}

/// Runs every file on `threads` threads, with the progress callback when there is one.
PoolReport run_files(const std::shared_ptr<ScanState>& st, unsigned threads) {
  const ScanOptions& options = st->options;
  PoolOptions pool_options;
  pool_options.threads = threads;
  // The budget itself is kept by the analysis (analyze_guarded); the pool only abandons, if asked.
  pool_options.item_timeout = options.abandon_hung_threads ? last_resort_timeout(options.file_timeout)
                                                           : std::chrono::milliseconds(0);
  pool_options.stop = options.stop;
  pool_options.spare_cores = &st->spare_cores;
  // The module keys take one of the workers for the time they load (modules come last: schedule).
  pool_options.first_worker = [st] { st->ctx.kernel_keys.load_here(); };
  std::vector<std::string> root_names(st->roots.sources.size());
  for (const OpenRoot& r : st->roots.opened) root_names[r.index] = r.path;
  std::uint64_t bytes_total = 0;
  for (const discover::FileRef& f : st->files) bytes_total += f.size;
  const auto started = std::chrono::steady_clock::now();
  if (options.progress)
    pool_options.on_tick = [&] {
      const std::size_t root = st->last_root.load(std::memory_order_relaxed);
      options.progress({st->files_done.load(std::memory_order_relaxed), st->files.size(),
                        st->bytes_done.load(std::memory_order_relaxed), bytes_total,
                        root < root_names.size() ? root_names[root] : std::string(),
                        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count()});
    };
  const bool rescan = st->cache && st->cache->rescan();
  auto order = std::make_shared<const std::vector<std::size_t>>(
      schedule(st->files, rescan ? options.limits.streamed_above() : 0));
  // Not with --cache: most files of a re-scan are never read, and hinting each would read them.
  if (!st->cache) pool_options.on_start = read_ahead(st, order, threads);
  return run_pool(*order, pool_options, [st] { return make_worker(st); });
}

/// File `i` has no outcome of its own but `error` (sent to the sink now).
void lost(ScanState& st, std::size_t i, Error error) {
  auto e = std::make_unique<discover::PathError>(st.files[i].path, std::move(error));
  send_error(st, *e);
  st.outcomes[i] = std::move(e);
}

/// The outcomes as the result's records (in path order; none when not kept), path errors and
/// counts of non-binaries; timed-out and out-of-memory files become errors. `binaries`: the
/// files that are binaries, when there are Windows images to settle (settle_windows).
std::uint64_t collect(ScanState& st, const PoolReport& pool, discover::WalkResult& walk, ScanResult& result,
                      std::vector<discover::FileRef>& binaries) {
  result.errors = std::move(walk.errors);
  for (Error& e : st.setup_errors) {
    result.errors.push_back({"(rules)", at_stage(std::move(e), "match")});
    send_error(st, result.errors.back());
  }
  for (std::size_t i : pool.timed_out)
    lost(st, i,
         Error{Errc::Timeout,
               "analysis did not stop at --file-timeout (" + budget_text(st.options.file_timeout) +
                   ") and its thread was abandoned after " + budget_text(last_resort_timeout(st.options.file_timeout)) +
                   "; the file was not analysed",
               "pipeline"});
  for (std::size_t i = 0; i < st.files.size(); ++i)
    if (st.out_of_memory[i].load())
      lost(st, i, Error{Errc::TooLarge, "out of memory while analysing the file (--max-memory)", "pipeline"});
  // The records are sorted by path as pointers and kept where the workers made them
  // (record::RecordList): a record is 3 KB, and sorting the records themselves moved each about
  // log2(n) times (on the real tree, about 84,000 moves of 3 KB, and a copy of the path per
  // comparison).
  std::vector<std::unique_ptr<FileRecord>> records;
  records.reserve(static_cast<std::size_t>(std::ranges::count_if(
      st.outcomes, [](const KeptOutcome& o) { return std::holds_alternative<std::unique_ptr<FileRecord>>(o); })));
  std::uint64_t non_binaries = 0;
  const bool settle = !st.win->images.empty();
  for (std::size_t i = 0; i < st.outcomes.size(); ++i) {
    KeptOutcome& o = st.outcomes[i];
    if (settle && (std::holds_alternative<SentRecord>(o) || std::holds_alternative<std::unique_ptr<FileRecord>>(o)))
      binaries.push_back(st.files[i]);
    if (std::holds_alternative<NotBinary>(o))
      ++non_binaries;
    else if (auto* rec = std::get_if<std::unique_ptr<FileRecord>>(&o))
      records.push_back(std::move(*rec));
    else if (auto* err = std::get_if<std::unique_ptr<discover::PathError>>(&o)) {
      if ((*err)->error.code == Errc::NotFound) {  // listed, then deleted: a skip, not an error (issue 20)
        ++walk.skip_counts[std::string(discover::to_string(discover::SkipReason::Vanished))];
        walk.skipped.push_back(
            {std::move((*err)->path), discover::SkipReason::Vanished, std::move((*err)->error.message)});
      } else {
        result.errors.push_back(std::move(**err));
      }
    }
    o = NotScanned{};  // an error's memory goes as it is taken
  }
  std::ranges::stable_sort(records, {},
                           [](const std::unique_ptr<FileRecord>& r) -> const std::string& { return r->file.path; });
  result.records = record::RecordList(std::move(records));
  result.skipped = std::move(walk.skipped);
  return non_binaries;
}

/// Issue 20: signed Linux kernel modules were found but no module-signing key was loaded, so each
/// is `unknown_key`: say where keys come from and how to supply them (a scan-level note).
/// `unknown`: such modules among the scan's records (unknown_key_modules).
std::optional<LoadNote> module_key_note(const ScanResult& result, std::size_t unknown, const LoadedKeyring& keys,
                                        const ContextOptions& c) {
  if (!keys.keyring.empty() || unknown == 0) return std::nullopt;
  std::string roots;
  for (const std::string& root : result.options.roots) roots += (roots.empty() ? "" : ", ") + root;
  std::string message = std::to_string(unknown) +
                        " signed kernel module(s) unknown_key: no module-signing key was loaded (";
  message += c.kernel_keys_from_roots ? "no kernel image ROOT/boot/vmlinuz-* under the scanned roots to take them from"
                                      : "--no-kernel-keys was given";
  message += "). Scan the root that holds /boot, or give --kernel FILE (a vmlinuz) or --module-keys DIR";
  return LoadNote{roots, std::move(message)};
}

/// What the result says about the run besides its records.
void describe_run(ScanState& st, const PoolReport& pool, std::span<const discover::FileRef> binaries,
                  ScanResult& result) {
  const Context& ctx = st.ctx;
  if (st.options.stop) result.interrupted_by = st.options.stop->load();
  result.files_on_spare_core = st.spare_cores.lent();
  for (std::size_t i = 0; i < st.files.size(); ++i) result.files_postponed += st.postponed[i].load() ? 1 : 0;
  if (pool.stopped_by_abandon_limit) {
    result.errors.push_back(
        {"(scan)",
         Error{Errc::Timeout, std::to_string(pool.abandoned_threads) + " files hung; the scan was stopped early",
               "pipeline"}});
    send_error(st, result.errors.back());
  }
  settle_windows(*st.win, st.roots.sources, st.roots.opened, binaries, st.files);
  result.images = st.roots.images;
  result.catalog_summary = catalog_summary(*st.win);
  result.windows = st.win;
  const LoadedKeyring& keys = ctx.kernel_keys.wait();
  result.load_notes = ctx.notes;
  result.load_notes.insert(result.load_notes.end(), keys.notes.begin(), keys.notes.end());
  result.key_sources = keys.key_sources;
  if (auto note = module_key_note(result, st.unknown_key_modules, keys, st.options.context))
    result.load_notes.push_back(std::move(*note));
  result.trust_anchors = ctx.trust.anchor_count();
  result.anchor_sets = ctx.trust.sets();
  result.datasets = ctx.datasets;
  result.verify_time = ctx.verify_time;
  result.suppressions = ctx.policy.suppression_report(ctx.policy.today());
  result.policy_name = ctx.policy.name();
  result.known_bad_policy = ctx.policy.known_bad();
}

}  // namespace

ScanStart start_scan(const ScanOptions& options) {
  ScanStart start{std::chrono::system_clock::now(), nullptr, {}, {}, {}};
  if (options.cache_file) {
    start.cache = cache::ScanCache::open({*options.cache_file, {}}, start.cache_notes);
    if (!start.cache) return start;
  }
  discover_roots(options, start.roots, start.walk,
                 options.cache_file ? cache_files(*options.cache_file) : std::vector<discover::ExcludedFile>{});
  return start;
}

std::future<ScanStart> start_scan_early(const ScanOptions& options) {
  return start_beside(threads_or_cores(options.threads) > 1, [&options] { return start_scan(options); });
}

Result<ScanResult> run_scan(const ScanOptions& options, std::shared_ptr<const SharedContext> shared, const Sink& sink,
                            bool keep_records, ScanStart* started) {
  ScanStart start = started ? std::move(*started) : start_scan(options);
  if (!start.cache) return std::unexpected(start.cache.error());
  ScanResult result;
  result.options = options;
  result.started = start.started;
  result.cache_notes = std::move(start.cache_notes);
  const std::shared_ptr<ScanState> st = prepare(options, std::move(shared), sink, keep_records,
                                                std::move(*start.cache));
  if (auto rules = prepare_rules(*st); !rules) return std::unexpected(rules.error());
  unsigned threads = threads_or_cores(options.threads);

  discover::WalkResult walk = discover_files(*st, threads, start);
  for (const discover::PathError& e : walk.errors) send_error(*st, e);
  threads = static_cast<unsigned>(std::min<std::size_t>(threads, std::max<std::size_t>(1, st->files.size())));
  result.threads_used = threads;
  const PoolReport pool = run_files(st, threads);

  std::vector<discover::FileRef> binaries;
  const std::uint64_t non_binaries = collect(*st, pool, walk, result, binaries);
  result.summary = st->counted;
  summarise(result, walk, st->files, non_binaries, pool);
  result.walk_interrupted = walk.interrupted;
  describe_run(*st, pool, binaries, result);
  if (st->cache) {
    result.summary.cache = CacheCounts{st->cache_hits.load(), st->cache_misses.load(), st->cache_invalidated.load()};
    remember_rules(*st);
    finish_cache(*st, result, pool, result.cache_notes);
  }
  result.finished = std::chrono::system_clock::now();
  return result;
}

}  // namespace trustscan::pipeline
