#pragma once
/// \file
/// One known-bad match (issue 17): a listed entry of the LOLDrivers or driver-block-rules feed
/// that a file matches. A plain result header, held by the per-file record; the matcher
/// (match/known_bad.hpp) makes them.

#include <optional>
#include <string>
#include <vector>

#include "datasets/known_bad_kinds.hpp"

namespace trustscan::match {

/// One listed entry that the file matches.
struct KnownBadMatch {
  std::string source;  ///< "loldrivers" or "driver-block-rules"
  std::string id;      ///< the LOLDrivers Id / the SiPolicy rule or signer ID
  datasets::KnownBadCategory category = datasets::KnownBadCategory::VulnerableOrMalicious;
  std::string name;  ///< the driver's name (LOLDrivers) / the rule's FriendlyName or signer Name
  datasets::KeyKind kind = datasets::KeyKind::FileSha256;  ///< what matched
  /// The matching value: the hash; for file attributes "OriginalFilename=x.sys" (each name,
  /// joined by ", ") and "version 1.2.3.4 in [0.0.0.0, 1.2.4.65535]"; for a signer
  /// "TBS <hex>" and the CertPublisher / CertOemID it required.
  std::string value;
  std::string via;  ///< a signer match: the ID of the FileAttrib rule that held; else ""
  std::vector<std::string> cves;
  std::optional<bool> loads_despite_hvci;  ///< LOLDrivers, of the matching sample
  std::vector<std::string> references;
  /// Set by the policy (policy/known_bad_policy.hpp): the id of the suppression that sets this
  /// match aside and its reason; "" = not suppressed (the match counts towards the finding).
  std::string suppressed_by;
  std::string suppression_reason;
  friend bool operator==(const KnownBadMatch&, const KnownBadMatch&) = default;
};

}  // namespace trustscan::match
