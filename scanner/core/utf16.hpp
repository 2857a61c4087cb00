#pragma once
/// \file
/// UTF-16 from a scanned file (PE version resources, Authenticode BMPStrings, catalog name/value
/// attributes, NTFS names from disk images) to UTF-8: the one decoder every stage uses.
/// Header-only, no dependencies.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "core/bytes.hpp"  // ByteOrder

namespace trustscan {

/// Appends code point `cp` (≤ U+10FFFF, not a surrogate) as UTF-8.
inline void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | cp >> 6));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | cp >> 12));
    out.push_back(static_cast<char>(0x80 | (cp >> 6 & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | cp >> 18));
    out.push_back(static_cast<char>(0x80 | (cp >> 12 & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp >> 6 & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

/// UTF-16 `units` (2 bytes each; an odd trailing byte is ignored) to UTF-8, stopping at the first
/// NUL and before the output would exceed `max_bytes` (whole code points only). Surrogate pairs
/// are combined; an unpaired surrogate becomes U+FFFD. Never reads outside `units`.
inline std::string utf16_to_utf8(std::span<const std::byte> units, ByteOrder order, std::size_t max_bytes) {
  auto unit = [&](std::size_t i) {
    const auto a = std::to_integer<std::uint32_t>(units[i]), b = std::to_integer<std::uint32_t>(units[i + 1]);
    return order == ByteOrder::Little ? (a | b << 8) : (a << 8 | b);
  };
  std::string out;
  std::string one;
  for (std::size_t i = 0; i + 1 < units.size(); i += 2) {
    std::uint32_t cp = unit(i);
    if (cp == 0) break;
    if (cp >= 0xD800 && cp <= 0xDBFF && i + 3 < units.size() && unit(i + 2) >= 0xDC00 && unit(i + 2) <= 0xDFFF) {
      cp = 0x10000 + ((cp - 0xD800) << 10) + (unit(i + 2) - 0xDC00);
      i += 2;
    } else if (cp >= 0xD800 && cp <= 0xDFFF) {
      cp = 0xFFFD;
    }
    one.clear();
    append_utf8(one, cp);
    if (out.size() + one.size() > max_bytes) break;
    out += one;
  }
  return out;
}

}  // namespace trustscan
