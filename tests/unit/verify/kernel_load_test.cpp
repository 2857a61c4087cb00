// Would Windows load this driver (issue 16, verify/kernel_load.hpp): the decision from verified
// signatures, on signatures built by hand (the paths OpenSSL builds are tested on the hostile
// samples, tests/hostile/kernel_load_test.py).

#include "verify/kernel_load.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

using namespace trustscan::verify;

namespace {

CertInfo cert(std::string cn, std::string issuer_cn, std::string not_before = "2020-01-01T00:00:00Z",
              std::vector<std::string> ekus = {}) {
  CertInfo c;
  c.subject_cn = cn;
  c.subject = "CN=" + cn;
  c.issuer = "CN=" + issuer_cn;
  c.not_before = std::move(not_before);
  c.not_after = "2040-01-01T00:00:00Z";
  c.ekus = std::move(ekus);
  c.thumbprint_sha256 = std::string(64, static_cast<char>('a' + cn.size() % 26));
  return c;
}

const std::string kCodeSigning = "1.3.6.1.5.5.7.3.3";
const std::string kWhql = "1.3.6.1.4.1.311.10.3.5";
const std::string kRoot2010 = "Microsoft Root Certificate Authority 2010";
const std::string kMcvr = "Microsoft Code Verification Root";

/// An intact signature over `chain` (leaf first), anchored by `anchor_set` ("" = not anchored).
Signature signature(std::vector<CertInfo> chain, std::string anchor_set) {
  Signature s;
  s.signer = chain.front();
  s.chain = std::move(chain);
  s.anchor_set = std::move(anchor_set);
  s.status = s.anchor_set.empty() ? SignatureStatus::Untrusted : SignatureStatus::Valid;
  s.flags = s.anchor_set.empty() ? static_cast<VerifyFlags>(VerifyFlag::UntrustedRoot) : 0;
  return s;
}

Signature whcp(std::string anchor_set) {
  return signature(
      {cert("Microsoft Windows Hardware Compatibility Publisher", "Microsoft Windows Third Party Component CA 2014",
            "2024-01-01T00:00:00Z", {kCodeSigning, kWhql}),
       cert("Microsoft Windows Third Party Component CA 2014", kRoot2010), cert(kRoot2010, kRoot2010)},
      std::move(anchor_set));
}

/// Vendor leaf issued at `not_before` -> vendor CA -> cross-certificate -> Code Verification Root.
std::vector<CertInfo> cross_chain(std::string not_before) {
  return {cert("Fabrikam Devices Inc.", "Example Code Signing CA", std::move(not_before), {kCodeSigning}),
          cert("Example Code Signing CA", "Example Root CA"), cert("Example Root CA", kMcvr), cert(kMcvr, kMcvr)};
}

KernelLoadDecision decide(const Signature& s) { return decide_kernel_load(std::vector{s}, {}); }

}  // namespace

TEST_CASE("kernel_load: a WHCP chain anchored at Microsoft's root is allowed", "[kernel_load]") {
  for (const char* set : {"microsoft-root-program", "/tmp/hostile/trust/microsoft"}) {
    const KernelLoadDecision d = decide(whcp(set));
    CHECK(d.value == KernelLoad::Allowed);
    CHECK(d.basis == KernelLoadBasis::Whcp);
    CHECK(d.reason.find("Hardware Dev Center") != std::string::npos);
    CHECK(d.reason.find(set) != std::string::npos);
    REQUIRE(d.signature);
    CHECK_FALSE(d.signature->catalog);
  }
}

TEST_CASE("kernel_load: a self-made Microsoft root that no anchor set holds is never allowed",
          "[kernel_load][hostile]") {
  const KernelLoadDecision d = decide(whcp(""));
  CHECK(d.value == KernelLoad::TestSigningOnly);
  CHECK(d.basis == KernelLoadBasis::TestSigned);
  CHECK(d.reason.find("which no anchor set holds (a Microsoft name, not Microsoft's key)") != std::string::npos);
  // The same names in a kernel path that did not verify count for nothing either.
  Signature s = signature(cross_chain("2014-06-01T00:00:00Z"), "");
  CHECK(decide(s).value == KernelLoad::TestSigningOnly);
  s.kernel_chain = s.chain;  // kernel_anchor_set stays empty: the path did not verify
  CHECK(decide(s).value == KernelLoad::TestSigningOnly);
}

TEST_CASE("kernel_load: the WHCP EKU outside a Third Party Component CA, or no driver EKU, is not enough",
          "[kernel_load][hostile]") {
  Signature s = signature({cert("Microsoft Windows Hardware Compatibility Publisher", "Some Other CA",
                                "2024-01-01T00:00:00Z", {kCodeSigning, kWhql}),
                           cert("Some Other CA", kRoot2010), cert(kRoot2010, kRoot2010)},
                          "microsoft-root-program");
  CHECK(decide(s).basis == KernelLoadBasis::MicrosoftRootNoDriverEku);
  CHECK(decide(s).value == KernelLoad::NotAllowed);
  s = whcp("microsoft-root-program");
  s.chain.front().ekus = {kCodeSigning};
  CHECK(decide(s).basis == KernelLoadBasis::MicrosoftRootNoDriverEku);
  s.chain.front().ekus = {kCodeSigning, "1.3.6.1.4.1.311.10.3.6"};  // Windows System Component Verification
  CHECK(decide(s).value == KernelLoad::Allowed);
  CHECK(decide(s).basis == KernelLoadBasis::MicrosoftWindows);
}

TEST_CASE("kernel_load: cross-signed drivers either side of 2015-07-29", "[kernel_load]") {
  const KernelLoadDecision before = decide(signature(cross_chain("2014-06-01T00:00:00Z"), "trust/microsoft"));
  CHECK(before.value == KernelLoad::LegacyCrossSigned);
  CHECK(before.basis == KernelLoadBasis::CrossSignedLegacy);
  CHECK(before.reason.find("2014-06-01, before 2015-07-29") != std::string::npos);
  CHECK(before.reason.find("cross-certificate for 'Example Root CA'") != std::string::npos);

  CHECK(decide(signature(cross_chain("2015-07-28T23:59:59Z"), "x")).value == KernelLoad::LegacyCrossSigned);
  // Issued exactly on the cut-off day: no longer "prior to July 29th, 2015".
  const KernelLoadDecision on = decide(signature(cross_chain("2015-07-29T00:00:00Z"), "x"));
  CHECK(on.value == KernelLoad::NotAllowed);
  CHECK(on.basis == KernelLoadBasis::CrossSignedLate);
  CHECK(on.reason.find("upgraded from an earlier release or with Secure Boot off") != std::string::npos);
  CHECK(decide(signature(cross_chain("2016-06-01T00:00:00Z"), "x")).basis == KernelLoadBasis::CrossSignedLate);
}

TEST_CASE(
    "kernel_load: the kernel path through a cross-certificate counts when the main chain stops at the vendor root",
    "[kernel_load]") {
  std::vector<CertInfo> vendor = cross_chain("2014-06-01T00:00:00Z");
  vendor.resize(2);
  vendor.push_back(cert("Example Root CA", "Example Root CA"));
  Signature s = signature(vendor, "microsoft-root-program");
  CHECK(decide(s).value == KernelLoad::NotAllowed);
  CHECK(decide(s).basis == KernelLoadBasis::CommercialOnly);
  s.kernel_chain = cross_chain("2014-06-01T00:00:00Z");
  CHECK(decide(s).basis == KernelLoadBasis::CommercialOnly);  // not verified: no kernel anchor set
  CHECK(decide(s).reason.find("no anchor verifies") != std::string::npos);
  CHECK(decide(s).reason.find("issued 2014-06-01 makes the driver legacy_cross_signed") != std::string::npos);
  s.kernel_anchor_set = "trust/microsoft";
  CHECK(decide(s).value == KernelLoad::LegacyCrossSigned);
  CHECK(decide(s).reason.find("anchor set trust/microsoft") != std::string::npos);
}

TEST_CASE("kernel_load: test-signed drivers load only with test signing", "[kernel_load]") {
  const CertInfo wdk = cert("WDKTestCert builder,133476543210987654", "WDKTestCert builder,133476543210987654",
                            "2020-01-01T00:00:00Z", {kCodeSigning});
  for (const char* set : {"", "/tmp/hostile/trust/wdk"}) {
    const KernelLoadDecision d = decide(signature({wdk}, set));
    CHECK(d.value == KernelLoad::TestSigningOnly);
    CHECK(d.basis == KernelLoadBasis::TestSigned);
  }
  // A production anchor set makes a non-Microsoft chain commercial, not a test signature.
  CHECK(decide(signature({wdk}, "trustscan-builtin")).basis == KernelLoadBasis::CommercialOnly);
}

TEST_CASE("kernel_load: broken, expired and missing signatures", "[kernel_load]") {
  Signature bad = whcp("microsoft-root-program");
  bad.status = SignatureStatus::Invalid;
  bad.flags = static_cast<VerifyFlags>(VerifyFlag::BadDigest);
  KernelLoadDecision d = decide(bad);
  CHECK(d.value == KernelLoad::NotAllowed);
  CHECK(d.basis == KernelLoadBasis::BadSignature);
  CHECK(d.reason.find("bad_digest") != std::string::npos);
  bad.flags = static_cast<VerifyFlags>(VerifyFlag::TrailingData);
  CHECK(decide(bad).basis == KernelLoadBasis::BadSignature);
  // The kernel does not check certificate lifetimes: an expired WHCP chain still loads.
  Signature expired = whcp("microsoft-root-program");
  expired.status = SignatureStatus::Invalid;
  expired.flags = VerifyFlag::Expired | VerifyFlag::RevocationNotChecked;
  CHECK(decide(expired).value == KernelLoad::Allowed);

  d = decide_kernel_load({}, {});
  CHECK(d.value == KernelLoad::NotAllowed);
  CHECK(d.basis == KernelLoadBasis::Unsigned);
  CHECK_FALSE(d.signature);
}

TEST_CASE("kernel_load: the best signature decides, catalogs included", "[kernel_load]") {
  Signature own = signature({cert("Contoso", "Contoso", "2020-01-01T00:00:00Z", {kCodeSigning})}, "");
  Signature catalog = whcp("microsoft-root-program");
  catalog.source = SignatureSource::Catalog;
  catalog.details = CatalogDetails{"C:/Windows/System32/CatRoot/x/oem1.cat", "sha256", "", std::nullopt};
  const KernelLoadDecision d = decide_kernel_load(std::vector{own}, std::vector{catalog});
  CHECK(d.value == KernelLoad::Allowed);
  REQUIRE(d.signature);
  CHECK(d.signature->catalog);
  CHECK(d.reason.starts_with("catalog C:/Windows/System32/CatRoot/x/oem1.cat"));
  // Among equals the first wins: the primary embedded signature.
  const KernelLoadDecision first = decide_kernel_load(std::vector{own, own}, {});
  CHECK(first.signature->index == 0);
}

TEST_CASE("kernel_load: the image's Secure Boot and test-signing state refine the reason", "[kernel_load]") {
  const Signature late = signature(cross_chain("2016-06-01T00:00:00Z"), "x");
  const std::vector<Signature> own{late};
  CHECK(decide_kernel_load(own, {}, {false, std::nullopt}).reason.ends_with("Secure Boot is off: it loads here"));
  const KernelLoadDecision on = decide_kernel_load(own, {}, {true, true});
  CHECK(on.value == KernelLoad::NotAllowed);
  CHECK(on.reason.find("test signing on: it loads here") != std::string::npos);
  CHECK(on.reason.find("Secure Boot is on") != std::string::npos);
  // An allowed driver's reason is not touched.
  const std::vector<Signature> allowed{whcp("microsoft-root-program")};
  CHECK(decide_kernel_load(allowed, {}, {false, true}).reason == decide_kernel_load(allowed, {}).reason);
}
