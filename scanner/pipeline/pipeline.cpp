#include "pipeline/pipeline.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstring>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <variant>

#include "attribute/attributor.hpp"
#include "discover/walker.hpp"
#include "identify/format.hpp"
#include "io/decompress.hpp"
#include "io/file_access.hpp"
#include "io/hashing.hpp"
#include "match/matcher.hpp"
#include "parse/parser.hpp"
#include "pipeline/roots.hpp"
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

/// verify/: every signature the model says is there, over the same bytes.
void verify_signatures(FileRecord& rec, std::span<const std::byte> bytes, const Context& ctx) {
  const parse::BinaryModel& m = *rec.binary;
  if (m.pe) rec.authenticode = verify::verify_authenticode(bytes, m.pe->layout, {&ctx.trust, ctx.verify_time});
  if (rec.classification.type == FileType::KernelModule)
    rec.module_signature = verify::verify_module_signature(bytes, ctx.kernel_keys);
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

/// match/: the shared rules over the same bytes, with the file's facts as external variables.
void match_rules(FileRecord& rec, std::span<const std::byte> bytes, match::Matcher& matcher) {
  std::string_view path = rec.file.path;
  auto slash = path.find_last_of('/');
  std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
  auto dot = name.find_last_of('.');
  std::string ext = dot == std::string_view::npos || dot == 0 ? std::string() : std::string(name.substr(dot + 1));
  std::ranges::transform(ext, ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  match::MatchExternals ext_vars{name, path, ext, rec.format, std::nullopt};
  if (rec.binary) ext_vars.privilege = rec.classification.privilege;
  auto found = matcher.scan(bytes, ext_vars);
  if (found) rec.matches = std::move(*found);
  else rec.errors.push_back(at_stage(found.error(), "match"));
}

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

/// Everything done to one file, from open to parse. Failures before the file is known to be a
/// binary make it an unreadable path; failures after that are errors inside its record.
Outcome analyze(const discover::FileRef& f, const io::FileSource& root, const Limits& limits, const Context& ctx,
                const WindowsState& win, match::Matcher* matcher) {
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
  rec.sha256 = io::sha256_hex(bytes);

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
  if (bytes.size() > limits.max_parse_size) {
    rec.errors.push_back(Error{Errc::TooLarge,
                               std::to_string(bytes.size() >> 20) + " MiB is above the parse limit of " +
                                   std::to_string(limits.max_parse_size >> 20) + " MiB (--max-parse-size); not parsed",
                               "parse"});
  } else if (auto model = parse::parse_binary(rec.format, bytes, limits); !model) {
    rec.errors.push_back(at_stage(model.error(), "parse"));
  } else {
    rec.classification = parse::classify(*model, f.path);
    model->type = rec.classification.type;
    rec.binary = std::move(*model);
    try {
      verify_signatures(rec, bytes, ctx);
      match_catalogs(rec, win.catalogs);
    } catch (const std::exception& e) {  // a verifier bug must not lose the parse results
      rec.errors.push_back(Error{Errc::Internal, std::string("unexpected exception: ") + e.what(), "verify"});
    }
  }
  join_windows(rec, win);
  if (matcher) match_rules(rec, bytes, *matcher);
  rec.attribution = attribute::attribute(rec, ctx.vendors);
  if (rec.attribution) rec.verdict = evaluate_policy(rec, ctx);
  return rec;
}

/// The per-file exception boundary: a bug or an escaped third-party exception becomes an
/// Errc::Internal error on that file, never the end of the scan.
Outcome analyze_guarded(const discover::FileRef& f, const io::FileSource& root, const Limits& limits,
                        const Context& ctx, const WindowsState& win, match::Matcher* matcher) {
  try {
    return analyze(f, root, limits, ctx, win, matcher);
  } catch (const std::exception& e) {
    return discover::PathError{f.path, Error{Errc::Internal, std::string("unexpected exception: ") + e.what(), "pipeline"}};
  } catch (...) {
    return discover::PathError{f.path, Error{Errc::Internal, "unexpected non-standard exception", "pipeline"}};
  }
}

void summarise(ScanResult& r, const discover::WalkResult& walk, std::uint64_t non_binaries) {
  ScanSummary& s = r.summary;
  s.directories = walk.directories;
  s.empty_files = walk.empty_files;
  s.files_scanned = walk.files.size();
  s.files_seen = walk.files.size() + walk.empty_files;
  if (auto it = walk.skip_counts.find("too_large"); it != walk.skip_counts.end()) s.files_seen += it->second;
  s.non_binaries = non_binaries;
  s.skipped = walk.skip_counts;
  s.image_entries = walk.image_entry_counts;
  if (non_binaries) s.skipped["not_binary"] = non_binaries;
  for (const FileRecord& rec : r.records) {
    ++s.binaries;
    s.bytes_scanned += rec.file.size;
    ++s.by_format[std::string(to_string(rec.format))];
    if (!rec.errors.empty()) ++s.error_count;
    if (rec.attribution) ++s.attributed;
    if (!rec.catalog_signatures.empty()) ++s.catalog_signed;
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
                    const discover::WalkResult& walk) {
  for (WindowsImage& image : win.images) {
    std::unordered_map<std::string, std::string> record_keys;
    for (const FileRecord& r : result.records)
      if (r.file.root_index == image.root_index) record_keys.emplace(fold_case(r.file.relative), r.file.path);
    std::unordered_set<std::string> walked_keys;
    for (const discover::FileRef& f : walk.files)
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
  std::mutex setup_errors_mutex;
  std::vector<Error> setup_errors;
};

}  // namespace

Result<ScanResult> scan(const ScanOptions& options) {
  auto context = load_context(options.context, options.roots);
  if (!context) return std::unexpected(context.error());
  auto st = std::make_shared<ScanState>(options, std::move(*context));
  const Context& ctx = st->ctx;
  ScanResult result;
  result.options = options;
  result.started = std::chrono::system_clock::now();

  discover::WalkResult walk;
  discover_roots(options, st->roots, walk);
  if (options.context.kernel_keys_from_roots) add_image_kernel_keys(st->roots, st->ctx);
  unsigned n = options.threads ? options.threads : std::max(1u, std::thread::hardware_concurrency());
  st->win = std::make_shared<WindowsState>(load_windows(st->roots.sources, st->roots.opened, options.context.catalog_dirs,
                                                        {&ctx.trust, ctx.verify_time}, n,
                                                        options.context.windows_images));
  st->files = std::move(walk.files);
  st->outcomes.resize(st->files.size());

  // Big files first so that a few large drivers do not leave one core busy at the end.
  std::vector<std::size_t> order(st->files.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::ranges::stable_sort(order, std::greater<>{}, [&](std::size_t i) { return st->files[i].size; });

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
    return [st, matcher](std::size_t i, const Claim& claim) {
      const discover::FileRef& f = st->files[i];
      Outcome o = analyze_guarded(f, *st->roots.sources[f.root_index], st->options.limits, st->ctx, *st->win,
                                  *matcher ? &**matcher : nullptr);
      if (claim()) st->outcomes[i] = std::move(o);
    };
  };
  n = static_cast<unsigned>(std::min<std::size_t>(n, std::max<std::size_t>(1, order.size())));
  result.threads_used = n;
  PoolReport pool = run_pool(order, {n, options.file_timeout, options.stop}, make_worker);

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
  for (Outcome& o : st->outcomes) {
    if (std::holds_alternative<NotBinary>(o)) ++non_binaries;
    else if (auto* rec = std::get_if<FileRecord>(&o)) result.records.push_back(std::move(*rec));
    else if (auto* err = std::get_if<discover::PathError>(&o)) result.errors.push_back(std::move(*err));
  }
  for (FileRecord& rec : result.records) rec.image = st->roots.locations[rec.file.root_index];
  std::ranges::sort(result.records, {}, [](const FileRecord& r) { return r.file.path; });
  result.skipped = std::move(walk.skipped);
  walk.files = st->files;  // summarise and settle_windows read the walk
  summarise(result, walk, non_binaries);
  result.summary.files_not_scanned = pool.not_started;
  result.summary.files_scanned -= pool.not_started;
  result.summary.files_timed_out = pool.timed_out.size();
  if (options.stop) result.interrupted_by = options.stop->load();
  result.walk_interrupted = walk.interrupted;
  result.abandoned_threads = pool.abandoned_threads;
  if (pool.stopped_by_abandon_limit)
    result.errors.push_back({"(scan)", Error{Errc::Timeout, std::to_string(pool.abandoned_threads) +
                                                                " files hung; the scan was stopped early",
                                             "pipeline"}});
  settle_windows(*st->win, st->roots, result, walk);
  result.images = st->roots.images;
  result.catalog_summary = catalog_summary(*st->win);
  result.windows = st->win;
  result.load_notes = ctx.notes;
  result.key_sources = ctx.key_sources;
  result.trust_anchors = ctx.trust.anchors().size();
  result.verify_time = ctx.verify_time;
  result.suppressions = ctx.policy.suppression_report(ctx.policy.today());
  result.policy_name = ctx.policy.name();
  result.finished = std::chrono::system_clock::now();
  return result;
}

}  // namespace trustscan::pipeline
