#include "report/signature_json.hpp"

#include "report/text.hpp"

namespace trustscan::report {
namespace {

using nlohmann::ordered_json;
using verify::SignatureStatus;
using verify::VerifyFlag;

std::string safe(std::string_view s) { return utf8_escaped(s); }

void flags_json(JsonSink& w, verify::VerifyFlags flags) { w.member("flags", verify::flag_names(flags)); }

void cert_json(JsonSink& w, const verify::CertInfo& c) {
  w.begin_object();
  w.text_member("subject", c.subject);
  w.text_member("common_name", c.subject_cn);
  w.text_member("organization", c.subject_o);
  w.text_member("country", c.subject_c);
  w.text_member("issuer", c.issuer);
  w.member("serial_number", c.serial_hex);
  w.member("not_before", c.not_before);
  w.member("not_after", c.not_after);
  w.member("thumbprint_sha1", c.thumbprint_sha1);
  w.member("thumbprint_sha256", c.thumbprint_sha256);
  w.end_object();
}

/// An Authenticode signature: an embedded one, or a catalog's own.
void authenticode_signature_json(JsonSink& w, const verify::Signature& s) {
  w.begin_object();
  w.member("index", s.index);
  w.member("nested", s.nested);
  w.member("parent_index", s.parent_index);
  w.member("status", to_string(s.status));
  flags_json(w, s.flags);
  w.member("digest_algorithm", s.digest_algorithm);
  w.member("signed_digest", s.signed_digest_hex);
  w.member("computed_digest", s.computed_digest_hex);
  w.key("signer");
  cert_json(w, s.signer);
  w.array("chain");
  for (const auto& c : s.chain) cert_json(w, c);
  w.end_array();
  w.text_member("anchor_set", s.anchor_set);
  w.member("verification_time_source", s.verification_time_source);
  if (!s.trust_basis.empty()) w.member("trust_basis", s.trust_basis);
  if (s.signing_time) w.member("signing_time", *s.signing_time);
  if (s.timestamp) w.member("timestamp", *s.timestamp);
  if (s.timestamp_authority) w.text_member("timestamp_authority", *s.timestamp_authority);
  if (!s.timestamp_kind.empty()) w.member("timestamp_kind", s.timestamp_kind);
  if (!s.timestamp_anchor_set.empty()) w.text_member("timestamp_anchor_set", s.timestamp_anchor_set);
  if (!s.program_name.empty()) w.text_member("program_name", s.program_name);
  if (!s.more_info_url.empty()) w.text_member("more_info_url", s.more_info_url);
  safe_strings(w, "errors", s.errors);
  w.end_object();
}

void catalog_signature_json(JsonSink& w, const verify::Signature& s) {
  const verify::CatalogDetails& c = *s.catalog();
  w.begin_object();
  w.text_member("catalog", c.catalog_path);
  w.member("digest_algorithm", c.listed_algorithm);
  if (!c.member_file_name.empty()) w.text_member("member_file_name", c.member_file_name);
  if (c.this_update) w.member("this_update", *c.this_update);
  w.key("signature");
  authenticode_signature_json(w, s);
  w.end_object();
}

void module_signature_json(JsonSink& w, const verify::Signature& s) {
  const verify::ModuleDetails& m = *s.module();
  w.object("module_signature");
  w.member("status", to_string(s.status));
  flags_json(w, s.flags);
  w.member("digest_algorithm", s.digest_algorithm);
  w.member("signature_algorithm", m.signature_algorithm);
  w.object("signer");
  w.text_member("subject", s.signer.subject);
  w.text_member("issuer", s.signer.issuer);
  w.member("serial_number", s.signer.serial_hex);
  w.member("subject_key_id", m.subject_key_id_hex);
  w.end_object();
  w.member("certificates_embedded", m.certificates_embedded);
  w.member("signed_size", m.signed_size);
  w.text_member("key_source", m.key_source);
  w.member("key_source_kind", m.key_source_kind);
  safe_strings(w, "errors", s.errors);
  w.end_object();
}

void macho_signature_json(JsonSink& w, const verify::Signature& s) {
  const verify::MachODetails& m = *s.macho();
  w.begin_object();
  w.member("slice", m.slice);
  w.member("status", to_string(s.status));
  flags_json(w, s.flags);
  w.member("kind", verify::to_string(m.kind));
  w.text_member("signing_id", m.identifier);
  w.text_member("team_id", m.team_id);
  w.member("code_directory_flags", m.flag_names);
  w.member("cdhash", m.cdhash);
  w.member("hash_type", s.digest_algorithm);
  w.member("has_entitlements", m.has_entitlements);
  w.object("signer");
  w.text_member("common_name", s.signer.subject_cn);
  w.text_member("organization", s.signer.subject_o);
  w.text_member("organizational_unit", s.signer.subject_ou);
  w.text_member("issuer", s.signer.issuer);
  w.array("chain");
  for (const auto& c : s.chain) w.text(c.subject_cn);
  w.end_array();
  w.end_object();
  safe_strings(w, "errors", s.errors);
  if (m.first_bad_page) w.member("first_bad_page", *m.first_bad_page);
  if (s.timestamp) w.member("timestamp", *s.timestamp);
  if (!s.verification_time_source.empty()) w.member("verification_time_source", s.verification_time_source);
  if (!s.anchor_set.empty()) w.member("anchor_set", s.anchor_set);
  if (!m.unverified_special_slots.empty()) w.member("unverified_special_slots", m.unverified_special_slots);
  w.end_object();
}

bool is_authenticode(const verify::Signature& s) {
  return s.source == verify::SignatureSource::Embedded || s.source == verify::SignatureSource::Catalog;
}

/// The ECS identity fields of the signature that stands for the file.
void add_ecs_identity(JsonSink& w, const verify::Signature& s) {
  if (const verify::MachODetails* m = s.macho()) {
    if (!m->identifier.empty()) w.text_member("signing_id", m->identifier);
    if (!m->team_id.empty()) w.text_member("team_id", m->team_id);
  }
  // Authenticode names a signer and a digest even when they are empty; the other kinds only when
  // they have one.
  const bool authenticode = is_authenticode(s);
  if (auto name = ecs_subject_name(s)) w.member("subject_name", *name);
  const std::string& digest = s.catalog() ? s.catalog()->listed_algorithm : s.digest_algorithm;
  if (!digest.empty() || authenticode) w.member("digest_algorithm", digest);
  if (s.timestamp) w.member("timestamp", *s.timestamp);
  if (authenticode) {
    if (!s.signer.thumbprint_sha256.empty()) w.member("thumbprint_sha256", s.signer.thumbprint_sha256);
    w.member("source", *ecs_source(s));
  }
  if (const verify::CatalogDetails* c = s.catalog()) w.text_member("catalog", c->catalog_path);
}

/// The members of ECS `file.code_signature` (the caller has checked that it applies).
void code_signature_members(JsonSink& w, const record::FileRecord& r) {
  const verify::SignatureVerdict& v = r.signature;
  w.member("exists", v.exists);
  if (!v.exists) return;
  w.member("valid", v.integrity);
  w.member("trusted", v.status == verify::SignatureStatus::Valid);
  w.member("status", to_string(v.status));
  flags_json(w, v.flags);
  if (const verify::Signature* primary = r.primary_signature()) add_ecs_identity(w, *primary);
}

/// `trustscan.authenticode`: the embedded signatures and the file's Authenticode hashes.
void authenticode_json(JsonSink& w, const verify::FileSignatures& own,
                       const std::vector<const verify::Signature*>& embedded) {
  w.object("authenticode");
  // Hashes are absent when the headers are too broken to define the signed range.
  if (own.authentihash && !own.authentihash->sha1.empty()) w.member("hash_sha1", own.authentihash->sha1);
  if (own.authentihash && !own.authentihash->sha256.empty()) w.member("hash_sha256", own.authentihash->sha256);
  const verify::Signature* primary = embedded.empty() ? nullptr : embedded.front();
  w.member("status", to_string(primary ? primary->status : verify::SignatureStatus::Unsigned));
  flags_json(w, primary ? primary->flags : 0);
  w.array("signatures");
  for (const verify::Signature* s : embedded) authenticode_signature_json(w, *s);
  w.end_array();
  safe_strings(w, "warnings", own.warnings);
  w.end_object();
}

}  // namespace

std::string signer_name(const verify::Signature& s) {
  switch (s.source) {
    case verify::SignatureSource::Module: return s.signer.subject.empty() ? s.signer.issuer : s.signer.subject;
    case verify::SignatureSource::MachO: return s.signer.subject_cn;
    case verify::SignatureSource::Embedded:
    case verify::SignatureSource::Catalog: break;
  }
  return s.signer.subject_cn.empty() ? s.signer.subject_o : s.signer.subject_cn;
}

std::optional<std::string> ecs_subject_name(const verify::Signature& s) {
  std::string name = signer_name(s);
  if (name.empty() && !is_authenticode(s)) return std::nullopt;
  return safe(name);
}

std::optional<std::string> ecs_source(const verify::Signature& s) {
  if (!is_authenticode(s)) return std::nullopt;
  return std::string(to_string(s.source));
}

void add_code_signature(JsonSink& w, const record::FileRecord& r) {
  if (!r.signature.applies) return;
  w.object("code_signature");
  code_signature_members(w, r);
  w.end_object();
}

ordered_json code_signature_ecs(const record::FileRecord& r) {
  if (!r.signature.applies) return nullptr;
  ordered_json doc;
  JsonTree t(doc);
  t.begin_object();
  code_signature_members(t, r);
  t.end_object();
  return doc;
}

void add_signature_details(JsonSink& w, const record::FileRecord& r) {
  using verify::SignatureSource;
  const verify::FileSignatures& own = r.signatures;
  auto of = [&](SignatureSource source) {
    std::vector<const verify::Signature*> out;
    for (const verify::Signature& s : own.signatures)
      if (s.source == source) out.push_back(&s);
    return out;
  };
  if (own.was_checked(SignatureSource::Embedded)) authenticode_json(w, own, of(SignatureSource::Embedded));
  if (!r.catalog_signatures.empty()) {
    w.array("catalog_signatures");
    for (const verify::Signature& c : r.catalog_signatures) catalog_signature_json(w, c);
    w.end_array();
  }
  if (own.was_checked(SignatureSource::Module)) {
    const auto module = of(SignatureSource::Module);
    verify::Signature unsigned_module;
    unsigned_module.source = SignatureSource::Module;
    unsigned_module.status = verify::SignatureStatus::Unsigned;
    unsigned_module.details = verify::ModuleDetails{};
    module_signature_json(w, module.empty() ? unsigned_module : *module.front());
  }
  if (const auto macho = of(SignatureSource::MachO); !macho.empty()) {
    w.array("macho_signatures");
    for (const verify::Signature* s : macho) macho_signature_json(w, *s);
    w.end_array();
  }
}

}  // namespace trustscan::report
