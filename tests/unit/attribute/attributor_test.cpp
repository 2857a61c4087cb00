#include "attribute/attributor.hpp"

#include <catch2/catch.hpp>

#include <algorithm>

#include "support/shipped_data.hpp"

using namespace trustscan;
using attribute::EvidenceKind;
using verify::SignatureStatus;

namespace {

using test::shipped_vendors;

verify::Signature signature(std::string o, std::string cn, SignatureStatus status, bool nested = false) {
  verify::Signature s;
  s.signer.subject_o = o;
  s.signer.subject_cn = cn;
  s.signer.subject = "CN=" + cn + ", O=" + o;
  s.status = status;
  s.nested = nested;
  return s;
}

record::FileRecord pe_record(std::string path, std::vector<verify::Signature> sigs,
                               std::map<std::string, std::string> version_info = {}) {
  record::FileRecord r;
  r.file.path = std::move(path);
  r.format = Format::Pe;
  parse::BinaryModel m;
  m.format = Format::Pe;
  m.pe = parse::PeInfo{};
  m.pe->version_info = std::move(version_info);
  r.binary = std::move(m);
  r.signatures.mark_checked(verify::SignatureSource::Embedded);
  r.signatures.signatures = std::move(sigs);
  return r;
}

bool has_evidence(const attribute::Attribution& a, EvidenceKind kind, std::string_view vendor) {
  return std::ranges::any_of(a.evidence, [&](const auto& e) { return e.kind == kind && e.vendor == vendor; });
}

}  // namespace

TEST_CASE("a valid signer names the vendor with high confidence and its country", "[attribute]") {
  auto r = pe_record("/w/klif.sys", {signature("AO Kaspersky Lab", "AO Kaspersky Lab", SignatureStatus::Valid)});
  auto a = attribute::attribute(r, shipped_vendors());
  REQUIRE(a);
  CHECK(a->vendor == "kaspersky");
  CHECK(a->country == "RU");
  CHECK(a->confidence == Confidence::High);
  CHECK(has_evidence(*a, EvidenceKind::Signer, "kaspersky"));
  CHECK(has_evidence(*a, EvidenceKind::FileName, "kaspersky"));
  CHECK(a->contradictions.empty());
}

TEST_CASE("the verdict of the signature sets the strength of its evidence", "[attribute]") {
  auto status = GENERATE(SignatureStatus::Valid, SignatureStatus::Untrusted, SignatureStatus::Malformed);
  auto r = pe_record("/w/x.sys", {signature("Kaspersky Lab ZAO", "Kaspersky Lab ZAO", status)});
  if (status == SignatureStatus::Malformed) r.signatures.signatures[0].flags = static_cast<verify::VerifyFlags>(verify::VerifyFlag::Malformed);
  auto a = attribute::attribute(r, shipped_vendors());
  REQUIRE(a);
  CHECK(a->vendor == "kaspersky");
  Confidence want = status == SignatureStatus::Valid       ? Confidence::High
                    : status == SignatureStatus::Untrusted ? Confidence::Medium
                                                           : Confidence::Low;
  CHECK(a->confidence == want);
}

TEST_CASE("attestation-signed driver: the vendor is in the nested signature, not the WHCP signer", "[attribute]") {
  auto r = pe_record("/w/drv.sys",
                     {signature("Microsoft Corporation", "Microsoft Windows Hardware Compatibility Publisher",
                                SignatureStatus::Valid),
                      signature("AO Kaspersky Lab", "AO Kaspersky Lab", SignatureStatus::Valid, true)});
  auto a = attribute::attribute(r, shipped_vendors());
  REQUIRE(a);
  CHECK(a->vendor == "kaspersky");
  CHECK(a->confidence == Confidence::High);
  CHECK(has_evidence(*a, EvidenceKind::SigningService, "microsoft"));
  CHECK(a->contradictions.empty());  // a signing service does not contradict its customer
}

TEST_CASE("a signing service alone gives only a low-confidence attribution", "[attribute]") {
  auto r = pe_record("/w/shim.efi", {signature("Microsoft Corporation", "Microsoft Windows UEFI Driver Publisher",
                                               SignatureStatus::Valid)});
  auto a = attribute::attribute(r, shipped_vendors());
  REQUIRE(a);
  CHECK(a->confidence == Confidence::Low);
}

TEST_CASE("signer and version info disagreeing is reported, the valid signer wins", "[attribute]") {
  auto r = pe_record("/w/agent.sys", {signature("Microsoft Corporation", "Microsoft Corporation", SignatureStatus::Valid)},
                     {{"CompanyName", "AO Kaspersky Lab"}});
  auto a = attribute::attribute(r, shipped_vendors());
  REQUIRE(a);
  CHECK(a->vendor == "microsoft");
  REQUIRE(a->contradictions.size() == 1);
  CHECK_THAT(a->contradictions[0], Catch::Contains("Kaspersky"));
  CHECK(a->candidates == std::vector<std::string>{"kaspersky"});
}

TEST_CASE("wine's imitation CompanyName loses to its copyright holder", "[attribute]") {
  auto r = pe_record("/w/ntoskrnl.exe", {},
                     {{"CompanyName", "Microsoft Corporation"},
                      {"LegalCopyright", "Copyright (c) 1993-2023 the Wine project authors"}});
  auto a = attribute::attribute(r, shipped_vendors());
  REQUIRE(a);
  CHECK(a->vendor == "wine");
  CHECK_FALSE(a->country);
  CHECK(a->contradictions.size() == 1);
}

TEST_CASE("a known file name alone is weak evidence; nothing at all is no attribution", "[attribute]") {
  auto named = attribute::attribute(pe_record("/w/klif.sys", {}), shipped_vendors());
  REQUIRE(named);
  CHECK(named->vendor == "kaspersky");
  CHECK(named->confidence == Confidence::Low);
  CHECK_FALSE(attribute::attribute(pe_record("/w/unknown-thing.sys", {}), shipped_vendors()));
}

TEST_CASE("dn_attribute reads RFC 2253 distinguished names", "[attribute]") {
  CHECK(attribute::dn_attribute("CN=Build time autogenerated kernel key", "CN") == "Build time autogenerated kernel key");
  CHECK(attribute::dn_attribute("CN=Foo, O=Acme\\, Inc., C=US", "O") == "Acme, Inc.");
  CHECK(attribute::dn_attribute("CN=Foo,O=Bar", "O") == "Bar");
  CHECK(attribute::dn_attribute("CN=Foo", "O").empty());
}
