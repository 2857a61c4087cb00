#pragma once
/// \file
/// The command line: parses arguments with CLI11 and runs the scan. No globals; testable with
/// any streams.

#include <iosfwd>

namespace trustscan::app {

/// Runs `trustscan` with `argc/argv`; returns the process exit code (see exit_codes.hpp).
int run(int argc, const char* const* argv, std::ostream& out, std::ostream& err);

}  // namespace trustscan::app
