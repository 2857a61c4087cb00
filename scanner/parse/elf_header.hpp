#pragma once
/// \file
/// The ELF file header, read once for both readers that need it without LIEF: the header-only
/// model (headers.cpp) and the plain relocatable reader (plain_elf.cpp).

#include <cstddef>
#include <cstdint>
#include <span>

#include "core/bytes.hpp"
#include "core/error.hpp"

namespace trustscan::parse {

struct ElfHeader {
  bool is64 = false;  ///< EI_CLASS is ELFCLASS64 (any other class is read as 32-bit)
  ByteOrder order = ByteOrder::Little;
  std::uint16_t type = 0, machine = 0;
  std::uint64_t entry = 0, phoff = 0, shoff = 0;
  std::uint16_t phentsize = 0, phnum = 0, shentsize = 0, shnum = 0, shstrndx = 0;
};

/// The header in `head`, the file's first (up to) 64 bytes; Errc::Malformed when they are fewer
/// than the class needs. The magic is not checked (identification did).
[[nodiscard]] Result<ElfHeader> elf_header(std::span<const std::byte> head);

}  // namespace trustscan::parse
