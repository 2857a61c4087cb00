// Fuzz target (c): Windows catalog files — PKCS#7 SignedData, the CTL, member attributes, the
// catalog's own signature and chain (verify/catalog.hpp), then the hash index built over the
// result and a lookup of every member.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "fuzz_support.hpp"
#include "verify/catalog.hpp"

namespace ts = trustscan;

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  (void)ts::fuzz::trust_store();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto cat = ts::verify::parse_catalog(ts::fuzz::as_bytes(data, size), "fuzz.cat",
                                       {&ts::fuzz::trust_store(), ts::fuzz::kVerifyTime});
  if (!cat) return 0;
  std::vector<ts::verify::Catalog> catalogs;
  catalogs.push_back(std::move(*cat));
  const ts::verify::CatalogIndex index(std::move(catalogs));
  for (const auto& m : index.catalogs().front().members) {
    if (m.digest_hex.empty()) continue;
    // A member is always found under its own digest, pointing back at itself.
    bool found = false;
    for (const ts::verify::CatalogEntry* e : index.lookup(m.digest_hex)) found |= e->member == &m;
    if (!found) __builtin_trap();
  }
  return 0;
}
