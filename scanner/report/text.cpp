#include "report/text.hpp"

#include <cstdio>
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
  std::string out;
  out.reserve(s.size());
  bool any = false;
  for (std::size_t i = 0; i < s.size();) {
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

std::string elide_middle(std::string_view s, std::size_t width) {
  // Count code points (a good-enough column estimate for paths).
  std::size_t count = 0;
  for (unsigned char c : s) count += (c & 0xc0) != 0x80;
  if (count <= width || width < 5) return std::string(s);
  std::size_t keep_head = (width - 1) / 3, keep_tail = width - 1 - keep_head;
  auto byte_at = [&](std::size_t cps) {  // byte offset of code point index cps
    std::size_t seen = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
      if ((static_cast<unsigned char>(s[i]) & 0xc0) != 0x80) {
        if (seen == cps) return i;
        ++seen;
      }
    }
    return s.size();
  };
  return std::string(s.substr(0, byte_at(keep_head))) + "…" + std::string(s.substr(byte_at(count - keep_tail)));
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
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
  return buf;
}

std::string rfc3339(std::chrono::system_clock::time_point t) {
  auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
  return rfc3339(discover::Timestamp{ns / 1'000'000'000, static_cast<std::uint32_t>(ns % 1'000'000'000)});
}

}  // namespace trustscan::report
