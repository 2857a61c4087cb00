#pragma once
/// \file
/// Combines every piece of evidence about a binary — signers (primary and nested), program name,
/// module signer, Apple Team ID, version info, YARA rules, file name — into one vendor with a
/// confidence, keeping the evidence for other vendors as candidates and contradictions.
///
/// Rules (docs/attribution.md):
///  - A signer's evidence is as strong as its verification: valid (chained to an anchor) = high,
///    integrity verified but untrusted or expired = medium, integrity failed = low.
///  - Signing services (Microsoft WHCP/UEFI publishers) are weak: the vendor is in the nested
///    signature, the program name or the version info.
///  - When CompanyName and LegalCopyright name different vendors, CompanyName is demoted (wine
///    writes "Microsoft Corporation" for compatibility) and the disagreement is reported.
///  - Scores add up per vendor; the winner's confidence is its best evidence, raised one level
///    when two different kinds of evidence agree.

#include <optional>

#include "attribute/attribution.hpp"
#include "attribute/vendor_db.hpp"
#include "record/file_record.hpp"

namespace trustscan::attribute {

/// Attributes `record` (after verify and match); nullopt when no evidence names any vendor.
[[nodiscard]] std::optional<Attribution> attribute(const record::FileRecord& record, const VendorDb& vendors);

/// The value of attribute `key` ("CN", "O") in a distinguished name written "CN=a, O=b" or
/// "CN=a,O=b" (RFC 2253 escapes honoured); empty when absent.
[[nodiscard]] std::string dn_attribute(std::string_view dn, std::string_view key);

}  // namespace trustscan::attribute
