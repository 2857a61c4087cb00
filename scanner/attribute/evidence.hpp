#pragma once
/// \file
/// Internal to attribute/: reads every piece of evidence about a binary out of its record —
/// signatures (embedded, nested, catalogs, module, Mach-O), module info, version resource, YARA
/// rules, file name — each with its tier (attribution.hpp, Tier), and sets signing services and
/// verified signer certificates apart. attributor.cpp decides on what this collects.

#include <optional>
#include <string>
#include <vector>

#include "attribute/attribution.hpp"
#include "attribute/vendor_db.hpp"
#include "record/file_record.hpp"

namespace trustscan::attribute::detail {

/// One piece of evidence, with its strength before the tier's cap: within one tier the stronger
/// kind of evidence decides (a signer is high, a program name medium, a demoted CompanyName low).
struct Found {
  Evidence evidence;
  Confidence raw = Confidence::Low;
};

/// A verified signer certificate of the file that is no signing service's: the vendor's own.
struct OwnCertificate {
  Publisher publisher;       ///< publisher.vendor set when the certificate names a listed vendor
  std::size_t position = 0;  ///< position among the collected evidence (order found)
};

/// Everything collect() finds, in the order found (primary signature first).
struct Collected {
  std::vector<Found> found;
  std::vector<SigningService> services;
  std::vector<OwnCertificate> certificates;
};

/// Reads the record's evidence against the vendor list.
[[nodiscard]] Collected collect(const record::FileRecord& record, const VendorDb& vendors);

/// The jurisdiction a verified certificate states: jurisdictionC (EV: high; without an EV policy:
/// medium), else C= (medium), upper-cased; `name` from O= (else CN=; the CN when it extends the O).
[[nodiscard]] Publisher publisher_of(const verify::CertInfo& certificate);

}  // namespace trustscan::attribute::detail
