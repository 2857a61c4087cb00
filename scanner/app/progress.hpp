#pragma once
/// \file
/// The progress line (issue 8): one line on standard error, redrawn about four times a second
/// while files are analysed and erased at the end. The CLI shows it only when standard error is
/// a terminal and --quiet is not given; it never goes to standard output.

#include <chrono>
#include <cstddef>
#include <iosfwd>
#include <optional>
#include <string>

#include "app/eta.hpp"
#include "pipeline/pipeline.hpp"

namespace trustscan::app {

/// The text of one progress line, at most `width` display columns (the root's middle elided; on a
/// narrow terminal the "trustscan: " prefix goes first), with `eta` seconds left ("ETA --" when
/// not known; 0:00 once every file is done; EtaEstimator):
/// "trustscan: 1234/10000 files  512.0/2100.3 MB  245 files/s  12.3 MB/s  ETA 0:35  /mnt/img".
[[nodiscard]] std::string progress_text(const pipeline::ScanProgress& p, std::size_t width,
                                        std::optional<double> eta = std::nullopt);

class ProgressLine {
 public:
  /// `out` must be a terminal's stream; `width` its columns.
  ProgressLine(std::ostream& out, std::size_t width) : out_(out), width_(width) {}
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;
  ~ProgressLine() { clear(); }

  /// Redraws the line (at most every 200 ms).
  void update(const pipeline::ScanProgress& p);
  /// Erases the line if one is shown.
  void clear();

  /// Columns of the terminal on `fd`, or 80 when it does not say.
  [[nodiscard]] static std::size_t terminal_width(int fd);

 private:
  std::ostream& out_;
  std::size_t width_;
  EtaEstimator eta_;
  bool shown_ = false;
  std::chrono::steady_clock::time_point last_{};
};

}  // namespace trustscan::app
