#include "policy/evaluator.hpp"

#include <algorithm>
#include <utility>

namespace trustscan::policy {

std::string_view to_string(MatchVia v) noexcept {
  switch (v) {
    case MatchVia::Country: return "country";
    case MatchVia::OwnerCountry: return "owner_country";
    case MatchVia::Vendor: return "vendor";
    case MatchVia::OwnerVendor: return "owner_vendor";
    case MatchVia::Trust: return "trust";
  }
  return "country";
}

std::string_view to_string(Basis b) noexcept {
  switch (b) {
    case Basis::Verified: return "verified";
    case Basis::Claim: return "claim";
    case Basis::Contradicted: return "contradicted";
  }
  return "verified";
}

std::string_view to_string(Verdict::Status s) noexcept {
  switch (s) {
    case Verdict::Status::Unattributed: return "unattributed";
    case Verdict::Status::NoMatch: return "no_match";
    case Verdict::Status::OutOfScope: return "out_of_scope";
    case Verdict::Status::BelowConfidence: return "below_confidence";
    case Verdict::Status::Suppressed: return "suppressed";
    case Verdict::Status::Finding: return "finding";
  }
  return "unattributed";
}

Subject vendor_subject(const attribute::VendorDb& vendors, const attribute::Vendor& vendor) {
  Subject s;
  s.vendor_id = vendor.id;
  s.name = vendor.name;
  if (auto c = vendors.country_of(vendor)) s.vendor_country = std::string{*c};
  for (std::string_view j : vendors.jurisdictions(vendor)) s.jurisdictions.emplace_back(j);
  // The loader rejects cyclic parents, so this terminates.
  for (const attribute::Vendor* p = vendors.parent_of(vendor); p != nullptr;
       p = vendors.parent_of(*p))
    s.vendor_parents.push_back(p->id);
  s.category = vendor.category;
  return s;
}

namespace {

/// The record's facts every subject of it shares.
Subject with_file(Subject s, const record::FileRecord& record) {
  s.privilege = record.privilege();
  s.path = record.file.path;
  s.sha256 = record.sha256;
  s.boot_start = record.windows && record.windows->loads_at_boot;
  return s;
}

/// The attributed vendor or unlisted publisher.
Subject attributed_subject(const attribute::Attribution& a, const attribute::VendorDb& vendors) {
  Subject s;
  if (a.publisher_subject()) {
    s.publisher = true;
    s.name = a.name;
    s.vendor_country = a.country;
    s.jurisdictions = a.jurisdictions;
  } else {
    s = vendor_subject(vendors, *vendors.find(a.vendor));
  }
  s.confidence = a.confidence;
  s.basis = a.tier == attribute::Tier::Verified ? Basis::Verified : Basis::Claim;
  if (s.basis == Basis::Claim) s.note = "claims to be " + a.name + "; not verified";
  return s;
}

Subject claim_subject(const attribute::Claim& c, const attribute::Attribution& a, const attribute::VendorDb& vendors) {
  Subject s = vendor_subject(vendors, *vendors.find(c.vendor));
  s.confidence = c.confidence;
  if (c.tier == attribute::Tier::Verified) {
    s.basis = Basis::Verified;
    s.note = "also signed, verified, by " + s.name;
  } else if (c.contradicted) {
    s.basis = Basis::Contradicted;
    s.note = "claims to be " + s.name + "; contradicted by verified evidence for " + a.name;
  } else {
    s.basis = Basis::Claim;
    s.note = "claims to be " + s.name + "; not verified";
  }
  return s;
}

}  // namespace

std::vector<Subject> subjects_of(const record::FileRecord& record, const attribute::VendorDb& vendors) {
  std::vector<Subject> out;
  if (!record.attribution) return out;
  const attribute::Attribution& a = *record.attribution;
  if (a.attributed()) out.push_back(with_file(attributed_subject(a, vendors), record));
  for (const attribute::Claim& c : a.claims) out.push_back(with_file(claim_subject(c, a, vendors), record));
  return out;
}

Severity severity_for(std::optional<Privilege> privilege, Confidence confidence,
                      bool boot_start) noexcept {
  // Rows of the table in evaluator.hpp / docs/policy.md; columns high, medium, low.
  using enum Severity;
  auto pick = [confidence](Severity high, Severity medium, Severity low) {
    switch (confidence) {
      case Confidence::High: return high;
      case Confidence::Medium: return medium;
      case Confidence::Low: break;
    }
    return low;
  };
  if (boot_start) return pick(Critical, Critical, High);
  if (!privilege) return Low;
  switch (*privilege) {
    case Privilege::Kernel: return pick(Critical, High, Medium);
    case Privilege::Boot: return pick(High, Medium, Low);
    case Privilege::User: return pick(Medium, Low, Low);
  }
  return Low;
}

namespace {

bool contains(const std::vector<std::string>& list, std::string_view s) {
  return std::ranges::find(list, s) != list.end();
}

/// The rule reaches the subject: how, or nullopt.
std::optional<MatchVia> match(const Rule& rule, const Subject& s) {
  if (!rule.categories.empty() &&
      (!s.category || std::ranges::find(rule.categories, *s.category) == rule.categories.end()))
    return std::nullopt;
  if (rule.kind == Rule::Kind::Country) {
    if (s.vendor_country && *s.vendor_country == rule.key) return MatchVia::Country;
    if (rule.match_parents && contains(s.jurisdictions, rule.key)) return MatchVia::OwnerCountry;
    return std::nullopt;
  }
  if (s.vendor_id == rule.key) return MatchVia::Vendor;
  if (rule.match_parents && contains(s.vendor_parents, rule.key)) return MatchVia::OwnerVendor;
  return std::nullopt;
}

bool iequals_hex(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const char x = (a[i] >= 'A' && a[i] <= 'F') ? static_cast<char>(a[i] - 'A' + 'a') : a[i];
    if (x != b[i]) return false;  // b is stored lower-case by the loader
  }
  return true;
}

bool matches(const Suppression& sup, const Subject& s) {
  if (sup.known_bad) return false;  // applies to known-bad matches only (known_bad_policy.hpp)
  if (sup.vendor && s.vendor_id != *sup.vendor) return false;
  if (sup.sha256 && !iequals_hex(s.sha256, *sup.sha256)) return false;
  if (sup.path && !glob_match(*sup.path, s.path)) return false;
  return true;
}

VerdictSubject verdict_subject(const Subject& s) {
  return {s.vendor_id, s.name, s.vendor_country,
          s.category ? std::string(attribute::to_string(*s.category)) : std::string(), s.confidence, s.basis, s.note};
}

/// The decision; `count` says whether to record suppression uses.
Verdict run(const Policy& policy, const Subject& subject, bool count) {
  Verdict v;
  if (!subject.attributed()) return v;  // Status::Unattributed
  v.subject = verdict_subject(subject);

  for (const Rule& rule : policy.rules()) {
    if (auto via = match(rule, subject))
      v.rules.push_back(MatchedRule{rule.id, rule.reason, rule.source, *via});
  }
  if (v.rules.empty()) {
    v.status = Verdict::Status::NoMatch;
    return v;
  }
  // A claim that verified evidence for another vendor contradicts is reported, at low severity.
  v.severity = subject.basis == Basis::Contradicted ? Severity::Low
                                                    : severity_for(subject.privilege, subject.confidence, subject.boot_start);

  // A registered boot-start driver is kernel code whatever the binary looked like.
  const std::optional<Privilege> effective =
      subject.boot_start && subject.privilege != Privilege::Boot ? std::optional{Privilege::Kernel}
                                                                 : subject.privilege;
  if (!policy.scope().includes(effective)) {
    v.status = Verdict::Status::OutOfScope;
    return v;
  }
  if (subject.confidence < policy.min_confidence()) {
    v.status = Verdict::Status::BelowConfidence;
    return v;
  }

  v.status = Verdict::Status::Finding;
  const auto sups = policy.suppressions();
  for (std::size_t i = 0; i < sups.size(); ++i) {
    if (!matches(sups[i], subject)) continue;
    if (sups[i].expired(policy.today())) {
      // An expired suppression never suppresses; it is remembered for the report.
      v.expired_suppressions.push_back(sups[i].id);
      if (count) policy.record_match_after_expiry(i);
      continue;
    }
    if (v.status == Verdict::Status::Finding) {
      // The first valid suppression in policy order applies and is the one counted.
      v.status = Verdict::Status::Suppressed;
      v.suppression_id = sups[i].id;
      if (count) policy.record_use(i);
    }
  }
  return v;
}

}  // namespace

Verdict evaluate(const Policy& policy, const Subject& subject) {
  return run(policy, subject, true);
}

Verdict decide(const Policy& policy, const Subject& subject) {
  return run(policy, subject, false);
}

Verdict evaluate_record(const Policy& policy, const record::FileRecord& record, const attribute::VendorDb& vendors) {
  const std::vector<Subject> subjects = subjects_of(record, vendors);
  if (subjects.empty()) return Verdict{};
  std::size_t chosen = 0;
  Verdict best = run(policy, subjects.front(), false);
  for (std::size_t i = 1; i < subjects.size(); ++i) {
    Verdict v = run(policy, subjects[i], false);
    if (v.flagged() && (!best.flagged() || v.severity > best.severity)) best = std::move(v), chosen = i;
  }
  return run(policy, subjects[chosen], true);  // counts the one suppression use that stands
}

}  // namespace trustscan::policy
