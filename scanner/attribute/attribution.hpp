#pragma once
/// \file
/// The attribute stage's result for one binary: which vendor (or, for a publisher the vendor list
/// does not know, which certificate holder) made it, on which tier of evidence, how sure we are,
/// and every piece of evidence — including evidence for other vendors, kept as claims and
/// contradictions. The model is described in docs/attribution.md.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/heap_optional.hpp"
#include "core/types.hpp"
#include "verify/cert_info.hpp"

namespace trustscan::attribute {

/// Where a piece of evidence came from.
enum class EvidenceKind {
  Signer,          ///< an Authenticode signer (primary or nested) named in the vendor list
  CatalogSigner,   ///< the signer of a Windows catalog that lists the file's hash
  SigningService,  ///< a signer that signs other vendors' code (Microsoft WHCP/UEFI): never the vendor
  ProgramName,     ///< SpcSpOpusInfo program name (attestation-signed drivers carry the vendor here)
  Thumbprint,      ///< a signer certificate's thumbprint listed for the vendor
  ModuleSigner,    ///< the key that signed a Linux kernel module
  InTreeModule,    ///< a Linux module built in the kernel tree (modinfo intree=Y)
  TeamId,          ///< Apple Team ID in a Mach-O code signature
  AppleSigner,     ///< the holder named in an Apple signing certificate
  CompanyName,     ///< PE version-info CompanyName
  Copyright,       ///< PE version-info LegalCopyright holder
  Rule,            ///< a YARA rule whose meta names the vendor
  FileName,        ///< a file name the vendor list knows for the vendor
};

[[nodiscard]] constexpr std::string_view to_string(EvidenceKind k) noexcept {
  switch (k) {
    case EvidenceKind::Signer: return "signer";
    case EvidenceKind::CatalogSigner: return "catalog_signer";
    case EvidenceKind::SigningService: return "signing_service";
    case EvidenceKind::ProgramName: return "program_name";
    case EvidenceKind::Thumbprint: return "thumbprint";
    case EvidenceKind::ModuleSigner: return "module_signer";
    case EvidenceKind::InTreeModule: return "intree_module";
    case EvidenceKind::TeamId: return "team_id";
    case EvidenceKind::AppleSigner: return "apple_signer";
    case EvidenceKind::CompanyName: return "company_name";
    case EvidenceKind::Copyright: return "copyright";
    case EvidenceKind::Rule: return "rule";
    case EvidenceKind::FileName: return "file_name";
  }
  return "unknown";
}

/// How far a piece of evidence can be trusted, strongest first. A vendor is decided on the
/// strongest tier that names anyone; evidence of a weaker tier never outweighs or cancels it.
enum class Tier : std::uint8_t {
  /// A signature whose digest holds and whose chain ends at a trust anchor (a module: a keyring
  /// key), or what such a signature vouches for (its program name; intree=Y under the kernel's
  /// own build key).
  Verified,
  /// An intact signature nobody trusted vouches for (untrusted chain, self-signed, expired,
  /// revoked, unknown module key, a catalog nobody trusts), or a name that only looks like the
  /// vendor's (MatchKind::LookAlike): a claim.
  Claim,
  /// What the file says about itself: version resource, modinfo, file name, the program name of
  /// an unverified signature, the names in a broken signature.
  Metadata,
  /// A content rule (YARA) whose meta names the vendor: code or data of the vendor inside.
  Content,
};

[[nodiscard]] constexpr std::string_view to_string(Tier t) noexcept {
  switch (t) {
    case Tier::Verified: return "verified";
    case Tier::Claim: return "claim";
    case Tier::Metadata: return "metadata";
    case Tier::Content: return "content";
  }
  return "content";
}

/// The highest confidence evidence of a tier can give: verified high, a claim or a content rule
/// medium, self-written metadata low.
[[nodiscard]] constexpr Confidence tier_cap(Tier t) noexcept {
  switch (t) {
    case Tier::Verified: return Confidence::High;
    case Tier::Claim:
    case Tier::Content: return Confidence::Medium;
    case Tier::Metadata: break;
  }
  return Confidence::Low;
}

struct Evidence {
  EvidenceKind kind = EvidenceKind::FileName;
  std::string vendor;       ///< vendor id this evidence points to; "" = the unlisted publisher
  std::string value;        ///< what the file said (subject, company name, rule name, ...)
  std::string matched;      ///< the vendor list's spelling that matched ("" for rules)
  Confidence confidence = Confidence::Low;  ///< its own strength, at most tier_cap(tier)
  std::string note;         ///< why ("signature valid, chained to a trust anchor", "self-signed")
  Tier tier = Tier::Content;
};

/// A signing service seen on the file: a signer that signs other vendors' code (Microsoft's
/// hardware-compatibility, attestation, ELAM and UEFI publishers, Apple's Developer ID
/// programme, a kernel build's module-signing key). Recorded, never the vendor.
struct SigningService {
  std::string vendor;  ///< vendor id of the service's operator ("microsoft", "apple", "linux-kernel")
  std::string name;    ///< the vendor list's spelling of the service
  std::string signer;  ///< the signer's subject (or a module key's issuer) as seen
  std::string where;   ///< "signature", "nested signature", "catalog", "module signature", "code signature"
  Tier tier = Tier::Claim;  ///< Verified when that signature is valid; Claim/Metadata otherwise
};

/// Where a publisher's country comes from.
enum class CountrySource : std::uint8_t {
  None,           ///< the certificate names no country
  Jurisdiction,   ///< jurisdictionCountryName (EV): the country of incorporation or registration
  SubjectCountry, ///< the subject's countryName (C=): the organisation's address
};

[[nodiscard]] constexpr std::string_view to_string(CountrySource s) noexcept {
  switch (s) {
    case CountrySource::Jurisdiction: return "jurisdiction_of_incorporation";
    case CountrySource::SubjectCountry: return "subject_country";
    case CountrySource::None: break;
  }
  return "none";
}

/// The holder of a verified signer certificate — the vendor's own signature, never a signing
/// service's — with the jurisdiction the certificate states. For a vendor of the list it is
/// reported beside the curated data (which decides); for a publisher the list does not know it is
/// the attributed subject.
struct Publisher {
  std::string name;                    ///< O= (CN= when the certificate has no O=)
  std::optional<std::string> country;  ///< ISO 3166-1 alpha-2, upper case
  CountrySource country_source = CountrySource::None;
  /// How sure the country is: high from an EV certificate's jurisdiction, medium from C=.
  Confidence country_confidence = Confidence::Low;
  bool ev = false;           ///< the certificate asserts an EV policy (verify::CertInfo::ev)
  Tier tier = Tier::Verified;  ///< always Verified: unverified certificates make no publisher
  std::string vendor;        ///< the listed vendor the certificate names; "" = not in the list
  std::string where;         ///< which signature: "signature", "nested signature", "catalog", ...
  verify::CertInfo certificate;  ///< the signer certificate
};

/// A vendor other than the attributed one that the evidence names. Policy evaluates each: a claim
/// to be a flagged vendor stays visible (docs/policy.md).
struct Claim {
  std::string vendor;       ///< vendor id
  Tier tier = Tier::Content;  ///< the tier of its strongest evidence
  Confidence confidence = Confidence::Low;  ///< its strongest evidence's confidence
  /// Verified evidence names another vendor (the attributed one): the claim is contradicted.
  bool contradicted = false;
  std::string evidence;     ///< its strongest evidence, readable: "signer 'CN=…' (nested signature, untrusted)"
};

struct Attribution {
  /// Vendor id of the conclusion; "" when the conclusion is an unlisted publisher (publisher
  /// set, publisher->vendor empty) or when only signing services were found.
  std::string vendor;
  std::string name;                        ///< display name (the publisher's for an unlisted one)
  std::optional<std::string> country;      ///< ISO 3166-1 alpha-2 of jurisdiction; none = no single one
  std::vector<std::string> jurisdictions;  ///< every country up the ownership chain
  std::string category;                    ///< antivirus, edr, os, hardware, ... ("" for a publisher)
  Confidence confidence = Confidence::Low;
  Tier tier = Tier::Content;               ///< the tier that decided
  /// From the vendor's own verified signer certificate. On the heap: absent for most records, and
  /// as a std::optional it was three quarters of every attributed record's size.
  HeapOptional<Publisher> publisher;
  std::vector<SigningService> signing_services;  ///< services seen, in the order found
  std::vector<Evidence> evidence;          ///< all evidence, for every vendor, strongest first
  std::vector<std::string> candidates;     ///< other vendor ids with evidence, strongest first
  /// Readable, each naming the evidence that decided: "signer 'CN=…' (nested signature, claim)
  /// points to Microsoft; decided by signer 'AO Kaspersky Lab' (verified) for Kaspersky".
  std::vector<std::string> contradictions;
  std::vector<Claim> claims;               ///< the candidates as claims, in the same order

  /// The conclusion is an unlisted publisher (from a verified certificate).
  [[nodiscard]] bool publisher_subject() const noexcept {
    return vendor.empty() && publisher && publisher->vendor.empty();
  }
  /// Someone was attributed: a listed vendor or an unlisted publisher.
  [[nodiscard]] bool attributed() const noexcept { return !vendor.empty() || publisher_subject(); }
};

}  // namespace trustscan::attribute
