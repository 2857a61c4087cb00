#pragma once
/// \file
/// Dated report files for timer deployments: `-o json=/var/lib/trustscan/reports/scan-%Y%m%dT%H%M%SZ.json`
/// names each run's report by its start time (UTC), and `--keep N` deletes the oldest reports
/// whose names match the same pattern beyond the newest N — never any other file.

#include <cstddef>
#include <ctime>
#include <iosfwd>
#include <string>

#include "core/error.hpp"

namespace trustscan::app {

/// True when `pattern` holds a placeholder (a '%').
[[nodiscard]] bool is_dated_pattern(const std::string& pattern) noexcept;

/// Checks the placeholders of `pattern`: only in its file name (the last component), and only
/// %Y %m %d %H %M %S %j %F %T (and %% for a '%'), so that every expanded name reads back to
/// its time. Errc::Config saying what is wrong.
[[nodiscard]] Result<void> check_dated_pattern(const std::string& pattern);

/// `pattern` with its placeholders replaced by `when` in UTC (a pattern without any unchanged).
[[nodiscard]] std::string expand_dated_pattern(const std::string& pattern, std::time_t when);

/// Whether the file name `name` is one that the file name part of `pattern` expands to (any
/// time), and which time; used by retention. Exposed for tests.
[[nodiscard]] bool matches_dated_name(const std::string& pattern_name, const std::string& name, std::time_t& when);

/// Retention: in the directory of `pattern`, the regular files (not symlinks or anything else)
/// whose names match it, newest first by the time in the name, are kept up to `keep`; the older
/// ones are deleted. `written` (the report just written) is never deleted. Problems are warnings
/// on `err`. Returns the number of files deleted.
std::size_t prune_dated_reports(const std::string& pattern, std::size_t keep, const std::string& written,
                                std::ostream& err);

}  // namespace trustscan::app
