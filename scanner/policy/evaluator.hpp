#pragma once
/// \file
/// The policy evaluator: one file's Subject (who made it, how sure we are, where it runs) plus a
/// Policy gives a Verdict (flagged or not, by which rules, how severe, suppressed or not).
///
/// evaluate() depends only on its arguments (and Policy::today() for suppression expiry): no I/O,
/// no globals, no clock. Its only side effect is counting suppression uses in the Policy's
/// atomic counters, so it may run on any number of threads at once. decide() is the same without
/// the counting. Semantics and the severity table: docs/policy.md.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "attribute/vendor_db.hpp"
#include "core/types.hpp"
#include "policy/policy.hpp"
#include "policy/severity.hpp"
#include "policy/verdict.hpp"
#include "record/file_record.hpp"

namespace trustscan::policy {

/// What the evaluator needs to know about one file. Plain data; the pipeline fills it from the
/// file record (vendor fields: vendor_subject() below).
struct Subject {
  /// Attributed vendor id; empty = unattributed (never flagged).
  std::string vendor_id;
  /// VendorDb::country_of: the vendor's own jurisdiction (nullopt: none / not known).
  std::optional<std::string> vendor_country;
  /// VendorDb::jurisdictions: every country up the ownership chain, the vendor's own first.
  std::vector<std::string> jurisdictions;
  /// Ids of the vendor's owners, nearest first (VendorDb::parent_of, repeatedly).
  std::vector<std::string> vendor_parents;
  /// The vendor's main category (nullopt when unattributed).
  std::optional<attribute::Category> category;
  /// Where the code runs; nullopt = could not be determined ("unknown").
  std::optional<Privilege> privilege;
  /// How sure the attribution is.
  Confidence confidence = Confidence::Low;
  /// The path as reported (what suppression `path` globs match).
  std::string path;
  /// SHA-256 of the file, hex (any case); empty when not computed.
  std::string sha256;
  /// A driver that a Windows image's registry starts on its own (Start boot, system or auto:
  /// pipeline::RegisteredService::loads_at_boot). Treated as kernel code and raises severity
  /// (docs/policy.md).
  bool boot_start = false;
  /// Display name (the vendor's, or the publisher's).
  std::string name;
  /// A publisher from a verified certificate that the vendor list does not know (vendor_id
  /// empty): only country rules can match it, by vendor_country.
  bool publisher = false;
  /// On what the subject stands; a Contradicted subject's severity is always low.
  Basis basis = Basis::Verified;
  /// Why a claim is one ("claims to be Kaspersky; not verified"); copied into the verdict.
  std::string note;

  /// A vendor or a publisher: anything else is never flagged.
  [[nodiscard]] bool attributed() const noexcept { return !vendor_id.empty() || publisher; }
};

/// Fills the vendor fields of a Subject (vendor_id, vendor_country, jurisdictions,
/// vendor_parents, category) from the vendor list; the caller adds privilege, confidence, path,
/// sha256 and boot_start.
[[nodiscard]] Subject vendor_subject(const attribute::VendorDb& vendors,
                                     const attribute::Vendor& vendor);


/// The severity table (docs/policy.md):
///
/// | privilege                     | high     | medium   | low    |
/// |-------------------------------|----------|----------|--------|
/// | boot_start (any privilege)    | critical | critical | high   |
/// | kernel                        | critical | high     | medium |
/// | boot                          | high     | medium   | low    |
/// | user                          | medium   | low      | low    |
/// | unknown                       | low      | low      | low    |
///
/// A claim is never above medium confidence (attribute::tier_cap), so a claim-only verdict on
/// kernel code is at most high; a contradicted claim is always low (evaluate() applies it).
[[nodiscard]] Severity severity_for(std::optional<Privilege> privilege, Confidence confidence,
                                    bool boot_start) noexcept;

/// The Subjects of an attributed record (record.attribution->attributed()): first the attributed
/// vendor or publisher (basis Verified when verified evidence decided, else Claim), then every
/// claim of the attribution (Verified for a verified co-signer, Contradicted when verified
/// evidence decided for another, else Claim) — each with the record's privilege (unknown when
/// unparsed), path, SHA-256 and whether a Windows image starts it at boot.
[[nodiscard]] std::vector<Subject> subjects_of(const record::FileRecord& record, const attribute::VendorDb& vendors);

/// The verdict on a record: every subject of subjects_of() is decided; the most severe flagged
/// one is the verdict (the attributed subject first among equals), else the attributed subject's.
/// Counts the suppression use of the verdict only (like evaluate()). Thread-safe.
[[nodiscard]] Verdict evaluate_record(const Policy& policy, const record::FileRecord& record,
                                      const attribute::VendorDb& vendors);

/// Decides and counts: like decide(), then records the use of the suppression that applied (and
/// the matches of expired ones) in the policy's counters. Thread-safe.
[[nodiscard]] Verdict evaluate(const Policy& policy, const Subject& subject);

/// Decides without touching any counter (dry runs, tests).
[[nodiscard]] Verdict decide(const Policy& policy, const Subject& subject);

/// True when this verdict makes the run fail under `--fail-on`: a finding (not suppressed) whose
/// severity is at or above the threshold.
[[nodiscard]] inline bool fails(const FailOn& fail_on, const Verdict& v) noexcept {
  return v.finding() && fail_on.fails(v.severity);
}

}  // namespace trustscan::policy
