#pragma once
/// \file
/// Random access to one file's bytes, whether they are in memory or read on demand (issue 16,
/// "every binary verified whatever its size"). The verifiers, the hashes and the rules take a
/// ByteSource instead of a span, so that a file above the streaming threshold is verified by the
/// same code as a small one, reading only the ranges it needs (headers and signature blobs with
/// pread, signed contents in chunks), and is never held whole.
///
/// A read returns a view: into the bytes themselves for a SpanSource (no copy), into the caller's
/// `scratch` buffer for a file read on demand (io::StreamedFile). The view stays valid until the
/// next read with the same scratch buffer.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "core/deadline.hpp"
#include "core/error.hpp"

namespace trustscan {

/// A file's bytes as ranges. Implementations are read-only; read() may be called from one thread
/// at a time unless the implementation says otherwise.
class ByteSource {
 public:
  virtual ~ByteSource() = default;
  /// The file's size in bytes.
  [[nodiscard]] virtual std::uint64_t size() const noexcept = 0;
  /// Bytes [offset, offset + length). Errc::Malformed when the range is not inside size();
  /// Errc::Io when the file cannot be read (or ends early: it shrank since it was opened).
  [[nodiscard]] virtual Result<std::span<const std::byte>> read(std::uint64_t offset, std::size_t length,
                                                                std::vector<std::byte>& scratch) const = 0;
  /// All the bytes when they are in memory (no copy); nullopt for a file read on demand.
  [[nodiscard]] virtual std::optional<std::span<const std::byte>> in_memory() const noexcept { return std::nullopt; }
};

/// A ByteSource over bytes already in memory; reads are views into them.
class SpanSource final : public ByteSource {
 public:
  explicit SpanSource(std::span<const std::byte> bytes) noexcept : bytes_(bytes) {}
  [[nodiscard]] std::uint64_t size() const noexcept override { return bytes_.size(); }
  [[nodiscard]] Result<std::span<const std::byte>> read(std::uint64_t offset, std::size_t length,
                                                        std::vector<std::byte>& /*scratch*/) const override {
    if (offset > bytes_.size() || length > bytes_.size() - offset)
      return fail(Errc::Malformed,
                  "range [" + std::to_string(offset) + ", +" + std::to_string(length) + ") lies outside the file");
    return bytes_.subspan(static_cast<std::size_t>(offset), length);
  }
  [[nodiscard]] std::optional<std::span<const std::byte>> in_memory() const noexcept override { return bytes_; }

 private:
  std::span<const std::byte> bytes_;
};

/// Chunk size of for_each_chunk() for a file read on demand (memory held per pass).
inline constexpr std::size_t kStreamChunk = std::size_t{1} << 20;

/// Piece size of for_each_chunk() for bytes in memory: large enough to cost nothing per call,
/// small enough that the time budget (core/deadline.hpp) is checked every few milliseconds.
inline constexpr std::size_t kMemoryChunk = std::size_t{8} << 20;

/// Calls `fn(std::span<const std::byte>)` over [from, to) of `src` in consecutive pieces of at
/// most `chunk` bytes (kMemoryChunk for bytes in memory). Stops at the first read error, at the
/// thread's deadline (Errc::Timeout, checked before each piece), and when `fn` returns bool, as
/// soon as it returns false (nothing further is read).
template <typename Fn>
Result<void> for_each_chunk(const ByteSource& src, std::uint64_t from, std::uint64_t to, Fn&& fn,
                            std::size_t chunk = kStreamChunk) {
  if (from > to || to > src.size()) return fail(Errc::Malformed, "range lies outside the file");
  const std::optional<std::span<const std::byte>> whole = src.in_memory();
  if (whole) chunk = kMemoryChunk;
  std::vector<std::byte> scratch;
  for (std::uint64_t pos = from; pos < to;) {
    if (auto in_time = check_deadline("reading and hashing the file"); !in_time) return in_time;
    const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(chunk, to - pos));
    auto piece = whole ? Result<std::span<const std::byte>>(whole->subspan(static_cast<std::size_t>(pos), n))
                       : src.read(pos, n, scratch);
    if (!piece) return std::unexpected(piece.error());
    if constexpr (std::is_same_v<std::invoke_result_t<Fn&, std::span<const std::byte>>, bool>) {
      if (!fn(*piece)) break;
    } else {
      fn(*piece);
    }
    pos += n;
  }
  return {};
}

}  // namespace trustscan
