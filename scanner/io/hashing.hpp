#pragma once
/// \file
/// Whole-file digests over bytes already in memory (OpenSSL EVP), and of a file read in pieces.

#include <cstddef>
#include <span>
#include <string>

#include "core/error.hpp"

namespace trustscan::io {

/// Lower-case hex SHA-256 of `bytes`.
[[nodiscard]] std::string sha256_hex(std::span<const std::byte> bytes);

/// Lower-case hex MD5 of `bytes` (only for legacy identifiers such as imphash, never for trust).
[[nodiscard]] std::string md5_hex(std::span<const std::byte> bytes);

/// Lower-case hex SHA-256 of an open file, read from its start in 4 MiB pieces (disk images:
/// --hash-image; never held in memory whole).
[[nodiscard]] Result<std::string> sha256_fd(int fd);

/// Lower-case hex of arbitrary bytes.
[[nodiscard]] std::string to_hex(std::span<const std::byte> bytes);

}  // namespace trustscan::io
