#pragma once
/// \file
/// Private to verify/ (module and Mach-O signatures): small OpenSSL helpers that turn certificates,
/// names and integers into the strings reports use. Certificate files: certificate_file.hpp.

#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "core/byte_source.hpp"
#include "verify/openssl_ptr.hpp"
#include "verify/x509_util.hpp"

namespace trustscan::verify::modsig {

// Shared with Authenticode (x509_util): one implementation of each.
using detail::name_entry;
using detail::name_to_string;
[[nodiscard]] inline std::string hex_lower(std::span<const unsigned char> bytes) { return detail::to_hex(bytes); }

/// Lower-case hex of an ASN.1 INTEGER's magnitude (as `openssl x509 -serial` prints it, lower-cased);
/// a negative serial gets a leading '-'.
[[nodiscard]] std::string integer_hex(const ASN1_INTEGER* value);

/// subjectKeyIdentifier of `cert`, lower-case hex; "" if absent.
[[nodiscard]] std::string subject_key_id_hex(X509* cert);

/// SHA-256 of the DER encoding of `cert`, lower-case hex.
[[nodiscard]] std::string sha256_fingerprint(X509* cert);

/// Drains OpenSSL's (thread-local) error queue into one message; "" if it was empty.
[[nodiscard]] std::string take_openssl_errors();

/// A BIO chain owned as a whole (BIO_free_all).
using BioChainPtr = std::unique_ptr<BIO, OpensslDeleter<BIO_free_all>>;

/// Detached content for CMS_verify(): the first `size` bytes of `source`, read on demand through a
/// BIO of our own (a file above the streaming threshold is never held whole), behind a
/// pass-through null filter. Not a BIO_TYPE_MEM on purpose: for a memory BIO, OpenSSL 3.0's
/// CMS_verify() makes a private copy and, with CMS_BINARY, leaks it whenever CMS_dataInit() fails (e.g. a forged
/// digestAlgorithms set): openssl/openssl#30471, fixed upstream in 2026, present in Debian 12's 3.0.19. Found by
/// fuzz_module_signature (LeakSanitizer); input in tests/data/regress/module_signature/.
/// nullptr when out of memory.
[[nodiscard]] BioChainPtr cms_detached_content(const ByteSource& source, std::uint64_t size);
/// The same over bytes in memory (the chain keeps no reference to the span object itself).
[[nodiscard]] BioChainPtr cms_detached_content(std::span<const std::byte> bytes);

}  // namespace trustscan::verify::modsig
