#include "app/eta.hpp"

#include <algorithm>

namespace trustscan::app {

void EtaEstimator::add(const pipeline::ScanProgress& p) {
  const auto f = static_cast<double>(p.files_done);
  const double b = static_cast<double>(p.bytes_done) / 1e6;
  const double t = p.elapsed_seconds;
  sff_ += f * f;
  sfb_ += f * b;
  sbb_ += b * b;
  sft_ += f * t;
  sbt_ += b * t;
  last_ = p;
  any_ = true;
  if (auto left = estimate())
    ends_[ends_seen_++ % kStableReports] = t + *left;
  else
    ends_seen_ = 0;
}

std::optional<double> EtaEstimator::seconds_left() const {
  if (any_ && last_.files_done >= last_.files_total) return 0.0;
  if (ends_seen_ < kStableReports) return std::nullopt;
  const auto [lo, hi] = std::ranges::minmax(ends_);
  if (hi > lo * 1.15) return std::nullopt;
  return std::max(0.0, ends_[(ends_seen_ - 1) % kStableReports] - last_.elapsed_seconds);
}

std::optional<double> EtaEstimator::estimate() const {
  const pipeline::ScanProgress& p = last_;
  if (!any_) return std::nullopt;
  if (p.files_done >= p.files_total) return 0.0;
  if (p.elapsed_seconds < 2 || p.files_done == 0) return std::nullopt;
  const auto files_left = static_cast<double>(p.files_total - p.files_done);
  const double mb_left = static_cast<double>(p.bytes_total - std::min(p.bytes_done, p.bytes_total)) / 1e6;
  // Separable when the files' mix of sizes has changed enough over the reports (the normalised
  // determinant is 1 - cos² of the angle between the files and the bytes series).
  const double det = sff_ * sbb_ - sfb_ * sfb_;
  if (sff_ > 0 && sbb_ > 0 && det / (sff_ * sbb_) > 0.02) {
    const double a = (sft_ * sbb_ - sfb_ * sbt_) / det;  // seconds per file
    const double b = (sff_ * sbt_ - sfb_ * sft_) / det;  // seconds per megabyte
    if (a >= 0 && b >= 0) return a * files_left + b * mb_left;
    if (a < 0) return sbt_ / sbb_ * mb_left;  // the bytes alone explain the time
    return sft_ / sff_ * files_left;          // the files alone explain it
  }
  // Not separable: the rates so far, when files and bytes tell about the same.
  const double by_files = files_left * p.elapsed_seconds / static_cast<double>(p.files_done);
  if (p.bytes_done == 0) return mb_left == 0 ? std::optional(by_files) : std::nullopt;
  const double by_bytes = mb_left * 1e6 * p.elapsed_seconds / static_cast<double>(p.bytes_done);
  const double lo = std::min(by_files, by_bytes), hi = std::max(by_files, by_bytes);
  if (hi <= lo * 1.25 + 1) return (lo + hi) / 2;
  return std::nullopt;
}

}  // namespace trustscan::app
