#pragma once
// Test-only: small LOLDrivers YAML files and SiPolicy documents, written the way the public
// sources write them, for the importer and matcher tests.

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "datasets/known_bad_feed.hpp"
#include "datasets/known_bad_import.hpp"
#include "support/temp_tree.hpp"

namespace trustscan::test {

/// ../shared/data beside the repository (LOLDrivers, block rules: never committed), or nullopt
/// when this checkout has none; the caller then warns that the public data was not tested.
inline std::optional<std::filesystem::path> shared_data() {
  const auto dir = std::filesystem::path(TRUSTSCAN_SOURCE_DIR) / ".." / "shared" / "data";
  if (std::filesystem::exists(dir / "loldrivers" / "yaml") && std::filesystem::exists(dir / "wdac")) return dir;
  return std::nullopt;
}

/// ../shared/data imported once per test run (LOLDrivers takes seconds): a data directory with
/// both data sets, and what each importer returned.
struct ImportedSharedData {
  TempTree dir;
  Result<std::optional<datasets::DatasetInfo>> loldrivers = std::nullopt;
  Result<std::optional<datasets::DatasetInfo>> block_rules = std::nullopt;
};

/// nullptr when this checkout has no ../shared/data.
inline const ImportedSharedData* imported_shared_data() {
  static const std::unique_ptr<ImportedSharedData> imported = []() -> std::unique_ptr<ImportedSharedData> {
    const auto source = shared_data();
    if (!source) return nullptr;
    auto out = std::make_unique<ImportedSharedData>();
    out->dir.mkdir(datasets::kLolDriversDataset);
    out->dir.mkdir(datasets::kDriverBlockRulesDataset);
    out->loldrivers = datasets::import_loldrivers(*source, out->dir.path() / datasets::kLolDriversDataset);
    out->block_rules = datasets::import_driver_block_rules(*source, out->dir.path() / datasets::kDriverBlockRulesDataset);
    return out;
  }();
  return imported.get();
}

/// A SiPolicy with the given <FileRules> and <Signers> contents, whose kernel scenario denies
/// `denied_signers` (<DeniedSigner> elements) and uses `file_rule_refs` (<FileRuleRef> elements).
inline std::string sipolicy(std::string_view version, std::string_view file_rules, std::string_view signers,
                            std::string_view denied_signers, std::string_view file_rule_refs,
                            std::string_view policy_type = "{A244370E-44C9-4C06-B551-F6016E563076}") {
  std::string x = "\xEF\xBB\xBF<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
                  "<SiPolicy xmlns=\"urn:schemas-microsoft-com:sipolicy\">\n";
  x += "  <VersionEx>" + std::string{version} + "</VersionEx>\n";
  x += "  <PlatformID>{2E07F7E4-194C-4D20-B7C9-6F44A6C5A234}</PlatformID>\n";
  x += "  <Rules>\n    <Rule>\n      <Option>Enabled:Unsigned System Integrity Policy</Option>\n    </Rule>\n  </Rules>\n";
  x += "  <EKUs />\n  <FileRules>\n" + std::string{file_rules} + "  </FileRules>\n";
  x += "  <Signers>\n" + std::string{signers} + "  </Signers>\n";
  x += "  <SigningScenarios>\n"
       "    <SigningScenario Value=\"131\" ID=\"ID_SIGNINGSCENARIO_DENIED\" FriendlyName=\"denied\">\n"
       "      <ProductSigners>\n"
       "        <DeniedSigners>\n" + std::string{denied_signers} + "        </DeniedSigners>\n"
       "        <FileRulesRef>\n" + std::string{file_rule_refs} + "        </FileRulesRef>\n"
       "      </ProductSigners>\n"
       "    </SigningScenario>\n"
       "  </SigningScenarios>\n";
  x += "  <UpdatePolicySigners />\n  <CiSigners />\n  <HvciOptions>0</HvciOptions>\n";
  x += "  <PolicyTypeID>" + std::string{policy_type} + "</PolicyTypeID>\n</SiPolicy>\n";
  return x;
}

/// A LOLDrivers entry: `samples` is the YAML of the KnownVulnerableSamples list items, indented
/// as LOLDrivers does ("- Filename: ..." at column 0, members at column 2).
inline std::string loldrivers_yaml(std::string_view id, std::string_view category, std::string_view samples) {
  std::string y = "Id: " + std::string{id} + "\n";
  y += "Tags:\n- " + std::string{id} + ".sys\n";
  y += "Verified: 'TRUE'\nAuthor: test\nCreated: '2024-01-01'\nMitreID: T1068\n";
  y += "Category: " + std::string{category} + "\n";
  y += "Commands:\n  Command: sc.exe create x\n  Description: ''\n  Usecase: Elevate privileges\n"
       "  Privileges: kernel\n  OperatingSystem: Windows 10\n";
  y += "Resources:\n- https://example.invalid/" + std::string{id} + "\n";
  y += "CVE:\n- CVE-2023-12345\n";
  y += "Acknowledgement:\n  Person: ''\n  Handle: ''\nDetection: []\n";
  y += "KnownVulnerableSamples:\n" + std::string{samples};
  return y;
}

}  // namespace trustscan::test
