#include "app/cli.hpp"

#include <ostream>
#include <string>

#include <CLI/CLI.hpp>

#include "app/exit_codes.hpp"
#include "app/scan_command.hpp"
#include "app/scan_options.hpp"

namespace trustscan::app {

int run(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
  CLI::App app{"trustscan - find kernel-privileged software and who made it, on live hosts and offline images"};
  app.set_version_flag("--version", std::string("trustscan ") + TRUSTSCAN_VERSION);
  app.require_subcommand(1);
  ScanArgs scan_args;
  CLI::App* scan = add_scan_command(app, scan_args);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    out << app.help();
    return static_cast<int>(ExitCode::Clean);
  } catch (const CLI::CallForVersion& e) {
    out << e.what() << '\n';
    return static_cast<int>(ExitCode::Clean);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) {  // --help on a subcommand
      out << (scan->parsed() ? scan->help() : app.help());
      return static_cast<int>(ExitCode::Clean);
    }
    err << "trustscan: " << e.what() << "\nRun 'trustscan scan --help' for the options.\n";
    return static_cast<int>(ExitCode::Usage);
  }
  return run_scan(scan_args, scan->count("--syslog-facility") != 0, out, err);
}

}  // namespace trustscan::app
