#include "unit/policy/fixtures.hpp"

#include <catch2/catch.hpp>
#include <filesystem>
#include <vector>

#include "support/temp_tree.hpp"

namespace trustscan::test {

namespace {

constexpr std::string_view kVendors = R"(vendors:
  - id: kaspersky
    name: Kaspersky
    legal_names: [AO Kaspersky Lab]
    country: RU
    category: antivirus
    sources: [{fact: f, source: "https://example.org/k"}]
  - id: doctor-web
    name: Doctor Web
    country: RU
    category: antivirus
    sources: [{fact: f, source: "https://example.org/d"}]
  - id: bi-zone
    name: BI.ZONE
    country: RU
    category: edr
    sources: [{fact: f, source: "https://example.org/b"}]
  - id: virusblokada
    name: VirusBlokAda
    country: BY
    category: antivirus
    sources: [{fact: f, source: "https://example.org/v"}]
  - id: tencent
    name: Tencent
    country: CN
    category: antivirus
    sources: [{fact: f, source: "https://example.org/t"}]
  - id: riot-games
    name: Riot Games
    country: US
    parent: tencent
    category: anti-cheat
    sources: [{fact: f, source: "https://example.org/r"}]
  - id: gen-digital
    name: Gen Digital
    country: US
    category: antivirus
    sources: [{fact: f, source: "https://example.org/g"}]
  - id: avast
    name: Avast
    country: CZ
    parent: gen-digital
    category: antivirus
    sources: [{fact: f, source: "https://example.org/a"}]
  - id: avg
    name: AVG
    parent: avast
    category: antivirus
    sources: [{fact: f, source: "https://example.org/avg"}]
  - id: microsoft
    name: Microsoft Corporation
    country: US
    category: os
    sources: [{fact: f, source: "https://example.org/m"}]
)";

}  // namespace

const attribute::VendorDb& policy_vendors() {
  static const Result<attribute::VendorDb> db = [] {
    TempTree tree;
    tree.write("vendors.yaml", kVendors);
    const std::vector<std::filesystem::path> paths{tree.path() / "vendors.yaml"};
    return attribute::VendorDb::load(paths);
  }();
  if (!db) FAIL(db.error().message);
  return *db;
}

policy::Subject subject(std::string_view vendor_id, std::optional<Privilege> privilege,
                        policy::Confidence confidence) {
  policy::Subject s;
  if (!vendor_id.empty()) {
    const attribute::Vendor* v = policy_vendors().find(vendor_id);
    if (v == nullptr) FAIL("no test vendor " << vendor_id);
    s = policy::vendor_subject(policy_vendors(), *v);
  }
  s.privilege = privilege;
  s.confidence = confidence;
  s.path = "/mnt/image/Windows/System32/drivers/test.sys";
  s.sha256 = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
  return s;
}

}  // namespace trustscan::test
