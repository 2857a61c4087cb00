#pragma once
/// \file
/// pipeline/ internal: one scan over a loaded SharedContext, streaming to a Sink — what
/// Engine::scan runs (engine.cpp), and so what pipeline::scan runs.

#include <chrono>
#include <future>
#include <memory>

#include "cache/scan_cache.hpp"
#include "pipeline/context.hpp"
#include "pipeline/engine.hpp"
#include "pipeline/pipeline.hpp"
#include "pipeline/roots.hpp"

namespace trustscan::pipeline {

/// What a scan does before it needs anything its engine loads: it opens its --cache, then opens
/// and walks its roots (the cache first, so that the walk meets the cache's own files, which are
/// excluded and listed). pipeline::scan has it done while the engine loads (a Debian /usr: 0.4 s
/// of walk beside 0.05 s of load).
struct ScanStart {
  std::chrono::system_clock::time_point started;  ///< when it began: the scan's start
  /// The --cache database (null without one); an error ends the scan before anything is walked.
  Result<std::shared_ptr<cache::ScanCache>> cache{nullptr};
  std::vector<std::string> cache_notes;  ///< what opening the cache said (ScanResult::cache_notes)
  OpenedRoots roots;
  discover::WalkResult walk;
};

/// The start of a scan of `options`, done now on the calling thread.
[[nodiscard]] ScanStart start_scan(const ScanOptions& options);

/// start_scan() on a thread of its own, begun now; on the calling thread when asked for with
/// `--threads 1` (one thread of work) or when no thread can be made. `options` must outlive it.
[[nodiscard]] std::future<ScanStart> start_scan_early(const ScanOptions& options);

/// Scans `options.roots` with `shared`, which was loaded from `options.context`. Each final record and path error goes
/// to `sink` as soon as it is known (serialised); `keep_records` false: ScanResult::records stays empty, its summary is
/// still complete. `started`: start_scan() of the same options, done already (null: done here).
[[nodiscard]] Result<ScanResult> run_scan(const ScanOptions& options, std::shared_ptr<const SharedContext> shared,
                                          const Sink& sink, bool keep_records, ScanStart* started = nullptr);

}  // namespace trustscan::pipeline
