#include "config/reader.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <regex>
#include <utility>

namespace trustscan::config {

void Diagnostics::error(const Mark& where, std::string_view message) {
  messages_.push_back(where.to_string() + ": " + std::string{message});
}

void Diagnostics::add(std::string message) {
  messages_.push_back(std::move(message));
}

Error Diagnostics::to_error() const {
  std::string text;
  const std::size_t shown = std::min(messages_.size(), kMaxShown);
  for (std::size_t i = 0; i < shown; ++i) {
    if (i > 0) text += '\n';
    text += messages_[i];
  }
  if (messages_.size() > shown)
    text += "\n... and " + std::to_string(messages_.size() - shown) + " more";
  return Error{Errc::Config, std::move(text)};
}

std::string_view plain_scalar_type(const Value& v) {
  if (v.is_null()) return "null";
  if (!v.is_scalar() || v.quoted()) return {};
  const std::string& s = v.text();
  // YAML 1.1 booleans (what PyYAML and many other tools still implement) plus 1.2 core ones.
  static constexpr std::array<std::string_view, 22> kBooleans = {
      "y",    "Y",    "yes",   "Yes",   "YES",   "n",  "N",  "no", "No",  "NO",  "true",
      "True", "TRUE", "false", "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF"};
  if (std::ranges::find(kBooleans, std::string_view{s}) != kBooleans.end()) return "a boolean";
  // Every number and date below starts with a digit, a sign or a dot; most strings do not, and
  // are spared the regexes (std::regex allocates as it matches: on the vendor list's ~15,000
  // scalars, about 150,000 allocations a load).
  if (s.empty() || std::string_view("0123456789+-.").find(s.front()) == std::string_view::npos) return {};
  static const std::regex kNumber(
      R"([-+]?[0-9][0-9_]*|0o[0-7]+|0x[0-9a-fA-F]+|[-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN))");
  if (std::regex_match(s, kNumber)) return "a number";
  static const std::regex kDate(R"([0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([Tt ].*)?)");
  if (std::regex_match(s, kDate)) return "a date";
  return {};
}

std::optional<std::string> as_string(const Value& v, std::string_view what, Diagnostics& diag) {
  if (!v.is_scalar()) {
    diag.error(v.mark(),
               std::string{what} + ": expected a string, found " + std::string{v.kind_name()});
    return std::nullopt;
  }
  if (auto type = plain_scalar_type(v); !type.empty()) {
    diag.error(v.mark(), std::string{what} + ": unquoted '" + v.text() + "' reads as " +
                             std::string{type} + " in YAML; write it quoted (\"" + v.text() +
                             "\") if a string is meant");
    return std::nullopt;
  }
  return v.text();
}

std::optional<bool> as_bool(const Value& v, std::string_view what, Diagnostics& diag) {
  if (v.is_scalar() && !v.quoted() && (v.text() == "true" || v.text() == "false"))
    return v.text() == "true";
  diag.error(v.mark(), std::string{what} + ": expected true or false, found " +
                           (v.is_scalar() ? "'" + v.text() + "'" : std::string{v.kind_name()}));
  return std::nullopt;
}

std::optional<std::int64_t> as_integer(const Value& v, std::string_view what, Diagnostics& diag,
                                       std::int64_t min, std::int64_t max) {
  const auto range = "an integer from " + std::to_string(min) + " to " + std::to_string(max);
  if (v.is_scalar() && !v.quoted()) {
    const std::string& s = v.text();
    std::int64_t out = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    if (ec == std::errc{} && end == s.data() + s.size() && !s.empty() && out >= min && out <= max)
      return out;
  }
  diag.error(v.mark(), std::string{what} + ": expected " + range + ", found " +
                           (v.is_scalar() ? "'" + v.text() + "'" : std::string{v.kind_name()}));
  return std::nullopt;
}

std::optional<std::chrono::year_month_day> as_date(const Value& v, std::string_view what,
                                                   Diagnostics& diag) {
  if (v.is_scalar()) {
    const std::string& s = v.text();
    int y = 0;
    unsigned m = 0;
    unsigned d = 0;
    const char* p = s.data();
    const char* e = s.data() + s.size();
    auto r1 = std::from_chars(p, e, y);
    if (s.size() == 10 && r1.ec == std::errc{} && r1.ptr == p + 4 && *r1.ptr == '-') {
      auto r2 = std::from_chars(r1.ptr + 1, e, m);
      if (r2.ec == std::errc{} && r2.ptr == p + 7 && *r2.ptr == '-') {
        auto r3 = std::from_chars(r2.ptr + 1, e, d);
        const std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{m},
                                              std::chrono::day{d}};
        if (r3.ec == std::errc{} && r3.ptr == e && ymd.ok()) return ymd;
      }
    }
  }
  diag.error(v.mark(), std::string{what} + ": expected a date YYYY-MM-DD, found " +
                           (v.is_scalar() ? "'" + v.text() + "'" : std::string{v.kind_name()}));
  return std::nullopt;
}

std::optional<std::vector<std::string>> as_string_list(const Value& v, std::string_view what,
                                                       Diagnostics& diag) {
  if (!v.is_sequence()) {
    diag.error(v.mark(), std::string{what} + ": expected a list of strings, found " +
                             std::string{v.kind_name()});
    return std::nullopt;
  }
  std::vector<std::string> out;
  out.reserve(v.items().size());
  for (const Value& item : v.items()) {
    if (auto s = as_string(item, what, diag)) out.push_back(std::move(*s));
  }
  return out;
}

std::size_t edit_distance(std::string_view a, std::string_view b, std::size_t cap) {
  if ((a.size() > b.size() ? a.size() - b.size() : b.size() - a.size()) > cap) return cap + 1;
  std::vector<std::size_t> prev(b.size() + 1);
  std::vector<std::size_t> cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    std::size_t row_min = cur[0];
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t subst = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, subst});
      row_min = std::min(row_min, cur[j]);
    }
    if (row_min > cap) return cap + 1;
    std::swap(prev, cur);
  }
  return std::min(prev[b.size()], cap + 1);
}

ObjectReader::ObjectReader(const Value& value, std::string what,
                           std::initializer_list<std::string_view> allowed, Diagnostics& diag)
    : value_(&value), what_(std::move(what)), diag_(&diag) {
  if (!value.is_mapping()) {
    diag.error(value.mark(), what_ + ": expected a mapping (key: value lines), found " +
                                 std::string{value.kind_name()});
    return;
  }
  valid_ = true;
  const auto entries = value.entries();
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const Value& key = entries[i].key;
    if (!key.is_scalar()) {
      diag.error(key.mark(),
                 what_ + ": keys must be plain names, found " + std::string{key.kind_name()});
      continue;
    }
    const std::string& name = key.text();
    if (std::ranges::find(allowed, std::string_view{name}) == allowed.end()) {
      std::string hint;
      std::size_t best = 3;
      for (auto candidate : allowed) {
        const std::size_t d = edit_distance(name, candidate, 2);
        if (d < best) {
          best = d;
          hint = " (did you mean '" + std::string{candidate} + "'?)";
        }
      }
      if (hint.empty()) {
        hint = " (allowed:";
        for (auto candidate : allowed) hint += " " + std::string{candidate};
        hint += ")";
      }
      diag.error(key.mark(), what_ + ": unknown key '" + name + "'" + hint);
      continue;
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (entries[j].key.is_scalar() && entries[j].key.text() == name) {
        diag.error(key.mark(), what_ + ": duplicate key '" + name + "' (first at line " +
                                   std::to_string(entries[j].key.mark().line) + ")");
        break;
      }
    }
  }
}

const Value* ObjectReader::find(std::string_view key) const noexcept {
  if (!valid_) return nullptr;
  for (const Entry& e : value_->entries()) {
    if (e.key.is_scalar() && e.key.text() == key) return &e.value;
  }
  return nullptr;
}

const Value* ObjectReader::get(std::string_view key, Need need) {
  const Value* v = find(key);
  if (v == nullptr && valid_ && need == Need::Required) {
    diag_->error(value_->mark(), what_ + ": missing required key '" + std::string{key} + "'");
  }
  return v;
}

const Mark& ObjectReader::key_mark(std::string_view key) const noexcept {
  if (valid_) {
    for (const Entry& e : value_->entries()) {
      if (e.key.is_scalar() && e.key.text() == key) return e.key.mark();
    }
  }
  return value_->mark();
}

std::string ObjectReader::member(std::string_view key) const {
  return what_ + ": " + std::string{key};
}

std::optional<std::string> ObjectReader::string(std::string_view key, Need need) {
  const Value* v = get(key, need);
  return v ? as_string(*v, member(key), *diag_) : std::nullopt;
}

std::optional<bool> ObjectReader::boolean(std::string_view key, Need need) {
  const Value* v = get(key, need);
  return v ? as_bool(*v, member(key), *diag_) : std::nullopt;
}

std::optional<std::int64_t> ObjectReader::integer(std::string_view key, std::int64_t min,
                                                  std::int64_t max, Need need) {
  const Value* v = get(key, need);
  return v ? as_integer(*v, member(key), *diag_, min, max) : std::nullopt;
}

std::optional<std::chrono::year_month_day> ObjectReader::date(std::string_view key, Need need) {
  const Value* v = get(key, need);
  return v ? as_date(*v, member(key), *diag_) : std::nullopt;
}

std::vector<std::string> ObjectReader::strings(std::string_view key, Need need) {
  const Value* v = get(key, need);
  if (v == nullptr) return {};
  auto list = as_string_list(*v, member(key), *diag_);
  return list ? std::move(*list) : std::vector<std::string>{};
}

std::span<const Value> ObjectReader::list(std::string_view key, Need need) {
  const Value* v = get(key, need);
  if (v == nullptr) return {};
  if (!v->is_sequence()) {
    diag_->error(v->mark(),
                 member(key) + ": expected a list, found " + std::string{v->kind_name()});
    return {};
  }
  return v->items();
}

}  // namespace trustscan::config
