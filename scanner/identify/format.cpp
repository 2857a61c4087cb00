#include "identify/format.hpp"

#include <array>
#include <cstdint>

#include "core/bytes.hpp"

namespace trustscan::identify {
namespace {

using Bytes = std::span<const std::byte>;

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
  const auto lfanew = read_le<std::uint32_t>(b, 0x3c);
  if (!lfanew || std::uint64_t{*lfanew} + 24 > file_size) return false;
  const auto signature = read_be<std::uint32_t>(b, *lfanew);
  return !signature || *signature == 0x50450000;  // "PE\0\0"; beyond the prefix: the parser decides
}

/// The ELF magic alone decides: a truncated or corrupt ELF is a broken binary that must be
/// reported as such, not waved through as "not a binary". parse/ checks the rest.
bool is_elf(Bytes b) { return starts_with(b, {0x7f, 'E', 'L', 'F'}); }

bool is_thin_macho(Bytes b) {
  const auto m = read_be<std::uint32_t>(b, 0);
  return m && (*m == 0xfeedface || *m == 0xfeedfacf || *m == 0xcefaedfe || *m == 0xcffaedfe);
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
  ByteCursor header(b, ByteOrder::Big);
  const auto magic = header.read<std::uint32_t>();
  const auto n = header.read<std::uint32_t>();
  if (!magic || !n || (*magic != 0xcafebabe && *magic != 0xcafebabf)) return false;
  const bool fat64 = *magic == 0xcafebabf;
  const std::size_t entry = fat64 ? 32 : 20;
  if (*n == 0 || *n > 64 || 8 + *n * entry > b.size()) return false;
  for (std::uint32_t i = 0; i < *n; ++i) {
    ByteCursor arch(b.subspan(8 + i * entry, entry), ByteOrder::Big);
    const auto cpu = arch.read<std::uint32_t>();
    arch.skip(4);  // cpusubtype
    const auto field = [&]() -> std::optional<std::uint64_t> {
      if (fat64) return arch.read<std::uint64_t>();
      return arch.read<std::uint32_t>();
    };
    const auto off = field();
    const auto size = field();
    if (!cpu || !off || !size || !known_cpu(*cpu) || *off > file_size || *size > file_size - *off) return false;
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
