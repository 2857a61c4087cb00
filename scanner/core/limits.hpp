#pragma once
/// \file
/// Resource bounds applied to every file. Named here so each has one definition and one reason.

#include <cstdint>

namespace trustscan {

struct Limits {
  /// Files above this size are reported as skipped (never assumed clean). Default 512 MiB: larger
  /// than any real driver or kernel image, small enough that one file cannot exhaust memory.
  std::uint64_t max_file_size = 512ull << 20;
  /// Binaries above this are hashed, verified where possible and rule-matched, but not handed to
  /// LIEF, which holds 2-4 copies of a file while parsing (a 500 MB CUDA library took 2 GB).
  /// Drivers, modules, kexts and EFI images are far smaller; vmlinux is ~60 MiB.
  std::uint64_t max_parse_size = 64ull << 20;
  /// Files above this (or above max_parse_size, whichever is smaller) are never held whole
  /// (issue 16): hashed in chunks, parsed from their headers read with pread (parse/headers.hpp),
  /// their signatures verified over the signed ranges read on demand, their rules run in
  /// bounded blocks. Peak memory is then about threads x this, whatever the largest file: LIEF
  /// holds 2-4 copies of what it parses, so 2 threads x 32 MiB stay well under 300 MB.
  std::uint64_t stream_threshold = 32ull << 20;
  /// The size above which a file is streamed (see stream_threshold).
  [[nodiscard]] std::uint64_t streamed_above() const noexcept {
    return max_parse_size < stream_threshold ? max_parse_size : stream_threshold;
  }
  /// A compressed kernel module may not expand beyond this (a decompression bomb would otherwise
  /// allocate without bound). amdgpu.ko, the largest Debian module, is 19 MiB.
  std::uint64_t max_decompressed_size = 256ull << 20;
  /// PE NumberOfSections above this is refused before LIEF sees it: the PE loader itself caps it
  /// at 96, and LIEF 0.9 allocates gigabytes for a forged value (lief-0.9-notes §7).
  std::uint32_t max_pe_sections = 96;
  /// Mach-O load commands are refused above this count (real binaries have < 200).
  std::uint32_t max_macho_load_commands = 4096;
  /// Fat Mach-O slices beyond this are ignored and reported (real files carry 2–4).
  std::uint32_t max_fat_slices = 16;
  /// Strings copied out of a binary (version info, modinfo values, paths) are cut at this length.
  std::size_t max_string_length = 4096;
  /// At most this many imported libraries/functions are kept per file.
  std::size_t max_imports = 4096;
};

}  // namespace trustscan
