#include "app/table_view.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <charconv>
#include <string_view>

#include <CLI/CLI.hpp>

namespace trustscan::app {

void add_table_options(CLI::App& scan, report::TableOptions& table) {
  scan.add_option("--limit", table.limit,
                  "Table: list at most N rows per section, with a count of those left out (findings: all)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 40));
  scan.add_flag("--findings-only", table.findings_only, "Table: only the header, the summary and the findings");
}

std::size_t table_width(int fd, const char* columns_env) {
  if (columns_env) {
    const std::string_view text(columns_env);
    std::size_t columns = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), columns);
    if (ec == std::errc{} && end == text.data() + text.size() && columns > 0) return columns;
  }
  if (fd < 0 || !::isatty(fd)) return 0;
  struct winsize ws {};
  if (::ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
  return 80;  // a terminal that does not say
}

}  // namespace trustscan::app
