// The cache's record codec (issue 8): the facts of every record the pipeline makes of the test
// samples and the vendor image — every format, compressed modules, Authenticode, module and
// Mach-O signatures, rule matches, errors — survive encode/decode with every field equal
// (FileFacts' defaulted operator== compares all of them, nested types included).

#include "cache/record_codec.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <set>
#include <string>

#include "pipeline/pipeline.hpp"
#include "support/temp_tree.hpp"

using namespace trustscan;
namespace fs = std::filesystem;

namespace {

/// What the cache keeps of a record, taken field by field (independently of the pipeline's own
/// conversion, which the CLI tests check end to end).
cache::FileFacts facts_from(const pipeline::FileRecord& r) {
  cache::FileFacts f;
  f.binary = true;
  f.format = r.format;
  f.compression = r.compression;
  f.sha256 = r.sha256;
  f.decompressed_size = r.decompressed_size;
  f.model = r.binary;
  f.classification = r.classification;
  f.authenticode = r.authenticode;
  f.module_signature = r.module_signature;
  f.macho_signatures = r.macho_signatures;
  f.matches = r.matches;
  f.rules_skipped = r.rules_skipped;
  if (r.binary) f.rule_privilege = r.classification.privilege;
  f.errors = r.errors;
  if (r.authenticode) f.clock_window = r.authenticode->clock_window;
  return f;
}

cache::FileFacts round_trip(const cache::FileFacts& f) {
  auto decoded = cache::decode(cache::encode(f));
  REQUIRE(decoded.has_value());
  return std::move(*decoded);
}

}  // namespace

TEST_CASE("a record of every sample format round-trips with every field", "[cache]") {
  const fs::path vendor_image = test::samples_dir().parent_path() / "vendor-samples" / "vendor-image";
  REQUIRE(fs::is_directory(test::samples_dir()));
  REQUIRE(fs::is_directory(vendor_image));
  pipeline::ScanOptions opt;
  opt.roots = {test::samples_dir().string(), vendor_image.string()};
  opt.threads = 2;
  opt.context.data_dir = TRUSTSCAN_SOURCE_DIR;
  auto result = pipeline::scan(opt);
  REQUIRE(result);

  std::set<std::string> formats, compressions;
  bool authenticode = false, nested = false, module_signature = false, macho_signature = false, matches = false,
       errors = false, unparsed = false, timestamp = false;
  for (const pipeline::FileRecord& r : result->records) {
    INFO(r.file.path);
    const cache::FileFacts facts = facts_from(r);
    const cache::FileFacts back = round_trip(facts);
    CHECK(back == facts);
    // A spot check that == really looks inside (it is defaulted, so it compares every member).
    if (back.model && back.model->pe) CHECK(back.model->pe->layout.sections == facts.model->pe->layout.sections);

    formats.insert(std::string(to_string(r.format)));
    compressions.insert(std::string(to_string(r.compression)));
    if (r.authenticode && !r.authenticode->signatures.empty()) {
      authenticode = true;
      for (const auto& s : r.authenticode->signatures) {
        nested = nested || s.nested;
        timestamp = timestamp || s.timestamp.has_value();
      }
    }
    module_signature = module_signature || (r.module_signature && r.module_signature->status != verify::SignatureStatus::Unsigned);
    macho_signature = macho_signature || !r.macho_signatures.empty();
    matches = matches || !r.matches.empty();
    errors = errors || !r.errors.empty();
    unparsed = unparsed || !r.binary;
  }
  // The test means something only if the samples cover every kind of stored fact.
  CHECK(formats == std::set<std::string>{"pe", "elf", "macho", "macho_fat"});
  CHECK(compressions.contains("xz"));
  CHECK(compressions.contains("zstd"));
  CHECK(authenticode);
  CHECK(nested);
  CHECK(timestamp);
  CHECK(module_signature);
  CHECK(macho_signature);
  CHECK(matches);
  CHECK(errors);
  CHECK(unparsed);
}

TEST_CASE("\"not a binary\" and a record with every optional field set round-trip", "[cache]") {
  CHECK(round_trip(cache::FileFacts{}) == cache::FileFacts{});

  cache::FileFacts f;
  f.binary = true;
  f.format = Format::MachOFat;
  f.compression = Compression::Zstd;
  f.sha256 = std::string(64, 'a');
  f.decompressed_size = 1ull << 40;
  parse::BinaryModel m;
  m.format = Format::Pe;
  m.type = FileType::Driver;
  m.architecture = "x86_64";
  m.bits = 64;
  m.entry_point = 0xffff'ffff'ffff'fff0ull;
  static constexpr char kBytes[] = "bad\xff\xfe utf-8\0nul";
  m.libraries = {"ntoskrnl.exe", std::string(kBytes, sizeof kBytes - 1)};  // bytes, not text
  m.exports_count = 7;
  m.pe = parse::PeInfo{true, "AMD64", "NATIVE", false, 123, 456, {{"CompanyName", "\xc3\x28"}},
                       FileVersion::from_parts(1, 2, 3, 4), "x.pdb", "abc",
                       {"ntoskrnl.exe.IoCreateDevice"}, true, {1, 2, 3, {4, 5}, {{6, 7}, {8, 9}}}};
  m.elf = parse::ElfInfo{"REL", "x86_64", "/lib/ld", "libx.so", {{"license", "GPL"}}, true, true, "grub", true};
  m.macho_slices = {{"arm64", "KEXT_BUNDLE", 16384, 999, true, {20000, 300}, {"/usr/lib/libSystem.B.dylib"}, "com.x"}};
  m.warnings = {"a limit cut a list"};
  f.model = m;
  f.classification = {FileType::Driver, Privilege::Boot, "imports ntoskrnl.exe"};
  verify::AuthenticodeResult a;
  a.hashes = {std::string(40, '1'), std::string(64, '2')};
  verify::SignatureInfo s;
  s.index = 1;
  s.nested = true;
  s.parent_index = 0;
  s.signer.subject = "CN=x";
  s.chain = {s.signer, verify::CertInfo{"CN=root", "root", "O", "C", "CN=root", "01", "a", "b", "c", "d", "e"}};
  s.signing_time = "2020-01-01T00:00:00Z";
  s.timestamp = "2021-01-01T00:00:00Z";
  s.timestamp_authority = "CN=tsa";
  s.timestamp_kind = "pkcs9";
  s.verification_time_source = "timestamp";
  s.status = verify::SignatureStatus::Untrusted;
  s.flags = 0x3fff;
  s.errors = {"e1", "e2"};
  s.clock_window = {-5, 1'000'000'000'000};
  a.signatures = {s, s};
  a.status = verify::SignatureStatus::Invalid;
  a.flags = 3;
  a.warnings = {"w"};
  a.clock_window = {1, 2};
  f.authenticode = a;
  f.module_signature = verify::ModuleSignatureResult{verify::SignatureStatus::UnknownKey, 8, {"n", "i", "s", "k", "sub"},
                                                     "sha512", "rsaEncryption", true, true, 512, 4096, "/boot/vmlinuz",
                                                     "kernel_image", true, {"no key"}};
  verify::MachOSignatureResult mo;
  mo.status = verify::SignatureStatus::Valid;
  mo.kind = verify::MachOSignatureKind::DeveloperId;
  mo.code_directories = {{0x1000, 0x20400, 0x10000, "sha256", "cd", "id", "team", 4096, 4096, 1, 7, 2, true, 3}};
  mo.first_bad_page = 9;
  mo.signing_time = -1;
  mo.timestamp = 1700000000;
  mo.verification_time = 1700000000;
  mo.signer.chain = {"a", "b"};
  mo.entitlements = "<plist/>";
  mo.clock_window = {10, 20};
  f.macho_signatures = {{0, mo}, {3, verify::MachOSignatureResult{}}};
  f.matches = {{"Rule", "rules", {"t1"}, {{"vendor", "kaspersky"}}, {{"$a", 12, 3}, {"$", 1ull << 33, 0}}, true}};
  f.rules_skipped = "in-tree module (intree=Y) signed with the module-signing key of /boot/vmlinuz";
  f.rule_privilege = Privilege::Kernel;
  f.errors = {Error{Errc::TooLarge, "above --max-parse-size", "parse"}};
  f.clock_window = {-100, 100};

  CHECK(round_trip(f) == f);
  // And a change to any nested field is seen by the comparison the test above relies on.
  cache::FileFacts g = f;
  g.macho_signatures[0].second.code_directories[0].platform = 3;
  CHECK_FALSE(g == f);
}

TEST_CASE("damaged records are refused, never crash", "[cache]") {
  const auto good = cache::encode(cache::FileFacts{});
  CHECK_FALSE(cache::decode({}).has_value());
  CHECK_FALSE(cache::decode(std::span(good).first(good.size() / 2)).has_value());
  std::vector<std::uint8_t> garbage(300, 0xff);
  CHECK_FALSE(cache::decode(garbage).has_value());
  for (std::size_t i = 0; i < good.size(); ++i) {  // every single-byte change: refused or decoded, no crash
    auto bad = good;
    bad[i] ^= 0x5a;
    (void)cache::decode(bad);
  }
  const auto err = cache::decode(garbage);
  REQUIRE_FALSE(err.has_value());
  CHECK(err.error().code == Errc::Malformed);
}
