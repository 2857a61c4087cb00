#pragma once
/// \file
/// Byte-level checks and rewrites done *before* LIEF sees a file, on a private copy (the scanned
/// bytes are never changed). They keep LIEF 0.9 away from its measured resource traps
/// (../shared/research/lief-0.9-notes.md §5, §7):
///  - PE: a forged NumberOfSections makes LIEF allocate gigabytes → refused above Limits; section
///    raw ranges beyond the file are clamped to it.
///  - ELF relocatable objects (kernel modules): relocation parsing is quadratic (amdgpu.ko 147 s) →
///    SHT_REL/SHT_RELA section headers are retyped as SHT_PROGBITS (relocations are not needed).
///    Their symbol table is counted here and retyped too: LIEF would build an object per symbol
///    (~45% of its time on a module) only for exports_count (elf_exports below).
///  - Mach-O: per-relocation rescans of all sections (a forged nreloc ran > 300 s) → every
///    section's nreloc is zeroed; load-command counts and sizes are checked against the slice.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/limits.hpp"
#include "core/types.hpp"

namespace trustscan::parse {

struct PreparedBytes {
  std::vector<std::uint8_t> bytes;    ///< the copy LIEF parses
  std::vector<std::string> warnings;  ///< what was changed or clamped, for the report
  /// ELF relocatable objects whose symbol table was retyped: the symbols named `__ksymtab_*` in
  /// it (a module's EXPORT_SYMBOLs), counted as LIEF would have (its first SHT_SYMTAB, names
  /// from the section its sh_link names). Absent when LIEF parses the symbol table itself.
  std::optional<std::size_t> elf_exports;
};

/// Returns the LIEF-safe copy of `file`, or Errc::Malformed / Errc::TooLarge when the headers are
/// beyond what any loader accepts.
Result<PreparedBytes> prepare_for_lief(Format format, std::span<const std::byte> file,
                                       const Limits& limits);

}  // namespace trustscan::parse
