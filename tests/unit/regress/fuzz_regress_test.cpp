// Regression inputs found by fuzzing and by tools/mutate.py (docs/fuzzing.md). Each input lives in
// tests/data/regress/<target>/ (the fuzz target's name without "fuzz_"; tools/fuzz.sh seed feeds
// them back to that target) and each case checks the specific outcome of the fix.
#include <sys/resource.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <string>
#include <utility>

#include "attribute/vendor_db.hpp"
#include "config/document.hpp"
#include "parse/parser.hpp"
#include "policy/policy.hpp"
#include "parse/prepare.hpp"
#include "support/bytes.hpp"
#include "support/temp_tree.hpp"
#include "verify/kernel_keys.hpp"
#include "verify/modsig_x509.hpp"
#include "verify/module_signature.hpp"

using namespace trustscan;
using test::bytes;
using test::le;

namespace {

std::string regress_input(const char* rel) {
  std::string s = test::read_file(std::filesystem::path(TRUSTSCAN_SOURCE_DIR) / "tests/data/regress" / rel);
  REQUIRE(!s.empty());
  return s;
}

/// Peak RSS of this process so far, MiB (a high-water mark: growth beyond it shows a blow-up).
long peak_rss_mib() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss / 1024;
}

}  // namespace

// fuzz_parse: a section whose sh_offset lies 768 MiB beyond a 1.3 KiB module made LIEF 0.9 grow
// its copy of the file to offset + size (DataHandler::reserve): 811 MiB RSS for this input, 1.7 GiB
// for the fuzzer's. prepare_for_lief now clamps every section and segment range to the file.
TEST_CASE("regress: ELF section offset far beyond the file is clamped before LIEF", "[regress][parse]") {
  const std::string ko = regress_input("parse/elf-section-offset-768mib.ko");
  auto prepared = parse::prepare_for_lief(Format::Elf, bytes(ko), Limits{});
  REQUIRE(prepared);
  const auto& b = prepared->bytes;
  const std::uint64_t shoff = le(b, 0x28, 8);
  const unsigned shnum = static_cast<unsigned>(le(b, 0x3c, 2));
  for (unsigned i = 0; i < shnum; ++i) {
    const std::uint64_t off = le(b, shoff + i * 64 + 0x18, 8), size = le(b, shoff + i * 64 + 0x20, 8);
    const bool nobits = le(b, shoff + i * 64 + 4, 4) == 8;
    CHECK(off <= b.size());
    if (!nobits) CHECK(size <= b.size() - off);
  }
  CHECK(prepared->warnings.size() == 1);

  const long before = peak_rss_mib();
  auto model = parse::parse_binary(Format::Elf, bytes(ko), Limits{});
  REQUIRE(model);
  CHECK(model->elf);
  CHECK(peak_rss_mib() - before < 128);
}

// fuzz_parse: e_phentsize forged to 56540 hid the program headers from a walk that trusted it,
// but LIEF 0.9 reads Elf64_Phdr arrays whatever e_phentsize says, and a p_offset/p_filesz far
// beyond this 20 KiB file made it reserve 234 MiB (parse_segments -> DataHandler::reserve).
TEST_CASE("regress: ELF program headers are clamped at LIEF's stride, not e_phentsize", "[regress][parse]") {
  const std::string elf = regress_input("parse/elf-phentsize-forged-segment-234mib.elf");
  auto prepared = parse::prepare_for_lief(Format::Elf, bytes(elf), Limits{});
  REQUIRE(prepared);
  const auto& b = prepared->bytes;
  REQUIRE(le(b, 0x36, 2) != 56);  // the forged e_phentsize stays as it is
  const std::uint64_t phoff = le(b, 0x20, 8);
  const std::uint64_t phnum = le(b, 0x38, 2);
  for (std::uint64_t i = 0; i < phnum && phoff + (i + 1) * 56 <= b.size(); ++i) {
    const std::uint64_t off = le(b, phoff + i * 56 + 8, 8), filesz = le(b, phoff + i * 56 + 32, 8);
    REQUIRE(off <= b.size());
    REQUIRE(filesz <= b.size() - off);
  }
  const long before = peak_rss_mib();
  (void)parse::parse_binary(Format::Elf, bytes(elf), Limits{});  // may fail: it is garbage
  CHECK(peak_rss_mib() - before < 128);
}

// fuzz_parse: a forged VS_VERSIONINFO made LIEF 0.9's ResourcesManager::version() read out of
// bounds (SIGSEGV in LIEF::u16tou8 from get_string_file_info): the whole scan died on this 17 KiB
// file. parse/ now decodes the RT_VERSION bytes itself (parse/version_info.hpp).
TEST_CASE("regress: a forged version resource no longer crashes the PE parser", "[regress][parse]") {
  const std::string pe = regress_input("parse/pe-version-info-lief-segv.exe");
  auto model = parse::parse_binary(Format::Pe, bytes(pe), Limits{});
  REQUIRE(model);  // the rest of the PE is intact: it parses
  REQUIRE(model->pe);
  for (const auto& [k, v] : model->pe->version_info) CHECK(v.size() <= Limits{}.max_string_length);
}

// fuzz_module_signature (LeakSanitizer, on a mutated Debian module): a SignedData whose
// digestAlgorithms OpenSSL cannot set up made CMS_verify() leak its private copy of a memory-BIO
// content (272 bytes per file; openssl/openssl#30471, in Debian 12's 3.0.19). The committed input
// is demo-signed.ko with its digestAlgorithms OID changed to 2.16.840.1.101.3.4.2.127 (same leak;
// the fuzzer's input needs the real tree's kernel key), next to the certificate of its signing
// key. The detached content is now a filter chain, which CMS_verify() uses as it is. In the ASan
// build (tools/setup.sh --test --sanitize) this case fails on the leak itself.
TEST_CASE("regress: CMS detached content is not a memory BIO (OpenSSL CMS_verify leak)",
          "[regress][verify]") {
  const std::string ko = regress_input("module_signature/cms-unknown-digest-algorithm.ko");
  auto content = verify::modsig::cms_detached_content(bytes(ko));
  REQUIRE(content);
  CHECK(BIO_method_type(content.get()) != BIO_TYPE_MEM);

  verify::KernelKeyring keys;
  // The samples' module key is generated anew by every build; the input was signed by this one.
  const std::string cert = regress_input("module_signature/signing_key.pem");
  REQUIRE(keys.add_certificate(bytes(cert), verify::KernelKeySource::ModuleKeysDir, "signing_key.pem"));
  const auto r = verify::verify_module_signature(bytes(ko), keys);
  CHECK(r.status == verify::SignatureStatus::Invalid);  // CMS_verify() was reached and failed
  REQUIRE_FALSE(r.errors.empty());
  CHECK_THAT(r.errors.front(), Catch::Contains("unknown digest algorithm"));
}

// fuzz_policy and fuzz_vendor_list (timeouts, then out of memory): yaml-cpp 0.7's LoadAll() never
// ended on some malformed streams, appending a null "document" per turn until memory ran out
// (jbeder/yaml-cpp#1040; 2 bytes `,'` are enough). build/trustscan --policy on the fuzzer's 1 KiB
// file was killed by the kernel's OOM killer after 91 s. config/document.cpp now parses with
// libyaml, which reads each stream once; these inputs stay syntax errors with a line.
TEST_CASE("regress: YAML that sent yaml-cpp's LoadAll into a runaway is a syntax error", "[regress][config]") {
  const std::pair<const char*, const char*> cases[] = {
      {"policy/yaml-loadall-runaway-minimal.yaml", "policy/yaml-loadall-runaway-minimal.yaml:1:1: YAML syntax error"},
      {"vendor_list/yaml-loadall-runaway.yaml", "vendor_list/yaml-loadall-runaway.yaml:2: YAML syntax error"},
  };
  for (const auto& [rel, where] : cases) {
    auto doc = config::parse_text(regress_input(rel), rel);
    REQUIRE_FALSE(doc);
    CHECK(doc.error().code == Errc::Config);
    CHECK_THAT(doc.error().message, Catch::StartsWith(where));
  }
  // The fuzzer's policy: a real first document, then the runaway where a second one would start.
  const attribute::VendorDb& none = []() -> const attribute::VendorDb& {
    static const auto db = attribute::VendorDb::parse("sources:\n  - {key: X, title: t}\n", "empty.yaml");
    REQUIRE(db);
    return *db;
  }();
  auto policy = policy::Policy::parse(regress_input("policy/yaml-loadall-runaway.yaml"), "p.yaml", none);
  REQUIRE_FALSE(policy);
  CHECK_THAT(policy.error().message, Catch::Contains("p.yaml:12:3: YAML syntax error"));
  auto vendors = attribute::VendorDb::parse(regress_input("vendor_list/yaml-loadall-runaway.yaml"), "v.yaml");
  REQUIRE_FALSE(vendors);
}

// tools/mutate.py (--seed 1, batch 25: peak RSS 1.25 GiB under ASan): two inserted chunks in the
// real tree's 15 MB vsce-sign (Mach-O) left its string table without NULs, and LIEF 0.9 reads
// every symbol name up to the next NUL anywhere in the slice: 812 MB and 8 s without ASan (the
// original: 92 MB, 0.26 s). The committed 98 KB input is the samples' hello-x86_64 with 2,000
// symbols naming a 48 KiB string table that has one NUL, at its very end (481 MB under ASan
// before the fix). prepare_for_lief now ends the table and every 4 KiB run with a NUL and resets
// n_strx values outside the table.
TEST_CASE("regress: Mach-O symbol names are bounded before LIEF reads them", "[regress][parse]") {
  const std::string m = regress_input("parse/macho-symbol-names-without-nul.macho");
  const long before = peak_rss_mib();
  auto model = parse::parse_binary(Format::MachO, bytes(m), Limits{});
  REQUIRE(model);
  CHECK(model->macho_slices.size() == 1);
  CHECK(peak_rss_mib() - before < 48);
}
