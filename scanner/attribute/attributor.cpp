#include "attribute/attributor.hpp"

#include <algorithm>
#include <map>

namespace trustscan::attribute {
namespace {

using verify::SignatureStatus;

/// Confidence of a signer-derived claim from the signature's verdict.
Confidence from_verdict(SignatureStatus status, verify::VerifyFlags flags, std::string& note) {
  using verify::VerifyFlag;
  bool integrity = status == SignatureStatus::Valid || status == SignatureStatus::Untrusted ||
                   status == SignatureStatus::Invalid;
  for (VerifyFlag f : {VerifyFlag::BadDigest, VerifyFlag::BadSignature, VerifyFlag::BadPageHash, VerifyFlag::Malformed})
    integrity = integrity && !verify::has_flag(flags, f);
  if (status == SignatureStatus::Valid) {
    note = "signature valid, chained to a trust anchor";
    return Confidence::High;
  }
  if (integrity) {
    note = std::string("signature intact but ") + std::string(to_string(status));
    return Confidence::Medium;
  }
  note = std::string("signature ") + std::string(to_string(status)) + ": the name is only a claim";
  return Confidence::Low;
}

int weight(const Evidence& e) {
  if (e.kind == EvidenceKind::SigningService) return 1;
  switch (e.confidence) {
    case Confidence::High: return 8;
    case Confidence::Medium: return 4;
    case Confidence::Low: break;
  }
  return 2;
}

class Collector {
 public:
  explicit Collector(const VendorDb& db) : db_(db) {}

  void add(EvidenceKind kind, const std::optional<VendorMatch>& m, std::string value, Confidence c, std::string note = {}) {
    if (!m || !m->vendor) return;
    if (m->field == MatchField::SigningService) kind = EvidenceKind::SigningService;
    // A name equal to the list's only after the TR39 fold: say so, whatever else is noted.
    if (m->kind == MatchKind::LookAlike)
      note = "look-alike of " + std::string(m->matched) + (note.empty() ? "" : "; " + note);
    push({kind, m->vendor->id, std::move(value), std::string(m->matched), c, std::move(note)});
  }
  void add_vendor(EvidenceKind kind, const Vendor* v, std::string value, Confidence c, std::string note = {}) {
    if (v) push({kind, v->id, std::move(value), {}, c, std::move(note)});
  }
  std::vector<Evidence>& evidence() { return out_; }
  const VendorDb& db() const { return db_; }

 private:
  /// The same fact seen twice (each slice of a fat binary, both WIN_CERTIFICATEs) counts once.
  void push(Evidence e) {
    for (const Evidence& have : out_)
      if (have.kind == e.kind && have.vendor == e.vendor && have.value == e.value && have.confidence == e.confidence)
        return;
    out_.push_back(std::move(e));
  }

  const VendorDb& db_;
  std::vector<Evidence> out_;
};

/// A signature's signer as evidence; what it says depends on where the signature was found.
void signature_evidence(const verify::Signature& s, Collector& c) {
  using verify::SignatureSource;
  std::string note;
  const Confidence conf = from_verdict(s.status, s.flags, note);
  switch (s.source) {
    case SignatureSource::Embedded:
    case SignatureSource::Catalog: {
      // A catalog that lists the file vouches for it like an embedded signature: its signer is
      // evidence (Microsoft's own catalogs for Windows files; WHCP catalogs are a signing
      // service: weak).
      const bool catalog = s.source == SignatureSource::Catalog;
      if (catalog) note += " (catalog " + s.catalog()->catalog_path + ")";
      else if (s.nested) note += " (nested signature)";
      c.add(catalog ? EvidenceKind::CatalogSigner : EvidenceKind::Signer,
            c.db().by_subject(s.signer.subject_o, s.signer.subject_cn), s.signer.subject, conf, note);
      if (!s.signer.thumbprint_sha256.empty())
        c.add(EvidenceKind::Thumbprint, c.db().by_thumbprint(s.signer.thumbprint_sha256), s.signer.thumbprint_sha256,
              conf, note);
      if (!s.program_name.empty())
        c.add(EvidenceKind::ProgramName, c.db().by_company_name(s.program_name), s.program_name, Confidence::Medium,
              "program name inside the signed attributes");
      return;
    }
    case SignatureSource::Module: {
      // The CMS names its signer by issuer + serial; the issuer of a self-signed key is its subject.
      const std::string& dn = s.signer.subject.empty() ? s.signer.issuer : s.signer.subject;
      if (s.status == verify::SignatureStatus::Valid)
        note = "module signature valid against " + s.module()->key_source_kind + " key";
      c.add(EvidenceKind::ModuleSigner, c.db().by_subject(dn_attribute(dn, "O"), dn_attribute(dn, "CN")), dn, conf, note);
      return;
    }
    case SignatureSource::MachO: {
      const verify::MachODetails& m = *s.macho();
      if (!m.team_id.empty()) c.add(EvidenceKind::TeamId, c.db().by_team_id(m.team_id), m.team_id, conf, note);
      if (!s.signer.subject_cn.empty()) {
        std::string_view holder = apple_certificate_holder(s.signer.subject_cn);
        c.add(EvidenceKind::AppleSigner, c.db().by_subject(s.signer.subject_o, holder), s.signer.subject_cn, conf, note);
      }
      return;
    }
  }
}

/// Every signature of the file: its own (Authenticode entries, module, Mach-O slices), then the
/// catalogs that list it.
void signatures_evidence(const record::FileRecord& r, Collector& c) {
  for (const verify::Signature& s : r.signatures.signatures)
    if (s.source == verify::SignatureSource::Embedded) signature_evidence(s, c);
  for (const verify::Signature& s : r.catalog_signatures) signature_evidence(s, c);
  for (const verify::Signature& s : r.signatures.signatures)
    if (s.source != verify::SignatureSource::Embedded) signature_evidence(s, c);
}

/// A module built in the kernel tree says so in its own .modinfo: self-written, but the kernel's.
void module_evidence(const record::FileRecord& r, Collector& c) {
  if (r.binary && r.binary->elf) {
    const auto& mi = r.binary->elf->modinfo;
    if (auto it = mi.find("intree"); it != mi.end() && it->second == "Y")
      c.add_vendor(EvidenceKind::InTreeModule, c.db().find("linux-kernel"), "intree=Y", Confidence::Medium,
                   "built in the Linux kernel tree");
  }
}

void version_info_evidence(const record::FileRecord& r, Collector& c) {
  if (!r.binary || !r.binary->pe) return;
  const auto& vi = r.binary->pe->version_info;
  auto get = [&](const char* key) -> std::string {
    auto it = vi.find(key);
    return it == vi.end() ? std::string() : it->second;
  };
  std::string company = get("CompanyName"), copyright = get("LegalCopyright");
  auto by_company = company.empty() ? std::nullopt : c.db().by_company_name(company);
  auto by_copyright = copyright.empty() ? std::nullopt : c.db().by_copyright(copyright);
  bool disagree = by_company && by_copyright && by_company->vendor != by_copyright->vendor;
  c.add(EvidenceKind::CompanyName, by_company, company, disagree ? Confidence::Low : Confidence::Medium,
        disagree ? "LegalCopyright names another holder" : "");
  c.add(EvidenceKind::Copyright, by_copyright, copyright, Confidence::Medium);
}


void rule_and_name_evidence(const record::FileRecord& r, Collector& c) {
  for (const auto& m : r.matches)
    c.add_vendor(EvidenceKind::Rule, c.db().find(m.vendor()), m.ns.empty() ? m.rule : m.ns + ":" + m.rule,
                 m.confidence(), m.meta.count("description") ? m.meta.at("description") : "");
  std::string_view path = r.file.path;
  std::string_view name = path.substr(path.find_last_of('/') == std::string_view::npos ? 0 : path.find_last_of('/') + 1);
  for (const auto& m : c.db().by_file_name(name))
    c.add(EvidenceKind::FileName, m, std::string(name), Confidence::Low, "known file name");
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
  Collector c(vendors);
  signatures_evidence(record, c);
  module_evidence(record, c);
  version_info_evidence(record, c);
  rule_and_name_evidence(record, c);
  std::vector<Evidence>& ev = c.evidence();
  if (ev.empty()) return std::nullopt;

  struct Tally {
    int score = 0;
    Confidence best = Confidence::Low;
    std::vector<EvidenceKind> kinds;
  };
  std::map<std::string, Tally> tally;
  for (const Evidence& e : ev) {
    Tally& t = tally[e.vendor];
    t.score += weight(e);
    if (e.kind != EvidenceKind::SigningService) t.best = std::max(t.best, e.confidence);
    if (std::ranges::find(t.kinds, e.kind) == t.kinds.end()) t.kinds.push_back(e.kind);
  }
  std::vector<std::string> order;
  for (const auto& [id, t] : tally) order.push_back(id);
  std::ranges::stable_sort(order, [&](const std::string& a, const std::string& b) {
    const Tally &x = tally[a], &y = tally[b];
    return x.score != y.score ? x.score > y.score : x.best > y.best;
  });
  std::ranges::stable_sort(ev, [&](const Evidence& a, const Evidence& b) { return weight(a) > weight(b); });

  const Vendor* winner = vendors.find(order.front());
  const Tally& w = tally[order.front()];
  Attribution a;
  a.vendor = winner->id;
  a.name = winner->name;
  if (auto country = vendors.country_of(*winner)) a.country = std::string(*country);
  for (auto j : vendors.jurisdictions(*winner)) a.jurisdictions.emplace_back(j);
  a.category = std::string(to_string(winner->category));
  a.confidence = w.best;
  std::size_t strong_kinds = std::ranges::count_if(w.kinds, [&](EvidenceKind k) {
    return k != EvidenceKind::SigningService && k != EvidenceKind::FileName;
  });
  if (strong_kinds >= 2 && a.confidence < Confidence::High)
    a.confidence = static_cast<Confidence>(static_cast<int>(a.confidence) + 1);
  if (w.kinds.size() == 1 && w.kinds.front() == EvidenceKind::SigningService) a.confidence = Confidence::Low;

  // Related vendors (parent/child) are not contradictions.
  auto related = [&](const Vendor* x, const Vendor* y) {
    for (const Vendor* p = x; p; p = vendors.parent_of(*p))
      if (p == y) return true;
    for (const Vendor* p = y; p; p = vendors.parent_of(*p))
      if (p == x) return true;
    return false;
  };
  for (std::size_t i = 1; i < order.size(); ++i) {
    a.candidates.push_back(order[i]);
    const Vendor* other = vendors.find(order[i]);
    if (related(winner, other)) continue;
    for (const Evidence& e : ev)
      if (e.vendor == order[i] && e.kind != EvidenceKind::SigningService && e.kind != EvidenceKind::FileName)
        a.contradictions.push_back(std::string(to_string(e.kind)) + " '" + e.value + "' points to " + other->name +
                                   ", not " + winner->name);
  }
  a.evidence = std::move(ev);
  return a;
}

}  // namespace trustscan::attribute
