#pragma once
/// \file
/// The three LIEF-backed extractors (parse/ internal). Each takes the prepared copy and fills a
/// BinaryModel; each may throw (LIEF::exception, std::exception) — parser.cpp converts that.

#include <cstdint>
#include <span>
#include <vector>

#include "core/limits.hpp"
#include "parse/binary_model.hpp"
#include "parse/prepare.hpp"

namespace trustscan::parse {

/// `original` is the unmodified file (some fields are read from it, not from the prepared copy).
BinaryModel extract_pe(const PreparedBytes& prepared, std::span<const std::byte> original,
                       const Limits& limits);
BinaryModel extract_elf(const PreparedBytes& prepared, std::span<const std::byte> original,
                        const Limits& limits);
BinaryModel extract_macho(const PreparedBytes& prepared, std::span<const std::byte> original,
                          const Limits& limits);

/// Cuts `s` to `max` bytes without splitting a UTF-8 sequence.
std::string bounded(std::string s, std::size_t max);

}  // namespace trustscan::parse
