#pragma once
/// \file
/// The attribute stage's result for one binary: which vendor made it, how sure we are, and every
/// piece of evidence — including evidence for other vendors, so contradictions are visible.

#include <optional>
#include <string>
#include <vector>

#include "core/types.hpp"

namespace trustscan::attribute {

/// Where a piece of evidence came from.
enum class EvidenceKind {
  Signer,          ///< an Authenticode signer (primary or nested) named in the vendor list
  CatalogSigner,   ///< the signer of a Windows catalog that lists the file's hash
  SigningService,  ///< a signer that signs other vendors' code (Microsoft WHCP/UEFI): weak
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

struct Evidence {
  EvidenceKind kind = EvidenceKind::FileName;
  std::string vendor;       ///< vendor id this evidence points to
  std::string value;        ///< what the file said (subject, company name, rule name, ...)
  std::string matched;      ///< the vendor list's spelling that matched ("" for rules)
  Confidence confidence = Confidence::Low;
  std::string note;         ///< why the confidence is what it is ("signature valid", "untrusted chain")
};

struct Attribution {
  std::string vendor;                      ///< vendor id of the conclusion
  std::string name;                        ///< display name
  std::optional<std::string> country;      ///< ISO 3166-1 alpha-2 of jurisdiction; none = no single one
  std::vector<std::string> jurisdictions;  ///< every country up the ownership chain
  std::string category;                    ///< antivirus, edr, os, hardware, ...
  Confidence confidence = Confidence::Low;
  std::vector<Evidence> evidence;          ///< all evidence, for every vendor, strongest first
  std::vector<std::string> candidates;     ///< other vendor ids with evidence, strongest first
  std::vector<std::string> contradictions; ///< readable: "signer says X, CompanyName says Y"
};

}  // namespace trustscan::attribute
