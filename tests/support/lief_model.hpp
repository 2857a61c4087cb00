#pragma once
// What LIEF makes of a file: parse_binary's path before the plain readers (plain_relocatable_model,
// plain_pe_model) existed, for the tests that compare the two.

#include <catch2/catch.hpp>

#include <span>

#include "parse/lief_extractors.hpp"
#include "parse/prepare.hpp"

namespace trustscan::test {

/// The model `extract` (parse::extract_elf, parse::extract_pe) gives of `file` after
/// prepare_for_lief, with its warnings, as parse_binary returned it.
template <class Extract>
[[nodiscard]] parse::BinaryModel lief_model(Format format, std::span<const std::byte> file, Extract extract) {
  auto prepared = parse::prepare_for_lief(format, file, Limits{});
  REQUIRE(prepared);
  parse::BinaryModel model = extract(*prepared, file, Limits{});
  model.warnings.insert(model.warnings.begin(), prepared->warnings.begin(), prepared->warnings.end());
  return model;
}

}  // namespace trustscan::test
