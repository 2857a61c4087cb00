#include "pipeline/rules_on_demand.hpp"

#include <utility>

namespace trustscan::pipeline {

RulesOnDemand::RulesOnDemand(std::string fingerprint, Compile compile)
    : fingerprint_(std::move(fingerprint)), compile_(std::move(compile)) {}

RulesOnDemand::RulesOnDemand(match::RuleSet compiled)
    : fingerprint_(compiled.fingerprint()), compiled_(std::move(compiled)) {}

bool RulesOnDemand::compiled() const {
  std::lock_guard lock(m_);
  return compiled_.has_value();
}

const Result<match::RuleSet>& RulesOnDemand::get() const {
  std::lock_guard lock(m_);
  if (!compiled_) {
    // (An exception leaves nothing set: the next caller tries again.)
    if (compile_)
      compiled_ = compile_();
    else
      compiled_ = fail(Errc::Internal, "no rules are configured");
  }
  return *compiled_;
}

match::Matcher* MatcherOnDemand::get() {
  if (matcher_ || failed_) return matcher_ ? &*matcher_ : nullptr;
  const Result<match::RuleSet>& rules = rules_.get();
  auto created = rules ? match::Matcher::create(*rules) : Result<match::Matcher>(std::unexpected(rules.error()));
  if (!created) {
    failed_ = true;
    if (on_error_) on_error_(created.error());
    return nullptr;
  }
  matcher_.emplace(std::move(*created));
  return &*matcher_;
}

}  // namespace trustscan::pipeline
