// Fuzz target (f1): the vendor-origin list loader — YAML through config/document (libyaml), the
// strict readers (config/reader), and every check and index of attribute/vendor_db; lookups on
// the result.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "attribute/vendor_db.hpp"
#include "fuzz_support.hpp"

namespace ts = trustscan;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto db = ts::attribute::VendorDb::parse(text, "fuzz.yaml");
  if (!db) return 0;
  for (const ts::attribute::Vendor& v : db->vendors()) {
    (void)db->country_of(v);
    (void)db->jurisdictions(v);
    for (const std::string& n : v.legal_names)
      if (!db->by_subject(n, "")) __builtin_trap();  // every listed legal name finds its vendor
    for (const std::string& n : v.company_names) (void)db->by_company_name(n);
    for (const std::string& n : v.copyright_holders) (void)db->by_copyright("Copyright (c) " + n);
  }
  return 0;
}
