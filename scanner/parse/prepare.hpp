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
///    section's nreloc is zeroed; load-command counts and sizes are checked against the slice;
///    segments' and sections' file bytes are hidden (MachOContents).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/limits.hpp"
#include "core/types.hpp"
#include "parse/byte_reader.hpp"

namespace trustscan::parse {

/// A slice of the Mach-O header view (PreparedBytes::macho_view): where it is in the view and in
/// the file, and its code signature's range as the file's LC_CODE_SIGNATURE gives it (the view's
/// is emptied).
struct MachOViewSlice {
  std::uint64_t view_offset = 0;
  std::uint64_t file_offset = 0;
  std::uint32_t signature_offset = 0;  ///< dataoff, relative to the slice
  std::uint32_t signature_size = 0;
};

struct PreparedBytes {
  std::vector<std::uint8_t> bytes;    ///< the copy LIEF parses (prepare_for_lief)
  /// prepare_in_place: the caller's buffer, patched, that LIEF parses instead of `bytes`.
  const std::vector<std::uint8_t>* buffer = nullptr;
  /// prepare_in_place: every field changed in `*buffer`, with its old value (undo_in_place).
  std::vector<Patch> undo;
  std::vector<std::string> warnings;  ///< what was changed or clamped, for the report
  /// ELF relocatable objects whose symbol table was retyped: the symbols named `__ksymtab_*` in
  /// it (a module's EXPORT_SYMBOLs), counted as LIEF would have (its first SHT_SYMTAB, names
  /// from the section its sh_link names). Absent when LIEF parses the symbol table itself.
  std::optional<std::size_t> elf_exports;
  /// Mach-O with MachOContents::Hidden: each slice's header and load commands only, which is all
  /// LIEF reads of it once the rest is hidden — LIEF 0.9 copies its whole input once or twice
  /// more. File offsets in the commands point nowhere in it (emptied); a fat view has its own
  /// slice offsets (macho_slices maps them back). Empty when LIEF parses the whole file (fat64).
  std::vector<std::uint8_t> macho_view;
  std::vector<MachOViewSlice> macho_slices;

  /// What LIEF parses: the Mach-O view, the copy, or the patched caller's buffer.
  [[nodiscard]] const std::vector<std::uint8_t>& lief_input() const noexcept {
    if (!macho_view.empty()) return macho_view;
    return buffer ? *buffer : bytes;
  }
};

/// Whether LIEF is shown the file bytes of Mach-O segments and sections, the symbol table, the
/// function starts and the data-in-code entries. Hidden (their file sizes and counts zeroed in
/// its copy): LIEF 0.9 copies or decodes each, and the model reads none (prepare.cpp,
/// bound_segment_copies, prepare_macho_slice). Shown: what LIEF was given before, for the tests
/// that check hiding changes no model.
enum class MachOContents { Hidden, Shown };

/// Returns the LIEF-safe copy of `file`, or Errc::Malformed / Errc::TooLarge when the headers are
/// beyond what any loader accepts.
Result<PreparedBytes> prepare_for_lief(Format format, std::span<const std::byte> file, const Limits& limits,
                                       MachOContents contents = MachOContents::Hidden);

/// The same rewrites made in `buffer` itself, without a copy, for a caller that owns the only copy
/// of the file and hands it to LIEF (whose vector API copies it anyway). The result records every
/// change; undo_in_place() must be called before the bytes are used for anything else (hashes,
/// signatures, rules). On failure nothing is left changed.
Result<PreparedBytes> prepare_in_place(Format format, std::vector<std::uint8_t>& buffer, const Limits& limits);

/// LIEF 0.9 copies the file bytes of every section and every segment. Ranges that overlap (a
/// forged table of 1,000 section headers over the same 30 MiB) made one 30 MiB ELF file take
/// 10.6 s inside LIEF (a Mach-O 19 s, a PE with 96 sections 1.8 s), where no time budget reaches
/// (docs/time-budget.md); 65,535 ELF headers would take a quarter of an hour. Real files' ranges
/// add up to about the file's size (segments overlap a little: PT_PHDR, PT_NOTE, PT_GNU_RELRO lie
/// inside PT_LOAD), so each table may copy this many times the file (plus 1 MiB for small files);
/// beyond that a range is emptied.
inline constexpr std::uint64_t kCopiedRangesFactor = 4;

/// The file bytes one table's ranges may cover in all, for a file (or slice) of `size` bytes.
[[nodiscard]] constexpr std::uint64_t copy_budget(std::uint64_t size) noexcept {
  return kCopiedRangesFactor * size + (std::uint64_t{1} << 20);
}

/// The `__ksymtab_*` symbols (a module's EXPORT_SYMBOLs) of the ELF symbol table whose section
/// header is at `hdr`, counted as LIEF 0.9 reads the table (ELF::Parser::parse_static_symbols:
/// size / sizeof(Elf_Sym) entries from sh_offset, each name at the sh_link section's file offset +
/// st_name). nullopt when LIEF would fail on it (entries beyond the file).
std::optional<std::size_t> count_ksymtab_symbols(const ByteReader& r, bool is64, std::uint64_t shoff,
                                                 std::uint64_t shentsize, std::uint64_t shnum, std::uint64_t hdr);

/// Puts back what prepare_in_place changed in `buffer`.
void undo_in_place(std::vector<std::uint8_t>& buffer, const PreparedBytes& prepared) noexcept;

}  // namespace trustscan::parse
