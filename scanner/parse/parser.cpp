#include "parse/parser.hpp"

#include <LIEF/version.h>
#include <LIEF/exception.hpp>

#include <new>
#include <string>

#include "parse/lief_extractors.hpp"
#include "parse/prepare.hpp"

namespace trustscan::parse {
namespace {

using Extractor = BinaryModel (*)(const PreparedBytes&, std::span<const std::byte>, const Limits&);

struct Entry {
  Format format;
  Extractor extract;
};

/// The only Format → extractor table.
constexpr Entry kExtractors[] = {
    {Format::Pe, &extract_pe},
    {Format::Elf, &extract_elf},
    {Format::MachO, &extract_macho},
    {Format::MachOFat, &extract_macho},
};

}  // namespace

std::string bounded(std::string s, std::size_t max) {
  if (s.size() <= max) return s;
  std::size_t cut = max;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xc0) == 0x80) --cut;  // UTF-8 continuation
  s.resize(cut);
  return s;
}

namespace {

const Entry* extractor_for(Format format) {
  const Entry* entry = nullptr;
  for (const Entry& e : kExtractors)
    if (e.format == format) entry = &e;
  return entry;
}

/// Runs the extractor on prepared bytes; every exception becomes an error.
Result<BinaryModel> extract(const Entry& entry, const PreparedBytes& prepared, std::span<const std::byte> original,
                            const Limits& limits) {
  try {
    BinaryModel model = entry.extract(prepared, original, limits);
    model.warnings.insert(model.warnings.begin(), prepared.warnings.begin(), prepared.warnings.end());
    return model;
  } catch (const std::bad_alloc&) {
    return fail(Errc::TooLarge, "LIEF: out of memory while parsing");
  } catch (const LIEF::exception& e) {
    return fail(Errc::Malformed, std::string("LIEF: ") + e.what());
  } catch (const std::exception& e) {
    // LIEF 0.9 also lets std::out_of_range and friends escape (lief-0.9-notes §2).
    return fail(Errc::Malformed, std::string("LIEF (") + typeid(e).name() + "): " + e.what());
  }
}

}  // namespace

namespace {

/// The model read without LIEF, when the file's layout allows it (plain_relocatable_model,
/// plain_linked_model, plain_pe_model).
std::optional<BinaryModel> plain_model(Format format, std::span<const std::byte> bytes, const Limits& limits) {
  if (format == Format::Elf) {
    if (auto relocatable = plain_relocatable_model(bytes, limits)) return relocatable;
    return plain_linked_model(bytes, limits);
  }
  if (format == Format::Pe) return plain_pe_model(bytes, limits);
  return std::nullopt;
}

}  // namespace

Result<BinaryModel> parse_binary(Format format, std::span<const std::byte> bytes, const Limits& limits) {
  if (auto plain = plain_model(format, bytes, limits)) return std::move(*plain);
  const Entry* entry = extractor_for(format);
  if (!entry) return fail(Errc::Unsupported, "no parser for format " + std::string(to_string(format)));
  auto prepared = prepare_for_lief(format, bytes, limits);
  if (!prepared) return std::unexpected(prepared.error());
  return extract(*entry, *prepared, bytes, limits);
}

Result<BinaryModel> parse_binary(Format format, std::vector<std::uint8_t>& buffer, const Limits& limits) {
  if (auto plain = plain_model(format, std::as_bytes(std::span(buffer)), limits)) return std::move(*plain);
  const Entry* entry = extractor_for(format);
  if (!entry) return fail(Errc::Unsupported, "no parser for format " + std::string(to_string(format)));
  auto prepared = prepare_in_place(format, buffer, limits);
  if (!prepared) return std::unexpected(prepared.error());
  struct Undo {
    std::vector<std::uint8_t>& buffer;
    const PreparedBytes& prepared;
    ~Undo() { undo_in_place(buffer, prepared); }
  } undo{buffer, *prepared};
  // The extractors read only sizes and the file's tail from `original`, never a patched field.
  return extract(*entry, *prepared, std::as_bytes(std::span(buffer)), limits);
}

std::string lief_version() {
  std::string version = LIEF_VERSION;  // "0.9.0-": the build's suffix is empty in Debian's package
  while (!version.empty() && version.back() == '-') version.pop_back();
  return "LIEF " + version;
}

}  // namespace trustscan::parse
