#pragma once
/// \file
/// Linux kernel-module signatures (the `CONFIG_MODULE_SIG` format), verified offline.
///
/// A signed module is `CONTENT || PKCS#7 || struct module_signature || "~Module signature appended~\n"`
/// (include/linux/module_signature.h, scripts/sign-file.c):
/// ```
/// struct module_signature {      // 12 bytes, just before the 28-byte magic
///   u8 algo, hash, id_type;      // id_type 2 = PKCS#7; algo/hash are 0 for PKCS#7
///   u8 signer_len, key_id_len;   // 0 for PKCS#7
///   u8 __pad[3];
///   __be32 sig_len;              // length of the PKCS#7 blob just before this struct
/// };
/// ```
/// The PKCS#7 is a detached CMS SignedData over CONTENT, normally without signed attributes and
/// without certificates (`sign-file` / `openssl cms -sign -binary -noattr -nocerts`). The signer is
/// named by issuer + serial (or subject key id); the certificate comes from a KernelKeyring. A key
/// in the keyring is a trust anchor (it came from the kernel image or from the operator), so a
/// verified signature is Valid without any chain building — exactly what the kernel does.
///
/// The bytes given are the module as the kernel sees it: `.ko.xz`/`.ko.zst` are decompressed by
/// the pipeline first (the signature is inside the compressed payload).

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/byte_source.hpp"
#include "verify/kernel_keys.hpp"
#include "verify/signature.hpp"

namespace trustscan::verify {

/// Outcome of verify_module_signature: a Signature of source Module with ModuleDetails.
///
/// Status mapping: Unsigned (no magic), Valid (a keyring key verifies the signature), Invalid +
/// BadSignature (the matching key does not verify it: content or signature altered), UnknownKey
/// (well-formed, but no keyring key matches the signer), Malformed (truncated trailer, sig_len
/// beyond the file, non-PKCS#7 id_type, unparsable CMS).
///
/// The signer as the CMS SignerInfo names it: `signer.issuer` + `signer.serial_hex` (issuer and
/// serial), or ModuleDetails::subject_key_id_hex; `signer.subject` is the matching key's subject
/// when the key is known; ModuleDetails::signer_name what `modinfo` prints as "signer".

/// The SHA-256 of a module's signed content, computed by the caller (with the file's own hash,
/// see io::sha256_with_prefix), so that verification does not hash the module a second time.
struct SignedContentDigest {
  std::uint64_t size = 0;               ///< bytes hashed: must equal the signed size
  std::array<std::uint8_t, 32> sha256{};
};

/// The trailer magic, 28 bytes: "~Module signature appended~\n".
inline constexpr std::string_view kModuleSignatureMagic = "~Module signature appended~\n";

/// True when `module_bytes` ends with kModuleSignatureMagic (a cheap check for parse/identify).
[[nodiscard]] bool has_module_signature(std::span<const std::byte> module_bytes) noexcept;

/// The size of the content a module's appended signature covers, read from its trailer (nothing
/// is verified): nullopt unless the trailer is a plausible PKCS#7 one.
[[nodiscard]] std::optional<std::size_t> module_signed_size(const ByteSource& module) noexcept;
/// module_signed_size() of bytes in memory.
[[nodiscard]] inline std::optional<std::size_t> module_signed_size(std::span<const std::byte> module_bytes) noexcept {
  return module_signed_size(SpanSource(module_bytes));
}

/// Verifies the appended signature of one (decompressed) module against `keys`.
/// Never throws on input; every length read from the file is bounded by the file size.
/// `content_digest`, when given, is the SHA-256 of the signed content: used instead of hashing it
/// again when it covers exactly the signed bytes and the signature is a single SHA-256 RSA/ECDSA
/// signature without signed attributes (what sign-file makes). The result does not depend on it.
/// `module` may be read on demand (a file above the streaming threshold): the trailer and the
/// signature are read with pread, the signed content (when it must be hashed here) in chunks.
[[nodiscard]] Signature verify_module_signature(const ByteSource& module, const KernelKeyring& keys,
                                                const SignedContentDigest* content_digest = nullptr);
/// verify_module_signature() of bytes in memory.
[[nodiscard]] inline Signature verify_module_signature(std::span<const std::byte> module_bytes,
                                                       const KernelKeyring& keys,
                                                       const SignedContentDigest* content_digest = nullptr) {
  return verify_module_signature(SpanSource(module_bytes), keys, content_digest);
}

}  // namespace trustscan::verify
