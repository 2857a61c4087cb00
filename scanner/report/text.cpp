#include "report/text.hpp"

#include <algorithm>
#include <cstdio>
#include <utility>
#include <ctime>

namespace trustscan::report {
namespace {

void append_hex_escape(std::string& out, unsigned char c) {
  char buf[5];
  std::snprintf(buf, sizeof buf, "\\x%02x", c);
  out += buf;
}

/// Length of the valid UTF-8 sequence at s[i], or 0 if invalid (overlongs, surrogates and
/// code points above U+10FFFF are invalid).
std::size_t utf8_sequence(std::string_view s, std::size_t i) {
  auto c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) return 1;
  std::size_t len = 0;
  std::uint32_t cp = 0;
  if ((c & 0xe0) == 0xc0) len = 2, cp = c & 0x1f;
  else if ((c & 0xf0) == 0xe0) len = 3, cp = c & 0x0f;
  else if ((c & 0xf8) == 0xf0) len = 4, cp = c & 0x07;
  else return 0;
  if (i + len > s.size()) return 0;
  for (std::size_t k = 1; k < len; ++k) {
    auto cc = static_cast<unsigned char>(s[i + k]);
    if ((cc & 0xc0) != 0x80) return 0;
    cp = (cp << 6) | (cc & 0x3f);
  }
  static constexpr std::uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
  return len;
}

}  // namespace

std::string utf8_escaped(std::string_view s, bool* changed) {
  // ASCII, most of what a report holds, is valid as it is: copied in one piece.
  const auto high = std::ranges::find_if(s, [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
  const auto ascii = static_cast<std::size_t>(high - s.begin());
  std::string out;
  out.reserve(s.size());
  out.append(s.substr(0, ascii));
  bool any = false;
  for (std::size_t i = ascii; i < s.size();) {
    std::size_t len = utf8_sequence(s, i);
    if (len == 0) {
      append_hex_escape(out, static_cast<unsigned char>(s[i]));
      any = true;
      ++i;
    } else {
      out.append(s.substr(i, len));
      i += len;
    }
  }
  if (changed) *changed = any;
  return out;
}

std::string terminal_safe(std::string_view s) {
  std::string in = utf8_escaped(s);
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    auto c = static_cast<unsigned char>(in[i]);
    if (c < 0x20 || c == 0x7f) {
      append_hex_escape(out, c);
    } else if (c == 0xc2 && i + 1 < in.size() && static_cast<unsigned char>(in[i + 1]) >= 0x80 &&
               static_cast<unsigned char>(in[i + 1]) <= 0x9f) {
      append_hex_escape(out, static_cast<unsigned char>(in[i + 1]));  // C1 control (U+0080..U+009F)
      ++i;
    } else {
      out.push_back(in[i]);
    }
  }
  return out;
}

namespace {

/// The code point at s[i] (valid UTF-8, as terminal_safe leaves it) and its length in bytes.
std::pair<char32_t, std::size_t> decode(std::string_view s, std::size_t i) noexcept {
  auto c = static_cast<unsigned char>(s[i]);
  std::size_t len = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 1;
  if (len == 1 || i + len > s.size()) return {c, 1};
  char32_t cp = c & (0x7f >> len);
  for (std::size_t k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3f);
  return {cp, len};
}

/// Columns of one code point (a compact form of the East Asian Width and combining-mark tables).
std::size_t code_point_width(char32_t cp) noexcept {
  struct Range {
    char32_t first, last;
  };
  static constexpr Range kZero[] = {{0x0300, 0x036f}, {0x0483, 0x0489}, {0x0591, 0x05bd}, {0x0610, 0x061a},
                                    {0x064b, 0x065f}, {0x0e31, 0x0e31}, {0x0e34, 0x0e3a}, {0x1ab0, 0x1aff},
                                    {0x1dc0, 0x1dff}, {0x200b, 0x200f}, {0x20d0, 0x20ff}, {0xfe00, 0xfe0f},
                                    {0xfe20, 0xfe2f}, {0xfeff, 0xfeff}};
  static constexpr Range kWide[] = {{0x1100, 0x115f},   {0x2e80, 0x303e},   {0x3041, 0x33ff},  {0x3400, 0x4dbf},
                                    {0x4e00, 0x9fff},   {0xa000, 0xa4cf},   {0xac00, 0xd7a3},  {0xf900, 0xfaff},
                                    {0xfe30, 0xfe4f},   {0xff00, 0xff60},   {0xffe0, 0xffe6},  {0x1f300, 0x1f64f},
                                    {0x1f900, 0x1f9ff}, {0x20000, 0x2fffd}, {0x30000, 0x3fffd}};
  auto in = [cp](const auto& ranges) {
    return std::ranges::any_of(ranges, [cp](const Range& r) { return cp >= r.first && cp <= r.last; });
  };
  return in(kZero) ? 0 : in(kWide) ? 2 : 1;
}

/// Where the piece of `s` starting at `from` ends (exclusive) when it may take `width` columns:
/// after the last '/' that fits, else after the last space, '-', '_' or '.', else as many code
/// points as fit (at least one).
std::size_t piece_end(std::string_view s, std::size_t from, std::size_t width) {
  std::size_t cols = 0, i = from, after_slash = 0, after_other = 0;
  while (i < s.size()) {
    auto [cp, len] = decode(s, i);
    const std::size_t w = code_point_width(cp);
    if (cols + w > width && i > from) break;
    cols += w;
    i += len;
    if (cp == '/')
      after_slash = i;
    else if (cp == ' ' || cp == '-' || cp == '_' || cp == '.')
      after_other = i;
  }
  if (i >= s.size()) return s.size();
  if (after_slash > from) return after_slash;
  return after_other > from ? after_other : i;
}

}  // namespace

std::size_t display_width(std::string_view s) noexcept {
  std::size_t cols = 0;
  for (std::size_t i = 0; i < s.size();) {
    auto [cp, len] = decode(s, i);
    cols += code_point_width(cp);
    i += len;
  }
  return cols;
}

std::vector<std::string> wrap_path(std::string_view path, std::size_t width) {
  if (width == 0 || display_width(path) <= width) return {std::string(path)};
  std::vector<std::string> pieces;
  for (std::size_t from = 0; from < path.size();) {
    const std::size_t end = piece_end(path, from, width);
    pieces.emplace_back(path.substr(from, end - from));
    from = end;
  }
  return pieces;
}

std::vector<std::string> wrap_words(std::string_view text, std::size_t width) {
  std::vector<std::string> lines;
  std::string line;
  std::size_t line_cols = 0;
  for (std::size_t i = 0; i < text.size();) {
    if (text[i] == ' ') {
      ++i;
      continue;
    }
    const std::size_t end = std::min(text.find(' ', i), text.size());
    const std::string_view word = text.substr(i, end - i);
    i = end;
    const std::size_t cols = display_width(word);
    const bool fits = width == 0 || (line.empty() ? cols <= width : line_cols + 1 + cols <= width);
    if (fits) {
      if (!line.empty()) line += ' ', ++line_cols;
      line += word;
      line_cols += cols;
      continue;
    }
    if (!line.empty()) lines.push_back(std::exchange(line, {}));
    line_cols = 0;
    std::vector<std::string> pieces = wrap_path(word, width);  // a word wider than a line
    for (std::size_t k = 0; k + 1 < pieces.size(); ++k) lines.push_back(std::move(pieces[k]));
    line = std::move(pieces.back());
    line_cols = display_width(line);
  }
  if (!line.empty() || lines.empty()) lines.push_back(std::move(line));
  return lines;
}

std::string elide_middle(std::string_view s, std::size_t width) {
  const std::size_t cols = display_width(s);
  if (cols <= width || width < 5) return std::string(s);
  // A head of a third of the room and a tail of the rest, in whole code points.
  const std::size_t room = width - 1, head_room = room / 3;
  std::size_t head_end = 0, used = 0;
  while (head_end < s.size()) {
    auto [cp, len] = decode(s, head_end);
    if (used + code_point_width(cp) > head_room) break;
    used += code_point_width(cp);
    head_end += len;
  }
  std::size_t tail_start = s.size(), tail_cols = 0;
  for (std::size_t i = s.size(); i > head_end;) {
    std::size_t k = i - 1;
    while (k > head_end && (static_cast<unsigned char>(s[k]) & 0xc0) == 0x80) --k;
    const std::size_t w = code_point_width(decode(s, k).first);
    if (used + tail_cols + w > room) break;
    tail_cols += w;
    tail_start = i = k;
  }
  return std::string(s.substr(0, head_end)) + "…" + std::string(s.substr(tail_start));
}

std::string_view base_name(std::string_view path) noexcept {
  auto slash = path.find_last_of('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

std::string rfc3339(const discover::Timestamp& t) {
  auto secs = static_cast<std::time_t>(t.sec);
  auto ms = static_cast<int>(t.nsec / 1'000'000);
  std::tm tm{};
  if (!gmtime_r(&secs, &tm)) return {};  // year beyond int: the field is left out
  const long long year = tm.tm_year + 1900LL;
  if (year < 0 || year > 9999) {  // (never a file's time in practice; printf pads and signs it)
    char buf[96];
    std::snprintf(buf, sizeof buf, "%04lld-%02d-%02dT%02d:%02d:%02d.%03dZ", year, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                  tm.tm_min, tm.tm_sec, ms);
    return buf;
  }
  // Written digit by digit: every record has a time, and snprintf was most of the record's cost.
  std::string out = "0000-00-00T00:00:00.000Z";
  const auto put = [&out](std::size_t end, long long v, int digits) {
    for (int i = 1; i <= digits; ++i, v /= 10) out[end - static_cast<std::size_t>(i)] = static_cast<char>('0' + v % 10);
  };
  put(4, year, 4);
  put(7, tm.tm_mon + 1, 2);
  put(10, tm.tm_mday, 2);
  put(13, tm.tm_hour, 2);
  put(16, tm.tm_min, 2);
  put(19, tm.tm_sec, 2);
  put(23, ms, 3);
  return out;
}

std::string rfc3339(std::chrono::system_clock::time_point t) {
  auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
  return rfc3339(discover::Timestamp{ns / 1'000'000'000, static_cast<std::uint32_t>(ns % 1'000'000'000)});
}

std::string joined(const std::vector<std::string>& items, std::string_view separator) {
  std::string out;
  for (const std::string& s : items) out += (out.empty() ? "" : std::string(separator)) + s;
  return out;
}

std::string counted(std::uint64_t n, std::string_view one, std::string_view many) {
  return std::to_string(n) + " " + std::string(n == 1 ? one : many);
}

std::string seconds_text(std::chrono::system_clock::duration d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f s", std::chrono::duration<double>(d).count());
  return buf;
}

}  // namespace trustscan::report
