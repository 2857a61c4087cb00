#include "app/list_commands.hpp"

#include <algorithm>
#include <filesystem>
#include <memory>
#include <ostream>

#include <CLI/CLI.hpp>

#include "app/data_dir.hpp"
#include "app/exit_codes.hpp"
#include "config/country.hpp"
#include "report/lists.hpp"

namespace trustscan::app {
namespace {

int usage(std::ostream& err, const std::string& command, const std::string& message) {
  err << "trustscan " << command << ": " << message << '\n';
  return static_cast<int>(ExitCode::Usage);
}

/// The shipped vendor list plus --vendors, as a scan loads it (pipeline/context.cpp).
Result<attribute::VendorDb> load_vendors(const std::filesystem::path& data_dir, const std::vector<std::string>& extra) {
  std::vector<std::filesystem::path> paths{data_dir / "signatures" / "vendors"};
  paths.insert(paths.end(), extra.begin(), extra.end());
  return attribute::VendorDb::load(paths);
}

/// --country and --category, checked: an unknown code or category is a usage error, not an
/// empty list.
Result<void> check_filters(const ListCommands& cmd, std::vector<std::string>& countries) {
  for (const std::string& c : cmd.countries) {
    std::string code = c;
    for (char& ch : code)
      if (ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 'a' + 'A');
    if (!config::is_country_code(code))
      return fail(Errc::Config, "--country '" + c + "' is not an ISO 3166-1 alpha-2 country code");
    countries.push_back(std::move(code));
  }
  for (const std::string& c : cmd.categories)
    if (!attribute::category_from_string(c)) {
      std::string known;
      for (attribute::Category k : attribute::all_categories())
        known += (known.empty() ? "" : ", ") + std::string(attribute::to_string(k));
      return fail(Errc::Config, "--category '" + c + "' is not a vendor category (" + known + ")");
    }
  return {};
}

int run_vendors(const ListCommands& cmd, const std::filesystem::path& data_dir, std::ostream& out, std::ostream& err) {
  std::vector<std::string> countries;
  if (auto checked = check_filters(cmd, countries); !checked) return usage(err, "vendors", checked.error().message);
  auto db = load_vendors(data_dir, cmd.vendor_files);
  if (!db) return usage(err, "vendors", db.error().message);
  std::vector<const attribute::Vendor*> list;
  for (const attribute::Vendor& v : db->vendors()) {
    // A vendor of CC, or owned from CC (its ownership chain: what a policy's country rule matches).
    const auto chain = db->jurisdictions(v);
    const bool country_ok = countries.empty() || std::ranges::any_of(chain, [&](std::string_view cc) {
                              return std::ranges::find(countries, cc) != countries.end();
                            });
    const bool category_ok = cmd.categories.empty() ||
                             std::ranges::find(cmd.categories, attribute::to_string(v.category)) !=
                                 cmd.categories.end();
    if (country_ok && category_ok) list.push_back(&v);
  }
  report::write_vendor_list(*db, list, cmd.vendors_format == "json", out);
  return static_cast<int>(ExitCode::Clean);
}

int run_policies(const ListCommands& cmd, const std::filesystem::path& data_dir, std::ostream& out, std::ostream& err) {
  namespace fs = std::filesystem;
  auto db = load_vendors(data_dir, cmd.vendor_files);
  if (!db) return usage(err, "policies", db.error().message);
  const fs::path dir = data_dir / "rules" / "policy";
  std::vector<fs::path> files;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec))
    if (entry.path().extension() == ".yaml") files.push_back(entry.path());
  if (ec) return usage(err, "policies", dir.string() + ": " + ec.message());
  std::ranges::sort(files);
  std::vector<std::unique_ptr<policy::Policy>> loaded;
  std::vector<report::PolicyPreset> presets;
  bool broken = false;
  for (const fs::path& f : files) {
    report::PolicyPreset p{f.stem().string(), f, nullptr, {}};
    if (auto pol = policy::Policy::load(f, *db)) {
      loaded.push_back(std::make_unique<policy::Policy>(std::move(*pol)));
      p.policy = loaded.back().get();
    } else {
      p.error = pol.error().message;
      broken = true;
    }
    presets.push_back(std::move(p));
  }
  report::write_policy_list(presets, cmd.policies_format == "json", out);
  return static_cast<int>(broken ? ExitCode::Usage : ExitCode::Clean);
}

}  // namespace

void add_list_commands(CLI::App& app, ListCommands& cmd) {
  cmd.vendors = app.add_subcommand("vendors", "List the vendor-origin list: id, name, country, category");
  cmd.vendors
      ->add_option("--country", cmd.countries, "Only vendors of these countries, or owned from them (e.g. RU,CN)")
      ->delimiter(',')
      ->allow_extra_args(false);
  cmd.vendors->add_option("--category", cmd.categories, "Only vendors of these categories (e.g. antivirus)")
      ->delimiter(',')
      ->allow_extra_args(false);
  cmd.policies = app.add_subcommand("policies", "List the policy presets (--policy NAME) and what each flags");
  for (auto [sub, format] :
       {std::pair{cmd.vendors, &cmd.vendors_format}, std::pair{cmd.policies, &cmd.policies_format}}) {
    sub->add_option("--vendors", cmd.vendor_files, "Also load the vendor list FILE or DIR (repeatable)")
        ->allow_extra_args(false)
        ->check(CLI::ExistingPath);
    sub->add_option("-f,--format", *format, "text or json")
        ->check(CLI::IsMember({"text", "json"}))
        ->capture_default_str();
  }
}

int run_list_command(const ListCommands& cmd, std::ostream& out, std::ostream& err) {
  const std::string name = cmd.vendors->parsed() ? "vendors" : "policies";
  auto data_dir = find_data_dir();
  if (!data_dir) return usage(err, name, data_dir.error().message);
  return cmd.vendors->parsed() ? run_vendors(cmd, *data_dir, out, err) : run_policies(cmd, *data_dir, out, err);
}

}  // namespace trustscan::app
