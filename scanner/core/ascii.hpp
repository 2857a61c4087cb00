#pragma once
/// \file
/// ASCII case folding, for names Windows and the data sets compare case-insensitively (NTFS
/// paths, registry values, store names, hex digests, XML attribute values). ASCII only: these are
/// byte-wise comparisons, never locale- or Unicode-aware. And the test for text that is ASCII.

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>

namespace trustscan {

[[nodiscard]] constexpr char ascii_lower(char c) noexcept {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

/// `a` and `b` equal when ASCII letters are compared without case.
[[nodiscard]] constexpr bool iequals_ascii(std::string_view a, std::string_view b) noexcept {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return ascii_lower(x) == ascii_lower(y); });
}

/// True when `s` has no byte above 0x7F: text that is valid UTF-8 as it is and needs no Unicode
/// tables. Eight bytes at a time (every string of every report record is checked).
[[nodiscard]] constexpr bool is_ascii(std::string_view s) noexcept {
  const auto high = [](char c) { return static_cast<unsigned char>(c) >= 0x80; };
  if (std::is_constant_evaluated()) return std::ranges::none_of(s, high);
  std::size_t i = 0;
  std::uint64_t any = 0;
  for (; i + 8 <= s.size(); i += 8) {
    std::uint64_t w = 0;
    std::memcpy(&w, s.data() + i, 8);
    any |= w;
  }
  return (any & 0x8080808080808080ULL) == 0 && std::ranges::none_of(s.substr(i), high);
}

/// `s` with its ASCII letters in lower case.
[[nodiscard]] inline std::string fold_case(std::string_view s) {
  std::string out(s);
  std::ranges::transform(out, out.begin(), ascii_lower);
  return out;
}

}  // namespace trustscan
