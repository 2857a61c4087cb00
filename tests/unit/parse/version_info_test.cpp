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

/// A VS_VERSION_INFO root block whose value is a VS_FIXEDFILEINFO (`value_length` as given) for
/// file version `ms`:`ls`, followed by the usual StringFileInfo.
std::vector<std::byte> fixed_info_resource(std::uint32_t signature, std::uint32_t ms, std::uint32_t ls,
                                           std::uint32_t value_length = 52) {
  BlockWriter w;
  w.u16(0);
  w.u16(value_length);
  w.u16(0);
  w.wstr(u"VS_VERSION_INFO");
  w.pad();
  const std::uint32_t fixed[13] = {signature, 0x00010000, ms, ls, ms, ls, 0x3f, 0, 0x40004, 3, 7, 0, 0};
  for (std::uint32_t v : fixed) {
    w.u16(v & 0xffff);
    w.u16(v >> 16);
  }
  const auto strings = version_resource();
  w.out.insert(w.out.end(), strings.begin(), strings.end());
  w.out[0] = static_cast<std::byte>(w.out.size() & 0xff);
  w.out[1] = static_cast<std::byte>(w.out.size() >> 8);
  return w.out;
}

}  // namespace

TEST_CASE("the binary file version is read from VS_FIXEDFILEINFO", "[parse][version_info]") {
  const auto res = fixed_info_resource(0xFEEF04BD, 0x000A0000, 0x4A610001);  // 10.0.19041.1
  const auto version = parse::read_fixed_file_version(res);
  REQUIRE(version);
  CHECK(*version == FileVersion::from_parts(10, 0, 19041, 1));
  CHECK(version->to_string() == "10.0.19041.1");
  CHECK_FALSE(parse::read_fixed_file_version(fixed_info_resource(0xFEEF04BC, 1, 1)));  // bad signature
  CHECK_FALSE(parse::read_fixed_file_version(fixed_info_resource(0xFEEF04BD, 1, 1, 8)));  // value too short
  CHECK_FALSE(parse::read_fixed_file_version(version_resource()));  // no value at all
  for (std::size_t n = 0; n < res.size(); ++n) {
    const std::vector<std::byte> prefix(res.begin(), res.begin() + static_cast<std::ptrdiff_t>(n));
    CHECK_FALSE(parse::read_fixed_file_version(prefix));  // the root block's length no longer fits
  }
}

TEST_CASE("file versions compare part by part and parse only a.b.c.d", "[parse][version_info]") {
  CHECK(FileVersion::from_parts(10, 0, 0, 0) > FileVersion::from_parts(9, 65535, 65535, 65535));
  CHECK(FileVersion::from_parts(1, 2, 3, 4) < FileVersion::from_parts(1, 2, 4, 0));
  CHECK(FileVersion::parse("65535.65535.65535.65535") == FileVersion::max());
  CHECK(FileVersion::parse("1.0.2312.65535") == FileVersion::from_parts(1, 0, 2312, 65535));
  for (const char* bad : {"", "1.2.3", "1.2.3.4.5", "1.2.3.65536", "1.2.-3.4", "1.2.3.4 ", " 1.2.3.4", "1..3.4",
                          "1.2.3.x", "+1.2.3.4"})
    CHECK_FALSE(FileVersion::parse(bad));
}

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
