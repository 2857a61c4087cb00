// PE files read without LIEF (parse::plain_pe_model): on every file it takes, the model is the one
// LIEF 0.9 gives after prepare_for_lief; what it declines is left to LIEF.
#include <catch2/catch.hpp>

#include <cstring>
#include <filesystem>
#include <string>

#include "parse/parser.hpp"
#include "support/lief_model.hpp"

using namespace trustscan;
using test::bytes;
namespace fs = std::filesystem;

namespace {

struct Tally {
  std::size_t pe = 0, plain = 0, with_imports = 0, with_exports = 0, with_pdb = 0, with_version = 0;
};

/// Every PE file below `dir`: when the plain reader takes it, its model is LIEF's, field by field.
void check_tree(const fs::path& dir, Tally& t) {
  test::for_each_binary(dir, {Format::Pe}, [&](const fs::path& path, Format, const std::string& content) {
    ++t.pe;
    const auto plain = parse::plain_pe_model(bytes(content), Limits{});
    if (!plain) return;
    INFO(path.string());
    ++t.plain;
    const parse::BinaryModel lief = test::lief_model(Format::Pe, bytes(content), parse::extract_pe);
    REQUIRE(plain->pe);
    REQUIRE(lief.pe);
    CHECK(plain->libraries == lief.libraries);
    CHECK(plain->pe->imported_functions == lief.pe->imported_functions);
    CHECK(plain->pe->imphash == lief.pe->imphash);
    CHECK(plain->exports_count == lief.exports_count);
    CHECK(plain->pe->pdb_path == lief.pe->pdb_path);
    CHECK(plain->pe->version_info == lief.pe->version_info);
    CHECK(*plain->pe == *lief.pe);
    CHECK(*plain == lief);  // every field
    t.with_imports += !lief.libraries.empty();
    t.with_exports += lief.exports_count > 0;
    t.with_pdb += !lief.pe->pdb_path.empty();
    t.with_version += !lief.pe->version_info.empty();
  });
}

/// `pe` with the 32-bit little-endian `value` at `offset`.
std::string patched(std::string pe, std::size_t offset, std::uint32_t value) {
  std::memcpy(pe.data() + offset, &value, 4);
  return pe;
}

}  // namespace

TEST_CASE("PE samples read without LIEF have LIEF's model", "[parse][pe]") {
  Tally t;
  check_tree(test::samples_dir(), t);
  CHECK(t.pe >= 15);
  CHECK(t.plain >= t.pe / 2);
  CHECK(t.with_imports >= 5);
  CHECK(t.with_version >= 1);
}

TEST_CASE("real PE files read without LIEF have LIEF's model", "[parse][pe][real]") {
  if (!test::real_tree_has(test::real_tree())) return;
  Tally t;
  check_tree(test::real_tree(), t);
  WARN("PE files " << t.pe << ", read without LIEF " << t.plain << "; imports " << t.with_imports << ", exports "
                   << t.with_exports << ", pdb " << t.with_pdb << ", version " << t.with_version);
  CHECK(t.pe >= 20);
  CHECK(t.plain >= t.pe / 2);
  CHECK(t.with_exports >= 3);
  CHECK(t.with_pdb >= 1);
  CHECK(t.with_version >= 5);
}

TEST_CASE("PE files LIEF reads its own way are left to it", "[parse][pe]") {
  const std::string exe = test::read_file(test::samples_dir() / "pe" / "version.exe");
  REQUIRE(parse::plain_pe_model(bytes(exe), Limits{}));
  const std::size_t pe = test::le(exe, 0x3c, 4);
  const bool plus = test::le(exe, pe + 24, 2) == 0x20b;
  const std::size_t opt = pe + 24, dirs = opt + (plus ? 112 : 96), table = opt + (plus ? 0xf0 : 0xe0);
  SECTION("fewer data directories than LIEF reads") {
    CHECK_FALSE(parse::plain_pe_model(bytes(patched(exe, opt + (plus ? 108 : 92), 10)), Limits{}));
  }
  SECTION("a section running past the end of the file (prepare_for_lief would clamp it)") {
    CHECK_FALSE(parse::plain_pe_model(bytes(patched(exe, table + 16, 0x7fffffff)), Limits{}));
  }
  SECTION("an import table outside every section (LIEF would take its RVA as an offset)") {
    CHECK_FALSE(parse::plain_pe_model(bytes(patched(exe, dirs + 8, 0x7ff00000)), Limits{}));
  }
  SECTION("truncated files") {
    CHECK_FALSE(parse::plain_pe_model(bytes(exe.substr(0, pe + 30)), Limits{}));
    CHECK_FALSE(parse::plain_pe_model(bytes(exe.substr(0, exe.size() / 3)), Limits{}));
  }
  SECTION("not MZ (LIEF's is_pe refuses it)") {
    std::string forged = exe;
    forged[1] = '\xb8';
    CHECK_FALSE(parse::plain_pe_model(bytes(forged), Limits{}));
  }
  SECTION("TLS callbacks ending at the end of the file: LIEF's stream is left there and skips every resource") {
    // (found by fuzz_plain_pe) The last section made to cover its raw data, the TLS directory's
    // AddressOfCallBacks pointed at its last 8 bytes (zero padding: the list's terminator).
    REQUIRE(plus);
    const std::size_t tls = test::le(exe, dirs + 9 * 8, 4) - test::le(exe, table + 2 * 40 + 12, 4) +
                            test::le(exe, table + 2 * 40 + 20, 4);  // TLS directory in .rdata (section 2)
    const std::size_t last = table + (test::le(exe, pe + 6, 2) - 1) * 40;
    std::string forged = patched(exe, last + 8, static_cast<std::uint32_t>(test::le(exe, last + 16, 4)));
    const std::uint64_t end_rva = test::le(exe, last + 12, 4) + test::le(exe, last + 16, 4) - 8;
    const std::uint64_t callbacks = test::le(exe, opt + 24, 8) + end_rva;
    std::memcpy(forged.data() + tls + 24, &callbacks, 8);
    REQUIRE(test::le(exe, last + 20, 4) + test::le(exe, last + 16, 4) == exe.size());
    CHECK_FALSE(parse::plain_pe_model(bytes(forged), Limits{}));
    CHECK(test::lief_model(Format::Pe, bytes(forged), parse::extract_pe).pe->version_info.empty());
    CHECK_FALSE(test::lief_model(Format::Pe, bytes(exe), parse::extract_pe).pe->version_info.empty());
  }
  SECTION("a relocation block ending at the end of the file: LIEF reads the next header there and gives up") {
    // (found by fuzz_plain_pe) LIEF's unchecked read of the next block header throws, leaves its
    // stream at the end of the file, and its resource walk then skips every resource.
    const std::size_t last = table + (test::le(exe, pe + 6, 2) - 1) * 40;  // .reloc
    const std::size_t raw = test::le(exe, last + 20, 4), raw_size = test::le(exe, last + 16, 4);
    REQUIRE(test::le(exe, dirs + 5 * 8, 4) == test::le(exe, last + 12, 4));  // relocations at its start
    REQUIRE(raw + raw_size == exe.size());
    const std::string forged = patched(exe, raw + 4, static_cast<std::uint32_t>(raw_size));  // BlockSize
    CHECK_FALSE(parse::plain_pe_model(bytes(forged), Limits{}));
    CHECK(test::lief_model(Format::Pe, bytes(forged), parse::extract_pe).pe->version_info.empty());
  }
  SECTION("a misaligned raw pointer") {
    const auto raw = static_cast<std::uint32_t>(test::le(exe, table + 20, 4));
    CHECK_FALSE(parse::plain_pe_model(bytes(patched(exe, table + 20, raw + 1)), Limits{}));
  }
}
