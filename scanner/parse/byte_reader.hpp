#pragma once
/// \file
/// parse/ internal: the bounded reads of core/bytes.hpp over the buffer prepare.cpp rewrites for
/// LIEF, in the file's byte order, with every write logged so that it can be undone.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "core/bytes.hpp"

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
      : bytes_(bytes), order_(big_endian ? ByteOrder::Big : ByteOrder::Little), undo_(undo) {}

  [[nodiscard]] bool in_bounds(std::uint64_t off, std::uint64_t len) const noexcept {
    return trustscan::in_bounds(bytes_.size(), off, len);
  }
  /// The unsigned field of `width` bytes (1..8) at `off`; nullopt outside the buffer.
  [[nodiscard]] std::optional<std::uint64_t> read(std::uint64_t off, unsigned width) const noexcept {
    return read_uint(bytes_, off, width, order_);
  }
  /// Writes `value` if in bounds; returns whether it did.
  bool write(std::uint64_t off, unsigned width, std::uint64_t value) {
    if (!in_bounds(off, width) || width == 0 || width > 8) return false;
    if (undo_) {
      Patch p{off, width, {}};
      for (unsigned i = 0; i < width; ++i) p.old_bytes[i] = bytes_[off + i];
      undo_->push_back(p);
    }
    return write_uint(bytes_, off, width, order_, value);
  }
  [[nodiscard]] std::size_t size() const noexcept { return bytes_.size(); }

 private:
  std::span<std::uint8_t> bytes_;
  ByteOrder order_;
  std::vector<Patch>* undo_ = nullptr;
};

}  // namespace trustscan::parse
