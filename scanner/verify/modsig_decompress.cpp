#include "verify/modsig_decompress.hpp"

#include <algorithm>
#include <climits>
#include <cstdint>
#include <cstring>
#include <memory>
#include <new>
#include <optional>
#include <string>

#include <lz4.h>
#include <lzma.h>
#include <zlib.h>
#include <zstd.h>

#include "core/bytes.hpp"

namespace trustscan::verify::modsig {
namespace {

/// An lz4 legacy block expands to at most this (lz4 -l).
constexpr std::size_t kLz4Block = 8u << 20;

/// Where a decoder writes. Two modes:
///  - collecting (no sink): one buffer that grows geometrically up to the cap, returned whole;
///  - streaming (a sink): a fixed window handed to the sink each time it fills, so a 60 MiB
///    kernel is searched through a window of a few MiB instead of being held in memory.
/// Either way the cap bounds the total output.
class Output {
 public:
  Output(std::uint64_t cap, std::size_t input_size, const ChunkSink* sink = nullptr,
         std::size_t min_window = 0)
      : cap_(cap), sink_(sink) {
    // Kernel payloads expand 3-5x; start there to avoid most reallocations.
    const std::uint64_t guess = sink ? std::max<std::size_t>(kStreamWindow, min_window)
                                     : std::max<std::uint64_t>(std::uint64_t{1} << 20, std::uint64_t{input_size} * 4);
    buf_.resize(static_cast<std::size_t>(sink ? guess : std::min(cap_, guess)));
  }
  /// Makes free space at the end: grows, or hands the full window to the sink, first if full.
  /// Returns nothing when there is at least `n` bytes of it (n <= the window in streaming mode);
  /// otherwise what the decoder returns now: success when the sink wants no more, Errc::TooLarge
  /// when the cap is reached.
  [[nodiscard]] std::optional<Result<void>> make_space(std::size_t n = 1) {
    if (stopped_) return Result<void>{};
    if (total() >= cap_) return too_large();
    if (buf_.size() - used_ >= n) return std::nullopt;
    if (sink_) {
      flush();  // the window is at least n bytes (min_window)
      if (stopped_) return Result<void>{};
      return std::nullopt;
    }
    buf_.resize(static_cast<std::size_t>(std::min<std::uint64_t>(cap_, std::max<std::uint64_t>(used_ + n, std::uint64_t{buf_.size()} * 2))));
    return std::nullopt;
  }
  [[nodiscard]] std::unexpected<Error> too_large() const {
    return fail(Errc::TooLarge, "kernel payload expands beyond " + std::to_string(cap_ >> 20) + " MiB");
  }
  std::byte* tail() noexcept { return buf_.data() + used_; }
  /// Free space, never more than what is left under the cap.
  std::size_t tail_size() const noexcept {
    const std::uint64_t left = cap_ - std::min(cap_, flushed_ + used_);
    return static_cast<std::size_t>(std::min<std::uint64_t>(buf_.size() - used_, left));
  }
  void advance(std::size_t n) noexcept { used_ += n; }
  std::uint64_t total() const noexcept { return flushed_ + used_; }
  std::vector<std::byte> finish() && {
    buf_.resize(used_);
    buf_.shrink_to_fit();
    return std::move(buf_);
  }
  /// Streaming mode: hands what is left to the sink; returns the size handed over.
  std::uint64_t finish_stream() {
    flush();
    return flushed_;
  }

 private:
  static constexpr std::size_t kStreamWindow = 1u << 20;
  void flush() {
    if (used_ != 0 && !stopped_) stopped_ = !(*sink_)(std::span<const std::byte>(buf_.data(), used_));
    flushed_ += used_;
    used_ = 0;
  }
  std::uint64_t cap_;
  const ChunkSink* sink_ = nullptr;
  std::vector<std::byte> buf_;
  std::size_t used_ = 0;
  std::uint64_t flushed_ = 0;
  bool stopped_ = false;  ///< the sink wants no more
};

Result<void> gunzip(std::span<const std::byte> in, Output& out) {
  z_stream s{};
  if (inflateInit2(&s, 16 + MAX_WBITS) != Z_OK) return fail(Errc::Internal, "inflateInit2 failed");
  std::unique_ptr<z_stream, decltype(&inflateEnd)> guard(&s, &inflateEnd);
  std::size_t in_pos = 0;
  for (;;) {
    if (s.avail_in == 0 && in_pos < in.size()) {
      const std::size_t n = std::min<std::size_t>(in.size() - in_pos, UINT_MAX);
      // NOTE: zlib's next_in is non-const for historical reasons; it never writes through it.
      s.next_in = reinterpret_cast<Bytef*>(const_cast<std::byte*>(in.data() + in_pos));
      s.avail_in = static_cast<uInt>(n);
      in_pos += n;
    }
    if (auto end = out.make_space()) return *end;
    const std::size_t room = std::min<std::size_t>(out.tail_size(), UINT_MAX);
    s.next_out = reinterpret_cast<Bytef*>(out.tail());
    s.avail_out = static_cast<uInt>(room);
    const int rc = inflate(&s, Z_NO_FLUSH);
    out.advance(room - s.avail_out);
    if (rc == Z_STREAM_END) break;
    if (rc == Z_BUF_ERROR && s.avail_in == 0 && in_pos >= in.size())
      return fail(Errc::Malformed, "gzip stream is truncated");
    if (rc != Z_OK && rc != Z_BUF_ERROR)
      return fail(Errc::Malformed, std::string("gzip: ") + (s.msg ? s.msg : "corrupt stream"));
  }
  return {};
}

/// liblzma's memory from the program's operator new instead of malloc. An x86 kernel's xz payload
/// declares a 32 MiB dictionary, written page by page as the kernel comes out: the CLI's operator
/// new (app/operator_new.cpp) asks for a block that large in huge pages, so the decoder takes 16
/// page faults for it instead of 8,192, and fewer TLB misses (Debian 12's 6.1 kernel up to its
/// certificate list: 0.64 -> 0.56 s of CPU in a test program, 10,500 -> 2,860 faults; on this
/// project's virtual machines a fault costs about 10 microseconds). A program that loads
/// libtrustscan keeps its own operator new (malloc, unless it replaced it).
void* lzma_operator_new(void*, std::size_t count, std::size_t size) noexcept {
  if (size != 0 && count > SIZE_MAX / size) return nullptr;
  const std::size_t bytes = count * size;
  return ::operator new(bytes, std::nothrow);  // (libstdc++'s calls the replaceable operator new)
}
void lzma_operator_delete(void*, void* block) noexcept { ::operator delete(block); }
constexpr lzma_allocator kLzmaAllocator{&lzma_operator_new, &lzma_operator_delete, nullptr};

Result<void> unxz(std::span<const std::byte> in, bool alone, Output& out) {
  lzma_stream s = LZMA_STREAM_INIT;
  s.allocator = &kLzmaAllocator;
  // The kernel's own decoders use at most a few MiB of dictionary; 256 MiB bounds hostile headers.
  constexpr std::uint64_t kMemLimit = 256ull << 20;
  // No LZMA_CONCATENATED: stop at the end of the first stream, trailing bytes are not ours.
  const lzma_ret init = alone ? lzma_alone_decoder(&s, kMemLimit) : lzma_stream_decoder(&s, kMemLimit, 0);
  if (init != LZMA_OK) return fail(Errc::Internal, "lzma decoder init failed");
  std::unique_ptr<lzma_stream, decltype(&lzma_end)> guard(&s, &lzma_end);
  s.next_in = reinterpret_cast<const std::uint8_t*>(in.data());
  s.avail_in = in.size();
  for (;;) {
    if (auto end = out.make_space()) return *end;
    const std::size_t room = out.tail_size();
    s.next_out = reinterpret_cast<std::uint8_t*>(out.tail());
    s.avail_out = room;
    const lzma_ret rc = lzma_code(&s, LZMA_FINISH);
    out.advance(room - s.avail_out);
    if (rc == LZMA_STREAM_END) break;
    if (rc == LZMA_OK) continue;
    if (rc == LZMA_BUF_ERROR && s.avail_out != 0) return fail(Errc::Malformed, "xz/lzma stream is truncated");
    if (rc == LZMA_BUF_ERROR) continue;
    return fail(Errc::Malformed, "xz/lzma stream is corrupt (lzma_ret " + std::to_string(static_cast<int>(rc)) + ")");
  }
  return {};
}

Result<void> unzstd(std::span<const std::byte> in, Output& out) {
  std::unique_ptr<ZSTD_DCtx, decltype(&ZSTD_freeDCtx)> dctx(ZSTD_createDCtx(), &ZSTD_freeDCtx);
  if (!dctx) return fail(Errc::Internal, "ZSTD_createDCtx failed");
  // Kernel images are compressed with `zstd -22 --ultra` (window log 27 at most); refuse more.
  ZSTD_DCtx_setParameter(dctx.get(), ZSTD_d_windowLogMax, 27);
  ZSTD_inBuffer ib{in.data(), in.size(), 0};
  for (;;) {
    if (auto end = out.make_space()) return *end;
    ZSTD_outBuffer ob{out.tail(), out.tail_size(), 0};
    const std::size_t rc = ZSTD_decompressStream(dctx.get(), &ob, &ib);
    out.advance(ob.pos);
    if (ZSTD_isError(rc)) return fail(Errc::Malformed, std::string("zstd: ") + ZSTD_getErrorName(rc));
    if (rc == 0) break;  // first frame complete
    if (ib.pos == ib.size && ob.pos < ob.size) return fail(Errc::Malformed, "zstd stream is truncated");
  }
  return {};
}

/// lz4 "legacy" frames as written by `lz4 -l` for the kernel: magic, then blocks of
/// [u32le compressed size][data], each expanding to at most 8 MiB. The stream has no end marker:
/// like lib/decompress_unlz4.c we stop at the input end, at a repeated magic, or at a size field
/// that cannot be a block (the 4-byte appended image size follows the last block).
Result<void> unlz4_legacy(std::span<const std::byte> in, Output& out) {
  constexpr std::uint32_t kMagic = 0x184C2102;
  if (read_le<std::uint32_t>(in, 0) != kMagic) return fail(Errc::Malformed, "lz4: bad legacy magic");
  std::size_t pos = 4;
  std::size_t blocks = 0;
  while (in.size() - pos >= 4) {
    const std::uint32_t csize = read_le<std::uint32_t>(in, pos).value_or(0);  // inside: the loop condition
    if (csize == kMagic) { pos += 4; continue; }
    if (csize == 0 || csize > static_cast<std::uint32_t>(LZ4_compressBound(static_cast<int>(kLz4Block))) || csize > in.size() - pos - 4) break;
    if (auto end = out.make_space(kLz4Block)) return *end;
    const std::size_t room = std::min(kLz4Block, out.tail_size());
    const int n = LZ4_decompress_safe(reinterpret_cast<const char*>(in.data() + pos + 4),
                                      reinterpret_cast<char*>(out.tail()), static_cast<int>(csize),
                                      static_cast<int>(room));
    if (n < 0) {
      if (room < kLz4Block) return out.too_large();  // may simply not fit under the cap
      if (blocks == 0) return fail(Errc::Malformed, "lz4: corrupt block");
      break;  // a size field that happened to look plausible: the stream ended before it
    }
    out.advance(static_cast<std::size_t>(n));
    pos += 4 + csize;
    ++blocks;
  }
  if (blocks == 0) return fail(Errc::Malformed, "lz4: no block");
  return {};
}

Result<void> decode(KernelCompression format, std::span<const std::byte> input, Output& out) {
  switch (format) {
    case KernelCompression::Gzip: return gunzip(input, out);
    case KernelCompression::Xz: return unxz(input, false, out);
    case KernelCompression::Lzma: return unxz(input, true, out);
    case KernelCompression::Zstd: return unzstd(input, out);
    case KernelCompression::Lz4Legacy: return unlz4_legacy(input, out);
  }
  return fail(Errc::Unsupported, "unknown compression");
}

}  // namespace

std::optional<KernelCompression> sniff_compression(std::span<const std::byte> b) noexcept {
  auto is = [&](std::initializer_list<unsigned> magic) {
    if (b.size() < magic.size()) return false;
    std::size_t i = 0;
    for (unsigned m : magic)
      if (std::to_integer<unsigned>(b[i++]) != m) return false;
    return true;
  };
  if (is({0x1f, 0x8b, 0x08})) return KernelCompression::Gzip;
  if (is({0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00})) return KernelCompression::Xz;
  if (is({0x28, 0xb5, 0x2f, 0xfd})) return KernelCompression::Zstd;
  if (is({0x02, 0x21, 0x4c, 0x18})) return KernelCompression::Lz4Legacy;
  // lzma-alone: properties byte 0x5d (lc=3 lp=0 pb=2) and a power-of-two dictionary size.
  if (b.size() >= 13 && is({0x5d, 0x00, 0x00})) return KernelCompression::Lzma;
  return std::nullopt;
}

Result<std::vector<std::byte>> decompress_first_stream(KernelCompression format, std::span<const std::byte> input,
                                                       std::uint64_t max_output) {
  Output out(max_output, input.size());
  if (auto ok = decode(format, input, out); !ok) return std::unexpected(std::move(ok.error()));
  return std::move(out).finish();
}

Result<std::uint64_t> decompress_first_stream(KernelCompression format, std::span<const std::byte> input,
                                              std::uint64_t max_output, const ChunkSink& sink) {
  Output out(max_output, input.size(), &sink, format == KernelCompression::Lz4Legacy ? kLz4Block : 0);
  if (auto ok = decode(format, input, out); !ok) return std::unexpected(std::move(ok.error()));
  return out.finish_stream();
}

}  // namespace trustscan::verify::modsig
