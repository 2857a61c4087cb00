// Mach-O segments' and sections' file bytes hidden from LIEF (MachOContents::Hidden, prepare.cpp):
// LIEF 0.9 copies each, and the model reads none. On every Mach-O file of the samples and of the
// real tree, the model is the same as with the bytes shown.
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

#include "parse/prepare.hpp"
#include "support/lief_model.hpp"

using namespace trustscan;
using test::bytes;
namespace fs = std::filesystem;

namespace {

struct Tally {
  std::size_t macho = 0, fat = 0, signed_slices = 0, with_libraries = 0, with_entry = 0, with_exports = 0;
};

/// Every Mach-O file below `dir` (as the scan's sniffing tells one): the same model both ways.
void check_tree(const fs::path& dir, Tally& t) {
  test::for_each_binary(
      dir, {Format::MachO, Format::MachOFat}, [&](const fs::path& path, Format format, const std::string& content) {
        INFO(path.string());
        const auto b = bytes(content);
        const parse::BinaryModel hidden = test::lief_model(format, b, parse::extract_macho);
        const parse::BinaryModel shown = test::lief_model(format, b, parse::extract_macho, parse::MachOContents::Shown);
        CHECK(hidden == shown);  // every field
        ++t.macho;
        t.fat += format == Format::MachOFat;
        for (const parse::MachOSlice& s : shown.macho_slices) t.signed_slices += s.has_code_signature;
        t.with_libraries += !shown.libraries.empty();
        t.with_entry += shown.entry_point != 0;
        t.with_exports += shown.exports_count > 0;
      });
}

/// The thin x86_64 sample, prepared for LIEF with its contents hidden and shown.
struct ThinSample {
  std::string file = test::read_file(test::samples_dir() / "macho" / "hello-x86_64");
  Result<parse::PreparedBytes> hidden = parse::prepare_for_lief(Format::MachO, bytes(file), Limits{});
  Result<parse::PreparedBytes> shown = parse::prepare_for_lief(Format::MachO, bytes(file), Limits{},
                                                               parse::MachOContents::Shown);

  /// Calls fn(command, offset) for each load command of the file (a 64-bit Mach-O).
  template <class Fn>
  void each_command(Fn fn) const {
    REQUIRE(test::le(file, 0, 4) == 0xfeedfacf);
    std::uint64_t at = 32;
    for (std::uint64_t i = 0, n = test::le(file, 16, 4); i < n; ++i) {
      fn(test::le(file, at, 4), at);
      at += test::le(file, at + 4, 4);
    }
  }
};

void warn(const Tally& t) {
  WARN("Mach-O " << t.macho << " (fat " << t.fat << "), signed slices " << t.signed_slices << ", with libraries "
                 << t.with_libraries << ", entry point " << t.with_entry << ", exports " << t.with_exports);
}

}  // namespace

TEST_CASE("Mach-O samples: hiding segment contents from LIEF changes no model", "[parse][macho]") {
  Tally t;
  check_tree(test::samples_dir(), t);
  warn(t);
  CHECK(t.macho >= 3);
  CHECK(t.with_libraries >= 1);
}

TEST_CASE("real Mach-O files: hiding segment contents from LIEF changes no model", "[parse][macho][real]") {
  if (!test::real_tree_has(test::real_tree())) return;
  Tally t;
  check_tree(test::real_tree(), t);
  warn(t);
  CHECK(t.macho >= 2);
  CHECK(t.fat >= 1);
  CHECK(t.signed_slices >= 1);
}

TEST_CASE("Mach-O segment contents are hidden: LIEF is shown no segment file size", "[parse][macho]") {
  // The comparisons above hold as well when nothing is hidden: this checks that it is. Every
  // LC_SEGMENT_64 of the thin x86_64 sample has filesize 0 in the bytes LIEF parses, and the
  // __TEXT segment (at least) has a non-zero one in the file.
  const ThinSample t;
  REQUIRE(t.hidden);
  REQUIRE(t.shown);
  std::size_t segments = 0, with_bytes = 0;
  t.each_command([&](std::uint64_t cmd, std::uint64_t at) {
    if (cmd != 0x19) return;  // LC_SEGMENT_64: filesize at +48
    ++segments;
    with_bytes += test::le(t.file, at + 48, 8) != 0;
    CHECK(test::le(t.shown->bytes, at + 48, 8) == test::le(t.file, at + 48, 8));
    CHECK(test::le(t.hidden->bytes, at + 48, 8) == 0);
  });
  CHECK(segments >= 2);
  CHECK(with_bytes >= 1);
}

TEST_CASE("Mach-O symbols, function starts and data-in-code are hidden: LIEF is shown none", "[parse][macho]") {
  // LIEF 0.9 builds an object per symbol and decodes every function start; the model's
  // exports_count comes from dyld export info, which ParserConfig::quick() does not walk (the
  // model comparisons above hold with them hidden). The thin x86_64 sample has a symbol table
  // and function starts; in the bytes LIEF parses their counts and sizes are 0.
  const ThinSample t;
  REQUIRE(t.hidden);
  REQUIRE(t.shown);
  std::size_t symtabs = 0, linkedit = 0;
  t.each_command([&](std::uint64_t cmd, std::uint64_t at) {
    if (cmd == 0x2) {  // LC_SYMTAB: nsyms at +12
      ++symtabs;
      CHECK(test::le(t.file, at + 12, 4) != 0);
      CHECK(test::le(t.shown->bytes, at + 12, 4) == test::le(t.file, at + 12, 4));
      CHECK(test::le(t.hidden->bytes, at + 12, 4) == 0);
    }
    if (cmd == 0x26 || cmd == 0x29) {  // LC_FUNCTION_STARTS, LC_DATA_IN_CODE: datasize at +12
      ++linkedit;
      CHECK(test::le(t.hidden->bytes, at + 12, 4) == 0);
    }
  });
  CHECK(symtabs == 1);
  CHECK(linkedit >= 1);
}

TEST_CASE("LIEF is given a Mach-O file's headers and load commands, not the file", "[parse][macho]") {
  // The header view (PreparedBytes::macho_view): each slice's header and load commands and 8 zero
  // bytes, a fat file's table rewritten to the view's offsets; the file's offsets and code
  // signature ranges are kept beside it. Models: the comparisons above.
  for (const auto& [name, format] :
       {std::pair{"macho/hello-x86_64", Format::MachO}, std::pair{"macho/hello-fat", Format::MachOFat}}) {
    INFO(name);
    const std::string file = test::read_file(test::samples_dir() / name);
    auto hidden = parse::prepare_for_lief(format, bytes(file), Limits{});
    auto shown = parse::prepare_for_lief(format, bytes(file), Limits{}, parse::MachOContents::Shown);
    REQUIRE(hidden);
    REQUIRE(shown);
    CHECK(shown->macho_view.empty());
    CHECK(&shown->lief_input() == &shown->bytes);
    CHECK(&hidden->lief_input() == &hidden->macho_view);
    // Slices: (offset in the file, its header + load commands).
    std::vector<std::pair<std::uint64_t, std::uint64_t>> slices;
    auto slice_at = [&](std::uint64_t off) {
      const bool is64 = test::le(file, off, 4) == 0xfeedfacf;
      slices.emplace_back(off, (is64 ? 32 : 28) + test::le(file, off + 20, 4));
    };
    if (format == Format::MachO) {
      slice_at(0);
    } else {
      for (std::uint64_t i = 0, n = test::be(file, 4, 4); i < n; ++i) slice_at(test::be(file, 8 + i * 20 + 8, 4));
    }
    REQUIRE(hidden->macho_slices.size() == slices.size());
    std::uint64_t expected = format == Format::MachO ? 0 : 8 + 20 * slices.size();
    for (std::size_t i = 0; i < slices.size(); ++i) {
      const parse::MachOViewSlice& s = hidden->macho_slices[i];
      CHECK(s.file_offset == slices[i].first);
      expected = (expected + 7) & ~std::uint64_t{7};
      CHECK(s.view_offset == expected);
      // The header and load commands as in the file, up to the first field the view changes.
      CHECK(test::le(hidden->macho_view, s.view_offset, 4) == test::le(file, slices[i].first, 4));
      CHECK(test::le(hidden->macho_view, s.view_offset + 20, 4) == test::le(file, slices[i].first + 20, 4));
      if (format == Format::MachOFat) {
        CHECK(test::be(hidden->macho_view, 8 + i * 20 + 8, 4) == s.view_offset);
        CHECK(test::be(hidden->macho_view, 8 + i * 20 + 12, 4) == slices[i].second + 8);
      }
      expected += slices[i].second + 8;
    }
    CHECK(hidden->macho_view.size() == expected);
    CHECK(hidden->macho_view.size() * 4 < file.size());
  }
}
