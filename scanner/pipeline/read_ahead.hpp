#pragma once
/// \file
/// pipeline/ internal: which files to hint to their source (FileSource::read_ahead) as the pool
/// goes, so that the disk reads the next files while the workers analyse the current ones. On a
/// cold tree (an image on disk, a host's first scan) a worker otherwise waits for each file it
/// opens; on a warm one the hint costs an open and a close.

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace trustscan::pipeline {

class ReadAheadWindow {
 public:
  /// `sizes`: the files' sizes in the order the pool takes them. When a worker takes position k,
  /// the positions after it are due up to `max_files` ahead and `max_bytes` ahead (the first one
  /// after k always, whatever its size).
  ReadAheadWindow(std::vector<std::uint64_t> sizes, std::size_t max_files, std::uint64_t max_bytes)
      : sizes_(std::move(sizes)), max_files_(std::max<std::size_t>(1, max_files)), max_bytes_(max_bytes) {}

  /// The size given for position `p`.
  [[nodiscard]] std::uint64_t size(std::size_t p) const noexcept { return sizes_[p]; }

  /// The positions [first, second) that are due now that position `k` is taken and that no call
  /// returned before (each position is returned once, in order); an empty range when none.
  /// Safe from several threads at once.
  [[nodiscard]] std::pair<std::size_t, std::size_t> advance(std::size_t k) noexcept {
    std::size_t end = k + 1;
    std::uint64_t bytes = 0;
    while (end < sizes_.size() && end - k <= max_files_ && (end == k + 1 || bytes + sizes_[end] <= max_bytes_))
      bytes += sizes_[end++];
    std::size_t from = hinted_.load(std::memory_order_acquire);
    for (;;) {
      const std::size_t start = std::max(from, k + 1);
      if (start >= end) return {0, 0};
      if (hinted_.compare_exchange_weak(from, end, std::memory_order_acq_rel)) return {start, end};
    }
  }

 private:
  std::vector<std::uint64_t> sizes_;
  std::size_t max_files_;
  std::uint64_t max_bytes_;
  std::atomic<std::size_t> hinted_{0};  ///< positions below it were returned (or skipped)
};

}  // namespace trustscan::pipeline
