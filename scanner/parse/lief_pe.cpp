// PE/COFF extraction with LIEF 0.9. LIEF is used for structure only; its signature API is not used
// (it is incomplete in 0.9, see lief-0.9-notes §3): verify/ works on the raw bytes and PeLayout.
#include <LIEF/PE.hpp>

#include "core/ascii.hpp"
#include "io/hashing.hpp"
#include "parse/lief_extractors.hpp"
#include "parse/version_info.hpp"

namespace trustscan::parse {
namespace {

namespace pe = LIEF::PE;

constexpr std::uint32_t kRtVersion = 16;  // RT_VERSION resource type

std::string architecture_of(pe::MACHINE_TYPES m) {
  switch (m) {
    case pe::MACHINE_TYPES::IMAGE_FILE_MACHINE_AMD64: return "x86_64";
    case pe::MACHINE_TYPES::IMAGE_FILE_MACHINE_I386: return "x86";
    case pe::MACHINE_TYPES::IMAGE_FILE_MACHINE_ARM64: return "arm64";
    case pe::MACHINE_TYPES::IMAGE_FILE_MACHINE_ARM:
    case pe::MACHINE_TYPES::IMAGE_FILE_MACHINE_ARMNT:
    case pe::MACHINE_TYPES::IMAGE_FILE_MACHINE_THUMB: return "arm";
    case pe::MACHINE_TYPES::IMAGE_FILE_MACHINE_IA64: return "ia64";
    default: return "unknown";
  }
}

/// LIEF's name for the COFF machine, or "0xNNNN" for one it does not know ("Out of range").
std::string machine_name(pe::MACHINE_TYPES m) {
  std::string name = LIEF::PE::to_string(m);
  if (name != "Out of range" && !name.empty()) return name;
  char hex[8];
  std::snprintf(hex, sizeof hex, "0x%04x", static_cast<unsigned>(m) & 0xffff);
  return hex;
}

}  // namespace

std::string pe_architecture(std::uint16_t machine) { return architecture_of(static_cast<pe::MACHINE_TYPES>(machine)); }
std::string pe_machine_name(std::uint16_t machine) { return machine_name(static_cast<pe::MACHINE_TYPES>(machine)); }
std::string pe_subsystem_name(std::uint16_t subsystem) {
  return LIEF::PE::to_string(static_cast<pe::SUBSYSTEM>(subsystem));
}

void fill_imports(const std::vector<ImportedLibrary>& imports, BinaryModel& model, PeInfo& info, const Limits& limits) {
  std::string joined;
  for (const ImportedLibrary& imp : imports) {
    if (model.libraries.size() >= limits.max_imports) {
      model.warnings.push_back("import list cut at " + std::to_string(limits.max_imports) + " libraries");
      break;
    }
    std::string lib = fold_case(imp.name);
    model.libraries.push_back(bounded(imp.name, limits.max_string_length));
    std::string stem = lib;
    for (std::string_view ext : {".dll", ".ocx", ".sys"})
      if (stem.size() > ext.size() && stem.ends_with(ext)) stem.resize(stem.size() - ext.size());
    for (const std::string& function : imp.functions) {
      const std::string fn = fold_case(function);
      if (!joined.empty()) joined += ',';
      joined += stem + "." + fn;
      if (info.imported_functions.size() < limits.max_imports)
        info.imported_functions.push_back(bounded(lib + "." + fn, limits.max_string_length));
    }
  }
  if (joined.empty()) return;
  info.imphash = io::md5_hex(std::as_bytes(std::span(joined)));
}

namespace {

/// LIEF's import table as fill_imports takes it.
std::vector<ImportedLibrary> imports_of(const pe::Binary& bin) {
  std::vector<ImportedLibrary> libs;
  for (const pe::Import& imp : bin.imports()) {
    ImportedLibrary& lib = libs.emplace_back();
    lib.name = imp.name();
    for (const pe::ImportEntry& e : imp.entries())
      lib.functions.push_back(e.is_ordinal() ? ordinal_import(e.ordinal()) : e.name());
  }
  return libs;
}

/// The first data entry of the RT_VERSION subtree (type 16 -> name -> language -> data), or
/// nullptr. The tree is what LIEF parsed with the binary; nothing else of LIEF's resource code is
/// used (ResourcesManager::version() crashes on forged input, see version_info.hpp).
const pe::ResourceData* version_resource(const pe::ResourceNode& node, unsigned depth) {
  for (const pe::ResourceNode& child : node.childs()) {
    if (depth == 0 && (child.has_name() || child.id() != kRtVersion)) continue;
    if (child.is_data()) return depth == 0 ? nullptr : dynamic_cast<const pe::ResourceData*>(&child);
    if (depth < 3)
      if (const pe::ResourceData* found = version_resource(child, depth + 1)) return found;
  }
  return nullptr;
}

void fill_version_info(const pe::Binary& bin, PeInfo& info, const Limits& limits) {
  if (!bin.has_resources()) return;
  const pe::ResourceData* data = version_resource(bin.resources(), 0);
  if (data == nullptr) return;
  const std::vector<std::uint8_t>& raw = data->content();
  apply_version_resource(std::as_bytes(std::span(raw)), info.file_version, info.version_info, limits.max_string_length);
}

PeLayout layout_of(const pe::Binary& bin) {
  PeLayout l;
  std::uint64_t opt = std::uint64_t{bin.dos_header().addressof_new_exeheader()} + 24;
  l.checksum_offset = opt + 64;
  // The certificate table is data directory 4; each directory entry is 8 bytes.
  l.security_dir_offset = opt + (bin.type() == pe::PE_TYPE::PE32 ? 96 : 112) + std::uint64_t{4} * 8;
  l.size_of_headers = bin.optional_header().sizeof_headers();
  // An image with fewer than 5 data directories has no certificate-table entry at all (LIEF 0.9
  // would still hand back whatever bytes sit there).
  if (bin.optional_header().numberof_rva_and_size() > 4) {
    const pe::DataDirectory& sec = bin.data_directory(pe::DATA_DIRECTORY::CERTIFICATE_TABLE);
    l.certificate_table = {sec.RVA(), sec.size()};  // RVA() is a file offset for this directory
  }
  for (const pe::Section& s : bin.sections()) l.sections.push_back({s.pointerto_raw_data(), s.sizeof_raw_data()});
  return l;
}

}  // namespace

BinaryModel extract_pe(const PreparedBytes& prepared, std::span<const std::byte> original,
                       const Limits& limits) {
  std::unique_ptr<pe::Binary> bin = pe::Parser::parse(prepared.lief_input());
  if (!bin) throw LIEF::bad_format("LIEF returned no PE binary");
  BinaryModel model;
  model.format = Format::Pe;
  PeInfo info;
  const pe::Header& hdr = bin->header();
  const pe::OptionalHeader& opt = bin->optional_header();
  info.pe32_plus = bin->type() == pe::PE_TYPE::PE32_PLUS;
  info.machine = machine_name(hdr.machine());
  info.subsystem = LIEF::PE::to_string(opt.subsystem());
  info.is_dll = hdr.has_characteristic(pe::HEADER_CHARACTERISTICS::IMAGE_FILE_DLL);
  info.dll_characteristics = static_cast<std::uint16_t>(opt.dll_characteristics());
  for (const pe::Section& s : bin->sections())
    info.section_names.push_back(bounded(s.name(), limits.max_string_length));
  info.timestamp = hdr.time_date_stamp();
  info.checksum = opt.checksum();
  model.architecture = architecture_of(hdr.machine());
  model.bits = info.pe32_plus ? 64 : 32;
  if (opt.addressof_entrypoint() != 0) model.entry_point = opt.imagebase() + opt.addressof_entrypoint();
  fill_imports(imports_of(*bin), model, info, limits);
  if (bin->has_exports()) model.exports_count = bin->get_export().entries().size();
  fill_version_info(*bin, info, limits);
  if (bin->has_debug() && bin->debug().has_code_view())
    if (const auto* pdb = dynamic_cast<const pe::CodeViewPDB*>(&bin->debug().code_view()))
      info.pdb_path = bounded(pdb->filename(), limits.max_string_length);
  info.layout = layout_of(*bin);
  // Present = the data directory points at a table inside the file (LIEF's has_signature() is
  // false for a table it failed to parse, which is exactly the case verify/ must see).
  const ByteRange& ct = info.layout.certificate_table;
  info.has_certificate_table = ct.size != 0 && ct.offset < original.size();
  model.pe = std::move(info);
  return model;
}

}  // namespace trustscan::parse
