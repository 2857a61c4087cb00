// Fuzz target (f2): the policy loader (policy/policy.hpp) — YAML, strict readers, country codes,
// vendor ids checked against the shipped vendor list, dates, suppressions — and glob_match on
// the suppression paths it accepted.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "attribute/vendor_db.hpp"
#include "fuzz_support.hpp"
#include "policy/policy.hpp"

namespace ts = trustscan;

namespace {

const ts::attribute::VendorDb& vendors() {
  static const ts::attribute::VendorDb db = [] {
    const std::vector<std::filesystem::path> paths{ts::fuzz::source_dir() / "signatures/vendors"};
    auto loaded = ts::attribute::VendorDb::load(paths);
    if (!loaded) ts::fuzz::die(loaded.error().message);
    return std::move(*loaded);
  }();
  return db;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  (void)vendors();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto policy = ts::policy::Policy::parse(text, "fuzz.yaml", vendors());
  if (!policy) return 0;
  for (const auto& s : policy->suppressions())
    if (s.path) (void)ts::policy::glob_match(*s.path, "/lib/modules/6.1.0/kernel/fs/xfs/xfs.ko");
  (void)policy->suppression_report(policy->today());
  return 0;
}
