// Mach-O extraction with LIEF 0.9, every slice of a fat file (the generic LIEF::Parser would
// return only the last one). Relocation counts were zeroed by prepare.cpp.
#include <LIEF/MachO.hpp>

#include "core/bytes.hpp"
#include "parse/lief_extractors.hpp"

namespace trustscan::parse {
namespace {

namespace macho = LIEF::MachO;

std::string cpu_name(macho::CPU_TYPES cpu) {
  switch (static_cast<std::uint32_t>(cpu)) {
    case 7: return "x86";
    case 0x01000007: return "x86_64";
    case 12: return "arm";
    case 0x0100000c: return "arm64";
    case 0x0200000c: return "arm64_32";
    case 18: return "ppc";
    case 0x01000012: return "ppc64";
    default: return "unknown";
  }
}

}  // namespace

std::string macho_cpu_name(std::uint32_t cpu) { return cpu_name(static_cast<macho::CPU_TYPES>(cpu)); }
std::string macho_file_type_name(std::uint32_t file_type) {
  std::string name = LIEF::MachO::to_string(static_cast<macho::FILE_TYPES>(file_type));
  if (name.starts_with("MH_")) name.erase(0, 3);
  return name;
}

namespace {

/// Slice sizes by offset from the fat header (LIEF 0.9 exposes only fat_offset()). identify/
/// already checked the table lies inside the file.
std::uint64_t fat_slice_size(std::span<const std::byte> file, std::uint64_t offset) {
  const auto magic = read_be<std::uint32_t>(file, 0);
  const auto n = read_be<std::uint32_t>(file, 4);
  if (!magic || !n) return 0;
  const bool fat64 = *magic == 0xcafebabf;
  const std::uint64_t entry = fat64 ? 32 : 20;
  const unsigned width = fat64 ? 8 : 4;  // fat_arch_64: 64-bit offset and size
  for (std::uint64_t i = 0; i < *n && 8 + (i + 1) * entry <= file.size(); ++i) {
    const std::uint64_t at = 8 + i * entry;
    const auto off = read_uint(file, at + 8, width, ByteOrder::Big);
    const auto size = read_uint(file, at + 8 + width, width, ByteOrder::Big);
    if (off && size && *off == offset) return *size;
  }
  return 0;
}

}  // namespace

BinaryModel extract_macho(const PreparedBytes& prepared, std::span<const std::byte> original,
                          const Limits& limits) {
  std::unique_ptr<macho::FatBinary> fat = macho::Parser::parse(prepared.lief_input(), "", macho::ParserConfig::quick());
  if (!fat || fat->size() == 0) throw LIEF::bad_format("LIEF returned no Mach-O slice");
  BinaryModel model;
  const auto magic = read_be<std::uint32_t>(original, 0);
  const bool is_fat = magic && (*magic == 0xcafebabe || *magic == 0xcafebabf);
  model.format = is_fat ? Format::MachOFat : Format::MachO;
  for (std::size_t i = 0; i < fat->size() && i < limits.max_fat_slices; ++i) {
    const macho::Binary& bin = fat->at(i);
    MachOSlice slice;
    slice.cpu_type = cpu_name(bin.header().cpu_type());
    slice.file_type = macho_file_type_name(static_cast<std::uint32_t>(bin.header().file_type()));
    // LIEF parsed the header view (prepare.hpp): its offsets are the view's, the file's are kept.
    const MachOViewSlice* seen = nullptr;
    for (const MachOViewSlice& s : prepared.macho_slices)
      if (s.view_offset == (is_fat ? bin.fat_offset() : 0)) seen = &s;
    if (!prepared.macho_view.empty() && seen == nullptr) throw LIEF::bad_format("Mach-O slice outside the header view");
    slice.offset = is_fat ? (seen ? seen->file_offset : bin.fat_offset()) : 0;
    slice.size = is_fat ? fat_slice_size(original, slice.offset) : original.size();
    if (bin.has_code_signature()) {
      slice.has_code_signature = true;
      slice.code_signature = seen ? ByteRange{slice.offset + seen->signature_offset, seen->signature_size}
                                  : ByteRange{slice.offset + bin.code_signature().data_offset(),
                                              bin.code_signature().data_size()};
    }
    for (const macho::DylibCommand& lib : bin.libraries())
      if (slice.libraries.size() < limits.max_imports)
        slice.libraries.push_back(bounded(lib.name(), limits.max_string_length));
    if (i == 0) {
      model.architecture = slice.cpu_type;
      model.bits = static_cast<std::uint32_t>(bin.header().cpu_type()) & 0x01000000 ? 64 : 32;
      if (bin.has_entrypoint()) model.entry_point = bin.entrypoint();
      model.libraries = slice.libraries;
      model.exports_count = bin.exported_symbols().size();
    }
    model.macho_slices.push_back(std::move(slice));
  }
  if (is_fat) model.architecture = "universal";
  return model;
}

}  // namespace trustscan::parse
