// ELF relocatable objects (Linux kernel modules, GRUB modules) read straight from their bytes,
// without LIEF, when their layout is plain (plain_relocatable_model in parser.hpp).
#include <cstring>
#include <string_view>

#include "parse/byte_reader.hpp"
#include "parse/elf_header.hpp"
#include "parse/lief_extractors.hpp"
#include "parse/parser.hpp"
#include "parse/prepare.hpp"

namespace trustscan::parse {
namespace {

constexpr std::uint64_t kShtSymtab = 2, kShtDynamic = 6, kShtNobits = 8;

/// One section header of a little-endian ELF file.
struct Section {
  std::uint64_t name = 0, type = 0, offset = 0, size = 0;
};

/// The section table of a relocatable object, and its section-name string table.
struct Layout {
  std::vector<Section> sections;
  std::string_view names;  ///< the section-name string table
};

/// The name of `s`, when it lies inside the name table with its NUL (LIEF reads it from the file
/// as a C string: the same string then); nullopt otherwise.
std::optional<std::string_view> name_of(const Layout& l, const Section& s) {
  if (s.name >= l.names.size()) return std::nullopt;
  const std::size_t end = l.names.find('\0', s.name);
  if (end == std::string_view::npos) return std::nullopt;
  return l.names.substr(s.name, end - s.name);
}

/// The section headers, when the table and every section's file range lie inside the file, so
/// that prepare_for_lief would change nothing that LIEF reads (no clamp, no emptied range).
std::optional<Layout> plain_layout(const ByteReader& r, const ElfHeader& e) {
  Layout l;
  const bool is64 = e.is64;
  const unsigned w = is64 ? 8 : 4;
  if (e.phnum != 0 || e.shnum == 0 || e.shentsize != (is64 ? 64U : 40U) || e.shstrndx >= e.shnum ||
      !r.in_bounds(e.shoff, std::uint64_t{e.shnum} * e.shentsize))
    return std::nullopt;
  std::uint64_t covered = 0;
  l.sections.reserve(e.shnum);
  for (std::uint64_t i = 0; i < e.shnum; ++i) {
    const std::uint64_t h = e.shoff + i * e.shentsize;
    Section s{r.read(h, 4).value_or(0), r.read(h + 4, 4).value_or(0), r.read(h + (is64 ? 0x18 : 0x10), w).value_or(0),
              r.read(h + (is64 ? 0x20 : 0x14), w).value_or(0)};
    if (s.type == kShtDynamic || s.offset > r.size()) return std::nullopt;
    if (s.type != kShtNobits) {
      if (s.size > r.size() - s.offset) return std::nullopt;
      covered += s.size;
    }
    l.sections.push_back(s);
  }
  if (covered > copy_budget(r.size())) return std::nullopt;  // prepare_for_lief would empty some
  const Section& names = l.sections[e.shstrndx];
  if (names.type == kShtNobits) return std::nullopt;
  return l;
}

}  // namespace

std::optional<ElfHeader> plain_elf_header(std::span<const std::byte> bytes) {
  static constexpr unsigned char kIdent[] = {0x7f, 'E', 'L', 'F'};
  if (bytes.size() < 64 || std::memcmp(bytes.data(), kIdent, sizeof kIdent) != 0) return std::nullopt;
  const auto cls = std::to_integer<unsigned>(bytes[4]), data = std::to_integer<unsigned>(bytes[5]);
  if ((cls != 1 && cls != 2) || data != 1) return std::nullopt;
  auto header = elf_header(bytes.first(64));
  if (!header) return std::nullopt;
  return *header;
}

void ModuleSections::take(std::string_view name, std::span<const std::byte> content, ElfInfo& info,
                          const Limits& limits) {
  if (name == ".gnu.linkonce.this_module") info.has_this_module = true;
  if (name == ".modinfo" && !modinfo_seen_) {
    modinfo_seen_ = true;
    parse_modinfo({reinterpret_cast<const std::uint8_t*>(content.data()), content.size()}, info, limits);
  }
  if (name == ".modname" && !modname_seen_) {
    modname_seen_ = true;
    const std::string_view text(reinterpret_cast<const char*>(content.data()), content.size());
    info.grub_module_name = bounded(std::string(text.substr(0, text.find('\0'))), limits.max_string_length);
  }
}

std::optional<BinaryModel> plain_relocatable_model(std::span<const std::byte> bytes, const Limits& limits) {
  const auto header = plain_elf_header(bytes);
  if (!header || header->type != 1) return std::nullopt;  // ET_REL
  // Only read: the reader is never asked to write.
  const ByteReader r(
      std::span(const_cast<std::uint8_t*>(reinterpret_cast<const std::uint8_t*>(bytes.data())), bytes.size()), false);
  const ElfHeader& e = *header;
  const bool is64 = e.is64;
  auto layout = plain_layout(r, e);
  if (!layout) return std::nullopt;
  const Section& table = layout->sections[e.shstrndx];
  layout->names = {reinterpret_cast<const char*>(bytes.data()) + table.offset, table.size};

  BinaryModel model;
  model.format = Format::Elf;
  model.architecture = elf_architecture(e.machine);
  model.bits = is64 ? 64 : 32;
  if (e.entry != 0) model.entry_point = e.entry;
  ElfInfo info;
  info.elf_type = elf_type_name(1);
  info.machine = model.architecture;
  bool symtab_seen = false;
  ModuleSections module_sections;
  for (std::uint64_t i = 0; i < e.shnum; ++i) {
    const Section& s = layout->sections[i];
    const auto name = name_of(*layout, s);
    if (!name) return std::nullopt;
    const std::span<const std::byte> content = s.type == kShtNobits ? std::span<const std::byte>{}
                                                                    : bytes.subspan(s.offset, s.size);
    if (s.type == kShtSymtab && !symtab_seen) {  // LIEF reads the first symbol table only
      symtab_seen = true;
      const auto n = count_ksymtab_symbols(r, is64, e.shoff, e.shentsize, e.shnum, e.shoff + i * e.shentsize);
      if (!n) return std::nullopt;
      model.exports_count = *n;
    }
    if ((*name == ".modinfo" || *name == ".modname") && s.type == kShtNobits) return std::nullopt;
    module_sections.take(*name, content, info, limits);
  }
  info.has_module_signature = ends_with_module_signature(bytes);
  model.elf = std::move(info);
  return model;
}

}  // namespace trustscan::parse
