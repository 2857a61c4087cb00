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

/// What the cache keeps of a record: its facts, whole.
cache::Entry entry_of(const record::FileRecord& r) { return cache::Entry{static_cast<const record::FileFacts&>(r)}; }

cache::Entry round_trip(const cache::Entry& f) {
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
  for (const record::FileRecord& r : result->records) {
    INFO(r.file.path);
    const cache::Entry entry = entry_of(r);
    const cache::Entry back = round_trip(entry);
    CHECK(back == entry);
    // A spot check that == really looks inside (it is defaulted, so it compares every member).
    const std::optional<parse::BinaryModel>& model = back.binary->binary;
    if (model && model->pe) CHECK(model->pe->layout.sections == r.binary->pe->layout.sections);

    formats.insert(std::string(to_string(r.format)));
    compressions.insert(std::string(to_string(r.compression)));
    for (const verify::Signature& s : r.signatures.signatures) {
      authenticode = authenticode || s.source == verify::SignatureSource::Embedded;
      nested = nested || s.nested;
      timestamp = timestamp || (s.source == verify::SignatureSource::Embedded && s.timestamp.has_value());
      module_signature = module_signature || s.source == verify::SignatureSource::Module;
      macho_signature = macho_signature || s.source == verify::SignatureSource::MachO;
    }
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
  CHECK(round_trip(cache::Entry{}) == cache::Entry{});

  record::FileFacts f;
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
  m.pe = parse::PeInfo{true, "AMD64", "NATIVE", false, 0x2160, {".text", "INIT"}, 123, 456,
                       {{"CompanyName", "\xc3\x28"}}, FileVersion::from_parts(1, 2, 3, 4), "x.pdb", "abc",
                       {"ntoskrnl.exe.IoCreateDevice"}, true, {1, 2, 3, {4, 5}, {{6, 7}, {8, 9}}}};
  m.elf = parse::ElfInfo{"REL", "x86_64", "/lib/ld", "libx.so", {{"license", "GPL"}}, true, true, "grub", true};
  m.macho_slices = {{"arm64", "KEXT_BUNDLE", 16384, 999, true, {20000, 300}, {"/usr/lib/libSystem.B.dylib"}, "com.x"}};
  m.warnings = {"a limit cut a list"};
  f.binary = m;
  f.classification = {FileType::Driver, Privilege::Boot, "imports ntoskrnl.exe"};
  verify::FileSignatures& sigs = f.signatures;
  sigs.authentihash = verify::AuthenticodeHashes{std::string(40, '1'), std::string(64, '2')};
  sigs.warnings = {"w"};
  sigs.mark_checked(verify::SignatureSource::Embedded);
  sigs.mark_checked(verify::SignatureSource::MachO);
  verify::Signature s;
  s.index = 1;
  s.nested = true;
  s.parent_index = 0;
  s.signer.subject = "CN=x";
  s.chain = {s.signer, verify::CertInfo{.subject = "CN=root", .subject_cn = "root", .subject_o = "O", .subject_ou = "OU",
                                         .subject_c = "C", .subject_st = "ST", .subject_l = "L", .jurisdiction_c = "CN",
                                         .jurisdiction_st = "GD", .jurisdiction_l = "SZ", .registration_number = "91",
                                         .organization_identifier = "VATDE-1", .business_category = "Private Organization",
                                         .ev = true, .issuer = "CN=root", .serial_hex = "01", .not_before = "a",
                                         .not_after = "b", .thumbprint_sha1 = "c", .thumbprint_sha256 = "d", .tbs_hash = "e",
                                         .ekus = {"1.3.6.1.5.5.7.3.3", "1.3.6.1.4.1.311.10.3.5"}}};
  s.kernel_chain = {s.chain.back(), s.signer};
  s.kernel_anchor_set = "trust/microsoft";
  s.signing_time = "2020-01-01T00:00:00Z";
  s.timestamp = "2021-01-01T00:00:00Z";
  s.timestamp_authority = "CN=tsa";
  s.timestamp_kind = "pkcs9";
  s.verification_time_source = "timestamp";
  s.signed_digest_hex = "ab";
  s.computed_digest_hex = "cd";
  s.program_name = "p";
  s.more_info_url = "u";
  s.status = verify::SignatureStatus::Untrusted;
  s.flags = 0x3fff;
  s.errors = {"e1", "e2"};
  s.clock_window = {-5, 1'000'000'000'000};
  sigs.signatures = {s, s};
  verify::Signature mod;
  mod.source = verify::SignatureSource::Module;
  mod.status = verify::SignatureStatus::UnknownKey;
  mod.details = verify::ModuleDetails{"n", "k", "rsaEncryption", true, true, 512, 4096, "/boot/vmlinuz", "kernel_image", true};
  sigs.signatures.push_back(mod);
  verify::Signature mo;
  mo.source = verify::SignatureSource::MachO;
  mo.status = verify::SignatureStatus::Valid;
  verify::MachODetails md;
  md.slice = 3;
  md.kind = verify::MachOSignatureKind::DeveloperId;
  md.code_directories = {{0x1000, 0x20400, 0x10000, "sha256", "cd", "id", "team", 4096, 4096, 1, 7, 2, true, 3}};
  md.first_bad_page = 9;
  md.verification_time = 1700000000;
  md.entitlements = "<plist/>";
  mo.details = md;
  mo.clock_window = {10, 20};
  sigs.signatures.push_back(mo);
  verify::Signature cat;
  cat.source = verify::SignatureSource::Catalog;
  cat.details = verify::CatalogDetails{"x.cat", "sha1", "x.sys", "2020-01-01T00:00:00Z"};
  sigs.signatures.push_back(cat);
  f.matches = {{"Rule", "rules", {"t1"}, {{"vendor", "kaspersky"}}, {{"$a", 12, 3}, {"$", 1ull << 33, 0}}, true}};
  f.rules_skipped = "in-tree module (intree=Y) signed with the module-signing key of /boot/vmlinuz";
  f.rule_privilege = Privilege::Kernel;
  f.errors = {Error{Errc::TooLarge, "above --max-parse-size", "parse"}};
  const cache::Entry entry{f};

  CHECK(round_trip(entry) == entry);
  CHECK(entry.clock_window() == verify::ClockWindow{10, 20});
  // And a change to any nested field is seen by the comparison the test above relies on.
  cache::Entry g = entry;
  std::get<verify::MachODetails>(g.binary->signatures.signatures[3].details).code_directories[0].platform = 3;
  CHECK_FALSE(g == entry);
}

TEST_CASE("damaged records are refused, never crash", "[cache]") {
  const auto good = cache::encode(cache::Entry{});
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
