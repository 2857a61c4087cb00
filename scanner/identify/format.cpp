#include "identify/format.hpp"

#include <array>
#include <cstdint>

namespace trustscan::identify {
namespace {

using Bytes = std::span<const std::byte>;

std::uint32_t le32(Bytes b, std::size_t off) {
  std::uint32_t v = 0;
  for (std::size_t i = 0; i < 4; ++i) v |= std::to_integer<std::uint32_t>(b[off + i]) << (8 * i);
  return v;
}
std::uint32_t be32(Bytes b, std::size_t off) {
  std::uint32_t v = 0;
  for (std::size_t i = 0; i < 4; ++i) v = (v << 8) | std::to_integer<std::uint32_t>(b[off + i]);
  return v;
}

bool starts_with(Bytes b, std::initializer_list<unsigned> magic) {
  if (b.size() < magic.size()) return false;
  std::size_t i = 0;
  for (unsigned m : magic)
    if (std::to_integer<unsigned>(b[i++]) != m) return false;
  return true;
}

/// "MZ", then e_lfanew (at 0x3c) pointing at "PE\0\0" inside the file. A PE signature beyond the
/// sniffed prefix is accepted if it lies within the file; the parser then decides.
bool is_pe(Bytes b, std::uint64_t file_size) {
  if (b.size() < 0x40 || !starts_with(b, {'M', 'Z'})) return false;
  std::uint32_t lfanew = le32(b, 0x3c);
  if (static_cast<std::uint64_t>(lfanew) + 24 > file_size) return false;
  if (lfanew + 4 > b.size()) return true;
  return be32(b, lfanew) == 0x50450000;  // "PE\0\0"
}

/// The ELF magic alone decides: a truncated or corrupt ELF is a broken binary that must be
/// reported as such, not waved through as "not a binary". parse/ checks the rest.
bool is_elf(Bytes b) { return starts_with(b, {0x7f, 'E', 'L', 'F'}); }

bool is_thin_macho(Bytes b) {
  if (b.size() < 4) return false;
  std::uint32_t m = be32(b, 0);
  return m == 0xfeedface || m == 0xfeedfacf || m == 0xcefaedfe || m == 0xcffaedfe;
}

/// CPU types a fat slice may name; Java class files share the 0xcafebabe magic, so the arch
/// table must look real (known CPU, slice inside the file) before we call it Mach-O.
bool known_cpu(std::uint32_t cpu) {
  constexpr std::array<std::uint32_t, 8> kCpus{7, 0x01000007, 12, 0x0100000c, 0x0200000c, 18, 0x01000012, 14};
  for (auto c : kCpus)
    if (c == cpu) return true;
  return false;
}

bool is_fat_macho(Bytes b, std::uint64_t file_size) {
  if (b.size() < 8) return false;
  std::uint32_t magic = be32(b, 0);
  if (magic != 0xcafebabe && magic != 0xcafebabf) return false;
  std::uint32_t n = be32(b, 4);
  std::size_t entry = magic == 0xcafebabe ? 20 : 32;
  if (n == 0 || n > 64 || 8 + n * entry > b.size()) return false;
  for (std::uint32_t i = 0; i < n; ++i) {
    std::size_t at = 8 + i * entry;
    std::uint64_t off = 0, size = 0;
    if (magic == 0xcafebabe) {
      off = be32(b, at + 8);
      size = be32(b, at + 12);
    } else {
      off = (std::uint64_t{be32(b, at + 8)} << 32) | be32(b, at + 12);
      size = (std::uint64_t{be32(b, at + 16)} << 32) | be32(b, at + 20);
    }
    if (!known_cpu(be32(b, at)) || off > file_size || size > file_size - off) return false;
  }
  return true;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

Identity sniff(std::span<const std::byte> prefix, std::uint64_t file_size, std::string_view name) {
  if (is_pe(prefix, file_size)) return {Format::Pe, Compression::None};
  if (is_elf(prefix)) return {Format::Elf, Compression::None};
  if (is_thin_macho(prefix)) return {Format::MachO, Compression::None};
  if (is_fat_macho(prefix, file_size)) return {Format::MachOFat, Compression::None};
  // Compressed kernel modules: only by name, so ordinary .xz/.zst archives stay cheap to skip.
  if (ends_with(name, ".ko.xz") && starts_with(prefix, {0xfd, '7', 'z', 'X', 'Z', 0x00}))
    return {Format::Unknown, Compression::Xz};
  if (ends_with(name, ".ko.zst") && starts_with(prefix, {0x28, 0xb5, 0x2f, 0xfd}))
    return {Format::Unknown, Compression::Zstd};
  return {};
}

bool looks_like_module(std::string_view name) noexcept {
  return ends_with(name, ".ko") || ends_with(name, ".ko.xz") || ends_with(name, ".ko.zst") || ends_with(name, ".ko.gz");
}

}  // namespace trustscan::identify
