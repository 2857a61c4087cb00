#include "attribute/evidence.hpp"

#include <algorithm>
#include <utility>

#include "attribute/attributor.hpp"
#include "config/country.hpp"

namespace trustscan::attribute::detail {
namespace {

using verify::Signature;
using verify::SignatureSource;
using verify::SignatureStatus;

/// What a signature's names are worth: verified, a claim (intact, or a module key nobody has),
/// or only text (the digest or the signature failed, or the structure is broken).
Tier signature_tier(const Signature& s) {
  // A chain trusted only through a root the scanned image's own store added vouches for nothing
  // beyond that image's say-so (verify/image_trust.hpp): its names are a claim.
  if (s.status == SignatureStatus::Valid && !has_flag(s.flags, verify::VerifyFlag::ImageOnlyRoot))
    return Tier::Verified;
  if (verify::integrity_ok(s.status, s.flags) || s.status == SignatureStatus::UnknownKey) return Tier::Claim;
  return Tier::Metadata;
}

std::string status_note(const Signature& s, Tier tier) {
  std::string flags;
  for (const std::string& f : verify::flag_names(s.flags))
    if (f != "revocation_not_checked") flags += (flags.empty() ? "" : ", ") + f;
  const std::string status(to_string(s.status));
  const std::string detail = flags.empty() ? status : status + ": " + flags;
  switch (tier) {
    case Tier::Verified:
      if (const verify::ModuleDetails* m = s.module())
        return "module signature valid against a " + m->key_source_kind + " key";
      return "signature valid, chained to a trust anchor";
    case Tier::Claim: return "signature intact but not verified (" + detail + "): a claim";
    case Tier::Metadata:
    case Tier::Content: break;
  }
  return "signature broken (" + detail + "): its names are only text";
}

std::string where_of(const Signature& s) {
  switch (s.source) {
    case SignatureSource::Embedded: return s.nested ? "nested signature" : "signature";
    case SignatureSource::Catalog: return "catalog " + s.catalog()->catalog_path;
    case SignatureSource::Module: return "module signature";
    case SignatureSource::MachO: return "code signature";
  }
  return "signature";
}

class Collector {
 public:
  Collector(const VendorDb& db, Collected& out) : db_(db), out_(out) {}
  [[nodiscard]] const VendorDb& db() const { return db_; }
  [[nodiscard]] std::size_t position() const { return out_.found.size(); }

  /// Evidence for the vendor `m` names. A look-alike name is at most a claim.
  void add(EvidenceKind kind, const std::optional<VendorMatch>& m, std::string value, Tier tier, Confidence raw,
           std::string note) {
    if (!m || !m->vendor) return;
    if (m->kind == MatchKind::LookAlike) {
      tier = std::max(tier, Tier::Claim);
      note = "look-alike of " + m->vendor->name + "'s name" + (note.empty() ? "" : "; " + note);
    }
    add_vendor(kind, m->vendor, std::move(value), std::string(m->matched), tier, raw, std::move(note));
  }
  void add_vendor(EvidenceKind kind, const Vendor* v, std::string value, std::string matched, Tier tier,
                  Confidence raw, std::string note) {
    if (v != nullptr) push(Evidence{kind, v->id, std::move(value), std::move(matched), std::min(raw, tier_cap(tier)),
                                    std::move(note), tier}, raw);
  }
  /// Verified evidence for the holder of a certificate the vendor list does not know.
  void add_publisher(EvidenceKind kind, std::string value, std::string note) {
    push(Evidence{kind, {}, std::move(value), {}, Confidence::High, std::move(note), Tier::Verified}, Confidence::High);
  }
  void service(const VendorMatch& m, const Signature& s, Tier tier) {
    SigningService sv{m.vendor->id, std::string(m.matched), s.signer.subject.empty() ? s.signer.issuer : s.signer.subject,
                      where_of(s), tier};
    for (const SigningService& have : out_.services)
      if (have.vendor == sv.vendor && have.name == sv.name && have.signer == sv.signer && have.tier == sv.tier) return;
    out_.services.push_back(std::move(sv));
  }
  void certificate(const Signature& s, const Vendor* listed) {
    Publisher p = publisher_of(s.signer);
    if (listed) p.vendor = listed->id;
    p.where = where_of(s);
    for (const OwnCertificate& have : out_.certificates)
      if (have.publisher.certificate.thumbprint_sha256 == p.certificate.thumbprint_sha256 && have.publisher.vendor == p.vendor)
        return;
    out_.certificates.push_back({std::move(p), position()});
  }

 private:
  /// The same fact seen twice (each slice of a fat binary, both WIN_CERTIFICATEs) counts once.
  void push(Evidence e, Confidence raw) {
    for (const Found& have : out_.found)
      if (have.evidence.kind == e.kind && have.evidence.vendor == e.vendor && have.evidence.value == e.value &&
          have.evidence.tier == e.tier && have.raw == raw)
        return;
    out_.found.push_back({std::move(e), raw});
  }

  const VendorDb& db_;
  Collected& out_;
};

/// The signing service a signature is made under: its signer is a listed service, or its issuer is
/// one (a Third Party Component CA, Apple's Developer ID CA). nullopt otherwise.
std::optional<VendorMatch> service_of(const Signature& s, const std::optional<VendorMatch>& signer, const VendorDb& db) {
  if (signer && signer->field == MatchField::SigningService) return signer;
  if (s.signer.issuer.empty()) return std::nullopt;
  auto issuer = db.by_subject({}, dn_attribute(s.signer.issuer, "CN"));
  if (issuer && issuer->field == MatchField::SigningService) return issuer;
  return std::nullopt;
}

/// A signature's signer: a signing service (recorded; never the vendor), a listed vendor, or —
/// when verified — the certificate of a publisher the list does not know.
void signer_evidence(const Signature& s, EvidenceKind kind, const std::optional<VendorMatch>& signer,
                     std::string value, Collector& c) {
  const Tier tier = signature_tier(s);
  std::string note = status_note(s, tier) + " (" + where_of(s) + ")";
  const auto service = service_of(s, signer, c.db());
  if (service) c.service(*service, s, tier);
  // Under a service CA, a certificate that names the service's own operator is the service too.
  if (service && signer && (signer->field == MatchField::SigningService || signer->vendor == service->vendor)) {
    c.add(EvidenceKind::SigningService, service, std::move(value), tier, Confidence::Low,
          note + "; signs other vendors' code: never the vendor");
    return;
  }
  // The list holds SHA-1 or SHA-256 thumbprints of certificates.
  std::string hex = s.signer.thumbprint_sha1;
  auto thumbprint = c.db().by_thumbprint(hex);
  if (!thumbprint) thumbprint = c.db().by_thumbprint(hex = s.signer.thumbprint_sha256);
  // The listed vendor the certificate belongs to, by its name or its listed thumbprint.
  const Vendor* listed = signer && signer->kind != MatchKind::LookAlike ? signer->vendor
                         : thumbprint                                   ? thumbprint->vendor
                                                                        : nullptr;
  if (tier == Tier::Verified && (listed || !signer)) c.certificate(s, listed);
  if (tier == Tier::Verified && !signer && !thumbprint)  // evidence for the unlisted publisher (vendor "")
    c.add_publisher(kind, value, note + "; not in the vendor list: the certificate's holder is the publisher");
  c.add(kind, signer, std::move(value), tier, Confidence::High, note);
  c.add(EvidenceKind::Thumbprint, thumbprint, hex, tier, Confidence::High, note);
}

/// The SpcSpOpusInfo program name: vouched for by a verified signature (a signing service's
/// included: attestation-signed drivers carry their submitter here), else self-written text.
void program_name_evidence(const Signature& s, Collector& c) {
  if (s.program_name.empty()) return;
  const bool verified = signature_tier(s) == Tier::Verified;
  c.add(EvidenceKind::ProgramName, c.db().by_company_name(s.program_name), s.program_name,
        verified ? Tier::Verified : Tier::Metadata, Confidence::Medium,
        verified ? "program name in the signed attributes of a verified " + where_of(s)
                 : "program name of an unverified " + where_of(s) + ": self-written");
}

void signature_evidence(const Signature& s, Collector& c) {
  switch (s.source) {
    case SignatureSource::Embedded:
    case SignatureSource::Catalog:
      signer_evidence(s, s.source == SignatureSource::Catalog ? EvidenceKind::CatalogSigner : EvidenceKind::Signer,
                      c.db().by_subject(s.signer.subject_o, s.signer.subject_cn), s.signer.subject, c);
      program_name_evidence(s, c);
      return;
    case SignatureSource::Module: {
      // The CMS names its signer by issuer + serial; the issuer of a self-signed key is its subject.
      const std::string& dn = s.signer.subject.empty() ? s.signer.issuer : s.signer.subject;
      signer_evidence(s, EvidenceKind::ModuleSigner, c.db().by_subject(dn_attribute(dn, "O"), dn_attribute(dn, "CN")),
                      dn, c);
      return;
    }
    case SignatureSource::MachO: {
      const verify::MachODetails& m = *s.macho();
      const Tier tier = signature_tier(s);
      if (!m.team_id.empty())
        c.add(EvidenceKind::TeamId, c.db().by_team_id(m.team_id), m.team_id, tier, Confidence::High,
              status_note(s, tier));
      if (!s.signer.subject_cn.empty())
        signer_evidence(s, EvidenceKind::AppleSigner,
                        c.db().by_subject(s.signer.subject_o, apple_certificate_holder(s.signer.subject_cn)),
                        s.signer.subject_cn, c);
      return;
    }
  }
}

/// A module's .modinfo says intree=Y: vouched for when a keyring key verified the module (the
/// distribution signed what it built), else self-written.
void module_evidence(const record::FileRecord& r, Collector& c) {
  if (!r.binary || !r.binary->elf) return;
  const auto& mi = r.binary->elf->modinfo;
  auto it = mi.find("intree");
  if (it == mi.end() || it->second != "Y") return;
  const bool vouched = std::ranges::any_of(r.signatures.signatures, [](const Signature& s) {
    return s.source == SignatureSource::Module && s.status == SignatureStatus::Valid;
  });
  c.add_vendor(EvidenceKind::InTreeModule, c.db().find("linux-kernel"), "intree=Y", {},
               vouched ? Tier::Verified : Tier::Metadata, vouched ? Confidence::High : Confidence::Medium,
               vouched ? "built in the kernel tree: .modinfo covered by a valid module signature"
                       : "built in the kernel tree, says its own .modinfo: self-written");
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
  // Wine writes CompanyName "Microsoft Corporation" for compatibility: the copyright holder wins.
  const bool disagree = by_company && by_copyright && by_company->vendor != by_copyright->vendor;
  c.add(EvidenceKind::CompanyName, by_company, company, Tier::Metadata, disagree ? Confidence::Low : Confidence::Medium,
        disagree ? "version resource (self-written); LegalCopyright names another holder" : "version resource (self-written)");
  c.add(EvidenceKind::Copyright, by_copyright, copyright, Tier::Metadata, Confidence::Medium,
        "version resource (self-written)");
}

/// A rule that reads what the file says about itself (its version resource, its name) is
/// metadata like that text; any other rule is content.
Tier rule_tier(const match::RuleMatch& m) {
  for (const std::string& tag : m.tags)
    if (tag == "version_info" || tag == "driver_name" || tag == "file_name") return Tier::Metadata;
  return Tier::Content;
}

void rule_and_name_evidence(const record::FileRecord& r, Collector& c) {
  for (const auto& m : r.matches) {
    auto d = m.meta.find("description");
    c.add_vendor(EvidenceKind::Rule, c.db().find(m.vendor()), m.ns.empty() ? m.rule : m.ns + ":" + m.rule, {},
                 rule_tier(m), m.confidence(), d == m.meta.end() ? std::string() : d->second);
  }
  std::string_view path = r.file.path;
  const auto slash = path.find_last_of('/');
  std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
  for (const auto& m : c.db().by_file_name(name))
    c.add(EvidenceKind::FileName, m, std::string(name), Tier::Metadata, Confidence::Low, "known file name");
}

std::string upper(std::string s) {
  for (char& ch : s)
    if (ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 'a' + 'A');
  return s;
}

}  // namespace

Publisher publisher_of(const verify::CertInfo& cert) {
  Publisher p;
  p.name = cert.subject_o.empty() ? cert.subject_cn : cert.subject_o;
  // A CN that extends the O names the holder more precisely (Certum's open-source certificates:
  // O=Open Source Developer, CN=Open Source Developer, Martijn Laan).
  if (!cert.subject_o.empty() && cert.subject_cn.size() > cert.subject_o.size() &&
      cert.subject_cn.starts_with(cert.subject_o))
    p.name = cert.subject_cn;
  p.ev = cert.ev;
  p.certificate = cert;
  if (std::string j = upper(cert.jurisdiction_c); config::is_country_code(j)) {
    p.country = j;
    p.country_source = CountrySource::Jurisdiction;
    p.country_confidence = cert.ev ? Confidence::High : Confidence::Medium;
  } else if (std::string c = upper(cert.subject_c); config::is_country_code(c)) {
    p.country = c;
    p.country_source = CountrySource::SubjectCountry;
    p.country_confidence = Confidence::Medium;
  }
  return p;
}

Collected collect(const record::FileRecord& r, const VendorDb& vendors) {
  Collected out;
  Collector c(vendors, out);
  // Primary signature first, then nested ones, then the catalogs, then module and Mach-O
  // signatures: the order breaks ties between equally strong evidence.
  for (const Signature& s : r.signatures.signatures)
    if (s.source == SignatureSource::Embedded) signature_evidence(s, c);
  for (const Signature& s : r.catalog_signatures) signature_evidence(s, c);
  for (const Signature& s : r.signatures.signatures)
    if (s.source != SignatureSource::Embedded) signature_evidence(s, c);
  module_evidence(r, c);
  version_info_evidence(r, c);
  rule_and_name_evidence(r, c);
  return out;
}

}  // namespace trustscan::attribute::detail
