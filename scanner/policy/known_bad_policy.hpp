#pragma once
/// \file
/// The known-bad category of a policy (issue 17; docs/policy.md, "Known-bad drivers"): whether a
/// file that a known-bad driver feed lists (LOLDrivers, Microsoft's driver block rules) is a
/// finding, how severe, and which of its matches the policy's suppressions set aside.
///
/// A policy file's `known_bad:` mapping sets it (read_known_bad); without one the defaults
/// below apply: on; malicious → critical, vulnerable and the block rules' vulnerable-or-malicious
/// → high; a driver that a Windows image starts on its own (boot-start) one step higher. A
/// suppression whose `match` has `known_bad: DATASET:ID` (or `any`) applies to known-bad matches
/// only — never to vendor verdicts — and a suppression without it never to known-bad matches.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/types.hpp"
#include "datasets/known_bad_kinds.hpp"
#include "match/known_bad_match.hpp"
#include "policy/severity.hpp"

namespace trustscan::config {
class Value;
class Diagnostics;
}  // namespace trustscan::config

namespace trustscan::policy {

class Policy;

/// The known-bad settings of a policy.
struct KnownBadSettings {
  /// Off: matches are still reported on the record, none is a finding.
  bool enabled = true;
  Severity malicious = Severity::Critical;            ///< LOLDrivers "malicious"
  Severity vulnerable = Severity::High;               ///< LOLDrivers "vulnerable driver"
  Severity vulnerable_or_malicious = Severity::High;  ///< the driver block rules
  /// A boot-start driver (a Windows image's registry starts it: boot, system or auto) is raised
  /// one step (high → critical), like the vendor severity table raises it.
  bool raise_boot_start = true;
  /// "file:line" of the policy's `known_bad:` mapping; "" = the defaults.
  std::string origin;

  /// The severity for one category before the boot-start raise.
  [[nodiscard]] Severity severity(datasets::KnownBadCategory c) const noexcept;

  friend bool operator==(const KnownBadSettings&, const KnownBadSettings&) = default;
};

/// Reads a policy file's `known_bad:` mapping (keys `enabled`, `severities` — a mapping of
/// `malicious`, `vulnerable`, `vulnerable_or_malicious` to low/medium/high/critical — and
/// `raise_boot_start`). Problems go to `diag` as "file:line: what"; the defaults stand for what
/// is missing or wrong.
[[nodiscard]] KnownBadSettings read_known_bad(const config::Value& value, const std::string& what,
                                              config::Diagnostics& diag);

/// Checks the value of a suppression's `match.known_bad`: `any`, or `DATASET:ID` with DATASET
/// one of the known-bad data sets and a non-empty ID. Returns the problem, "" when it is valid.
[[nodiscard]] std::string known_bad_key_problem(std::string_view key);

/// What the policy makes of one file's known-bad matches. Facts of the file, like Subject.
struct KnownBadFile {
  std::optional<Privilege> privilege;  ///< nullopt = unknown
  bool boot_start = false;             ///< a Windows image's registry starts it on its own
  std::string_view sha256;             ///< hex, any case; "" when not computed
  std::string_view path;               ///< the path as reported (suppression `path` globs)
};

/// Decides the known-bad matches of one file under `policy`: marks every match that a valid
/// suppression (with `known_bad`) covers — the first in policy order, its use counted; expired
/// ones are counted as matches after expiry and suppress nothing — and returns the severity of
/// the finding the other matches make: nullopt when nothing is left, the category is off, or
/// the file runs neither in the kernel nor at boot (a user-mode copy, an unknown privilege; a
/// boot-start driver counts as kernel code). Thread-safe, like evaluate().
[[nodiscard]] std::optional<Severity> evaluate_known_bad(const Policy& policy,
                                                         std::vector<match::KnownBadMatch>& matches,
                                                         const KnownBadFile& file);

/// One line for report heads: "on: malicious critical, vulnerable high, vulnerable_or_malicious
/// high, boot-start +1" (+0 without the raise) / "off"; at most 86 characters.
[[nodiscard]] std::string describe(const KnownBadSettings& s);

}  // namespace trustscan::policy
