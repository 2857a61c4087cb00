#pragma once
/// \file
/// report/ internal: one CSV cell as `--format csv` writes it (csv_report.cpp).

#include <string>
#include <string_view>

namespace trustscan::report {

/// `value` as one RFC 4180 cell: quoted (inner quotes doubled) when it holds a comma, a quote, CR
/// or LF. A value starting with `=`, `+`, `-`, `@`, TAB or CR gets a leading `'` first, so that a
/// spreadsheet shows a crafted file name such as `=HYPERLINK(...)` as text instead of running it.
[[nodiscard]] std::string csv_cell(std::string_view value);

}  // namespace trustscan::report
