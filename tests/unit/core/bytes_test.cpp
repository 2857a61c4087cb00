#include "core/bytes.hpp"

#include <array>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

namespace trustscan {
namespace {

constexpr std::array<std::byte, 6> kSix{std::byte{0x01}, std::byte{0x02}, std::byte{0x03},
                                        std::byte{0x04}, std::byte{0xfe}, std::byte{0xff}};

TEST_CASE("read_le and read_be read fields in either byte order", "[core][bytes]") {
  const std::span<const std::byte> b(kSix);
  CHECK(read_le<std::uint16_t>(b, 0) == 0x0201);
  CHECK(read_be<std::uint16_t>(b, 0) == 0x0102);
  CHECK(read_le<std::uint32_t>(b, 0) == 0x04030201u);
  CHECK(read_be<std::uint32_t>(b, 2) == 0x0304feffu);
  CHECK(read_le<std::uint8_t>(b, 5) == 0xff);
  CHECK(read_uint(b, 1, 3, ByteOrder::Big) == 0x020304u);
  CHECK(read_uint(b, 1, 3, ByteOrder::Little) == 0x040302u);
}

TEST_CASE("a field that does not lie wholly inside the span is nullopt", "[core][bytes]") {
  const std::span<const std::byte> b(kSix);
  CHECK_FALSE(read_le<std::uint32_t>(b, 3));
  CHECK_FALSE(read_be<std::uint64_t>(b, 0));
  CHECK_FALSE(read_le<std::uint8_t>(b, 6));
  // Offsets near the top of the range must not wrap round to a small offset.
  CHECK_FALSE(read_le<std::uint32_t>(b, std::numeric_limits<std::uint64_t>::max()));
  CHECK_FALSE(read_le<std::uint32_t>(b, std::numeric_limits<std::uint64_t>::max() - 2));
  CHECK_FALSE(read_uint(b, 0, 0, ByteOrder::Little));
  CHECK_FALSE(read_uint(b, 0, 9, ByteOrder::Little));
  CHECK_FALSE(read_le<std::uint16_t>(std::span<const std::byte>{}, 0));
}

TEST_CASE("spans of unsigned char and char are read alike", "[core][bytes]") {
  const std::vector<std::uint8_t> u{0x78, 0x56, 0x34, 0x12};
  const std::string c("\x78\x56\x34\x12", 4);
  CHECK(read_le<std::uint32_t>(std::span(u), 0) == 0x12345678u);
  CHECK(read_le<std::uint32_t>(std::span(c), 0) == 0x12345678u);
}

TEST_CASE("in_bounds and sub_span never overflow", "[core][bytes]") {
  constexpr auto kMax = std::numeric_limits<std::uint64_t>::max();
  CHECK(in_bounds(6, 0, 6));
  CHECK(in_bounds(6, 6, 0));
  CHECK_FALSE(in_bounds(6, 7, 0));
  CHECK_FALSE(in_bounds(6, 1, kMax));
  CHECK_FALSE(in_bounds(6, kMax, 1));
  const std::span<const std::byte> b(kSix);
  const auto mid = sub_span(b, 2, 3);
  REQUIRE(mid);
  CHECK(mid->size() == 3);
  CHECK(mid->data() == b.data() + 2);
  CHECK_FALSE(sub_span(b, 4, 3));
  CHECK_FALSE(sub_span(b, 2, kMax));
}

TEST_CASE("write_uint writes inside the span only", "[core][bytes]") {
  std::vector<std::uint8_t> buf(4, 0);
  const std::span<std::uint8_t> s(buf);
  CHECK(write_uint(s, 0, 2, ByteOrder::Big, 0xabcd));
  CHECK(buf == std::vector<std::uint8_t>{0xab, 0xcd, 0, 0});
  CHECK(write_uint(s, 1, 3, ByteOrder::Little, 0x112233));
  CHECK(buf == std::vector<std::uint8_t>{0xab, 0x33, 0x22, 0x11});
  CHECK_FALSE(write_uint(s, 2, 4, ByteOrder::Little, 0));
  CHECK_FALSE(write_uint(s, std::numeric_limits<std::uint64_t>::max(), 1, ByteOrder::Little, 0));
  CHECK(buf == std::vector<std::uint8_t>{0xab, 0x33, 0x22, 0x11});  // refused writes change nothing
}

TEST_CASE("ByteCursor reads in sequence and stops at the end without moving", "[core][bytes]") {
  ByteCursor c(std::span<const std::byte>(kSix), ByteOrder::Big);
  CHECK(c.read<std::uint16_t>() == 0x0102);
  CHECK(c.position() == 2);
  const auto two = c.take(2);
  REQUIRE(two);
  CHECK(read_be<std::uint16_t>(*two, 0) == 0x0304);
  CHECK_FALSE(c.read<std::uint32_t>());  // 2 bytes left
  CHECK(c.position() == 4);
  CHECK_FALSE(c.take(3));
  CHECK_FALSE(c.skip(3));
  CHECK(c.remaining() == 2);
  CHECK(c.read<std::uint16_t>() == 0xfeff);
  CHECK(c.empty());
  CHECK_FALSE(c.read<std::uint8_t>());
  CHECK(c.seek(1));
  CHECK(c.read<std::uint8_t>() == 0x02);
  CHECK_FALSE(c.seek(7));
  CHECK(c.position() == 2);
}

}  // namespace
}  // namespace trustscan
