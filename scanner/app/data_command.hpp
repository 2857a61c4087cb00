#pragma once
/// \file
/// `trustscan data import|status|update`: third-party data sets imported at run time
/// (datasets/, docs/datasets.md). cli.cpp registers the subcommands and hands over when one of
/// them was given.

#include <iosfwd>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace trustscan::app {

/// What the `data` subcommands were given.
struct DataCommand {
  CLI::App* data = nullptr;  ///< `trustscan data`
  CLI::App* import = nullptr;
  CLI::App* status = nullptr;
  CLI::App* update = nullptr;
  std::string source;                 ///< import SRC
  std::string data_dir;               ///< --data-dir (default datasets::kDefaultDataDir)
  std::vector<std::string> urls;      ///< update --url NAME=URL
  std::string mirror;                 ///< update --mirror BASE
  long timeout_seconds = 120;         ///< update --timeout
};

/// Adds `data` and its subcommands to `app`; `cmd` receives the values once parsed.
void add_data_command(CLI::App& app, DataCommand& cmd);

/// Runs the parsed `data` subcommand; returns the exit code (exit_codes.hpp: 0 done, 2 usage,
/// 4 a data set could not be imported or fetched).
[[nodiscard]] int run_data_command(const DataCommand& cmd, std::ostream& out, std::ostream& err);

}  // namespace trustscan::app
