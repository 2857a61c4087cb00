#pragma once
/// \file
/// Whole-file digests over bytes already in memory (OpenSSL EVP), and of a file read in pieces.

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "core/byte_source.hpp"
#include "core/error.hpp"

namespace trustscan::io {

/// Lower-case hex SHA-256 of `bytes`.
[[nodiscard]] std::string sha256_hex(std::span<const std::byte> bytes);

/// The SHA-256 of a whole file and of a prefix of it, from one pass over the bytes.
struct Sha256WithPrefix {
  std::string hex;                        ///< lower-case hex SHA-256 of all the bytes
  std::array<std::uint8_t, 32> prefix{};  ///< binary SHA-256 of the first `prefix_size` bytes
};

/// As sha256_hex(), also giving the digest of `bytes.first(prefix_size)` (prefix_size <=
/// bytes.size()): the prefix is hashed once, the state copied, and the rest added.
[[nodiscard]] Sha256WithPrefix sha256_with_prefix(std::span<const std::byte> bytes, std::size_t prefix_size);
/// The same over a file that may be read on demand (in chunks); Errc::Io when it cannot be read.
[[nodiscard]] Result<Sha256WithPrefix> sha256_with_prefix(const ByteSource& src, std::uint64_t prefix_size);

/// Digests of one file for known-bad lookups (LOLDrivers lists some drivers only by SHA-1 or MD5).
struct FileDigests {
  std::string sha256;  ///< lower-case hex; "" when not asked for
  std::string sha1;    ///< lower-case hex; "" when not asked for
  std::string md5;     ///< lower-case hex; "" when not asked for
};

/// Which digests file_digests() computes.
struct DigestKinds {
  bool sha256 = true;
  bool sha1 = false;
  bool md5 = false;
};

/// The asked digests of `bytes` in one pass: 64 KiB at a time through every digest, so the bytes
/// come from memory once (the MD5 is an identifier, never trust).
[[nodiscard]] FileDigests file_digests(std::span<const std::byte> bytes, DigestKinds kinds);
/// The same over a file that may be read on demand (in chunks); Errc::Io when it cannot be read.
[[nodiscard]] Result<FileDigests> file_digests(const ByteSource& src, DigestKinds kinds);

/// Lower-case hex MD5 of `bytes` (only for legacy identifiers such as imphash, never for trust).
[[nodiscard]] std::string md5_hex(std::span<const std::byte> bytes);

/// Lower-case hex SHA-256 of an open file, read from its start in 4 MiB pieces (disk images:
/// --hash-image; never held in memory whole).
[[nodiscard]] Result<std::string> sha256_fd(int fd);

/// Lower-case hex of arbitrary bytes.
[[nodiscard]] std::string to_hex(std::span<const std::byte> bytes);

}  // namespace trustscan::io
