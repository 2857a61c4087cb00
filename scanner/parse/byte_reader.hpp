#pragma once
/// \file
/// Bounds-checked little/big-endian integer access to a byte buffer (parse/ internal).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace trustscan::parse {

/// A field write() changed, with the value it had (to undo an in-place preparation).
struct Patch {
  std::uint64_t offset = 0;
  unsigned width = 0;                 ///< 1..8
  std::uint8_t old_bytes[8] = {};     ///< the bytes as they were
};

class ByteReader {
 public:
  /// `undo`, when given, receives every change write() makes, in order.
  ByteReader(std::span<std::uint8_t> bytes, bool big_endian, std::vector<Patch>* undo = nullptr)
      : bytes_(bytes), big_(big_endian), undo_(undo) {}

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
  bool write(std::uint64_t off, unsigned width, std::uint64_t value) {
    if (!in_bounds(off, width)) return false;
    if (undo_) {
      Patch p{off, width, {}};
      for (unsigned i = 0; i < width && i < 8; ++i) p.old_bytes[i] = bytes_[off + i];
      undo_->push_back(p);
    }
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
  std::vector<Patch>* undo_ = nullptr;
};

}  // namespace trustscan::parse
