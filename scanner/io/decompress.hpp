#pragma once
/// \file
/// In-memory decompression of compressed kernel modules (.ko.xz with liblzma, .ko.zst with libzstd).

#include <string>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "core/error.hpp"
#include "core/types.hpp"

namespace trustscan::io {

/// Decompresses `input` (a whole .xz or .zst stream) into memory. Fails with Errc::TooLarge when
/// the output would exceed `max_output` (decompression bombs) and Errc::Malformed on corrupt data.
Result<std::vector<std::byte>> decompress(Compression kind, std::span<const std::byte> input,
                                          std::uint64_t max_output);

/// For `trustscan --version`: liblzma and libzstd as loaded at run time, e.g. "NAME 1.2.3".
[[nodiscard]] std::string compression_versions();

}  // namespace trustscan::io
