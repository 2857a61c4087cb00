#pragma once
/// \file
/// The three LIEF-backed extractors (parse/ internal). Each takes the prepared copy and fills a
/// BinaryModel; each may throw (LIEF::exception, std::exception) — parser.cpp converts that.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/limits.hpp"
#include "parse/binary_model.hpp"
#include "parse/elf_header.hpp"
#include "parse/prepare.hpp"

namespace trustscan::parse {

/// `original` is the unmodified file (some fields are read from it, not from the prepared copy).
BinaryModel extract_pe(const PreparedBytes& prepared, std::span<const std::byte> original,
                       const Limits& limits);
BinaryModel extract_elf(const PreparedBytes& prepared, std::span<const std::byte> original,
                        const Limits& limits);
BinaryModel extract_macho(const PreparedBytes& prepared, std::span<const std::byte> original,
                          const Limits& limits);

/// LIEF's names, shared with the header-only parser (headers.cpp) so both report alike:
/// PE COFF machine ("AMD64", or "0xNNNN"), its ECS architecture ("x86_64"), PE subsystem
/// ("WINDOWS_GUI"); Mach-O CPU type ("arm64") and file type ("EXECUTE"); ELF machine as
/// architecture ("x86_64") and e_type ("DYN").
std::string pe_machine_name(std::uint16_t machine);
std::string pe_architecture(std::uint16_t machine);
std::string pe_subsystem_name(std::uint16_t subsystem);
std::string macho_cpu_name(std::uint32_t cpu);
std::string macho_file_type_name(std::uint32_t file_type);
std::string elf_architecture(std::uint16_t machine);
std::string elf_type_name(std::uint16_t type);
/// One imported DLL: its name and its functions in table order, as stored ("ordN" for an import
/// by ordinal).
struct ImportedLibrary {
  std::string name;
  std::vector<std::string> functions;
};
/// The name of a function imported by ordinal, as both PE readers spell it (the imphash hashes it).
[[nodiscard]] inline std::string ordinal_import(std::uint16_t ordinal) { return "ord" + std::to_string(ordinal); }
/// The libraries, the imported functions ("lib.func", bounded) and the standard (pefile / YARA
/// `pe.imphash()`) imphash: for each import in order, the library name lower-cased without
/// .dll/.ocx/.sys, joined with each function lower-cased, comma-separated, MD5. LIEF's own get_imphash()
/// differs (lief-0.9-notes §4). Shared by the LIEF extractor and the plain PE reader.
void fill_imports(const std::vector<ImportedLibrary>& imports, BinaryModel& model, PeInfo& info, const Limits& limits);
/// Adds the "key=value" entries of a `.modinfo` section to `info.modinfo`.
void parse_modinfo(std::span<const std::uint8_t> content, ElfInfo& info, const Limits& limits);
/// The header of a file both plain ELF readers may read: the ELF magic, class 32 or 64 bits,
/// little-endian (the big-endian files LIEF 0.9 reads are left to it), 64 bytes at least;
/// nullopt otherwise.
[[nodiscard]] std::optional<ElfHeader> plain_elf_header(std::span<const std::byte> bytes);
/// What the plain ELF readers (plain_elf.cpp, plain_elf_linked.cpp) take from sections by name,
/// as extract_elf takes it from LIEF, whose get_section finds the first section of a name: the
/// first `.modinfo`'s entries, the first `.modname`'s string, whether `.gnu.linkonce.this_module`
/// is there. Call take() for each section in order.
class ModuleSections {
 public:
  /// Whether `name` is a section whose content take() reads (the first of its name).
  [[nodiscard]] bool wants_content(std::string_view name) const noexcept {
    return (name == ".modinfo" && !modinfo_seen_) || (name == ".modname" && !modname_seen_);
  }
  void take(std::string_view name, std::span<const std::byte> content, ElfInfo& info, const Limits& limits);

 private:
  bool modinfo_seen_ = false, modname_seen_ = false;
};

/// Cuts `s` to `max` bytes without splitting a UTF-8 sequence.
std::string bounded(std::string s, std::size_t max);

}  // namespace trustscan::parse
