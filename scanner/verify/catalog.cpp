#include "verify/catalog.hpp"

#include "core/utf16.hpp"

#include <openssl/err.h>
#include <openssl/pkcs7.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <array>

#include "verify/chain.hpp"
#include "verify/der_reader.hpp"
#include "verify/kernel_path.hpp"
#include "verify/openssl_ptr.hpp"
#include "verify/pkcs7_signer.hpp"
#include "verify/timestamp.hpp"
#include "verify/x509_util.hpp"

namespace trustscan::verify {

namespace {

using detail::bytes_of;
using detail::DerItem;
using detail::DerReader;
using detail::oid_is;
using detail::to_hex;
using Bytes = std::span<const std::uint8_t>;

constexpr std::string_view kOidCtl = "1.3.6.1.4.1.311.10.1";

// OID contents octets, compared byte-wise while walking members (no OpenSSL objects per member).
constexpr std::array<std::uint8_t, 10> kDerSpcIndirectData{0x2B, 0x06, 0x01, 0x04, 0x01,
                                                           0x82, 0x37, 0x02, 0x01, 0x04};
constexpr std::array<std::uint8_t, 10> kDerCatNameValue{0x2B, 0x06, 0x01, 0x04, 0x01,
                                                        0x82, 0x37, 0x0C, 0x02, 0x01};
constexpr std::array<std::uint8_t, 5> kDerSha1{0x2B, 0x0E, 0x03, 0x02, 0x1A};
constexpr std::array<std::uint8_t, 9> kDerSha256{0x60, 0x86, 0x48, 0x01, 0x65,
                                                 0x03, 0x04, 0x02, 0x01};
constexpr std::array<std::uint8_t, 9> kDerSha384{0x60, 0x86, 0x48, 0x01, 0x65,
                                                 0x03, 0x04, 0x02, 0x02};
constexpr std::array<std::uint8_t, 9> kDerSha512{0x60, 0x86, 0x48, 0x01, 0x65,
                                                 0x03, 0x04, 0x02, 0x03};
constexpr std::array<std::uint8_t, 8> kDerMd5{0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x02, 0x05};

template <std::size_t N>
bool same(Bytes a, const std::array<std::uint8_t, N>& b) {
  return std::ranges::equal(a, b);
}

std::string digest_name_of(Bytes oid) {
  if (same(oid, kDerSha1)) return "sha1";
  if (same(oid, kDerSha256)) return "sha256";
  if (same(oid, kDerSha384)) return "sha384";
  if (same(oid, kDerSha512)) return "sha512";
  if (same(oid, kDerMd5)) return "md5";
  return "";
}

std::string digest_name_by_size(std::size_t bytes) {
  switch (bytes) {
    case 16: return "md5";
    case 20: return "sha1";
    case 32: return "sha256";
    case 48: return "sha384";
    case 64: return "sha512";
    default: return "";
  }
}

/// UTF-16 to UTF-8 (little-endian unless `big_endian`); stops at a NUL.
std::string utf16le_to_utf8(Bytes b, bool big_endian = false) {
  return utf16_to_utf8(std::as_bytes(b), big_endian ? ByteOrder::Big : ByteOrder::Little, detail::kMaxReportString);
}

/// The hash a UTF-16LE hex tag spells (lower-case), or "" if the tag is not such text.
std::string tag_as_hex_text(Bytes tag) {
  std::string out;
  if (tag.size() < 4 || tag.size() % 2 != 0) return out;
  out.reserve(tag.size() / 2);
  for (std::size_t i = 0; i + 1 < tag.size(); i += 2) {
    const std::uint8_t c = tag[i];
    if (tag[i + 1] != 0) return {};
    if (c == 0) {
      if (i + 2 != tag.size()) return {};  // NUL only at the end
      break;
    }
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))
      out.push_back(static_cast<char>(c));
    else if (c >= 'A' && c <= 'F')
      out.push_back(static_cast<char>(c - 'A' + 'a'));
    else
      return {};
  }
  return out.size() % 2 == 0 ? out : std::string{};
}

/// SpcIndirectDataContent ::= SEQUENCE { data SEQUENCE, messageDigest DigestInfo }
void read_indirect_data(Bytes value_set, CatalogMember& m) {
  DerReader values(value_set);
  auto indirect = values.next_if(0x30);
  if (!indirect) return;
  DerReader fields(indirect->value);
  auto data = fields.next_if(0x30);
  auto digest_info = fields.next_if(0x30);
  if (!data || !digest_info) return;
  DerReader di(digest_info->value);
  auto algorithm = di.next_if(0x30);
  auto digest = di.next_if(0x04);
  if (!algorithm || !digest || digest->value.empty()) return;
  DerReader alg(algorithm->value);
  auto alg_oid = alg.next_if(0x06);
  m.digest_algorithm = alg_oid ? digest_name_of(alg_oid->value) : "";
  if (m.digest_algorithm.empty()) m.digest_algorithm = digest_name_by_size(digest->value.size());
  m.digest_hex = to_hex(digest->value);
}

/// NameValue ::= SEQUENCE { tag BMPString, flags INTEGER, value OCTET STRING (UTF-16LE) }
void read_name_value(Bytes value_set, CatalogMember& m) {
  DerReader values(value_set);
  auto nv = values.next_if(0x30);
  if (!nv) return;
  DerReader fields(nv->value);
  auto name = fields.next_if(0x1E);
  (void)fields.next_if(0x02);
  auto value = fields.next_if(0x04);
  if (!name || !value) return;
  std::string n = utf16le_to_utf8(name->value, /*big_endian=*/true);
  std::string v = utf16le_to_utf8(value->value);
  if (m.file_name.empty() && (n == "File" || n == "file" || n == "FILE")) m.file_name = v;
  m.name_values.emplace_back(std::move(n), std::move(v));
}

/// Every value of an attribute's SET OF, as whole encodings.
std::vector<std::vector<std::uint8_t>> values_of(Bytes value_set) {
  std::vector<std::vector<std::uint8_t>> out;
  DerReader values(value_set);
  while (auto v = values.next()) out.emplace_back(v->whole.begin(), v->whole.end());
  return out;
}

/// TrustedSubject ::= SEQUENCE { subjectIdentifier OCTET STRING, subjectAttributes SET OPTIONAL }
bool read_member(const DerItem& subject, CatalogMember& m, bool keep_attributes) {
  DerReader fields(subject.value);
  auto tag = fields.next_if(0x04);
  if (!tag || tag->value.size() > kMaxMemberTagSize) return false;
  std::string text = tag_as_hex_text(tag->value);
  m.tag = text.empty() ? to_hex(tag->value) : std::move(text);
  if (auto attrs = fields.next_if(0x31)) {
    DerReader list(attrs->value);
    for (std::size_t n = 0; n < kMaxMemberAttributes && !list.empty(); ++n) {
      auto attr = list.next_if(0x30);
      if (!attr) return false;
      DerReader a(attr->value);
      auto type = a.next_if(0x06);
      auto values = a.next_if(0x31);
      if (!type || !values) return false;
      if (same(type->value, kDerSpcIndirectData))
        read_indirect_data(values->value, m);
      else if (same(type->value, kDerCatNameValue))
        read_name_value(values->value, m);
      else if (keep_attributes)
        m.attributes.push_back({detail::oid_text_der(type->whole), values_of(values->value)});
    }
  }
  if (m.digest_hex.empty()) {
    // No SpcIndirectDataContent: the tag is the hash (hex text or, for 12.1.3, raw bytes).
    if (m.tag.size() >= 32 && m.tag.size() <= 128) {
      m.digest_hex = m.tag;
      m.digest_algorithm = digest_name_by_size(m.tag.size() / 2);
    }
  }
  return true;
}

std::optional<std::int64_t> time_of(const DerItem& item) {
  const unsigned char* p = item.whole.data();
  std::unique_ptr<ASN1_TIME, OpensslDeleter<ASN1_TIME_free>> t(
      d2i_ASN1_TIME(nullptr, &p, static_cast<long>(item.whole.size())));
  ERR_clear_error();
  if (!t) return std::nullopt;
  return detail::to_unix(t.get());
}

std::optional<std::string> iso_of(std::optional<std::int64_t> t) {
  return t ? std::optional(detail::iso8601(*t)) : std::nullopt;
}



/// CertificateTrustList ::= SEQUENCE { version INTEGER OPTIONAL, subjectUsage SEQUENCE,
///   listIdentifier OCTET STRING OPTIONAL, sequenceNumber INTEGER OPTIONAL, ctlThisUpdate Time,
///   ctlNextUpdate Time OPTIONAL, subjectAlgorithm AlgorithmIdentifier,
///   trustedSubjects SEQUENCE OF TrustedSubject OPTIONAL, ctlExtensions [0] EXPLICIT OPTIONAL }
/// `fields` = the contents octets of the CTL SEQUENCE.
Result<void> read_ctl(Bytes fields_bytes, Catalog& cat, bool keep_attributes) {
  DerReader fields(fields_bytes);
  (void)fields.next_if(0x02);
  auto usage = fields.next_if(0x30);
  if (!usage) return fail(Errc::Malformed, "CTL: subjectUsage missing");
  cat.subject_usage = detail::oid_list(usage->value);
  if (auto id = fields.next_if(0x04)) cat.list_identifier_hex = to_hex(id->value);
  if (auto sequence = fields.next_if(0x02)) cat.sequence_number_hex = to_hex(sequence->value);
  auto this_update = fields.next_if(0x17);
  if (!this_update) this_update = fields.next_if(0x18);
  if (!this_update) return fail(Errc::Malformed, "CTL: ctlThisUpdate missing");
  cat.this_update_unix = time_of(*this_update);
  cat.this_update = iso_of(cat.this_update_unix);
  auto next_update = fields.next_if(0x17);
  if (!next_update) next_update = fields.next_if(0x18);
  if (next_update) cat.next_update = iso_of(time_of(*next_update));
  auto algorithm = fields.next_if(0x30);
  if (!algorithm) return fail(Errc::Malformed, "CTL: subjectAlgorithm missing");
  DerReader alg(algorithm->value);
  if (auto alg_oid = alg.next_if(0x06)) cat.subject_algorithm = detail::oid_text_der(alg_oid->whole);
  auto subjects = fields.next_if(0x30);
  if (!subjects) return {};  // an empty catalog
  DerReader list(subjects->value);
  while (!list.empty()) {
    if (cat.members.size() >= kMaxCatalogMembers)
      return fail(Errc::TooLarge,
                  "CTL: more than " + std::to_string(kMaxCatalogMembers) + " members");
    auto subject = list.next_if(0x30);
    CatalogMember m;
    if (!subject || !read_member(*subject, m, keep_attributes))
      return fail(Errc::Malformed,
                  "CTL: member " + std::to_string(cat.members.size()) + " cannot be decoded");
    cat.members.push_back(std::move(m));
  }
  return {};
}

// ---------------------------------------------------------------------------------------------
// Signature

/// The PKCS#7 signer check shared with Authenticode (pkcs7_signer.hpp), plus what only a catalog
/// needs: its contentType must be szOID_CTL; the signing time and signed digest are reported.
void check_signer(PKCS7_SIGNER_INFO* si, X509* cert, Bytes content, Signature& info) {
  detail::SignerCheck check = detail::check_signer_info(si, cert, content, "catalog signer");
  info.flags |= check.flags;
  for (auto& e : check.errors) info.errors.push_back(std::move(e));
  const EVP_MD* md = detail::md_of(si->digest_alg);
  if (md != nullptr) {
    info.digest_algorithm = detail::digest_name(md);
    if (EVP_MD_get_type(md) == NID_md5) add_flag(info.flags, VerifyFlag::WeakDigest);
  }
  if (X509at_get_attr_count(si->auth_attr) == 0) return;
  if (ASN1_OCTET_STRING* message_digest = PKCS7_digest_from_attributes(si->auth_attr); message_digest && !check.flags)
    info.signed_digest_hex = to_hex(bytes_of(message_digest));
  if (ASN1_TYPE* ct = PKCS7_get_signed_attribute(si, NID_pkcs9_contentType);
      ct == nullptr || ct->type != V_ASN1_OBJECT || !oid_is(ct->value.object, kOidCtl)) {
    add_flag(info.flags, VerifyFlag::BadSignature);
    info.errors.push_back("catalog signer: contentType attribute is not szOID_CTL");
  }
  if (ASN1_TYPE* t = PKCS7_get_signed_attribute(si, NID_pkcs9_signingTime);
      t != nullptr && (t->type == V_ASN1_UTCTIME || t->type == V_ASN1_GENERALIZEDTIME))
    if (auto when = detail::to_unix(t->value.utctime)) info.signing_time = detail::iso8601(*when);
}

SignatureStatus status_for(VerifyFlags flags) {
  constexpr VerifyFlags kInvalid = flags_of({VerifyFlag::BadDigest, VerifyFlag::BadSignature, VerifyFlag::Expired,
                                             VerifyFlag::NotYetValid, VerifyFlag::NoCodeSigningEku, VerifyFlag::Revoked,
                                             VerifyFlag::ChainError, VerifyFlag::UnknownKey, VerifyFlag::Disallowed});
  if (flags & kInvalid) return SignatureStatus::Invalid;
  if (has_flag(flags, VerifyFlag::UntrustedRoot)) return SignatureStatus::Untrusted;
  return SignatureStatus::Valid;
}

void verify_signature(PKCS7* p7, Bytes content, const VerifyContext& ctx, detail::LeafUsage usage,
                      Signature& info) {
  STACK_OF(PKCS7_SIGNER_INFO)* signers = PKCS7_get_signer_info(p7);
  const int count = signers ? sk_PKCS7_SIGNER_INFO_num(signers) : 0;
  if (count < 1) {
    add_flag(info.flags, VerifyFlag::Malformed);
    info.errors.emplace_back("catalog SignedData has no SignerInfo");
    info.status = SignatureStatus::Malformed;
    return;
  }
  if (count > 1)
    info.errors.push_back("catalog SignedData has " + std::to_string(count) +
                          " SignerInfos; only the first is verified");
  PKCS7_SIGNER_INFO* si = sk_PKCS7_SIGNER_INFO_value(signers, 0);
  X509* cert = detail::find_signer_cert(p7->d.sign->cert, si->issuer_and_serial);
  if (cert == nullptr) {
    add_flag(info.flags, VerifyFlag::UnknownKey);
    info.errors.emplace_back("catalog signer certificate is not included in the catalog");
    if (ctx.trust == nullptr || !ctx.trust->checks_revocation())
      add_flag(info.flags, VerifyFlag::RevocationNotChecked);
  } else {
    info.signer = detail::cert_info(cert);
    check_signer(si, cert, content, info);
  }
  // Microsoft's catalog signing certificates are valid for about a year: the catalog's RFC 3161
  // token or PKCS#9 countersignature decides when its chain is checked, as for Authenticode.
  const std::int64_t at = detail::evaluate_timestamp(p7, si, ctx, info);
  if (cert != nullptr) {
    auto chain = detail::verify_chain(ctx.trust, cert, p7->d.sign->cert, at, usage, ctx.image);
    info.flags |= chain.flags;
    info.errors.insert(info.errors.end(), chain.errors.begin(), chain.errors.end());
    info.chain = std::move(chain.chain);
    info.anchor_set = std::move(chain.anchor_set);
    info.trust_basis = std::move(chain.trust_basis);
    if (info.verification_time_source != "timestamp") info.clock_window.narrow(chain.window);
    if (usage == detail::LeafUsage::CodeSigning) detail::add_kernel_path(ctx.trust, cert, p7->d.sign->cert, at, info);
  }
  info.status = status_for(info.flags);
}

}  // namespace

Result<Catalog> parse_catalog(std::span<const std::byte> der, std::string path,
                              const VerifyContext& ctx, const CtlOptions& options) {
  if (der.size() > kMaxCatalogSize)
    return fail(Errc::TooLarge, path + ": catalog of " + std::to_string(der.size()) +
                                    " bytes exceeds the limit of " +
                                    std::to_string(kMaxCatalogSize));
  if (der.empty()) return fail(Errc::Malformed, path + ": empty catalog file");
  const Bytes bytes{reinterpret_cast<const std::uint8_t*>(der.data()), der.size()};
  const unsigned char* p = bytes.data();
  Pkcs7Ptr p7(d2i_PKCS7(nullptr, &p, static_cast<long>(bytes.size())));
  ERR_clear_error();
  if (!p7) return fail(Errc::Malformed, path + ": not a PKCS#7 structure");
  if (!PKCS7_type_is_signed(p7.get()) || p7->d.sign == nullptr)
    return fail(Errc::Malformed, path + ": PKCS#7 structure is not SignedData");
  PKCS7* contents = p7->d.sign->contents;
  if (contents == nullptr || !oid_is(contents->type, kOidCtl))
    return fail(Errc::Malformed, path + ": signed content is not a Certificate Trust List");
  ASN1_TYPE* other = contents->d.other;
  if (other == nullptr) return fail(Errc::Malformed, path + ": catalog has no content");

  Catalog cat;
  cat.path = std::move(path);
  Bytes ctl_whole;   // the CTL SEQUENCE, tag included
  Bytes signed_content;  // what the signer's messageDigest covers
  if (other->type == V_ASN1_SEQUENCE) {
    // Windows form: the digest covers the contents octets of the SEQUENCE (as Authenticode).
    ctl_whole = detail::sequence_bytes(other);
    DerReader r(ctl_whole);
    auto seq = r.next_if(0x30);
    if (!seq) return fail(Errc::Malformed, cat.path + ": CTL cannot be decoded");
    signed_content = seq->value;
  } else if (other->type == V_ASN1_OCTET_STRING) {
    // CMS form: the octets are the signed content; they hold either the CTL SEQUENCE or (as some
    // signing tools write it) its contents octets.
    signed_content = bytes_of(other->value.octet_string);
    ctl_whole = signed_content;
    cat.warnings.emplace_back("CTL is wrapped in an OCTET STRING (not the form Windows writes)");
  } else {
    return fail(Errc::Malformed, cat.path + ": catalog content has an unexpected type");
  }

  Bytes ctl_fields;
  {
    DerReader r(ctl_whole);
    auto seq = r.next_if(0x30);
    if (seq && r.empty()) {
      ctl_fields = seq->value;
    } else if (other->type == V_ASN1_OCTET_STRING) {
      ctl_fields = ctl_whole;  // bare contents octets
    } else {
      return fail(Errc::Malformed, cat.path + ": CTL cannot be decoded");
    }
  }
  if (auto ok = read_ctl(ctl_fields, cat, options.keep_attributes); !ok)
    return fail(ok.error().code, cat.path + ": " + ok.error().message);

  cat.signature.source = SignatureSource::Catalog;
  cat.signature.verification_time_source = "scan_time";
  if (options.root_list) {
    VerifyContext at_list_date = ctx;
    if (cat.this_update_unix) at_list_date.now_unix = *cat.this_update_unix;
    verify_signature(p7.get(), signed_content, at_list_date, detail::LeafUsage::RootListSigner, cat.signature);
    if (cat.this_update_unix && cat.signature.verification_time_source == "scan_time")
      cat.signature.verification_time_source = "this_update";
  } else {
    verify_signature(p7.get(), signed_content, ctx, detail::LeafUsage::CodeSigning, cat.signature);
  }
  ERR_clear_error();
  return cat;
}

// ---------------------------------------------------------------------------------------------
// Index

CatalogIndex::CatalogIndex(std::vector<Catalog> catalogs) : catalogs_(std::move(catalogs)) {
  std::size_t total = 0;
  for (const Catalog& c : catalogs_) total += c.members.size();
  entries_.reserve(total);
  keys_.reserve(total + total / 8);
  for (const Catalog& c : catalogs_) {
    for (const CatalogMember& m : c.members) {
      const auto index = static_cast<std::uint32_t>(entries_.size());
      entries_.push_back(CatalogEntry{&c, &m});
      if (!m.digest_hex.empty()) keys_.emplace_back(m.digest_hex, index);
      if (!m.tag.empty() && m.tag != m.digest_hex) keys_.emplace_back(m.tag, index);
    }
  }
  std::ranges::sort(keys_);
}

std::vector<const CatalogEntry*> CatalogIndex::lookup(std::string_view hash_hex) const {
  std::string key(hash_hex);
  for (char& ch : key)
    if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
  std::vector<const CatalogEntry*> out;
  auto it = std::ranges::lower_bound(keys_, std::pair<std::string_view, std::uint32_t>(key, 0));
  for (; it != keys_.end() && it->first == key; ++it) out.push_back(&entries_[it->second]);
  return out;
}

std::vector<Signature> catalog_signatures(const AuthenticodeHashes& hashes, const CatalogIndex& index) {
  std::vector<Signature> out;
  if (index.size() == 0) return out;
  for (const auto& [hash, algorithm] : {std::pair{&hashes.sha256, "sha256"}, std::pair{&hashes.sha1, "sha1"}}) {
    if (hash->empty()) continue;
    for (const CatalogEntry* e : index.lookup(*hash)) {
      if (std::ranges::any_of(out, [&](const Signature& s) { return s.catalog()->catalog_path == e->path(); }))
        continue;
      Signature& s = out.emplace_back(e->catalog->signature);
      s.details = CatalogDetails{e->path(), algorithm, e->member->file_name, e->catalog->this_update};
    }
  }
  return out;
}

}  // namespace trustscan::verify
