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

TEST_CASE("sha256_with_prefix gives the whole digest and the prefix digest of one pass", "[io]") {
  std::string data(200'000, '\0');
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 131 % 251);
  auto bytes = std::as_bytes(std::span(data));
  for (std::size_t prefix : {std::size_t{0}, std::size_t{1}, std::size_t{63}, std::size_t{64}, std::size_t{150'001},
                             data.size()}) {
    INFO(prefix);
    io::Sha256WithPrefix h = io::sha256_with_prefix(bytes, prefix);
    CHECK(h.hex == io::sha256_hex(bytes));
    CHECK(io::to_hex(std::as_bytes(std::span(h.prefix))) == io::sha256_hex(bytes.first(prefix)));
  }
  CHECK_THROWS(io::sha256_with_prefix(bytes, data.size() + 1));
}

TEST_CASE("file_digests gives SHA-256, and SHA-1 and MD5 when asked, over several chunks", "[io]") {
  std::string_view abc = "abc";
  const auto small = io::file_digests(std::as_bytes(std::span(abc)), {.sha256 = true, .sha1 = true, .md5 = true});
  CHECK(small.sha1 == "a9993e364706816aba3e25717850c26c9cd0d89d");  // FIPS 180 test vector
  CHECK(small.md5 == "900150983cd24fb0d6963f7d28e17f72");
  std::string data(200'000, '\0');  // > 3 chunks of 64 KiB, the last one partial
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 131 % 251);
  const auto bytes = std::as_bytes(std::span(data));
  const auto all = io::file_digests(bytes, {.sha256 = true, .sha1 = true, .md5 = true});
  CHECK(all.sha256 == io::sha256_hex(bytes));
  CHECK(all.md5 == io::md5_hex(bytes));
  CHECK(all.sha1.size() == 40);
  const auto only = io::file_digests(bytes, {.sha256 = true, .sha1 = false, .md5 = false});
  CHECK(only.sha256 == all.sha256);
  CHECK(only.sha1.empty());
  CHECK(only.md5.empty());
  CHECK(io::file_digests({}, {.sha256 = true, .sha1 = true, .md5 = false}).sha1 ==
        "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  const auto extra = io::file_digests(bytes, {.sha256 = false, .sha1 = true, .md5 = true});  // known-bad
  CHECK(extra.sha256.empty());
  CHECK(extra.sha1 == all.sha1);
  CHECK(extra.md5 == all.md5);
}
