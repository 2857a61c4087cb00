// The header-only parser (parse/headers.hpp) against LIEF on the samples: every field it fills is
// the one LIEF's extractors fill, so a file above the streaming threshold is classified and
// verified exactly as it would be below it. And the verifiers over a file read on demand.

#include <catch2/catch.hpp>

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "parse/headers.hpp"
#include "parse/parser.hpp"
#include "parse/privilege.hpp"
#include "support/temp_tree.hpp"
#include "verify/authenticode.hpp"

using namespace trustscan;
using namespace trustscan::parse;

namespace {

std::vector<std::byte> load(const std::string& relative) {
  std::ifstream in(test::samples_dir() / relative, std::ios::binary);
  REQUIRE(in);
  std::vector<char> raw((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto* p = reinterpret_cast<const std::byte*>(raw.data());
  return {p, p + raw.size()};
}

/// Bytes in memory that claim not to be (in_memory() is nullopt), read through a copy as a file
/// read on demand is; `limit` simulates a file that shrank after it was opened.
class OnDemand final : public ByteSource {
 public:
  explicit OnDemand(std::span<const std::byte> bytes, std::uint64_t limit = UINT64_MAX) : bytes_(bytes), limit_(limit) {}
  std::uint64_t size() const noexcept override { return bytes_.size(); }
  Result<std::span<const std::byte>> read(std::uint64_t offset, std::size_t length,
                                          std::vector<std::byte>& scratch) const override {
    if (offset > bytes_.size() || length > bytes_.size() - offset) return fail(Errc::Malformed, "outside");
    if (offset + length > limit_) return fail(Errc::Io, "file truncated meanwhile");
    scratch.assign(bytes_.begin() + static_cast<std::ptrdiff_t>(offset),
                   bytes_.begin() + static_cast<std::ptrdiff_t>(offset + length));
    return std::span<const std::byte>(scratch).first(length);
  }

 private:
  std::span<const std::byte> bytes_;
  std::uint64_t limit_;
};

Format format_of(const std::vector<std::byte>& b) {
  const auto m0 = std::to_integer<unsigned>(b[0]), m1 = std::to_integer<unsigned>(b[1]);
  if (m0 == 'M' && m1 == 'Z') return Format::Pe;
  if (m0 == 0x7f && m1 == 'E') return Format::Elf;
  if (m0 == 0xca && m1 == 0xfe) return Format::MachOFat;
  return Format::MachO;
}

}  // namespace

TEST_CASE("parse_headers fills what LIEF fills for the fields it reads", "[parse][headers]") {
  const Limits limits;
  for (const char* name : {"pe/hello.exe", "pe/driver.sys", "pe/minifilter.sys", "pe/plugin.dll", "pe/version.exe",
                           "pe/app.efi", "signed/signed-sha256.exe", "signed/signed-sha1-nested-sha256.exe",
                           "elf/demo-signed.ko", "elf/demo.ko", "elf/hello", "elf/libdemo.so", "macho/hello-fat",
                           "macho/hello-x86_64"}) {
    INFO(name);
    const std::vector<std::byte> bytes = load(name);
    const Format format = format_of(bytes);
    auto lief = parse_binary(format, std::span<const std::byte>(bytes), limits);
    auto mine = parse_headers(format, OnDemand(bytes), limits);
    REQUIRE(lief);
    REQUIRE(mine);
    CHECK(mine->format == lief->format);
    CHECK(mine->architecture == lief->architecture);
    CHECK(mine->bits == lief->bits);
    CHECK(classify(*mine, name).type == classify(*lief, name).type);
    CHECK(classify(*mine, name).privilege == classify(*lief, name).privilege);
    CHECK(classify(*mine, name).reason == classify(*lief, name).reason);
    if (lief->pe) {
      const PeInfo &a = *lief->pe, &b = *mine->pe;
      CHECK(b.machine == a.machine);
      CHECK(b.subsystem == a.subsystem);
      CHECK(b.is_dll == a.is_dll);
      CHECK(b.dll_characteristics == a.dll_characteristics);
      CHECK(b.section_names == a.section_names);
      CHECK(b.timestamp == a.timestamp);
      CHECK(b.checksum == a.checksum);
      CHECK(b.layout == a.layout);
      CHECK(b.has_certificate_table == a.has_certificate_table);
      CHECK(b.version_info == a.version_info);
      CHECK(b.file_version == a.file_version);
      CHECK(mine->libraries == lief->libraries);
      CHECK(mine->entry_point == lief->entry_point);
    }
    if (lief->elf) {
      const ElfInfo &a = *lief->elf, &b = *mine->elf;
      CHECK(b.elf_type == a.elf_type);
      CHECK(b.machine == a.machine);
      CHECK(b.interpreter == a.interpreter);
      CHECK(b.modinfo == a.modinfo);
      CHECK(b.has_this_module == a.has_this_module);
      CHECK(b.grub_module_name == a.grub_module_name);
      CHECK(b.looks_like_kernel_image == a.looks_like_kernel_image);
      CHECK(b.has_module_signature == a.has_module_signature);
      CHECK(mine->entry_point == lief->entry_point);
    }
    REQUIRE(mine->macho_slices.size() == lief->macho_slices.size());
    for (std::size_t i = 0; i < lief->macho_slices.size(); ++i) {
      const MachOSlice &a = lief->macho_slices[i], &b = mine->macho_slices[i];
      CHECK(b.cpu_type == a.cpu_type);
      CHECK(b.file_type == a.file_type);
      CHECK(b.offset == a.offset);
      CHECK(b.size == a.size);
      CHECK(b.has_code_signature == a.has_code_signature);
      CHECK(b.code_signature == a.code_signature);
      CHECK(b.libraries == a.libraries);
    }
  }
}

TEST_CASE("parse_headers refuses what does not hold together", "[parse][headers]") {
  const Limits limits;
  std::vector<std::byte> bytes = load("pe/hello.exe");
  bytes[0x3c] = std::byte{0xff};  // e_lfanew points nowhere
  bytes[0x3d] = std::byte{0xff};
  CHECK(parse_headers(Format::Pe, OnDemand(bytes), limits).error().code == Errc::Malformed);
  const std::vector<std::byte> tiny(10);
  CHECK_FALSE(parse_headers(Format::MachO, OnDemand(tiny), limits));
  CHECK_FALSE(parse_headers(Format::Elf, OnDemand(tiny), limits));
}

TEST_CASE("Authenticode over a file read on demand is the same as in memory", "[verify][headers]") {
  const std::vector<std::byte> bytes = load("signed/signed-sha256.exe");
  const Limits limits;
  auto model = parse_headers(Format::Pe, OnDemand(bytes), limits);
  REQUIRE(model);
  const verify::VerifyContext ctx{nullptr, 1767225600};
  const auto whole = verify::verify_authenticode(std::span<const std::byte>(bytes), model->pe->layout, ctx);
  CHECK(verify::verify_authenticode(OnDemand(bytes), model->pe->layout, ctx) == whole);
  CHECK_FALSE(whole.hashes.sha256.empty());
  // Truncated while it is verified: neither the table nor the digest can be read, said so; no crash.
  const auto cut = verify::verify_authenticode(OnDemand(bytes, bytes.size() / 2), model->pe->layout, ctx);
  REQUIRE_FALSE(cut.signatures.empty());
  CHECK(cut.hashes.sha256.empty());
  CHECK(cut.status() == verify::SignatureStatus::Malformed);
  CHECK(cut.signatures.front().errors.front().find("cannot be read") != std::string::npos);
}
