#pragma once
/// \file
/// Runs discover → map → identify → parse (→ later stages) over every root, on a pool of threads,
/// with one try/catch boundary per file so that no single file can abort a scan.

#include <chrono>
#include <cstdint>
#include <atomic>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/limits.hpp"
#include "pipeline/context.hpp"
#include "discover/file_ref.hpp"
#include "image/disk_image.hpp"
#include "record/file_record.hpp"
#include "record/record_list.hpp"
#include "pipeline/windows_image.hpp"

namespace trustscan::pipeline {

/// Disk image files among the roots (issue 10).
struct ImageOptions {
  /// --image: every file root is an image (an error if it is not). Without it a file root that
  /// is not a binary is opened as an image when libtsk recognises one in it.
  bool force = false;
  std::vector<unsigned> partitions;  ///< --partition N (repeatable): only these volumes; empty = all
  bool include_deleted = false;      ///< --include-deleted: scan deleted files libtsk can read back
  bool hash = false;                 ///< --hash-image: SHA-256 of each image file in the report
};

/// Where a running scan stands (issue 8: the progress line). Sizes are those the walk saw.
struct ScanProgress {
  std::uint64_t files_done = 0;   ///< analysed or taken from the cache
  std::uint64_t files_total = 0;  ///< listed by the walk
  std::uint64_t bytes_done = 0;
  std::uint64_t bytes_total = 0;
  std::string current_root;    ///< the root (as given) of the file finished last
  double elapsed_seconds = 0;  ///< since the files started to be analysed
};

/// When a file still running is given up by abandoning its thread (ScanOptions::abandon_hung_threads):
/// twice the budget plus 10 s, far beyond the worst overrun measured past a deadline
/// (docs/time-budget.md). 0 (no budget): never.
[[nodiscard]] constexpr std::chrono::milliseconds last_resort_timeout(std::chrono::milliseconds file_timeout) noexcept {
  return file_timeout.count() > 0 ? file_timeout * 2 + std::chrono::seconds(10) : std::chrono::milliseconds(0);
}

/// The per-file time budget of a program that does not choose one: `trustscan scan`'s
/// --file-timeout default and a fresh ts_config's (the library), in seconds.
inline constexpr double kDefaultFileTimeoutSeconds = 120;

struct ScanOptions {
  std::vector<std::string> roots{"/"};
  std::vector<std::string> excludes;
  bool one_file_system = false;
  /// --include-network-fs: also walk network and FUSE file systems mounted below the roots.
  bool include_network_fs = false;
  unsigned threads = 0;  ///< 0 = all cores
  Limits limits;
  ContextOptions context;
  /// Per-file time budget (--file-timeout); 0 = none. The long loops of the analysis check it
  /// (core/deadline.hpp): a file over it is reported as an error (Errc::Timeout) and its thread
  /// goes on with the next file. What cannot be interrupted: docs/time-budget.md.
  std::chrono::milliseconds file_timeout{0};
  /// Last resort for a program that owns its process (the CLI), never for a library client: a
  /// file still running at last_resort_timeout(file_timeout) — stuck in a call no check reaches —
  /// has its thread abandoned (worker_pool.hpp), and the process must end with std::_Exit.
  bool abandon_hung_threads = false;
  /// Set to a signal number to stop the scan early (SIGINT/SIGTERM): the walk and the workers stop
  /// starting new work and the result is marked incomplete.
  const std::atomic<int>* stop = nullptr;
  /// --cache FILE (issue 8, docs/cache.md): reuse the per-file results of earlier scans kept in
  /// this SQLite file, and keep this scan's. Unset: no cache.
  std::optional<std::filesystem::path> cache_file;
  /// Called about four times a second while files are analysed, from the thread that called
  /// scan() (never from a worker). Empty: never called.
  std::function<void(const ScanProgress&)> progress{};
  ImageOptions images;
};

/// What --cache did (summary.cache in reports). hits + misses = files looked up.
struct CacheCounts {
  std::uint64_t hits = 0;         ///< outcome taken from the cache: the file was not opened
  std::uint64_t misses = 0;       ///< analysed (read), whether or not an entry existed
  std::uint64_t invalidated = 0;  ///< misses that had an entry which could not be used
};

struct ScanSummary {
  std::uint64_t files_seen = 0;     ///< regular files met by the walk (scanned, empty, or skipped for size)
  std::uint64_t files_scanned = 0;  ///< regular files opened and sniffed
  std::uint64_t binaries = 0;
  std::uint64_t non_binaries = 0;
  std::uint64_t empty_files = 0;
  std::uint64_t directories = 0;
  std::uint64_t bytes_scanned = 0;  ///< bytes of binaries read in full
  std::uint64_t error_count = 0;    ///< files with any error (unreadable, or a stage failed)
  /// error_count split by ErrorKind (core/error_kind.hpp): files and paths with an error of kind
  /// `read` (not read, or not whole: these make the exit 3), and those whose errors are all
  /// `malformed` (read, but not what their format says). read_errors + malformed_errors = error_count.
  std::uint64_t read_errors = 0, malformed_errors = 0;
  std::map<std::string, std::uint64_t> by_format;
  std::map<std::string, std::uint64_t> by_privilege;
  std::map<std::string, std::uint64_t> by_type;
  /// Kernel-privileged records by their signature status (verify::to_string(SignatureStatus):
  /// valid, unsigned, untrusted, ...): what monitoring adapters report (issue 19).
  std::map<std::string, std::uint64_t> kernel_by_signature;
  std::map<std::string, std::uint64_t> skipped;  ///< by reason
  /// Disk images: entries that are not files to scan (deleted, fs_metadata; discover::WalkResult).
  std::map<std::string, std::uint64_t> image_entries;
  std::uint64_t findings = 0;  ///< flagged, in scope, not suppressed
  std::uint64_t suppressed = 0;
  std::map<std::string, std::uint64_t> findings_by_severity;
  std::uint64_t attributed = 0;
  /// Records that a known-bad driver feed lists (FileRecord::known_bad), and those of them that
  /// are findings (kernel or boot: FileRecord::known_bad_severity).
  std::uint64_t known_bad = 0, known_bad_findings = 0;
  std::uint64_t catalog_signed = 0;     ///< records listed by at least one catalog
  std::uint64_t rules_skipped = 0;      ///< records not matched against the rules (FileFacts::rules_skipped)
  std::uint64_t files_not_scanned = 0;  ///< listed by the walk, never analysed (interrupted scan)
  std::uint64_t files_timed_out = 0;    ///< stopped at --file-timeout (or, CLI only, abandoned later)
  std::optional<CacheCounts> cache;     ///< set when --cache was given
};

class Engine;  // engine.hpp

struct ScanResult {
  ScanOptions options;
  std::chrono::system_clock::time_point started;
  std::chrono::system_clock::time_point finished;
  unsigned threads_used = 0;
  record::RecordList records;               ///< binaries, in path order
  std::vector<discover::Skipped> skipped;   ///< listed skips, in walk order
  std::vector<discover::PathError> errors;  ///< paths that could not be read at all
  ScanSummary summary;
  std::vector<LoadNote> load_notes;      ///< problems met loading keys/anchors (not fatal)
  std::vector<std::string> key_sources;  ///< where module-signing keys came from
  std::size_t trust_anchors = 0;
  std::vector<verify::AnchorSetInfo> anchor_sets;  ///< the Authenticode anchor sets, in order
  std::vector<datasets::DatasetInfo> datasets;     ///< imported data sets the scan used
  std::int64_t verify_time = 0;                    ///< Unix seconds signatures were checked at (absent a timestamp)
  std::vector<policy::SuppressionStatus> suppressions;  ///< every suppression: used, unused, expired
  std::string policy_name;                              ///< which policy decided (file or "command line")
  policy::KnownBadSettings known_bad_policy;            ///< the policy's known-bad category (issue 17)
  /// Windows images found under the roots (issue 6) and the catalogs loaded. `windows` owns the
  /// catalogs that catalog_summary.not_trusted points into.
  std::shared_ptr<const WindowsState> windows;
  CatalogSummary catalog_summary;
  std::vector<image::ImageInfo> images;  ///< disk image files among the roots (issue 10)
  int interrupted_by = 0;                ///< signal that stopped the scan early; 0 = ran to the end
  bool walk_interrupted = false;         ///< the walk itself was cut short (files were not even listed)
  /// Large files whose rules ran on a core a finished worker had left (SpareCores); for the
  /// benchmark and tests, not part of reports.
  std::size_t files_on_spare_core = 0;
  /// Binaries postponed (worker_pool.hpp, Postpone): large ones that waited for the memory
  /// budget while their worker analysed other files, and those that worker met meanwhile and
  /// left to another; for the benchmark and tests, not part of reports.
  std::size_t files_postponed = 0;
  /// --cache: what people should know (a rebuilt cache, a failed write). Not part of reports.
  std::vector<std::string> cache_notes;
  /// scan(options): the engine it loaded for this one scan, freed with the result instead of
  /// before the report is written. A command that scans once ends with its process, and freeing
  /// the vendor list, anchors and known-bad feeds (every string of them, on one thread) came
  /// between the scan and its report. Null for Engine::scan: its engine is the caller's.
  std::shared_ptr<const Engine> engine;
  /// The scan covered everything it was asked to (not stopped, nothing timed out).
  [[nodiscard]] bool complete() const noexcept {
    return interrupted_by == 0 && !walk_interrupted && summary.files_not_scanned == 0;
  }
};

/// Scans every root in `options`. Input problems are in the result; only configuration errors
/// (unreadable trust store, bad --module-keys) fail, before any file is read.
[[nodiscard]] Result<ScanResult> scan(const ScanOptions& options);

}  // namespace trustscan::pipeline
