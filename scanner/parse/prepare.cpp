#include "parse/prepare.hpp"

#include <algorithm>
#include <cstring>
#include <string_view>

#include "parse/byte_reader.hpp"

namespace trustscan::parse {

std::optional<std::size_t> count_ksymtab_symbols(const ByteReader& r, bool is64, std::uint64_t shoff,
                                                 std::uint64_t shentsize, std::uint64_t shnum, std::uint64_t hdr) {
  constexpr std::string_view kPrefix = "__ksymtab_";
  auto offset = r.read(hdr + (is64 ? 0x18 : 0x10), is64 ? 8 : 4);
  auto size = r.read(hdr + (is64 ? 0x20 : 0x14), is64 ? 8 : 4);
  auto link = r.read(hdr + (is64 ? 0x28 : 0x18), 4);
  if (!offset || !size || !link) return std::nullopt;
  if (*link == 0 || *link >= shnum) return 0;  // LIEF: "section->link() is not valid", no symbols
  auto strtab = r.read(shoff + *link * shentsize + (is64 ? 0x18 : 0x10), is64 ? 8 : 4);
  if (!strtab) return std::nullopt;
  const std::uint64_t entsize = is64 ? 24 : 16;
  const std::uint64_t count = static_cast<std::uint32_t>(*size / entsize);  // LIEF keeps a uint32_t
  if (!r.in_bounds(*offset, count * entsize)) return std::nullopt;
  std::size_t n = 0;
  for (std::uint64_t i = 0; i < count; ++i) {
    const auto st_name = r.read(*offset + i * entsize, 4);  // inside: checked above
    if (!st_name) return std::nullopt;
    const std::uint64_t name = *strtab + *st_name;
    if (!r.in_bounds(name, kPrefix.size())) continue;  // LIEF: unreadable name, left empty
    bool match = true;
    for (std::size_t k = 0; k < kPrefix.size() && match; ++k)
      match = r.read(name + k, 1) == static_cast<unsigned char>(kPrefix[k]);
    n += match;
  }
  return n;
}

namespace {

constexpr std::uint32_t kShtRela = 4, kShtRel = 9, kShtProgbits = 1, kShtNobits = 8, kShtSymtab = 2;
constexpr std::uint64_t kEtRel = 1;


/// Adds the size at `size_at` to `copied`, or sets it to 0 when that would pass the table's
/// budget (kCopiedRangesFactor). Returns whether it was emptied.
bool over_copy_budget(ByteReader& r, std::uint64_t size_at, unsigned width, std::uint64_t& copied) {
  const auto size = r.read(size_at, width);
  if (!size || *size == 0) return false;
  const std::uint64_t budget = copy_budget(r.size());
  if (*size <= budget - std::min(budget, copied)) {
    copied += *size;
    return false;
  }
  r.write(size_at, width, 0);
  return true;
}

Result<void> prepare_pe(std::vector<std::uint8_t>& buf, const Limits& limits, std::vector<std::string>& warnings,
                        std::vector<Patch>* undo) {
  ByteReader r(buf, false, undo);
  auto lfanew = r.read(0x3c, 4);
  if (!lfanew) return fail(Errc::Malformed, "PE: truncated DOS header");
  auto nsect = r.read(*lfanew + 6, 2);
  auto opt_size = r.read(*lfanew + 20, 2);
  if (!nsect || !opt_size) return fail(Errc::Malformed, "PE: truncated COFF header");
  if (*nsect > limits.max_pe_sections)
    return fail(Errc::Malformed, "PE: NumberOfSections " + std::to_string(*nsect) + " exceeds " +
                                     std::to_string(limits.max_pe_sections));
  std::uint64_t table = *lfanew + 24 + *opt_size;
  std::uint64_t copied = 0;
  std::size_t emptied = 0;
  for (std::uint64_t i = 0; i < *nsect; ++i) {
    std::uint64_t hdr = table + i * 40;
    auto raw_size = r.read(hdr + 16, 4);
    auto raw_ptr = r.read(hdr + 20, 4);
    if (!raw_size || !raw_ptr) return fail(Errc::Malformed, "PE: section table beyond end of file");
    if (*raw_ptr > buf.size()) {
      r.write(hdr + 16, 4, 0);
      warnings.push_back("PE section " + std::to_string(i) + " starts beyond end of file; ignored");
    } else if (*raw_size > buf.size() - *raw_ptr) {
      r.write(hdr + 16, 4, buf.size() - *raw_ptr);
      warnings.push_back("PE section " + std::to_string(i) + " raw size clamped to end of file");
    }
    if (over_copy_budget(r, hdr + 16, 4, copied)) ++emptied;
  }
  if (emptied != 0)
    warnings.push_back(std::to_string(emptied) + " PE section raw range(s) beyond " +
                       std::to_string(kCopiedRangesFactor) + "x the file size in all (overlapping ranges); emptied");
  // The COFF symbol table (PointerToSymbolTable, NumberOfSymbols): MinGW keeps it in DLLs, and
  // LIEF 0.9 builds a Symbol object per entry — 4 % of a real tree's scan CPU — for a model that
  // takes nothing from it. LIEF is shown none.
  if (auto nsyms = r.read(*lfanew + 16, 4); nsyms && *nsyms != 0) {
    r.write(*lfanew + 12, 4, 0);
    r.write(*lfanew + 16, 4, 0);
  }
  return {};
}

/// Clamps one file range [offset, offset+size) of a section or segment header at `hdr` to the
/// file. LIEF 0.9 grows its own copy of the file to offset+size for every section and segment
/// (DataHandler::reserve), so one forged sh_size/p_filesz made it allocate and zero gigabytes
/// (fuzz_parse, tests/data/regress/parse/). A range starting beyond the file becomes empty at
/// its end; one running past it is cut there. Returns whether anything changed.
bool clamp_range(ByteReader& r, std::uint64_t off_at, std::uint64_t size_at, unsigned width, bool keep_size) {
  auto off = r.read(off_at, width), size = r.read(size_at, width);
  if (!off || !size) return false;
  const std::uint64_t file = r.size();
  if (*off > file) {
    r.write(off_at, width, file);
    if (!keep_size) r.write(size_at, width, 0);
    return true;
  }
  if (!keep_size && *size > file - *off) {
    r.write(size_at, width, file - *off);
    return true;
  }
  return false;
}

Result<void> prepare_elf(std::vector<std::uint8_t>& buf, std::vector<std::string>& warnings,
                         std::optional<std::size_t>& exports, std::vector<Patch>* undo) {
  if (buf.size() < 52) return fail(Errc::Malformed, "ELF: file shorter than an ELF header");
  if ((buf[4] != 1 && buf[4] != 2) || (buf[5] != 1 && buf[5] != 2))
    return fail(Errc::Malformed, "ELF: invalid class or data encoding");
  bool is64 = buf[4] == 2;
  ByteReader r(buf, buf[5] == 2, undo);
  const unsigned w = is64 ? 8 : 4;
  auto type = r.read(16, 2);
  auto phoff = r.read(is64 ? 0x20 : 0x1c, w);
  auto shoff = r.read(is64 ? 0x28 : 0x20, w);
  auto phnum = r.read(is64 ? 0x38 : 0x2c, 2);
  auto shentsize = r.read(is64 ? 0x3a : 0x2e, 2);
  auto shnum = r.read(is64 ? 0x3c : 0x30, 2);
  if (!type || !phoff || !shoff || !phnum || !shentsize || !shnum)
    return fail(Errc::Malformed, "ELF: truncated header");
  const bool relocatable = *type == kEtRel;
  if (relocatable && *shnum != 0 && (*shentsize < (is64 ? 64u : 40u) || !r.in_bounds(*shoff, *shnum * *shentsize)))
    return fail(Errc::Malformed, "ELF: section header table outside the file");

  // Section and program headers that lie inside the file: clamp their file ranges (SHT_NOBITS
  // occupies no file bytes, only its offset is clamped) and, in relocatable objects, retype
  // relocation sections (only relocatable objects hit LIEF's quadratic relocation path). LIEF
  // reads both tables as arrays of Elf_Shdr / Elf_Phdr whatever e_shentsize / e_phentsize say, so
  // the walk uses those strides too.
  const std::uint64_t shdr = is64 ? 64 : 40, phdr = is64 ? 56 : 32;
  std::size_t clamped = 0, emptied = 0;
  std::uint64_t copied_sections = 0, copied_segments = 0;
  for (std::uint64_t i = 0; i < *shnum; ++i) {
    const std::uint64_t hdr = *shoff + i * shdr;
    auto t = r.read(hdr + 4, 4);
    if (!r.in_bounds(hdr, shdr) || !t) break;
    if (relocatable && (*t == kShtRel || *t == kShtRela)) r.write(hdr + 4, 4, kShtProgbits);
    const std::uint64_t off_at = hdr + (is64 ? 0x18 : 0x10);
    if (clamp_range(r, off_at, off_at + w, w, *t == kShtNobits)) ++clamped;
    if (*t != kShtNobits && over_copy_budget(r, off_at + w, w, copied_sections)) ++emptied;
  }
  for (std::uint64_t i = 0; i < *phnum; ++i) {
    const std::uint64_t hdr = *phoff + i * phdr;
    if (!r.in_bounds(hdr, phdr)) break;
    // p_offset, p_filesz: at 8/32 (ELF64) or 4/16 (ELF32).
    if (clamp_range(r, hdr + (is64 ? 8 : 4), hdr + (is64 ? 32 : 16), w, false)) ++clamped;
    if (over_copy_budget(r, hdr + (is64 ? 32 : 16), w, copied_segments)) ++emptied;
  }
  if (clamped != 0)
    warnings.push_back(std::to_string(clamped) + " ELF section/segment file range(s) beyond end of file; clamped");
  if (emptied != 0)
    warnings.push_back(std::to_string(emptied) + " ELF section/segment file range(s) beyond " +
                       std::to_string(kCopiedRangesFactor) + "x the file size in all (overlapping ranges); emptied");

  // Relocatable objects: LIEF parses the first symbol table only (as an array of Elf_Shdr, like
  // the walk above), building an object per symbol just for exports_count. Count it here, on the
  // clamped headers LIEF will see, and hide it from LIEF.
  if (relocatable) {
    exports = 0;  // no symbol table: no exports, as LIEF would say
    for (std::uint64_t i = 0; i < *shnum; ++i) {
      const std::uint64_t hdr = *shoff + i * shdr;
      const auto t = r.read(hdr + 4, 4);
      if (!r.in_bounds(hdr, shdr) || !t) break;
      if (*t != kShtSymtab) continue;
      exports = count_ksymtab_symbols(r, is64, *shoff, shdr, *shnum, hdr);
      if (exports) r.write(hdr + 4, 4, kShtProgbits);
      break;
    }
  }
  return {};
}

constexpr std::uint32_t kLcSymtab = 0x2;
constexpr std::uint32_t kLcFunctionStarts = 0x26;
constexpr std::uint32_t kLcDataInCode = 0x29;
/// Longest symbol name LIEF gets to read (Limits::max_string_length is the same 4 KiB).
constexpr std::uint64_t kMaxSymbolName = 4096;

/// LIEF 0.9 reads each nlist's name as a C string at stroff + n_strx, up to the next NUL anywhere
/// in the slice. A string table without NULs (its bytes shifted or overwritten) turned ~35,000
/// symbols into ~700 MB of names: a 15 MB Mach-O took 812 MB and 8 s (tools/mutate.py, input in
/// tests/data/regress/parse/). On the copy: a NUL ends the string table and follows every
/// kMaxSymbolName bytes without one, and an n_strx outside the table is set to 0.
void bound_symbol_names(ByteReader& r, std::uint64_t cmd_at, bool is64) {
  auto symoff = r.read(cmd_at + 8, 4), nsyms = r.read(cmd_at + 12, 4);
  auto stroff = r.read(cmd_at + 16, 4), strsize = r.read(cmd_at + 20, 4);
  if (!symoff || !nsyms || !stroff || !strsize) return;
  if (*strsize == 0 || !r.in_bounds(*stroff, *strsize)) {
    r.write(cmd_at + 12, 4, 0);  // no usable string table: no symbols
    return;
  }
  std::uint64_t run = 0;
  for (std::uint64_t i = *stroff; i < *stroff + *strsize; ++i) {
    if (r.read(i, 1) == 0) {  // inside: checked above
      run = 0;
    } else if (++run >= kMaxSymbolName) {
      r.write(i, 1, 0);
      run = 0;
    }
  }
  r.write(*stroff + *strsize - 1, 1, 0);
  const std::uint64_t entry = is64 ? 16 : 12;
  for (std::uint64_t i = 0; i < *nsyms; ++i) {
    const std::uint64_t at = *symoff + i * entry;
    auto strx = r.read(at, 4);
    if (!strx) break;  // LIEF stops at the end of the data too
    if (*strx >= *strsize) r.write(at, 4, 0);
  }
}

/// Section types with no file bytes (S_ZEROFILL, S_GB_ZEROFILL, S_THREAD_LOCAL_ZEROFILL).
bool zerofill(std::uint64_t flags) {
  const std::uint64_t type = flags & 0xff;
  return type == 0x1 || type == 0xc || type == 0x12;
}

/// A segment's file size and its sections' sizes (zero-fill sections have no file bytes): each
/// kept within the copy budget of the slice (kCopiedRangesFactor: LIEF copies each); returns how
/// many were emptied for that. With MachOContents::Hidden every one is then zeroed: LIEF 0.9
/// copies each range into its segment and section objects — the whole slice about three times,
/// with the page faults of the copies: most of its Mach-O time — and extract_macho reads none of
/// them (header, load commands, the symbol table and the code signature's offsets are read from
/// the file, not from segment contents).
std::size_t bound_segment_copies(ByteReader& r, std::uint64_t at, bool seg64, std::uint64_t nsects,
                                 std::uint64_t& copied, MachOContents contents) {
  const unsigned w = seg64 ? 8 : 4;
  std::size_t emptied = 0;
  const auto range = [&](std::uint64_t size_at) {
    if (over_copy_budget(r, size_at, w, copied)) ++emptied;
    if (contents == MachOContents::Hidden) r.write(size_at, w, 0);
  };
  range(at + (seg64 ? 48 : 36));
  const std::uint64_t first = at + (seg64 ? 72 : 56), sect_size = seg64 ? 80 : 68;
  for (std::uint64_t s = 0; s < nsects; ++s) {
    const std::uint64_t sect = first + s * sect_size;
    if (!zerofill(r.read(sect + (seg64 ? 64 : 56), 4).value_or(0))) range(sect + (seg64 ? 40 : 36));
  }
  return emptied;
}

/// One thin Mach-O image at [base, base+size) of `buf`.
Result<void> prepare_macho_slice(std::vector<std::uint8_t>& buf, std::uint64_t base, std::uint64_t size,
                                 const Limits& limits, MachOContents contents, std::vector<std::string>& warnings,
                                 std::vector<Patch>* undo) {
  if (size < 4 || base > buf.size() || size > buf.size() - base)
    return fail(Errc::Malformed, "Mach-O: slice outside the file");
  std::span<std::uint8_t> slice(buf.data() + base, size);
  if (size < 32) return fail(Errc::Malformed, "Mach-O: slice shorter than a header");
  // On-disk magic read little-endian: 0xfeedface/0xfeedfacf = little-endian file.
  const std::uint32_t magic = read_le<std::uint32_t>(slice, 0).value_or(0);
  bool big = magic == 0xcefaedfe || magic == 0xcffaedfe;
  bool is64 = magic == 0xfeedfacf || magic == 0xcffaedfe;
  if (!big && magic != 0xfeedface && magic != 0xfeedfacf) return fail(Errc::Malformed, "Mach-O: bad slice magic");
  // Offsets in `undo` are slice-relative here; prepare_in_place rebases them (base).
  std::vector<Patch> local;
  ByteReader r(slice, big, undo ? &local : nullptr);
  struct Rebase {
    std::vector<Patch>& from;
    std::vector<Patch>* to;
    std::uint64_t base;
    ~Rebase() {
      if (to)
        for (Patch p : from) {
          p.offset += base;
          to->push_back(p);
        }
    }
  } rebase{local, undo, base};
  const std::uint64_t ncmds = r.read(16, 4).value_or(0), sizeofcmds = r.read(20, 4).value_or(0);  // size >= 32
  std::uint64_t at = is64 ? 32 : 28;
  if (ncmds > limits.max_macho_load_commands)
    return fail(Errc::Malformed, "Mach-O: " + std::to_string(ncmds) + " load commands");
  if (!r.in_bounds(at, sizeofcmds)) return fail(Errc::Malformed, "Mach-O: load commands beyond end of slice");
  std::uint64_t end = at + sizeofcmds;
  std::uint64_t copied = 0;
  std::size_t emptied = 0;
  for (std::uint64_t i = 0; i < ncmds; ++i) {
    auto cmd = r.read(at, 4), cmdsize = r.read(at + 4, 4);
    if (!cmd || !cmdsize || *cmdsize < 8 || at + *cmdsize > end)
      return fail(Errc::Malformed, "Mach-O: load command " + std::to_string(i) + " overruns the command area");
    bool seg64 = *cmd == 0x19, seg32 = *cmd == 0x1;
    if (seg64 || seg32) {
      std::uint64_t nsects_off = at + (seg64 ? 64 : 48);
      std::uint64_t first = at + (seg64 ? 72 : 56), sect_size = seg64 ? 80 : 68;
      std::uint64_t nreloc_in_sect = seg64 ? 60 : 52;
      auto nsects = r.read(nsects_off, 4);
      if (!nsects || first + *nsects * sect_size > at + *cmdsize)
        return fail(Errc::Malformed, "Mach-O: segment sections overrun their load command");
      for (std::uint64_t s = 0; s < *nsects; ++s) r.write(first + s * sect_size + nreloc_in_sect, 4, 0);
      emptied += bound_segment_copies(r, at, seg64, *nsects, copied, contents);
    }
    if (contents == MachOContents::Hidden) {
      // LIEF 0.9 builds a Symbol per nlist entry (each name a string) and decodes every function
      // start; the model reads neither: its exports_count counts symbols with export info,
      // which only the dyld-info walk that ParserConfig::quick() leaves out gives. No symbols,
      // no function starts, no data-in-code entries for LIEF (nsyms, datasize zeroed).
      if (*cmd == kLcSymtab && *cmdsize >= 24) r.write(at + 12, 4, 0);
      if ((*cmd == kLcFunctionStarts || *cmd == kLcDataInCode) && *cmdsize >= 16) r.write(at + 12, 4, 0);
    } else if (*cmd == kLcSymtab && *cmdsize >= 24) {
      bound_symbol_names(r, at, is64);
    }
    at += *cmdsize;
  }
  if (emptied != 0)
    warnings.push_back(std::to_string(emptied) + " Mach-O segment/section file range(s) beyond " +
                       std::to_string(kCopiedRangesFactor) + "x the slice size in all (overlapping ranges); emptied");
  return {};
}

Result<void> prepare_macho_fat(std::vector<std::uint8_t>& buf, const Limits& limits, MachOContents contents,
                               std::vector<std::string>& warnings, std::vector<Patch>* undo) {
  ByteReader r(buf, true, undo);
  const auto magic = r.read(0, 4);
  auto count = r.read(4, 4);
  if (!magic || !count) return fail(Errc::Malformed, "fat Mach-O: truncated header");  // identify/ saw 8 bytes
  const bool fat64 = *magic == 0xcafebabf;
  std::uint64_t n = *count;
  std::uint64_t entry = fat64 ? 32 : 20;
  if (n > limits.max_fat_slices) {
    warnings.push_back("fat Mach-O declares " + std::to_string(n) + " slices; only the first " +
                       std::to_string(limits.max_fat_slices) + " are parsed");
    r.write(4, 4, limits.max_fat_slices);
    n = limits.max_fat_slices;
  }
  for (std::uint64_t i = 0; i < n; ++i) {
    std::uint64_t at = 8 + i * entry;
    auto off = fat64 ? r.read(at + 8, 8) : r.read(at + 8, 4);
    auto size = fat64 ? r.read(at + 16, 8) : r.read(at + 12, 4);
    if (!off || !size) return fail(Errc::Malformed, "fat Mach-O: truncated arch table");
    if (auto ok = prepare_macho_slice(buf, *off, *size, limits, contents, warnings, undo); !ok) return ok;
  }
  return {};
}

constexpr std::uint32_t kLcSegment = 0x1, kLcSegment64 = 0x19, kLcCodeSignature = 0x1d;

/// One slice of the Mach-O view: the header and load commands of the (prepared, Hidden) slice at
/// [base, base+size) of `buf`, then 8 zero bytes; the file offsets LIEF 0.9 would follow
/// (BinaryParser::parse_load_commands: segment contents, the symbol table, function starts,
/// data-in-code, the code signature) point at offset 0 with nothing to read, or, for the
/// function starts it reads one ULEB128 of whatever their offset is, at the zero bytes.
void append_view_slice(const std::vector<std::uint8_t>& buf, std::uint64_t base, std::uint64_t size,
                       PreparedBytes& out) {
  const std::span<const std::uint8_t> slice(buf.data() + base, size);  // checked by prepare_macho_slice
  const std::uint32_t magic = read_le<std::uint32_t>(slice, 0).value_or(0);
  const bool big = magic == 0xcefaedfe || magic == 0xcffaedfe;
  const bool is64 = magic == 0xfeedfacf || magic == 0xcffaedfe;
  const std::uint64_t header = is64 ? 32 : 28;
  const std::uint64_t sizeofcmds = read_uint(slice, 20, 4, big ? ByteOrder::Big : ByteOrder::Little).value_or(0);
  const std::uint64_t length = std::min<std::uint64_t>(size, header + sizeofcmds);
  const std::uint64_t at_view = out.macho_view.size();
  out.macho_view.insert(out.macho_view.end(), slice.begin(), slice.begin() + static_cast<std::ptrdiff_t>(length));
  out.macho_view.resize(out.macho_view.size() + 8, 0);
  MachOViewSlice record{at_view, base, 0, 0};
  ByteReader r(std::span(out.macho_view.data() + at_view, length + 8), big);
  const std::uint64_t ncmds = r.read(16, 4).value_or(0);
  std::uint64_t at = header;
  bool signed_seen = false;
  for (std::uint64_t i = 0; i < ncmds; ++i) {  // counts and sizes were checked by prepare_macho_slice
    const std::uint64_t cmd = r.read(at, 4).value_or(0), cmdsize = r.read(at + 4, 4).value_or(0);
    if (cmdsize < 8 || !r.in_bounds(at, cmdsize)) break;
    if (cmd == kLcSegment64 || cmd == kLcSegment)
      r.write(at + (cmd == kLcSegment64 ? 40 : 32), cmd == kLcSegment64 ? 8 : 4, 0);
    if (cmd == kLcSymtab && cmdsize >= 24) {
      r.write(at + 8, 4, 0);   // symoff (nsyms is 0)
      r.write(at + 16, 4, 0);  // stroff
      r.write(at + 20, 4, 0);  // strsize
    }
    if ((cmd == kLcFunctionStarts || cmd == kLcDataInCode || cmd == kLcCodeSignature) && cmdsize >= 16) {
      if (cmd == kLcCodeSignature && !signed_seen) {  // the first, as LIEF's code_signature()
        signed_seen = true;
        record.signature_offset = static_cast<std::uint32_t>(r.read(at + 8, 4).value_or(0));
        record.signature_size = static_cast<std::uint32_t>(r.read(at + 12, 4).value_or(0));
      }
      r.write(at + 8, 4, cmd == kLcFunctionStarts ? length : 0);  // dataoff
      r.write(at + 12, 4, 0);                                     // datasize
    }
    at += cmdsize;
  }
  out.macho_slices.push_back(record);
}

/// Builds PreparedBytes::macho_view from the prepared (Hidden) Mach-O in `buf`. A fat file's view
/// is its fat header and arch table with each slice's view after it, the table's offsets and sizes
/// rewritten to the view's. fat64 files are left whole: LIEF 0.9 reads their table as 32-bit.
void build_macho_view(Format format, const std::vector<std::uint8_t>& buf, PreparedBytes& out) {
  if (format == Format::MachO) {
    append_view_slice(buf, 0, buf.size(), out);
    return;
  }
  ByteReader table(std::span(const_cast<std::uint8_t*>(buf.data()), buf.size()), true);
  if (table.read(0, 4) != 0xcafebabe) return;
  const std::uint64_t n = table.read(4, 4).value_or(0);  // capped by prepare_macho_fat
  const std::uint64_t head = 8 + n * 20;
  out.macho_view.assign(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(head));  // in bounds: checked
  for (std::uint64_t i = 0; i < n; ++i) {
    const std::uint64_t off = table.read(8 + i * 20 + 8, 4).value_or(0),
                        size = table.read(8 + i * 20 + 12, 4).value_or(0);
    out.macho_view.resize((out.macho_view.size() + 7) & ~std::size_t{7}, 0);
    const std::uint64_t at = out.macho_view.size();
    append_view_slice(buf, off, size, out);
    ByteReader view_table(std::span(out.macho_view.data(), head), true);
    view_table.write(8 + i * 20 + 8, 4, at);
    view_table.write(8 + i * 20 + 12, 4, out.macho_view.size() - at);
  }
}

/// The rewrites for `format`, made in `buf`; changes are logged in `undo` when given.
Result<void> prepare(Format format, std::vector<std::uint8_t>& buf, const Limits& limits, MachOContents contents,
                     PreparedBytes& out, std::vector<Patch>* undo) {
  switch (format) {
    case Format::Pe: return prepare_pe(buf, limits, out.warnings, undo);
    case Format::Elf: return prepare_elf(buf, out.warnings, out.elf_exports, undo);
    case Format::MachO:
    case Format::MachOFat: {
      auto ok = format == Format::MachO ? prepare_macho_slice(buf, 0, buf.size(), limits, contents, out.warnings, undo)
                                        : prepare_macho_fat(buf, limits, contents, out.warnings, undo);
      if (ok && contents == MachOContents::Hidden) build_macho_view(format, buf, out);
      return ok;
    }
    case Format::Unknown: break;
  }
  return fail(Errc::Unsupported, "not a binary format");
}

}  // namespace

Result<PreparedBytes> prepare_for_lief(Format format, std::span<const std::byte> file, const Limits& limits,
                                       MachOContents contents) {
  PreparedBytes out;
  if (format == Format::Unknown) return fail(Errc::Unsupported, "not a binary format");
  const auto* first = reinterpret_cast<const std::uint8_t*>(file.data());
  out.bytes.assign(first, first + file.size());
  if (auto ok = prepare(format, out.bytes, limits, contents, out, nullptr); !ok) return std::unexpected(ok.error());
  return out;
}

Result<PreparedBytes> prepare_in_place(Format format, std::vector<std::uint8_t>& buffer, const Limits& limits) {
  PreparedBytes out;
  out.buffer = &buffer;
  Result<void> ok;
  try {
    ok = prepare(format, buffer, limits, MachOContents::Hidden, out, &out.undo);
  } catch (...) {  // bad_alloc logging a change: every change made so far is logged
    undo_in_place(buffer, out);
    throw;
  }
  if (!ok) {
    undo_in_place(buffer, out);
    return std::unexpected(ok.error());
  }
  return out;
}

void undo_in_place(std::vector<std::uint8_t>& buffer, const PreparedBytes& prepared) noexcept {
  // Newest first, so a field changed twice ends with its first value.
  for (auto it = prepared.undo.rbegin(); it != prepared.undo.rend(); ++it)
    std::memcpy(buffer.data() + it->offset, it->old_bytes, it->width);
}

}  // namespace trustscan::parse
