#include "app/dated_path.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>
#include <ostream>
#include <regex>
#include <string_view>
#include <utility>
#include <vector>

namespace trustscan::app {
namespace {

/// The placeholders and what each expands to, as a regular expression.
struct Placeholder {
  char conversion;
  std::string_view regex;
};
constexpr Placeholder kPlaceholders[] = {
    {'Y', "[0-9]{4}"},
    {'m', "[0-9]{2}"},
    {'d', "[0-9]{2}"},
    {'H', "[0-9]{2}"},
    {'M', "[0-9]{2}"},
    {'S', "[0-9]{2}"},
    {'j', "[0-9]{3}"},
    {'F', "[0-9]{4}-[0-9]{2}-[0-9]{2}"},
    {'T', "[0-9]{2}:[0-9]{2}:[0-9]{2}"},
};

const Placeholder* find_placeholder(char c) {
  auto it = std::ranges::find(kPlaceholders, c, &Placeholder::conversion);
  return it == std::end(kPlaceholders) ? nullptr : &*it;
}

std::pair<std::string, std::string> split_dir(const std::string& pattern) {
  const auto slash = pattern.rfind('/');
  if (slash == std::string::npos) return {".", pattern};
  return {slash == 0 ? "/" : pattern.substr(0, slash), pattern.substr(slash + 1)};
}

/// The file name part of a pattern as an anchored regular expression.
std::regex name_regex(const std::string& name) {
  std::string re;
  for (std::size_t i = 0; i < name.size(); ++i) {
    if (name[i] == '%' && i + 1 < name.size()) {
      const char c = name[++i];
      if (c == '%')
        re += "%";
      else if (const Placeholder* p = find_placeholder(c))
        re.append("(").append(p->regex).append(")");
      continue;
    }
    if (std::string_view("\\^$.|?*+()[]{}").find(name[i]) != std::string_view::npos) re += '\\';
    re += name[i];
  }
  return std::regex(re, std::regex::ECMAScript);
}

}  // namespace

bool is_dated_pattern(const std::string& pattern) noexcept { return pattern.find('%') != std::string::npos; }

Result<void> check_dated_pattern(const std::string& pattern) {
  if (!is_dated_pattern(pattern)) return {};
  const auto [dir, name] = split_dir(pattern);
  if (dir.find('%') != std::string::npos)
    return fail(Errc::Config, "placeholders (%) may appear only in the file name, not in the directory");
  bool dated = false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    if (name[i] != '%') continue;
    if (i + 1 == name.size()) return fail(Errc::Config, "a lone '%' at the end (write %% for a '%')");
    const char c = name[++i];
    if (c == '%') continue;
    if (!find_placeholder(c))
      return fail(Errc::Config,
                  std::string("unsupported placeholder %") + c + " (use %Y %m %d %H %M %S %j %F %T, or %% for a '%')");
    dated = true;
  }
  if (!dated) return fail(Errc::Config, "only %% in the name: no time placeholder");
  return {};
}

std::string expand_dated_pattern(const std::string& pattern, std::time_t when) {
  if (!is_dated_pattern(pattern)) return pattern;
  std::tm tm{};
  ::gmtime_r(&when, &tm);
  auto padded = [](int v, int width) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%0*d", width, v);
    return std::string(buf);
  };
  const std::string year = padded(tm.tm_year + 1900, 4), month = padded(tm.tm_mon + 1, 2), day = padded(tm.tm_mday, 2);
  const std::string hour = padded(tm.tm_hour, 2), minute = padded(tm.tm_min, 2), second = padded(tm.tm_sec, 2);
  std::string out;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] != '%' || i + 1 == pattern.size()) {
      out += pattern[i];
      continue;
    }
    switch (pattern[++i]) {
      case 'Y': out += year; break;
      case 'm': out += month; break;
      case 'd': out += day; break;
      case 'H': out += hour; break;
      case 'M': out += minute; break;
      case 'S': out += second; break;
      case 'j': out += padded(tm.tm_yday + 1, 3); break;
      case 'F': out += year + "-" + month + "-" + day; break;
      case 'T': out += hour + ":" + minute + ":" + second; break;
      default: out += pattern[i]; break;  // "%%" (check_dated_pattern refused the rest)
    }
  }
  return out;
}

bool matches_dated_name(const std::string& pattern_name, const std::string& name, std::time_t& when) {
  if (!std::regex_match(name, name_regex(pattern_name))) return false;
  std::tm tm{};
  const char* end = ::strptime(name.c_str(), pattern_name.c_str(), &tm);
  when = end && *end == '\0' ? ::timegm(&tm) : 0;
  return true;
}

std::size_t prune_dated_reports(const std::string& pattern, std::size_t keep, const std::string& written,
                                std::ostream& err) {
  namespace fs = std::filesystem;
  const auto [dir, name] = split_dir(pattern);
  std::vector<std::pair<std::time_t, std::string>> reports;  // (time in the name, file name)
  std::error_code ec;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir, ec)) {
    const std::string file = entry.path().filename().string();
    std::time_t when = 0;
    if (!matches_dated_name(name, file, when)) continue;
    struct stat st {};
    if (::lstat(entry.path().c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;  // never a symlink
    reports.emplace_back(when, file);
  }
  if (ec) {
    err << "trustscan: warning: --keep: cannot list " << dir << ": " << ec.message() << '\n';
    return 0;
  }
  std::ranges::sort(reports, std::greater<>());
  const std::string written_name = fs::path(written).filename().string();
  // The report just written is one of the `keep`, whatever the time in its name (a clock set back).
  std::size_t deleted = 0, kept = 1;
  for (const auto& [when, file] : reports) {
    if (file == written_name) continue;
    if (kept < keep) {
      ++kept;
      continue;
    }
    const fs::path victim = fs::path(dir) / file;
    if (::unlink(victim.c_str()) != 0) {
      err << "trustscan: warning: --keep: cannot delete " << victim.string() << ": " << std::strerror(errno) << '\n';
      continue;
    }
    ++deleted;
  }
  return deleted;
}

}  // namespace trustscan::app
