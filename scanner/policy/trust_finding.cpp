#include "policy/trust_finding.hpp"

#include <algorithm>

#include "policy/evaluator.hpp"

namespace trustscan::policy {
namespace {

/// Whom a trust finding without a vendor verdict is about: the signer, a claim (only the image's
/// own root vouches for its name).
VerdictSubject signer_subject(const verify::Signature& s) {
  VerdictSubject subject;
  subject.name = !s.signer.subject_o.empty() ? s.signer.subject_o : s.signer.subject_cn;
  if (!s.signer.subject_c.empty()) subject.country = s.signer.subject_c;
  subject.confidence = Confidence::Medium;
  subject.basis = Basis::Claim;
  subject.note = "signer vouched for only by a root of the Windows image's own certificate store (" + s.anchor_set +
                 ")";
  return subject;
}

}  // namespace

void apply_trust_findings(const Policy& policy, record::FileRecord& record) {
  const verify::Signature* s = record.primary_signature();
  if (s == nullptr || s->status != verify::SignatureStatus::Valid ||
      !has_flag(s->flags, verify::VerifyFlag::ImageOnlyRoot))
    return;
  const bool boot_start = record.windows && record.windows->loads_at_boot;
  const std::optional<Privilege> privilege = boot_start ? std::optional{Privilege::Kernel} : record.privilege();
  if (!policy.scope().includes(privilege)) return;
  const Severity severity = severity_for(privilege, Confidence::Medium, boot_start);
  const MatchedRule rule{std::string(kImageOnlyRootRule),
                         "signature trusted only through a root that the Windows image's own certificate store added "
                         "and the anchor set in use does not know",
                         "builtin (issue 16)", MatchVia::Trust};
  Verdict& v = record.verdict ? *record.verdict : record.verdict.emplace();
  if (v.flagged()) {  // a vendor finding (or a suppressed one) stands; the fact is added to it
    v.rules.push_back(rule);
    if (v.finding()) v.severity = std::max(v.severity, severity);
    return;
  }
  if (v.status == Verdict::Status::Unattributed) v.subject = signer_subject(*s);
  v.status = Verdict::Status::Finding;
  v.rules = {rule};
  v.severity = severity;
}

}  // namespace trustscan::policy
