#include "io/decompress.hpp"

#include <catch2/catch.hpp>

#include "support/bytes.hpp"
#include "support/temp_tree.hpp"

using namespace trustscan;

TEST_CASE("compressed kernel modules decompress to the original bytes", "[io]") {
  auto dir = test::samples_dir() / "elf";
  std::string plain = test::read_file(dir / "demo.ko");
  REQUIRE(!plain.empty());
  auto kind = GENERATE(std::pair{Compression::Xz, "demo.ko.xz"}, std::pair{Compression::Zstd, "demo.ko.zst"});
  std::string packed = test::read_file(dir / kind.second);
  auto out = io::decompress(kind.first, test::bytes(packed), 1u << 20);
  REQUIRE(out);
  CHECK(std::string(reinterpret_cast<const char*>(out->data()), out->size()) == plain);

  SECTION("a cap below the real size is refused, not truncated") {
    auto capped = io::decompress(kind.first, test::bytes(packed), plain.size() / 2);
    REQUIRE_FALSE(capped);
    CHECK(capped.error().code == Errc::TooLarge);
  }
  SECTION("a truncated stream is malformed") {
    auto cut = io::decompress(kind.first, test::bytes(packed.substr(0, packed.size() / 2)), 1u << 20);
    REQUIRE_FALSE(cut);
    CHECK(cut.error().code == Errc::Malformed);
  }
  SECTION("garbage is malformed") {
    std::string junk = packed.substr(0, 6) + std::string(200, '\x55');
    auto bad = io::decompress(kind.first, test::bytes(junk), 1u << 20);
    REQUIRE_FALSE(bad);
    CHECK(bad.error().code == Errc::Malformed);
  }
}
