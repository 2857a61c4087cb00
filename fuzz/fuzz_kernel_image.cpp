// Fuzz target (g): module-signing keys from a kernel image of the scanned root — bzImage setup
// header, EFI zboot, gzip/xz/zstd/lz4/lzma payloads and the DER certificate search
// (verify/kernel_keys.hpp, add_from_kernel_image). The image comes from the scanned (possibly
// hostile) disk, so it is input like any binary.
#include <cstddef>
#include <cstdint>

#include "fuzz_support.hpp"
#include "verify/kernel_keys.hpp"

namespace ts = trustscan;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  ts::verify::KernelKeyLimits limits;
  limits.max_decompressed_size = 64ull << 20;  // under -rss_limit_mb; the bound is what is tested
  ts::verify::KernelKeyring ring(limits);
  const auto report = ring.add_from_kernel_image(ts::fuzz::as_bytes(data, size), "fuzz/vmlinuz");
  if (ring.size() != report.keys_added) __builtin_trap();
  if (ring.size() > limits.max_certificates_per_image) __builtin_trap();
  return 0;
}
