#include "app/cli.hpp"

#include <algorithm>
#include <array>
#include <ostream>
#include <string>
#include <string_view>

#include <CLI/CLI.hpp>

#include "app/check_command.hpp"
#include "app/data_command.hpp"
#include "app/exit_codes.hpp"
#include "app/explain_command.hpp"
#include "app/list_commands.hpp"
#include "app/scan_command.hpp"
#include "app/scan_options.hpp"
#include "app/version_text.hpp"
#include "datasets/dataset_io.hpp"
#include "report/formats.hpp"

namespace trustscan::app {
namespace {

constexpr std::array<std::string_view, 7> kCommands = {"scan", "explain", "vendors", "policies",
                                                       "data", "check",   "help"};
constexpr std::string_view kCommandList = "scan, explain, vendors, policies, data, check or help";

/// The first argument that is not an option: the command, or "" when there is none.
std::string_view command_word(int argc, const char* const* argv) {
  for (int i = 1; i < argc; ++i)
    if (argv[i][0] != '-') return argv[i];
  return {};
}

/// The deepest subcommand given on the command line ("trustscan data import" for its options).
const CLI::App* deepest(const CLI::App& app) {
  const CLI::App* shown = &app;
  while (!shown->get_subcommands().empty()) shown = shown->get_subcommands().front();
  return shown;
}

std::string command_path(const CLI::App* app) {
  std::string path;
  for (const CLI::App* a = app; a && a->get_parent(); a = a->get_parent()) path = a->get_name() + " " + path;
  return "trustscan " + path;
}

/// `trustscan help [COMMAND [SUBCOMMAND]]`: the help of that command, as --help would print it.
int print_help(CLI::App& app, const std::vector<std::string>& topic, std::ostream& out, std::ostream& err) {
  CLI::App* shown = &app;
  for (const std::string& word : topic) {
    CLI::App* sub = nullptr;
    try {
      sub = shown->get_subcommand(word);
    } catch (const CLI::OptionNotFound&) {}
    if (!sub || word == "help") {
      err << "trustscan: no help on '" << word << "': " << command_path(shown) << "has no command of that name\n";
      return static_cast<int>(ExitCode::Usage);
    }
    shown = sub;
  }
  // App::help() would describe the command given (help itself); the formatter describes `shown`.
  std::string name = command_path(shown);
  name.pop_back();  // command_path ends in a space
  out << shown->get_formatter()->make_help(shown, name, CLI::AppFormatMode::Normal);
  return static_cast<int>(ExitCode::Clean);
}

}  // namespace

int run(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
  // The build fills the man page and the shell completions from this list (cmake/format_docs.cmake).
  if (argc == 2 && std::string_view(argv[1]) == "__formats") {
    report::print_output_formats(out);
    return static_cast<int>(ExitCode::Clean);
  }
  CLI::App app{"trustscan - find kernel-privileged software and who made it, on live hosts and offline images"};
  app.set_version_flag("--version", [] { return version_text(std::string(datasets::kDefaultDataDir)); });
  app.require_subcommand(0, 1);
  ScanArgs scan_args;
  CLI::App* scan = add_scan_command(app, scan_args);  // app/scan_options.cpp
  DataCommand data_cmd;  // issue 16: trustscan data import|status|update (app/data_command.cpp)
  add_data_command(app, data_cmd);
  ExplainCommand explain_cmd;  // issue 20: app/explain_command.cpp
  add_explain_command(app, explain_cmd);
  ListCommands list_cmds;  // issue 20: trustscan vendors|policies (app/list_commands.cpp)
  add_list_commands(app, list_cmds);
  CheckCommand check_cmd;  // issue 19: the monitoring plugin (app/check_command.cpp)
  add_check_command(app, check_cmd);
  std::vector<std::string> help_topic;
  CLI::App* help = app.add_subcommand("help", "Show the help of a command (trustscan help scan)");
  help->add_option("COMMAND", help_topic, "The command (and subcommand) to explain");

  const std::string_view word = command_word(argc, argv);
  if (!word.empty() && std::ranges::find(kCommands, word) == kCommands.end()) {
    err << "trustscan: unknown command '" << word << "': the commands are " << kCommandList
        << ".\nRun 'trustscan help' for an overview.\n";
    return static_cast<int>(ExitCode::Usage);
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    out << app.help();
    return static_cast<int>(ExitCode::Clean);
  } catch (const CLI::CallForVersion& e) {
    out << e.what();
    return static_cast<int>(ExitCode::Clean);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) {  // --help on a subcommand: the deepest one given
      out << deepest(app)->help();
      return static_cast<int>(ExitCode::Clean);
    }
    if (deepest(app) == check_cmd.app) return check_usage_error(e.what(), out);  // UNKNOWN (3), on stdout
    err << "trustscan: " << e.what() << '\n';
    if (deepest(app) == scan && std::string_view(e.what()).starts_with("--format: At Most 1"))
      err << "One --format a run; for several formats from one scan give -o per output: "
             "-o table -o json=FILE -o ndjson=FILE ('=-': standard output).\n";
    err << "Run '" << command_path(deepest(app)) << "--help' for the options.\n";
    return static_cast<int>(ExitCode::Usage);
  }
  if (help->parsed()) return print_help(app, help_topic, out, err);
  if (data_cmd.data->parsed()) return run_data_command(data_cmd, out, err);
  if (explain_cmd.app->parsed()) return run_explain(explain_cmd, out, err);
  if (check_cmd.app->parsed()) return run_check(check_cmd, out, err);
  if (list_cmds.vendors->parsed() || list_cmds.policies->parsed()) return run_list_command(list_cmds, out, err);
  if (!scan->parsed()) {
    err << "trustscan: a command is required: " << kCommandList << " (e.g. trustscan scan /).\n"
        << "Run 'trustscan help' for an overview.\n";
    return static_cast<int>(ExitCode::Usage);
  }
  return run_scan(scan_args, scan->count("--syslog-facility") != 0, out, err);  // app/scan_command.cpp
}

}  // namespace trustscan::app
