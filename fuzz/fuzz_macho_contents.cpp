// Fuzz target: Mach-O segment and section contents hidden from LIEF (differential). For every
// input that prepare_for_lief takes as Mach-O (thin or fat), extract_macho must give the very same
// model, or fail the same way, whether LIEF is shown the segments' file bytes or not
// (parse::MachOContents); any difference is a finding (the process aborts).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <optional>
#include <string>

#include "fuzz_support.hpp"
#include "identify/format.hpp"
#include "parse/lief_extractors.hpp"
#include "parse/prepare.hpp"

namespace ts = trustscan;

namespace {

/// The model, or the failure's message ("" for a model).
struct Outcome {
  std::optional<ts::parse::BinaryModel> model;
  std::string failure;
};

Outcome extract(ts::Format format, std::span<const std::byte> bytes, ts::parse::MachOContents contents) {
  static const ts::Limits limits;
  auto prepared = ts::parse::prepare_for_lief(format, bytes, limits, contents);
  if (!prepared) return {std::nullopt, "prepare: " + prepared.error().message};
  try {
    ts::parse::BinaryModel m = ts::parse::extract_macho(*prepared, bytes, limits);
    m.warnings.insert(m.warnings.begin(), prepared->warnings.begin(), prepared->warnings.end());
    return {std::move(m), {}};
  } catch (const std::exception& e) { return {std::nullopt, std::string("LIEF: ") + e.what()}; }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::byte> bytes = ts::fuzz::as_bytes(data, size);
  const ts::Format format =
      ts::identify::sniff(bytes.first(std::min(bytes.size(), ts::identify::kSniffBytes)), bytes.size(), "").format;
  if (format != ts::Format::MachO && format != ts::Format::MachOFat) return 0;
  const Outcome hidden = extract(format, bytes, ts::parse::MachOContents::Hidden);
  const Outcome shown = extract(format, bytes, ts::parse::MachOContents::Shown);
  if (hidden.model.has_value() != shown.model.has_value() || (hidden.model && !(*hidden.model == *shown.model))) {
    std::fprintf(stderr, "Mach-O model differs with contents hidden: hidden '%s', shown '%s'\n", hidden.failure.c_str(),
                 shown.failure.c_str());
    std::abort();
  }
  return 0;
}
