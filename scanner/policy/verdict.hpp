#pragma once
/// \file
/// The policy stage's result for one file (evaluator.hpp decides it): whether its vendor is
/// flagged, by which rules, how severe, suppressed or not. Plain data, read by the per-file
/// record and the reports.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "policy/severity.hpp"

namespace trustscan::policy {

/// On what the subject of a verdict stands (docs/policy.md, "Claims").
enum class Basis {
  Verified,      ///< verified evidence: the attributed vendor or publisher, or a verified co-signer
  Claim,         ///< unverified evidence only (a claim, self-written metadata, a content rule)
  Contradicted,  ///< a claim that verified evidence for another vendor contradicts
};
[[nodiscard]] std::string_view to_string(Basis b) noexcept;

/// Whom a verdict is about: the attributed vendor or publisher, or a vendor the file only claims.
struct VerdictSubject {
  std::string vendor_id;               ///< vendor id; "" for an unlisted publisher
  std::string name;                    ///< display name (the publisher's for an unlisted one)
  std::optional<std::string> country;  ///< the country the rules were matched against
  std::string category;                ///< vendor category; "" for a publisher
  Confidence confidence = Confidence::Low;
  Basis basis = Basis::Verified;
  /// Why it is a claim: "claims to be Kaspersky; not verified", "claims to be Kaspersky;
  /// contradicted by verified evidence for Contoso Security Inc."; "" for a verified subject.
  std::string note;
  /// The subject is a publisher from a verified certificate that the vendor list does not know.
  [[nodiscard]] bool publisher() const noexcept { return vendor_id.empty(); }
};

/// How a rule reached the subject.
enum class MatchVia {
  Country,       ///< the vendor's own country is the flagged country
  OwnerCountry,  ///< a country further up the ownership chain is flagged (match_parents)
  Vendor,        ///< the vendor itself is flagged
  OwnerVendor,   ///< an owner of the vendor is flagged (match_parents)
  Trust,         ///< a built-in trust rule, whatever the vendor (policy/trust_finding.hpp)
};
[[nodiscard]] std::string_view to_string(MatchVia v) noexcept;

/// A rule that matched, copied from the policy (so a Verdict outlives nothing).
struct MatchedRule {
  std::string rule_id;  ///< "country:RU", "vendor:kaspersky"
  std::string reason;
  std::string source;
  MatchVia via = MatchVia::Country;
};

/// The outcome for one file.
struct Verdict {
  enum class Status {
    Unattributed,     ///< no vendor: never flagged
    NoMatch,          ///< attributed, no rule matches the vendor
    OutOfScope,       ///< rules match, but the privilege is not in the policy's scope
    BelowConfidence,  ///< rules match, but the attribution is below min_confidence
    Suppressed,       ///< would be a finding; a valid suppression matches
    Finding,          ///< flagged
  };

  Status status = Status::Unattributed;
  /// The matching rules in policy order (also for OutOfScope / BelowConfidence, for context).
  std::vector<MatchedRule> rules;
  /// By privilege, confidence and boot_start (severity_for); meaningful when rules matched.
  Severity severity = Severity::Low;
  /// The suppression that applied (Status::Suppressed), else empty.
  std::string suppression_id;
  /// Ids of expired suppressions that matched (they did not suppress), for the report.
  std::vector<std::string> expired_suppressions;
  /// Whom the verdict is about (the attributed subject, or the claim that gave the finding).
  VerdictSubject subject;

  /// A flagged vendor in scope: Finding or Suppressed.
  [[nodiscard]] bool flagged() const noexcept {
    return status == Status::Finding || status == Status::Suppressed;
  }
  [[nodiscard]] bool suppressed() const noexcept { return status == Status::Suppressed; }
  /// Flagged and not suppressed: what the report lists first and the exit code counts.
  [[nodiscard]] bool finding() const noexcept { return status == Status::Finding; }
};

[[nodiscard]] std::string_view to_string(Verdict::Status s) noexcept;

}  // namespace trustscan::policy
