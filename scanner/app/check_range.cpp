#include "app/check_range.hpp"

#include <charconv>
#include <cmath>

namespace trustscan::app {
namespace {

/// A finite decimal number taking all of `s`.
bool to_number(std::string_view s, double& out) {
  if (s.empty()) return false;
  if (s.front() == '+') s.remove_prefix(1);
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc{} && end == s.data() + s.size() && std::isfinite(out);
}

}  // namespace

bool ThresholdRange::alerts(double value) const noexcept {
  const bool in = (start_infinite || value >= start) && (end_infinite || value <= end);
  return inside ? in : !in;
}

Result<ThresholdRange> parse_threshold_range(std::string_view text) {
  const auto bad = [&](std::string_view why) {
    return fail(Errc::Config, "threshold range '" + std::string(text) + "': " + std::string(why) +
                                  " (ranges: N, N:, ~:N, N:M, @N:M)");
  };
  ThresholdRange r;
  r.text = std::string(text);
  std::string_view s = text;
  if (s.starts_with('@')) {
    r.inside = true;
    s.remove_prefix(1);
  }
  if (s.empty()) return bad("empty");
  std::string_view start_text, end_text = s;
  if (const auto colon = s.find(':'); colon != std::string_view::npos) {
    start_text = s.substr(0, colon);
    end_text = s.substr(colon + 1);
    if (start_text.empty()) return bad("nothing before ':' (write ~ for no lower bound)");
  }
  if (start_text == "~") {
    r.start_infinite = true;
  } else if (!start_text.empty() && !to_number(start_text, r.start)) {
    return bad("the start is no number");
  }
  if (end_text.empty()) {
    if (start_text.empty()) return bad("empty");
    r.end_infinite = true;
  } else if (!to_number(end_text, r.end)) {
    return bad("the end is no number");
  }
  if (!r.start_infinite && !r.end_infinite && r.start > r.end) return bad("the start is above the end");
  return r;
}

}  // namespace trustscan::app
