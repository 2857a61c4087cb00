// The header-only parser (headers.hpp): PE, Mach-O and ELF headers read with pread, no LIEF.
#include "parse/headers.hpp"

#include <algorithm>
#include <optional>
#include <span>
#include <cstring>
#include <string_view>
#include <vector>

#include "core/bytes.hpp"
#include "parse/elf_header.hpp"
#include "parse/lief_extractors.hpp"
#include "parse/parser.hpp"
#include "parse/prepare.hpp"
#include "parse/version_info.hpp"

namespace trustscan::parse {
namespace {

using Buffer = std::vector<std::byte>;
using View = std::span<const std::byte>;

/// [offset, offset + length) of `file` as an owned buffer (header reads are small).
Result<Buffer> read_range(const ByteSource& file, std::uint64_t offset, std::uint64_t length) {
  if (!in_bounds(file.size(), offset, length)) return fail(Errc::Malformed, "header lies outside the file");
  Buffer scratch;
  auto got = file.read(offset, static_cast<std::size_t>(length), scratch);
  if (!got) return std::unexpected(got.error());
  return Buffer(got->begin(), got->end());
}

/// At most `max` bytes of `file` from `offset` (fewer at its end).
Result<Buffer> read_upto(const ByteSource& file, std::uint64_t offset, std::uint64_t max) {
  if (offset > file.size()) return fail(Errc::Malformed, "header lies outside the file");
  return read_range(file, offset, std::min(max, file.size() - offset));
}

/// A NUL-terminated string at `offset` of `bytes`, cut at `max` bytes ("" when outside).
std::string c_string(View bytes, std::uint64_t offset, std::size_t max) {
  if (offset >= bytes.size()) return {};
  const auto rest = bytes.subspan(static_cast<std::size_t>(offset));
  const auto* start = reinterpret_cast<const char*>(rest.data());
  const std::size_t n = std::min(rest.size(), max);
  return std::string(start, strnlen(start, n));
}

// ---------------------------------------------------------------------------------------------
// PE

/// Largest header block read at once: DOS header to the end of the section table.
constexpr std::uint64_t kMaxPeHeaders = 1u << 20;
/// Bounds of the import and resource walks (real files: < 100 DLLs, a resource tree a few levels deep).
constexpr std::size_t kMaxImportDescriptors = 1024;
constexpr std::size_t kMaxResourceEntries = 256;
constexpr std::uint64_t kMaxVersionResource = 1u << 20;
constexpr std::uint32_t kRtVersion = 16;
/// Bounds of the plain reader's import and export walks (past them, LIEF decides): the import
/// descriptors, the entries of all of them, the export address table.
constexpr std::size_t kMaxPlainImportLibraries = 4096;
constexpr std::size_t kMaxPlainImportEntries = 1u << 20;
constexpr std::uint32_t kMaxPlainExports = 1u << 20;

struct PeSection {
  std::uint32_t virtual_address = 0, virtual_size = 0, raw_size = 0, raw_offset = 0;
};

/// What the import and resource walks need to map RVAs to file offsets.
struct PeMap {
  std::uint32_t size_of_headers = 0;
  std::uint64_t image_base = 0;
  std::vector<PeSection> sections;

  [[nodiscard]] std::optional<std::uint64_t> offset_of(std::uint32_t rva) const {
    if (rva < size_of_headers) return rva;
    for (const PeSection& s : sections) {
      const std::uint64_t span = std::max(s.virtual_size, s.raw_size);
      if (rva >= s.virtual_address && rva - s.virtual_address < span && rva - s.virtual_address < s.raw_size)
        return std::uint64_t{s.raw_offset} + (rva - s.virtual_address);
    }
    return std::nullopt;
  }
};

/// The imported DLL names (import directory, data directory 1).
void read_pe_imports(const ByteSource& file, const PeMap& map, std::uint32_t rva, BinaryModel& model,
                     const Limits& limits) {
  const auto at = map.offset_of(rva);
  if (rva == 0 || !at) return;
  auto table = read_upto(file, *at, std::uint64_t{20} * kMaxImportDescriptors);
  if (!table) return;
  const View t(*table);
  for (std::size_t i = 0; (i + 1) * 20 <= t.size() && model.libraries.size() < limits.max_imports; ++i) {
    const auto name_rva = read_le<std::uint32_t>(t, i * 20 + 12).value_or(0);
    const auto thunks = read_le<std::uint32_t>(t, i * 20 + 16).value_or(0);
    if (name_rva == 0 && thunks == 0) return;  // the all-zero terminator
    const auto name_at = map.offset_of(name_rva);
    if (!name_at) continue;
    auto name = read_upto(file, *name_at, 256);
    if (name) {
      std::string lib = c_string(*name, 0, 256);
      if (!lib.empty()) model.libraries.push_back(bounded(std::move(lib), limits.max_string_length));
    }
  }
}

/// The RT_VERSION data entry's (RVA, size) under resource directory `dir` (offsets from `base`):
/// type 16, then the first name, then the first language, as LIEF's tree walk finds it.
std::optional<std::pair<std::uint32_t, std::uint32_t>> find_version(const ByteSource& file, std::uint64_t base,
                                                                    std::uint32_t dir, unsigned depth) {
  auto header = read_range(file, base + dir, 16);
  if (!header) return std::nullopt;
  const std::size_t count = std::min<std::size_t>(std::size_t{read_le<std::uint16_t>(View(*header), 12).value_or(0)} +
                                                      read_le<std::uint16_t>(View(*header), 14).value_or(0),
                                                  kMaxResourceEntries);
  auto entries = read_upto(file, base + dir + 16, count * 8);
  if (!entries) return std::nullopt;
  const View e(*entries);
  for (std::size_t i = 0; (i + 1) * 8 <= e.size(); ++i) {
    const auto name = read_le<std::uint32_t>(e, i * 8).value_or(0);
    const auto target = read_le<std::uint32_t>(e, i * 8 + 4).value_or(0);
    if (depth == 0 && ((name & 0x80000000u) != 0 || name != kRtVersion)) continue;
    if ((target & 0x80000000u) == 0) {  // a data entry
      if (depth == 0) return std::nullopt;
      auto data = read_range(file, base + target, 8);
      if (!data) return std::nullopt;
      return std::pair{read_le<std::uint32_t>(View(*data), 0).value_or(0),
                       read_le<std::uint32_t>(View(*data), 4).value_or(0)};
    }
    if (depth < 3)
      if (auto found = find_version(file, base, target & 0x7fffffffu, depth + 1)) return found;
  }
  return std::nullopt;
}

void read_pe_version(const ByteSource& file, const PeMap& map, std::uint32_t rva, PeInfo& info, const Limits& limits) {
  const auto base = map.offset_of(rva);
  if (rva == 0 || !base) return;
  const auto entry = find_version(file, *base, 0, 0);
  if (!entry || entry->second == 0 || entry->second > kMaxVersionResource) return;
  const auto at = map.offset_of(entry->first);
  if (!at) return;
  auto raw = read_range(file, *at, entry->second);
  if (raw) apply_version_resource(*raw, info.file_version, info.version_info, limits.max_string_length);
}

/// The data directory `index` (RVA, size) of the optional header at `opt` in `h`; (0, 0) when the
/// header declares fewer.
std::pair<std::uint32_t, std::uint32_t> data_directory(View h, std::uint64_t opt, bool plus, unsigned index) {
  const auto count = read_le<std::uint32_t>(h, opt + (plus ? 108 : 92)).value_or(0);
  if (index >= count) return {0, 0};
  const std::uint64_t at = opt + (plus ? 112 : 96) + std::uint64_t{index} * 8;
  return {read_le<std::uint32_t>(h, at).value_or(0), read_le<std::uint32_t>(h, at + 4).value_or(0)};
}

/// The COFF and optional headers and the section table of the PE whose headers `h` holds.
Result<BinaryModel> pe_model(View h, std::uint64_t pe, std::uint64_t file_size, const Limits& limits, PeMap& map) {
  const std::uint64_t opt = pe + 24;
  const auto machine = read_le<std::uint16_t>(h, pe + 4).value_or(0);
  const auto sections = read_le<std::uint16_t>(h, pe + 6).value_or(0);
  const auto opt_size = read_le<std::uint16_t>(h, pe + 20).value_or(0);
  const auto magic = read_le<std::uint16_t>(h, opt);
  if (!magic || (*magic != 0x10b && *magic != 0x20b))
    return fail(Errc::Malformed, "PE optional header magic is not PE32/PE32+");
  if (sections > limits.max_pe_sections)
    return fail(Errc::Malformed, "PE NumberOfSections " + std::to_string(sections) + " is above " +
                                     std::to_string(limits.max_pe_sections));
  const bool plus = *magic == 0x20b;
  if (!in_bounds(h.size(), opt, plus ? 112 : 96)) return fail(Errc::Malformed, "PE optional header is truncated");
  BinaryModel model;
  model.format = Format::Pe;
  PeInfo info;
  info.pe32_plus = plus;
  info.machine = pe_machine_name(machine);
  model.architecture = pe_architecture(machine);
  model.bits = plus ? 64 : 32;
  info.timestamp = read_le<std::uint32_t>(h, pe + 8).value_or(0);
  info.is_dll = (read_le<std::uint16_t>(h, pe + 22).value_or(0) & 0x2000) != 0;  // IMAGE_FILE_DLL
  const auto entry = read_le<std::uint32_t>(h, opt + 16).value_or(0);
  map.image_base = plus ? read_le<std::uint64_t>(h, opt + 24).value_or(0)
                        : read_le<std::uint32_t>(h, opt + 28).value_or(0);
  if (entry != 0) model.entry_point = map.image_base + entry;
  map.size_of_headers = read_le<std::uint32_t>(h, opt + 60).value_or(0);
  info.checksum = read_le<std::uint32_t>(h, opt + 64).value_or(0);
  info.subsystem = pe_subsystem_name(read_le<std::uint16_t>(h, opt + 68).value_or(0));
  info.dll_characteristics = read_le<std::uint16_t>(h, opt + 70).value_or(0);
  PeLayout& l = info.layout;
  l.checksum_offset = opt + 64;
  l.security_dir_offset = opt + (plus ? 112 : 96) + std::uint64_t{4} * 8;
  l.size_of_headers = map.size_of_headers;
  if (read_le<std::uint32_t>(h, opt + (plus ? 108 : 92)).value_or(0) > 4) {
    const auto [offset, size] = data_directory(h, opt, plus, 4);  // its "RVA" is a file offset
    l.certificate_table = {offset, size};
  }
  const std::uint64_t table = opt + opt_size;
  if (!in_bounds(h.size(), table, std::uint64_t{sections} * 40))
    return fail(Errc::Malformed, "PE section table is truncated");
  for (std::uint64_t i = 0; i < sections; ++i) {
    const std::uint64_t s = table + i * 40;
    const PeSection sec{read_le<std::uint32_t>(h, s + 12).value_or(0), read_le<std::uint32_t>(h, s + 8).value_or(0),
                        read_le<std::uint32_t>(h, s + 16).value_or(0), read_le<std::uint32_t>(h, s + 20).value_or(0)};
    map.sections.push_back(sec);
    info.section_names.push_back(bounded(c_string(h, s, 8), limits.max_string_length));
    l.sections.push_back({sec.raw_offset, sec.raw_size});
  }
  const ByteRange& ct = l.certificate_table;
  info.has_certificate_table = ct.size != 0 && ct.offset < file_size;
  model.pe = std::move(info);
  return model;
}

Result<BinaryModel> pe_headers(const ByteSource& file, const Limits& limits) {
  auto dos = read_range(file, 0, 64);
  if (!dos) return std::unexpected(dos.error());
  const auto pe = read_le<std::uint32_t>(View(*dos), 0x3c).value_or(0);
  auto h = read_upto(file, 0,
                     std::min<std::uint64_t>(kMaxPeHeaders, std::uint64_t{pe} + 24 + 0xffff + std::uint64_t{40} * 96));
  if (!h) return std::unexpected(h.error());
  const View v(*h);
  if (!in_bounds(v.size(), pe, 24) || std::memcmp(v.data() + pe, "PE\0\0", 4) != 0)
    return fail(Errc::Malformed, "no PE signature at e_lfanew");
  PeMap map;
  auto model = pe_model(v, pe, file.size(), limits, map);
  if (!model) return model;
  const std::uint64_t opt = std::uint64_t{pe} + 24;
  const bool plus = model->pe->pe32_plus;
  read_pe_imports(file, map, data_directory(v, opt, plus, 1).first, *model, limits);
  read_pe_version(file, map, data_directory(v, opt, plus, 2).first, *model->pe, limits);
  return model;
}

// ---------------------------------------------------------------------------------------------
// PE without LIEF (plain_pe_model): LIEF 0.9's reading of the tables the model takes, on files
// where it is unambiguous; anything else is declined (nullopt) and LIEF parses it.

/// LIEF's rva_to_offset on a plain file: the first section whose [VirtualAddress,
/// VirtualAddress + VirtualSize) holds the RVA. An RVA outside every section (LIEF would take it
/// as the offset) is nullopt. Sections are aligned as declared (checked by plain_sections), so
/// LIEF's alignment of the section's address and raw pointer changes nothing.
struct LiefRvaMap {
  std::span<const PeSection> sections;  ///< PeMap's (the header-only reader maps RVAs its own way)

  [[nodiscard]] std::optional<std::uint64_t> offset_of(std::uint64_t rva) const {
    for (const PeSection& s : sections)
      if (s.virtual_address <= rva && rva < std::uint64_t{s.virtual_address} + s.virtual_size)
        return rva - s.virtual_address + s.raw_offset;
    return std::nullopt;
  }
  /// LIEF's section_from_offset: some section's raw data holds `offset`.
  [[nodiscard]] bool in_section(std::uint64_t offset) const {
    return std::ranges::any_of(sections, [&](const PeSection& s) {
      return s.raw_offset <= offset && offset < std::uint64_t{s.raw_offset} + s.raw_size;
    });
  }
};

/// A C string at `offset` that ends inside `bytes` (nullopt otherwise, or beyond `max`).
std::optional<std::string_view> terminated(View bytes, std::uint64_t offset, std::size_t max = 4096) {
  if (offset >= bytes.size()) return std::nullopt;
  const auto* start = reinterpret_cast<const char*>(bytes.data()) + offset;
  const std::size_t n = std::min<std::uint64_t>(bytes.size() - offset, max);
  const auto* end = static_cast<const char*>(std::memchr(start, 0, n));
  if (end == nullptr) return std::nullopt;
  return std::string_view(start, static_cast<std::size_t>(end - start));
}

/// The sections as LIEF maps RVAs, when plain: raw data inside the file (prepare_for_lief would
/// clamp nothing, nor empty a range), VirtualSize set, addresses and raw pointers aligned.
std::optional<LiefRvaMap> plain_sections(View b, std::uint64_t opt, const PeMap& map) {
  const std::uint32_t section_alignment = read_le<std::uint32_t>(b, opt + 32).value_or(0);
  const std::uint32_t file_alignment = read_le<std::uint32_t>(b, opt + 36).value_or(0);
  const std::uint32_t va_alignment = section_alignment < 0x1000 ? file_alignment : section_alignment;
  if (file_alignment == 0 || va_alignment == 0) return std::nullopt;
  std::uint64_t covered = 0;
  for (const PeSection& s : map.sections) {
    if (s.raw_offset > b.size() || s.raw_size > b.size() - s.raw_offset || s.virtual_size == 0 ||
        s.virtual_address % va_alignment != 0 || s.raw_offset % file_alignment != 0)
      return std::nullopt;
    covered += s.raw_size;
  }
  if (covered > copy_budget(b.size())) return std::nullopt;
  return LiefRvaMap{map.sections};
}

/// The import table as LIEF 0.9 reads it (descriptors until one without a name; names shorter than
/// 4 characters or not printable skipped; each lookup-table entry until a zero one). Declined:
/// a descriptor without a lookup table (LIEF then keeps one entry of the address table), anything
/// that does not map into a section or runs past the file.
std::optional<std::vector<ImportedLibrary>> plain_imports(View b, const LiefRvaMap& map, std::uint32_t rva, bool plus) {
  std::vector<ImportedLibrary> libs;
  if (rva == 0) return libs;
  const auto table = map.offset_of(rva);
  if (!table) return std::nullopt;
  const unsigned width = plus ? 8 : 4;
  const std::uint64_t ordinal_flag = plus ? std::uint64_t{1} << 63 : std::uint64_t{1} << 31;
  std::size_t entries = 0;
  for (std::uint64_t d = *table; in_bounds(b.size(), d, 20); d += 20) {
    if ((d - *table) / 20 >= kMaxPlainImportLibraries) return std::nullopt;
    const auto lookup_rva = read_le<std::uint32_t>(b, d).value_or(0);
    const auto name_rva = read_le<std::uint32_t>(b, d + 12).value_or(0);
    if (name_rva == 0) {
      // LIEF's stream is left after this descriptor; its resource walk tests 16 bytes there.
      if (!in_bounds(b.size(), d + 20, 16)) return std::nullopt;
      return libs;
    }
    const auto name_at = map.offset_of(name_rva);
    const auto name = name_at ? terminated(b, *name_at) : std::nullopt;
    if (!name) return std::nullopt;
    if (name->size() < 4 || !std::ranges::all_of(*name, [](char c) { return c >= 0x20 && c < 0x7f; })) continue;
    const auto lookup = lookup_rva ? map.offset_of(lookup_rva) : std::nullopt;
    if (!lookup || *lookup == 0) return std::nullopt;
    ImportedLibrary& lib = libs.emplace_back();
    lib.name = std::string(*name);
    for (std::uint64_t at = *lookup;; at += width) {
      if (!in_bounds(b.size(), at, width) || ++entries > kMaxPlainImportEntries) return std::nullopt;
      const std::uint64_t entry = plus ? read_le<std::uint64_t>(b, at).value_or(0)
                                       : read_le<std::uint32_t>(b, at).value_or(0);
      if (entry == 0) break;
      if ((entry & ordinal_flag) != 0) {
        if ((entry & ~ordinal_flag) > 0xffff) return std::nullopt;  // bits LIEF versions read differently
        lib.functions.push_back(ordinal_import(static_cast<std::uint16_t>(entry & 0xffff)));
        continue;
      }
      if (entry > 0x7fffffff) return std::nullopt;
      const auto hint = map.offset_of(entry);
      const auto function = hint ? terminated(b, *hint + 2) : std::nullopt;
      if (!function) return std::nullopt;
      lib.functions.emplace_back(*function);
    }
  }
  return std::nullopt;  // the table ran to the end of the file
}

/// LIEF 0.9's export entries: the address-table entries that point inside the export directory
/// (forwarders) plus the named ones up to the first ordinal outside the address table. Declined
/// when a table is empty, outside the sections or the file, or has fewer addresses than names
/// (LIEF then keeps no export table).
std::optional<std::size_t> plain_exports(View b, const LiefRvaMap& map, std::uint32_t rva, std::uint32_t size) {
  if (rva == 0) return 0;
  const auto dir = map.offset_of(rva);
  if (!dir || !in_bounds(b.size(), *dir, 40)) return std::nullopt;
  const auto functions = read_le<std::uint32_t>(b, *dir + 20).value_or(0);
  const auto names = read_le<std::uint32_t>(b, *dir + 24).value_or(0);
  if (functions == 0 || names == 0 || functions < names || functions > kMaxPlainExports) return std::nullopt;
  const auto addresses = map.offset_of(read_le<std::uint32_t>(b, *dir + 28).value_or(0));
  const auto name_table = map.offset_of(read_le<std::uint32_t>(b, *dir + 32).value_or(0));
  const auto ordinals = map.offset_of(read_le<std::uint32_t>(b, *dir + 36).value_or(0));
  if (!addresses || !name_table || !ordinals || !in_bounds(b.size(), *addresses, std::uint64_t{functions} * 4) ||
      !in_bounds(b.size(), *name_table, std::uint64_t{names} * 4) ||
      !in_bounds(b.size(), *ordinals, std::uint64_t{names} * 2))
    return std::nullopt;
  // LIEF reads every string below through its stream: one running past the file would leave the
  // stream there (plain_tls), so each must map and end inside the file.
  const auto readable = [&](std::uint32_t string_rva) {
    const auto at = map.offset_of(string_rva);
    return at && terminated(b, *at).has_value();  // (a longer name: LIEF's)
  };
  if (!readable(read_le<std::uint32_t>(b, *dir + 12).value_or(0))) return std::nullopt;  // the DLL's name
  std::size_t count = 0;
  for (std::uint64_t i = 0; i < functions; ++i) {
    const auto target = read_le<std::uint32_t>(b, *addresses + i * 4).value_or(0);
    if (target < rva || target >= std::uint64_t{rva} + size) continue;
    if (!readable(target)) return std::nullopt;  // a forwarder ("DLL.Function")
    ++count;
  }
  for (std::uint64_t i = 0; i < names; ++i) {
    if (read_le<std::uint16_t>(b, *ordinals + i * 2).value_or(0) >= functions) break;
    if (!readable(read_le<std::uint32_t>(b, *name_table + i * 4).value_or(0))) return std::nullopt;
    ++count;
  }
  return count;
}

/// The PDB path of the first debug entry, as LIEF 0.9 reads it (a CodeView RSDS record at the
/// entry's file offset); "" without one. Declined when the entry itself is outside the file.
std::optional<std::string> plain_pdb_path(View b, const LiefRvaMap& map, std::uint32_t rva) {
  if (rva == 0) return std::string();
  const auto entry = map.offset_of(rva);
  if (!entry) return std::nullopt;
  if (!map.in_section(*entry)) return std::string();  // LIEF does not parse it
  if (!in_bounds(b.size(), *entry, 28)) return std::nullopt;
  if (read_le<std::uint32_t>(b, *entry + 12).value_or(0) != 2) return std::string();  // IMAGE_DEBUG_TYPE_CODEVIEW
  const auto record = read_le<std::uint32_t>(b, *entry + 24).value_or(0);             // PointerToRawData
  if (!in_bounds(b.size(), record, 4) || read_le<std::uint32_t>(b, record).value_or(0) != 0x53445352)  // "RSDS"
    return std::string();
  if (!in_bounds(b.size(), record, 32)) return std::string();  // LIEF's pe_pdb_70 is 32 bytes
  const auto path = terminated(b, std::uint64_t{record} + 24);
  if (!path) return std::nullopt;
  return std::string(*path);
}

/// Whether LIEF 0.9 reads the resource directory at `base + dir` and everything below it whole:
/// each directory's entries and the one after them (LIEF reads it before it handles the last),
/// each data entry and its data inside the file and the sections, no directory reached twice
/// (LIEF stops at the second visit), at most kMaxResourceEntries entries a directory. On such a
/// tree LIEF's walk neither stops nor skips, and find_version finds what LIEF's tree holds.
bool plain_resource_dir(View b, const LiefRvaMap& map, std::uint64_t base, std::uint64_t dir, unsigned depth,
                        std::vector<std::uint64_t>& visited) {
  const std::uint64_t at = base + dir;
  if (depth > 8 || !in_bounds(b.size(), at, 16)) return false;
  const std::size_t count = std::size_t{read_le<std::uint16_t>(b, at + 12).value_or(0)} +
                            read_le<std::uint16_t>(b, at + 14).value_or(0);
  if (count > kMaxResourceEntries || !in_bounds(b.size(), at + 16, (std::uint64_t{count} + 1) * 8)) return false;
  for (std::size_t i = 0; i < count; ++i) {
    // A named entry's UTF-16 name (LIEF reads one of at most 100 characters, and gives up the
    // whole tree when it runs past the file).
    if (const auto id = read_le<std::uint32_t>(b, at + 16 + i * 8).value_or(0); (id & 0x80000000u) != 0) {
      const std::uint64_t name = base + (id & 0x7fffffffu);
      const auto length = read_le<std::uint16_t>(b, name);
      if (length && *length <= 100 && !in_bounds(b.size(), name + 2, std::uint64_t{*length} * 2)) return false;
    }
    const auto target = read_le<std::uint32_t>(b, at + 16 + i * 8 + 4).value_or(0);
    const std::uint64_t next = base + (target & 0x7fffffffu);
    if ((target & 0x80000000u) == 0) {  // a data entry: RVA and size of the data
      if (!in_bounds(b.size(), next, 16)) return false;
      const auto data = map.offset_of(read_le<std::uint32_t>(b, next).value_or(0));
      if (!data || !in_bounds(b.size(), *data, read_le<std::uint32_t>(b, next + 4).value_or(0))) return false;
      continue;
    }
    if (std::ranges::find(visited, next) != visited.end() || visited.size() > 4 * kMaxResourceEntries) return false;
    visited.push_back(next);
    if (!plain_resource_dir(b, map, base, next - base, depth + 1, visited)) return false;
  }
  return true;
}

/// LIEF 0.9 reads the TLS directory and its callback list through its stream, whose position its
/// resource walk then tests (16 bytes must be readable there, or every resource leaf is skipped):
/// true when the directory, the list and its zero terminator lie in the sections and the file
/// with 16 bytes after the terminator (or there is no TLS directory).
bool plain_tls(View b, const LiefRvaMap& map, std::uint32_t rva, bool plus, std::uint64_t image_base) {
  if (rva == 0) return true;
  const auto at = map.offset_of(rva);
  if (!at) return false;
  if (!map.in_section(*at)) return true;  // LIEF does not read it: its stream stays after the imports
  const unsigned width = plus ? 8 : 4;
  if (!in_bounds(b.size(), *at, plus ? 40 : 24)) return false;
  const std::uint64_t callbacks = plus ? read_le<std::uint64_t>(b, *at + 24).value_or(0)
                                       : read_le<std::uint32_t>(b, *at + 12).value_or(0);
  std::uint64_t position = *at + (plus ? 40 : 24);
  if (callbacks > image_base) {
    const auto list = map.offset_of(callbacks - image_base);
    if (!list) return false;
    for (std::uint64_t i = 0;; ++i) {
      if (i >= 3000 || !in_bounds(b.size(), *list + i * width, width)) return false;  // LIEF's MAX_TLS_CALLBACKS
      position = *list + (i + 1) * width;
      if (read_le<std::uint32_t>(b, *list + i * width).value_or(0) == 0) break;  // LIEF tests the low 32 bits
    }
  }
  return in_bounds(b.size(), position, 16);
}

/// LIEF 0.9 walks the base relocation blocks through its stream, reading each next block header
/// without a bounds check (an exception that leaves the stream at that offset, see plain_tls):
/// true when that walk stays inside the file (or there are no relocations).
bool plain_relocations(View b, const LiefRvaMap& map, std::uint32_t rva, std::uint32_t size, std::uint32_t image_size) {
  if (rva == 0) return true;
  const auto at = map.offset_of(rva);
  if (!at || *at > 0xffffffffu) return false;
  if (!map.in_section(*at)) return true;  // LIEF does not read them
  const auto offset = static_cast<std::uint32_t>(*at);
  const std::uint32_t end = offset + size;           // LIEF's 32-bit arithmetic
  if (!in_bounds(b.size(), offset, 8)) return true;  // LIEF tests this one first
  std::uint32_t current = offset;
  for (std::size_t blocks = 0; current < end && read_le<std::uint32_t>(b, current).value_or(0) != 0; ++blocks) {
    const auto block = read_le<std::uint32_t>(b, current + 4).value_or(0);
    if (block < 8 || block > image_size) return true;
    if (!in_bounds(b.size(), std::uint64_t{current} + 8, std::uint64_t{(block - 8) / 2} * 2)) return true;
    if (blocks > (1u << 20) || std::uint64_t{current} + block > 0xffffffffu) return false;
    current += block;
    if (!in_bounds(b.size(), current, 8)) return false;  // LIEF's unchecked read of the next header
  }
  return true;
}

/// The RT_VERSION resource, found as the header-only reader finds it (find_version follows LIEF's
/// tree walk); declined when the tree's root or the data do not map into a section.
bool plain_version(View b, const LiefRvaMap& map, std::uint32_t rva, PeInfo& info, const Limits& limits) {
  if (rva == 0) return true;
  const auto root = map.offset_of(rva);
  if (!root) return false;
  if (!map.in_section(*root)) return true;  // LIEF does not parse the tree
  std::vector<std::uint64_t> visited{*root};
  if (!plain_resource_dir(b, map, *root, 0, 0, visited)) return false;
  const SpanSource source(b);
  const auto entry = find_version(source, *root, 0, 0);
  if (!entry || entry->second == 0) return true;
  if (entry->second > kMaxVersionResource) return false;
  const auto data = map.offset_of(entry->first);
  if (!data || !in_bounds(b.size(), *data, entry->second)) return false;
  apply_version_resource(b.subspan(static_cast<std::size_t>(*data), entry->second), info.file_version,
                         info.version_info, limits.max_string_length);
  return true;
}

}  // namespace

std::optional<BinaryModel> plain_pe_model(std::span<const std::byte> bytes, const Limits& limits) {
  const View b = bytes;
  const auto pe = read_le<std::uint32_t>(b, 0x3c);
  if (b.size() < 64 || std::memcmp(b.data(), "MZ", 2) != 0 || !pe || !in_bounds(b.size(), *pe, 24) ||
      std::memcmp(b.data() + *pe, "PE\0\0", 4) != 0)
    return std::nullopt;  // (LIEF's is_pe)
  const std::uint64_t opt = std::uint64_t{*pe} + 24;
  PeMap headers;
  auto model = pe_model(b, *pe, b.size(), limits, headers);  // (checks the optional header's magic)
  if (!model) return std::nullopt;
  const bool plus = model->pe->pe32_plus;
  if (read_le<std::uint16_t>(b, *pe + 20).value_or(0) != (plus ? 0xf0 : 0xe0) ||
      read_le<std::uint32_t>(b, opt + (plus ? 108 : 92)).value_or(0) != 16)
    return std::nullopt;
  const auto map = plain_sections(b, opt, headers);
  if (!map) return std::nullopt;
  const auto directory = [&](unsigned index) { return data_directory(b, opt, plus, index); };
  if (!plain_tls(b, *map, directory(9).first, plus, headers.image_base) ||
      !plain_relocations(b, *map, directory(5).first, directory(5).second,
                         read_le<std::uint32_t>(b, opt + 56).value_or(0)))  // SizeOfImage
    return std::nullopt;
  auto imports = plain_imports(b, *map, directory(1).first, plus);
  if (!imports) return std::nullopt;
  const auto exports = plain_exports(b, *map, directory(0).first, directory(0).second);
  if (!exports) return std::nullopt;
  auto pdb = plain_pdb_path(b, *map, directory(6).first);
  if (!pdb) return std::nullopt;
  PeInfo& info = *model->pe;
  if (!plain_version(b, *map, directory(2).first, info, limits)) return std::nullopt;
  fill_imports(*imports, *model, info, limits);
  model->exports_count = *exports;
  info.pdb_path = bounded(std::move(*pdb), limits.max_string_length);
  return std::move(*model);
}

namespace {

// ---------------------------------------------------------------------------------------------
// Mach-O

constexpr std::uint32_t kLcCodeSignature = 0x1d;
constexpr std::uint64_t kMaxLoadCommandBytes = 8u << 20;

bool is_dylib_command(std::uint32_t cmd) {
  switch (cmd) {
    case 0xc:
    case 0x20:
    case 0x80000018:
    case 0x8000001f:
    case 0x80000023: return true;
    default: return false;
  }
}

/// One thin Mach-O at [offset, offset + size) of the file.
Result<MachOSlice> macho_slice(const ByteSource& file, std::uint64_t offset, std::uint64_t size, const Limits& limits,
                               unsigned& bits) {
  auto header = read_range(file, offset, std::min<std::uint64_t>(32, size));
  if (!header || header->size() < 28) return fail(Errc::Malformed, "Mach-O header lies outside the file");
  const View h(*header);
  const auto magic = read_be<std::uint32_t>(h, 0).value_or(0);
  const bool big = magic == 0xfeedface || magic == 0xfeedfacf;
  const bool little = magic == 0xcefaedfe || magic == 0xcffaedfe;
  if (!big && !little) return fail(Errc::Malformed, "not a Mach-O header");
  const ByteOrder order = big ? ByteOrder::Big : ByteOrder::Little;
  const bool is64 = magic == 0xfeedfacf || magic == 0xcffaedfe;
  bits = is64 ? 64 : 32;
  MachOSlice slice;
  slice.cpu_type = macho_cpu_name(read_int<std::uint32_t>(h, 4, order).value_or(0));
  slice.file_type = macho_file_type_name(read_int<std::uint32_t>(h, 12, order).value_or(0));
  slice.offset = offset;
  slice.size = size;
  const auto ncmds = read_int<std::uint32_t>(h, 16, order).value_or(0);
  const auto sizeofcmds = read_int<std::uint32_t>(h, 20, order).value_or(0);
  if (ncmds > limits.max_macho_load_commands || sizeofcmds > kMaxLoadCommandBytes)
    return fail(Errc::Malformed, "Mach-O load commands above the limits");
  const std::uint64_t start = offset + (is64 ? 32 : 28);
  auto cmds = read_range(file, start,
                         std::min<std::uint64_t>(sizeofcmds, size - std::min<std::uint64_t>(size, start - offset)));
  if (!cmds) return std::unexpected(cmds.error());
  const View c(*cmds);
  std::uint64_t at = 0;
  for (std::uint32_t i = 0; i < ncmds && in_bounds(c.size(), at, 8); ++i) {
    const auto cmd = read_int<std::uint32_t>(c, at, order).value_or(0);
    const auto cmdsize = read_int<std::uint32_t>(c, at + 4, order).value_or(0);
    if (cmdsize < 8 || !in_bounds(c.size(), at, cmdsize))
      return fail(Errc::Malformed, "Mach-O load command size is out of bounds");
    const View body = c.subspan(static_cast<std::size_t>(at), cmdsize);
    if (cmd == kLcCodeSignature && cmdsize >= 16) {
      slice.has_code_signature = true;
      slice.code_signature = {offset + read_int<std::uint32_t>(body, 8, order).value_or(0),
                              read_int<std::uint32_t>(body, 12, order).value_or(0)};
    } else if (is_dylib_command(cmd) && cmdsize >= 12 && slice.libraries.size() < limits.max_imports) {
      slice.libraries.push_back(
          bounded(c_string(body, read_int<std::uint32_t>(body, 8, order).value_or(0), 1024), limits.max_string_length));
    }
    at += cmdsize;
  }
  return slice;
}

Result<BinaryModel> macho_headers(Format format, const ByteSource& file, const Limits& limits) {
  BinaryModel model;
  model.format = format;
  unsigned bits = 0;
  if (format == Format::MachO) {
    auto slice = macho_slice(file, 0, file.size(), limits, bits);
    if (!slice) return std::unexpected(slice.error());
    model.macho_slices.push_back(std::move(*slice));
  } else {
    auto head = read_range(file, 0, 8);
    if (!head) return std::unexpected(head.error());
    const bool fat64 = read_be<std::uint32_t>(View(*head), 0).value_or(0) == 0xcafebabf;
    const auto n = read_be<std::uint32_t>(View(*head), 4).value_or(0);
    const std::uint64_t entry = fat64 ? 32 : 20;
    const unsigned width = fat64 ? 8 : 4;
    auto table = read_range(file, 8, std::min<std::uint64_t>(n, limits.max_fat_slices) * entry);
    if (!table) return std::unexpected(table.error());
    for (std::uint64_t i = 0; (i + 1) * entry <= table->size(); ++i) {
      const auto off = read_uint(View(*table), i * entry + 8, width, ByteOrder::Big).value_or(0);
      const auto size = read_uint(View(*table), i * entry + 8 + width, width, ByteOrder::Big).value_or(0);
      if (!in_bounds(file.size(), off, size)) return fail(Errc::Malformed, "fat slice lies outside the file");
      unsigned slice_bits = 0;
      auto slice = macho_slice(file, off, size, limits, slice_bits);
      if (!slice) return std::unexpected(slice.error());
      if (i == 0) bits = slice_bits;
      model.macho_slices.push_back(std::move(*slice));
    }
    if (n > limits.max_fat_slices)
      model.warnings.push_back("fat slices beyond " + std::to_string(limits.max_fat_slices) + " ignored");
  }
  if (model.macho_slices.empty()) return fail(Errc::Malformed, "Mach-O without slices");
  model.architecture = format == Format::MachOFat ? "universal" : model.macho_slices.front().cpu_type;
  model.bits = bits;
  model.libraries = model.macho_slices.front().libraries;
  return model;
}

// ---------------------------------------------------------------------------------------------
// ELF

constexpr std::uint64_t kMaxElfTable = 4u << 20;  ///< section or program header table
constexpr std::uint64_t kMaxModinfo = 1u << 20;

/// The interpreter named by PT_INTERP, if any.
std::string elf_interpreter(const ByteSource& file, const ElfHeader& e, const Limits& limits) {
  if (e.phentsize < (e.is64 ? 56 : 32) || std::uint64_t{e.phnum} * e.phentsize > kMaxElfTable) return {};
  auto table = read_range(file, e.phoff, std::uint64_t{e.phnum} * e.phentsize);
  if (!table) return {};
  for (std::uint64_t i = 0; i < e.phnum; ++i) {
    const std::uint64_t p = i * e.phentsize;
    if (read_int<std::uint32_t>(View(*table), p, e.order).value_or(0) != 3) continue;  // PT_INTERP
    const auto offset = read_uint(View(*table), p + (e.is64 ? 8 : 4), e.is64 ? 8 : 4, e.order).value_or(0);
    auto name = read_upto(file, offset, 4096);
    return name ? bounded(c_string(*name, 0, 4096), limits.max_string_length) : std::string{};
  }
  return {};
}

/// The sections that classify an ELF file (headers.hpp), by name.
void elf_sections(const ByteSource& file, const ElfHeader& e, ElfInfo& info, const Limits& limits) {
  if (e.shentsize < (e.is64 ? 64 : 40) || std::uint64_t{e.shnum} * e.shentsize > kMaxElfTable || e.shstrndx >= e.shnum)
    return;
  auto table = read_range(file, e.shoff, std::uint64_t{e.shnum} * e.shentsize);
  if (!table) return;
  const View t(*table);
  const unsigned w = e.is64 ? 8 : 4;
  auto field = [&](std::uint64_t index, std::uint64_t at32, std::uint64_t at64, unsigned width) {
    return read_uint(t, index * e.shentsize + (e.is64 ? at64 : at32), width, e.order).value_or(0);
  };
  auto content = [&](std::uint64_t index, std::uint64_t max) {
    return read_range(file, field(index, 16, 24, w), std::min(field(index, 20, 32, w), max));
  };
  auto names = content(e.shstrndx, kMaxElfTable);
  if (!names) return;
  bool ksymtab = false, init_text = false;
  for (std::uint64_t i = 0; i < e.shnum; ++i) {
    const std::string name = c_string(*names, field(i, 0, 0, 4), 256);
    if (name == ".gnu.linkonce.this_module") info.has_this_module = true;
    if (name == "__ksymtab") ksymtab = true;
    if (name == ".init.text") init_text = true;
    if (name == ".modinfo")
      if (auto c = content(i, kMaxModinfo))
        parse_modinfo({reinterpret_cast<const std::uint8_t*>(c->data()), c->size()}, info, limits);
    if (name == ".modname")
      if (auto c = content(i, 4096)) info.grub_module_name = bounded(c_string(*c, 0, 4096), limits.max_string_length);
  }
  info.looks_like_kernel_image = info.elf_type == "EXEC" && ksymtab && init_text;
}

Result<BinaryModel> elf_headers(const ByteSource& file, const Limits& limits) {
  auto head = read_upto(file, 0, 64);
  if (!head) return fail(Errc::Malformed, "ELF header is truncated");
  auto e = elf_header(*head);
  if (!e) return std::unexpected(e.error());
  BinaryModel model;
  model.format = Format::Elf;
  model.architecture = elf_architecture(e->machine);
  model.bits = e->is64 ? 64 : 32;
  if (e->entry != 0) model.entry_point = e->entry;
  ElfInfo info;
  info.elf_type = elf_type_name(e->type);
  info.machine = model.architecture;
  info.interpreter = elf_interpreter(file, *e, limits);
  elf_sections(file, *e, info, limits);
  if (file.size() >= kModuleSignatureMagic.size())
    if (auto tail = read_range(file, file.size() - kModuleSignatureMagic.size(), kModuleSignatureMagic.size()))
      info.has_module_signature = ends_with_module_signature(*tail);
  model.elf = std::move(info);
  return model;
}

}  // namespace

Result<BinaryModel> parse_headers(Format format, const ByteSource& file, const Limits& limits) {
  Result<BinaryModel> model = format == Format::Pe    ? pe_headers(file, limits)
                              : format == Format::Elf ? elf_headers(file, limits)
                              : format == Format::MachO || format == Format::MachOFat
                                  ? macho_headers(format, file, limits)
                                  : fail(Errc::Unsupported, "no header parser for this format");
  if (model)
    model->warnings.emplace_back(
        "read from the headers only (no LIEF): imported functions, imphash, exports and (ELF) dynamic libraries are "
        "not listed");
  return model;
}

Result<ElfHeader> elf_header(std::span<const std::byte> head) {
  if (head.size() < 52) return fail(Errc::Malformed, "ELF header is truncated");
  ElfHeader e;
  e.is64 = std::to_integer<int>(head[4]) == 2;
  e.order = std::to_integer<int>(head[5]) == 2 ? ByteOrder::Big : ByteOrder::Little;
  if (e.is64 && head.size() < 64) return fail(Errc::Malformed, "ELF header is truncated");
  auto u16 = [&](std::uint64_t at) { return read_int<std::uint16_t>(head, at, e.order).value_or(0); };
  auto word = [&](std::uint64_t at) { return read_uint(head, at, e.is64 ? 8 : 4, e.order).value_or(0); };
  e.type = u16(16);
  e.machine = u16(18);
  e.entry = word(24);
  e.phoff = word(e.is64 ? 32 : 28);
  e.shoff = word(e.is64 ? 40 : 32);
  const std::uint64_t rest = e.is64 ? 54 : 42;
  e.phentsize = u16(rest);
  e.phnum = u16(rest + 2);
  e.shentsize = u16(rest + 4);
  e.shnum = u16(rest + 6);
  e.shstrndx = u16(rest + 8);
  return e;
}

}  // namespace trustscan::parse
