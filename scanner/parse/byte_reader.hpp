#pragma once
/// \file
/// Bounds-checked little/big-endian integer access to a byte buffer (parse/ internal).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace trustscan::parse {

class ByteReader {
 public:
  ByteReader(std::span<std::uint8_t> bytes, bool big_endian) : bytes_(bytes), big_(big_endian) {}

  [[nodiscard]] bool in_bounds(std::uint64_t off, std::uint64_t len) const noexcept {
    return off <= bytes_.size() && len <= bytes_.size() - off;
  }
  [[nodiscard]] std::optional<std::uint64_t> read(std::uint64_t off, unsigned width) const noexcept {
    if (!in_bounds(off, width)) return std::nullopt;
    std::uint64_t v = 0;
    for (unsigned i = 0; i < width; ++i) {
      unsigned shift = big_ ? 8 * (width - 1 - i) : 8 * i;
      v |= std::uint64_t{bytes_[off + i]} << shift;
    }
    return v;
  }
  /// Writes `value` if in bounds; returns whether it did.
  bool write(std::uint64_t off, unsigned width, std::uint64_t value) noexcept {
    if (!in_bounds(off, width)) return false;
    for (unsigned i = 0; i < width; ++i) {
      unsigned shift = big_ ? 8 * (width - 1 - i) : 8 * i;
      bytes_[off + i] = static_cast<std::uint8_t>(value >> shift);
    }
    return true;
  }
  [[nodiscard]] std::size_t size() const noexcept { return bytes_.size(); }

 private:
  std::span<std::uint8_t> bytes_;
  bool big_;
};

}  // namespace trustscan::parse
