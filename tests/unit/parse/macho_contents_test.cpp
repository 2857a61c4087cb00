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

/// extract_macho after prepare_for_lief, with `contents`.
parse::BinaryModel model(Format format, std::span<const std::byte> file, parse::MachOContents contents) {
  auto prepared = parse::prepare_for_lief(format, file, Limits{}, contents);
  REQUIRE(prepared);
  parse::BinaryModel m = parse::extract_macho(*prepared, file, Limits{});
  m.warnings.insert(m.warnings.begin(), prepared->warnings.begin(), prepared->warnings.end());
  return m;
}

/// Every Mach-O file below `dir` (as the scan's sniffing tells one): the same model both ways.
void check_tree(const fs::path& dir, Tally& t) {
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file() || entry.file_size() > (std::uintmax_t{64} << 20)) continue;
    const std::string content = test::read_file(entry.path());
    const auto b = bytes(content);
    const Format format = identify::sniff(b.first(std::min(b.size(), identify::kSniffBytes)), b.size(), "").format;
    if (format != Format::MachO && format != Format::MachOFat) continue;
    INFO(entry.path().string());
    const parse::BinaryModel hidden = model(format, b, parse::MachOContents::Hidden);
    const parse::BinaryModel shown = model(format, b, parse::MachOContents::Shown);
    CHECK(hidden == shown);  // every field
    ++t.macho;
    t.fat += format == Format::MachOFat;
    for (const parse::MachOSlice& s : shown.macho_slices) t.signed_slices += s.has_code_signature;
    t.with_libraries += !shown.libraries.empty();
    t.with_entry += shown.entry_point != 0;
    t.with_exports += shown.exports_count > 0;
  }
}

}  // namespace

TEST_CASE("Mach-O samples: hiding segment contents from LIEF changes no model", "[parse][macho]") {
  Tally t;
  check_tree(test::samples_dir(), t);
  WARN("Mach-O " << t.macho << " (fat " << t.fat << "), signed slices " << t.signed_slices << ", with libraries "
                 << t.with_libraries << ", entry point " << t.with_entry << ", exports " << t.with_exports);
  CHECK(t.macho >= 3);
  CHECK(t.with_libraries >= 1);
}

TEST_CASE("real Mach-O files: hiding segment contents from LIEF changes no model", "[parse][macho][real]") {
  if (!test::real_tree_has(test::real_tree())) return;
  Tally t;
  check_tree(test::real_tree(), t);
  WARN("Mach-O " << t.macho << " (fat " << t.fat << "), signed slices " << t.signed_slices << ", with libraries "
                 << t.with_libraries << ", entry point " << t.with_entry << ", exports " << t.with_exports);
  CHECK(t.macho >= 2);
  CHECK(t.fat >= 1);
  CHECK(t.signed_slices >= 1);
}
