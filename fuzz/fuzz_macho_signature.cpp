// Fuzz target (e): Mach-O code signatures — SuperBlob, CodeDirectories (page and special-slot
// hashes), requirements/entitlements blobs, the CMS wrapper and the Developer ID chain to the
// Apple roots (verify/macho_signature.hpp), for every slice of a thin or fat file.
#include <cstddef>
#include <cstdint>

#include "fuzz_support.hpp"
#include "verify/macho_signature.hpp"

namespace ts = trustscan;

namespace {

const ts::verify::MachOTrustAnchors& anchors() {
  static const ts::verify::MachOTrustAnchors a = [] {
    auto loaded = ts::verify::MachOTrustAnchors::load_directory(ts::fuzz::source_dir() / "signatures/trust/apple");
    if (!loaded) ts::fuzz::die(loaded.error().message);
    return std::move(*loaded);
  }();
  return a;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  (void)anchors();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto bytes = ts::fuzz::as_bytes(data, size);
  for (const auto& where : ts::fuzz::macho_signatures(bytes)) {
    const auto r = ts::verify::verify_macho_signature(bytes, where, anchors(), ts::fuzz::kVerifyTime);
    // Nothing is Valid without a CMS signer chained to an Apple root.
    if (r.status == ts::verify::SignatureStatus::Valid && !r.macho()->has_cms) __builtin_trap();
  }
  return 0;
}
