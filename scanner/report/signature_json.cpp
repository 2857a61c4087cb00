#include "report/signature_json.hpp"

#include "report/text.hpp"

namespace trustscan::report {
namespace {

using nlohmann::ordered_json;
using verify::SignatureStatus;
using verify::VerifyFlag;

std::string safe(std::string_view s) { return utf8_escaped(s); }

ordered_json flags_json(verify::VerifyFlags flags) { return verify::flag_names(flags); }

ordered_json cert_json(const verify::CertInfo& c) {
  return {{"subject", safe(c.subject)},          {"common_name", safe(c.subject_cn)},
          {"organization", safe(c.subject_o)},   {"country", safe(c.subject_c)},
          {"issuer", safe(c.issuer)},            {"serial_number", c.serial_hex},
          {"not_before", c.not_before},          {"not_after", c.not_after},
          {"thumbprint_sha1", c.thumbprint_sha1}, {"thumbprint_sha256", c.thumbprint_sha256}};
}

ordered_json errors_json(const std::vector<std::string>& errors) {
  ordered_json out = ordered_json::array();
  for (const auto& e : errors) out.push_back(safe(e));
  return out;
}

/// An Authenticode signature: an embedded one, or a catalog's own.
ordered_json authenticode_signature_json(const verify::Signature& s) {
  ordered_json chain = ordered_json::array();
  for (const auto& c : s.chain) chain.push_back(cert_json(c));
  ordered_json j{{"index", s.index},
                 {"nested", s.nested},
                 {"parent_index", s.parent_index},
                 {"status", std::string(to_string(s.status))},
                 {"flags", flags_json(s.flags)},
                 {"digest_algorithm", s.digest_algorithm},
                 {"signed_digest", s.signed_digest_hex},
                 {"computed_digest", s.computed_digest_hex},
                 {"signer", cert_json(s.signer)},
                 {"chain", chain},
                 {"anchor_set", safe(s.anchor_set)},
                 {"verification_time_source", s.verification_time_source}};
  if (!s.trust_basis.empty()) j["trust_basis"] = s.trust_basis;
  if (s.signing_time) j["signing_time"] = *s.signing_time;
  if (s.timestamp) j["timestamp"] = *s.timestamp;
  if (s.timestamp_authority) j["timestamp_authority"] = safe(*s.timestamp_authority);
  if (!s.timestamp_kind.empty()) j["timestamp_kind"] = s.timestamp_kind;
  if (!s.timestamp_anchor_set.empty()) j["timestamp_anchor_set"] = safe(s.timestamp_anchor_set);
  if (!s.program_name.empty()) j["program_name"] = safe(s.program_name);
  if (!s.more_info_url.empty()) j["more_info_url"] = safe(s.more_info_url);
  j["errors"] = errors_json(s.errors);
  return j;
}

ordered_json catalog_signature_json(const verify::Signature& s) {
  const verify::CatalogDetails& c = *s.catalog();
  ordered_json j{{"catalog", safe(c.catalog_path)}, {"digest_algorithm", c.listed_algorithm}};
  if (!c.member_file_name.empty()) j["member_file_name"] = safe(c.member_file_name);
  if (c.this_update) j["this_update"] = *c.this_update;
  j["signature"] = authenticode_signature_json(s);
  return j;
}

ordered_json module_signature_json(const verify::Signature& s) {
  const verify::ModuleDetails& m = *s.module();
  return {{"status", std::string(to_string(s.status))},
          {"flags", flags_json(s.flags)},
          {"digest_algorithm", s.digest_algorithm},
          {"signature_algorithm", m.signature_algorithm},
          {"signer", {{"subject", safe(s.signer.subject)},
                      {"issuer", safe(s.signer.issuer)},
                      {"serial_number", s.signer.serial_hex},
                      {"subject_key_id", m.subject_key_id_hex}}},
          {"certificates_embedded", m.certificates_embedded},
          {"signed_size", m.signed_size},
          {"key_source", safe(m.key_source)},
          {"key_source_kind", m.key_source_kind},
          {"errors", errors_json(s.errors)}};
}

ordered_json macho_signature_json(const verify::Signature& s) {
  const verify::MachODetails& m = *s.macho();
  ordered_json chain = ordered_json::array();
  for (const auto& c : s.chain) chain.push_back(safe(c.subject_cn));
  ordered_json j{{"slice", m.slice},
                 {"status", std::string(to_string(s.status))},
                 {"flags", flags_json(s.flags)},
                 {"kind", std::string(verify::to_string(m.kind))},
                 {"signing_id", safe(m.identifier)},
                 {"team_id", safe(m.team_id)},
                 {"code_directory_flags", m.flag_names},
                 {"cdhash", m.cdhash},
                 {"hash_type", s.digest_algorithm},
                 {"has_entitlements", m.has_entitlements},
                 {"signer", {{"common_name", safe(s.signer.subject_cn)},
                             {"organization", safe(s.signer.subject_o)},
                             {"organizational_unit", safe(s.signer.subject_ou)},
                             {"issuer", safe(s.signer.issuer)},
                             {"chain", chain}}},
                 {"errors", errors_json(s.errors)}};
  if (m.first_bad_page) j["first_bad_page"] = *m.first_bad_page;
  if (s.timestamp) j["timestamp"] = *s.timestamp;
  if (!s.verification_time_source.empty()) j["verification_time_source"] = s.verification_time_source;
  if (!s.anchor_set.empty()) j["anchor_set"] = s.anchor_set;
  if (!m.unverified_special_slots.empty()) j["unverified_special_slots"] = m.unverified_special_slots;
  return j;
}

bool is_authenticode(const verify::Signature& s) {
  return s.source == verify::SignatureSource::Embedded || s.source == verify::SignatureSource::Catalog;
}

/// The ECS identity fields of the signature that stands for the file.
void add_ecs_identity(const verify::Signature& s, ordered_json& j) {
  if (const verify::MachODetails* m = s.macho()) {
    if (!m->identifier.empty()) j["signing_id"] = safe(m->identifier);
    if (!m->team_id.empty()) j["team_id"] = safe(m->team_id);
  }
  // Authenticode names a signer and a digest even when they are empty; the other kinds only when
  // they have one.
  const bool authenticode = is_authenticode(s);
  if (auto name = ecs_subject_name(s)) j["subject_name"] = std::move(*name);
  const std::string& digest = s.catalog() ? s.catalog()->listed_algorithm : s.digest_algorithm;
  if (!digest.empty() || authenticode) j["digest_algorithm"] = digest;
  if (s.timestamp) j["timestamp"] = *s.timestamp;
  if (authenticode) {
    if (!s.signer.thumbprint_sha256.empty()) j["thumbprint_sha256"] = s.signer.thumbprint_sha256;
    j["source"] = *ecs_source(s);
  }
  if (const verify::CatalogDetails* c = s.catalog()) j["catalog"] = safe(c->catalog_path);
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

ordered_json code_signature_ecs(const record::FileRecord& r) {
  const verify::SignatureVerdict& v = r.signature;
  if (!v.applies) return nullptr;
  ordered_json j{{"exists", v.exists}};
  if (!v.exists) return j;
  j["valid"] = v.integrity;
  j["trusted"] = v.status == verify::SignatureStatus::Valid;
  j["status"] = std::string(to_string(v.status));
  j["flags"] = flags_json(v.flags);
  if (const verify::Signature* primary = r.primary_signature()) add_ecs_identity(*primary, j);
  return j;
}

void add_signature_details(const record::FileRecord& r, ordered_json& t) {
  using verify::SignatureSource;
  const verify::FileSignatures& own = r.signatures;
  auto of = [&](SignatureSource source) {
    std::vector<const verify::Signature*> out;
    for (const verify::Signature& s : own.signatures)
      if (s.source == source) out.push_back(&s);
    return out;
  };
  if (own.was_checked(SignatureSource::Embedded)) {
    const auto embedded = of(SignatureSource::Embedded);
    ordered_json sigs = ordered_json::array();
    for (const verify::Signature* s : embedded) sigs.push_back(authenticode_signature_json(*s));
    ordered_json j;
    // Hashes are absent when the headers are too broken to define the signed range.
    if (own.authentihash && !own.authentihash->sha1.empty()) j["hash_sha1"] = own.authentihash->sha1;
    if (own.authentihash && !own.authentihash->sha256.empty()) j["hash_sha256"] = own.authentihash->sha256;
    const verify::Signature* primary = embedded.empty() ? nullptr : embedded.front();
    j.update(ordered_json{{"status", std::string(to_string(primary ? primary->status : verify::SignatureStatus::Unsigned))},
                          {"flags", flags_json(primary ? primary->flags : 0)},
                          {"signatures", sigs},
                          {"warnings", errors_json(own.warnings)}});
    t["authenticode"] = std::move(j);
  }
  if (!r.catalog_signatures.empty()) {
    ordered_json arr = ordered_json::array();
    for (const verify::Signature& c : r.catalog_signatures) arr.push_back(catalog_signature_json(c));
    t["catalog_signatures"] = std::move(arr);
  }
  if (own.was_checked(SignatureSource::Module)) {
    const auto module = of(SignatureSource::Module);
    verify::Signature unsigned_module;
    unsigned_module.source = SignatureSource::Module;
    unsigned_module.status = verify::SignatureStatus::Unsigned;
    unsigned_module.details = verify::ModuleDetails{};
    t["module_signature"] = module_signature_json(module.empty() ? unsigned_module : *module.front());
  }
  if (const auto macho = of(SignatureSource::MachO); !macho.empty()) {
    ordered_json arr = ordered_json::array();
    for (const verify::Signature* s : macho) arr.push_back(macho_signature_json(*s));
    t["macho_signatures"] = arr;
  }
}

}  // namespace trustscan::report
