// Mach-O segments' and sections' file bytes hidden from LIEF (MachOContents::Hidden, prepare.cpp):
// LIEF 0.9 copies each, and the model reads none. On every Mach-O file of the samples and of the
// real tree, the model is the same as with the bytes shown.
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

#include "identify/format.hpp"
#include "parse/parser.hpp"
#include "support/bytes.hpp"
#include "support/lief_model.hpp"
#include "support/temp_tree.hpp"

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
