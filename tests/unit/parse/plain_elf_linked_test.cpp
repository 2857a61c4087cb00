// ELF executables and shared objects read without LIEF (parse::plain_linked_model): on every file
// it takes, the model is the one LIEF gives after prepare_for_lief; anything else is left to LIEF.
#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "parse/parser.hpp"
#include "support/bytes.hpp"
#include "support/lief_model.hpp"
#include "support/temp_tree.hpp"

using namespace trustscan;
using test::bytes;
namespace fs = std::filesystem;

namespace {

/// The model, and whether the plain reader took the file; a file it took has LIEF's model.
bool check_same_as_lief(const std::string& content, const std::string& what) {
  INFO(what);
  const auto plain = parse::plain_linked_model(bytes(content), Limits{});
  if (!plain) return false;
  const parse::BinaryModel lief = test::lief_model(Format::Elf, bytes(content), parse::extract_elf);
  CHECK(plain->libraries == lief.libraries);
  CHECK(plain->exports_count == lief.exports_count);
  REQUIRE(plain->elf);
  REQUIRE(lief.elf);
  CHECK(plain->elf->interpreter == lief.elf->interpreter);
  CHECK(plain->elf->soname == lief.elf->soname);
  CHECK(*plain->elf == *lief.elf);
  CHECK(*plain == lief);  // every field
  return true;
}

/// A little-endian ELF file to forge, 32- or 64-bit: where its fields are, by its class.
struct Forge {
  std::string elf;

  [[nodiscard]] bool is64() const { return elf[4] == 2; }
  /// An address, offset or size (Elf_Addr, Elf_Off, a d_val): 8 or 4 bytes.
  [[nodiscard]] unsigned word() const { return is64() ? 8 : 4; }
  [[nodiscard]] std::uint64_t get(std::size_t at, unsigned width) const {
    std::uint64_t v = 0;
    std::memcpy(&v, elf.data() + at, width);
    return v;
  }
  void set(std::size_t at, unsigned width, std::uint64_t v) { std::memcpy(elf.data() + at, &v, width); }

  /// Where the program headers of `type` are, in their order.
  [[nodiscard]] std::vector<std::size_t> program_headers(std::uint32_t type) const {
    const std::uint64_t phoff = get(is64() ? 0x20 : 0x1c, word());
    const std::uint64_t phnum = get(is64() ? 0x38 : 0x2c, 2), size = is64() ? 56 : 32;
    std::vector<std::size_t> found;
    for (std::uint64_t at = phoff; at < phoff + phnum * size && at + size <= elf.size(); at += size)
      if (get(at, 4) == type) found.push_back(at);
    return found;
  }
  /// The first program header of `type`.
  [[nodiscard]] std::optional<std::size_t> program_header(std::uint32_t type) const {
    const auto all = program_headers(type);
    return all.empty() ? std::nullopt : std::optional<std::size_t>(all.front());
  }
  // A program header's fields.
  [[nodiscard]] std::size_t p_offset(std::size_t ph) const { return ph + (is64() ? 8 : 4); }
  [[nodiscard]] std::size_t p_vaddr(std::size_t ph) const { return ph + (is64() ? 0x10 : 8); }
  [[nodiscard]] std::size_t p_filesz(std::size_t ph) const { return ph + (is64() ? 0x20 : 0x10); }
  [[nodiscard]] std::size_t p_memsz(std::size_t ph) const { return ph + (is64() ? 0x28 : 0x14); }

  /// Where the dynamic entries with `tag` are (in the first PT_DYNAMIC segment); d_val is one
  /// word() after.
  [[nodiscard]] std::vector<std::size_t> dynamic_entries(std::uint64_t tag) const {
    const auto dynamic = program_header(2);  // PT_DYNAMIC
    std::vector<std::size_t> found;
    if (!dynamic) return found;
    const std::uint64_t offset = get(p_offset(*dynamic), word()), filesz = get(p_filesz(*dynamic), word());
    const unsigned entry = 2 * word();
    for (std::uint64_t at = offset; at + entry <= offset + filesz && at + entry <= elf.size(); at += entry)
      if (get(at, word()) == tag) found.push_back(at);
    return found;
  }
  /// The file offset of `address` through the first PT_LOAD that holds it.
  [[nodiscard]] std::optional<std::uint64_t> file_offset(std::uint64_t address) const {
    for (const std::size_t ph : program_headers(1)) {
      const std::uint64_t vaddr = get(p_vaddr(ph), word()), memsz = get(p_memsz(ph), word());
      if (vaddr <= address && address - vaddr < memsz) return address - vaddr + get(p_offset(ph), word());
    }
    return std::nullopt;
  }
  /// Where the section headers of `type` are.
  [[nodiscard]] std::vector<std::size_t> section_headers(std::uint32_t type) const {
    const std::uint64_t shoff = get(is64() ? 0x28 : 0x20, word());
    const std::uint64_t shnum = get(is64() ? 0x3c : 0x30, 2), size = is64() ? 64 : 40;
    std::vector<std::size_t> found;
    for (std::uint64_t at = shoff; at < shoff + shnum * size && at + size <= elf.size(); at += size)
      if (get(at + 4, 4) == type) found.push_back(at);
    return found;
  }
  /// The d_val of the one dynamic entry with `tag`.
  [[nodiscard]] std::uint64_t dynamic_value(std::uint64_t tag) const {
    const auto entries = dynamic_entries(tag);
    REQUIRE(entries.size() == 1);
    return get(entries.front() + word(), word());
  }
};

/// ELF type (e_type) of a little-endian file.
unsigned elf_type(const std::string& content) {
  return content.size() < 18 ? 0
                             : static_cast<unsigned char>(content[16]) | (static_cast<unsigned char>(content[17]) << 8);
}

}  // namespace

TEST_CASE("plain executables and shared objects read without LIEF have LIEF's model", "[parse][elf]") {
  for (const char* rel : {"elf/hello", "elf/libdemo.so", "elf/libdemo32.so"})
    CHECK(check_same_as_lief(test::read_file(test::samples_dir() / rel), rel));
}

// The executables and shared objects of this host's /usr/bin and /usr/lib (a Debian 12 system
// has thousands, from hundreds of packages; tools/setup.sh installs the test dependencies there):
// every fourth one, or every one below $TRUSTSCAN_PLAIN_ELF_DIR. On /usr of the project machine
// (2026-12-06): 4,590 of 4,590 read without LIEF, every model LIEF's; without the SHT_DYNSYM step
// of the symbol count, 596 checks of /usr/lib/x86_64-linux-gnu failed.
TEST_CASE("real executables and shared objects read without LIEF have LIEF's model", "[parse][elf][real]") {
  const char* dir = std::getenv("TRUSTSCAN_PLAIN_ELF_DIR");
  const std::vector<fs::path> roots = dir != nullptr ? std::vector<fs::path>{dir}
                                                     : std::vector<fs::path>{"/usr/bin", "/usr/lib"};
  const std::size_t every = dir != nullptr ? 1 : 4;
  std::size_t seen = 0, linked = 0, taken = 0;
  for (const fs::path& root : roots) {
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(root, fs::directory_options::skip_permission_denied, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (!it->is_regular_file(ec) || it->is_symlink(ec) || it->file_size(ec) > (std::uintmax_t{64} << 20)) continue;
      char head[18] = {};
      if (std::FILE* f = std::fopen(it->path().c_str(), "rb")) {
        const std::size_t got = std::fread(head, 1, sizeof head, f);
        std::fclose(f);
        if (got != sizeof head) continue;
      } else {
        continue;
      }
      const std::string start(head, sizeof head);
      if (start.compare(0, 4,
                        "\x7f"
                        "ELF") != 0 ||
          start[5] != 1 || (elf_type(start) != 2 && elf_type(start) != 3) || seen++ % every != 0)
        continue;
      ++linked;
      taken += check_same_as_lief(test::read_file(it->path()), it->path().string());
    }
  }
  INFO(taken << " of " << linked << " little-endian executables and shared objects read without LIEF");
  CHECK(linked > 100);
  CHECK(taken * 10 >= linked * 9);
  WARN(taken << " of " << linked << " read without LIEF");
}

TEST_CASE("ELF files that are not plain executables or shared objects are left to LIEF", "[parse][elf]") {
  const std::string so = test::read_file(test::samples_dir() / "elf" / "libdemo.so");
  REQUIRE(parse::plain_linked_model(bytes(so), Limits{}));
  SECTION("relocatable objects") {
    CHECK_FALSE(parse::plain_linked_model(bytes(test::read_file(test::samples_dir() / "elf" / "demo.ko")), Limits{}));
  }
  SECTION("big-endian and truncated files") {
    std::string big = so;
    big[5] = '\x02';
    CHECK_FALSE(parse::plain_linked_model(bytes(big), Limits{}));
    CHECK_FALSE(parse::plain_linked_model(bytes(so.substr(0, 63)), Limits{}));
    CHECK_FALSE(parse::plain_linked_model(bytes(so.substr(0, so.size() / 2)), Limits{}));
  }
  SECTION("an interpreter without its NUL inside PT_INTERP (fuzz_plain_elf_linked: LIEF cut it short)") {
    Forge forged{test::read_file(test::samples_dir() / "elf" / "hello")};
    REQUIRE(parse::plain_linked_model(bytes(forged.elf), Limits{}));
    const auto interp = forged.program_header(3);  // PT_INTERP
    REQUIRE(interp);
    const std::size_t filesz = forged.p_filesz(*interp);
    forged.set(filesz, 8, forged.get(filesz, 8) - 1);  // the NUL outside
    CHECK_FALSE(parse::plain_linked_model(bytes(forged.elf), Limits{}));
  }
  SECTION("a dynamic section with entries after a DT_NULL (fuzz_plain_elf_linked: LIEF counted other exports)") {
    Forge forged{so};
    const auto dynamic = forged.program_header(2);  // PT_DYNAMIC
    REQUIRE(dynamic);
    forged.set(forged.get(forged.p_offset(*dynamic), 8), 8, 0);  // the first entry's d_tag: DT_NULL
    CHECK_FALSE(parse::plain_linked_model(bytes(forged.elf), Limits{}));
  }
  SECTION("a DT_STRTAB at file offset 0 (fuzz_plain_elf_linked: LIEF reads names from .dynstr then)") {
    Forge forged{so};
    const auto strtab = forged.dynamic_entries(5);  // DT_STRTAB
    REQUIRE(strtab.size() == 1);
    forged.set(strtab.front() + 8, 8, 0);  // address 0: file offset 0 in the first PT_LOAD
    CHECK_FALSE(parse::plain_linked_model(bytes(forged.elf), Limits{}));
  }
  // A DT_HASH table (in place of the sample's DT_GNU_HASH) at `address`, in the last PT_LOAD
  // segment grown in memory to `memsz` when that is more than it has.
  const auto with_hash_at = [&so](auto address_in_last_load, std::uint64_t memsz_at_least) {
    Forge forged{so};
    const auto gnu_hash = forged.dynamic_entries(0x6ffffef5);  // DT_GNU_HASH
    const auto loads = forged.program_headers(1);              // PT_LOAD
    REQUIRE(gnu_hash.size() == 1);
    REQUIRE(!loads.empty());
    const std::size_t last = loads.back();
    const std::uint64_t memsz = std::max(forged.get(forged.p_memsz(last), 8), memsz_at_least);
    forged.set(forged.p_memsz(last), 8, memsz);
    forged.set(gnu_hash.front(), 8, 4);  // DT_HASH
    forged.set(gnu_hash.front() + 8, 8,
               address_in_last_load(forged.get(forged.p_offset(last), 8), forged.get(forged.p_vaddr(last), 8), memsz,
                                    forged.elf.size()));
    return forged.elf;
  };
  SECTION("a DT_HASH table past the end of the file (fuzz_plain_elf_linked: LIEF then reads no dynamic symbol)") {
    // LIEF 0.9 maps the address through the segment's memory size, fails to read the table's
    // nchain there, and its exception ends the dynamic symbols: no export.
    const std::string forged = with_hash_at(
        [](std::uint64_t offset, std::uint64_t vaddr, std::uint64_t, std::uint64_t size) {
          return vaddr + (size - offset) + 4;  // the table at size + 4
        },
        (so.size() + 0x1000));
    CHECK(test::lief_model(Format::Elf, bytes(forged), parse::extract_elf).exports_count == 0);
    CHECK_FALSE(parse::plain_linked_model(bytes(forged), Limits{}));
  }
  SECTION("an address at the end of a PT_LOAD segment is in it, as LIEF 0.9 maps it") {
    const std::string forged = with_hash_at(
        [](std::uint64_t, std::uint64_t vaddr, std::uint64_t memsz, std::uint64_t) { return vaddr + memsz; }, 0);
    CHECK(check_same_as_lief(forged, "DT_HASH at the end of the last PT_LOAD"));
  }
  SECTION("a relocation of symbol 0xffffffff (fuzz_plain_elf_linked: LIEF's uint32_t count of one more is 0)") {
    Forge forged{so};
    // The count from the relocations alone: no SHT_DYNSYM section and no hash table.
    for (const std::size_t dynsym : forged.section_headers(11)) forged.set(dynsym + 4, 4, 1);  // SHT_PROGBITS
    const auto gnu_hash = forged.dynamic_entries(0x6ffffef5);                                  // DT_GNU_HASH
    REQUIRE(gnu_hash.size() == 1);
    forged.set(gnu_hash.front(), 8, 21);                                   // DT_DEBUG
    const auto relocations = forged.file_offset(forged.dynamic_value(7));  // DT_RELA
    REQUIRE(relocations);
    forged.set(*relocations + 8 + 4, 4, 0xffffffff);  // the first Elf64_Rela's symbol index (r_info >> 32)
    CHECK(test::lief_model(Format::Elf, bytes(forged.elf), parse::extract_elf).exports_count == 0);
    CHECK(check_same_as_lief(forged.elf, "a relocation of symbol 0xffffffff"));
  }
  SECTION("a section that runs past the end of the file (prepare_for_lief would clamp it)") {
    std::uint64_t shoff = 0;
    std::memcpy(&shoff, so.data() + 0x28, sizeof shoff);
    std::string forged = so;
    for (unsigned i = 0; i < 8; ++i) forged[shoff + 64 + 0x20 + i] = '\x7f';
    CHECK_FALSE(parse::plain_linked_model(bytes(forged), Limits{}));
  }
}

// LIEF 0.9 keeps some file offsets of an ELF32 file in 32 bits (Elf_Off), where the plain reader
// computes in 64.
TEST_CASE("32-bit files read without LIEF have LIEF's model where LIEF cuts offsets to 32 bits", "[parse][elf]") {
  const Forge so32{test::read_file(test::samples_dir() / "elf" / "libdemo32.so")};
  REQUIRE_FALSE(so32.is64());
  REQUIRE(check_same_as_lief(so32.elf, "elf/libdemo32.so"));
  REQUIRE(test::lief_model(Format::Elf, bytes(so32.elf), parse::extract_elf).exports_count == 2);
  const auto loads = so32.program_headers(1);  // PT_LOAD
  REQUIRE(loads.size() > 1);
  // The tables' addresses are their file offsets through the first PT_LOAD.
  REQUIRE(so32.get(so32.p_offset(loads.front()), 4) == 0);
  REQUIRE(so32.get(so32.p_vaddr(loads.front()), 4) == 0);
  const std::uint64_t strtab = so32.dynamic_value(5), symtab = so32.dynamic_value(6);  // DT_STRTAB, DT_SYMTAB
  SECTION("a symbol's name at 4 GiB or more past the string table: LIEF adds the two in 32 bits") {
    Forge forged = so32;
    // Symbol 1's name through the wrap: at file offset 0, the ELF magic "\x7f" "ELF\x01\x01\x01".
    forged.set(symtab + 16, 4, 0x100000000ULL - strtab);
    CHECK(check_same_as_lief(forged.elf, "a symbol's name through the 32-bit wrap"));
    CHECK(test::lief_model(Format::Elf, bytes(forged.elf), parse::extract_elf).exports_count == 2);
  }
  SECTION("an address that a PT_LOAD maps to 4 GiB or more: LIEF cuts the offset to 32 bits") {
    Forge forged = so32;
    const std::size_t last = loads.back();
    const std::uint64_t offset = forged.get(forged.p_offset(last), 4);
    REQUIRE(offset > symtab);
    // The last PT_LOAD from address 0 on, through 4 GiB; DT_SYMTAB maps to 4 GiB + its offset there.
    forged.set(forged.p_vaddr(last), 4, 0);
    forged.set(forged.p_memsz(last), 4, 0xffffffff);
    const auto symtab_entry = forged.dynamic_entries(6);
    REQUIRE(symtab_entry.size() == 1);
    forged.set(symtab_entry.front() + 4, 4, 0x100000000ULL + symtab - offset);
    CHECK(test::lief_model(Format::Elf, bytes(forged.elf), parse::extract_elf).exports_count == 2);
    CHECK_FALSE(parse::plain_linked_model(bytes(forged.elf), Limits{}));
  }
}
