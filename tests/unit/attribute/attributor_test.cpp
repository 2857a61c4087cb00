// The evidence model (docs/attribution.md): tiers and precedence, bounded claims, signing
// services, publishers from verified certificates — on records shaped like the hostile samples of
// issue 15 (tools/make_hostile_samples.sh) and the real tree.
#include "attribute/attributor.hpp"

#include <catch2/catch.hpp>

#include <algorithm>

#include "support/shipped_data.hpp"

using namespace trustscan;
using attribute::EvidenceKind;
using attribute::Tier;
using verify::SignatureStatus;
using verify::VerifyFlag;

namespace {

using test::shipped_vendors;

struct Cert {
  std::string o, cn, c;
  std::string issuer_cn = "trustscan Hostile Samples Test Root";
};

/// An Authenticode signature; `status` Untrusted comes with untrusted_root (self-signed or an
/// unknown CA), Invalid with bad_digest (a broken signature).
verify::Signature signature(const Cert& cert, SignatureStatus status, bool nested = false) {
  verify::Signature s;
  s.signer.subject_o = cert.o;
  s.signer.subject_cn = cert.cn;
  s.signer.subject_c = cert.c;
  s.signer.subject = "CN=" + cert.cn + (cert.o.empty() ? "" : ",O=" + cert.o) + (cert.c.empty() ? "" : ",C=" + cert.c);
  s.signer.issuer = "CN=" + cert.issuer_cn;
  s.signer.thumbprint_sha256 = std::string(64, static_cast<char>('a' + (cert.cn.size() + cert.o.size()) % 6));
  s.status = status;
  if (status == SignatureStatus::Untrusted) s.flags = static_cast<verify::VerifyFlags>(VerifyFlag::UntrustedRoot);
  if (status == SignatureStatus::Invalid) s.flags = static_cast<verify::VerifyFlags>(VerifyFlag::BadDigest);
  s.nested = nested;
  return s;
}

verify::Signature catalog(const Cert& cert, SignatureStatus status, std::string path) {
  verify::Signature s = signature(cert, status);
  s.source = verify::SignatureSource::Catalog;
  s.details = verify::CatalogDetails{std::move(path), "sha256", "", std::nullopt};
  return s;
}

const Cert kKaspersky{"AO Kaspersky Lab", "AO Kaspersky Lab", "RU"};
const Cert kContoso{"Contoso Security Inc.", "Contoso Security Inc.", "US"};
const Cert kWhcp{"Microsoft Corporation", "Microsoft Windows Hardware Compatibility Publisher", "US",
                 "Microsoft Windows Third Party Component CA 2014"};

/// A self-signed "Microsoft" certificate, each with its own CN (as the hostile samples' decoys).
Cert decoy(int i) {
  const std::string cn = "Microsoft Decoy Signer " + std::to_string(i);
  return {"Microsoft Corporation", cn, "US", cn};
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
  for (std::size_t i = 0; i < r.signatures.signatures.size(); ++i) r.signatures.signatures[i].index = static_cast<int>(i);
  return r;
}

match::RuleMatch rule(std::string name, std::string vendor, std::string confidence, std::string tag) {
  match::RuleMatch m;
  m.rule = std::move(name);
  m.ns = "rules";
  m.tags = {std::move(tag)};
  m.meta = {{"vendor", std::move(vendor)}, {"confidence", std::move(confidence)}, {"description", "d"}};
  return m;
}

bool has_evidence(const attribute::Attribution& a, EvidenceKind kind, std::string_view vendor) {
  return std::ranges::any_of(a.evidence, [&](const auto& e) { return e.kind == kind && e.vendor == vendor; });
}

attribute::Attribution attribute_ok(const record::FileRecord& r) {
  auto a = attribute::attribute(r, shipped_vendors());
  REQUIRE(a);
  return *a;
}

}  // namespace

TEST_CASE("a valid signer names the vendor with high confidence, verified, and its country", "[attribute]") {
  auto a = attribute_ok(pe_record("/w/klif.sys", {signature(kKaspersky, SignatureStatus::Valid)}));
  CHECK(a.vendor == "kaspersky");
  CHECK(a.country == "RU");
  CHECK(a.confidence == Confidence::High);
  CHECK(a.tier == Tier::Verified);
  CHECK(has_evidence(a, EvidenceKind::Signer, "kaspersky"));
  CHECK(has_evidence(a, EvidenceKind::FileName, "kaspersky"));
  CHECK(a.contradictions.empty());
  CHECK(a.claims.empty());
  REQUIRE(a.publisher);  // the vendor's own certificate, beside the curated data
  CHECK(a.publisher->vendor == "kaspersky");
  CHECK(a.publisher->country == "RU");
  CHECK(a.publisher->country_source == attribute::CountrySource::SubjectCountry);
}

TEST_CASE("the verdict of the signature sets its tier and caps its confidence", "[attribute]") {
  struct Row {
    SignatureStatus status;
    Tier tier;
    Confidence confidence;
  };
  const Row row = GENERATE(Row{SignatureStatus::Valid, Tier::Verified, Confidence::High},
                           Row{SignatureStatus::Untrusted, Tier::Claim, Confidence::Medium},
                           Row{SignatureStatus::Invalid, Tier::Metadata, Confidence::Low});
  auto a = attribute_ok(pe_record("/w/x.sys", {signature(kKaspersky, row.status)}));
  CHECK(a.vendor == "kaspersky");
  CHECK(a.tier == row.tier);
  CHECK(a.confidence == row.confidence);
  CHECK(a.publisher.has_value() == (row.status == SignatureStatus::Valid));  // only verified certificates
}

TEST_CASE("class a: a verified Kaspersky driver stays Kaspersky with 2, 5 and 14 nested decoys", "[attribute][hostile]") {
  const int n = GENERATE(2, 5, 14);
  std::vector<verify::Signature> sigs{signature(kKaspersky, SignatureStatus::Valid)};
  for (int i = 0; i < n; ++i) sigs.push_back(signature(decoy(i), SignatureStatus::Untrusted, true));
  auto a = attribute_ok(pe_record("/w/drv.sys", sigs));
  INFO(n << " decoys");
  CHECK(a.vendor == "kaspersky");
  CHECK(a.tier == Tier::Verified);
  CHECK(a.confidence == Confidence::High);
  // However many, the decoys are one claim and one contradiction that says what decided.
  REQUIRE(a.claims.size() == 1);
  CHECK(a.claims[0].vendor == "microsoft");
  CHECK(a.claims[0].tier == Tier::Claim);
  CHECK(a.claims[0].contradicted);
  REQUIRE(a.contradictions.size() == 1);
  CHECK_THAT(a.contradictions[0], Catch::Contains("and " + std::to_string(n - 1) + " more point to Microsoft") &&
                                      Catch::Contains("decided by signer") && Catch::Contains("(verified) for Kaspersky"));
}

TEST_CASE("class b: decoy catalogs nobody trusts do not outweigh the verified embedded signature", "[attribute][hostile]") {
  const int n = GENERATE(2, 5, 14);
  auto r = pe_record("/w/hsdrv.sys", {signature(kKaspersky, SignatureStatus::Valid)});
  for (int i = 0; i < n; ++i)
    r.catalog_signatures.push_back(catalog(decoy(i), SignatureStatus::Untrusted, "CatRoot/oem" + std::to_string(i) + ".cat"));
  auto a = attribute_ok(r);
  CHECK(a.vendor == "kaspersky");
  CHECK(a.confidence == Confidence::High);
  REQUIRE(a.claims.size() == 1);
  CHECK(a.claims[0].contradicted);
}

TEST_CASE("class c: a framed driver keeps its verified publisher; the Kaspersky claim is contradicted", "[attribute][hostile]") {
  const bool in_catalog = GENERATE(false, true);
  const SignatureStatus claim = GENERATE(SignatureStatus::Untrusted, SignatureStatus::Valid);
  INFO((in_catalog ? "catalog" : "nested") << " Kaspersky signature " << to_string(claim));
  auto r = pe_record("/w/ctsflt.sys", {signature(kContoso, SignatureStatus::Valid)});
  if (in_catalog) r.catalog_signatures.push_back(catalog(kKaspersky, claim, "CatRoot/kaspersky.cat"));
  else r.signatures.signatures.push_back(signature(kKaspersky, claim, true));
  auto a = attribute_ok(r);
  CHECK(a.vendor.empty());  // Contoso is not in the vendor list: its certificate makes it the publisher
  REQUIRE(a.publisher_subject());
  CHECK(a.name == "Contoso Security Inc.");
  CHECK(a.country == "US");
  CHECK(a.confidence == Confidence::Medium);  // C= without EV: the address, not the incorporation
  REQUIRE(a.claims.size() == 1);
  CHECK(a.claims[0].vendor == "kaspersky");
  // A verified Kaspersky signature is no claim: Kaspersky signed these bytes too (a co-signer).
  CHECK(a.claims[0].contradicted == (claim != SignatureStatus::Valid));
  CHECK(a.claims[0].tier == (claim == SignatureStatus::Valid ? Tier::Verified : Tier::Claim));
  CHECK_THAT(a.contradictions.at(0), Catch::Contains("decided by signer 'CN=Contoso Security Inc."));
}

TEST_CASE("class d: intree=Y and an unverifiable build-key name do not make linux-kernel high", "[attribute][hostile]") {
  record::FileRecord r;
  r.file.path = "/w/hid_evhelper.ko";
  r.format = Format::Elf;
  parse::BinaryModel m;
  m.format = Format::Elf;
  m.elf = parse::ElfInfo{};
  m.elf->modinfo = {{"intree", "Y"}, {"license", "GPL"}};
  r.binary = std::move(m);
  verify::Signature mod;
  mod.source = verify::SignatureSource::Module;
  mod.status = GENERATE(SignatureStatus::UnknownKey, SignatureStatus::Valid);
  mod.signer.issuer = "O=Unspecified company,CN=Build time autogenerated kernel key";
  mod.details = verify::ModuleDetails{};
  r.signatures.signatures = {mod};
  r.matches = {rule("Kaspersky_ScanEngineSdk", "kaspersky", "medium", "engine")};
  auto a = attribute_ok(r);
  INFO(to_string(mod.status));
  CHECK(a.vendor == "linux-kernel");
  REQUIRE(a.signing_services.size() == 1);  // the build key is a service, never the vendor
  CHECK(a.signing_services[0].vendor == "linux-kernel");
  REQUIRE(a.claims.size() == 1);
  CHECK(a.claims[0].vendor == "kaspersky");
  CHECK(a.claims[0].tier == Tier::Content);
  CHECK(a.claims[0].confidence == Confidence::Medium);
  if (mod.status == SignatureStatus::Valid) {
    // A keyring key verified the module: its .modinfo is the distribution's word (the real tree).
    CHECK(a.tier == Tier::Verified);
    CHECK(a.confidence == Confidence::High);
    CHECK(a.claims[0].contradicted);
  } else {
    CHECK(a.tier == Tier::Metadata);
    CHECK(a.confidence == Confidence::Low);
    CHECK_FALSE(a.claims[0].contradicted);  // nothing verified: the content rule's claim stands
  }
}

TEST_CASE("class f: a self-signed Kaspersky certificate is a claim, never high", "[attribute][hostile]") {
  auto r = pe_record("/w/evhelper.sys", {signature(kKaspersky, SignatureStatus::Untrusted)});
  r.matches = {rule("Kaspersky_CertSubject", "kaspersky", "high", "cert_subject")};
  auto a = attribute_ok(r);
  CHECK(a.vendor == "kaspersky");
  CHECK(a.tier == Tier::Claim);
  CHECK(a.confidence == Confidence::Medium);
  CHECK_FALSE(a.publisher);
}

TEST_CASE("class f: a CompanyName-only claim counts once, with the rule that reads it", "[attribute][hostile]") {
  auto r = pe_record("/w/evhelper.sys", {}, {{"CompanyName", "AO Kaspersky Lab"}});
  r.matches = {rule("Kaspersky_VersionInfo", "kaspersky", "medium", "version_info")};
  auto a = attribute_ok(r);
  CHECK(a.vendor == "kaspersky");
  CHECK(a.tier == Tier::Metadata);
  CHECK(a.confidence == Confidence::Low);
  for (const auto& e : a.evidence) CHECK(e.tier == Tier::Metadata);  // the rule reads the same resource
}

TEST_CASE("class h: an unlisted EV publisher is attributed with its jurisdiction; WHCP is the service", "[attribute][hostile]") {
  verify::Signature ev = signature({"Shenzhen Example Kernel Technology Co., Ltd.",
                                    "Shenzhen Example Kernel Technology Co., Ltd.", "CN",
                                    "trustscan Test EV Code Signing CA R36"},
                                   SignatureStatus::Valid);
  ev.signer.jurisdiction_c = "CN";
  ev.signer.jurisdiction_st = "Guangdong";
  ev.signer.registration_number = "91440300MA5TEST01X";
  ev.signer.ev = true;
  verify::Signature whcp = signature(kWhcp, SignatureStatus::Valid);
  whcp.program_name = "Shenzhen Example Kernel Technology Co., Ltd.";
  const int shape = GENERATE(0, 1, 2);  // EV only; EV then nested WHCP; WHCP then nested EV
  std::vector<verify::Signature> sigs{ev};
  if (shape == 1) sigs = {ev, whcp}, sigs[1].nested = true;
  if (shape == 2) sigs = {whcp, ev}, sigs[1].nested = true;
  auto a = attribute_ok(pe_record("/w/h.sys", sigs));
  INFO("shape " << shape);
  REQUIRE(a.publisher_subject());
  CHECK(a.name == "Shenzhen Example Kernel Technology Co., Ltd.");
  CHECK(a.country == "CN");
  CHECK(a.publisher->country_source == attribute::CountrySource::Jurisdiction);
  CHECK(a.publisher->ev);
  CHECK(a.confidence == Confidence::High);
  CHECK(a.tier == Tier::Verified);
  CHECK_FALSE(has_evidence(a, EvidenceKind::Signer, "microsoft"));
  CHECK(a.candidates.empty());
  if (shape == 0) CHECK(a.signing_services.empty());
  else {
    REQUIRE(a.signing_services.size() == 1);
    CHECK(a.signing_services[0].vendor == "microsoft");
    CHECK(a.signing_services[0].tier == Tier::Verified);
  }
}

TEST_CASE("a plain C= certificate gives the publisher's country at medium confidence", "[attribute]") {
  auto a = attribute_ok(pe_record("/w/x.sys", {signature({"Example Co", "Example Co", "cn"}, SignatureStatus::Valid)}));
  REQUIRE(a.publisher_subject());
  CHECK(a.country == "CN");  // upper-cased
  CHECK(a.publisher->country_source == attribute::CountrySource::SubjectCountry);
  CHECK_FALSE(a.publisher->ev);
  CHECK(a.confidence == Confidence::Medium);
}

TEST_CASE("a CN that extends the O names the publisher (Certum open-source certificates)", "[attribute]") {
  auto a = attribute_ok(pe_record("/w/islzma.dll", {signature({"Open Source Developer", "Open Source Developer, Martijn Laan",
                                                                "NL"},
                                                               SignatureStatus::Valid)}));
  CHECK(a.name == "Open Source Developer, Martijn Laan");
  CHECK(a.country == "NL");
}

TEST_CASE("a certificate listed by its thumbprint names its vendor, whatever its subject", "[attribute]") {
  verify::Signature s = signature({"", "Some Renamed Signer", "US"}, SignatureStatus::Valid);
  s.signer.thumbprint_sha1 = "f5877012fbd62fabcbdc8d8cee9c9585ba30df79";  // listed (SHA-1) for microsoft: vsce-sign.exe
  auto a = attribute_ok(pe_record("/w/x.exe", {s}));
  CHECK(a.vendor == "microsoft");
  CHECK_FALSE(a.publisher_subject());
  REQUIRE(a.publisher);
  CHECK(a.publisher->vendor == "microsoft");
}

TEST_CASE("an unverified unlisted certificate makes no publisher", "[attribute]") {
  CHECK_FALSE(attribute::attribute(pe_record("/w/x.sys", {signature({"Example Co", "Example Co", "CN"}, SignatureStatus::Untrusted)}),
                                   shipped_vendors()));
}

TEST_CASE("a WHCP leaf is a service by its issuer too, whatever its CN; Developer ID names the developer",
          "[attribute]") {
  const Cert new_leaf{"Microsoft Corporation", "Microsoft Windows Hardware Compatibility Publisher 2031", "US",
                      "Microsoft Windows Third Party Component CA 2014"};
  auto whcp_only = attribute::attribute(pe_record("/w/x.sys", {signature(new_leaf, SignatureStatus::Valid)}), shipped_vendors());
  REQUIRE(whcp_only);
  CHECK_FALSE(whcp_only->attributed());  // Microsoft signed for someone the file does not name
  REQUIRE(whcp_only->signing_services.size() == 1);
  CHECK(whcp_only->signing_services[0].name == "Microsoft Windows Third Party Component CA 2014");

  verify::Signature dev = signature({"GetSentry LLC", "Developer ID Application: GetSentry LLC (97JCY7859U)", "US",
                                     "Developer ID Certification Authority"},
                                    SignatureStatus::Valid);
  dev.source = verify::SignatureSource::MachO;
  dev.details = verify::MachODetails{};
  record::FileRecord r;
  r.file.path = "/w/sentry-cli";
  r.signatures.signatures = {dev};
  auto a = attribute_ok(r);
  CHECK(a.vendor == "sentry");
  CHECK(a.tier == Tier::Verified);
  REQUIRE(a.signing_services.size() == 1);
  CHECK(a.signing_services[0].vendor == "apple");
}

TEST_CASE("attestation-signed driver: the vendor is in the nested signature, not the WHCP signer", "[attribute]") {
  auto a = attribute_ok(pe_record("/w/drv.sys", {signature(kWhcp, SignatureStatus::Valid),
                                                 signature(kKaspersky, SignatureStatus::Valid, true)}));
  CHECK(a.vendor == "kaspersky");
  CHECK(a.confidence == Confidence::High);
  CHECK(has_evidence(a, EvidenceKind::SigningService, "microsoft"));
  CHECK(a.candidates.empty());      // a signing service is no candidate
  CHECK(a.contradictions.empty());  // and does not contradict its customer
}

TEST_CASE("a program name in a verified service signature names the vendor; unverified it is metadata", "[attribute]") {
  verify::Signature whcp = signature(kWhcp, GENERATE(SignatureStatus::Valid, SignatureStatus::Untrusted));
  whcp.program_name = "Kaspersky Lab";
  auto a = attribute_ok(pe_record("/w/drv.sys", {whcp}));
  CHECK(a.vendor == "kaspersky");
  const bool verified = whcp.status == SignatureStatus::Valid;
  CHECK(a.tier == (verified ? Tier::Verified : Tier::Metadata));
  CHECK(a.confidence == (verified ? Confidence::Medium : Confidence::Low));
}

TEST_CASE("a verified certificate whose country contradicts the vendor list is reported", "[attribute]") {
  auto a = attribute_ok(pe_record("/w/tmx.sys", {signature({"Trend Micro, Inc.", "Trend Micro, Inc.", "TW"},
                                                            SignatureStatus::Valid)}));
  CHECK(a.vendor == "trend-micro");
  CHECK(a.country == "JP");  // the curated country decides
  REQUIRE(a.contradictions.size() == 1);
  CHECK_THAT(a.contradictions[0], Catch::Contains("certificate country TW (subject_country)") &&
                                      Catch::Contains("the vendor list decides"));
}

TEST_CASE("signer and version info disagreeing is reported, the valid signer wins", "[attribute]") {
  auto a = attribute_ok(pe_record("/w/agent.sys", {signature({"Microsoft Corporation", "Microsoft Corporation", "US"},
                                                              SignatureStatus::Valid)},
                                  {{"CompanyName", "AO Kaspersky Lab"}}));
  CHECK(a.vendor == "microsoft");
  REQUIRE(a.contradictions.size() == 1);
  CHECK_THAT(a.contradictions[0], Catch::Contains("Kaspersky") && Catch::Contains("(metadata)"));
  CHECK(a.candidates == std::vector<std::string>{"kaspersky"});
  REQUIRE(a.claims.size() == 1);
  CHECK(a.claims[0].contradicted);
}

TEST_CASE("wine's imitation CompanyName loses to its copyright holder", "[attribute]") {
  auto a = attribute_ok(pe_record("/w/ntoskrnl.exe", {},
                                  {{"CompanyName", "Microsoft Corporation"},
                                   {"LegalCopyright", "Copyright (c) 1993-2023 the Wine project authors"}}));
  CHECK(a.vendor == "wine");
  CHECK_FALSE(a.country);
  CHECK(a.tier == Tier::Metadata);
  CHECK(a.contradictions.size() == 1);
  REQUIRE(a.claims.size() == 1);
  CHECK_FALSE(a.claims[0].contradicted);  // nothing verified
}

TEST_CASE("a known file name alone is weak evidence; nothing at all is no attribution", "[attribute]") {
  auto named = attribute_ok(pe_record("/w/klif.sys", {}));
  CHECK(named.vendor == "kaspersky");
  CHECK(named.confidence == Confidence::Low);
  CHECK_FALSE(attribute::attribute(pe_record("/w/unknown-thing.sys", {}), shipped_vendors()));
  // A file name is no claim when something else decided.
  auto signed_named = attribute_ok(pe_record("/w/klif.sys", {signature(kContoso, SignatureStatus::Valid)}));
  CHECK(signed_named.claims.empty());
  CHECK(signed_named.candidates == std::vector<std::string>{"kaspersky"});
}

TEST_CASE("dn_attribute reads RFC 2253 distinguished names", "[attribute]") {
  CHECK(attribute::dn_attribute("CN=Build time autogenerated kernel key", "CN") == "Build time autogenerated kernel key");
  CHECK(attribute::dn_attribute("CN=Foo, O=Acme\\, Inc., C=US", "O") == "Acme, Inc.");
  CHECK(attribute::dn_attribute("CN=Foo,O=Bar", "O") == "Bar");
  CHECK(attribute::dn_attribute("CN=Foo", "O").empty());
}

TEST_CASE("an attribution without a publisher is smaller than the publisher it may hold", "[attribute]") {
  // A record is kept for every file until the report is written: an absent publisher costs a
  // pointer (core/heap_optional.hpp), not its certificate's size.
  CHECK(sizeof(attribute::Attribution) < sizeof(attribute::Publisher));
}
