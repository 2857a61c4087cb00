#pragma once
// Byte helpers for tests that read or forge binary headers.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace trustscan::test {

/// The bytes of `s`, as the scanner's stages take them.
[[nodiscard]] inline std::span<const std::byte> bytes(std::string_view s) {
  return std::as_bytes(std::span(s.data(), s.size()));
}

/// The little-endian value of the `width` bytes at `off` of `b` (a std::string or a byte vector;
/// the caller keeps `off + width` in bounds).
template <class Bytes>
[[nodiscard]] std::uint64_t le(const Bytes& b, std::size_t off, unsigned width) {
  std::uint64_t v = 0;
  for (unsigned i = 0; i < width; ++i) v |= std::uint64_t{static_cast<std::uint8_t>(b[off + i])} << (8 * i);
  return v;
}

}  // namespace trustscan::test
