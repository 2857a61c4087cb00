#pragma once
/// \file
/// Private to verify/: the one loader of certificate files — the Authenticode trust store and its
/// CRLs (trust_store.cpp), the Apple anchors (macho_signature.cpp) and the module-signing keys of
/// --module-keys (kernel_keys.cpp). A file is PEM (any number of certificates, or CRLs) or DER
/// (exactly one, filling the file); it is read only when it is a regular file no larger than a
/// limit, without blocking on a FIFO or device. Every error names the file.

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "verify/openssl_ptr.hpp"

namespace trustscan::verify {

/// Certificate files are a few KiB; a CA's full CRL may reach a few MiB.
inline constexpr std::uint64_t kMaxCertificateFileSize = 32ull << 20;
/// The extensions of certificate files (compared case-insensitively).
inline constexpr std::array<std::string_view, 4> kCertificateFileExtensions = {".pem", ".crt", ".cer", ".der"};

using X509CrlPtr = std::unique_ptr<X509_CRL, OpensslDeleter<X509_CRL_free>>;

/// The entries directly inside `dir` (not recursive) that are not directories and, unless
/// `extensions` is empty, end in one of them; sorted by name, so the load order is fixed. Special
/// files are listed too (reading them fails, naming them). `what` names the directory in errors
/// ("trust store directory not found: DIR").
[[nodiscard]] Result<std::vector<std::filesystem::path>> list_certificate_files(
    const std::filesystem::path& dir, std::span<const std::string_view> extensions, std::string_view what);

/// The error for a failed system call on `what` (errno: PermissionDenied for EACCES/EPERM, else
/// Io), "WHAT: strerror".
[[nodiscard]] Error errno_error(const std::string& what);

/// The bytes of the regular file `path`, at most `max_size` of them. Errors: Io or
/// PermissionDenied (open, read), Unsupported (not a regular file), TooLarge.
[[nodiscard]] Result<std::vector<std::byte>> read_regular_file(const std::filesystem::path& path,
                                                               std::uint64_t max_size);
/// The same for a file already open as `fd` (`path` names it in errors).
[[nodiscard]] Result<std::vector<std::byte>> read_regular_file(int fd, std::uint64_t max_size, const std::string& path);

/// Every certificate in `bytes`: each PEM "CERTIFICATE" block, or else one DER certificate that
/// fills the buffer (trailing bytes make it a non-certificate). Errc::Malformed when there is none:
/// "ORIGIN: not an X.509 certificate (PEM or DER)" (without "ORIGIN: " when `origin` is empty).
[[nodiscard]] Result<std::vector<X509Ptr>> parse_certificates(std::span<const std::byte> bytes,
                                                              const std::string& origin);
/// Every CRL in `bytes`, by the same rules ("ORIGIN: not an X.509 CRL (PEM or DER)").
[[nodiscard]] Result<std::vector<X509CrlPtr>> parse_crls(std::span<const std::byte> bytes, const std::string& origin);

}  // namespace trustscan::verify
