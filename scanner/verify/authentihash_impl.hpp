#pragma once
/// \file
/// Internal to verify/: the multi-digest form of the authentihash, shared by authenticode.cpp.

#include <openssl/evp.h>

#include <cstdint>
#include <span>
#include <vector>

#include "core/byte_source.hpp"
#include "core/error.hpp"
#include "parse/binary_model.hpp"

namespace trustscan::verify::detail {

/// Where the hashed bytes of a PE lie (see authentihash.hpp for the rule).
struct ImageRanges {
  std::uint64_t checksum_offset = 0;
  std::uint64_t security_entry_offset = 0;
  std::uint64_t end = 0;      ///< start of the certificate table, or the file size
  std::uint64_t padding = 0;  ///< zero bytes appended: 0..7 (unsigned files); up to a page (first-page hash)
  bool has_certificate_table = false;
};

/// Checks `layout` against a file of `file_size` bytes and derives the hashed ranges.
[[nodiscard]] Result<ImageRanges> image_ranges(std::uint64_t file_size,
                                               const parse::PeLayout& layout);

/// The image digest of `file` with every algorithm of `mds` (no duplicates, none nullptr), in one
/// linear pass (in chunks for a file read on demand); one digest per entry of `mds`, in order.
/// Errc::Io when the file cannot be read.
[[nodiscard]] Result<std::vector<std::vector<std::uint8_t>>> image_digests(const ByteSource& file,
                                                                           const ImageRanges& ranges,
                                                                           std::span<const EVP_MD* const> mds);

}  // namespace trustscan::verify::detail
