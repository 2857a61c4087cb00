#pragma once
/// \file
/// parse/ entry point: format → extractor, in one table. The only place LIEF is reached from.

#include <string>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "core/error.hpp"
#include "core/limits.hpp"
#include "parse/binary_model.hpp"

namespace trustscan::parse {

/// Parses `bytes` (already identified as `format`, already decompressed) into a BinaryModel.
/// Never throws: LIEF exceptions and resource refusals become Errc::Malformed / Errc::TooLarge.
/// `model.type` is left Unknown; classify() decides it.
[[nodiscard]] Result<BinaryModel> parse_binary(Format format, std::span<const std::byte> bytes,
                                               const Limits& limits);

/// The same for a caller that owns the only copy of the file: LIEF's defusing rewrites are made in
/// `buffer` itself (prepare_in_place) instead of in a copy, since LIEF copies what it is given
/// anyway, and are undone before this returns, whatever happens. Saves one file-sized copy.
[[nodiscard]] Result<BinaryModel> parse_binary(Format format, std::vector<std::uint8_t>& buffer,
                                               const Limits& limits);

/// The model of an ELF relocatable object (a Linux kernel module, a GRUB module) read straight
/// from `bytes`, without LIEF and without a copy, when its layout is plain: little-endian, no
/// program headers, no dynamic section, the section table and every section inside the file, the
/// section names inside their string table and a symbol table LIEF would read — the files on which
/// LIEF (after prepare_for_lief) gives exactly this model (parse_binary tries it first). nullopt
/// for any other file: LIEF parses it.
[[nodiscard]] std::optional<BinaryModel> plain_relocatable_model(std::span<const std::byte> bytes,
                                                                 const Limits& limits);

/// The model of an ELF executable or shared object read straight from `bytes`, without LIEF and
/// without a copy, when its layout is plain: little-endian, the section and program header tables
/// and every section's and segment's file range inside the file, the names the model takes (the
/// DT_NEEDED and DT_SONAME entries, the section names) terminated inside it within 4 KiB, and
/// every address LIEF would convert inside a PT_LOAD segment — the files on which
/// LIEF 0.9 (after prepare_for_lief) gives exactly this model, dynamic symbol count included
/// (plain_elf_linked.cpp). nullopt for any other file: LIEF parses it.
[[nodiscard]] std::optional<BinaryModel> plain_linked_model(std::span<const std::byte> bytes, const Limits& limits);

/// The model of a PE file read straight from `bytes`, without LIEF and without a copy, when its
/// layout is plain: PE32/PE32+ with the standard optional header and 16 data directories, every
/// section's raw data inside the file and aligned as declared, and the import, export, debug and
/// resource tables the model takes from it inside the sections, with every string terminated
/// inside the file — the files on which LIEF 0.9 (after prepare_for_lief) gives exactly this model
/// (parse_binary tries it first). Imports without a lookup table, export tables without names and
/// anything else LIEF reads its own way give nullopt: LIEF parses those.
[[nodiscard]] std::optional<BinaryModel> plain_pe_model(std::span<const std::byte> bytes, const Limits& limits);

/// For `trustscan --version`: LIEF, the library that parses PE, ELF and Mach-O files, as built against (LIEF 0.9 has no
/// run-time query), e.g. "NAME 1.2.3".
[[nodiscard]] std::string lief_version();

}  // namespace trustscan::parse
