#include "pipeline/windows_probe.hpp"

#include <dirent.h>

#include <array>
#include <deque>

#include "core/ascii.hpp"

namespace trustscan::pipeline {
namespace {

constexpr std::array<std::string_view, 4> kPartTokens{"system_hive", "software_hive", "catroot", "ntoskrnl"};

/// A directory entry that may be a directory (its type is not always known: DT_UNKNOWN), or a file.
bool may_be_dir(unsigned char type) noexcept { return type == DT_DIR || type == DT_UNKNOWN; }
bool may_be_file(unsigned char type) noexcept { return type == DT_REG || type == DT_UNKNOWN; }

/// The entry called `name` in any case, of a type `accept` allows; the exact spelling wins, else
/// the first in name order (as io::FileSource::resolve_nocase). Never a symlink.
const io::DirEntry* find_nocase(const std::vector<io::DirEntry>& entries, std::string_view name,
                                bool (*accept)(unsigned char) noexcept) {
  const io::DirEntry* hit = nullptr;
  for (const io::DirEntry& e : entries) {
    if (!accept(e.type) || !iequals_ascii(e.name, name)) continue;
    if (e.name == name) return &e;
    if (!hit) hit = &e;
  }
  return hit;
}

std::string join(const std::string& a, std::string_view b) {
  return a.empty() ? std::string(b) : a + "/" + std::string(b);
}

/// The parts below `windows` (the resolved `Windows` directory, relative to the root), each
/// directory listed with at most `max_entries` names and counted in `listed`.
WindowsParts parts_below(const io::FileSource& source, const std::string& windows, std::size_t max_entries,
                         std::size_t& listed) {
  WindowsParts parts;
  auto list = [&](const std::string& relative) {
    ++listed;
    return source.list(relative, max_entries);
  };
  auto in_windows = list(windows);
  if (!in_windows) return parts;
  const io::DirEntry* system32 = find_nocase(*in_windows, "System32", may_be_dir);
  if (!system32) return parts;
  const std::string sys = join(windows, system32->name);
  auto names = list(sys);
  if (!names) return parts;
  parts.catroot = find_nocase(*names, "CatRoot", may_be_dir) != nullptr;
  parts.ntoskrnl = find_nocase(*names, "ntoskrnl.exe", may_be_file) != nullptr;
  if (const io::DirEntry* config = find_nocase(*names, "config", may_be_dir)) {
    if (auto hives = list(join(sys, config->name))) {
      parts.system_hive = find_nocase(*hives, "SYSTEM", may_be_file) != nullptr;
      parts.software_hive = find_nocase(*hives, "SOFTWARE", may_be_file) != nullptr;
    }
  }
  return parts;
}

/// The tokens of the parts present (`present`) or missing (`!present`), in kPartTokens order.
std::vector<std::string_view> tokens(const WindowsParts& p, bool present) {
  const std::array<bool, 4> have{p.system_hive, p.software_hive, p.catroot, p.ntoskrnl};
  std::vector<std::string_view> out;
  for (std::size_t i = 0; i < have.size(); ++i)
    if (have[i] == present) out.push_back(kPartTokens[i]);
  return out;
}

/// One directory waiting to be looked at.
struct Pending {
  std::string relative;
  unsigned depth = 0;
};

std::string shown(const std::string& relative) { return relative.empty() ? "the scan root" : "'" + relative + "'"; }

/// The breadth-first look of probe_windows(), one directory at a time.
class Prober {
 public:
  Prober(const io::FileSource& source, const ProbeLimits& limits) : source_(source), limits_(limits) {}

  ProbeResult run() {
    queue_.push_back({"", 0});
    while (!queue_.empty()) {
      Pending dir = std::move(queue_.front());
      queue_.pop_front();
      if (out_.directories_listed >= limits_.max_directories) {
        capped("after " + std::to_string(limits_.max_directories) + " directories", dir);
        break;
      }
      visit(dir);
      if (stopped_) break;
    }
    return std::move(out_);
  }

 private:
  void visit(const Pending& dir) {
    // /proc, /sys: never Windows; network and FUSE mounts below a root: not looked into (the walk
    // skips them by default; a Windows installation on one is recognised when it is named as a root)
    if (dir.depth > 0 && source_.foreign_filesystem(dir.relative)) return;
    auto entries = source_.list(dir.relative, limits_.max_dir_entries);
    ++out_.directories_listed;
    if (!entries) {
      // An unreadable directory is the walk's to report; one too large to look into is ours.
      if (entries.error().code == Errc::TooLarge)
        out_.warnings.push_back(
            "Windows image probe: " + shown(dir.relative) + " has more than " +
            std::to_string(limits_.max_dir_entries) +
            " entries and was not looked into: a Windows installation in it or below is not recognised");
      return;
    }
    entries_seen_ += entries->size();
    if (const io::DirEntry* windows = find_nocase(*entries, "Windows", may_be_dir)) {
      WindowsParts parts = parts_below(source_, join(dir.relative, windows->name), limits_.max_dir_entries,
                                       out_.directories_listed);
      if (parts.any()) {
        out_.hits.push_back({dir.relative, dir.depth, parts});
        return;  // everything below belongs to this installation
      }
    }
    if (entries_seen_ > limits_.max_entries) {
      capped("after " + std::to_string(limits_.max_entries) + " names", dir);
      return;
    }
    if (dir.depth >= limits_.max_depth) return;
    for (io::DirEntry& e : *entries)
      if (may_be_dir(e.type)) queue_.push_back({join(dir.relative, e.name), dir.depth + 1});
  }

  void capped(const std::string& when, const Pending& next) {
    out_.warnings.push_back("Windows image probe stopped " + when + " (at " + shown(next.relative) + ", depth " +
                            std::to_string(next.depth) + " of " + std::to_string(limits_.max_depth) +
                            "): Windows installations at that depth or deeper may not be recognised");
    stopped_ = true;
  }

  const io::FileSource& source_;
  const ProbeLimits& limits_;
  std::deque<Pending> queue_;
  std::size_t entries_seen_ = 0;
  bool stopped_ = false;
  ProbeResult out_;
};

}  // namespace

std::vector<std::string_view> WindowsParts::found() const { return tokens(*this, true); }

std::vector<std::string_view> WindowsParts::missing() const { return tokens(*this, false); }

std::string_view WindowsParts::recognised_by() const {
  auto have = found();
  return have.empty() ? std::string_view{} : have.front();
}

std::string_view part_label(std::string_view token) noexcept {
  if (token == "system_hive") return "SYSTEM hive";
  if (token == "software_hive") return "SOFTWARE hive";
  if (token == "catroot") return "CatRoot";
  if (token == "ntoskrnl") return "ntoskrnl.exe";
  return token;
}

ProbeResult probe_windows(const io::FileSource& source, const ProbeLimits& limits) {
  return Prober(source, limits).run();
}

}  // namespace trustscan::pipeline
