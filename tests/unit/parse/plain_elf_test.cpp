// ELF relocatable objects read without LIEF (parse::plain_relocatable_model): on every module it
// takes, the model is the one LIEF gives after prepare_for_lief; anything else is left to LIEF.
#include <catch2/catch.hpp>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <optional>
#include <sstream>
#include <string>

#include "parse/parser.hpp"
#include "support/bytes.hpp"
#include "support/lief_model.hpp"
#include "support/temp_tree.hpp"

using namespace trustscan;
using test::bytes;
namespace fs = std::filesystem;

namespace {

/// What LIEF makes of `file` (parse_binary's path before the plain one existed).
parse::BinaryModel lief_model(std::span<const std::byte> file) {
  return test::lief_model(Format::Elf, file, parse::extract_elf);
}

void check_same_as_lief(const std::string& content, const std::string& what) {
  INFO(what);
  const auto plain = parse::plain_relocatable_model(bytes(content), Limits{});
  REQUIRE(plain);
  const parse::BinaryModel lief = lief_model(bytes(content));
  CHECK(plain->architecture == lief.architecture);
  CHECK(plain->bits == lief.bits);
  CHECK(plain->entry_point == lief.entry_point);
  CHECK(plain->libraries == lief.libraries);
  CHECK(plain->exports_count == lief.exports_count);
  REQUIRE(plain->elf);
  REQUIRE(lief.elf);
  CHECK(plain->elf->modinfo == lief.elf->modinfo);
  CHECK(*plain->elf == *lief.elf);
  CHECK(*plain == lief);  // every field
}

/// e_shoff of a little-endian 64-bit ELF file.
std::uint64_t section_table(const std::string& elf) {
  std::uint64_t v = 0;
  std::memcpy(&v, elf.data() + 0x28, sizeof v);
  return v;
}

std::string with_ksymtab_exports() {
  // modsig/demo.ko's MODINFO() arrays are the local symbols __modinfo_<tag>; renamed to
  // __ksymtab_<tag> (same length) they count as five exports (prepare_test.cpp).
  std::string ko = test::read_file(test::samples_dir() / "modsig" / "demo.ko");
  for (std::size_t at = ko.find("__modinfo_"); at != std::string::npos; at = ko.find("__modinfo_", at + 1))
    ko.replace(at, 10, "__ksymtab_");
  return ko;
}

/// The `__ksymtab_` symbols of `path` as binutils' readelf lists them: a count made outside
/// trustscan (both models above take it from prepare.cpp's count_ksymtab_symbols).
std::optional<std::size_t> readelf_ksymtab_count(const fs::path& path) {
  const std::string command = "readelf -sW '" + path.string() + "' 2>/dev/null";
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return std::nullopt;
  std::size_t n = 0;
  char line[4096];
  while (std::fgets(line, sizeof line, pipe) != nullptr) {
    std::istringstream fields(line);
    std::string field, name;
    for (int i = 0; i < 8 && fields >> field; ++i) name = i == 7 ? field : name;
    n += name.starts_with("__ksymtab_");
  }
  return ::pclose(pipe) == 0 ? std::optional(n) : std::nullopt;
}

}  // namespace

TEST_CASE("a plain module read without LIEF has LIEF's model", "[parse][elf]") {
  for (const char* rel : {"elf/demo.ko", "elf/demo-signed.ko", "modsig/demo-signed.ko", "modsig/demo-intree-signed.ko",
                          "modsig/demo-signed-sha512.ko", "modsig/demo-signed-truncated.ko"})
    check_same_as_lief(test::read_file(test::samples_dir() / rel), rel);
  const std::string exported = with_ksymtab_exports();
  check_same_as_lief(exported, "five __ksymtab_ symbols");
  CHECK(parse::plain_relocatable_model(bytes(exported), Limits{})->exports_count == 5);
}

TEST_CASE("real kernel modules read without LIEF have LIEF's model", "[parse][elf][real]") {
  const fs::path modules = test::real_tree() / "lib" / "modules";
  if (!test::real_tree_has(modules)) return;
  std::size_t seen = 0, checked = 0, exporting = 0;
  for (const auto& entry : fs::recursive_directory_iterator(modules)) {
    if (!entry.is_regular_file() || entry.path().extension() != ".ko" || seen++ % 25 != 0) continue;
    const std::string content = test::read_file(entry.path());
    check_same_as_lief(content, entry.path().string());
    const auto counted = readelf_ksymtab_count(entry.path());
    REQUIRE(counted);  // binutils is a build dependency
    CHECK(parse::plain_relocatable_model(bytes(content), Limits{})->exports_count == *counted);
    exporting += *counted > 0;
    ++checked;
  }
  CHECK(checked > 20);
  CHECK(exporting > 5);
}

TEST_CASE("ELF files that are not plain relocatables are left to LIEF", "[parse][elf]") {
  const std::string ko = test::read_file(test::samples_dir() / "elf" / "demo.ko");
  REQUIRE(parse::plain_relocatable_model(bytes(ko), Limits{}));
  SECTION("executables and shared objects") {
    for (const char* rel : {"elf/hello", "elf/libdemo.so"})
      CHECK_FALSE(parse::plain_relocatable_model(bytes(test::read_file(test::samples_dir() / rel)), Limits{}));
  }
  SECTION("a section that runs past the end of the file (prepare_for_lief would clamp it)") {
    const std::uint64_t shoff = section_table(ko);
    std::string forged = ko;
    const std::size_t size_at = shoff + 64 * 1 + 0x20;
    for (unsigned i = 0; i < 8; ++i) forged[size_at + i] = '\x7f';
    CHECK_FALSE(parse::plain_relocatable_model(bytes(forged), Limits{}));
    auto m = parse::parse_binary(Format::Elf, bytes(forged), Limits{});
    REQUIRE(m);
    CHECK_FALSE(m->warnings.empty());  // LIEF's path, with the clamp said
  }
  SECTION("big-endian and truncated headers") {
    std::string big = ko;
    big[5] = '\x02';
    CHECK_FALSE(parse::plain_relocatable_model(bytes(big), Limits{}));
    CHECK_FALSE(parse::plain_relocatable_model(bytes(ko.substr(0, 63)), Limits{}));
    CHECK_FALSE(parse::plain_relocatable_model(bytes(ko.substr(0, ko.size() / 2)), Limits{}));
  }
  SECTION("a section name outside the name table") {
    std::string forged = ko;
    const std::uint64_t shoff = section_table(ko);
    for (unsigned i = 0; i < 4; ++i) forged[shoff + 64 + i] = '\x7f';  // sh_name of section 1
    CHECK_FALSE(parse::plain_relocatable_model(bytes(forged), Limits{}));
  }
}
