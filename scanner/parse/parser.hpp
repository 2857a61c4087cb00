#pragma once
/// \file
/// parse/ entry point: format → extractor, in one table. The only place LIEF is reached from.

#include <cstddef>
#include <span>

#include "core/error.hpp"
#include "core/limits.hpp"
#include "parse/binary_model.hpp"

namespace trustscan::parse {

/// Parses `bytes` (already identified as `format`, already decompressed) into a BinaryModel.
/// Never throws: LIEF exceptions and resource refusals become Errc::Malformed / Errc::TooLarge.
/// `model.type` is left Unknown; classify() decides it.
[[nodiscard]] Result<BinaryModel> parse_binary(Format format, std::span<const std::byte> bytes,
                                               const Limits& limits);

}  // namespace trustscan::parse
