#pragma once
/// \file
/// Internal to verify/: a minimal, bounds-checked reader of DER tag-length-value items.
///
/// OpenSSL has no ASN.1 types for the Microsoft structures Authenticode adds to PKCS#7
/// (SpcIndirectDataContent, SpcSpOpusInfo), and declaring them with the ASN1_SEQUENCE macros
/// would bring macro-generated code into C++. They are small, so they are walked by hand with this
/// reader instead. It accepts single-byte tags and definite lengths of at most 4 length bytes,
/// which covers everything Authenticode uses; anything else is rejected (std::nullopt), never
/// guessed.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "core/bytes.hpp"

namespace trustscan::verify::detail {

/// One TLV item.
struct DerItem {
  std::uint8_t tag = 0;                 ///< identifier octet, e.g. 0x30 SEQUENCE, 0xA0 [0]
  std::span<const std::uint8_t> value;  ///< contents octets
  std::span<const std::uint8_t> whole;  ///< tag + length + contents
};

/// Reads consecutive TLV items from a byte range; never reads outside it.
class DerReader {
 public:
  explicit DerReader(std::span<const std::uint8_t> data) noexcept : rest_(data) {}

  [[nodiscard]] bool empty() const noexcept { return rest_.empty(); }

  /// The next item, or std::nullopt if the bytes do not hold a complete, supported TLV
  /// (multi-byte tag, indefinite length, length past the end).
  [[nodiscard]] std::optional<DerItem> next() noexcept {
    ByteCursor c(rest_);
    const auto tag = c.read<std::uint8_t>();
    const auto first = c.read<std::uint8_t>();
    if (!tag || !first) return std::nullopt;
    if ((*tag & 0x1F) == 0x1F) return std::nullopt;  // multi-byte tag numbers: never used here
    std::uint64_t length = *first;
    if (*first & 0x80) {
      const unsigned count = *first & 0x7F;
      if (count == 0 || count > 4) return std::nullopt;  // 0 = BER indefinite
      const auto long_form = read_uint(c.rest(), 0, count, ByteOrder::Big);
      if (!long_form) return std::nullopt;
      length = *long_form;
      c.skip(count);
    }
    const auto value = c.take(length);
    if (!value) return std::nullopt;
    DerItem item{*tag, *value, rest_.first(c.position())};
    rest_ = c.rest();
    return item;
  }

  /// The next item if it has the given tag; otherwise std::nullopt and nothing is consumed.
  [[nodiscard]] std::optional<DerItem> next_if(std::uint8_t tag) noexcept {
    DerReader probe = *this;
    auto item = probe.next();
    if (!item || item->tag != tag) return std::nullopt;
    *this = probe;
    return item;
  }

 private:
  std::span<const std::uint8_t> rest_;
};

}  // namespace trustscan::verify::detail
