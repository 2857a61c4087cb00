#include "verify/x509_util.hpp"

#include <openssl/bio.h>
#include <openssl/buffer.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <ctime>

#include "verify/der_reader.hpp"
#include "verify/openssl_ptr.hpp"

namespace trustscan::verify::detail {

std::string to_hex(std::span<const std::uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (std::uint8_t b : bytes) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 0x0F]);
  }
  return out;
}

std::span<const std::uint8_t> bytes_of(const ASN1_STRING* s) noexcept {
  if (s == nullptr || ASN1_STRING_length(s) <= 0) return {};
  return {ASN1_STRING_get0_data(s), static_cast<std::size_t>(ASN1_STRING_length(s))};
}

std::span<const std::uint8_t> sequence_bytes(const ASN1_TYPE* t) noexcept {
  if (t == nullptr || t->type != V_ASN1_SEQUENCE) return {};
  return bytes_of(t->value.sequence);
}

bool oid_is(const ASN1_OBJECT* obj, std::string_view dotted) noexcept {
  if (obj == nullptr) return false;
  std::array<char, 128> buf{};
  const int n = OBJ_obj2txt(buf.data(), static_cast<int>(buf.size()), obj, 1);
  return n > 0 && static_cast<std::size_t>(n) < buf.size() &&
         std::string_view(buf.data(), n) == dotted;
}

std::string oid_text(const ASN1_OBJECT* obj) {
  if (obj == nullptr) return "?";
  std::array<char, 128> buf{};
  const int n = OBJ_obj2txt(buf.data(), static_cast<int>(buf.size()), obj, 1);
  return n > 0 && static_cast<std::size_t>(n) < buf.size() ? std::string(buf.data(), n) : "?";
}

std::string oid_text_der(std::span<const std::uint8_t> whole) {
  const unsigned char* p = whole.data();
  Asn1ObjectPtr obj(whole.empty() ? nullptr : d2i_ASN1_OBJECT(nullptr, &p, static_cast<long>(whole.size())));
  ERR_clear_error();
  return oid_text(obj.get());
}

std::vector<std::string> oid_list(std::span<const std::uint8_t> sequence_contents) {
  std::vector<std::string> out;
  DerReader r(sequence_contents);
  while (auto item = r.next_if(0x06)) out.push_back(oid_text_der(item->whole));
  return out;
}

std::string name_to_string(const X509_NAME* name) {
  if (name == nullptr) return {};
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio) return {};
  // RFC 2253 layout, but keep UTF-8 as UTF-8 instead of \XX escapes.
  const unsigned long flags = (XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) | ASN1_STRFLGS_UTF8_CONVERT;
  if (X509_NAME_print_ex(bio.get(), name, 0, flags) < 0) return {};
  BUF_MEM* mem = nullptr;
  BIO_get_mem_ptr(bio.get(), &mem);
  if (mem == nullptr) return {};
  return std::string(mem->data, std::min<std::size_t>(mem->length, kMaxReportString));
}

std::string name_entry(const X509_NAME* name, int nid) {
  if (name == nullptr) return {};
  const int idx = X509_NAME_get_index_by_NID(name, nid, -1);
  if (idx < 0) return {};
  const ASN1_STRING* value = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, idx));
  unsigned char* utf8 = nullptr;
  const int n = ASN1_STRING_to_UTF8(&utf8, value);
  if (n < 0 || utf8 == nullptr) return {};
  std::string out(reinterpret_cast<const char*>(utf8), std::min<std::size_t>(n, kMaxReportString));
  OPENSSL_free(utf8);
  return out;
}

std::optional<std::int64_t> to_unix(const ASN1_TIME* t) noexcept {
  if (t == nullptr) return std::nullopt;
  std::tm tm{};
  if (ASN1_TIME_to_tm(t, &tm) != 1) return std::nullopt;
  return static_cast<std::int64_t>(timegm(&tm));
}

std::string iso8601(std::int64_t unix_seconds) {
  const std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  if (gmtime_r(&t, &tm) == nullptr) return {};
  std::array<char, 32> buf{};
  const std::size_t n = std::strftime(buf.data(), buf.size(), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return std::string(buf.data(), n);
}

std::string thumbprint(const X509* cert, const EVP_MD* md) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> buf{};
  unsigned int len = 0;
  if (X509_digest(cert, md, buf.data(), &len) != 1) return {};
  return to_hex({buf.data(), len});
}

namespace {

/// WDAC's TBS hash (cert_info.hpp): the tbsCertificate is taken from the certificate's encoding
/// (OpenSSL keeps the bytes as read for it), so a non-canonical encoding hashes as Windows sees it.
std::string tbs_hash(const X509* cert) {
  int md_nid = NID_undef;
  // X509_get_signature_info only reads (it fills a cache OpenSSL keeps per certificate).
  if (X509_get_signature_info(const_cast<X509*>(cert), &md_nid, nullptr, nullptr, nullptr) != 1) return {};
  const EVP_MD* md = EVP_get_digestbynid(md_nid);
  if (md == nullptr) return {};
  unsigned char* der = nullptr;
  const int der_len = i2d_X509(cert, &der);
  if (der_len <= 0 || der == nullptr) return {};
  std::string out;
  DerReader outer({der, static_cast<std::size_t>(der_len)});
  if (const auto certificate = outer.next_if(0x30)) {
    DerReader inner(certificate->value);
    if (const auto tbs = inner.next_if(0x30)) {
      std::array<unsigned char, EVP_MAX_MD_SIZE> buf{};
      unsigned int len = 0;
      if (EVP_Digest(tbs->whole.data(), tbs->whole.size(), buf.data(), &len, md, nullptr) == 1)
        out = to_hex({buf.data(), len});
    }
  }
  OPENSSL_free(der);
  return out;
}

std::string time_string(const ASN1_TIME* t) {
  const auto unix_time = to_unix(t);
  return unix_time ? iso8601(*unix_time) : std::string{};
}

/// certificatePolicies holds a CA/Browser Forum EV policy: 2.23.140.1.3 (EV code signing) or
/// 2.23.140.1.1 (EV TLS, which some EV code-signing CAs also assert).
bool has_ev_policy(const X509* cert) {
  auto* policies = static_cast<CERTIFICATEPOLICIES*>(
      X509_get_ext_d2i(cert, NID_certificate_policies, nullptr, nullptr));
  if (policies == nullptr) return false;
  bool ev = false;
  for (int i = 0; i < sk_POLICYINFO_num(policies) && !ev; ++i) {
    const POLICYINFO* info = sk_POLICYINFO_value(policies, i);
    ev = oid_is(info->policyid, "2.23.140.1.3") || oid_is(info->policyid, "2.23.140.1.1");
  }
  CERTIFICATEPOLICIES_free(policies);
  return ev;
}

/// The dotted OIDs of the EKU extension, at most CertInfo::kMaxEkus.
std::vector<std::string> ekus_of(const X509* cert) {
  std::vector<std::string> out;
  auto* ekus = static_cast<EXTENDED_KEY_USAGE*>(X509_get_ext_d2i(cert, NID_ext_key_usage, nullptr, nullptr));
  ERR_clear_error();
  for (int i = 0; ekus != nullptr && i < sk_ASN1_OBJECT_num(ekus) && out.size() < CertInfo::kMaxEkus; ++i)
    out.push_back(oid_text(sk_ASN1_OBJECT_value(ekus, i)));
  EXTENDED_KEY_USAGE_free(ekus);
  return out;
}

/// The EV and address attributes of a subject (CertInfo's comments).
void subject_details(const X509_NAME* subject, CertInfo& info) {
  info.subject_st = name_entry(subject, NID_stateOrProvinceName);
  info.subject_l = name_entry(subject, NID_localityName);
  info.jurisdiction_c = name_entry(subject, NID_jurisdictionCountryName);
  info.jurisdiction_st = name_entry(subject, NID_jurisdictionStateOrProvinceName);
  info.jurisdiction_l = name_entry(subject, NID_jurisdictionLocalityName);
  info.registration_number = name_entry(subject, NID_serialNumber);
  info.organization_identifier = name_entry(subject, NID_organizationIdentifier);
  info.business_category = name_entry(subject, NID_businessCategory);
}

}  // namespace

CertInfo cert_info(const X509* cert) {
  CertInfo info;
  if (cert == nullptr) return info;
  const X509_NAME* subject = X509_get_subject_name(cert);
  info.subject = name_to_string(subject);
  info.subject_cn = name_entry(subject, NID_commonName);
  info.subject_o = name_entry(subject, NID_organizationName);
  info.subject_ou = name_entry(subject, NID_organizationalUnitName);
  info.subject_c = name_entry(subject, NID_countryName);
  subject_details(subject, info);
  info.ev = has_ev_policy(cert);
  info.issuer = name_to_string(X509_get_issuer_name(cert));
  info.serial_hex = to_hex(bytes_of(X509_get0_serialNumber(cert)));
  info.not_before = time_string(X509_get0_notBefore(cert));
  info.not_after = time_string(X509_get0_notAfter(cert));
  info.thumbprint_sha1 = thumbprint(cert, EVP_sha1());
  info.thumbprint_sha256 = thumbprint(cert, EVP_sha256());
  info.tbs_hash = tbs_hash(cert);
  info.ekus = ekus_of(cert);
  return info;
}

std::string digest_name(const EVP_MD* md) {
  if (md == nullptr) return "unknown";
  std::string name = OBJ_nid2sn(EVP_MD_get_type(md));
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  // OpenSSL calls SHA-1 "SHA1" and SHA-256 "SHA256": already what reports use.
  return name;
}

}  // namespace trustscan::verify::detail
