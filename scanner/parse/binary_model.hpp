#pragma once
/// \file
/// The scanner-owned, LIEF-free description of one parsed binary. Filled only by parse/, read by
/// every later stage. Anything LIEF cannot give reliably (signatures, hashes) is left to later stages
/// which work on the raw bytes plus the offsets recorded here.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/file_version.hpp"
#include "core/types.hpp"

namespace trustscan::parse {

/// What a Linux module signature leaves at the very end of the file.
inline constexpr std::string_view kModuleSignatureMagic = "~Module signature appended~\n";

/// Whether `tail` (the file's last bytes, or all of them) ends with kModuleSignatureMagic.
[[nodiscard]] inline bool ends_with_module_signature(std::span<const std::byte> tail) noexcept {
  const std::size_t n = kModuleSignatureMagic.size();
  return tail.size() >= n && std::memcmp(tail.data() + tail.size() - n, kModuleSignatureMagic.data(), n) == 0;
}

/// A byte range inside the (possibly decompressed) file image.
struct ByteRange {
  std::uint64_t offset = 0;
  std::uint64_t size = 0;
  friend bool operator==(const ByteRange&, const ByteRange&) = default;
};

/// File offsets the Authenticode digest needs (PE/COFF spec §"Calculating the PE Image Hash").
struct PeLayout {
  std::uint64_t checksum_offset = 0;      ///< OptionalHeader.CheckSum (4 bytes, excluded from the hash)
  std::uint64_t security_dir_offset = 0;  ///< IMAGE_DATA_DIRECTORY[SECURITY] entry (8 bytes, excluded)
  std::uint64_t size_of_headers = 0;      ///< OptionalHeader.SizeOfHeaders
  /// The certificate table as the data directory declares it (its "RVA" is a file offset).
  /// size == 0 when absent. May point outside the file in a malformed PE: check before use.
  ByteRange certificate_table{};
  std::vector<ByteRange> sections;  ///< PointerToRawData/SizeOfRawData per section, file order
  friend bool operator==(const PeLayout&, const PeLayout&) = default;
};

/// PE/COFF specifics.
struct PeInfo {
  bool pe32_plus = false;
  std::string machine;    ///< e.g. "AMD64", "I386", "ARM64"
  std::string subsystem;  ///< e.g. "NATIVE", "WINDOWS_GUI", "EFI_APPLICATION"
  bool is_dll = false;
  /// OptionalHeader.DllCharacteristics (IMAGE_DLLCHARACTERISTICS_*; 0x2000 = WDM_DRIVER).
  std::uint16_t dll_characteristics = 0;
  /// Section names in file order, as in the section table (at most 8 bytes each; a long name of
  /// an object-file style table is its "/N" string-table reference).
  std::vector<std::string> section_names;
  std::uint32_t timestamp = 0;  ///< COFF TimeDateStamp
  std::uint32_t checksum = 0;
  /// VS_VERSIONINFO StringFileInfo values by key (CompanyName, ProductName, FileDescription,
  /// OriginalFilename, FileVersion, ProductVersion, LegalCopyright, InternalName...), UTF-8.
  std::map<std::string, std::string> version_info;
  /// VS_FIXEDFILEINFO's binary file version, the one Windows compares; absent without one.
  std::optional<FileVersion> file_version;
  std::string pdb_path;  ///< CodeView PDB70 path of the first debug entry, if any
  std::string imphash;   ///< standard (pefile/YARA) imphash, lower-case hex MD5; empty if no imports
  std::vector<std::string> imported_functions;  ///< "lib.func" / "lib.ord123" in import order (bounded)
  bool has_certificate_table = false;
  PeLayout layout;
  friend bool operator==(const PeInfo&, const PeInfo&) = default;
};

/// ELF specifics.
struct ElfInfo {
  std::string elf_type;     ///< "EXEC", "DYN", "REL", "CORE"
  std::string machine;      ///< e.g. "x86_64", "aarch64"
  std::string interpreter;  ///< PT_INTERP, if any
  std::string soname;
  /// `.modinfo` key=value pairs of a kernel module; a key that repeats (alias, depends) is joined
  /// with ",". Empty for other ELF files.
  std::map<std::string, std::string> modinfo;
  /// The file ends with "~Module signature appended~\n" (Linux module signature).
  bool has_module_signature = false;
  /// Has `.gnu.linkonce.this_module` (the `struct module` every Linux module carries).
  bool has_this_module = false;
  /// GRUB module name from `.modname` (GRUB's loadable modules are ELF relocatables too).
  std::string grub_module_name;
  /// Kernel image markers (`__ksymtab` plus a `.init.text` in an executable = vmlinux).
  bool looks_like_kernel_image = false;
  friend bool operator==(const ElfInfo&, const ElfInfo&) = default;
};

/// One architecture slice of a Mach-O (thin files have exactly one).
struct MachOSlice {
  std::string cpu_type;      ///< e.g. "x86_64", "arm64"
  std::string file_type;     ///< e.g. "EXECUTE", "DYLIB", "BUNDLE", "KEXT_BUNDLE"
  std::uint64_t offset = 0;  ///< slice offset inside a fat file (0 for thin)
  std::uint64_t size = 0;
  bool has_code_signature = false;
  ByteRange code_signature{};          ///< LC_CODE_SIGNATURE data, relative to the whole file
  std::vector<std::string> libraries;  ///< LC_LOAD_DYLIB & co.
  std::string bundle_identifier{};     ///< not filled yet (needs Info.plist)
  friend bool operator==(const MachOSlice&, const MachOSlice&) = default;
};

/// Everything parse/ learned about one binary.
struct BinaryModel {
  Format format = Format::Unknown;
  FileType type = FileType::Unknown;
  std::string architecture;                  ///< ECS-style: "x86_64", "x86", "arm64", "arm", ...
  unsigned bits = 0;                         ///< 32 or 64
  std::optional<std::uint64_t> entry_point;  ///< virtual address (PE: RVA + image base)
  std::vector<std::string> libraries;        ///< imported DLLs / DT_NEEDED / dylibs, in file order
  std::size_t exports_count = 0;
  std::optional<PeInfo> pe;
  std::optional<ElfInfo> elf;
  std::vector<MachOSlice> macho_slices;
  /// Non-fatal oddities met while parsing (a limit cut a list, a bad sub-structure was skipped).
  std::vector<std::string> warnings;
  friend bool operator==(const BinaryModel&, const BinaryModel&) = default;
};

}  // namespace trustscan::parse
