// Fuzz target (b): Authenticode on a PE — authentihashes, the WIN_CERTIFICATE walk, PKCS#7 and
// SpcIndirectDataContent decoding, nested signatures, timestamps and chain building
// (verify/authenticode.hpp), against the shipped trust anchors plus the test CA of the signed
// samples (TRUSTSCAN_FUZZ_TRUST_DIR, set by tools/fuzz.sh).
#include <cstddef>
#include <cstdint>
#include <vector>

#include "fuzz_support.hpp"
#include "verify/authenticode.hpp"

namespace ts = trustscan;

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  (void)ts::fuzz::trust_store();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto bytes = ts::fuzz::as_bytes(data, size);
  const auto layout = ts::fuzz::pe_layout(bytes);
  if (!layout) return 0;
  const auto r = ts::verify::verify_authenticode(bytes, *layout, {&ts::fuzz::trust_store(), ts::fuzz::kVerifyTime});
  // The documented invariants: the file's status is its primary signature's, and nothing is
  // Valid unless it chained to an anchor.
  if (const auto* p = r.primary()) {
    if (p->status != r.status()) __builtin_trap();
    if (p->status == ts::verify::SignatureStatus::Valid && p->chain.empty()) __builtin_trap();
  } else if (r.status() != ts::verify::SignatureStatus::Unsigned &&
             r.status() != ts::verify::SignatureStatus::Malformed) {
    __builtin_trap();
  }
  return 0;
}
