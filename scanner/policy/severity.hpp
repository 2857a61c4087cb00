#pragma once
/// \file
/// Vocabulary of the policy stage: how sure the attribution is (Confidence), how bad a finding is
/// (Severity), and which severities make the run fail (FailOn, `--fail-on`). Header-only; the
/// names returned by to_string are the ones used in policy files, reports and on the command line.
/// The severity table itself lives in evaluator.hpp (severity_for) and docs/policy.md.

#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "core/types.hpp"

namespace trustscan::policy {

/// How sure the attribution is: trustscan::Confidence (core/types.hpp, with to_string), the
/// attributor's own type. Ordered: Low < Medium < High.
using trustscan::Confidence;

/// How severe a finding is. Ordered: Low < Medium < High < Critical.
enum class Severity { Low, Medium, High, Critical };

/// "low" / "medium" / "high" (exact, lower case); nullopt otherwise.
using trustscan::confidence_from_string;

[[nodiscard]] constexpr std::string_view to_string(Severity s) noexcept {
  switch (s) {
    case Severity::Critical: return "critical";
    case Severity::High: return "high";
    case Severity::Medium: return "medium";
    case Severity::Low: break;
  }
  return "low";
}

/// "low" / "medium" / "high" / "critical" (exact, lower case); nullopt otherwise.
[[nodiscard]] constexpr std::optional<Severity> severity_from_string(std::string_view s) noexcept {
  if (s == "low") return Severity::Low;
  if (s == "medium") return Severity::Medium;
  if (s == "high") return Severity::High;
  if (s == "critical") return Severity::Critical;
  return std::nullopt;
}

/// The `--fail-on` threshold: which findings make the scan exit with 1 (app/exit_codes.hpp).
/// `none` never fails; `low` (the default) fails on any finding; `critical` only on critical ones.
/// Suppressed verdicts never fail (see policy::fails(FailOn, const Verdict&) in evaluator.hpp).
class FailOn {
 public:
  /// The default: `low`, i.e. any finding fails.
  constexpr FailOn() noexcept = default;
  /// Fails on findings of `threshold` or worse; nullopt = `none`.
  constexpr explicit FailOn(std::optional<Severity> threshold) noexcept : threshold_(threshold) {}

  [[nodiscard]] static constexpr FailOn none() noexcept { return FailOn{std::nullopt}; }

  /// Parses `none|low|medium|high|critical` (exact, lower case). Anything else is Errc::Config
  /// with a message naming the option and the allowed values.
  [[nodiscard]] static Result<FailOn> parse(std::string_view text) {
    if (text == "none") return none();
    if (auto s = severity_from_string(text)) return FailOn{*s};
    return fail(Errc::Config, "--fail-on: expected none, low, medium, high or critical, found '" +
                                  std::string{text} + "'");
  }

  /// True when a finding of severity `s` makes the run fail.
  [[nodiscard]] constexpr bool fails(Severity s) const noexcept {
    return threshold_.has_value() && s >= *threshold_;
  }
  /// nullopt for `none`.
  [[nodiscard]] constexpr std::optional<Severity> threshold() const noexcept { return threshold_; }
  /// "none" or the severity name, as accepted by parse().
  [[nodiscard]] constexpr std::string_view to_string() const noexcept {
    return threshold_ ? policy::to_string(*threshold_) : std::string_view{"none"};
  }

  friend constexpr bool operator==(const FailOn&, const FailOn&) noexcept = default;

 private:
  std::optional<Severity> threshold_ = Severity::Low;
};

}  // namespace trustscan::policy
