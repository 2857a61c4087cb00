#pragma once
/// \file
/// Finding Windows installations under a scan root (issue 16): which directories are the volume
/// roots of a Windows installation, and which of its identifying parts each one holds.
///
/// A directory B is a Windows installation when `B/Windows/System32` holds any of:
///  - `config/SYSTEM` or `config/SOFTWARE` (a registry hive),
///  - `CatRoot` (a directory: the catalogs that sign most of Windows' own drivers),
///  - `ntoskrnl.exe` (the kernel),
/// every name spelled in any case (NTFS is case-insensitive; a copied or mounted image keeps the
/// case Windows wrote). B is the scan root or a directory up to kMaxProbeDepth levels below it, so
/// `/mnt/evidence/case42/vol1` is found from `/mnt/evidence`. A copy that lost its hives (a
/// triage collection, a partial acquisition) still has its catalogs indexed.
///
/// The look is bounded: breadth-first over directory *names* (io::FileSource::list, no stat of
/// the entries), shallowest first, never through a symlink, never into a kernel pseudo file system
/// (/proc, /sys), never below an installation already found (Windows.old inside an image is
/// part of that image, not another one), and at most ProbeLimits::max_directories directories and
/// ProbeLimits::max_entries names in all. When a limit stops it, a warning says so: the deeper
/// levels were not all looked at.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "io/file_source.hpp"

namespace trustscan::pipeline {

/// How many directory levels below a scan root a Windows installation's volume root may be.
inline constexpr unsigned kMaxProbeDepth = 3;

/// The parts of a Windows installation that identify it, as found below its volume root.
struct WindowsParts {
  bool system_hive = false;    ///< Windows/System32/config/SYSTEM
  bool software_hive = false;  ///< Windows/System32/config/SOFTWARE
  bool catroot = false;        ///< Windows/System32/CatRoot (a directory)
  bool ntoskrnl = false;       ///< Windows/System32/ntoskrnl.exe

  /// At least one part: the directory is a Windows installation.
  [[nodiscard]] bool any() const noexcept { return system_hive || software_hive || catroot || ntoskrnl; }
  /// The names of the parts found / missing, in the order above: "system_hive", "software_hive",
  /// "catroot", "ntoskrnl" (the report's tokens).
  [[nodiscard]] std::vector<std::string_view> found() const;
  [[nodiscard]] std::vector<std::string_view> missing() const;
  /// The part that identified the installation: the first found in the order above ("" if none).
  [[nodiscard]] std::string_view recognised_by() const;
};

/// A part's name for people: "SYSTEM hive", "SOFTWARE hive", "CatRoot", "ntoskrnl.exe".
[[nodiscard]] std::string_view part_label(std::string_view token) noexcept;

/// One Windows installation found by probe_windows().
struct ProbeHit {
  std::string base;    ///< its volume root relative to the scan root ("" = the root itself)
  unsigned depth = 0;  ///< directory levels below the scan root (components of `base`)
  WindowsParts parts;
};

/// Bounds of the look (defaults: what a whole host's `/` needs many times over).
struct ProbeLimits {
  unsigned max_depth = kMaxProbeDepth;
  std::size_t max_directories = 10'000;   ///< directories listed in all
  std::size_t max_entries = 2'000'000;    ///< names read in all
  std::size_t max_dir_entries = 100'000;  ///< names in one directory (a larger one is not looked into)
};

/// What probe_windows() found.
struct ProbeResult {
  std::vector<ProbeHit> hits;          ///< shallowest first, then in name order
  std::vector<std::string> warnings;   ///< a limit stopped the look, a directory too large to look into
  std::size_t directories_listed = 0;  ///< every directory listed (a `Windows` tree's included)
};

/// Every Windows installation at `source`'s root or up to `limits.max_depth` levels below it.
/// Never fails: a directory that cannot be listed is passed over (the walk reports it); a
/// directory too large to look into, or a limit that stopped the look, is a warning.
[[nodiscard]] ProbeResult probe_windows(const io::FileSource& source, const ProbeLimits& limits = {});

}  // namespace trustscan::pipeline
