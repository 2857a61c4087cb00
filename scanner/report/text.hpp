#pragma once
/// \file
/// Making untrusted strings (paths, version strings, certificate subjects — all chosen by whoever
/// made the scanned file) safe for each output, and the few text forms every output shares.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "discover/file_ref.hpp"

namespace trustscan::report {

/// Valid UTF-8 is returned as is; each byte of an invalid sequence becomes the four characters
/// "\xNN" (so the original bytes stay recoverable and JSON stays valid). `changed` tells whether
/// anything was escaped.
[[nodiscard]] std::string utf8_escaped(std::string_view s, bool* changed = nullptr);

/// For a terminal: utf8_escaped, then every control character (C0, DEL, C1, including ESC) is
/// shown as "\xNN" so a crafted name cannot move the cursor, recolour, or forge table rows.
[[nodiscard]] std::string terminal_safe(std::string_view s);

/// Shortens `s` to at most `width` display columns (display_width), eliding the middle
/// with "…" — the ends of a path are its most telling parts.
[[nodiscard]] std::string elide_middle(std::string_view s, std::size_t width);

/// Display columns of a terminal-safe string: a code point takes one column, an East Asian wide
/// or fullwidth one (CJK, Hangul, fullwidth forms, most emoji) two, a combining mark or a
/// zero-width one none.
[[nodiscard]] std::size_t display_width(std::string_view s) noexcept;

/// Splits a path into pieces of at most `width` display columns (at least one code point each)
/// whose concatenation is the path itself: a piece ends after a '/' where it can, else after a
/// space, '-', '_' or '.', and only a name longer than the width is broken inside. One piece when
/// the path fits or `width` is 0 (no limit).
[[nodiscard]] std::vector<std::string> wrap_path(std::string_view path, std::size_t width);

/// Word-wraps prose (a reason, an error message) into lines of at most `width` display columns,
/// breaking only at spaces (runs of spaces become one); a single word longer than the width is
/// split as wrap_path splits it. One line when it fits or `width` is 0 (no limit).
[[nodiscard]] std::vector<std::string> wrap_words(std::string_view text, std::size_t width);

/// The last component of a path ("x.sys" of "/a/x.sys"; the path itself when it has no '/').
[[nodiscard]] std::string_view base_name(std::string_view path) noexcept;

/// RFC 3339 in UTC with milliseconds, as every report time is written: "2026-01-02T03:04:05.678Z".
/// "" for a time whose year does not fit (the field is then left out).
[[nodiscard]] std::string rfc3339(const discover::Timestamp& t);
[[nodiscard]] std::string rfc3339(std::chrono::system_clock::time_point t);

/// The items joined with `separator` ("a, b, c"); "" for none.
[[nodiscard]] std::string joined(const std::vector<std::string>& items, std::string_view separator = ", ");

/// A count with its noun: "1 error", "3 errors".
[[nodiscard]] std::string counted(std::uint64_t n, std::string_view one, std::string_view many);

/// A duration as the reports print it: "23.1 s".
[[nodiscard]] std::string seconds_text(std::chrono::system_clock::duration d);

}  // namespace trustscan::report
