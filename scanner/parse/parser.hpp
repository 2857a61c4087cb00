#pragma once
/// \file
/// parse/ entry point: format → extractor, in one table. The only place LIEF is reached from.

#include <string>
#include <cstddef>
#include <cstdint>
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

/// For `trustscan --version`: LIEF, the library that parses PE, ELF and Mach-O files, as built against (LIEF 0.9 has no
/// run-time query), e.g. "NAME 1.2.3".
[[nodiscard]] std::string lief_version();

}  // namespace trustscan::parse
