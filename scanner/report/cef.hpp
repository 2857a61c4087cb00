#pragma once
/// \file
/// report/ internal: ArcSight Common Event Format (CEF:0) escaping, as the "Implementing ArcSight
/// CEF" guide (rev. 25) defines it. Exposed for the unit tests; write_cef (report.hpp) is the API.

#include <string>
#include <string_view>

namespace trustscan::report {

/// A header field (vendor, product, version, signature id, name): `\` -> `\\`, `|` -> `\|`.
/// The header cannot hold line breaks, so CR and LF become a space.
[[nodiscard]] std::string cef_header_escape(std::string_view s);

/// An extension value: `\` -> `\\`, `=` -> `\=`, LF -> `\n`, CR -> `\r` (backslash + letter).
/// `|` is not escaped in extensions.
[[nodiscard]] std::string cef_extension_escape(std::string_view s);

/// CEF severity (0-10) of a finding severity ("low" 3, "medium" 6, "high" 8, "critical" 10); 0 for
/// anything else.
[[nodiscard]] int cef_severity(std::string_view severity) noexcept;

}  // namespace trustscan::report
