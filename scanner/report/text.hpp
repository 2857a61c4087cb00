#pragma once
/// \file
/// Making untrusted strings (paths, version strings, certificate subjects — all chosen by whoever
/// made the scanned file) safe for each output, and the few text forms every output shares.

#include <chrono>
#include <string>
#include <string_view>

#include "discover/file_ref.hpp"

namespace trustscan::report {

/// Valid UTF-8 is returned as is; each byte of an invalid sequence becomes the four characters
/// "\xNN" (so the original bytes stay recoverable and JSON stays valid). `changed` tells whether
/// anything was escaped.
[[nodiscard]] std::string utf8_escaped(std::string_view s, bool* changed = nullptr);

/// For a terminal: utf8_escaped, then every control character (C0, DEL, C1, including ESC) is
/// shown as "\xNN" so a crafted name cannot move the cursor, recolour, or forge table rows.
[[nodiscard]] std::string terminal_safe(std::string_view s);

/// Shortens `s` to at most `width` display columns (counting code points), eliding the middle
/// with "…" — the ends of a path are its most telling parts.
[[nodiscard]] std::string elide_middle(std::string_view s, std::size_t width);

/// The last component of a path ("x.sys" of "/a/x.sys"; the path itself when it has no '/').
[[nodiscard]] std::string_view base_name(std::string_view path) noexcept;

/// RFC 3339 in UTC with milliseconds, as every report time is written: "2026-01-02T03:04:05.678Z".
/// "" for a time whose year does not fit (the field is then left out).
[[nodiscard]] std::string rfc3339(const discover::Timestamp& t);
[[nodiscard]] std::string rfc3339(std::chrono::system_clock::time_point t);

}  // namespace trustscan::report
