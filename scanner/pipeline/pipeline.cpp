#include "pipeline/pipeline.hpp"

#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstring>
#include <mutex>
#include <span>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <variant>

#include "attribute/attributor.hpp"
#include "cache/program_id.hpp"
#include "cache/record_codec.hpp"
#include "cache/scan_cache.hpp"
#include "discover/walker.hpp"
#include "identify/format.hpp"
#include "io/decompress.hpp"
#include "io/file_access.hpp"
#include "io/hashing.hpp"
#include "match/matcher.hpp"
#include "parse/parser.hpp"
#include "pipeline/roots.hpp"
#include "pipeline/rule_scope.hpp"
#include "pipeline/worker_pool.hpp"
#include "verify/authenticode.hpp"
#include "verify/macho_signature.hpp"
#include "verify/module_signature.hpp"

namespace trustscan::pipeline {
namespace {

struct NotScanned {};  // not reached: the scan stopped, or the file timed out
struct NotBinary {};
using Outcome = std::variant<NotScanned, NotBinary, FileRecord, discover::PathError>;

Error at_stage(Error e, std::string stage) {
  e.stage = std::move(stage);
  return e;
}

/// verify/: every signature the model says is there, over the same bytes. `module_digest`: the
/// SHA-256 of a module's signed content, if it was computed with the file's hash.
void verify_signatures(FileRecord& rec, std::span<const std::byte> bytes, const Context& ctx,
                       const verify::SignedContentDigest* module_digest) {
  const parse::BinaryModel& m = *rec.binary;
  if (m.pe) rec.authenticode = verify::verify_authenticode(bytes, m.pe->layout, {&ctx.trust, ctx.verify_time});
  if (rec.classification.type == FileType::KernelModule)
    rec.module_signature = verify::verify_module_signature(bytes, ctx.kernel_keys.keys(), module_digest);
  for (std::size_t i = 0; i < m.macho_slices.size(); ++i) {
    const parse::MachOSlice& s = m.macho_slices[i];
    if (!s.has_code_signature) continue;
    verify::MachOSignatureLocation where{s.offset, s.size, s.code_signature.offset, s.code_signature.size};
    rec.macho_signatures.emplace_back(i, verify::verify_macho_signature(bytes, where, ctx.apple, ctx.verify_time));
  }
}

/// verify/: the catalogs that list the file's authentihash, one entry per catalog (SHA-256 member
/// preferred over SHA-1 when a catalog lists both).
void match_catalogs(FileRecord& rec, const verify::CatalogIndex& index) {
  if (!rec.authenticode || index.size() == 0) return;
  for (const auto& [hash, algorithm] : {std::pair{rec.authenticode->hashes.sha256, "sha256"},
                                        std::pair{rec.authenticode->hashes.sha1, "sha1"}}) {
    if (hash.empty()) continue;
    for (const verify::CatalogEntry* e : index.lookup(hash)) {
      if (std::ranges::any_of(rec.catalog_signatures, [&](const auto& c) { return c.catalog_path == e->path(); }))
        continue;
      rec.catalog_signatures.push_back(
          {e->path(), algorithm, e->member->file_name, e->catalog->this_update, e->catalog->signature});
    }
  }
}

/// The Windows image's view of the file: its Windows path and the services that load it. A file
/// registered as a driver service runs in the kernel whatever its headers say.
void join_windows(FileRecord& rec, const WindowsState& win) {
  const WindowsImage* image = win.image_of(rec.file.root_index, rec.file.relative);
  if (!image) return;
  WindowsFacts facts{image->path, image->windows_path(rec.file.relative), {}, false};
  if (auto it = image->services_by_key.find(fold_case(rec.file.relative)); it != image->services_by_key.end())
    for (std::size_t i : it->second) {
      const RegisteredService& reg = image->services[i];
      facts.services.push_back(reg.service);
      facts.loads_at_boot = facts.loads_at_boot || reg.loads_at_boot();
      if (rec.binary && windows::is_driver(reg.service.type) && rec.classification.privilege != Privilege::Kernel) {
        rec.classification.privilege = Privilege::Kernel;
        rec.classification.reason = "registered as driver service '" + reg.service.name + "'";
      }
    }
  rec.windows = std::move(facts);
}

/// The `privilege` the rules see: the parsed one, raised to kernel for a file a Windows image
/// registers as a driver service (as join_windows does); unknown when the file was not parsed.
std::optional<Privilege> rule_privilege(const FileRecord& rec, const WindowsState& win) {
  if (!rec.binary) return std::nullopt;
  if (const WindowsImage* image = win.image_of(rec.file.root_index, rec.file.relative))
    if (auto it = image->services_by_key.find(fold_case(rec.file.relative)); it != image->services_by_key.end())
      for (std::size_t i : it->second)
        if (windows::is_driver(image->services[i].service.type)) return Privilege::Kernel;
  return rec.classification.privilege;
}

/// match/: the shared rules over the same bytes, with the file's facts (`path`, `format`,
/// `privilege`) as external variables.
Result<std::vector<match::RuleMatch>> run_rules(std::string_view path, Format format, std::optional<Privilege> privilege,
                                                std::span<const std::byte> bytes, match::Matcher& matcher) {
  auto slash = path.find_last_of('/');
  std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
  auto dot = name.find_last_of('.');
  std::string ext = dot == std::string_view::npos || dot == 0 ? std::string() : std::string(name.substr(dot + 1));
  std::ranges::transform(ext, ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return matcher.scan(bytes, match::MatchExternals{name, path, ext, format, privilege});
}

void store_matches(FileRecord& rec, Result<std::vector<match::RuleMatch>> found) {
  if (found) rec.matches = std::move(*found);
  else rec.errors.push_back(at_stage(found.error(), "match"));
}

/// Files at least this large have their rules run on a spare core, when there is one.
constexpr std::size_t kSpareCoreBytes = std::size_t{4} << 20;

/// The rules of one large file, run on a core a finished worker left (SpareCores) while the
/// file's own thread verifies its signatures: near the end of a scan, a few large files then keep
/// every core busy. Both threads only read the bytes (LIEF's in-place rewrites are undone before
/// parse_binary returns). Its own YARA scanner: a Matcher is per thread. Joins on destruction.
class RulesOnSpareCore {
 public:
  RulesOnSpareCore(const match::RuleSet& rules, std::string path, Format format, std::optional<Privilege> privilege,
                   std::span<const std::byte> bytes, SpareCores& spare)
      : thread_([this, &rules, path = std::move(path), format, privilege, bytes, &spare] {
          try {
            auto matcher = match::Matcher::create(rules);
            result_ = matcher ? run_rules(path, format, privilege, bytes, *matcher)
                              : Result<std::vector<match::RuleMatch>>(std::unexpected(matcher.error()));
          } catch (const std::exception& e) {
            result_ = std::unexpected(Error{Errc::Internal, std::string("unexpected exception: ") + e.what()});
          }
          spare.give();
        }) {}
  RulesOnSpareCore(const RulesOnSpareCore&) = delete;  // the thread holds `this`
  RulesOnSpareCore& operator=(const RulesOnSpareCore&) = delete;
  /// Waits for the rules and returns what they found.
  Result<std::vector<match::RuleMatch>> get() {
    thread_.join();
    return std::move(result_);
  }

 private:
  Result<std::vector<match::RuleMatch>> result_ = std::vector<match::RuleMatch>{};
  std::jthread thread_;  // last: joined before result_ is destroyed
};

/// policy/: is this vendor flagged, is the file in scope, how severe.
policy::Verdict evaluate_policy(const FileRecord& rec, const Context& ctx) {
  const attribute::Vendor* vendor = ctx.vendors.find(rec.attribution->vendor);
  policy::Subject s = policy::vendor_subject(ctx.vendors, *vendor);
  if (rec.binary) s.privilege = rec.classification.privilege;  // else unknown: never assumed user
  s.confidence = rec.attribution->confidence;
  s.path = rec.file.path;
  s.sha256 = rec.sha256;
  s.boot_start = rec.windows && rec.windows->loads_at_boot;
  return policy::evaluate(ctx.policy, s);
}

/// Everything that reads the file: open, identify, map, parse, verify, match. Failures before the
/// file is known to be a binary make it an unreadable path; failures after that are errors inside
/// its record. What this returns depends on the file's bytes only (and the configuration): it is
/// what the cache keeps (cache/file_facts.hpp); complete() adds the rest.
Outcome analyze(const discover::FileRef& f, const io::FileSource& root, const Limits& limits, const Context& ctx,
                const WindowsState& win, match::Matcher* matcher, SpareCores* spare) {
  auto file = root.open_file(f.relative, f.inode);
  if (!file) return discover::PathError{f.path, at_stage(file.error(), "map")};
  auto prefix = (*file)->read_prefix(identify::kSniffBytes);
  if (!prefix) return discover::PathError{f.path, at_stage(prefix.error(), "map")};
  std::string_view name = f.path;
  identify::Identity id = identify::sniff(*prefix, f.size, name);
  if (id.format == Format::Unknown && id.compression == Compression::None) return NotBinary{};

  FileRecord rec;
  rec.file = f;
  rec.format = id.format;
  rec.compression = id.compression;
  auto contents = (*file)->read_all(limits.max_file_size);
  file->reset();  // closed before the analysis: an image volume's handle goes back to its pool
  if (!contents) return discover::PathError{f.path, at_stage(contents.error(), "map")};
  std::span<const std::byte> bytes = contents->bytes();
  rec.file.size = bytes.size();
  // A signed module's signature covers a prefix of the file: hash it once for both.
  std::optional<verify::SignedContentDigest> module_digest;
  if (auto signed_size = id.format == Format::Elf ? verify::module_signed_size(bytes) : std::nullopt) {
    io::Sha256WithPrefix h = io::sha256_with_prefix(bytes, *signed_size);
    rec.sha256 = std::move(h.hex);
    module_digest = verify::SignedContentDigest{*signed_size, h.prefix};
  } else {
    rec.sha256 = io::sha256_hex(bytes);
  }

  std::vector<std::byte> inflated;
  if (id.compression != Compression::None) {
    auto out = io::decompress(id.compression, bytes, limits.max_decompressed_size);
    if (!out) {
      rec.errors.push_back(at_stage(out.error(), "map"));
      return rec;
    }
    inflated = std::move(*out);
    bytes = inflated;
    rec.decompressed_size = bytes.size();
    auto inner = identify::sniff(bytes.first(std::min(bytes.size(), identify::kSniffBytes)), bytes.size(), "");
    rec.format = inner.format;
    if (inner.format != Format::Elf) {
      rec.errors.push_back(Error{Errc::Malformed, "compressed module does not contain an ELF file", "identify"});
      return rec;
    }
  }

  // A binary that cannot be parsed is still rule-matched and attributed: a broken or oversized
  // file from a flagged vendor must not disappear from the findings.
  std::optional<RulesOnSpareCore> side_rules;  // after the bytes: joined before they are freed
  if (bytes.size() > limits.max_parse_size) {
    rec.errors.push_back(Error{Errc::TooLarge,
                               std::to_string(bytes.size() >> 20) + " MiB is above the parse limit of " +
                                   std::to_string(limits.max_parse_size >> 20) + " MiB (--max-parse-size); not parsed",
                               "parse"});
  } else if (auto model = inflated.empty() ? parse::parse_binary(rec.format, contents->buffer(), limits)
                                           : parse::parse_binary(rec.format, bytes, limits);
             !model) {
    rec.errors.push_back(at_stage(model.error(), "parse"));
  } else {
    rec.classification = parse::classify(*model, f.path);
    model->type = rec.classification.type;
    rec.binary = std::move(*model);
    // Whether a module's rules run depends on its signature (rules_not_needed); other files' do not.
    if (matcher && spare && ctx.rules && bytes.size() >= kSpareCoreBytes &&
        rec.classification.type != FileType::KernelModule) {
      std::string path = rec.file.path;
      const std::optional<Privilege> privilege = rule_privilege(rec, win);
      if (spare->take()) {
        try {
          side_rules.emplace(*ctx.rules, std::move(path), rec.format, privilege, bytes, *spare);
          spare->count_lent();
        } catch (...) {  // no thread (e.g. under --max-memory): the core goes back, the rules run here
          spare->give();
        }
      }
    }
    try {
      verify_signatures(rec, bytes, ctx, module_digest ? &*module_digest : nullptr);
    } catch (const std::exception& e) {  // a verifier bug must not lose the parse results
      rec.errors.push_back(Error{Errc::Internal, std::string("unexpected exception: ") + e.what(), "verify"});
    }
  }
  if (side_rules) {
    store_matches(rec, side_rules->get());
    return rec;
  }
  if (matcher && !ctx.match_all) rec.rules_skipped = rules_not_needed(rec);
  if (matcher && !rec.rules_skipped) store_matches(rec, run_rules(rec.file.path, rec.format, rule_privilege(rec, win), bytes, *matcher));
  return rec;
}

/// The stages that depend on more than the file — catalogs, the Windows image, the vendor list,
/// the policy — run on every record, freshly analysed or taken from the cache.
void complete(FileRecord& rec, const Context& ctx, const WindowsState& win) {
  try {
    match_catalogs(rec, win.catalogs);
  } catch (const std::exception& e) {
    rec.errors.push_back(Error{Errc::Internal, std::string("unexpected exception: ") + e.what(), "verify"});
  }
  join_windows(rec, win);
  rec.attribution = attribute::attribute(rec, ctx.vendors);
  if (rec.attribution) rec.verdict = evaluate_policy(rec, ctx);
}

/// `files`: what the walk listed (moved out of `walk` into the scan state).
void summarise(ScanResult& r, const discover::WalkResult& walk, std::span<const discover::FileRef> files,
               std::uint64_t non_binaries) {
  ScanSummary& s = r.summary;
  s.directories = walk.directories;
  s.image_entries = walk.image_entry_counts;
  s.empty_files = walk.empty_files;
  s.files_scanned = files.size();
  s.files_seen = files.size() + walk.empty_files;
  if (auto it = walk.skip_counts.find("too_large"); it != walk.skip_counts.end()) s.files_seen += it->second;
  s.non_binaries = non_binaries;
  s.skipped = walk.skip_counts;
  if (non_binaries) s.skipped["not_binary"] = non_binaries;
  for (const FileRecord& rec : r.records) {
    ++s.binaries;
    s.bytes_scanned += rec.file.size;
    ++s.by_format[std::string(to_string(rec.format))];
    if (!rec.errors.empty()) ++s.error_count;
    if (rec.attribution) ++s.attributed;
    if (!rec.catalog_signatures.empty()) ++s.catalog_signed;
    if (rec.rules_skipped) ++s.rules_skipped;
    if (rec.verdict && rec.verdict->finding()) {
      ++s.findings;
      ++s.findings_by_severity[std::string(policy::to_string(rec.verdict->severity))];
    }
    if (rec.verdict && rec.verdict->suppressed()) ++s.suppressed;
    if (rec.binary) {
      ++s.by_privilege[std::string(to_string(rec.classification.privilege))];
      ++s.by_type[std::string(to_string(rec.classification.type))];
    }
  }
  s.error_count += r.errors.size();
}

/// Which registered services' files were scanned, which are not binaries, which are missing.
void settle_windows(WindowsState& win, const OpenedRoots& roots, const ScanResult& result,
                    std::span<const discover::FileRef> files) {
  for (WindowsImage& image : win.images) {
    std::unordered_map<std::string, std::string> record_keys;
    for (const FileRecord& r : result.records)
      if (r.file.root_index == image.root_index) record_keys.emplace(fold_case(r.file.relative), r.file.path);
    std::unordered_set<std::string> walked_keys;
    for (const discover::FileRef& f : files)
      if (f.root_index == image.root_index) walked_keys.insert(fold_case(f.relative));
    const auto root = std::ranges::find(roots.opened, image.root_index, &OpenRoot::index);
    settle_services(image, *roots.sources[image.root_index], root == roots.opened.end() ? "" : root->path, record_keys,
                    walked_keys);
  }
}

CatalogSummary catalog_summary(const WindowsState& win) {
  CatalogSummary s;
  s.files = win.catalogs.catalogs().size();
  s.members = win.catalogs.size();
  for (const verify::Catalog& c : win.catalogs.catalogs()) {
    ++s.by_status[std::string(to_string(c.signature.status))];
    if (c.signature.status != verify::SignatureStatus::Valid) s.not_trusted.push_back(&c);
  }
  s.errors = win.catalog_errors;
  s.load_seconds = win.catalog_load_seconds;
  return s;
}

/// What the workers share. Held through a shared_ptr by every worker thread, so that a thread
/// abandoned after --file-timeout can never see any of it destroyed (worker_pool.hpp).
struct ScanState {
  ScanState(const ScanOptions& o, Context c) : options(o), ctx(std::move(c)) {}
  ScanOptions options;
  Context ctx;
  OpenedRoots roots;
  std::vector<discover::FileRef> files;
  std::shared_ptr<WindowsState> win;
  std::vector<Outcome> outcomes;
  /// Files whose analysis ran out of memory so completely that not even its error could be
  /// recorded (under --max-memory): flagged here, reported after the pool has finished.
  std::unique_ptr<std::atomic<bool>[]> out_of_memory;
  std::mutex setup_errors_mutex;
  std::vector<Error> setup_errors;
  std::shared_ptr<cache::ScanCache> cache;  ///< --cache
  std::atomic<std::uint64_t> cache_hits{0}, cache_misses{0}, cache_invalidated{0};
  // Progress (issue 8): written by workers, read by the watchdog's tick.
  std::atomic<std::uint64_t> files_done{0}, bytes_done{0};
  std::atomic<std::size_t> last_root{0};
  SpareCores spare_cores;  ///< cores of finished workers, lent to large files' rules
};

// --- The cache hook (issue 8, docs/cache.md) -------------------------------------------------

/// Identity of everything besides a file that decides its cached facts: the code (version and
/// build-ids), the record format, the compiled rules, the trust anchors and CRLs, Apple's
/// anchors, the module-signing keys (with where each came from: results name it) and the limits.
/// Not in it, because they are recomputed after every hit: catalogs, Windows images, vendor
/// list, policy. The verification clock is checked per entry (ClockWindow).
std::string cache_fingerprint(const Context& ctx, const Limits& l) {
  std::string text = cache::program_identity();
  text += "\nrecord-format " + std::to_string(cache::kRecordFormat);
  text += "\nrules " + (ctx.rules ? ctx.rules->fingerprint() : std::string("none"));
  text += "\ntrust " + ctx.trust.fingerprint();
  text += "\napple " + ctx.apple.fingerprint();
  // (Waits for the keyring being loaded in the background.)
  for (const verify::KernelKey& k : ctx.kernel_keys.keys().keys())
    text += "\nkernel-key " + k.sha256_fingerprint + " " + std::string(verify::to_string(k.source)) + " " + k.origin +
            " " + std::to_string(k.image_position);
  text += std::string("\nmatch-all ") + (ctx.match_all ? "1" : "0");
  for (std::uint64_t v : {l.max_file_size, l.max_parse_size, l.max_decompressed_size, std::uint64_t{l.max_pe_sections},
                          std::uint64_t{l.max_macho_load_commands}, std::uint64_t{l.max_fat_slices},
                          std::uint64_t{l.max_string_length}, std::uint64_t{l.max_imports}})
    text += "\nlimit " + std::to_string(v);
  return io::sha256_hex(std::as_bytes(std::span(text)));
}

/// The cached part of an analysis outcome (taken before complete()).
cache::FileFacts facts_of(const Outcome& o, const WindowsState& win) {
  cache::FileFacts f;
  const auto* rec = std::get_if<FileRecord>(&o);
  if (!rec) return f;  // NotBinary
  f.binary = true;
  f.format = rec->format;
  f.compression = rec->compression;
  f.sha256 = rec->sha256;
  f.decompressed_size = rec->decompressed_size;
  f.model = rec->binary;
  f.classification = rec->classification;
  f.authenticode = rec->authenticode;
  f.module_signature = rec->module_signature;
  f.macho_signatures = rec->macho_signatures;
  f.matches = rec->matches;
  f.rules_skipped = rec->rules_skipped;
  f.rule_privilege = rule_privilege(*rec, win);
  f.errors = rec->errors;
  if (rec->authenticode) f.clock_window.narrow(rec->authenticode->clock_window);
  for (const auto& [slice, sig] : rec->macho_signatures) f.clock_window.narrow(sig.clock_window);
  return f;
}

/// The outcome a hit stands for: the file as the walk saw it now, plus the stored facts.
Outcome outcome_of(const discover::FileRef& file, cache::FileFacts&& f) {
  if (!f.binary) return NotBinary{};
  FileRecord rec;
  rec.file = file;
  rec.format = f.format;
  rec.compression = f.compression;
  rec.sha256 = std::move(f.sha256);
  rec.decompressed_size = f.decompressed_size;
  rec.binary = std::move(f.model);
  rec.classification = std::move(f.classification);
  rec.authenticode = std::move(f.authenticode);
  rec.module_signature = std::move(f.module_signature);
  rec.macho_signatures = std::move(f.macho_signatures);
  rec.matches = std::move(f.matches);
  rec.rules_skipped = std::move(f.rules_skipped);
  rec.errors = std::move(f.errors);
  return rec;
}

/// A file modified less than this before it was read is not cached: a second write within the
/// file system's timestamp granularity after our read would leave size, mtime and ctime as we
/// saw them (the "racy" case git's index has too). ctime cannot be set from user space.
constexpr std::int64_t kRacySeconds = 2;

/// Whether an outcome may be stored: a definite result (not an unreadable path, not a timeout
/// or an exception that a memory cap may have caused), with every rule run, of a file that was
/// old enough when its analysis began and that still has the size and times the walk saw.
bool cacheable(const Outcome& o, const discover::FileRef& f, const io::FileSource& source, bool rules_ran,
               std::int64_t analysis_began) {
  if (std::holds_alternative<NotScanned>(o) || std::holds_alternative<discover::PathError>(o)) return false;
  if (const auto* rec = std::get_if<FileRecord>(&o)) {
    if (!rules_ran) return false;
    if (std::ranges::any_of(rec->errors, [](const Error& e) { return e.code == Errc::Internal || e.code == Errc::Timeout; }))
      return false;
  }
  if (f.ctime.sec > analysis_began - kRacySeconds) return false;
  // Only files of a directory root are cached: an image volume has no stable device/inode/ctime
  // key of the kind the cache relies on.
  const auto* dir = dynamic_cast<const io::RootDir*>(&source);
  if (!dir) return false;
  const io::RootDir& root = *dir;
  struct stat st {};
  if (::fstatat(root.fd(), f.relative.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return false;
  const discover::FileRef now = discover::file_ref(f.root_index, f.relative, f.path, st);
  return now.device == f.device && now.inode == f.inode && now.size == f.size && now.mtime == f.mtime &&
         now.ctime == f.ctime;
}

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

/// One file: the cached outcome when there is a usable one (decided from the FileRef alone, the
/// file is not opened), else analyze() and store; then complete(). Also the per-file exception
/// boundary: a bug or an escaped third-party exception becomes an Errc::Internal error on that
/// file, never the end of the scan.
Outcome analyze_guarded(const discover::FileRef& f, ScanState& st, match::Matcher* matcher,
                        cache::ScanCache::Reader* reader) {
  try {
    Outcome o;
    bool hit = false;
    if (reader) {  // before analyze(FileRef)
      cache::Lookup found = reader->find(f, st.ctx.verify_time);
      bool stale = found.status == cache::LookupStatus::Stale;
      if (found.status == cache::LookupStatus::Hit) {
        const std::optional<Privilege> seen = found.facts.rule_privilege;
        o = outcome_of(f, std::move(found.facts));
        // The rules were given a privilege the Windows join decides; if it now says otherwise
        // the rules must run again.
        const auto* rec = std::get_if<FileRecord>(&o);
        hit = !rec || !st.ctx.rules || seen == rule_privilege(*rec, *st.win);
        stale = !hit;
      }
      ++(hit ? st.cache_hits : st.cache_misses);
      if (stale) ++st.cache_invalidated;
    }
    if (!hit) {
      const std::int64_t began = unix_now();
      const io::FileSource& root = *st.roots.sources[f.root_index];
      o = analyze(f, root, st.options.limits, st.ctx, *st.win, matcher, &st.spare_cores);
      if (reader && cacheable(o, f, root, !st.ctx.rules || matcher != nullptr, began))  // after analyze
        st.cache->store(f, facts_of(o, *st.win));
    }
    if (auto* rec = std::get_if<FileRecord>(&o)) complete(*rec, st.ctx, *st.win);
    return o;
  } catch (const std::exception& e) {
    return discover::PathError{f.path, Error{Errc::Internal, std::string("unexpected exception: ") + e.what(), "pipeline"}};
  } catch (...) {
    return discover::PathError{f.path, Error{Errc::Internal, "unexpected non-standard exception", "pipeline"}};
  }
}

/// The cache's own files (database, WAL, shared memory) are never scanned: they change with
/// every scan. They are listed as excluded.
void exclude_cache_files(const std::filesystem::path& cache_file, discover::WalkResult& walk) {
  std::vector<std::pair<std::uint64_t, std::uint64_t>> ids;
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
    struct stat st {};
    if (::stat((cache_file.string() + suffix).c_str(), &st) == 0) ids.emplace_back(st.st_dev, st.st_ino);
  }
  std::erase_if(walk.files, [&](const discover::FileRef& f) {
    if (std::ranges::find(ids, std::pair{f.device, f.inode}) == ids.end()) return false;
    walk.skipped.push_back({f.path, discover::SkipReason::Excluded, "the --cache database of this scan"});
    ++walk.skip_counts[std::string(discover::to_string(discover::SkipReason::Excluded))];
    return true;
  });
}

}  // namespace

Result<ScanResult> scan(const ScanOptions& options) {
  auto context = load_context(options.context, options.roots);
  if (!context) return std::unexpected(context.error());
  auto st = std::make_shared<ScanState>(options, std::move(*context));
  const Context& ctx = st->ctx;
  ScanResult result;
  result.options = options;
  result.started = std::chrono::system_clock::now();
  if (options.cache_file) {
    auto opened = cache::ScanCache::open({*options.cache_file, cache_fingerprint(ctx, options.limits)},
                                         result.cache_notes);
    if (!opened) return std::unexpected(opened.error());
    st->cache = std::move(*opened);
  }

  discover::WalkResult walk;
  discover_roots(options, st->roots, walk);
  if (options.context.kernel_keys_from_roots) add_image_kernel_keys(st->roots, st->ctx);
  if (st->cache) exclude_cache_files(*options.cache_file, walk);
  unsigned n = options.threads ? options.threads : std::max(1u, std::thread::hardware_concurrency());
  st->win = std::make_shared<WindowsState>(load_windows(st->roots.sources, st->roots.opened, options.context.catalog_dirs,
                                                        {&ctx.trust, ctx.verify_time}, n,
                                                        options.context.windows_images));
  st->files = std::move(walk.files);
  st->outcomes.resize(st->files.size());
  st->out_of_memory.reset(new std::atomic<bool>[st->files.size()]());

  // Big files first so that a few large drivers do not leave one core busy at the end; files
  // named like kernel modules after all others, so the module keyring can finish loading meanwhile.
  std::vector<std::size_t> order(st->files.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::ranges::stable_sort(order, std::greater<>{}, [&](std::size_t i) {
    return std::pair{!identify::looks_like_module(st->files[i].relative), st->files[i].size};
  });

  auto make_worker = [st]() -> ItemFunction {
    // One YARA scanner per thread over the shared compiled rules.
    auto matcher = std::make_shared<std::optional<match::Matcher>>();
    if (st->ctx.rules) {
      auto created = match::Matcher::create(*st->ctx.rules);
      if (created) {
        *matcher = std::move(*created);
      } else {
        std::lock_guard lock(st->setup_errors_mutex);
        st->setup_errors.push_back(created.error());
      }
    }
    // One cache connection per thread (shared_ptr: an abandoned thread keeps its own alive).
    std::shared_ptr<cache::ScanCache::Reader> reader = st->cache ? st->cache->reader() : nullptr;
    return [st, matcher, reader](std::size_t i, const Claim& claim) {
      const discover::FileRef& f = st->files[i];
      try {
        Outcome o = analyze_guarded(f, *st, *matcher ? &**matcher : nullptr, reader.get());
        st->files_done.fetch_add(1, std::memory_order_relaxed);
        st->bytes_done.fetch_add(f.size, std::memory_order_relaxed);
        st->last_root.store(f.root_index, std::memory_order_relaxed);
        if (claim()) st->outcomes[i] = std::move(o);
      } catch (...) {  // the error path itself could not allocate: flag it, nothing else
        if (claim()) st->out_of_memory[i].store(true);
      }
    };
  };
  n = static_cast<unsigned>(std::min<std::size_t>(n, std::max<std::size_t>(1, order.size())));
  result.threads_used = n;
  PoolOptions pool_options;
  pool_options.threads = n;
  pool_options.item_timeout = options.file_timeout;
  pool_options.stop = options.stop;
  pool_options.spare_cores = &st->spare_cores;
  std::vector<std::string> root_names(st->roots.sources.size());
  for (const OpenRoot& r : st->roots.opened) root_names[r.index] = r.path;
  std::uint64_t bytes_total = 0;
  for (const discover::FileRef& f : st->files) bytes_total += f.size;
  const auto pool_started = std::chrono::steady_clock::now();
  if (options.progress)
    pool_options.on_tick = [&] {
      const std::size_t root = st->last_root.load(std::memory_order_relaxed);
      options.progress({st->files_done.load(std::memory_order_relaxed), st->files.size(),
                        st->bytes_done.load(std::memory_order_relaxed), bytes_total,
                        root < root_names.size() ? root_names[root] : std::string(),
                        std::chrono::duration<double>(std::chrono::steady_clock::now() - pool_started).count()});
    };
  PoolReport pool = run_pool(order, pool_options, make_worker);

  std::uint64_t non_binaries = 0;
  result.errors = std::move(walk.errors);
  for (Error& e : st->setup_errors) result.errors.push_back({"(rules)", at_stage(std::move(e), "match")});
  for (std::size_t i : pool.timed_out)
    st->outcomes[i] = discover::PathError{
        st->files[i].path,
        Error{Errc::Timeout,
              "analysis took longer than --file-timeout (" + std::to_string(options.file_timeout.count() / 1000.0) +
                  " s) and was abandoned; the file was not analysed",
              "pipeline"}};
  for (std::size_t i = 0; i < st->files.size(); ++i)
    if (st->out_of_memory[i].load())
      st->outcomes[i] = discover::PathError{
          st->files[i].path, Error{Errc::TooLarge, "out of memory while analysing the file (--max-memory)", "pipeline"}};
  // One allocation: growing step by step would move every (large) record again and again.
  result.records.reserve(static_cast<std::size_t>(
      std::ranges::count_if(st->outcomes, [](const Outcome& o) { return std::holds_alternative<FileRecord>(o); })));
  for (Outcome& o : st->outcomes) {
    if (std::holds_alternative<NotBinary>(o)) ++non_binaries;
    else if (auto* rec = std::get_if<FileRecord>(&o)) result.records.push_back(std::move(*rec));
    else if (auto* err = std::get_if<discover::PathError>(&o)) result.errors.push_back(std::move(*err));
  }
  for (FileRecord& rec : result.records) rec.image = st->roots.locations[rec.file.root_index];
  std::ranges::sort(result.records, {}, [](const FileRecord& r) { return r.file.path; });
  result.skipped = std::move(walk.skipped);
  summarise(result, walk, st->files, non_binaries);
  result.summary.files_not_scanned = pool.not_started;
  result.summary.files_scanned -= pool.not_started;
  result.summary.files_timed_out = pool.timed_out.size();
  if (options.stop) result.interrupted_by = options.stop->load();
  result.walk_interrupted = walk.interrupted;
  result.files_on_spare_core = st->spare_cores.lent();
  if (st->cache) {
    result.summary.cache = CacheCounts{st->cache_hits.load(), st->cache_misses.load(), st->cache_invalidated.load()};
    // Entries of files the walk no longer finds below a directory root are dropped, once the
    // whole tree was seen.
    std::optional<cache::Prune> prune;
    if (result.complete() && pool.timed_out.empty()) {
      prune.emplace();
      for (const OpenRoot& r : st->roots.opened)
        if (r.is_directory) {
          std::string below = discover::join_path(r.path, "x");  // "R/x": R as the walk spells it
          below.pop_back();
          prune->prefixes.push_back(std::move(below));
        }
      for (const discover::FileRef& f : st->files) prune->present.insert(f.path);
    }
    st->cache->finish(prune ? &*prune : nullptr);
    for (std::string& note : st->cache->notes()) result.cache_notes.push_back(std::move(note));
  }
  if (pool.stopped_by_abandon_limit)
    result.errors.push_back({"(scan)", Error{Errc::Timeout, std::to_string(pool.abandoned_threads) +
                                                                " files hung; the scan was stopped early",
                                             "pipeline"}});
  settle_windows(*st->win, st->roots, result, st->files);
  result.images = st->roots.images;
  result.catalog_summary = catalog_summary(*st->win);
  result.windows = st->win;
  const LoadedKeyring& keys = ctx.kernel_keys.wait();
  result.load_notes = ctx.notes;
  result.load_notes.insert(result.load_notes.end(), keys.notes.begin(), keys.notes.end());
  result.key_sources = keys.key_sources;
  result.trust_anchors = ctx.trust.anchors().size();
  result.anchor_sets = ctx.trust.sets();
  result.datasets = ctx.datasets;
  result.verify_time = ctx.verify_time;
  result.suppressions = ctx.policy.suppression_report(ctx.policy.today());
  result.policy_name = ctx.policy.name();
  result.finished = std::chrono::system_clock::now();
  return result;
}

}  // namespace trustscan::pipeline
