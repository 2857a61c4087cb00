#include "io/hashing.hpp"

#include <catch2/catch.hpp>

using namespace trustscan;

TEST_CASE("sha256 and md5 match the standard test vectors", "[io]") {
  std::string_view abc = "abc";
  auto bytes = std::as_bytes(std::span(abc));
  CHECK(io::sha256_hex(bytes) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(io::md5_hex(bytes) == "900150983cd24fb0d6963f7d28e17f72");
  CHECK(io::sha256_hex({}) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST_CASE("to_hex is lower-case and byte-exact", "[io]") {
  const std::byte b[] = {std::byte{0x00}, std::byte{0xab}, std::byte{0xff}};
  CHECK(io::to_hex(b) == "00abff");
}
