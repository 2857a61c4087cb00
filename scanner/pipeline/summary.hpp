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

/// Counts one record (binaries, formats, findings, ...) into `s`: called once for each record as
/// it is final, so that the summary is complete whether or not the records are kept.
void count_record(ScanSummary& s, const record::FileRecord& rec);

/// Fills result.summary, which already holds the records' counts (count_record), with the
/// walk's, the pool's and the path errors'. `files`: what the walk listed (moved out of `walk`
/// into the scan state).
void summarise(ScanResult& result, const discover::WalkResult& walk, std::span<const discover::FileRef> files,
               std::uint64_t non_binaries, const PoolReport& pool);

}  // namespace trustscan::pipeline
