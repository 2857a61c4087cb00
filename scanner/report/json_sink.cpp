#include "report/json_sink.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstring>

#include "core/ascii.hpp"
#include "report/text.hpp"

namespace trustscan::report {

namespace {

using nlohmann::ordered_json;

/// nlohmann's text of a value: the one serialiser both writers' output is defined by.
std::string dumped(const ordered_json& j, int indent) {
  return j.dump(indent, ' ', false, ordered_json::error_handler_t::replace);
}

/// True when one of the 8 bytes of `w` is a byte nlohmann does not copy as it is (see plain()):
/// below 0x20, above 0x7f, '"' or '\\' (the usual bit tricks for "has a byte less than / equal to").
constexpr bool special_byte(std::uint64_t w) noexcept {
  constexpr std::uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
  const auto zero_byte = [](std::uint64_t x) { return (x - ones) & ~x & highs; };
  const std::uint64_t below_space = (w - ones * 0x20) & ~w & highs;
  return ((w & highs) | below_space | zero_byte(w ^ (ones * '"')) | zero_byte(w ^ (ones * '\\'))) != 0;
}

/// True when nlohmann writes `s` between the quotes unchanged: printable ASCII without '"' and
/// '\\' (it escapes those and control characters, and checks anything above 0x7f as UTF-8).
/// Eight bytes at a time: this check is run on every string of every record.
bool plain(std::string_view s) noexcept {
  std::size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    std::uint64_t w = 0;
    std::memcpy(&w, s.data() + i, 8);
    if (special_byte(w)) return false;
  }
  for (; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\') return false;
  }
  return true;
}

/// A string that is not plain(), as nlohmann writes it: escaped, between quotes.
std::string escaped_string(std::string_view s) { return dumped(ordered_json(std::string(s)), -1); }

/// Appends `n` bytes, which `write` writes from the pointer it is given, to `out` in one step
/// (the separate appends of a member's separator, indentation, quotes and name, each checking
/// the capacity and writing a terminator, were half of the samples in report/ of a cached
/// re-scan; docs/performance.md, "thirteenth round"). The capacity grows geometrically, as by
/// the appends.
template <class Write>
void append_n(std::string& out, std::size_t n, Write write) {
  const std::size_t size = out.size();
  if (out.capacity() - size < n) out.reserve(std::max(size + n, 2 * out.capacity()));
  out.resize_and_overwrite(size + n, [&](char* p, std::size_t) {
    write(p + size);
    return size + n;
  });
}

/// Writes `s` between quotes at `p`; returns the end.
char* put_quoted(char* p, std::string_view s) noexcept {
  *p++ = '"';
  std::memcpy(p, s.data(), s.size());
  p += s.size();
  *p++ = '"';
  return p;
}

}  // namespace

void JsonSink::text(std::string_view s) {
  if (is_ascii(s))
    string(s);  // valid UTF-8 as it is
  else
    string(utf8_escaped(s));
}

void JsonSink::member(std::string_view k, const std::vector<std::string>& v) {
  array(k);
  for (const std::string& s : v) string(s);
  end_array();
}

// ---- JsonTree ----

ordered_json& JsonTree::put(ordered_json v) {
  if (stack_.empty()) {
    root_ = std::move(v);
    return root_;
  }
  ordered_json& parent = *stack_.back();
  if (parent.is_array()) {
    parent.push_back(std::move(v));
    return parent.back();
  }
  ordered_json& slot = parent[key_];
  slot = std::move(v);
  return slot;
}

// ---- JsonText ----

void JsonText::newline_indent(std::size_t level) {
  if (!pretty_) return;
  out_ += '\n';
  out_.append(2 * level, ' ');
}

void JsonText::element() {
  if (stack_.empty() || stack_.back().object) return;
  Open& top = stack_.back();
  out_ += top.members++ == 0 ? '[' : ',';
  newline_indent(static_cast<std::size_t>(depth_) + stack_.size());
}

void JsonText::key(std::string_view k) {
  Open& top = stack_.back();
  const char separator = top.members++ == 0 ? '{' : ',';
  // A plain name is quoted as it is; any other comes escaped, quotes included (as in quoted()).
  const std::string escaped = plain(k) ? std::string() : escaped_string(k);
  const std::size_t name = escaped.empty() ? k.size() + 2 : escaped.size();
  // Separator, newline and indentation (pretty), the name and the colon in one append.
  const std::size_t pad = pretty_ ? 2 * (static_cast<std::size_t>(depth_) + stack_.size()) : 0;
  const std::size_t n = 1 + (pretty_ ? 1 + pad : 0) + name + (pretty_ ? 2 : 1);
  append_n(out_, n, [&](char* p) {
    *p++ = separator;
    if (pretty_) {
      *p++ = '\n';
      std::memset(p, ' ', pad);
      p += pad;
    }
    if (escaped.empty()) {
      p = put_quoted(p, k);
    } else {
      p = std::ranges::copy(escaped, p).out;
    }
    *p++ = ':';
    if (pretty_) *p = ' ';
  });
}

void JsonText::open(bool object) {
  element();
  stack_.push_back({object, 0});
}

void JsonText::close(char open_char, char close_char) {
  const std::size_t members = stack_.back().members;
  stack_.pop_back();
  if (members == 0) {
    out_ += open_char;
  } else {
    newline_indent(static_cast<std::size_t>(depth_) + stack_.size());
  }
  out_ += close_char;
}

void JsonText::quoted(std::string_view s) {
  if (!plain(s)) {
    out_ += escaped_string(s);
    return;
  }
  append_n(out_, s.size() + 2, [&](char* p) { put_quoted(p, s); });
}

void JsonText::string(std::string_view s) {
  element();
  quoted(s);
}

template <class Integer>
void JsonText::integer(Integer v) {
  element();
  char buf[24];
  auto res = std::to_chars(buf, buf + sizeof buf, v);
  out_.append(buf, res.ptr);
}

void JsonText::number(std::int64_t v) { integer(v); }
void JsonText::number(std::uint64_t v) { integer(v); }

void JsonText::boolean(bool v) {
  element();
  out_ += v ? "true" : "false";
}

void JsonText::null() {
  element();
  out_ += "null";
}

void JsonText::json(const ordered_json& j) {
  element();
  const std::string text = dumped(j, pretty_ ? 2 : -1);
  if (!pretty_) {
    out_ += text;
    return;
  }
  // JSON text has no raw newline inside a string: every '\n' is layout, to be indented by the
  // value's depth.
  const std::size_t pad = 2 * (static_cast<std::size_t>(depth_) + stack_.size());
  for (char c : text) {
    out_ += c;
    if (c == '\n') out_.append(pad, ' ');
  }
}

void safe_strings(JsonSink& w, std::string_view key, const std::vector<std::string>& strings) {
  w.array(key);
  for (const std::string& s : strings) w.text(s);
  w.end_array();
}

}  // namespace trustscan::report
