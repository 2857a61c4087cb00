#pragma once
/// \file
/// Byte-level checks and rewrites done *before* LIEF sees a file, on a private copy (the scanned
/// bytes are never changed). They keep LIEF 0.9 away from its measured resource traps
/// (../shared/research/lief-0.9-notes.md §5, §7):
///  - PE: a forged NumberOfSections makes LIEF allocate gigabytes → refused above Limits; section
///    raw ranges beyond the file are clamped to it.
///  - ELF relocatable objects (kernel modules): relocation parsing is quadratic (amdgpu.ko 147 s) →
///    SHT_REL/SHT_RELA section headers are retyped as SHT_PROGBITS (relocations are not needed).
///  - Mach-O: per-relocation rescans of all sections (a forged nreloc ran > 300 s) → every
///    section's nreloc is zeroed; load-command counts and sizes are checked against the slice.

#include <cstddef>
#include <cstdint>
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
};

/// Returns the LIEF-safe copy of `file`, or Errc::Malformed / Errc::TooLarge when the headers are
/// beyond what any loader accepts.
Result<PreparedBytes> prepare_for_lief(Format format, std::span<const std::byte> file,
                                       const Limits& limits);

}  // namespace trustscan::parse
