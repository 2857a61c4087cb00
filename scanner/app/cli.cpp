#include "app/cli.hpp"

#include <ostream>
#include <string>
#include <string_view>

#include <CLI/CLI.hpp>

#include "app/data_command.hpp"
#include "app/exit_codes.hpp"
#include "app/scan_command.hpp"
#include "app/scan_options.hpp"
#include "report/formats.hpp"

namespace trustscan::app {

int run(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
  // The build fills the man page and the shell completions from this list (cmake/format_docs.cmake).
  if (argc == 2 && std::string_view(argv[1]) == "__formats") {
    report::print_output_formats(out);
    return static_cast<int>(ExitCode::Clean);
  }
  CLI::App app{"trustscan - find kernel-privileged software and who made it, on live hosts and offline images"};
  app.set_version_flag("--version", std::string("trustscan ") + TRUSTSCAN_VERSION);
  app.require_subcommand(1);
  ScanArgs scan_args;
  CLI::App* scan = add_scan_command(app, scan_args);  // app/scan_options.cpp
  DataCommand data_cmd;  // issue 16: trustscan data import|status|update (app/data_command.cpp)
  add_data_command(app, data_cmd);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    out << app.help();
    return static_cast<int>(ExitCode::Clean);
  } catch (const CLI::CallForVersion& e) {
    out << e.what() << '\n';
    return static_cast<int>(ExitCode::Clean);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) {  // --help on a subcommand: the deepest one given
      const CLI::App* shown = &app;
      while (!shown->get_subcommands().empty()) shown = shown->get_subcommands().front();
      out << shown->help();
      return static_cast<int>(ExitCode::Clean);
    }
    err << "trustscan: " << e.what() << "\nRun 'trustscan scan --help' for the options.\n";
    return static_cast<int>(ExitCode::Usage);
  }
  if (data_cmd.data->parsed()) return run_data_command(data_cmd, out, err);
  return run_scan(scan_args, scan->count("--syslog-facility") != 0, out, err);  // app/scan_command.cpp
}

}  // namespace trustscan::app
