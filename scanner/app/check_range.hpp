#pragma once
/// \file
/// Threshold ranges of the Monitoring Plugins development guidelines (`-w`/`-c` of `trustscan
/// check`): `[@]start:end`, where `start` defaults to 0 and `end` to infinity, `~` is negative
/// infinity, and a value alerts when it lies outside [start, end] (inclusive), or inside it with a
/// leading `@`:
///   `10` alerts below 0 or above 10; `10:` below 10; `~:10` above 10; `10:20` outside 10..20;
///   `@10:20` inside 10..20 (10 and 20 included).

#include <string>
#include <string_view>

#include "core/error.hpp"

namespace trustscan::app {

/// A parsed threshold range.
struct ThresholdRange {
  double start = 0;
  double end = 0;
  bool start_infinite = false;  ///< `~`: no lower bound
  bool end_infinite = false;    ///< `start:` with nothing after the colon: no upper bound
  bool inside = false;          ///< `@`: alert inside the range instead of outside
  std::string text;             ///< as given (what perfdata repeats)

  /// Whether `value` raises this threshold's alert.
  [[nodiscard]] bool alerts(double value) const noexcept;
};

/// Parses a range; an empty, malformed or inverted one (start > end) is Errc::Config with a
/// message quoting it.
[[nodiscard]] Result<ThresholdRange> parse_threshold_range(std::string_view text);

}  // namespace trustscan::app
