#include "core/ascii.hpp"

#include <catch2/catch.hpp>
#include <string>

using namespace trustscan;

static_assert(is_ascii("plain") && !is_ascii("caf\xc3\xa9"));  // the constant-evaluated form

TEST_CASE("is_ascii finds a byte above 0x7f at any position and length", "[core]") {
  CHECK(is_ascii(""));
  for (std::size_t size = 1; size <= 33; ++size) {
    const std::string text(size, 'a');
    CHECK(is_ascii(text));
    for (std::size_t at = 0; at < size; ++at)
      for (unsigned char high : {0x80, 0xc3, 0xff}) {
        std::string s = text;
        s[at] = static_cast<char>(high);
        INFO("size " << size << ", byte " << int(high) << " at " << at);
        CHECK_FALSE(is_ascii(s));
      }
  }
  CHECK(is_ascii(std::string("\x00\x7f\x01", 3)));  // control characters and NUL are ASCII
}
