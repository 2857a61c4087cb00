#pragma once
/// \file
/// pipeline/ internal: the scan's summary counts (ScanSummary) from the walk, the pool and the
/// records.

#include <cstdint>
#include <span>

#include "discover/walker.hpp"
#include "pipeline/pipeline.hpp"
#include "pipeline/worker_pool.hpp"

namespace trustscan::pipeline {

/// Fills result.summary. `files`: what the walk listed (moved out of `walk` into the scan state).
void summarise(ScanResult& result, const discover::WalkResult& walk, std::span<const discover::FileRef> files,
               std::uint64_t non_binaries, const PoolReport& pool);

}  // namespace trustscan::pipeline
