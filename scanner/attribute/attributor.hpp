#pragma once
/// \file
/// Decides who made a binary from every piece of evidence about it (evidence.hpp collects them):
/// signers (primary, nested, catalogs), program name, module signer, intree, Apple Team ID,
/// version info, YARA rules, file name. The model, in short (docs/attribution.md):
///  - every piece has a tier: verified > claim (intact, unverified) > metadata (self-written) >
///    content (rules); the conclusion is the vendor with the strongest tier, then the strongest
///    kind of evidence in it, then the earliest (primary signature first). Nothing adds up:
///    weaker evidence never outweighs or cancels stronger, however much of it there is;
///  - the confidence is that vendor's strongest piece, capped by its tier (a claim is at most
///    medium, metadata low);
///  - signing services (WHCP, attestation, ELAM, UEFI CA, Apple Developer ID, a kernel build's
///    module key) are recorded as services, never as the vendor;
///  - a verified signer certificate that names no listed vendor makes its holder the publisher,
///    with the country the certificate states;
///  - every other vendor named is a candidate and, unless related to the conclusion or named only
///    by a file name, a claim and a contradiction (contradicted when verified evidence decided).

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
