#include "pipeline/analyze.hpp"

#include <algorithm>
#include <exception>
#include <span>
#include <thread>

#include "attribute/attributor.hpp"
#include "identify/format.hpp"
#include "io/decompress.hpp"
#include "io/hashing.hpp"
#include "match/rule_scope.hpp"
#include "parse/headers.hpp"
#include "parse/parser.hpp"
#include "policy/evaluator.hpp"
#include "policy/trust_finding.hpp"
#include "verify/catalog.hpp"
#include "verify/kernel_load.hpp"
#include "verify/verify_file.hpp"

namespace trustscan::pipeline {
namespace {

using record::FileRecord;
using Matches = Result<std::vector<match::RuleMatch>>;

Error internal(const std::exception& e, std::string stage) {
  return Error{Errc::Internal, std::string("unexpected exception: ") + e.what(), std::move(stage)};
}

/// The file's bytes as the later stages see them: as read, or the decompressed module.
struct Bytes {
  io::FileContents read = io::FileContents::adopt({});  ///< the file as stored
  std::vector<std::byte> inflated;  ///< a .ko.xz/.ko.zst decompressed; empty otherwise
  [[nodiscard]] std::span<const std::byte> view() const {
    return inflated.empty() ? read.bytes() : std::span<const std::byte>(inflated);
  }
};

using ModuleDigest = std::optional<verify::SignedContentDigest>;

/// map/: the SHA-256 of the file as stored (in chunks for a file read on demand); for a signed
/// module also that of its signed content, in the same pass (the module verifier then does not
/// hash it again). Errc::Io when a file read on demand cannot be read.
Result<ModuleDigest> hash_file(FileRecord& rec, const ByteSource& bytes) {
  const std::optional<std::size_t> signed_size = rec.format == Format::Elf ? verify::module_signed_size(bytes)
                                                                           : std::nullopt;
  auto h = io::sha256_with_prefix(bytes, signed_size.value_or(0));
  if (!h) return std::unexpected(h.error());
  rec.sha256 = std::move(h->hex);
  if (signed_size) return verify::SignedContentDigest{*signed_size, h->prefix};
  return std::nullopt;
}

/// map/ + identify/: a compressed module inflated and identified; false (with an error on the
/// record) when that fails or the payload is not an ELF file.
bool decompress(FileRecord& rec, Bytes& bytes, const Limits& limits) {
  if (rec.compression == Compression::None) return true;
  auto out = io::decompress(rec.compression, bytes.read.bytes(), limits.max_decompressed_size);
  if (!out) {
    rec.errors.push_back(at_stage(out.error(), "map"));
    return false;
  }
  bytes.inflated = std::move(*out);
  const std::span<const std::byte> view = bytes.view();
  rec.decompressed_size = view.size();
  rec.format = identify::sniff(view.first(std::min(view.size(), identify::kSniffBytes)), view.size(), "").format;
  if (rec.format == Format::Elf) return true;
  rec.errors.push_back(Error{Errc::Malformed, "compressed module does not contain an ELF file", "identify"});
  return false;
}

/// parse/ for a file above the streaming threshold or the parse limit: its model from the headers
/// alone (parse/headers.hpp), with notes saying why LIEF did not parse it and, for a file read on
/// demand, how its rules ran; an error on the record when the headers are unusable.
bool parse_headers_stage(FileRecord& rec, const ByteSource& bytes, const Limits& limits) {
  auto model = parse::parse_headers(rec.format, bytes, limits);
  if (!model) {
    rec.errors.push_back(at_stage(model.error(), "parse"));
    return false;
  }
  const bool above_parse_limit = bytes.size() > limits.max_parse_size;
  model->warnings.insert(
      model->warnings.begin(),
      "not parsed by LIEF: " + std::to_string(bytes.size() >> 20) + " MiB is above the " +
          (above_parse_limit
               ? "parse limit (--max-parse-size) of " + std::to_string(limits.max_parse_size >> 20)
               : "streaming threshold (--stream-threshold) of " + std::to_string(limits.stream_threshold >> 20)) +
          " MiB; its signatures are verified all the same");
  if (!bytes.in_memory())
    model->warnings.push_back(
        "never held in memory whole: hashed and verified by ranges read on demand; rules ran "
        "over the whole file in " +
        std::to_string(match::kBlock >> 20) + " MiB blocks overlapping by " +
        std::to_string(match::kBlockOverlap >> 10) + " KiB (a longer string across a block boundary is not seen)");
  rec.classification = parse::classify(*model, rec.file.path);
  model->type = rec.classification.type;
  rec.binary = std::move(*model);
  return true;
}

/// parse/: the model and its classification; an error on the record when the file cannot be
/// parsed (it is still matched and attributed: a broken file from a flagged vendor must not
/// disappear from the findings). Above the parse limit (a decompressed module, or a file that
/// grew past the streaming threshold since the walk), from its headers.
bool parse_stage(FileRecord& rec, Bytes& bytes, const Limits& limits) {
  const std::span<const std::byte> view = bytes.view();
  if (view.size() > limits.max_parse_size) return parse_headers_stage(rec, SpanSource(view), limits);
  auto model = bytes.inflated.empty() ? parse::parse_binary(rec.format, bytes.read.buffer(), limits)
                                      : parse::parse_binary(rec.format, view, limits);
  if (!model) {
    rec.errors.push_back(at_stage(model.error(), "parse"));
    return false;
  }
  rec.classification = parse::classify(*model, rec.file.path);
  model->type = rec.classification.type;
  rec.binary = std::move(*model);
  return true;
}

/// verify/: every signature in the file's own bytes (in memory or read on demand).
void verify_stage(FileRecord& rec, const ByteSource& bytes, const AnalysisTools& t, const ModuleDigest& module_digest) {
  const Context& ctx = t.ctx;
  try {
    const verify::VerifyServices services{&ctx.trust,
                                          &ctx.apple,
                                          [&ctx]() -> const verify::KernelKeyring& { return ctx.kernel_keys.keys(); },
                                          ctx.verify_time,
                                          ctx.strict_padding,
                                          t.image_trust,
                                          wants_image_sha1(rec, t.catalogs)};
    rec.signatures = verify::verify_file({bytes, *rec.binary, rec.classification.type,
                                          module_digest ? &*module_digest : nullptr},
                                         services);
  } catch (const std::exception& e) {  // a verifier bug must not lose the parse results
    rec.errors.push_back(internal(e, "verify"));
  }
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
      : thread_([this, &rules, path = std::move(path), format, privilege, bytes, &spare,
                 deadline = current_deadline()] {
          const DeadlineScope budget(deadline);  // the file's budget holds on this thread too
          try {
            auto matcher = match::Matcher::create(rules);
            result_ = matcher ? matcher->scan_file(bytes, path, format, privilege) : Matches(std::unexpected(matcher.error()));
          } catch (const std::exception& e) {
            result_ = std::unexpected(Error{Errc::Internal, std::string("unexpected exception: ") + e.what()});
          }
          spare.give();
        }) {}
  RulesOnSpareCore(const RulesOnSpareCore&) = delete;  // the thread holds `this`
  RulesOnSpareCore& operator=(const RulesOnSpareCore&) = delete;
  /// Waits for the rules and returns what they found.
  Matches get() {
    thread_.join();
    return std::move(result_);
  }

 private:
  Matches result_ = std::vector<match::RuleMatch>{};
  std::jthread thread_;  // last: joined before result_ is destroyed
};

/// match/, started early: a large parsed file's rules on a spare core, if one is free. Never for
/// kernel modules: whether their rules run depends on their signature (rules_not_needed).
std::optional<RulesOnSpareCore>& start_rules_on_spare_core(std::optional<RulesOnSpareCore>& side, const FileRecord& rec,
                                                           std::span<const std::byte> bytes, const AnalysisTools& t) {
  if (!t.matcher || !t.spare || bytes.size() < kSpareCoreBytes || rec.classification.type == FileType::KernelModule ||
      !t.matcher->get() || !t.spare->take())  // (get(): the rules are compiled, and usable)
    return side;
  try {
    side.emplace(*t.ctx.rules.get(), rec.file.path, rec.format, rec.rule_privilege, bytes, *t.spare);
    t.spare->count_lent();
  } catch (...) {  // no thread (e.g. under --max-memory): the core goes back, the rules run here
    t.spare->give();
  }
  return side;
}

/// map/, for the known-bad feeds: the file SHA-1/MD5 of a kernel-mode PE file (by its headers,
/// so the fact depends on the bytes alone), when the loaded feeds list a driver by them alone.
void hash_for_known_bad(FileRecord& rec, const ByteSource& bytes, const match::KnownBadFeed& feed) {
  const bool sha1 = feed.needs(datasets::KeyKind::FileSha1), md5 = feed.needs(datasets::KeyKind::FileMd5);
  if ((!sha1 && !md5) || !rec.binary || !rec.binary->pe || rec.classification.privilege != Privilege::Kernel) return;
  // The file's SHA-256 is already on the record (map/): only the two extra digests here.
  auto d = io::file_digests(bytes, {.sha256 = false, .sha1 = sha1, .md5 = md5});
  if (!d) {
    rec.errors.push_back(at_stage(d.error(), "map"));
    return;
  }
  rec.sha1 = std::move(d->sha1);
  rec.md5 = std::move(d->md5);
}

/// The facts of `rec` that the known-bad matcher reads; they point into `rec`.
match::KnownBadFacts known_bad_facts(const FileRecord& rec) {
  match::KnownBadFacts f;
  f.file_sha256 = rec.sha256;
  f.file_sha1 = rec.sha1;
  f.file_md5 = rec.md5;
  if (const auto& h = rec.signatures.authentihash) {
    f.authenticode_sha256 = h->sha256;
    f.authenticode_sha1 = h->sha1;
  }
  if (const auto& h = rec.signatures.first_page) {
    f.page_sha256 = h->sha256;
    f.page_sha1 = h->sha1;
  }
  if (rec.binary && rec.binary->pe) {
    match::set_version_names(f, rec.binary->pe->version_info);
    f.file_version = rec.binary->pe->file_version;
  }
  auto add_signers = [&f](const std::vector<verify::Signature>& list) {
    for (const verify::Signature& sig : list) {
      if (sig.source != verify::SignatureSource::Embedded && sig.source != verify::SignatureSource::Catalog) continue;
      match::SignerFacts s{{sig.signer.tbs_hash}, sig.signer.subject_cn, sig.program_name};
      for (const verify::CertInfo& c : sig.chain) s.chain_tbs_hashes.push_back(c.tbs_hash);
      f.signers.push_back(std::move(s));
    }
  };
  add_signers(rec.signatures.signatures);
  add_signers(rec.catalog_signatures);
  return f;
}

void store_matches(FileRecord& rec, Matches found) {
  if (found) rec.matches = std::move(*found);
  else rec.errors.push_back(at_stage(found.error(), "match"));
}

/// match/: the shared rules over the same bytes, unless they are not needed for this file.
void match_stage(FileRecord& rec, const ByteSource& bytes, const AnalysisTools& t) {
  if (!t.matcher) return;
  if (!t.ctx.match_all) rec.rules_skipped = match::rules_not_needed(rec);
  if (rec.rules_skipped) return;
  if (match::Matcher* matcher = t.matcher->get())
    store_matches(rec, matcher->scan_file(bytes, rec.file.path, rec.format, rec.rule_privilege));
}

/// The stages of a file above the streaming threshold (Limits::streamed_above): never held
/// whole. Hashed in chunks, parsed from its headers, verified over the signed ranges read on
/// demand, matched in bounded blocks. `file` stays open until the analysis ends.
Outcome analyze_streamed(io::SourceFile& file, FileRecord rec, const AnalysisTools& t) {
  auto bytes = io::StreamedFile::open(file, t.limits.max_file_size);
  if (!bytes) return discover::PathError{rec.file.path, at_stage(bytes.error(), "map")};
  rec.file.size = bytes->size();
  auto module_digest = hash_file(rec, *bytes);
  if (!module_digest) return discover::PathError{rec.file.path, at_stage(module_digest.error(), "map")};
  if (parse_headers_stage(rec, *bytes, t.limits)) {
    rec.rule_privilege = rec.privilege();
    hash_for_known_bad(rec, *bytes, t.ctx.known_bad);
    verify_stage(rec, *bytes, t, *module_digest);
  }
  match_stage(rec, *bytes, t);
  return rec;
}

}  // namespace

bool wants_image_sha1(const FileRecord& rec, bool catalogs) noexcept {
  return catalogs || rec.privilege().value_or(Privilege::User) != Privilege::User;
}

std::string budget_text(std::chrono::milliseconds budget) {
  std::string seconds = std::to_string(static_cast<double>(budget.count()) / 1000.0);
  seconds.erase(seconds.find_last_not_of('0') + 1);  // "2.500000" -> "2.5"; "120.000000" -> "120." -> "120"
  if (seconds.ends_with('.')) seconds.pop_back();
  return seconds + " s";
}

discover::PathError timed_out(const discover::FileRef& f, std::chrono::milliseconds budget, const Deadline& deadline) {
  const std::string where = deadline.where();
  return discover::PathError{f.path, Error{Errc::Timeout,
                                           "analysis took longer than --file-timeout (" + budget_text(budget) + ")" +
                                               (where.empty() ? std::string() : ", stopped while " + where) +
                                               "; the file was not analysed whole",
                                           "pipeline"}};
}

Error at_stage(Error e, std::string stage) {
  e.stage = std::move(stage);
  return e;
}

FileRecord record_of(const discover::FileRef& f, record::FileFacts&& facts, std::optional<record::WindowsFacts> windows) {
  FileRecord rec;
  static_cast<record::FileFacts&>(rec) = std::move(facts);
  rec.file = f;
  rec.windows = std::move(windows);
  return rec;
}

Outcome analyze(const discover::FileRef& f, const io::FileSource& root, std::optional<record::WindowsFacts> windows,
                const AnalysisTools& t) {
  auto file = root.open_file(f.relative, f.inode);
  if (!file) return discover::PathError{f.path, at_stage(file.error(), "map")};
  auto prefix = (*file)->read_prefix(identify::kSniffBytes);
  if (!prefix) return discover::PathError{f.path, at_stage(prefix.error(), "map")};
  const identify::Identity id = identify::sniff(*prefix, f.size, f.path);
  if (id.format == Format::Unknown && id.compression == Compression::None) return NotBinary{};
  if (t.beside_postponed) return Postponed{f.size};  // left to a worker that holds no large binary

  record::FileFacts identified;
  identified.format = id.format;
  identified.compression = id.compression;
  FileRecord rec = record_of(f, std::move(identified), std::move(windows));
  if (id.compression == Compression::None && f.size > t.limits.streamed_above())
    return analyze_streamed(**file, std::move(rec), t);
  // Reserved before the read, returned after the bytes are freed (declared before them).
  MemoryBudget::Hold hold;
  if (t.budget && t.may_postpone) {
    std::optional<MemoryBudget::Hold> now = t.budget->try_reserve(f.size, t.budget_key);
    if (!now) return Postponed{f.size};
    hold = std::move(*now);
  } else if (t.budget) {
    hold = t.budget->reserve(f.size, t.budget_key);
  }
  Bytes bytes;
  {
    auto contents = (*file)->read_all(t.limits.max_file_size);
    file->reset();  // closed before the analysis: an image volume's handle goes back to its pool
    if (!contents) return discover::PathError{f.path, at_stage(contents.error(), "map")};
    bytes.read = std::move(*contents);
  }
  rec.file.size = bytes.read.bytes().size();
  // In memory, the hash cannot fail to read.
  const ModuleDigest module_digest = hash_file(rec, SpanSource(bytes.read.bytes())).value_or(std::nullopt);
  if (!decompress(rec, bytes, t.limits)) return rec;

  std::optional<RulesOnSpareCore> side_rules;  // after the bytes: joined before they are freed
  if (parse_stage(rec, bytes, t.limits)) {
    rec.rule_privilege = rec.privilege();
    hash_for_known_bad(rec, SpanSource(bytes.read.bytes()), t.ctx.known_bad);
    start_rules_on_spare_core(side_rules, rec, bytes.view(), t);
    verify_stage(rec, SpanSource(bytes.view()), t, module_digest);
  }
  if (side_rules) store_matches(rec, side_rules->get());
  else
    match_stage(rec, SpanSource(bytes.view()), t);
  return rec;
}

void complete(FileRecord& rec, const Context& ctx, const WindowsState& win) {
  try {
    if (rec.signatures.authentihash)
      for (const verify::CatalogIndex* index : win.catalog_indexes()) {
        auto found = verify::catalog_signatures(*rec.signatures.authentihash, *index);
        rec.catalog_signatures.insert(rec.catalog_signatures.end(), std::make_move_iterator(found.begin()),
                                      std::make_move_iterator(found.end()));
      }
  } catch (const std::exception& e) {
    rec.errors.push_back(internal(e, "verify"));
  }
  rec.signature = verify::decide_signature(rec.signatures, rec.catalog_signatures,
                                           rec.binary ? rec.binary->macho_slices.size() : 0);
  if (rec.format == Format::Pe && rec.privilege() == Privilege::Kernel) {
    const WindowsImage* image = win.image_of(rec.file.root_index, rec.file.relative);
    rec.kernel_load = verify::decide_kernel_load(rec.signatures.signatures, rec.catalog_signatures,
                                                 image ? image->code_integrity : verify::CodeIntegrityState{});
  }
  if (!ctx.known_bad.empty() && rec.format == Format::Pe) {
    rec.known_bad = ctx.known_bad.match(known_bad_facts(rec));
    const policy::KnownBadFile file{rec.privilege(), rec.windows && rec.windows->loads_at_boot, rec.sha256,
                                    rec.file.path};
    rec.known_bad_severity = policy::evaluate_known_bad(ctx.policy, rec.known_bad, file);
  }
  rec.attribution = attribute::attribute(rec, ctx.vendors);
  if (rec.attribution && rec.attribution->attributed()) rec.verdict = policy::evaluate_record(ctx.policy, rec, ctx.vendors);
  policy::apply_trust_findings(ctx.policy, rec);
}

}  // namespace trustscan::pipeline
