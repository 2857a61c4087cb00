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

#include "verify/kernel_keys.hpp"
#include "verify/signature_status.hpp"

namespace trustscan::verify {

/// Who signed a module, as the CMS SignerInfo names them.
struct ModuleSigner {
  std::string name;                ///< CN of the issuer (what `modinfo` prints as "signer"), or of
                                   ///< the matching key's subject when the signer is named by key id
  std::string issuer;              ///< issuer DN (RFC 2253), when the signer is named by issuer+serial
  std::string serial_hex;          ///< serial number, lower-case hex
  std::string subject_key_id_hex;  ///< subject key id, lower-case hex, when named that way
  std::string subject;             ///< subject DN of the matching key, when the key is known
  friend bool operator==(const ModuleSigner&, const ModuleSigner&) = default;
};

/// Outcome of verify_module_signature.
///
/// Status mapping: Unsigned (no magic), Valid (a keyring key verifies the signature), Invalid +
/// BadSignature (the matching key does not verify it: content or signature altered), UnknownKey
/// (well-formed, but no keyring key matches the signer), Malformed (truncated trailer, sig_len
/// beyond the file, non-PKCS#7 id_type, unparsable CMS).
struct ModuleSignatureResult {
  SignatureStatus status = SignatureStatus::Unsigned;
  VerifyFlags flags = 0;
  ModuleSigner signer;
  std::string digest_algorithm;     ///< e.g. "sha256", "sha512" (SignerInfo digestAlgorithm)
  std::string signature_algorithm;  ///< e.g. "rsaEncryption", "id-ecPublicKey"
  bool certificates_embedded = false;  ///< the CMS carries certificates (sign-file omits them)
  bool signed_attributes = false;      ///< the SignerInfo has signed attributes (sign-file omits them)
  std::uint32_t signature_size = 0;    ///< sig_len: bytes of PKCS#7
  std::uint64_t signed_size = 0;       ///< bytes covered by the signature (the module without trailer)
  std::string key_source;          ///< origin (file path) of the key that verified, or that failed to
  std::string key_source_kind;     ///< "kernel_image" or "module_keys" ("" when no key matched)
  /// The matching key is the module-signing key of a kernel image of the root: the first
  /// certificate of its list (KernelKey::image_position 0), i.e. the key of that kernel's build.
  bool kernel_build_key = false;
  std::vector<std::string> errors; ///< why the status is not Valid (diagnostics for people)
  friend bool operator==(const ModuleSignatureResult&, const ModuleSignatureResult&) = default;
};

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
[[nodiscard]] std::optional<std::size_t> module_signed_size(std::span<const std::byte> module_bytes) noexcept;

/// Verifies the appended signature of one (decompressed) module against `keys`.
/// Never throws on input; every length read from the file is bounded by the file size.
/// `content_digest`, when given, is the SHA-256 of the signed content: used instead of hashing it
/// again when it covers exactly the signed bytes and the signature is a single SHA-256 RSA/ECDSA
/// signature without signed attributes (what sign-file makes). The result does not depend on it.
[[nodiscard]] ModuleSignatureResult verify_module_signature(std::span<const std::byte> module_bytes,
                                                            const KernelKeyring& keys,
                                                            const SignedContentDigest* content_digest = nullptr);

}  // namespace trustscan::verify
