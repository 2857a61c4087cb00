#include "parse/prepare.hpp"

#include <catch2/catch.hpp>

#include "parse/parser.hpp"
#include "support/bytes.hpp"
#include "support/temp_tree.hpp"

using namespace trustscan;
using test::bytes;
using test::le;

namespace {

std::string sample(const char* rel) {
  std::string s = test::read_file(test::samples_dir() / rel);
  REQUIRE(!s.empty());
  return s;
}

}  // namespace

TEST_CASE("a forged PE NumberOfSections is refused before LIEF sees it", "[parse]") {
  std::string pe = sample("pe/hello.exe");
  const auto lfanew = static_cast<std::uint32_t>(le(pe, 0x3c, 4));
  pe[lfanew + 6] = '\x00';
  pe[lfanew + 7] = '\x80';  // 32768 sections: LIEF 0.9 would allocate gigabytes
  auto r = parse::prepare_for_lief(Format::Pe, bytes(pe), Limits{});
  REQUIRE_FALSE(r);
  CHECK(r.error().code == Errc::Malformed);
  CHECK_THAT(r.error().message, Catch::Contains("NumberOfSections 32768"));
  auto parsed = parse::parse_binary(Format::Pe, bytes(pe), Limits{});
  CHECK_FALSE(parsed);
}

TEST_CASE("a PE's COFF symbol table is hidden from LIEF on the copy only", "[parse]") {
  std::string pe = sample("pe/hello.exe");
  const auto lfanew = static_cast<std::uint32_t>(le(pe, 0x3c, 4));
  auto plain = parse::parse_binary(Format::Pe, bytes(pe), Limits{});
  REQUIRE(plain);
  // Two symbols and an empty string table at the end of the file, as MinGW writes them.
  const auto table = static_cast<std::uint32_t>(pe.size());
  pe.append(2 * 18, '\0');
  pe.append("\x04\0\0\0", 4);
  for (unsigned i = 0; i < 4; ++i) {
    pe[lfanew + 12 + i] = static_cast<char>(table >> (8 * i));
    pe[lfanew + 16 + i] = static_cast<char>(i == 0 ? 2 : 0);
  }
  auto r = parse::prepare_for_lief(Format::Pe, bytes(pe), Limits{});
  REQUIRE(r);
  CHECK(le(r->bytes, lfanew + 12, 4) == 0);
  CHECK(le(r->bytes, lfanew + 16, 4) == 0);
  std::vector<std::uint8_t> buffer(pe.begin(), pe.end());
  auto in_place = parse::parse_binary(Format::Pe, buffer, Limits{});
  REQUIRE(in_place);
  CHECK(le(buffer, lfanew + 12, 4) == table);  // restored
  CHECK(le(buffer, lfanew + 16, 4) == 2);
  CHECK(in_place->libraries == plain->libraries);
  CHECK(in_place->pe->layout.sections.size() == plain->pe->layout.sections.size());
}

TEST_CASE("relocation sections of a kernel module are retyped on the copy only", "[parse]") {
  std::string ko = sample("elf/demo.ko");
  auto r = parse::prepare_for_lief(Format::Elf, bytes(ko), Limits{});
  REQUIRE(r);
  const auto& b = r->bytes;
  std::uint64_t shoff = le(b, 0x28, 4);
  unsigned shnum = le(b, 0x3c, 2);
  int rel_in_original = 0, rel_in_copy = 0;
  for (unsigned i = 0; i < shnum; ++i) {
    std::size_t at = shoff + i * 64 + 4;
    auto orig = static_cast<std::uint8_t>(ko[at]);
    rel_in_original += orig == 4 || orig == 9;
    rel_in_copy += b[at] == 4 || b[at] == 9;
  }
  CHECK(rel_in_original > 0);
  CHECK(rel_in_copy == 0);
}

TEST_CASE("parse_binary gives a LIEF-free model of each sample", "[parse]") {
  SECTION("PE driver with version info and kernel imports") {
    auto m = parse::parse_binary(Format::Pe, bytes(sample("pe/driver.sys")), Limits{});
    REQUIRE(m);
    REQUIRE(m->pe);
    CHECK(m->pe->subsystem == "NATIVE");
    CHECK(m->pe->version_info.at("CompanyName") == "Example Driver Vendor Ltd");
    CHECK(m->pe->version_info.at("OriginalFilename") == "driver.sys");
    CHECK(std::ranges::find(m->libraries, "ntoskrnl.exe") != m->libraries.end());
    CHECK(m->pe->imphash.size() == 32);
    CHECK(m->architecture == "x86_64");
  }
  SECTION("kernel module .modinfo and appended signature") {
    auto plain = parse::parse_binary(Format::Elf, bytes(sample("elf/demo.ko")), Limits{});
    auto signed_ko = parse::parse_binary(Format::Elf, bytes(sample("elf/demo-signed.ko")), Limits{});
    REQUIRE(plain);
    REQUIRE(signed_ko);
    CHECK(plain->elf->elf_type == "REL");
    CHECK(plain->elf->modinfo.at("name") == "demo");
    CHECK(plain->elf->modinfo.at("license") == "GPL");
    CHECK(plain->elf->modinfo.at("vermagic").starts_with("6.1.0-99-amd64 SMP"));
    CHECK_FALSE(plain->elf->has_module_signature);
    CHECK(signed_ko->elf->has_module_signature);
  }
  SECTION("fat Mach-O: every slice") {
    auto m = parse::parse_binary(Format::MachOFat, bytes(sample("macho/hello-fat")), Limits{});
    REQUIRE(m);
    REQUIRE(m->macho_slices.size() == 2);
    CHECK(m->macho_slices[0].cpu_type != m->macho_slices[1].cpu_type);
    CHECK(m->macho_slices[1].offset > 0);
    CHECK(m->architecture == "universal");
  }
  SECTION("broken inputs are errors, not crashes") {
    CHECK_FALSE(parse::parse_binary(Format::Elf, bytes(std::string("\x7f" "ELF")), Limits{}));
    CHECK_FALSE(parse::parse_binary(Format::Pe, bytes(sample("other/truncated.exe")), Limits{}));
    std::string junk = sample("pe/hello.exe").substr(0, 1024) + std::string(4096, '\xff');
    auto j = parse::parse_binary(Format::Pe, bytes(junk), Limits{});
    if (j) CHECK(j->pe);  // LIEF may accept a header-only PE; it must not crash either way
  }
}

TEST_CASE("a module's __ksymtab_ symbols are counted on the copy and its symbol table hidden from LIEF", "[parse]") {
  std::string ko = sample("modsig/demo.ko");
  // modsig/demo.ko's MODINFO() arrays are the local symbols __modinfo_<tag>; renamed to __ksymtab_<tag>
  // (same length, only the string table changes) they count as five exports.
  std::size_t renamed = 0;
  for (std::size_t at = ko.find("__modinfo_"); at != std::string::npos; at = ko.find("__modinfo_", at + 1)) {
    ko.replace(at, 10, "__ksymtab_");
    ++renamed;
  }
  REQUIRE(renamed == 5);
  auto r = parse::prepare_for_lief(Format::Elf, bytes(ko), Limits{});
  REQUIRE(r);
  REQUIRE(r->elf_exports);
  CHECK(*r->elf_exports == 5);
  std::uint64_t shoff = le(r->bytes, 0x28, 4);
  unsigned shnum = le(r->bytes, 0x3c, 2);
  int symtab_in_original = 0, symtab_in_copy = 0;
  for (unsigned i = 0; i < shnum; ++i) {
    std::size_t at = shoff + i * 64 + 4;
    symtab_in_original += static_cast<std::uint8_t>(ko[at]) == 2;
    symtab_in_copy += r->bytes[at] == 2;
  }
  CHECK(symtab_in_original == 1);
  CHECK(symtab_in_copy == 0);
  auto m = parse::parse_binary(Format::Elf, bytes(ko), Limits{});
  REQUIRE(m);
  CHECK(m->exports_count == 5);
  auto plain = parse::parse_binary(Format::Elf, bytes(sample("modsig/demo.ko")), Limits{});
  REQUIRE(plain);
  CHECK(plain->exports_count == 0);
}

TEST_CASE("parsing in place gives the copy's model and leaves the buffer as it was", "[parse]") {
  struct Case {
    const char* sample;
    Format format;
  };
  const auto c = GENERATE(values<Case>({{"pe/driver.sys", Format::Pe},
                                        {"pe/hello.exe", Format::Pe},
                                        {"modsig/demo-signed.ko", Format::Elf},
                                        {"elf/demo.ko", Format::Elf},
                                        {"macho/hello-fat", Format::MachOFat}}));
  INFO(c.sample);
  const std::string original = sample(c.sample);
  std::vector<std::uint8_t> buffer(original.begin(), original.end());
  auto copy = parse::parse_binary(c.format, bytes(original), Limits{});
  auto in_place = parse::parse_binary(c.format, buffer, Limits{});
  CHECK(std::equal(buffer.begin(), buffer.end(), original.begin(), original.end(),
                   [](std::uint8_t a, char b) { return a == static_cast<std::uint8_t>(b); }));
  REQUIRE(copy);
  REQUIRE(in_place);
  CHECK(in_place->architecture == copy->architecture);
  CHECK(in_place->libraries == copy->libraries);
  CHECK(in_place->exports_count == copy->exports_count);
  CHECK(in_place->warnings == copy->warnings);
  CHECK(in_place->macho_slices.size() == copy->macho_slices.size());
  if (copy->elf) CHECK(in_place->elf->modinfo == copy->elf->modinfo);
  if (copy->pe) CHECK(in_place->pe->layout.sections.size() == copy->pe->layout.sections.size());

  // The rewrites were made: in place they show while LIEF reads, and are gone after.
  auto prepared = parse::prepare_in_place(c.format, buffer, Limits{});
  REQUIRE(prepared);
  if (c.format == Format::Elf) CHECK_FALSE(prepared->undo.empty());
  parse::undo_in_place(buffer, *prepared);
  CHECK(std::equal(buffer.begin(), buffer.end(), original.begin(), original.end(),
                   [](std::uint8_t a, char b) { return a == static_cast<std::uint8_t>(b); }));
}

TEST_CASE("a refused in-place preparation leaves nothing changed", "[parse]") {
  // Section 0's raw size is clamped (a change), then the table runs past the end of the file.
  std::string pe = sample("pe/hello.exe");
  const auto lfanew = static_cast<std::uint32_t>(le(pe, 0x3c, 4));
  const auto opt = static_cast<std::uint32_t>(le(pe, lfanew + 20, 2));
  std::size_t table = lfanew + 24 + opt;
  pe[table + 16] = pe[table + 17] = pe[table + 18] = '\xff';  // raw size of section 0: clamped
  pe[lfanew + 6] = '\x60';                                    // 96 sections: the table overruns
  pe[lfanew + 7] = '\x00';
  pe.resize(table + 3 * 40);
  std::vector<std::uint8_t> buffer(pe.begin(), pe.end());
  auto r = parse::prepare_in_place(Format::Pe, buffer, Limits{});
  REQUIRE_FALSE(r);
  CHECK(std::equal(buffer.begin(), buffer.end(), pe.begin(), pe.end(),
                   [](std::uint8_t a, char b) { return a == static_cast<std::uint8_t>(b); }));
}
