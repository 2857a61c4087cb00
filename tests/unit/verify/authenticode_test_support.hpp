#pragma once
// Test-only helpers for the Authenticode tests: file loading, sample location, and a byte-level
// PeLayout used where LIEF cannot be (thousands of mutated inputs) and to cross-check parse/.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <span>
#include <vector>

#include "parse/binary_model.hpp"

namespace trustscan::test {

inline std::vector<std::byte> read_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<char> chars((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::byte> bytes(chars.size());
  for (std::size_t i = 0; i < chars.size(); ++i) bytes[i] = static_cast<std::byte>(chars[i]);
  return bytes;
}

/// The offsets the Authenticode hash needs, read straight from the headers (PE/COFF spec).
inline std::optional<parse::PeLayout> pe_layout_from_bytes(std::span<const std::byte> b) {
  auto u16 = [&](std::size_t at) -> std::uint32_t {
    return static_cast<std::uint32_t>(b[at]) | static_cast<std::uint32_t>(b[at + 1]) << 8;
  };
  auto u32 = [&](std::size_t at) -> std::uint32_t { return u16(at) | u16(at + 2) << 16; };
  if (b.size() < 0x40 || u16(0) != 0x5A4D) return std::nullopt;
  const std::size_t pe = u32(0x3C);
  if (pe > b.size() || b.size() - pe < 24 + 2 || u32(pe) != 0x00004550) return std::nullopt;
  const std::size_t opt = pe + 24;
  const std::uint32_t magic = u16(opt);
  if (magic != 0x10B && magic != 0x20B) return std::nullopt;
  const std::size_t dirs = opt + (magic == 0x20B ? 112 : 96);
  const std::size_t security = dirs + 4 * 8;
  if (security + 8 > b.size()) return std::nullopt;
  parse::PeLayout layout;
  layout.checksum_offset = opt + 64;
  layout.security_dir_offset = security;
  layout.size_of_headers = u32(opt + 60);
  layout.certificate_table = {u32(security), u32(security + 4)};
  return layout;
}

}  // namespace trustscan::test
