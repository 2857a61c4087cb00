#include "fuzz_support.hpp"

#include <cstdio>

#include "core/bytes.hpp"

namespace trustscan::fuzz {
namespace {

// Fields outside `b` read as 0: every offset below comes from the mutated input.
std::uint32_t le16(std::span<const std::byte> b, std::uint64_t at) { return read_le<std::uint16_t>(b, at).value_or(0); }
std::uint32_t le32(std::span<const std::byte> b, std::uint64_t at) { return read_le<std::uint32_t>(b, at).value_or(0); }
std::uint32_t be32(std::span<const std::byte> b, std::uint64_t at) { return read_be<std::uint32_t>(b, at).value_or(0); }
std::uint64_t be64(std::span<const std::byte> b, std::uint64_t at) { return read_be<std::uint64_t>(b, at).value_or(0); }

}  // namespace

void die(const std::string& what) {
  std::fprintf(stderr, "fuzz target setup failed: %s\n", what.c_str());
  std::abort();
}

const verify::TrustStore& trust_store() {
  static const verify::TrustStore store = [] {
    const auto shipped = source_dir() / "signatures/trust";
    std::vector<std::filesystem::path> dirs{shipped / "trustscan-builtin", shipped / "uefi", shipped / "debian-secure-boot"};
    if (auto extra = env_dir("TRUSTSCAN_FUZZ_TRUST_DIR")) dirs.push_back(*extra);
    auto s = verify::TrustStore::load(dirs);
    if (!s) die(s.error().message);
    return std::move(*s);
  }();
  return store;
}

std::optional<parse::PeLayout> pe_layout(std::span<const std::byte> b) {
  if (b.size() < 0x40 || le16(b, 0) != 0x5A4D) return std::nullopt;  // "MZ"
  const std::uint64_t pe = le32(b, 0x3C);
  if (pe + 24 + 2 > b.size() || le32(b, pe) != 0x00004550) return std::nullopt;  // "PE\0\0"
  const std::uint64_t opt = pe + 24;
  const std::uint32_t magic = le16(b, opt);
  if (magic != 0x10B && magic != 0x20B) return std::nullopt;
  const std::uint64_t security = opt + (magic == 0x20B ? 112 : 96) + 4 * 8;
  if (security + 8 > b.size()) return std::nullopt;
  parse::PeLayout layout;
  layout.checksum_offset = opt + 64;
  layout.security_dir_offset = security;
  layout.size_of_headers = le32(b, opt + 60);
  // NumberOfRvaAndSizes < 5: no certificate-table entry (as parse/lief_pe.cpp decides).
  const std::uint64_t rva_count_at = opt + (magic == 0x20B ? 108 : 92);
  if (le32(b, rva_count_at) > 4) layout.certificate_table = {le32(b, security), le32(b, security + 4)};
  const std::uint32_t sections = le16(b, pe + 6);
  const std::uint64_t table = opt + le16(b, pe + 20);
  for (std::uint32_t i = 0; i < sections && i < 96; ++i) {
    const std::uint64_t at = table + std::uint64_t{i} * 40;
    if (at + 40 > b.size()) break;
    layout.sections.push_back({le32(b, at + 20), le32(b, at + 16)});
  }
  return layout;
}

namespace {

constexpr std::uint32_t kLcCodeSignature = 0x1d;

/// LC_CODE_SIGNATURE of the thin Mach-O at [off, off + size) of `b`, if any.
void thin_signature(std::span<const std::byte> b, std::uint64_t off, std::uint64_t size,
                    std::vector<verify::MachOSignatureLocation>& out) {
  if (off > b.size() || size > b.size() - off || size < 28) return;
  const std::span<const std::byte> s = b.subspan(off, size);
  const std::uint32_t magic = be32(s, 0);
  bool little = false;
  bool is64 = false;
  switch (magic) {
    case 0xfeedface: break;
    case 0xfeedfacf: is64 = true; break;
    case 0xcefaedfe: little = true; break;
    case 0xcffaedfe: little = is64 = true; break;
    default: return;
  }
  auto u32 = [&](std::uint64_t at) { return little ? le32(s, at) : be32(s, at); };
  const std::uint32_t ncmds = u32(16);
  std::uint64_t at = is64 ? 32 : 28;
  for (std::uint32_t i = 0; i < ncmds && i < 4096 && at + 8 <= s.size(); ++i) {
    const std::uint32_t cmd = u32(at);
    const std::uint32_t cmdsize = u32(at + 4);
    if (cmd == kLcCodeSignature && at + 16 <= s.size()) {
      const std::uint32_t dataoff = u32(at + 8);
      const std::uint32_t datasize = u32(at + 12);
      if (datasize != 0) out.push_back({off, size, off + dataoff, datasize});
      return;
    }
    if (cmdsize < 8) return;
    at += cmdsize;
  }
}

}  // namespace

std::vector<verify::MachOSignatureLocation> macho_signatures(std::span<const std::byte> b) {
  std::vector<verify::MachOSignatureLocation> out;
  if (b.size() < 8) return out;
  const std::uint32_t magic = be32(b, 0);
  if (magic != 0xcafebabe && magic != 0xcafebabf) {
    thin_signature(b, 0, b.size(), out);
    return out;
  }
  const bool fat64 = magic == 0xcafebabf;
  const std::uint64_t entry = fat64 ? 32 : 20;
  const std::uint32_t n = be32(b, 4);
  for (std::uint32_t i = 0; i < n && i < 16; ++i) {
    const std::uint64_t at = 8 + i * entry;
    if (at + entry > b.size()) break;
    const std::uint64_t off = fat64 ? be64(b, at + 8) : be32(b, at + 8);
    const std::uint64_t size = fat64 ? be64(b, at + 16) : be32(b, at + 12);
    thin_signature(b, off, size, out);
  }
  return out;
}

}  // namespace trustscan::fuzz
