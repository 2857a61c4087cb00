// Fuzz target (d): Linux module signatures — the appended trailer, struct module_signature, the
// detached CMS and its signer lookup in the keyring (verify/module_signature.hpp). Keys: the
// certificates in TRUSTSCAN_FUZZ_MODULE_KEYS (tools/fuzz.sh: the modsig samples' signing key)
// and those built into the kernel images under TRUSTSCAN_FUZZ_KERNEL_ROOT (tools/fuzz.sh: the
// real tree, whose Debian modules are signed by its vmlinuz's key), so that signed seeds reach
// the signature check itself.
#include <cstddef>
#include <cstdint>

#include "fuzz_support.hpp"
#include "verify/kernel_keys.hpp"
#include "verify/module_signature.hpp"

namespace ts = trustscan;

namespace {

const ts::verify::KernelKeyring& keys() {
  static const ts::verify::KernelKeyring ring = [] {
    ts::verify::KernelKeyring k;
    if (auto dir = ts::fuzz::env_dir("TRUSTSCAN_FUZZ_MODULE_KEYS")) {
      auto report = k.add_from_directory(*dir);
      if (!report.errors.empty()) ts::fuzz::die(report.errors.front().error.message);
    }
    if (auto root = ts::fuzz::env_dir("TRUSTSCAN_FUZZ_KERNEL_ROOT")) (void)k.add_from_root(*root);
    return k;
  }();
  return ring;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  (void)keys();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto bytes = ts::fuzz::as_bytes(data, size);
  const auto r = ts::verify::verify_module_signature(bytes, keys());
  // No magic, no signature; and a signature never claims more bytes than the file has.
  if (!ts::verify::has_module_signature(bytes) && r.status != ts::verify::SignatureStatus::Unsigned)
    __builtin_trap();
  if (r.module()->signed_size > size) __builtin_trap();
  return 0;
}
