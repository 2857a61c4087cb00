#pragma once
/// \file
/// The scan's YARA rules, compiled while the engine loads or, with ContextOptions::rules_on_demand
/// (the CLI's re-scans: a --cache that holds results of this program), when they are first needed
/// (issue 21). What the cache keys on, their fingerprint, is known without compiling them
/// (match::RuleSet::fingerprint_of), so a re-scan whose files all come from the cache never
/// compiles them: the shipped rules' compilation was a sixth of such a re-scan's CPU time and
/// 19 MB of fresh memory.
///
/// Their errors still come before any file is analysed: a scan compiles them before its first
/// file unless its cache remembers that these rules compiled, and named only known vendors, under
/// this program (pipeline.cpp, prepare_rules).

#include <functional>
#include <mutex>
#include <optional>
#include <string>

#include "core/error.hpp"
#include "match/matcher.hpp"
#include "match/rule_set.hpp"

namespace trustscan::pipeline {

class RulesOnDemand {
 public:
  using Compile = std::function<Result<match::RuleSet>()>;

  /// No rule file is configured.
  RulesOnDemand() = default;
  /// Rules compiled by `compile` when first asked for; `fingerprint` is theirs
  /// (match::RuleSet::fingerprint_of).
  RulesOnDemand(std::string fingerprint, Compile compile);
  /// Rules compiled already.
  explicit RulesOnDemand(match::RuleSet compiled);
  RulesOnDemand(const RulesOnDemand&) = delete;
  RulesOnDemand& operator=(const RulesOnDemand&) = delete;
  ~RulesOnDemand() = default;

  /// Whether any rule file is configured.
  [[nodiscard]] bool configured() const noexcept { return !fingerprint_.empty(); }
  /// The rules' fingerprint ("" when none is configured).
  [[nodiscard]] const std::string& fingerprint() const noexcept { return fingerprint_; }
  /// Whether they were compiled (or failed to be) already.
  [[nodiscard]] bool compiled() const;
  /// The compiled rules: compiled by the first caller (the others wait for it); configured() only.
  [[nodiscard]] const Result<match::RuleSet>& get() const;

 private:
  std::string fingerprint_;  ///< a SHA-256, so never empty when rules are configured
  Compile compile_;
  mutable std::mutex m_;
  mutable std::optional<Result<match::RuleSet>> compiled_;  ///< guarded by m_; never reset once set
};

/// A worker thread's own YARA scanner (match::Matcher) over the scan's rules, made when the first
/// of its files needs the rules (which compiles them if nobody did yet).
class MatcherOnDemand {
 public:
  /// `on_error` receives, once, why there is no scanner (the rules did not compile, or libyara
  /// could not make one).
  MatcherOnDemand(const RulesOnDemand& rules, std::function<void(const Error&)> on_error)
      : rules_(rules), on_error_(std::move(on_error)) {}
  /// The scanner; nullptr when there is none (failed()).
  [[nodiscard]] match::Matcher* get();
  /// Whether get() found no scanner: the files that needed the rules were not matched.
  [[nodiscard]] bool failed() const noexcept { return failed_; }

 private:
  const RulesOnDemand& rules_;
  std::function<void(const Error&)> on_error_;
  std::optional<match::Matcher> matcher_;
  bool failed_ = false;
};

}  // namespace trustscan::pipeline
