#pragma once
/// \file
/// The cache's side of the pipeline's cache hook (docs/cache.md): the configuration fingerprint an
/// entry is stored under, and whether a freshly analysed file may be stored at all.

#include <cstdint>
#include <string>
#include <vector>

#include "core/limits.hpp"
#include "discover/file_ref.hpp"
#include "io/file_source.hpp"

namespace trustscan::cache {

/// Everything besides a file that decides its cached facts. Not in it, because they are
/// recomputed after every hit: catalogs, Windows images, the vendor list, the policy. The
/// verification clock is checked per entry (verify::ClockWindow).
struct Configuration {
  std::string rules;  ///< the compiled rules' fingerprint ("none" without rules)
  std::string trust;  ///< the Authenticode anchors' and CRLs' fingerprint
  std::string apple;  ///< the Mach-O anchors' fingerprint
  /// One line per module-signing key: its fingerprint, kind, origin and position (results name
  /// where a key came from).
  std::vector<std::string> kernel_keys;
  bool match_all = false;  ///< --match-all (which files the rules run on)
  Limits limits;
  bool strict_padding = false;  ///< --strict-padding (certificate padding makes a signature invalid)
  /// The loaded known-bad feeds need the file SHA-1 / MD5 of kernel-mode PE files (FileFacts::sha1, md5).
  bool file_sha1 = false, file_md5 = false;
};

/// Identity of the code (version and build-ids), the record format and `config`, as hex SHA-256.
[[nodiscard]] std::string fingerprint(const Configuration& config);

/// A file modified less than this before it was read is not cached: a second write within the
/// file system's timestamp granularity after our read would leave size, mtime and ctime as we
/// saw them (the "racy" case git's index has too). ctime cannot be set from user space.
inline constexpr std::int64_t kRacySeconds = 2;

/// Whether the analysis of `file`, begun at `analysis_began` (Unix seconds), may be stored: the
/// file was old enough when it began, lies in a directory root (an image volume has no stable
/// device/inode/ctime key of the kind the cache relies on), and still has the size and times the
/// walk saw.
[[nodiscard]] bool unchanged_since_walk(const discover::FileRef& file, const io::FileSource& source,
                                        std::int64_t analysis_began);

}  // namespace trustscan::cache
