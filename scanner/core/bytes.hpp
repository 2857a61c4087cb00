#pragma once
/// \file
/// Bounded access to the bytes of a scanned file: integers in either byte order, sub-ranges and a
/// cursor for sequential reads. Every offset and length comes from a hostile file, so nothing here
/// reads outside the span it is given and no check can overflow: a field that does not lie wholly
/// inside the span is std::nullopt (a write is refused). The one reader of fixed-width fields for
/// every stage; header-only, no dependencies.
///
/// Spans of std::byte, unsigned char/std::uint8_t and char are accepted alike (LIEF, OpenSSL and
/// the scanner's own buffers use different ones).

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <type_traits>

namespace trustscan {

enum class ByteOrder { Little, Big };

/// A one-byte element type a file's bytes may be held in.
template <class B>
concept ByteLike = std::same_as<std::remove_const_t<B>, std::byte> || std::same_as < std::remove_const_t<B>,
unsigned char > || std::same_as<std::remove_const_t<B>, char>;

/// True when [offset, offset + length) lies inside a buffer of `size` bytes.
[[nodiscard]] constexpr bool in_bounds(std::uint64_t size, std::uint64_t offset, std::uint64_t length) noexcept {
  return offset <= size && length <= size - offset;
}

/// `length` bytes of `bytes` from `offset`, or nullopt when they do not lie wholly inside it.
template <ByteLike B, std::size_t N>
[[nodiscard]] constexpr std::optional<std::span<B>> sub_span(std::span<B, N> bytes, std::uint64_t offset,
                                                             std::uint64_t length) noexcept {
  if (!in_bounds(bytes.size(), offset, length)) return std::nullopt;
  return std::span<B>(bytes).subspan(static_cast<std::size_t>(offset), static_cast<std::size_t>(length));
}

/// The unsigned integer of `width` bytes (1..8) at `offset` in `order`, or nullopt when it does not
/// lie wholly inside `bytes` (or `width` is not 1..8).
template <ByteLike B, std::size_t N>
[[nodiscard]] constexpr std::optional<std::uint64_t> read_uint(std::span<B, N> bytes, std::uint64_t offset,
                                                               unsigned width, ByteOrder order) noexcept {
  if (width == 0 || width > 8 || !in_bounds(bytes.size(), offset, width)) return std::nullopt;
  std::uint64_t v = 0;
  for (unsigned i = 0; i < width; ++i) {
    const unsigned shift = order == ByteOrder::Big ? 8 * (width - 1 - i) : 8 * i;
    v |= std::uint64_t{static_cast<std::uint8_t>(bytes[static_cast<std::size_t>(offset) + i])} << shift;
  }
  return v;
}

/// The unsigned integer T at `offset` in `order`; nullopt when it does not lie inside `bytes`.
template <std::unsigned_integral T, ByteLike B, std::size_t N>
[[nodiscard]] constexpr std::optional<T> read_int(std::span<B, N> bytes, std::uint64_t offset,
                                                  ByteOrder order) noexcept {
  const auto v = read_uint(bytes, offset, sizeof(T), order);
  if (!v) return std::nullopt;
  return static_cast<T>(*v);
}

/// Little-endian T at `offset`; nullopt when it does not lie inside `bytes`.
template <std::unsigned_integral T, ByteLike B, std::size_t N>
[[nodiscard]] constexpr std::optional<T> read_le(std::span<B, N> bytes, std::uint64_t offset) noexcept {
  return read_int<T>(bytes, offset, ByteOrder::Little);
}

/// Big-endian T at `offset`; nullopt when it does not lie inside `bytes`.
template <std::unsigned_integral T, ByteLike B, std::size_t N>
[[nodiscard]] constexpr std::optional<T> read_be(std::span<B, N> bytes, std::uint64_t offset) noexcept {
  return read_int<T>(bytes, offset, ByteOrder::Big);
}

/// Writes the low `width` bytes (1..8) of `value` at `offset` in `order`; returns false, and writes
/// nothing, when the field does not lie wholly inside `bytes`.
template <ByteLike B, std::size_t N>
requires(!std::is_const_v<B>) constexpr bool write_uint(std::span<B, N> bytes, std::uint64_t offset, unsigned width,
                                                        ByteOrder order, std::uint64_t value) noexcept {
  if (width == 0 || width > 8 || !in_bounds(bytes.size(), offset, width)) return false;
  for (unsigned i = 0; i < width; ++i) {
    const unsigned shift = order == ByteOrder::Big ? 8 * (width - 1 - i) : 8 * i;
    bytes[static_cast<std::size_t>(offset) + i] = static_cast<B>(static_cast<std::uint8_t>(value >> shift));
  }
  return true;
}

/// Sequential reads from a span in one byte order. A read that would pass the end returns
/// std::nullopt and leaves the position unchanged, so a caller may stop at the first failure.
template <ByteLike B>
class ByteCursor {
 public:
  template <std::size_t N>
  constexpr explicit ByteCursor(std::span<B, N> bytes, ByteOrder order = ByteOrder::Little) noexcept
      : bytes_(bytes), order_(order) {}

  [[nodiscard]] constexpr std::size_t size() const noexcept { return bytes_.size(); }
  [[nodiscard]] constexpr std::size_t position() const noexcept { return pos_; }
  [[nodiscard]] constexpr std::size_t remaining() const noexcept { return bytes_.size() - pos_; }
  [[nodiscard]] constexpr bool empty() const noexcept { return remaining() == 0; }
  /// The bytes not read yet.
  [[nodiscard]] constexpr std::span<B> rest() const noexcept { return bytes_.subspan(pos_); }

  /// Moves to `position` (at most size()); false, and no move, beyond the end.
  constexpr bool seek(std::uint64_t position) noexcept {
    if (position > bytes_.size()) return false;
    pos_ = static_cast<std::size_t>(position);
    return true;
  }
  /// Skips `n` bytes; false, and no move, when fewer remain.
  constexpr bool skip(std::uint64_t n) noexcept { return n <= remaining() && seek(pos_ + n); }

  /// The next T in the cursor's byte order.
  template <std::unsigned_integral T>
  [[nodiscard]] constexpr std::optional<T> read() noexcept {
    auto v = read_int<T>(bytes_, pos_, order_);
    if (v) pos_ += sizeof(T);
    return v;
  }
  /// The next `n` bytes as a sub-span.
  [[nodiscard]] constexpr std::optional<std::span<B>> take(std::uint64_t n) noexcept {
    auto s = sub_span(bytes_, pos_, n);
    if (s) pos_ += s->size();
    return s;
  }

 private:
  std::span<B> bytes_;
  ByteOrder order_;
  std::size_t pos_ = 0;
};

template <ByteLike B, std::size_t N>
ByteCursor(std::span<B, N>) -> ByteCursor<B>;
template <ByteLike B, std::size_t N>
ByteCursor(std::span<B, N>, ByteOrder) -> ByteCursor<B>;

}  // namespace trustscan
