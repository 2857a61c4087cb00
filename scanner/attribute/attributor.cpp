#include "attribute/attributor.hpp"

#include <algorithm>

#include "attribute/evidence.hpp"

namespace trustscan::attribute {
namespace {

using detail::Collected;
using detail::Found;

/// Where one vendor's evidence stands (key "": the unlisted publisher of a verified certificate).
struct Standing {
  std::string key;
  Tier tier = Tier::Content;          ///< its strongest tier
  Confidence raw = Confidence::Low;   ///< the strongest evidence of that tier, before the tier's cap
  std::size_t first = 0;              ///< position of that evidence (primary signature first)
  Confidence confidence = Confidence::Low;  ///< its strongest evidence's confidence, any tier
  const Evidence* best = nullptr;     ///< that evidence
  std::size_t pieces = 0;
  bool names_only = true;             ///< only file names point to it
};

/// Precedence: the stronger tier; in one tier the stronger kind of evidence; then the order found.
/// Nothing adds up: five decoy signatures stand where one does.
bool precedes(const Standing& a, const Standing& b) {
  if (a.tier != b.tier) return a.tier < b.tier;
  if (a.raw != b.raw) return a.raw > b.raw;
  return a.first < b.first;
}

std::vector<Standing> standings(const Collected& c) {
  std::vector<Standing> out;
  for (std::size_t i = 0; i < c.found.size(); ++i) {
    const Found& f = c.found[i];
    if (f.evidence.kind == EvidenceKind::SigningService) continue;  // never the vendor
    auto it = std::ranges::find(out, f.evidence.vendor, &Standing::key);
    if (it == out.end()) {
      it = out.insert(out.end(), Standing{});
      it->key = f.evidence.vendor;
    }
    Standing& s = *it;
    Standing here;
    here.tier = f.evidence.tier, here.raw = f.raw, here.first = i;
    if (s.pieces == 0 || precedes(here, s)) {
      s.tier = here.tier, s.raw = here.raw, s.first = i, s.best = &f.evidence;
    }
    s.confidence = std::max(s.confidence, f.evidence.confidence);
    s.names_only = s.names_only && f.evidence.kind == EvidenceKind::FileName;
    ++s.pieces;
  }
  std::ranges::stable_sort(out, precedes);
  return out;
}

std::string describe(const Evidence& e) {
  return std::string(to_string(e.kind)) + " '" + e.value + "' (" + std::string(to_string(e.tier)) + ")";
}

/// The certificate of the vendor's own verified signature (key "": the first unlisted one).
const Publisher* certificate_of(const Collected& c, const std::string& key) {
  for (const auto& own : c.certificates)
    if (own.publisher.vendor == key) return &own.publisher;
  return nullptr;
}

/// The listed vendor `key` is the conclusion. A verified certificate of it that states another
/// country than the list is reported; the list decides.
void conclude_vendor(Attribution& a, const Standing& s, const Collected& c, const VendorDb& vendors) {
  const Vendor* v = vendors.find(s.key);
  a.vendor = v->id;
  a.name = v->name;
  if (auto country = vendors.country_of(*v)) a.country = std::string(*country);
  for (auto j : vendors.jurisdictions(*v)) a.jurisdictions.emplace_back(j);
  a.category = std::string(to_string(v->category));
  a.confidence = s.confidence;
  a.tier = s.tier;
  if (const Publisher* p = certificate_of(c, s.key)) {
    a.publisher = *p;
    if (p->country && std::ranges::find(a.jurisdictions, *p->country) == a.jurisdictions.end())
      a.contradictions.push_back("certificate country " + *p->country + " (" + std::string(to_string(p->country_source)) +
                                 ") differs from the vendor list's " + a.country.value_or("none") + " for " + v->name +
                                 "; the vendor list decides");
  }
}

/// An unlisted publisher is the conclusion: its country is the certificate's, and the
/// attribution is as sure as that country (EV jurisdiction high, C= medium).
void conclude_publisher(Attribution& a, const Collected& c) {
  const Publisher* p = certificate_of(c, {});
  a.publisher = *p;
  a.name = p->name;
  a.country = p->country;
  if (p->country) a.jurisdictions = {*p->country};
  a.tier = Tier::Verified;
  a.confidence = p->country ? p->country_confidence : Confidence::High;
}

bool related(const VendorDb& vendors, const Vendor* x, const Vendor* y) {
  for (const Vendor* p = x; p; p = vendors.parent_of(*p))
    if (p == y) return true;
  for (const Vendor* p = y; p; p = vendors.parent_of(*p))
    if (p == x) return true;
  return false;
}

/// Every other vendor with evidence is a candidate; unless it is the conclusion's parent or child,
/// or only a file name points to it, it is also a claim (policy evaluates it) and a contradiction
/// that names the evidence that decided.
void claims(Attribution& a, const std::vector<Standing>& ranked, const VendorDb& vendors) {
  const Standing& decided = ranked.front();
  const Vendor* winner = vendors.find(decided.key);
  for (std::size_t i = 1; i < ranked.size(); ++i) {
    const Standing& s = ranked[i];
    if (s.key.empty()) continue;  // a second unlisted certificate: not a vendor of the list
    a.candidates.push_back(s.key);
    const Vendor* other = vendors.find(s.key);
    if ((winner && related(vendors, winner, other)) || s.names_only) continue;
    const bool contradicted = decided.tier == Tier::Verified && s.tier != Tier::Verified;
    a.claims.push_back({s.key, s.tier, s.confidence, contradicted, describe(*s.best)});
    a.contradictions.push_back(describe(*s.best) +
                               (s.pieces > 1 ? " and " + std::to_string(s.pieces - 1) + " more point" : " points") +
                               " to " + other->name + "; decided by " + describe(*decided.best) + " for " +
                               a.name);
  }
}

}  // namespace

std::string dn_attribute(std::string_view dn, std::string_view key) {
  std::size_t i = 0;
  while (i < dn.size()) {
    while (i < dn.size() && (dn[i] == ' ' || dn[i] == ',')) ++i;
    std::size_t eq = dn.find('=', i);
    if (eq == std::string_view::npos) break;
    std::string_view k = dn.substr(i, eq - i);
    std::string value;
    std::size_t j = eq + 1;
    for (; j < dn.size() && dn[j] != ','; ++j) {
      if (dn[j] == '\\' && j + 1 < dn.size()) ++j;  // RFC 2253 escape: take the next character
      value += dn[j];
    }
    while (!value.empty() && value.back() == ' ') value.pop_back();
    if (k == key) return value;
    i = j + 1;
  }
  return {};
}

std::optional<Attribution> attribute(const record::FileRecord& record, const VendorDb& vendors) {
  Collected c = detail::collect(record, vendors);
  if (c.found.empty() && c.services.empty()) return std::nullopt;
  Attribution a;
  a.signing_services = std::move(c.services);
  const std::vector<Standing> ranked = standings(c);
  if (!ranked.empty()) {
    if (ranked.front().key.empty()) conclude_publisher(a, c);
    else conclude_vendor(a, ranked.front(), c, vendors);
    claims(a, ranked, vendors);
  }
  std::vector<Found> found = std::move(c.found);
  std::ranges::stable_sort(found, [](const Found& x, const Found& y) {
    return x.evidence.tier != y.evidence.tier ? x.evidence.tier < y.evidence.tier
                                              : x.evidence.confidence > y.evidence.confidence;
  });
  for (Found& f : found) a.evidence.push_back(std::move(f.evidence));
  return a;
}

}  // namespace trustscan::attribute
