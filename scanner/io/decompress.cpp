#include "io/decompress.hpp"

#include <lzma.h>
#include <zstd.h>

#include <algorithm>
#include <memory>
#include <string>

#include "core/deadline.hpp"

namespace trustscan::io {
namespace {

/// Output produced by one call of the decoder, between two checks of the time budget: a bomb
/// that expands to the size cap is stopped at the deadline, not after the whole cap.
constexpr std::size_t kOutputPiece = std::size_t{4} << 20;
constexpr const char* kInflating = "decompressing the module";

/// Grows `out` geometrically up to `max_output`; false when the cap is reached.
bool grow(std::vector<std::byte>& out, std::uint64_t max_output) {
  if (out.size() >= max_output) return false;
  std::uint64_t next = std::max<std::uint64_t>(out.size() * 2, 1u << 16);
  out.resize(static_cast<std::size_t>(std::min(next, max_output)));
  return true;
}

Result<std::vector<std::byte>> decompress_xz(std::span<const std::byte> input,
                                             std::uint64_t max_output) {
  lzma_stream strm = LZMA_STREAM_INIT;
  // Memory limit for the decoder's dictionary; the kernel uses small dictionaries.
  if (lzma_stream_decoder(&strm, 256u << 20, LZMA_CONCATENATED) != LZMA_OK)
    return fail(Errc::Internal, "xz: cannot initialise decoder");
  std::unique_ptr<lzma_stream, decltype(&lzma_end)> guard(&strm, &lzma_end);
  std::vector<std::byte> out;
  grow(out, max_output);
  strm.next_in = reinterpret_cast<const std::uint8_t*>(input.data());
  strm.avail_in = input.size();
  for (;;) {
    if (auto in_time = check_deadline(kInflating); !in_time) return std::unexpected(in_time.error());
    strm.next_out = reinterpret_cast<std::uint8_t*>(out.data()) + strm.total_out;
    const std::size_t room = out.size() - strm.total_out;
    strm.avail_out = std::min(room, kOutputPiece);
    // The whole input is present, so LZMA_FINISH from the start.
    lzma_ret ret = lzma_code(&strm, LZMA_FINISH);
    if (ret == LZMA_STREAM_END) break;
    if ((ret == LZMA_OK || ret == LZMA_BUF_ERROR) && strm.avail_out == 0) {
      if (strm.total_out < out.size()) continue;  // only this call's piece is full
      if (!grow(out, max_output))
        return fail(Errc::TooLarge, "xz: decompressed size exceeds " + std::to_string(max_output) + " bytes");
      continue;
    }
    if (ret == LZMA_OK) continue;
    if (ret == LZMA_BUF_ERROR) return fail(Errc::Malformed, "xz: truncated stream");
    return fail(Errc::Malformed, "xz: corrupt data (lzma_ret " + std::to_string(ret) + ")");
  }
  out.resize(strm.total_out);
  return out;
}

Result<std::vector<std::byte>> decompress_zstd(std::span<const std::byte> input,
                                               std::uint64_t max_output) {
  std::unique_ptr<ZSTD_DStream, decltype(&ZSTD_freeDStream)> ds(ZSTD_createDStream(), &ZSTD_freeDStream);
  if (!ds) return fail(Errc::Internal, "zstd: cannot create decoder");
  ZSTD_initDStream(ds.get());
  std::vector<std::byte> out;
  grow(out, max_output);
  ZSTD_inBuffer in{input.data(), input.size(), 0};
  std::size_t produced = 0;
  std::size_t last = 1;
  while (in.pos < in.size || last != 0) {
    if (produced == out.size() && !grow(out, max_output))
      return fail(Errc::TooLarge, "zstd: decompressed size exceeds " + std::to_string(max_output) + " bytes");
    if (auto in_time = check_deadline(kInflating); !in_time) return std::unexpected(in_time.error());
    ZSTD_outBuffer ob{out.data() + produced, std::min(out.size() - produced, kOutputPiece), 0};
    std::size_t before_in = in.pos;
    last = ZSTD_decompressStream(ds.get(), &ob, &in);
    if (ZSTD_isError(last)) return fail(Errc::Malformed, std::string("zstd: ") + ZSTD_getErrorName(last));
    produced += ob.pos;
    // Input exhausted while the frame is incomplete, and no progress: truncated stream.
    if (in.pos == in.size && last != 0 && ob.pos == 0 && before_in == in.pos && produced < out.size())
      return fail(Errc::Malformed, "zstd: truncated stream");
  }
  out.resize(produced);
  return out;
}

}  // namespace

Result<std::vector<std::byte>> decompress(Compression kind, std::span<const std::byte> input,
                                          std::uint64_t max_output) {
  switch (kind) {
    case Compression::Xz: return decompress_xz(input, max_output);
    case Compression::Zstd: return decompress_zstd(input, max_output);
    case Compression::None: break;
  }
  return std::vector<std::byte>(input.begin(), input.end());
}

std::string compression_versions() {
  return std::string("liblzma ") + lzma_version_string() + ", libzstd " + ZSTD_versionString();
}

}  // namespace trustscan::io
