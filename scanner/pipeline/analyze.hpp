#pragma once
/// \file
/// pipeline/ internal: one file through the stages. analyze() runs the stages that read the
/// file's bytes (identify → map → parse → verify → match: record::FileFacts, what the cache
/// keeps); complete() the stages that depend on the scan's context (catalogs and the signature
/// decision → attribute → policy). pipeline.cpp schedules files, asks the cache, and calls these.

#include <chrono>
#include <cstdint>
#include <optional>
#include <variant>

#include "core/deadline.hpp"
#include "core/limits.hpp"
#include "discover/file_ref.hpp"
#include "discover/walker.hpp"
#include "io/file_source.hpp"
#include "match/matcher.hpp"
#include "pipeline/context.hpp"
#include "pipeline/memory_budget.hpp"
#include "pipeline/rules_on_demand.hpp"
#include "pipeline/windows_image.hpp"
#include "pipeline/worker_pool.hpp"
#include "record/file_record.hpp"

namespace trustscan::pipeline {

struct NotScanned {};  ///< not reached: the scan stopped, or the file timed out
struct NotBinary {};   ///< read, and not a PE, ELF or Mach-O file
/// Not analysed yet: a binary to be read whole that does not fit in the memory budget now
/// (AnalysisTools::may_postpone), analysed later by the same worker, or a binary met while the
/// worker holds one (AnalysisTools::beside_postponed), left to another (worker_pool.hpp).
struct Postponed {
  std::uint64_t bytes = 0;  ///< what it reserves (MemoryBudget::ready)
};
/// What became of one listed file.
using Outcome = std::variant<NotScanned, NotBinary, Postponed, record::FileRecord, discover::PathError>;

/// What one file's analysis uses besides the file; shared, read-only (the matcher is the
/// calling thread's own).
struct AnalysisTools {
  const Context& ctx;
  const Limits& limits;
  MatcherOnDemand* matcher = nullptr;  ///< the calling thread's; nullptr: no rule file is configured
  SpareCores* spare = nullptr;        ///< cores lent by finished workers; nullptr: never borrow
  /// The stores of the Windows image the file is in (WindowsImage::trust); nullptr outside
  /// images and for images without stores.
  const verify::ImageTrust* image_trust = nullptr;
  /// Bytes of large binaries held whole at once by all workers (memory_budget.hpp); nullptr: no limit.
  MemoryBudget* budget = nullptr;
  /// A binary that does not fit in `budget` now, or whose turn it is not, is Postponed rather
  /// than waited for.
  bool may_postpone = false;
  /// The calling worker has a binary Postponed: a binary is Postponed too, before it is read,
  /// and left to a worker that holds none (worker_pool.hpp, Postpone). What the waiting worker
  /// analyses meanwhile is then only files that are not binaries: with binaries among them, the
  /// records and the heap of a /usr scan grew while its largest binaries were still to come, and
  /// its peak reached 306 and 311 MB in two of eleven runs (265-290 MB before).
  bool beside_postponed = false;
  /// The file's place in `budget`'s line (MemoryBudget::Key).
  std::uint64_t budget_key = 0;
  /// The scan has catalogs to look files up in (WindowsState::has_catalogs; wants_image_sha1).
  bool catalogs = false;
};

/// Whether the SHA-1 authentihash of PE file `rec` (parsed, its Windows join made) is computed
/// although the file carries no certificate table (verify::VerifyContext::image_sha1): when the
/// scan has catalogs to look it up in (older catalogs list SHA-1 image hashes only), and for a
/// file that runs in the kernel or at boot, which driver block lists and known-bad feeds name by
/// it. Its SHA-256 authentihash is computed always. For a user-mode file without a table in a
/// scan without catalogs, SHA-1 would be a second pass over the whole file, as costly as its
/// SHA-256, that no result reads (docs/performance.md, "fifteenth round").
[[nodiscard]] bool wants_image_sha1(const record::FileRecord& rec, bool catalogs) noexcept;

/// The stages that read the file: opens `f` in `root`, identifies it, reads and hashes it,
/// decompresses a compressed module, parses, verifies and matches it. `windows`: the Windows
/// join, made before (it decides the privilege the rules see). Failures before the file is
/// known to be a binary make it a PathError; failures after that are errors inside its record.
/// The facts of the result depend on the file's bytes and the configuration only, but for the
/// SHA-1 authentihash (wants_image_sha1: a cache hit without it is not used where it is wanted).
[[nodiscard]] Outcome analyze(const discover::FileRef& f, const io::FileSource& root,
                              std::optional<record::WindowsFacts> windows, const AnalysisTools& tools);

/// The stages that depend on more than the file — the catalogs of the scan and the file's
/// signature decision, the vendor list, the policy — on a record freshly analysed or rebuilt
/// from the cache.
void complete(record::FileRecord& rec, const Context& ctx, const WindowsState& win);

/// `rec`'s facts taken as a fresh record of `f` with the Windows join `windows` (a cache hit).
[[nodiscard]] record::FileRecord record_of(const discover::FileRef& f, record::FileFacts&& facts,
                                           std::optional<record::WindowsFacts> windows);

/// A time budget as messages show it: "2.5 s", "120 s".
[[nodiscard]] std::string budget_text(std::chrono::milliseconds budget);
/// The outcome of a file whose time budget (`deadline`, core/deadline.hpp) ran out while it was
/// analysed: an Errc::Timeout error on its path that says where, whatever the stages made of it.
[[nodiscard]] discover::PathError timed_out(const discover::FileRef& f, std::chrono::milliseconds budget,
                                            const Deadline& deadline);

/// Attaches `stage` to an error.
[[nodiscard]] Error at_stage(Error e, std::string stage);

}  // namespace trustscan::pipeline
