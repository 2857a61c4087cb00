#pragma once
/// \file
/// The table's view options (issue 20): --limit and --findings-only on the command line, and the
/// width the table is laid out at, decided here for the stream it goes to.

#include <cstddef>

#include "report/report.hpp"

namespace CLI {
class App;
}

namespace trustscan::app {

/// Adds --limit and --findings-only to the scan command; parsing fills `table`.
void add_table_options(CLI::App& scan, report::TableOptions& table);

/// The width of the table written to `fd` (-1: a file): COLUMNS when it is set to a positive
/// number, else the terminal's columns when `fd` is a terminal, else 0 (no limit: nothing is
/// wrapped). `columns_env` is the value of COLUMNS (nullptr: unset).
[[nodiscard]] std::size_t table_width(int fd, const char* columns_env);

}  // namespace trustscan::app
