#pragma once
/// \file
/// `trustscan explain FILE` (issue 20): every stage's evidence for one file, for a person (or as
/// the one JSON record with --format json). It runs the same pipeline as `scan` on that file,
/// with the same trust, key, catalog, rule, vendor and policy options, so it explains exactly
/// what a scan reports. cli.cpp registers it and hands over when it was given.

#include <iosfwd>
#include <string>

#include "app/scan_options.hpp"

namespace CLI {
class App;
}

namespace trustscan::app {

/// What `explain` was given.
struct ExplainCommand {
  CLI::App* app = nullptr;  ///< `trustscan explain`
  std::string file;         ///< FILE
  std::string format = "text";
  ScanArgs args;  ///< the options shared with scan (add_context_options)
};

/// Adds `explain` to `app`; `cmd` receives the values once parsed.
void add_explain_command(CLI::App& app, ExplainCommand& cmd);

/// Runs `explain`: 0 when the file was explained (whatever its verdict), 2 for a usage error (a
/// missing file, a directory, a bad option), 3 when the file could not be read.
[[nodiscard]] int run_explain(ExplainCommand& cmd, std::ostream& out, std::ostream& err);

}  // namespace trustscan::app
