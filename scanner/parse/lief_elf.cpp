// ELF extraction with LIEF 0.9. Relocation sections of relocatable objects were already retyped
// by prepare.cpp, so kernel modules parse in milliseconds.
#include <LIEF/ELF.hpp>

#include <cstring>

#include "parse/lief_extractors.hpp"

namespace trustscan::parse {
namespace {

namespace elf = LIEF::ELF;

std::string architecture_of(elf::ARCH machine) {
  switch (static_cast<unsigned>(machine)) {
    case 62: return "x86_64";
    case 3: return "x86";
    case 183: return "arm64";  // one name per CPU across formats
    case 40: return "arm";
    case 243: return "riscv";
    case 8: return "mips";
    case 20: return "ppc";
    case 21: return "ppc64";
    case 22: return "s390";
    case 2:
    case 43: return "sparc";
    case 258: return "loongarch";
    default: return "unknown";
  }
}

/// ECS file.elf.header.type style names (LIEF's to_string says "RELOCATABLE" etc.).
std::string type_name(elf::E_TYPE type) {
  switch (static_cast<unsigned>(type)) {
    case 0: return "NONE";
    case 1: return "REL";
    case 2: return "EXEC";
    case 3: return "DYN";
    case 4: return "CORE";
    default: return "OTHER";
  }
}

/// Exported symbols, counted directly: LIEF's exported_symbols() filter iterator re-tests every
/// symbol on each step and took ~45% of a module-tree scan. A kernel module's exports are its
/// EXPORT_SYMBOL entries, each of which defines a `__ksymtab_<name>` symbol.
std::size_t count_exports(const elf::Binary& bin, elf::E_TYPE type) {
  std::size_t n = 0;
  if (type == elf::E_TYPE::ET_REL) {
    for (const elf::Symbol& s : bin.static_symbols()) n += s.name().starts_with("__ksymtab_");
    return n;
  }
  for (const elf::Symbol& s : bin.dynamic_symbols())
    n += s.shndx() != 0 && s.binding() != elf::SYMBOL_BINDINGS::STB_LOCAL;
  return n;
}

}  // namespace

std::string elf_architecture(std::uint16_t machine) { return architecture_of(static_cast<elf::ARCH>(machine)); }
std::string elf_type_name(std::uint16_t type) { return type_name(static_cast<elf::E_TYPE>(type)); }

void parse_modinfo(std::span<const std::uint8_t> content, ElfInfo& info, const Limits& limits) {
  // Viewed in place, each key and value copied once (every module has dozens of entries: this
  // runs for each of the thousands of modules of a kernel).
  const std::string_view all(reinterpret_cast<const char*>(content.data()), content.size());
  std::size_t start = 0;
  while (start < all.size()) {
    const std::size_t nul = all.find('\0', start);
    const std::string_view entry = all.substr(start, nul == std::string_view::npos ? all.size() - start : nul - start);
    start += entry.size() + 1;
    const auto eq = entry.find('=');
    if (entry.empty() || eq == std::string_view::npos) continue;
    std::string value = bounded(std::string(entry.substr(eq + 1)), limits.max_string_length);
    // (try_emplace leaves `value` alone when the key is there already)
    auto [it, inserted] = info.modinfo.try_emplace(bounded(std::string(entry.substr(0, eq)), 64), std::move(value));
    if (!inserted && it->second.size() < limits.max_string_length) it->second.append(",").append(value);
  }
}

namespace {

std::string section_string(const elf::Binary& bin, const char* name, const Limits& limits) {
  if (!bin.has_section(name)) return {};
  std::vector<std::uint8_t> c = bin.get_section(name).content();
  std::string s(c.begin(), c.end());
  s = s.substr(0, s.find('\0'));
  return bounded(s, limits.max_string_length);
}

}  // namespace

BinaryModel extract_elf(const PreparedBytes& prepared, std::span<const std::byte> original, const Limits& limits) {
  std::unique_ptr<elf::Binary> bin = elf::Parser::parse(prepared.lief_input());
  if (!bin) throw LIEF::bad_format("LIEF returned no ELF binary");
  const elf::Header& hdr = bin->header();
  // LIEF "parses" a bare magic as an empty ELF (lief-0.9-notes §2): require real structure.
  if (bin->sections().size() == 0 && bin->segments().size() == 0)
    throw LIEF::bad_format("ELF has neither sections nor segments");
  BinaryModel model;
  model.format = Format::Elf;
  model.architecture = architecture_of(hdr.machine_type());
  model.bits = bin->type() == elf::ELF_CLASS::ELFCLASS64 ? 64 : 32;
  ElfInfo info;
  info.elf_type = type_name(hdr.file_type());
  info.machine = model.architecture;
  if (hdr.entrypoint() != 0) model.entry_point = hdr.entrypoint();
  if (bin->has_interpreter()) info.interpreter = bounded(bin->interpreter(), limits.max_string_length);
  for (const elf::DynamicEntry& d : bin->dynamic_entries()) {
    if (const auto* lib = dynamic_cast<const elf::DynamicEntryLibrary*>(&d)) {
      if (model.libraries.size() < limits.max_imports)
        model.libraries.push_back(bounded(lib->name(), limits.max_string_length));
    } else if (const auto* so = dynamic_cast<const elf::DynamicSharedObject*>(&d)) {
      info.soname = bounded(so->name(), limits.max_string_length);
    }
  }
  // Relocatable objects: prepare.cpp counted the symbol table (and hid it from LIEF) when it could.
  model.exports_count = prepared.elf_exports && hdr.file_type() == elf::E_TYPE::ET_REL
                            ? *prepared.elf_exports
                            : count_exports(*bin, hdr.file_type());
  if (bin->has_section(".modinfo")) {
    const std::vector<std::uint8_t> modinfo = bin->get_section(".modinfo").content();
    parse_modinfo(modinfo, info, limits);
  }
  info.has_this_module = bin->has_section(".gnu.linkonce.this_module");
  info.grub_module_name = section_string(*bin, ".modname", limits);
  info.looks_like_kernel_image = hdr.file_type() == elf::E_TYPE::ET_EXEC && bin->has_section("__ksymtab") &&
                                 bin->has_section(".init.text");
  info.has_module_signature = ends_with_module_signature(original);
  model.elf = std::move(info);
  return model;
}

}  // namespace trustscan::parse
