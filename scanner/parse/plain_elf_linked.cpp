// ELF executables and shared objects read straight from their bytes, without LIEF, when their
// layout is plain (plain_linked_model in parser.hpp). LIEF 0.9 copies such a file two or three
// times and builds an object per section, segment, dynamic entry, symbol and relocation, for a
// model that takes a handful of fields: a sixth of a first scan of /usr's CPU time
// (docs/performance.md, "sixteenth round"). What LIEF 0.9 does, and this reader repeats:
//  - dynamic entries: every Elf_Dyn of the first PT_DYNAMIC segment (at most 1,000), DT_NULL or
//    not; names at DT_STRTAB (the first DT_STRTAB of that segment) + d_val;
//  - an address becomes a file offset through the first PT_LOAD segment whose
//    [p_vaddr, p_vaddr + p_memsz) holds it (LIEF throws without one: such files go to LIEF);
//  - dynamic symbols: from DT_SYMTAB (with a DT_SYMENT), as many as Parser's COUNT_AUTO says
//    (dynamic_symbol_count below); the list ends early at a symbol whose name is empty though
//    its st_name is not 0, or lies past the end of the file.
#include <algorithm>
#include <cstring>
#include <string_view>

#include "parse/byte_reader.hpp"
#include "parse/elf_header.hpp"
#include "parse/lief_extractors.hpp"
#include "parse/parser.hpp"
#include "parse/prepare.hpp"

namespace trustscan::parse {
namespace {

constexpr std::uint64_t kShtNobits = 8, kShtDynsym = 11;
constexpr std::uint64_t kPtLoad = 1, kPtDynamic = 2, kPtInterp = 3;
constexpr std::uint64_t kDtNeeded = 1, kDtPltrelsz = 2, kDtHash = 4, kDtStrtab = 5, kDtSymtab = 6, kDtRela = 7,
                        kDtRelasz = 8, kDtSoname = 14, kDtRel = 17, kDtRelsz = 18, kDtPltrel = 20, kDtJmprel = 23,
                        kDtSyment = 11, kDtGnuHash = 0x6ffffef5;
// LIEF 0.9's Parser limits (LIEF/ELF/Parser.hpp).
constexpr std::uint64_t kMaxSymbols = 1'000'000, kDeltaSymbols = 3'000, kMaxMaskwords = 512, kMaxDynamicEntries = 1'000,
                        kMaxTable = 10'000, kMaxContent = 100ULL << 20;
/// Longest name read (a section's, a library's): Limits::max_string_length's 4 KiB and one more
/// byte for its NUL. A file with a longer one is left to LIEF.
constexpr std::size_t kMaxName = 4097;

struct Section {
  std::uint64_t name = 0, type = 0, offset = 0, size = 0;
};
struct Segment {
  std::uint64_t type = 0, offset = 0, vaddr = 0, filesz = 0, memsz = 0;
};
struct Dynamic {
  std::uint64_t tag = 0, value = 0;
};

/// Reading a plain linked ELF file; any step that LIEF would take another way gives nullopt.
class Reader {
 public:
  Reader(std::span<const std::byte> bytes, const ElfHeader& e)
      : bytes_(bytes),
        r_(std::span(const_cast<std::uint8_t*>(reinterpret_cast<const std::uint8_t*>(bytes.data())), bytes.size()),
           false),
        e_(e) {}

  /// Reads the section and program header tables; false unless LIEF would see them as they are.
  bool load_tables() {
    const bool is64 = e_.is64;
    const unsigned w = is64 ? 8 : 4;
    if (e_.shnum == 0 || e_.phnum == 0 || e_.shoff == 0 || e_.phoff == 0 || e_.shnum > kMaxTable ||
        e_.phnum > kMaxTable || e_.shentsize != (is64 ? 64U : 40U) || e_.phentsize != (is64 ? 56U : 32U) ||
        e_.shstrndx >= e_.shnum || !r_.in_bounds(e_.shoff, std::uint64_t{e_.shnum} * e_.shentsize) ||
        !r_.in_bounds(e_.phoff, std::uint64_t{e_.phnum} * e_.phentsize))
      return false;
    std::uint64_t covered = 0;
    for (std::uint64_t i = 0; i < e_.shnum; ++i) {
      const std::uint64_t h = e_.shoff + i * e_.shentsize;
      Section s{field(h, 4), field(h + 4, 4), field(h + (is64 ? 0x18 : 0x10), w), field(h + (is64 ? 0x20 : 0x14), w)};
      if (s.offset > size()) return false;  // prepare_for_lief would move it
      if (s.type != kShtNobits) {
        if (s.size > size() - s.offset) return false;
        covered += s.size;
      }
      sections_.push_back(s);
    }
    std::uint64_t segment_bytes = 0;
    for (std::uint64_t i = 0; i < e_.phnum; ++i) {
      const std::uint64_t h = e_.phoff + i * e_.phentsize;
      Segment s{field(h, 4), field(h + (is64 ? 8 : 4), w), field(h + (is64 ? 0x10 : 8), w),
                field(h + (is64 ? 0x20 : 0x10), w), field(h + (is64 ? 0x28 : 0x14), w)};
      if (s.offset > size() || s.filesz > size() - s.offset) return false;
      // LIEF 0.9 keeps the file offsets of an ELF32 file's tables in 32 bits (Elf_Off): an
      // address that a segment maps to 4 GiB or more would be cut short there.
      if (!is64 && s.type == kPtLoad && s.offset + s.memsz > 0xffffffffULL) return false;
      segment_bytes += s.filesz;
      segments_.push_back(s);
    }
    // Within the budget, prepare_for_lief empties no range: LIEF sees the file as it is.
    if (covered > copy_budget(size()) || segment_bytes > copy_budget(size())) return false;
    const Section& names = sections_[e_.shstrndx];
    if (names.type == kShtNobits) return false;
    names_ = text(names.offset, names.size);
    return true;
  }

  /// The name of section `s`, when it ends inside the name table within kMaxName bytes.
  [[nodiscard]] std::optional<std::string_view> section_name(const Section& s) const {
    if (s.name >= names_.size()) return std::nullopt;
    return terminated(names_.substr(s.name));
  }

  /// The NUL-terminated string at `offset`, when its NUL is inside the file within kMaxName bytes.
  [[nodiscard]] std::optional<std::string_view> c_string(std::uint64_t offset) const {
    if (offset >= size()) return std::nullopt;
    return terminated(text(offset, size() - offset));
  }

  /// LIEF 0.9's virtual_address_to_offset: the first PT_LOAD segment from its address up to and
  /// including its end (the address one past its last byte), the end computed modulo 2^64 as
  /// LIEF does. The offset can lie past the end of the file; each reader checks.
  [[nodiscard]] std::optional<std::uint64_t> file_offset(std::uint64_t address) const {
    for (const Segment& s : segments_)
      if (s.type == kPtLoad && s.vaddr <= address && s.vaddr + s.memsz >= address) return address - s.vaddr + s.offset;
    return std::nullopt;
  }

  /// The first PT_DYNAMIC segment's entries (as LIEF reads them: DT_NULL included; a segment of
  /// more than LIEF's 1,000 entries is declined);
  /// false unless the segment is regular: only DT_NULL entries after its first DT_NULL, and each tag
  /// the model reads at most once (fuzz_plain_elf_linked found LIEF counting the exports of a
  /// mangled dynamic section differently).
  bool load_dynamic() {
    const auto dynamic = std::ranges::find(segments_, kPtDynamic, &Segment::type);
    if (dynamic == segments_.end()) return true;
    const unsigned w = e_.is64 ? 8 : 4;
    const std::uint64_t entry = e_.is64 ? 16 : 8;  // Elf_Dyn: d_tag, d_val
    const std::uint64_t n = dynamic->filesz / entry;
    // Beyond LIEF's 1,000 entries it would still look for DT_STRTAB: left to it.
    if (n > kMaxDynamicEntries) return false;
    bool ended = false;
    for (std::uint64_t i = 0; i < n; ++i) {
      const Dynamic d{field(dynamic->offset + i * entry, w), field(dynamic->offset + i * entry + w, w)};
      if (ended && d.tag != 0) return false;
      ended = ended || d.tag == 0;
      for (const std::uint64_t once : {kDtStrtab, kDtSymtab, kDtSyment, kDtRela, kDtRelasz, kDtRel, kDtRelsz, kDtJmprel,
                                       kDtPltrelsz, kDtPltrel, kDtHash, kDtGnuHash})
        if (d.tag == once && first(once) != nullptr) return false;
      dynamic_.push_back(d);
    }
    // The string table (LIEF's get_dynamic_string_table_from_segments); LIEF throws when its
    // address has no segment, and takes file offset 0 for "none" and looks among the sections
    // (fuzz_plain_elf_linked: a DT_SONAME read from another table).
    if (const Dynamic* strtab = first(kDtStrtab)) {
      strtab_ = file_offset(strtab->value);
      return strtab_.has_value() && *strtab_ != 0;
    }
    return true;
  }

  [[nodiscard]] const std::vector<Section>& sections() const noexcept { return sections_; }
  [[nodiscard]] const std::vector<Segment>& segments() const noexcept { return segments_; }

  /// PT_INTERP as LIEF 0.9 keeps it (Parser::parse_segments): the string in each such segment's
  /// bytes, the last one kept. False when one has no NUL inside its bytes: LIEF cuts that string
  /// its own way (fuzz_plain_elf_linked found LIEF one character short).
  bool interpreter(std::string& out) const {
    for (const Segment& s : segments_) {
      if (s.type != kPtInterp || s.filesz == 0 || s.filesz >= kMaxContent) continue;
      const std::string_view content = text(s.offset, s.filesz);
      const std::size_t end = content.find('\0');
      if (end == std::string_view::npos) return false;
      out = std::string(content.substr(0, end));
    }
    return true;
  }

  /// The first dynamic entry with `tag`, as LIEF's find_if takes it.
  [[nodiscard]] const Dynamic* first(std::uint64_t tag) const {
    const auto it = std::ranges::find(dynamic_, tag, &Dynamic::tag);
    return it == dynamic_.end() ? nullptr : &*it;
  }

  /// The model's libraries and soname (names at DT_STRTAB + d_val); false where a name has no end.
  bool names(BinaryModel& model, ElfInfo& info, const Limits& limits) const {
    for (const Dynamic& d : dynamic_) {
      if (d.tag != kDtNeeded && d.tag != kDtSoname) continue;
      if (!strtab_) return false;  // LIEF would read names at offset d_val
      const auto name = c_string(*strtab_ + d.value);
      if (!name) return false;
      if (d.tag == kDtSoname) {
        info.soname = bounded(std::string(*name), limits.max_string_length);
      } else if (model.libraries.size() < limits.max_imports) {
        model.libraries.push_back(bounded(std::string(*name), limits.max_string_length));
      }
    }
    return true;
  }

  /// LIEF's exports_count: the dynamic symbols (as many as dynamic_symbol_count) with a section
  /// index that are not local. nullopt where LIEF's reading could differ.
  [[nodiscard]] std::optional<std::size_t> exports() const {
    const Dynamic* symtab = first(kDtSymtab);
    if (symtab == nullptr || first(kDtSyment) == nullptr) return 0;  // LIEF reads no dynamic symbol
    const auto table = file_offset(symtab->value);
    if (!table) return std::nullopt;
    const auto count = dynamic_symbol_count();
    if (!count) return std::nullopt;
    if (*count != 0 && !strtab_) return std::nullopt;
    const bool is64 = e_.is64;
    const std::uint64_t entry = is64 ? 24 : 16;
    std::size_t n = 0;
    for (std::uint64_t i = 0; i < *count; ++i) {
      const std::uint64_t at = *table + i * entry;
      if (!r_.in_bounds(at, entry)) break;
      const std::uint64_t name = field(at, 4);
      const std::uint64_t info = field(at + (is64 ? 4 : 12), 1);
      const std::uint64_t shndx = field(at + (is64 ? 6 : 14), 2);
      if (name > 0) {
        // LIEF ends the list at a name past the end of the file, or at an empty one (but the
        // first). A name without its NUL within kMaxName bytes is left to LIEF.
        // LIEF 0.9 adds the two in 32 bits in an ELF32 file (Elf_Off + Elf_Word).
        const std::uint64_t name_at = is64 ? *strtab_ + name : (*strtab_ + name) & 0xffffffffULL;
        if (name_at >= size()) break;
        const auto text = c_string(name_at);
        if (!text) return std::nullopt;
        if (text->empty() && i > 0) break;
      }
      n += shndx != 0 && (info >> 4) != 0;  // STB_LOCAL is 0
    }
    return n;
  }

 private:
  [[nodiscard]] std::uint64_t size() const noexcept { return bytes_.size(); }
  /// The string `from` starts with, up to its NUL; nullopt without one in its first kMaxName bytes
  /// (so that a forged file cannot make each of thousands of names a scan of the whole file).
  [[nodiscard]] static std::optional<std::string_view> terminated(std::string_view from) {
    const std::size_t end = from.substr(0, kMaxName).find('\0');
    if (end == std::string_view::npos) return std::nullopt;
    return from.substr(0, end);
  }
  [[nodiscard]] std::uint64_t field(std::uint64_t off, unsigned width) const { return r_.read(off, width).value_or(0); }
  [[nodiscard]] std::string_view text(std::uint64_t off, std::uint64_t len) const {
    return {reinterpret_cast<const char*>(bytes_.data()) + off, len};
  }

  /// Parser::get_numberof_dynamic_symbols(COUNT_AUTO): the relocations' count, replaced by the
  /// SHT_DYNSYM section's and then the hash table's when larger by less than 3,000 (and below
  /// 1,000,000). nullopt where an address LIEF would convert has no segment.
  [[nodiscard]] std::optional<std::uint64_t> dynamic_symbol_count() const {
    const auto relocations = relocation_count();
    const auto hash = hash_count();
    if (!relocations || !hash) return std::nullopt;
    std::uint64_t n = *relocations;
    const auto take = [&n](std::uint64_t other) {
      if (other < kMaxSymbols && other > n && other - n < kDeltaSymbols) n = other;
    };
    take(section_count());
    take(*hash);
    return n;
  }

  [[nodiscard]] std::uint64_t section_count() const {
    const auto it = std::ranges::find(sections_, kShtDynsym, &Section::type);
    return it == sections_.end() ? 0 : static_cast<std::uint32_t>(it->size / (e_.is64 ? 24 : 16));
  }

  /// The highest symbol index of the relocation tables plus one (Parser::nb_dynsym_relocations).
  [[nodiscard]] std::optional<std::uint64_t> relocation_count() const {
    const bool is64 = e_.is64;
    std::uint64_t n = 0;
    const auto table = [&](std::uint64_t at_tag, std::uint64_t size_tag, bool rela) -> bool {
      const Dynamic* at = first(at_tag);
      const Dynamic* bytes = first(size_tag);
      if (at == nullptr || bytes == nullptr) return true;
      const auto offset = file_offset(at->value);
      if (!offset) return true;  // LIEF catches its conversion error here and goes on
      const std::uint64_t entry = (is64 ? 16 : 8) + (rela ? (is64 ? 8 : 4) : 0);
      const auto entries = static_cast<std::uint32_t>(bytes->value / entry);
      std::uint32_t index = 0;
      for (std::uint64_t i = 0; i < entries; ++i) {
        const std::uint64_t info_at = *offset + i * entry + (is64 ? 8 : 4);
        if (!r_.in_bounds(*offset + i * entry, entry)) break;
        const std::uint64_t info = field(info_at, is64 ? 8 : 4);
        index = std::max(index, static_cast<std::uint32_t>(info >> (is64 ? 32 : 8)));
      }
      // LIEF 0.9 returns the index plus one as a uint32_t: 0 after an index of 0xffffffff.
      n = std::max<std::uint64_t>(n, static_cast<std::uint32_t>(index + 1));
      return true;
    };
    table(kDtRela, kDtRelasz, true);
    table(kDtRel, kDtRelsz, false);
    const Dynamic* kind = first(kDtPltrel);
    table(kDtJmprel, kDtPltrelsz, kind != nullptr ? kind->value == kDtRela : is64);
    return n;
  }

  /// Parser::nb_dynsym_hash: DT_HASH first (LIEF 0.9 reads 0 from it), else DT_GNU_HASH.
  /// nullopt where LIEF's reading throws, which ends its dynamic symbols before the first.
  [[nodiscard]] std::optional<std::uint64_t> hash_count() const {
    if (const Dynamic* hash = first(kDtHash)) {
      // LIEF 0.9 returns 0 when it can read the table's nchain, and reads it anyway (and throws)
      // when it cannot: an address with no segment, or a table past the end of the file through
      // a segment's memory size (fuzz_plain_elf_linked: one export where LIEF had none).
      const auto table = file_offset(hash->value);
      if (!table || !r_.in_bounds(*table + 4, 4)) return std::nullopt;
      return 0;
    }
    const Dynamic* gnu = first(kDtGnuHash);
    if (gnu == nullptr) return 0;
    const auto start = file_offset(gnu->value);
    if (!start) return std::nullopt;
    std::uint64_t at = *start;
    const auto next = [&](unsigned width) -> std::optional<std::uint64_t> {
      if (!r_.in_bounds(at, width)) return std::nullopt;
      const std::uint64_t v = field(at, width);
      at += width;
      return v;
    };
    const auto nbuckets = next(4), symndx = next(4), maskwords_read = next(4), shift2 = next(4);
    if (!nbuckets || !symndx || !maskwords_read || !shift2) return 0;
    const std::uint64_t maskwords = std::min(*maskwords_read, kMaxMaskwords);
    if ((maskwords & (maskwords - 1)) != 0) return 0;
    for (std::uint64_t i = 0; i < maskwords; ++i)
      if (!next(e_.is64 ? 8 : 4)) return 0;
    const std::uint64_t buckets_n = std::min(*nbuckets, kMaxSymbols);
    std::vector<std::uint64_t> buckets;
    buckets.reserve(std::min<std::uint64_t>(buckets_n, size() / 4));
    for (std::uint64_t i = 0; i < buckets_n; ++i) {
      const auto b = next(4);
      if (!b) return 0;
      buckets.push_back(*b);
    }
    if (buckets.empty() || std::ranges::max(buckets) == 0) return 0;
    std::uint64_t longest = 0;                    // a bucket's first symbol plus the length of the chain read for it
    for (const std::uint64_t bucket : buckets) {  // LIEF reads a chain per bucket, one after the other
      std::uint64_t in_chain = 0;
      std::uint64_t h = 0;
      do {
        const auto v = next(4);
        if (!v) return 0;
        h = *v;
        ++in_chain;
      } while ((h & 1) == 0);
      longest = std::max(longest, bucket + in_chain);
    }
    return std::max<std::uint32_t>(static_cast<std::uint32_t>(*symndx), static_cast<std::uint32_t>(longest));
  }

  std::span<const std::byte> bytes_;
  ByteReader r_;
  const ElfHeader& e_;
  std::vector<Section> sections_;
  std::vector<Segment> segments_;
  std::vector<Dynamic> dynamic_;
  std::optional<std::uint64_t> strtab_;
  std::string_view names_;
};

}  // namespace

std::optional<BinaryModel> plain_linked_model(std::span<const std::byte> bytes, const Limits& limits) {
  const auto header = plain_elf_header(bytes);
  if (!header || (header->type != 2 && header->type != 3)) return std::nullopt;  // ET_EXEC, ET_DYN
  const ElfHeader& e = *header;
  Reader reader(bytes, e);
  if (!reader.load_tables() || !reader.load_dynamic()) return std::nullopt;

  BinaryModel model;
  model.format = Format::Elf;
  model.architecture = elf_architecture(e.machine);
  model.bits = e.is64 ? 64 : 32;
  if (e.entry != 0) model.entry_point = e.entry;
  ElfInfo info;
  info.elf_type = elf_type_name(e.type);
  info.machine = model.architecture;
  std::string interpreter;
  if (!reader.interpreter(interpreter)) return std::nullopt;
  if (!interpreter.empty()) info.interpreter = bounded(interpreter, limits.max_string_length);
  if (!reader.names(model, info, limits)) return std::nullopt;
  const auto exports = reader.exports();
  if (!exports) return std::nullopt;
  model.exports_count = *exports;
  // The sections the model looks at, by name (LIEF's get_section: the first of that name).
  ModuleSections module_sections;
  bool ksymtab = false, init_text = false;
  for (const Section& s : reader.sections()) {
    const auto name = reader.section_name(s);
    if (!name) return std::nullopt;
    const bool wanted = module_sections.wants_content(*name);
    if (wanted && (s.type == kShtNobits || s.size >= kMaxContent)) return std::nullopt;
    module_sections.take(*name, wanted ? bytes.subspan(s.offset, s.size) : std::span<const std::byte>{}, info, limits);
    ksymtab = ksymtab || *name == "__ksymtab";
    init_text = init_text || *name == ".init.text";
  }
  info.looks_like_kernel_image = e.type == 2 && ksymtab && init_text;
  info.has_module_signature = ends_with_module_signature(bytes);
  model.elf = std::move(info);
  return model;
}

}  // namespace trustscan::parse
