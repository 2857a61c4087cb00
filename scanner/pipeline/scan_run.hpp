#pragma once
/// \file
/// pipeline/ internal: one scan over a loaded SharedContext, streaming to a Sink — what
/// Engine::scan runs (engine.cpp), and so what pipeline::scan runs.

#include <memory>

#include "pipeline/context.hpp"
#include "pipeline/engine.hpp"
#include "pipeline/pipeline.hpp"

namespace trustscan::pipeline {

/// Scans `options.roots` with `shared`, which was loaded from `options.context`. Each final record and path error goes
/// to `sink` as soon as it is known (serialised); `keep_records` false: ScanResult::records stays empty, its summary is
/// still complete.
[[nodiscard]] Result<ScanResult> run_scan(const ScanOptions& options, std::shared_ptr<const SharedContext> shared,
                                          const Sink& sink, bool keep_records);

}  // namespace trustscan::pipeline
