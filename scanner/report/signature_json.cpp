#include "report/signature_json.hpp"

#include <ctime>

#include "report/text.hpp"

namespace trustscan::report {
namespace {

using nlohmann::ordered_json;
using verify::SignatureStatus;
using verify::VerifyFlag;

std::string safe(std::string_view s) { return utf8_escaped(s); }

ordered_json flags_json(verify::VerifyFlags flags) { return verify::flag_names(flags); }

std::string unix_to_iso(std::int64_t t) {
  auto secs = static_cast<std::time_t>(t);
  std::tm tm{};
  if (!gmtime_r(&secs, &tm)) return {};
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

ordered_json cert_json(const verify::CertInfo& c) {
  return {{"subject", safe(c.subject)},          {"common_name", safe(c.subject_cn)},
          {"organization", safe(c.subject_o)},   {"country", safe(c.subject_c)},
          {"issuer", safe(c.issuer)},            {"serial_number", c.serial_hex},
          {"not_before", c.not_before},          {"not_after", c.not_after},
          {"thumbprint_sha1", c.thumbprint_sha1}, {"thumbprint_sha256", c.thumbprint_sha256}};
}

ordered_json authenticode_signature_json(const verify::SignatureInfo& s) {
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
  if (s.signing_time) j["signing_time"] = *s.signing_time;
  if (s.timestamp) j["timestamp"] = *s.timestamp;
  if (s.timestamp_authority) j["timestamp_authority"] = safe(*s.timestamp_authority);
  if (!s.timestamp_kind.empty()) j["timestamp_kind"] = s.timestamp_kind;
  if (!s.timestamp_anchor_set.empty()) j["timestamp_anchor_set"] = safe(s.timestamp_anchor_set);
  if (!s.program_name.empty()) j["program_name"] = safe(s.program_name);
  if (!s.more_info_url.empty()) j["more_info_url"] = safe(s.more_info_url);
  ordered_json errors = ordered_json::array();
  for (const auto& e : s.errors) errors.push_back(safe(e));
  j["errors"] = errors;
  return j;
}

ordered_json module_signature_json(const verify::ModuleSignatureResult& m) {
  ordered_json errors = ordered_json::array();
  for (const auto& e : m.errors) errors.push_back(safe(e));
  ordered_json j{{"status", std::string(to_string(m.status))},
                 {"flags", flags_json(m.flags)},
                 {"digest_algorithm", m.digest_algorithm},
                 {"signature_algorithm", m.signature_algorithm},
                 {"signer", {{"subject", safe(m.signer.subject)},
                             {"issuer", safe(m.signer.issuer)},
                             {"serial_number", m.signer.serial_hex},
                             {"subject_key_id", m.signer.subject_key_id_hex}}},
                 {"certificates_embedded", m.certificates_embedded},
                 {"signed_size", m.signed_size},
                 {"key_source", safe(m.key_source)},
                 {"key_source_kind", m.key_source_kind},
                 {"errors", errors}};
  return j;
}

ordered_json macho_signature_json(std::size_t slice, const verify::MachOSignatureResult& m) {
  ordered_json errors = ordered_json::array();
  for (const auto& e : m.errors) errors.push_back(safe(e));
  ordered_json chain = ordered_json::array();
  for (const auto& c : m.signer.chain) chain.push_back(safe(c));
  ordered_json j{{"slice", slice},
                 {"status", std::string(to_string(m.status))},
                 {"flags", flags_json(m.flags)},
                 {"kind", std::string(verify::to_string(m.kind))},
                 {"signing_id", safe(m.identifier)},
                 {"team_id", safe(m.team_id)},
                 {"code_directory_flags", m.flag_names},
                 {"cdhash", m.cdhash},
                 {"hash_type", m.hash_type},
                 {"has_entitlements", m.has_entitlements},
                 {"signer", {{"common_name", safe(m.signer.common_name)},
                             {"organization", safe(m.signer.organization)},
                             {"organizational_unit", safe(m.signer.organizational_unit)},
                             {"issuer", safe(m.signer.issuer)},
                             {"chain", chain}}},
                 {"errors", errors}};
  if (m.first_bad_page) j["first_bad_page"] = *m.first_bad_page;
  if (m.timestamp) j["timestamp"] = unix_to_iso(*m.timestamp);
  if (!m.verification_time_source.empty()) j["verification_time_source"] = m.verification_time_source;
  if (!m.anchor_set.empty()) j["anchor_set"] = m.anchor_set;
  if (!m.unverified_special_slots.empty()) j["unverified_special_slots"] = m.unverified_special_slots;
  return j;
}

/// The ECS object from a verdict; the format-specific caller adds identity fields.
ordered_json ecs_base(SignatureStatus status, verify::VerifyFlags flags) {
  bool exists = status != SignatureStatus::Unsigned;
  ordered_json j{{"exists", exists}};
  if (!exists) return j;
  j["valid"] = integrity_ok(status, flags);
  j["trusted"] = status == SignatureStatus::Valid;
  j["status"] = std::string(to_string(status));
  j["flags"] = flags_json(flags);
  return j;
}

}  // namespace

bool integrity_ok(SignatureStatus status, verify::VerifyFlags flags) {
  if (status == SignatureStatus::Unsigned || status == SignatureStatus::Malformed ||
      status == SignatureStatus::UnknownKey)
    return false;
  for (VerifyFlag f : {VerifyFlag::BadDigest, VerifyFlag::BadSignature, VerifyFlag::BadPageHash, VerifyFlag::Malformed})
    if (verify::has_flag(flags, f)) return false;
  return true;
}

const pipeline::CatalogSignature* effective_catalog(const pipeline::FileRecord& r) noexcept {
  if (r.catalog_signatures.empty() || (r.authenticode && r.authenticode->status == SignatureStatus::Valid))
    return nullptr;
  for (const auto& c : r.catalog_signatures)
    if (c.trusted()) return &c;
  if (!r.authenticode || r.authenticode->status == SignatureStatus::Unsigned) return &r.catalog_signatures.front();
  return nullptr;
}

ordered_json code_signature_ecs(const pipeline::FileRecord& r) {
  if (const auto* cat = effective_catalog(r)) {
    const verify::SignatureInfo& s = cat->signature;
    ordered_json j = ecs_base(s.status, s.flags);
    j["subject_name"] = safe(s.signer.subject_cn.empty() ? s.signer.subject_o : s.signer.subject_cn);
    j["digest_algorithm"] = cat->digest_algorithm;
    if (s.timestamp) j["timestamp"] = *s.timestamp;
    if (!s.signer.thumbprint_sha256.empty()) j["thumbprint_sha256"] = s.signer.thumbprint_sha256;
    j["source"] = "catalog";
    j["catalog"] = safe(cat->catalog_path);
    return j;
  }
  if (r.authenticode) {
    const auto& a = *r.authenticode;
    ordered_json j = ecs_base(a.status, a.flags);
    if (const auto* p = a.primary()) {
      j["subject_name"] = safe(p->signer.subject_cn.empty() ? p->signer.subject_o : p->signer.subject_cn);
      j["digest_algorithm"] = p->digest_algorithm;
      if (p->timestamp) j["timestamp"] = *p->timestamp;
      if (!p->signer.thumbprint_sha256.empty()) j["thumbprint_sha256"] = p->signer.thumbprint_sha256;
      j["source"] = "embedded";
    }
    return j;
  }
  if (r.module_signature) {
    const auto& m = *r.module_signature;
    ordered_json j = ecs_base(m.status, m.flags);
    if (m.status != SignatureStatus::Unsigned) {
      std::string who = m.signer.subject.empty() ? m.signer.issuer : m.signer.subject;
      if (!who.empty()) j["subject_name"] = safe(who);
      if (!m.digest_algorithm.empty()) j["digest_algorithm"] = m.digest_algorithm;
    }
    return j;
  }
  if (r.binary && !r.binary->macho_slices.empty()) {
    if (r.macho_signatures.empty()) return {{"exists", false}};
    // Every slice is a program of its own: the file is only as good as its worst slice, and a
    // slice without a signature makes the file unsigned in part (never "trusted").
    auto rank = [](SignatureStatus s) {
      switch (s) {
        case SignatureStatus::Invalid: return 5;
        case SignatureStatus::Malformed: return 4;
        case SignatureStatus::UnknownKey: return 3;
        case SignatureStatus::Unsigned: return 2;
        case SignatureStatus::Untrusted: return 1;
        case SignatureStatus::Valid: break;
      }
      return 0;
    };
    SignatureStatus worst = r.macho_signatures.size() < r.binary->macho_slices.size() ? SignatureStatus::Unsigned
                                                                                      : SignatureStatus::Valid;
    verify::VerifyFlags all_flags = 0;
    bool integrity = worst != SignatureStatus::Unsigned;
    for (const auto& [slice, sig] : r.macho_signatures) {
      if (rank(sig.status) > rank(worst)) worst = sig.status;
      all_flags |= sig.flags;
      integrity = integrity && integrity_ok(sig.status, sig.flags);
    }
    const auto& m = r.macho_signatures.front().second;  // identity: the first signed slice
    ordered_json j{{"exists", true},
                   {"valid", integrity},
                   {"trusted", worst == SignatureStatus::Valid},
                   {"status", std::string(to_string(worst))},
                   {"flags", flags_json(all_flags)}};
    if (!m.identifier.empty()) j["signing_id"] = safe(m.identifier);
    if (!m.team_id.empty()) j["team_id"] = safe(m.team_id);
    if (!m.signer.common_name.empty()) j["subject_name"] = safe(m.signer.common_name);
    if (!m.hash_type.empty()) j["digest_algorithm"] = m.hash_type;
    if (m.timestamp) j["timestamp"] = unix_to_iso(*m.timestamp);
    return j;
  }
  return nullptr;
}

void add_signature_details(const pipeline::FileRecord& r, ordered_json& t) {
  if (r.authenticode) {
    const auto& a = *r.authenticode;
    ordered_json sigs = ordered_json::array();
    for (const auto& s : a.signatures) sigs.push_back(authenticode_signature_json(s));
    ordered_json warnings = ordered_json::array();
    for (const auto& w : a.warnings) warnings.push_back(safe(w));
    ordered_json j;
    // Hashes are absent when the headers are too broken to define the signed range.
    if (!a.hashes.sha1.empty()) j["hash_sha1"] = a.hashes.sha1;
    if (!a.hashes.sha256.empty()) j["hash_sha256"] = a.hashes.sha256;
    j.update(ordered_json{{"status", std::string(to_string(a.status))},
                         {"flags", flags_json(a.flags)},
                         {"signatures", sigs},
                         {"warnings", warnings}});
    t["authenticode"] = std::move(j);
  }
  if (!r.catalog_signatures.empty()) {
    ordered_json arr = ordered_json::array();
    for (const auto& c : r.catalog_signatures) {
      ordered_json j{{"catalog", safe(c.catalog_path)}, {"digest_algorithm", c.digest_algorithm}};
      if (!c.member_file_name.empty()) j["member_file_name"] = safe(c.member_file_name);
      if (c.this_update) j["this_update"] = *c.this_update;
      j["signature"] = authenticode_signature_json(c.signature);
      arr.push_back(std::move(j));
    }
    t["catalog_signatures"] = std::move(arr);
  }
  if (r.module_signature) t["module_signature"] = module_signature_json(*r.module_signature);
  if (!r.macho_signatures.empty()) {
    ordered_json arr = ordered_json::array();
    for (const auto& [slice, m] : r.macho_signatures) arr.push_back(macho_signature_json(slice, m));
    t["macho_signatures"] = arr;
  }
}

}  // namespace trustscan::report
