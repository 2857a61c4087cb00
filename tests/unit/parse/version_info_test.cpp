// VS_VERSIONINFO reader (parse/version_info.hpp): layout, tolerance of real-world mistakes, and
// bounds on every truncation of a valid resource.
#include "parse/version_info.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

using namespace trustscan;

namespace {

/// Builds one block: header, UTF-16 key, padding, value, padding, children (lengths patched).
struct BlockWriter {
  std::vector<std::byte> out;
  void u16(std::uint32_t v) {
    out.push_back(static_cast<std::byte>(v & 0xff));
    out.push_back(static_cast<std::byte>(v >> 8 & 0xff));
  }
  void pad() {
    while (out.size() % 4) out.push_back(std::byte{0});
  }
  void wstr(std::u16string_view s) {
    for (char16_t c : s) u16(c);
    u16(0);
  }
  /// Appends a block; `children` are complete blocks already built.
  void block(std::u16string_view key, std::u16string_view text_value, std::uint32_t value_length_field,
             const std::vector<std::vector<std::byte>>& children = {}) {
    const std::size_t start = out.size();
    u16(0);
    u16(value_length_field);
    u16(text_value.empty() ? 0 : 1);
    wstr(key);
    pad();
    if (!text_value.empty()) wstr(text_value);
    for (const auto& c : children) {
      pad();
      out.insert(out.end(), c.begin(), c.end());
    }
    const std::size_t len = out.size() - start;
    out[start] = static_cast<std::byte>(len & 0xff);
    out[start + 1] = static_cast<std::byte>(len >> 8);
  }
};

std::vector<std::byte> string_block(std::u16string_view key, std::u16string_view value, std::uint32_t vlen) {
  BlockWriter w;
  w.block(key, value, vlen);
  return w.out;
}

std::vector<std::byte> version_resource() {
  BlockWriter en, de, sfi, root;
  en.block(u"040904b0", u"", 0,
           {string_block(u"CompanyName", u"Acme Corp", 10), string_block(u"FileDescription", u"Driver \U0001F600", 0),
            string_block(u"ProductName", u"Acme", 4 /* bytes, not characters: a common mistake */)});
  de.block(u"040704b0", u"", 0, {string_block(u"CompanyName", u"Acme GmbH", 10)});
  sfi.block(u"StringFileInfo", u"", 0, {en.out, de.out});
  BlockWriter vfi;
  vfi.block(u"VarFileInfo", u"", 0);
  root.block(u"VS_VERSION_INFO", u"", 0, {sfi.out, vfi.out});
  return root.out;
}

}  // namespace

TEST_CASE("version strings come out in file order, whatever wValueLength says", "[parse][version_info]") {
  const auto res = version_resource();
  const auto strings = parse::read_version_strings(res, 4096);
  REQUIRE(strings.size() == 4);
  CHECK(strings[0] == std::pair<std::string, std::string>{"CompanyName", "Acme Corp"});
  CHECK(strings[1] == std::pair<std::string, std::string>{"FileDescription", "Driver \xF0\x9F\x98\x80"});
  CHECK(strings[2] == std::pair<std::string, std::string>{"ProductName", "Acme"});
  CHECK(strings[3] == std::pair<std::string, std::string>{"CompanyName", "Acme GmbH"});
  CHECK(parse::read_version_strings(res, 3)[0].second == "Acm");
}

TEST_CASE("every truncation and forged length of a version resource stays in bounds",
          "[parse][version_info]") {
  const auto res = version_resource();
  for (std::size_t n = 0; n < res.size(); ++n) {
    // A prefix is a separate allocation, so ASan sees any read past it.
    const std::vector<std::byte> prefix(res.begin(), res.begin() + static_cast<std::ptrdiff_t>(n));
    CHECK(parse::read_version_strings(prefix, 4096).size() <= 4);
  }
  for (std::size_t at = 0; at + 1 < res.size(); at += 2) {
    auto forged = res;
    forged[at] = std::byte{0xff};
    forged[at + 1] = std::byte{0xff};
    CHECK(parse::read_version_strings(forged, 4096).size() <= 4);
  }
}

TEST_CASE("utf16le_to_utf8 pairs surrogates and replaces lone ones", "[parse][version_info]") {
  const std::vector<std::byte> lone{std::byte{0x00}, std::byte{0xd8}, std::byte{0x41}, std::byte{0x00}};
  CHECK(parse::utf16le_to_utf8(lone, 100) == "\xEF\xBF\xBD" "A");
  const std::vector<std::byte> nul{std::byte{0x41}, std::byte{0}, std::byte{0}, std::byte{0}, std::byte{0x42}, std::byte{0}};
  CHECK(parse::utf16le_to_utf8(nul, 100) == "A");
}
