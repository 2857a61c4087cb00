#pragma once
// Byte helpers for tests that read or forge binary headers.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "core/bytes.hpp"

namespace trustscan::test {

/// The bytes of `s`, as the scanner's stages take them.
[[nodiscard]] inline std::span<const std::byte> bytes(std::string_view s) {
  return std::as_bytes(std::span(s.data(), s.size()));
}

/// The little-endian value of the `width` bytes at `off` of `b` (a std::string or a byte vector);
/// throws std::bad_optional_access when they lie outside `b` (core/bytes.hpp).
template <class Bytes>
[[nodiscard]] std::uint64_t le(const Bytes& b, std::size_t off, unsigned width) {
  return read_uint(std::span(b), off, width, ByteOrder::Little).value();
}

/// The same, big-endian.
template <class Bytes>
[[nodiscard]] std::uint64_t be(const Bytes& b, std::size_t off, unsigned width) {
  return read_uint(std::span(b), off, width, ByteOrder::Big).value();
}

}  // namespace trustscan::test
