#include "policy/trust_finding.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace trustscan;
using namespace trustscan::policy;

namespace {

/// A kernel driver whose only (embedded, primary) signature is `sig`.
record::FileRecord driver_signed(verify::Signature sig, Privilege privilege = Privilege::Kernel) {
  record::FileRecord r;
  r.file.path = "/mnt/image/Windows/System32/drivers/x.sys";
  r.binary = parse::BinaryModel{};
  r.classification.privilege = privilege;
  r.signatures.signatures.push_back(std::move(sig));
  r.signature.applies = r.signature.exists = true;
  r.signature.status = r.signatures.signatures.front().status;
  r.signature.primary = verify::SignatureVerdict::Ref{false, 0};
  return r;
}

verify::Signature image_only(verify::SignatureStatus status) {
  verify::Signature s;
  s.status = status;
  verify::add_flag(s.flags, verify::VerifyFlag::ImageOnlyRoot);
  s.trust_basis = "machine_only";
  s.anchor_set = "windows-image:SOFTWARE\\Microsoft\\SystemCertificates\\ROOT";
  s.signer.subject_cn = "Woodgrove Driver Signing";
  s.signer.subject_o = "Woodgrove Software Inc.";
  s.signer.subject_c = "US";
  return s;
}

}  // namespace

TEST_CASE("trust finding: a kernel driver valid only through an image-only root", "[policy][trust]") {
  const Policy policy;  // kernel and boot in scope, no vendor rule
  record::FileRecord r = driver_signed(image_only(verify::SignatureStatus::Valid));
  apply_trust_findings(policy, r);
  REQUIRE(r.verdict);
  CHECK(r.verdict->finding());
  CHECK(r.verdict->severity == Severity::High);  // kernel, medium confidence
  REQUIRE(r.verdict->rules.size() == 1);
  CHECK(r.verdict->rules.front().rule_id == kImageOnlyRootRule);
  CHECK(r.verdict->rules.front().via == MatchVia::Trust);
  CHECK(r.verdict->subject.name == "Woodgrove Software Inc.");
  CHECK(r.verdict->subject.basis == Basis::Claim);
  CHECK(r.verdict->subject.country == "US");

  SECTION("registered to start at boot: critical") {
    record::FileRecord b = driver_signed(image_only(verify::SignatureStatus::Valid));
    b.windows = record::WindowsFacts{"/mnt/image", "C:\\Windows\\System32\\drivers\\x.sys", {}, true};
    apply_trust_findings(policy, b);
    REQUIRE(b.verdict);
    CHECK(b.verdict->severity == Severity::Critical);
  }
}

TEST_CASE("trust finding: not for user-mode files, other statuses or other trust", "[policy][trust]") {
  const Policy policy;
  record::FileRecord user = driver_signed(image_only(verify::SignatureStatus::Valid), Privilege::User);
  apply_trust_findings(policy, user);
  CHECK_FALSE(user.verdict);  // out of the default scope

  record::FileRecord disallowed = driver_signed(image_only(verify::SignatureStatus::Invalid));
  apply_trust_findings(policy, disallowed);
  CHECK_FALSE(disallowed.verdict);  // the machine does not trust it either

  verify::Signature program = image_only(verify::SignatureStatus::Valid);
  program.flags = 0;
  program.trust_basis = "program_and_machine";
  record::FileRecord known = driver_signed(program);
  apply_trust_findings(policy, known);
  CHECK_FALSE(known.verdict);
}

TEST_CASE("trust finding: added to a vendor finding, raising a lower severity", "[policy][trust]") {
  const Policy policy;
  record::FileRecord r = driver_signed(image_only(verify::SignatureStatus::Valid));
  Verdict vendor;
  vendor.status = Verdict::Status::Finding;
  vendor.severity = Severity::Medium;
  vendor.rules.push_back({"country:RU", "flagged", "default", MatchVia::Country});
  vendor.subject.vendor_id = "kaspersky";
  r.verdict = vendor;
  apply_trust_findings(policy, r);
  CHECK(r.verdict->severity == Severity::High);
  REQUIRE(r.verdict->rules.size() == 2);
  CHECK(r.verdict->rules.back().rule_id == kImageOnlyRootRule);
  CHECK(r.verdict->subject.vendor_id == "kaspersky");  // whom the finding is about stays
}
