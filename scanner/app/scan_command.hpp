#pragma once
/// \file
/// `trustscan scan`: runs a scan from its parsed options and writes the report, the syslog
/// messages and the exit code.

#include <iosfwd>

#include "app/scan_options.hpp"

namespace trustscan::app {

/// Runs the scan that `args` describe (after CLI11 has parsed them) and returns the process exit
/// code (exit_codes.hpp). `syslog_facility_given`: --syslog-facility appeared on the command line.
/// SIGINT and SIGTERM stop the scan from here on; the report is then written, marked incomplete.
int run_scan(const ScanArgs& args, bool syslog_facility_given, std::ostream& out, std::ostream& err);

}  // namespace trustscan::app
