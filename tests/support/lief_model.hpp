#pragma once
// What LIEF makes of a file: parse_binary's path before the plain readers (plain_relocatable_model,
// plain_pe_model) existed, for the tests that compare the two.

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>

#include "identify/format.hpp"
#include "support/bytes.hpp"
#include "support/temp_tree.hpp"

#include "parse/lief_extractors.hpp"
#include "parse/prepare.hpp"

namespace trustscan::test {

/// The model `extract` (parse::extract_elf, parse::extract_pe, parse::extract_macho) gives of
/// `file` after prepare_for_lief, with its warnings, as parse_binary returned it.
template <class Extract>
[[nodiscard]] parse::BinaryModel lief_model(Format format, std::span<const std::byte> file, Extract extract,
                                            parse::MachOContents contents = parse::MachOContents::Hidden) {
  auto prepared = parse::prepare_for_lief(format, file, Limits{}, contents);
  REQUIRE(prepared);
  parse::BinaryModel model = extract(*prepared, file, Limits{});
  model.warnings.insert(model.warnings.begin(), prepared->warnings.begin(), prepared->warnings.end());
  return model;
}

/// Calls `each(path, format, content)` for every file below `dir` (at most 64 MiB) that the scan's
/// sniffing takes for one of `formats`.
template <class Each>
void for_each_binary(const std::filesystem::path& dir, std::initializer_list<Format> formats, Each each) {
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file() || entry.file_size() > (std::uintmax_t{64} << 20)) continue;
    const std::string content = read_file(entry.path());
    const auto b = bytes(content);
    const Format format = identify::sniff(b.first(std::min(b.size(), identify::kSniffBytes)), b.size(), "").format;
    if (std::ranges::find(formats, format) != formats.end()) each(entry.path(), format, content);
  }
}

}  // namespace trustscan::test
