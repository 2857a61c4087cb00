#include "app/progress.hpp"

#include <sys/ioctl.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ostream>

#include "report/text.hpp"

namespace trustscan::app {
namespace {

std::string megabytes(std::uint64_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", static_cast<double>(bytes) / 1e6);
  return buf;
}

std::string duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "--";
  const auto s = static_cast<std::uint64_t>(std::llround(seconds));
  char buf[32];
  if (s >= 3600) std::snprintf(buf, sizeof buf, "%llu:%02llu:%02llu", static_cast<unsigned long long>(s / 3600),
                               static_cast<unsigned long long>(s / 60 % 60), static_cast<unsigned long long>(s % 60));
  else std::snprintf(buf, sizeof buf, "%llu:%02llu", static_cast<unsigned long long>(s / 60),
                     static_cast<unsigned long long>(s % 60));
  return buf;
}

std::size_t columns(const std::string& s) { return report::display_width(s); }

}  // namespace

std::string progress_text(const pipeline::ScanProgress& p, std::size_t width, std::optional<double> eta) {
  const double t = p.elapsed_seconds;
  const double file_rate = t > 0 ? static_cast<double>(p.files_done) / t : 0;
  const double byte_rate = t > 0 ? static_cast<double>(p.bytes_done) / t : 0;
  char rates[64];
  std::snprintf(rates, sizeof rates, "%.0f files/s  %.1f MB/s", file_rate, byte_rate / 1e6);
  std::string line = std::to_string(p.files_done) + "/" + std::to_string(p.files_total) + " files  " +
                     megabytes(p.bytes_done) + "/" + megabytes(p.bytes_total) + " MB  " + rates + "  ETA " +
                     duration(p.files_done >= p.files_total ? 0 : eta.value_or(-1));
  const std::string root = report::terminal_safe(p.current_root);
  // The name of the program goes first when the root still fits (at least its last 20 columns).
  static constexpr std::string_view kPrefix = "trustscan: ";
  if (columns(line) + kPrefix.size() + 2 + std::min<std::size_t>(columns(root), 20) <= width)
    line.insert(0, kPrefix);
  const std::size_t used = columns(line);
  if (!root.empty() && used + 2 + 8 <= width) line += "  " + report::elide_middle(root, width - used - 2);
  if (columns(line) > width) line = report::elide_middle(line, width);
  return line;
}

void ProgressLine::update(const pipeline::ScanProgress& p) {
  eta_.add(p);  // every report, drawn or not
  const auto now = std::chrono::steady_clock::now();
  if (shown_ && now - last_ < std::chrono::milliseconds(200)) return;
  last_ = now;
  // One write per redraw: back to column 0, the text, erase what is left of the old line. One
  // column short of the width, so that the cursor never wraps to a new line.
  out_ << ("\r" + progress_text(p, width_ > 1 ? width_ - 1 : width_, eta_.seconds_left()) + "\x1b[K") << std::flush;
  shown_ = true;
}

void ProgressLine::clear() {
  if (!shown_) return;
  out_ << "\r\x1b[K" << std::flush;
  shown_ = false;
}

std::size_t ProgressLine::terminal_width(int fd) {
  struct winsize ws {};
  if (::ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 20) return ws.ws_col;
  return 80;
}

}  // namespace trustscan::app
