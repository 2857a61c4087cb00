#include "verify/authenticode.hpp"

#include "core/bytes.hpp"
#include "core/utf16.hpp"

#include <openssl/err.h>
#include <openssl/pkcs7.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <array>
#include <string_view>

#include "verify/authentihash_impl.hpp"
#include "verify/chain.hpp"
#include "verify/der_reader.hpp"
#include "verify/kernel_path.hpp"
#include "verify/openssl_ptr.hpp"
#include "verify/pkcs7_signer.hpp"
#include "verify/timestamp.hpp"
#include "verify/x509_util.hpp"

namespace trustscan::verify {

namespace {

using detail::attribute_values;
using detail::DerReader;
using detail::md_of;
using detail::oid_is;
using detail::oid_text;
using detail::sequence_bytes;
using detail::to_hex;
using Bytes = std::span<const std::uint8_t>;

// Microsoft Authenticode object identifiers ("Windows Authenticode Portable Executable Signature
// Format"; OpenSSL has no NIDs for them).
constexpr std::string_view kOidSpcIndirectData = "1.3.6.1.4.1.311.2.1.4";
constexpr std::string_view kOidSpcPeImageData = "1.3.6.1.4.1.311.2.1.15";
constexpr std::string_view kOidSpcSpOpusInfo = "1.3.6.1.4.1.311.2.1.12";
constexpr std::string_view kOidNestedSignature = "1.3.6.1.4.1.311.2.4.1";

constexpr std::uint16_t kWinCertTypePkcsSignedData = 0x0002;
constexpr std::size_t kWinCertHeaderSize = 8;

/// A signature found in the file, parsed but not yet verified.
struct Candidate {
  Signature info = [] {
    Signature s;
    s.verification_time_source = "scan_time";
    return s;
  }();
  Pkcs7Ptr p7;                          ///< owns everything the raw pointers below point into
  PKCS7_SIGNER_INFO* signer = nullptr;  ///< the (first) SignerInfo
  const EVP_MD* image_md = nullptr;     ///< SpcIndirectDataContent digest algorithm
  std::vector<std::uint8_t> signed_digest;
  Bytes content;  ///< SpcIndirectDataContent contents octets
  bool malformed = false;

  void fail(std::string message) {
    malformed = true;
    add_flag(info.flags, VerifyFlag::Malformed);
    info.errors.push_back(std::move(message));
  }
};

// ---------------------------------------------------------------------------------------------
// Attributes

X509_ATTRIBUTE* find_attribute(const STACK_OF(X509_ATTRIBUTE) * attrs, std::string_view oid) {
  const int n = X509at_get_attr_count(attrs);
  for (int i = 0; i < n; ++i) {
    X509_ATTRIBUTE* attr = X509at_get_attr(attrs, i);
    if (oid_is(X509_ATTRIBUTE_get0_object(attr), oid)) return attr;
  }
  return nullptr;
}


// ---------------------------------------------------------------------------------------------
// SpcSpOpusInfo strings

/// BMPString (UTF-16BE) to UTF-8; unpaired surrogates become U+FFFD; stops at a NUL.
std::string bmp_to_utf8(Bytes b) {
  return utf16_to_utf8(std::as_bytes(b), ByteOrder::Big, detail::kMaxReportString);
}

/// IA5String to UTF-8: 7-bit by definition; anything else becomes '?'; stops at a NUL.
std::string ia5_to_utf8(Bytes b) {
  std::string out;
  for (std::uint8_t c : b) {
    if (c == 0 || out.size() >= detail::kMaxReportString) break;
    out.push_back(c < 0x80 ? static_cast<char>(c) : '?');
  }
  return out;
}

/// SpcString ::= CHOICE { unicode [0] IMPLICIT BMPString, ascii [1] IMPLICIT IA5String }
std::string spc_string(Bytes choice) {
  DerReader r(choice);
  auto item = r.next();
  if (!item) return {};
  if (item->tag == 0x80) return bmp_to_utf8(item->value);
  if (item->tag == 0x81) return ia5_to_utf8(item->value);
  return {};
}

/// SpcSpOpusInfo ::= SEQUENCE { programName [0] EXPLICIT SpcString OPTIONAL,
///                              moreInfo    [1] EXPLICIT SpcLink   OPTIONAL }
/// SpcLink ::= CHOICE { url [0] IMPLICIT IA5String, moniker [1] ..., file [2] EXPLICIT SpcString }
void read_opus_info(Bytes der, Signature& info) {
  DerReader outer(der);
  auto seq = outer.next_if(0x30);
  if (!seq) return;
  DerReader fields(seq->value);
  if (auto name = fields.next_if(0xA0)) info.program_name = spc_string(name->value);
  if (auto more = fields.next_if(0xA1)) {
    DerReader link(more->value);
    if (auto item = link.next()) {
      if (item->tag == 0x80)
        info.more_info_url = ia5_to_utf8(item->value);
      else if (item->tag == 0xA2)
        info.more_info_url = spc_string(item->value);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Parsing

/// Parses one PKCS#7 SignedData holding an SpcIndirectDataContent, then its nested signatures.
/// `consumed` (when given) receives how many bytes of `der` the PKCS#7 occupies (0 if unparsable).
void parse_signed_data(Bytes der, int parent, int depth, std::vector<Candidate>& out,
                       std::vector<std::string>& warnings, std::size_t* consumed = nullptr) {
  if (out.size() >= kMaxSignatures) {
    warnings.push_back("more than " + std::to_string(kMaxSignatures) +
                       " signatures: the rest were not verified");
    return;
  }
  Candidate c;
  c.info.index = static_cast<int>(out.size());
  c.info.nested = parent >= 0;
  c.info.parent_index = parent;

  const unsigned char* p = der.data();
  c.p7.reset(der.empty() ? nullptr : d2i_PKCS7(nullptr, &p, static_cast<long>(der.size())));
  ERR_clear_error();
  if (consumed != nullptr) *consumed = c.p7 ? static_cast<std::size_t>(p - der.data()) : 0;
  [&] {
    if (!c.p7) return c.fail("signature is not a PKCS#7 structure");
    if (!PKCS7_type_is_signed(c.p7.get()) || c.p7->d.sign == nullptr)
      return c.fail("PKCS#7 structure is not SignedData");
    PKCS7* contents = c.p7->d.sign->contents;
    if (contents == nullptr || !oid_is(contents->type, kOidSpcIndirectData))
      return c.fail("signed content is not SpcIndirectDataContent");

    // SpcIndirectDataContent ::= SEQUENCE { data SpcAttributeTypeAndOptionalValue,
    //                                       messageDigest DigestInfo }
    DerReader whole(sequence_bytes(contents->d.other));
    auto indirect = whole.next_if(0x30);
    if (!indirect) return c.fail("SpcIndirectDataContent cannot be decoded");
    c.content = indirect->value;  // messageDigest covers the contents octets only
    DerReader fields(indirect->value);
    auto data = fields.next_if(0x30);
    auto digest_info = fields.next_if(0x30);
    if (!data || !digest_info) return c.fail("SpcIndirectDataContent cannot be decoded");

    DerReader data_fields(data->value);
    auto type = data_fields.next_if(0x06);
    const unsigned char* q = type ? type->whole.data() : nullptr;
    Asn1ObjectPtr type_oid(
        type ? d2i_ASN1_OBJECT(nullptr, &q, static_cast<long>(type->whole.size())) : nullptr);
    if (!type_oid) return c.fail("SpcIndirectDataContent cannot be decoded");
    // NOTE: Debian's fwupdx64.efi.signed names 1.3.6.1.4.1.311.2.1.21 here instead of
    // SpcPeImageData. shim and osslsigncode only compare the digest, so do we; say so.
    if (!oid_is(type_oid.get(), kOidSpcPeImageData))
      warnings.push_back("signature " + std::to_string(c.info.index) +
                         ": SpcIndirectDataContent type is " + oid_text(type_oid.get()) +
                         ", not SpcPeImageData; only its digest is used");

    DerReader di(digest_info->value);
    auto algorithm = di.next_if(0x30);
    auto digest = di.next_if(0x04);
    if (!algorithm || !digest) return c.fail("DigestInfo cannot be decoded");
    q = algorithm->whole.data();
    X509AlgorPtr algor(d2i_X509_ALGOR(nullptr, &q, static_cast<long>(algorithm->whole.size())));
    c.image_md = md_of(algor.get());
    if (c.image_md == nullptr)
      return c.fail("unsupported image digest algorithm " +
                    (algor ? oid_text(algor->algorithm) : std::string("?")));
    c.info.digest_algorithm = detail::digest_name(c.image_md);
    c.signed_digest.assign(digest->value.begin(), digest->value.end());
    c.info.signed_digest_hex = to_hex(digest->value);
    if (c.signed_digest.size() != static_cast<std::size_t>(EVP_MD_get_size(c.image_md)))
      return c.fail("signed image digest has the wrong length");

    STACK_OF(PKCS7_SIGNER_INFO)* signers = PKCS7_get_signer_info(c.p7.get());
    const int count = signers ? sk_PKCS7_SIGNER_INFO_num(signers) : 0;
    if (count < 1) return c.fail("SignedData has no SignerInfo");
    if (count > 1)
      c.info.errors.push_back("SignedData has " + std::to_string(count) +
                              " SignerInfos; only the first is verified");
    c.signer = sk_PKCS7_SIGNER_INFO_value(signers, 0);
  }();
  ERR_clear_error();

  const std::size_t my_index = out.size();
  out.push_back(std::move(c));
  PKCS7_SIGNER_INFO* si = out[my_index].signer;
  if (si == nullptr) return;
  for (ASN1_TYPE* value : attribute_values(si->unauth_attr, kOidNestedSignature)) {
    if (depth + 1 > kMaxNestingDepth) {
      warnings.push_back("nested signatures deeper than " + std::to_string(kMaxNestingDepth) +
                         " levels were not verified");
      break;
    }
    parse_signed_data(sequence_bytes(value), static_cast<int>(my_index), depth + 1, out, warnings);
  }
}

/// CVE-2013-3900: content hidden in a WIN_CERTIFICATE after its signature, where no hash covers
/// it. Up to 7 zero bytes are the entry's alignment (signers count them in dwLength); more, or
/// any non-zero byte, set CertificatePadding on the signatures parsed from the entry.
void check_padding(Bytes content, std::size_t consumed, const std::string& where,
                   std::span<Candidate> parsed) {
  if (consumed == 0 || consumed >= content.size() || parsed.empty()) return;
  const Bytes slack = content.subspan(consumed);
  const bool zeros = std::ranges::all_of(slack, [](std::uint8_t b) { return b == 0; });
  if (slack.size() < 8 && zeros) return;
  const std::string message = where + ": " + std::to_string(slack.size()) + " bytes" +
                              (zeros ? "" : ", not all zero,") +
                              " after the signature inside the entry (certificate padding, CVE-2013-3900)";
  for (Candidate& c : parsed) {
    add_flag(c.info.flags, VerifyFlag::CertificatePadding);
    c.info.errors.push_back(message);
  }
}

/// Appends a candidate that stands for an unusable part of the certificate table.
void add_malformed(std::vector<Candidate>& out, std::string message) {
  Candidate c;
  c.info.index = static_cast<int>(out.size());
  c.fail(std::move(message));
  out.push_back(std::move(c));
}

/// Walks the WIN_CERTIFICATE entries of the certificate table (at most kMaxCertificateTableSize).
void parse_certificate_table(Bytes table, std::vector<Candidate>& out,
                             std::vector<std::string>& warnings) {
  auto malformed_entry = [&](std::string message) { add_malformed(out, std::move(message)); };
  std::size_t pos = 0;
  int entry = 0;
  while (table.size() - pos >= kWinCertHeaderSize && out.size() < kMaxSignatures) {
    // WIN_CERTIFICATE: dwLength, wRevision, wCertificateType (inside: the loop condition).
    const std::uint32_t length = read_le<std::uint32_t>(table, pos).value_or(0);
    const std::uint16_t type = read_le<std::uint16_t>(table, pos + 6).value_or(0);
    const std::string where = "WIN_CERTIFICATE entry " + std::to_string(entry);
    if (length < kWinCertHeaderSize || length > table.size() - pos) {
      malformed_entry(where + ": length " + std::to_string(length) + " does not fit the table");
      return;
    }
    if (type == kWinCertTypePkcsSignedData) {
      const Bytes content = table.subspan(pos + kWinCertHeaderSize, length - kWinCertHeaderSize);
      const std::size_t first = out.size();
      std::size_t consumed = 0;
      parse_signed_data(content, -1, 0, out, warnings, &consumed);
      check_padding(content, consumed, where, std::span(out).subspan(first));
    } else {
      malformed_entry(where + ": unsupported certificate type " + std::to_string(type));
    }
    // Entries are 8-byte aligned (the padding is not part of dwLength).
    const std::size_t advance = (static_cast<std::size_t>(length) + 7) & ~std::size_t{7};
    if (advance >= table.size() - pos) break;
    pos += advance;
    ++entry;
  }
  if (out.size() >= kMaxSignatures && table.size() - pos >= kWinCertHeaderSize)
    warnings.push_back("more than " + std::to_string(kMaxSignatures) +
                       " signatures: the rest were not verified");
  if (out.empty()) malformed_entry("certificate table holds no WIN_CERTIFICATE entry");
}

// ---------------------------------------------------------------------------------------------
// Verification

SignatureStatus status_for(VerifyFlags flags, bool malformed, bool strict_padding) {
  if (malformed) return SignatureStatus::Malformed;
  constexpr VerifyFlags kInvalid = flags_of({VerifyFlag::BadDigest, VerifyFlag::BadSignature, VerifyFlag::Expired,
                                             VerifyFlag::NotYetValid, VerifyFlag::NoCodeSigningEku, VerifyFlag::Revoked,
                                             VerifyFlag::ChainError, VerifyFlag::UnknownKey, VerifyFlag::BadPageHash,
                                             VerifyFlag::TrailingData, VerifyFlag::Disallowed});
  if (flags & kInvalid) return SignatureStatus::Invalid;
  if (strict_padding && has_flag(flags, VerifyFlag::CertificatePadding)) return SignatureStatus::Invalid;
  if (has_flag(flags, VerifyFlag::UntrustedRoot)) return SignatureStatus::Untrusted;
  return SignatureStatus::Valid;
}

void verify_candidate(Candidate& c, const std::vector<std::uint8_t>* computed,
                      const VerifyContext& ctx) {
  Signature& info = c.info;
  if (c.malformed || c.signer == nullptr) {
    info.status = SignatureStatus::Malformed;
    return;
  }
  auto add_errors = [&](const std::vector<std::string>& errors) {
    info.errors.insert(info.errors.end(), errors.begin(), errors.end());
  };

  // 1. The file's image digest.
  if (computed == nullptr) {
    add_flag(info.flags, VerifyFlag::BadDigest);
    info.errors.emplace_back("image digest could not be computed");
  } else {
    info.computed_digest_hex = to_hex(*computed);
    if (!std::ranges::equal(*computed, c.signed_digest)) {
      add_flag(info.flags, VerifyFlag::BadDigest);
      info.errors.emplace_back("file digest does not match the signed digest");
    }
  }

  // 2. The signer.
  PKCS7* p7 = c.p7.get();
  PKCS7_SIGNER_INFO* si = c.signer;
  X509* cert = detail::find_signer_cert(p7->d.sign->cert, si->issuer_and_serial);
  if (cert == nullptr) {
    add_flag(info.flags, VerifyFlag::UnknownKey);
    info.errors.emplace_back("signer certificate is not included in the signature");
  } else {
    info.signer = detail::cert_info(cert);
  }
  if (ASN1_TYPE* ct = PKCS7_get_signed_attribute(si, NID_pkcs9_contentType);
      ct == nullptr || ct->type != V_ASN1_OBJECT ||
      !oid_is(ct->value.object, kOidSpcIndirectData)) {
    add_flag(info.flags, VerifyFlag::BadSignature);
    info.errors.emplace_back("contentType attribute is not SpcIndirectDataContent");
  }
  if (cert != nullptr) {
    const detail::SignerCheck check = detail::check_signer_info(si, cert, c.content, "signer");
    info.flags |= check.flags;
    add_errors(check.errors);
  }
  if (ASN1_TYPE* t = PKCS7_get_signed_attribute(si, NID_pkcs9_signingTime);
      t != nullptr && (t->type == V_ASN1_UTCTIME || t->type == V_ASN1_GENERALIZEDTIME))
    if (auto when = detail::to_unix(t->value.utctime)) info.signing_time = detail::iso8601(*when);
  if (X509_ATTRIBUTE* opus = find_attribute(si->auth_attr, kOidSpcSpOpusInfo);
      opus != nullptr && X509_ATTRIBUTE_count(opus) > 0)
    read_opus_info(sequence_bytes(X509_ATTRIBUTE_get0_type(opus, 0)), info);
  const EVP_MD* signer_md = md_of(si->digest_alg);
  if (EVP_MD_get_type(c.image_md) == NID_md5 ||
      (signer_md && EVP_MD_get_type(signer_md) == NID_md5))
    add_flag(info.flags, VerifyFlag::WeakDigest);

  // 3. Timestamp, which decides the verification time (timestamp.hpp).
  const std::int64_t at = detail::evaluate_timestamp(p7, si, ctx, info);

  // 4. Chain to an anchor at that time.
  if (cert != nullptr) {
    auto chain = detail::verify_chain(ctx.trust, cert, p7->d.sign->cert, at, detail::LeafUsage::CodeSigning, ctx.image);
    info.flags |= chain.flags;
    add_errors(chain.errors);
    info.chain = std::move(chain.chain);
    info.anchor_set = std::move(chain.anchor_set);
    info.trust_basis = std::move(chain.trust_basis);
    if (info.verification_time_source != "timestamp") info.clock_window.narrow(chain.window);
    detail::add_kernel_path(ctx.trust, cert, p7->d.sign->cert, at, info);
  } else if (ctx.trust == nullptr || !ctx.trust->checks_revocation()) {
    add_flag(info.flags, VerifyFlag::RevocationNotChecked);
  }
  info.status = status_for(info.flags, false, ctx.strict_padding);
}

/// Reads the certificate table (read with pread for a file read on demand; `storage` keeps it)
/// and parses its entries; flags data after it on every signature.
void read_certificate_table(const ByteSource& file, const parse::PeLayout& layout, std::vector<std::byte>& storage,
                            std::vector<Candidate>& candidates, std::vector<std::string>& warnings) {
  const auto& table = layout.certificate_table;
  if (table.size > kMaxCertificateTableSize) {
    add_malformed(candidates, "certificate table of " + std::to_string(table.size) + " bytes exceeds the limit of " +
                                  std::to_string(kMaxCertificateTableSize));
    return;
  }
  auto bytes = file.read(table.offset, static_cast<std::size_t>(table.size), storage);
  if (!bytes) {
    add_malformed(candidates, "certificate table cannot be read: " + bytes.error().message);
    return;
  }
  parse_certificate_table({reinterpret_cast<const std::uint8_t*>(bytes->data()), bytes->size()}, candidates, warnings);
  // Unsigned content appended to a signed file: every signature of the file is concerned.
  const std::uint64_t after = file.size() - (table.offset + table.size);
  for (Candidate& c : after != 0 ? std::span(candidates) : std::span<Candidate>{}) {
    add_flag(c.info.flags, VerifyFlag::TrailingData);
    c.info.errors.push_back(std::to_string(after) + " bytes after the certificate table, outside every hashed range");
  }
}

}  // namespace

AuthenticodeResult verify_authenticode(const ByteSource& file, const parse::PeLayout& layout,
                                       const VerifyContext& ctx) {
  AuthenticodeResult result;
  const bool declares_table =
      layout.certificate_table.size != 0 && layout.certificate_table.offset != 0;

  auto ranges = detail::image_ranges(file.size(), layout);
  std::vector<Candidate> candidates;
  if (!ranges) {
    result.warnings.push_back(ranges.error().message);
    if (declares_table) {
      Candidate c;
      c.fail(ranges.error().message);
      c.info.status = SignatureStatus::Malformed;
      result.signatures.push_back(std::move(c.info));
    }
    return result;
  }

  std::vector<std::byte> table_storage;  // the candidates' SpcIndirectDataContent views point into it
  if (ranges->has_certificate_table) read_certificate_table(file, layout, table_storage, candidates, result.warnings);

  // One pass over the file for SHA-256, SHA-1 when wanted and every other algorithm a signature
  // names. (SHA-1 without a table: as much CPU time as SHA-256 over the whole file, for nothing
  // but catalogs and block lists; VerifyContext::image_sha1.)
  const bool sha1 = ctx.image_sha1 || declares_table;
  std::vector<const EVP_MD*> mds{EVP_sha256()};
  if (sha1) mds.push_back(EVP_sha1());
  for (const Candidate& c : candidates)
    if (c.image_md != nullptr && std::none_of(mds.begin(), mds.end(), [&](const EVP_MD* md) {
          return EVP_MD_get_type(md) == EVP_MD_get_type(c.image_md);
        }))
      mds.push_back(c.image_md);
  auto digests = detail::image_digests(file, *ranges, mds);
  if (digests) {
    result.hashes = {sha1 ? to_hex((*digests)[1]) : std::string(), to_hex((*digests)[0])};
  } else {
    result.warnings.push_back(digests.error().message);
  }

  for (Candidate& c : candidates) {
    const std::vector<std::uint8_t>* computed = nullptr;
    for (std::size_t i = 0; digests && c.image_md && i < mds.size(); ++i)
      if (EVP_MD_get_type(mds[i]) == EVP_MD_get_type(c.image_md)) computed = &(*digests)[i];
    verify_candidate(c, computed, ctx);
    result.signatures.push_back(std::move(c.info));
  }
  candidates.clear();  // frees the PKCS#7 structures
  ERR_clear_error();   // leave OpenSSL's thread-local error queue as we found it
  return result;
}

}  // namespace trustscan::verify
