#pragma once
/// \file
/// `trustscan vendors` and `trustscan policies` (issue 20): list the shipped data — the
/// vendor-origin list (signatures/vendors, plus --vendors) and the policy presets
/// (rules/policy/*.yaml) — so an operator can see what a scan attributes and flags. cli.cpp
/// registers them and hands over when one was given.

#include <iosfwd>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace trustscan::app {

/// What `vendors` and `policies` were given.
struct ListCommands {
  CLI::App* vendors = nullptr;            ///< `trustscan vendors`
  CLI::App* policies = nullptr;           ///< `trustscan policies`
  std::vector<std::string> countries;     ///< vendors --country CC (repeatable, comma lists)
  std::vector<std::string> categories;    ///< vendors --category CAT
  std::vector<std::string> vendor_files;  ///< --vendors FILE|DIR, added to the shipped list
  std::string vendors_format = "text", policies_format = "text";
};

/// Adds `vendors` and `policies` to `app`; `cmd` receives the values once parsed.
void add_list_commands(CLI::App& app, ListCommands& cmd);

/// Runs the one that was given: 0 listed, 2 a usage error (bad filter, a list that does not load).
[[nodiscard]] int run_list_command(const ListCommands& cmd, std::ostream& out, std::ostream& err);

}  // namespace trustscan::app
