#include "verify/timestamp.hpp"

#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/ts.h>

#include <algorithm>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "verify/chain.hpp"
#include "verify/openssl_ptr.hpp"
#include "verify/pkcs7_signer.hpp"
#include "verify/x509_util.hpp"

namespace trustscan::verify::detail {

namespace {

using Bytes = std::span<const std::uint8_t>;

constexpr std::string_view kOidRfc3161Timestamp = "1.3.6.1.4.1.311.3.3.1";

/// A certificate stack owning references to the certificates of `a` and `b`.
X509StackPtr merge_certs(STACK_OF(X509) * a, STACK_OF(X509) * b) {
  X509StackPtr out(sk_X509_new_null());
  for (STACK_OF(X509) * s : {a, b}) {
    for (int i = 0; out && s && i < sk_X509_num(s); ++i) {
      X509* cert = sk_X509_value(s, i);
      if (X509_up_ref(cert) != 1) continue;
      if (sk_X509_push(out.get(), cert) <= 0) X509_free(cert);
    }
  }
  return out;
}

struct Timestamp {
  std::optional<std::int64_t> time;
  std::string kind;
  std::string authority;
  std::string anchor_set;  ///< of the TSA chain, once verified
  bool verified = false;
  std::vector<std::string> errors;
};

/// RFC 3161 token in unauthenticated attribute 1.3.6.1.4.1.311.3.3.1 (a CMS SignedData whose
/// content is a TSTInfo with an imprint of the signer's signature value).
Timestamp check_rfc3161(ASN1_TYPE* value, PKCS7* p7, PKCS7_SIGNER_INFO* si,
                        const VerifyContext& ctx) {
  Timestamp ts;
  ts.kind = "rfc3161";
  auto error = [&](std::string m) { ts.errors.push_back("rfc3161 timestamp: " + std::move(m)); };
  const Bytes der = sequence_bytes(value);
  const unsigned char* p = der.data();
  CmsPtr cms(der.empty() ? nullptr
                         : d2i_CMS_ContentInfo(nullptr, &p, static_cast<long>(der.size())));
  ERR_clear_error();
  if (!cms || OBJ_obj2nid(CMS_get0_type(cms.get())) != NID_pkcs7_signed ||
      OBJ_obj2nid(CMS_get0_eContentType(cms.get())) != NID_id_smime_ct_TSTInfo) {
    error("not a CMS SignedData with TSTInfo content");
    return ts;
  }
  // Signature and content digest of the token; the TSA chain is checked below, at genTime.
  const bool signature_ok = CMS_verify(cms.get(), nullptr, nullptr, nullptr, nullptr,
                                       CMS_NO_SIGNER_CERT_VERIFY | CMS_BINARY) == 1;
  ERR_clear_error();
  if (!signature_ok) error("token signature does not verify");

  ASN1_OCTET_STRING** econtent = CMS_get0_content(cms.get());
  const Bytes tst_der = econtent ? bytes_of(*econtent) : Bytes{};
  const unsigned char* q = tst_der.data();
  TsTstInfoPtr tst(
      tst_der.empty() ? nullptr : d2i_TS_TST_INFO(nullptr, &q, static_cast<long>(tst_der.size())));
  ERR_clear_error();
  if (!tst) {
    error("TSTInfo cannot be decoded");
    return ts;
  }
  ts.time = to_unix(TS_TST_INFO_get_time(tst.get()));
  if (!ts.time) error("genTime cannot be decoded");

  TS_MSG_IMPRINT* imprint = TS_TST_INFO_get_msg_imprint(tst.get());
  const EVP_MD* md = imprint ? md_of(TS_MSG_IMPRINT_get_algo(imprint)) : nullptr;
  const auto expected = digest_of(md, bytes_of(si->enc_digest));
  const bool imprint_ok = imprint && expected &&
                          std::ranges::equal(*expected, bytes_of(TS_MSG_IMPRINT_get_msg(imprint)));
  if (!imprint_ok) error("message imprint does not match the signature it timestamps");

  X509StackViewPtr signers(signature_ok ? CMS_get0_signers(cms.get()) : nullptr);
  X509* tsa = signers && sk_X509_num(signers.get()) > 0 ? sk_X509_value(signers.get(), 0) : nullptr;
  if (tsa == nullptr) {
    if (signature_ok) error("TSA certificate not found");
    return ts;
  }
  ts.authority = name_to_string(X509_get_subject_name(tsa));
  if (!signature_ok || !imprint_ok || !ts.time) return ts;

  X509StackPtr cms_certs(CMS_get1_certs(cms.get()));
  X509StackPtr untrusted = merge_certs(cms_certs.get(), p7->d.sign->cert);
  const auto chain =
      verify_chain(ctx.trust, tsa, untrusted.get(), *ts.time, LeafUsage::TimeStamping);
  if (chain.flags & kChainFailureFlags) {
    for (const auto& e : chain.errors) error("TSA chain: " + e);
    return ts;
  }
  ts.anchor_set = chain.anchor_set;
  ts.verified = true;
  return ts;
}

/// Legacy Authenticode timestamp: a PKCS#9 countersignature (a SignerInfo over the signer's
/// signature value) in unauthenticated attribute 1.2.840.113549.1.9.6; its certificates travel
/// in the outer SignedData.
Timestamp check_pkcs9(ASN1_TYPE* value, PKCS7* p7, PKCS7_SIGNER_INFO* si,
                      const VerifyContext& ctx) {
  Timestamp ts;
  ts.kind = "pkcs9";
  auto error = [&](std::string m) {
    ts.errors.push_back("pkcs9 countersignature: " + std::move(m));
  };
  const Bytes der = sequence_bytes(value);
  const unsigned char* p = der.data();
  Pkcs7SignerInfoPtr counter(
      der.empty() ? nullptr : d2i_PKCS7_SIGNER_INFO(nullptr, &p, static_cast<long>(der.size())));
  ERR_clear_error();
  if (!counter) {
    error("cannot be decoded");
    return ts;
  }
  if (ASN1_TYPE* t = PKCS7_get_signed_attribute(counter.get(), NID_pkcs9_signingTime);
      t != nullptr && (t->type == V_ASN1_UTCTIME || t->type == V_ASN1_GENERALIZEDTIME))
    ts.time = to_unix(t->value.utctime);
  if (!ts.time) error("signingTime attribute missing");

  X509* tsa = find_signer_cert(p7->d.sign->cert, counter->issuer_and_serial);
  if (tsa == nullptr) {
    error("countersigner certificate not found");
    return ts;
  }
  ts.authority = name_to_string(X509_get_subject_name(tsa));
  const SignerCheck check =
      check_signer_info(counter.get(), tsa, bytes_of(si->enc_digest), "pkcs9 countersignature");
  ts.errors.insert(ts.errors.end(), check.errors.begin(), check.errors.end());
  if (check.flags != 0 || !ts.time) return ts;

  const auto chain =
      verify_chain(ctx.trust, tsa, p7->d.sign->cert, *ts.time, LeafUsage::TimeStamping);
  if (chain.flags & kChainFailureFlags) {
    for (const auto& e : chain.errors) error("TSA chain: " + e);
    return ts;
  }
  ts.anchor_set = chain.anchor_set;
  ts.verified = true;
  return ts;
}

/// The first verified timestamp, else the first one found (to report it), else none.
Timestamp find_timestamp(PKCS7* p7, PKCS7_SIGNER_INFO* si, const VerifyContext& ctx) {
  std::vector<Timestamp> found;
  for (ASN1_TYPE* v : attribute_values(si->unauth_attr, kOidRfc3161Timestamp))
    found.push_back(check_rfc3161(v, p7, si, ctx));
  const int idx = X509at_get_attr_by_NID(si->unauth_attr, NID_pkcs9_countersignature, -1);
  if (X509_ATTRIBUTE* attr = idx >= 0 ? X509at_get_attr(si->unauth_attr, idx) : nullptr)
    for (int v = 0; v < X509_ATTRIBUTE_count(attr); ++v)
      found.push_back(check_pkcs9(X509_ATTRIBUTE_get0_type(attr, v), p7, si, ctx));
  for (auto& ts : found)
    if (ts.verified) return std::move(ts);
  return found.empty() ? Timestamp{} : std::move(found.front());
}

}  // namespace

std::int64_t evaluate_timestamp(PKCS7* p7, PKCS7_SIGNER_INFO* si, const VerifyContext& ctx,
                                Signature& info) {
  if (p7 == nullptr || !PKCS7_type_is_signed(p7) || p7->d.sign == nullptr || si == nullptr)
    return ctx.now_unix;
  Timestamp ts = find_timestamp(p7, si, ctx);
  ERR_clear_error();
  if (ts.kind.empty()) return ctx.now_unix;

  info.timestamp_kind = ts.kind;
  if (ts.time) info.timestamp = iso8601(*ts.time);
  if (!ts.authority.empty()) info.timestamp_authority = ts.authority;
  // Whether the timestamp is usable depends on the clock only through "not in the future".
  if (ts.verified) info.clock_window.split_at(*ts.time, ctx.now_unix);
  if (ts.verified && *ts.time > ctx.now_unix) {
    ts.verified = false;  // a countersignature from the future proves nothing
    ts.errors.push_back(ts.kind + " timestamp: " + iso8601(*ts.time) +
                        " is later than the verification clock");
  }
  if (!ts.verified) {
    add_flag(info.flags, VerifyFlag::BadTimestamp);
    info.errors.insert(info.errors.end(), ts.errors.begin(), ts.errors.end());
    return ctx.now_unix;
  }
  info.verification_time_source = "timestamp";
  info.timestamp_anchor_set = ts.anchor_set;
  return *ts.time;
}

}  // namespace trustscan::verify::detail
