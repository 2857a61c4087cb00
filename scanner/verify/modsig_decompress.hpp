#pragma once
/// \file
/// Private to verify/: in-memory decompression of a Linux kernel image payload (the compressed
/// vmlinux inside a bzImage, an arm64 EFI zboot image, or a plain gzip'ed arm64 Image).
///
/// This is not io/decompress (which expands whole `.ko.xz`/`.ko.zst` files): a kernel payload is
/// one compressed stream followed by unrelated bytes (the appended size, the rest of the image), so
/// every decoder here stops at the end of the *first* stream and ignores what follows, and knows
/// the formats the kernel build uses (gzip, xz, legacy lzma, zstd, lz4 legacy).

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace trustscan::verify::modsig {

/// Compression formats of a kernel image payload (Linux `KERNEL_*` Kconfig choices we support).
/// bzip2 and lzo are the two kernel choices not supported (no distribution ships them by default).
enum class KernelCompression { Gzip, Xz, Lzma, Zstd, Lz4Legacy };

[[nodiscard]] constexpr std::string_view to_string(KernelCompression c) noexcept {
  switch (c) {
    case KernelCompression::Gzip: return "gzip";
    case KernelCompression::Xz: return "xz";
    case KernelCompression::Lzma: return "lzma";
    case KernelCompression::Zstd: return "zstd";
    case KernelCompression::Lz4Legacy: return "lz4";
  }
  return "unknown";
}

/// The compression whose magic starts `bytes`, if any: gzip `1f 8b 08`, xz `fd 37 7a 58 5a 00`,
/// zstd `28 b5 2f fd`, lz4 legacy `02 21 4c 18`, lzma-alone `5d 00 00` (+ a plausible header).
[[nodiscard]] std::optional<KernelCompression> sniff_compression(std::span<const std::byte> bytes) noexcept;

/// Decompresses the first stream of `input` (trailing bytes are ignored).
/// Fails with Errc::TooLarge when the output would exceed `max_output` bytes, with Errc::Malformed
/// when the stream is corrupt or ends early. Never allocates more than `max_output` (+ one block).
[[nodiscard]] Result<std::vector<std::byte>> decompress_first_stream(
    KernelCompression format, std::span<const std::byte> input, std::uint64_t max_output);

/// Receives decompressed output in order, a window at a time (the span is valid during the call).
/// Returns false when it needs no more: decompression then stops there, successfully.
using ChunkSink = std::function<bool(std::span<const std::byte>)>;

/// As above, but streams the output to `sink` through a window of a few MiB instead of
/// returning it, so memory does not grow with the kernel's size. Returns the size handed to
/// `sink`: the total output, or less when the sink stopped it. The bytes handed to `sink` are
/// exactly those the vector form would return (a prefix of them when stopped); on failure some
/// output may already have been handed over.
[[nodiscard]] Result<std::uint64_t> decompress_first_stream(KernelCompression format,
                                                            std::span<const std::byte> input,
                                                            std::uint64_t max_output, const ChunkSink& sink);

}  // namespace trustscan::verify::modsig
