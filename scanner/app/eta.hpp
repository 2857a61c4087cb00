#pragma once
/// \file
/// The time left of a scan, for the progress line (issue 20: it showed 2:12:21 for a 25 s scan).
/// Files are analysed modules first, then largest first, so neither the file rate nor the byte
/// rate so far predicts the rest. The estimator fits the time spent to a cost per file plus a cost
/// per byte over every report seen, and tells nothing until that estimate is stable: the end
/// time it predicts has stayed within 15 % over the last eight reports (two seconds).

#include <array>
#include <cstddef>
#include <optional>

#include "pipeline/pipeline.hpp"

namespace trustscan::app {

class EtaEstimator {
 public:
  /// Adds a progress report (elapsed time, files and bytes done so far).
  void add(const pipeline::ScanProgress& p);
  /// Seconds left after the last report (0 once every file is done); nullopt while they cannot be
  /// told: less than 2 s or no file done, costs per file and per byte not yet separable while
  /// the estimates by files and by bytes are more than 25 % apart, or not yet stable.
  [[nodiscard]] std::optional<double> seconds_left() const;

 private:
  [[nodiscard]] std::optional<double> estimate() const;  // the last report's, stable or not
  static constexpr std::size_t kStableReports = 8;
  std::array<double, kStableReports> ends_{};  ///< predicted end times of the last reports (ring)
  std::size_t ends_seen_ = 0;                  ///< reports in a row with an estimate
  // Sums of the least-squares fit t = a * files + b * megabytes over every report.
  double sff_ = 0, sfb_ = 0, sbb_ = 0, sft_ = 0, sbt_ = 0;
  pipeline::ScanProgress last_{};
  bool any_ = false;
};

}  // namespace trustscan::app
