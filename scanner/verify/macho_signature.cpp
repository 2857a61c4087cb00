#include "verify/macho_signature.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <climits>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <iterator>

#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/ts.h>
#include <openssl/x509v3.h>

#include "verify/certificate_file.hpp"
#include "verify/chain.hpp"
#include "verify/modsig_x509.hpp"
#include "verify/openssl_ptr.hpp"

namespace trustscan::verify {
namespace {

// Blob magics and SuperBlob slot types (xnu osfmk/kern/cs_blobs.h).
constexpr std::uint32_t kSuperBlob = 0xfade0cc0;
constexpr std::uint32_t kCodeDirectory = 0xfade0c02;
constexpr std::uint32_t kRequirements = 0xfade0c01;
constexpr std::uint32_t kEntitlements = 0xfade7171;
constexpr std::uint32_t kDerEntitlements = 0xfade7172;
constexpr std::uint32_t kBlobWrapper = 0xfade0b01;
constexpr std::uint32_t kSlotCodeDirectory = 0;
constexpr std::uint32_t kSlotRequirements = 2;
constexpr std::uint32_t kSlotEntitlements = 5;
constexpr std::uint32_t kSlotDerEntitlements = 7;
constexpr std::uint32_t kSlotAlternateFirst = 0x1000;
constexpr std::uint32_t kSlotAlternateLast = 0x1004;
constexpr std::uint32_t kSlotSignature = 0x10000;

constexpr std::uint32_t kCsAdhoc = 0x2;
constexpr std::uint32_t kCsLinkerSigned = 0x20000;

/// Bounds on what a SuperBlob may declare (real ones have < 10 blobs and CDs of a few MiB).
constexpr std::uint32_t kMaxBlobs = 64;
constexpr std::uint32_t kMaxSpecialSlots = 64;
constexpr std::size_t kMaxIdentifier = 1024;
constexpr std::size_t kMaxEntitlements = std::size_t{64} * 1024;
/// LC_CODE_SIGNATURE data larger than this is not read (a 512 MiB slice has ~6 MiB of hashes).
constexpr std::uint64_t kMaxSignatureData = std::uint64_t{32} << 20;

// Apple certificate-extension markers (Apple PKI CPS): Developer ID Application leaf, Mac App Store,
// development certificates, Apple software signing.
constexpr const char* kOidDeveloperIdApplication = "1.2.840.113635.100.6.1.13";
constexpr const char* kOidMacAppStore = "1.2.840.113635.100.6.1.9";
constexpr const char* kOidMacDevelopment = "1.2.840.113635.100.6.1.12";
constexpr const char* kOidIphoneDevelopment = "1.2.840.113635.100.6.1.2";
constexpr const char* kOidAppleSoftwareSigning = "1.2.840.113635.100.6.22";
// Signed attributes listing every CodeDirectory hash.
constexpr const char* kOidCdHashesPlist = "1.2.840.113635.100.9.1";
constexpr const char* kOidCdHashesDer = "1.2.840.113635.100.9.2";

std::uint32_t be32(std::span<const std::byte> b, std::size_t off) noexcept {
  return std::to_integer<std::uint32_t>(b[off]) << 24 | std::to_integer<std::uint32_t>(b[off + 1]) << 16 |
         std::to_integer<std::uint32_t>(b[off + 2]) << 8 | std::to_integer<std::uint32_t>(b[off + 3]);
}
std::uint64_t be64(std::span<const std::byte> b, std::size_t off) noexcept {
  return std::uint64_t{be32(b, off)} << 32 | be32(b, off + 4);
}

struct HashKind {
  const char* name;
  const char* evp;    // OpenSSL algorithm name
  std::size_t size;   // bytes stored per slot
  int rank;           // higher is stronger, picks the "best" CodeDirectory
};
std::optional<HashKind> hash_kind(std::uint8_t type) {
  switch (type) {
    case 1: return HashKind{"sha1", "SHA1", 20, 1};
    case 2: return HashKind{"sha256", "SHA256", 32, 3};
    case 3: return HashKind{"sha256_truncated", "SHA256", 20, 2};
    case 4: return HashKind{"sha384", "SHA384", 48, 4};
    default: return std::nullopt;
  }
}

using EvpMdPtr = std::unique_ptr<EVP_MD, OpensslDeleter<EVP_MD_free>>;

/// Hashes with one fetched algorithm and one reused context (a fetch per page would dominate).
class Hasher {
 public:
  explicit Hasher(const char* algorithm) : md_(EVP_MD_fetch(nullptr, algorithm, nullptr)), ctx_(EVP_MD_CTX_new()) {}
  [[nodiscard]] bool ok() const noexcept { return md_ && ctx_; }
  /// Full digest of `data`; empty on failure.
  std::vector<unsigned char> digest(std::span<const std::byte> data) {
    begin();
    update(data);
    return finish();
  }
  /// Starts a digest fed piece by piece (update) and ended by finish().
  void begin() { good_ = ok() && EVP_DigestInit_ex(ctx_.get(), md_.get(), nullptr) == 1; }
  void update(std::span<const std::byte> data) {
    good_ = good_ && EVP_DigestUpdate(ctx_.get(), data.data(), data.size()) == 1;
  }
  /// The digest since begin(); empty on failure.
  std::vector<unsigned char> finish() {
    std::vector<unsigned char> out(EVP_MAX_MD_SIZE);
    unsigned int len = 0;
    if (!good_ || EVP_DigestFinal_ex(ctx_.get(), out.data(), &len) != 1) return {};
    out.resize(len);
    return out;
  }

 private:
  EvpMdPtr md_;
  EvpMdCtxPtr ctx_;
  bool good_ = false;
};

/// A NUL-terminated string at `off` inside `blob`, bounded; nullopt if unterminated.
std::optional<std::string> c_string(std::span<const std::byte> blob, std::size_t off) {
  if (off >= blob.size()) return std::nullopt;
  const std::size_t limit = std::min(blob.size() - off, kMaxIdentifier);
  const auto* start = reinterpret_cast<const char*>(blob.data() + off);
  const void* nul = std::memchr(start, 0, limit);
  if (nul == nullptr) return std::nullopt;
  return std::string(start, static_cast<const char*>(nul));
}

/// A CodeDirectory as parsed, with where its hashes are.
struct ParsedCd {
  MachOCodeDirectory info;
  std::span<const std::byte> blob;
  HashKind kind{};
  std::size_t hash_offset = 0;
};

Result<ParsedCd> parse_code_directory(std::span<const std::byte> blob, std::uint32_t slot, std::uint64_t slice_size) {
  ParsedCd cd;
  cd.blob = blob;
  cd.info.slot = slot;
  if (blob.size() < 44) return fail(Errc::Malformed, "CodeDirectory shorter than its header");
  auto& i = cd.info;
  i.version = be32(blob, 8);
  i.flags = be32(blob, 12);
  const std::uint32_t hash_offset = be32(blob, 16);
  const std::uint32_t ident_offset = be32(blob, 20);
  i.special_slots = be32(blob, 24);
  i.code_slots = be32(blob, 28);
  i.code_limit = be32(blob, 32);
  const auto hash_size = std::to_integer<std::uint8_t>(blob[36]);
  const auto hash_type = std::to_integer<std::uint8_t>(blob[37]);
  i.platform = std::to_integer<std::uint8_t>(blob[38]);
  const auto page_log2 = std::to_integer<std::uint8_t>(blob[39]);
  const auto kind = hash_kind(hash_type);
  if (!kind) return fail(Errc::Unsupported, "CodeDirectory hash type " + std::to_string(hash_type) + " is unknown");
  if (hash_size != kind->size)
    return fail(Errc::Malformed, "CodeDirectory hash size " + std::to_string(hash_size) + " does not match its type");
  cd.kind = *kind;
  i.hash_type = kind->name;
  if (page_log2 >= 32) return fail(Errc::Malformed, "CodeDirectory page size 2^" + std::to_string(page_log2));
  i.page_size = page_log2 == 0 ? 0 : std::uint32_t{1} << page_log2;
  if (i.version >= 0x20300 && blob.size() >= 64) {
    if (const std::uint64_t limit64 = be64(blob, 56); limit64 != 0) i.code_limit = limit64;
  }
  if (i.special_slots > kMaxSpecialSlots) return fail(Errc::Malformed, "too many special slots");
  // The hashes lie at [hash_offset - special*size, hash_offset + code*size) inside the blob.
  const std::uint64_t before = std::uint64_t{i.special_slots} * hash_size;
  const std::uint64_t after = std::uint64_t{i.code_slots} * hash_size;
  if (hash_offset < before || hash_offset > blob.size() || after > blob.size() - hash_offset)
    return fail(Errc::Malformed, "CodeDirectory hash slots lie outside the blob");
  cd.hash_offset = hash_offset;
  if (i.code_limit > slice_size) return fail(Errc::Malformed, "CodeDirectory codeLimit is beyond the slice");
  const std::uint64_t expected_slots =
      i.page_size == 0 ? (i.code_limit > 0 ? 1 : 0) : (i.code_limit + i.page_size - 1) / i.page_size;
  if (expected_slots != i.code_slots)
    return fail(Errc::Malformed, "CodeDirectory has " + std::to_string(i.code_slots) + " code slots for " +
                                     std::to_string(expected_slots) + " pages");
  auto ident = c_string(blob, ident_offset);
  if (!ident) return fail(Errc::Malformed, "CodeDirectory identifier is not terminated inside the blob");
  i.identifier = std::move(*ident);
  if (i.version >= 0x20200 && blob.size() >= 52) {
    if (const std::uint32_t team_offset = be32(blob, 48); team_offset != 0) {
      auto team = c_string(blob, team_offset);
      if (!team) return fail(Errc::Malformed, "CodeDirectory team ID is not terminated inside the blob");
      i.team_id = std::move(*team);
    }
  }
  return cd;
}

/// Checks every code page hash over [slice_offset, slice_offset + codeLimit) of `file`, streaming
/// the pages (in chunks for a file read on demand); fills page_hashes_ok / first_bad_page.
/// Errc::Io when the file cannot be read.
Result<void> check_pages(ParsedCd& cd, const ByteSource& file, std::uint64_t slice_offset, Hasher& hasher) {
  auto& i = cd.info;
  i.page_hashes_ok = true;
  const std::uint64_t page = i.page_size == 0 ? i.code_limit : i.page_size;
  if (i.code_slots == 0 || page == 0) return {};
  std::uint32_t n = 0;       // the page being hashed
  std::uint64_t filled = 0;  // its bytes hashed so far
  auto page_done = [&] {
    const auto got = hasher.finish();
    const auto* want = reinterpret_cast<const unsigned char*>(cd.blob.data() + cd.hash_offset + n * cd.kind.size);
    if (i.page_hashes_ok && (got.size() < cd.kind.size || std::memcmp(got.data(), want, cd.kind.size) != 0)) {
      i.page_hashes_ok = false;
      i.first_bad_page = n;
    }
    ++n;
    filled = 0;
    hasher.begin();
  };
  hasher.begin();
  auto fed = for_each_chunk(file, slice_offset, slice_offset + i.code_limit, [&](std::span<const std::byte> piece) {
    while (!piece.empty() && i.page_hashes_ok) {
      const auto take = static_cast<std::size_t>(std::min<std::uint64_t>(piece.size(), page - filled));
      hasher.update(piece.first(take));
      filled += take;
      piece = piece.subspan(take);
      if (filled == page) page_done();
    }
    return i.page_hashes_ok;  // after the first bad page, the rest of the slice is not read
  });
  if (!fed) return std::unexpected(fed.error());
  if (filled != 0 && i.page_hashes_ok) page_done();  // the last, shorter page
  return {};
}

/// Special slot `k` (1-based) of a CodeDirectory, or an empty span if it has fewer.
std::span<const std::byte> special_slot(const ParsedCd& cd, std::uint32_t k) {
  if (k == 0 || k > cd.info.special_slots) return {};
  return cd.blob.subspan(cd.hash_offset - std::size_t{k} * cd.kind.size, cd.kind.size);
}

bool all_zero(std::span<const std::byte> s) {
  return std::ranges::all_of(s, [](std::byte b) { return b == std::byte{0}; });
}

std::int64_t to_unix(const ASN1_TIME* t) {
  std::tm tm{};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) return 0;
  return static_cast<std::int64_t>(timegm(&tm));
}

bool has_extension(X509* cert, const char* oid) {
  ASN1_OBJECT* obj = OBJ_txt2obj(oid, 1);
  if (obj == nullptr) return false;
  const bool found = X509_get_ext_by_OBJ(cert, obj, -1) >= 0;
  ASN1_OBJECT_free(obj);
  return found;
}

MachOSignatureKind classify_signer(X509* leaf) {
  const std::string cn = modsig::name_entry(X509_get_subject_name(leaf), NID_commonName);
  if (has_extension(leaf, kOidDeveloperIdApplication) || cn.starts_with("Developer ID Application"))
    return MachOSignatureKind::DeveloperId;
  if (has_extension(leaf, kOidMacAppStore) || cn.starts_with("Apple Mac OS Application Signing"))
    return MachOSignatureKind::AppStore;
  if (has_extension(leaf, kOidMacDevelopment) || has_extension(leaf, kOidIphoneDevelopment) ||
      cn.starts_with("Apple Development") || cn.starts_with("Mac Developer"))
    return MachOSignatureKind::Development;
  if (has_extension(leaf, kOidAppleSoftwareSigning) ||
      (modsig::name_entry(X509_get_subject_name(leaf), NID_organizationName) == "Apple Inc." &&
       cn == "Software Signing"))
    return MachOSignatureKind::Apple;
  return MachOSignatureKind::Other;
}

/// A fresh store holding the anchors, checking at `when` (per call: X509_STORE params are shared
/// state, so a per-call store keeps concurrent verifications independent).
X509StorePtr make_store(const MachOTrustAnchors& anchors, std::int64_t when) {
  X509StorePtr store(X509_STORE_new());
  if (!store) return store;
  for (std::size_t i = 0; i < anchors.size(); ++i) X509_STORE_add_cert(store.get(), anchors.certificate(i));
  X509_VERIFY_PARAM_set_time(X509_STORE_get0_param(store.get()), static_cast<time_t>(when));
  return store;
}

/// The hashes (full length) the CMS signed attributes list for the CodeDirectories, from the
/// DER attribute (100.9.2: SEQUENCE {hash OID, OCTET STRING}) or else the plist (100.9.1:
/// base64 <data> of truncated 20-byte cdhashes). Empty if neither is present.
std::vector<std::vector<unsigned char>> signed_cdhashes(CMS_SignerInfo* si) {
  std::vector<std::vector<unsigned char>> out;
  ASN1_OBJECT* der_oid = OBJ_txt2obj(kOidCdHashesDer, 1);
  ASN1_OBJECT* plist_oid = OBJ_txt2obj(kOidCdHashesPlist, 1);
  // Apple writes one attribute with one value per CodeDirectory; accept repeated attributes too.
  for (int idx = der_oid ? CMS_signed_get_attr_by_OBJ(si, der_oid, -1) : -1; idx >= 0;
       idx = CMS_signed_get_attr_by_OBJ(si, der_oid, idx)) {
    X509_ATTRIBUTE* attr = CMS_signed_get_attr(si, idx);
    for (int v = 0; v < X509_ATTRIBUTE_count(attr); ++v) {
      const ASN1_TYPE* t = X509_ATTRIBUTE_get0_type(attr, v);
      if (t == nullptr || t->type != V_ASN1_SEQUENCE) continue;
      const unsigned char* p = t->value.sequence->data;
      STACK_OF(ASN1_TYPE)* seq = d2i_ASN1_SEQUENCE_ANY(nullptr, &p, t->value.sequence->length);
      if (seq == nullptr) continue;
      if (sk_ASN1_TYPE_num(seq) == 2 && sk_ASN1_TYPE_value(seq, 1)->type == V_ASN1_OCTET_STRING) {
        const ASN1_OCTET_STRING* h = sk_ASN1_TYPE_value(seq, 1)->value.octet_string;
        const unsigned char* d = ASN1_STRING_get0_data(h);
        out.emplace_back(d, d + ASN1_STRING_length(h));
      }
      sk_ASN1_TYPE_pop_free(seq, ASN1_TYPE_free);
    }
  }
  if (const int pidx = out.empty() && plist_oid ? CMS_signed_get_attr_by_OBJ(si, plist_oid, -1) : -1; pidx >= 0) {
    const ASN1_TYPE* t = X509_ATTRIBUTE_get0_type(CMS_signed_get_attr(si, pidx), 0);
    if (t != nullptr && t->type == V_ASN1_OCTET_STRING) {
      const std::string_view xml(reinterpret_cast<const char*>(ASN1_STRING_get0_data(t->value.octet_string)),
                                 static_cast<std::size_t>(ASN1_STRING_length(t->value.octet_string)));
      for (std::size_t pos = 0; (pos = xml.find("<data>", pos)) != std::string_view::npos;) {
        const std::size_t end = xml.find("</data>", pos);
        if (end == std::string_view::npos) break;
        std::string b64;
        for (char c : xml.substr(pos + 6, end - pos - 6))
          if (!std::isspace(static_cast<unsigned char>(c))) b64.push_back(c);
        std::vector<unsigned char> raw(b64.size() / 4 * 3 + 3);
        const int n = EVP_DecodeBlock(raw.data(), reinterpret_cast<const unsigned char*>(b64.data()),
                                      static_cast<int>(b64.size()));
        if (n > 0) {
          // EVP_DecodeBlock counts '=' padding as zero bytes: drop them.
          std::size_t len = static_cast<std::size_t>(n);
          for (auto it = b64.rbegin(); it != b64.rend() && *it == '=' && len > 0; ++it) --len;
          raw.resize(len);
          out.push_back(std::move(raw));
        }
        pos = end;
      }
    }
  }
  ASN1_OBJECT_free(der_oid);
  ASN1_OBJECT_free(plist_oid);
  return out;
}

/// Verifies Apple's RFC 3161 timestamp (unsigned attribute id-aa-timeStampToken) over the
/// signer's signature value; returns its genTime when it verifies to an anchor.
/// `window` is split at its genTime: whether it lies in the future is all that depends on `now`.
std::optional<std::int64_t> verified_timestamp(CMS_SignerInfo* si, const MachOTrustAnchors& anchors,
                                               std::int64_t now, std::vector<std::string>& errors,
                                               ClockWindow& window) {
  const int idx = CMS_unsigned_get_attr_by_NID(si, NID_id_smime_aa_timeStampToken, -1);
  if (idx < 0) return std::nullopt;
  const ASN1_TYPE* t = X509_ATTRIBUTE_get0_type(CMS_unsigned_get_attr(si, idx), 0);
  if (t == nullptr || t->type != V_ASN1_SEQUENCE) {
    errors.push_back("timestamp attribute is not a SEQUENCE");
    return std::nullopt;
  }
  const unsigned char* p = t->value.sequence->data;
  Pkcs7Ptr token(d2i_PKCS7(nullptr, &p, t->value.sequence->length));
  if (!token) {
    errors.push_back("timestamp token does not parse: " + modsig::take_openssl_errors());
    return std::nullopt;
  }
  std::unique_ptr<TS_TST_INFO, OpensslDeleter<TS_TST_INFO_free>> info(PKCS7_to_TS_TST_INFO(token.get()));
  if (!info) {
    errors.push_back("timestamp token has no TSTInfo: " + modsig::take_openssl_errors());
    return std::nullopt;
  }
  const std::int64_t gen_time = to_unix(TS_TST_INFO_get_time(info.get()));
  // As for Authenticode: an undecodable or future genTime is no evidence of when it was signed.
  if (gen_time == 0) {
    errors.push_back("timestamp genTime cannot be decoded");
    return std::nullopt;
  }
  window.split_at(gen_time, now);
  if (gen_time > now) {
    errors.push_back("timestamp genTime lies after the verification time; ignored");
    return std::nullopt;
  }
  // The TSA certificate is checked at the time it signed (as every timestamp verifier does).
  X509StorePtr store = make_store(anchors, gen_time);
  std::unique_ptr<TS_VERIFY_CTX, OpensslDeleter<TS_VERIFY_CTX_free>> ctx(TS_VERIFY_CTX_new());
  ASN1_OCTET_STRING* sig = CMS_SignerInfo_get0_signature(si);
  BioPtr data(sig ? BIO_new_mem_buf(ASN1_STRING_get0_data(sig), ASN1_STRING_length(sig)) : nullptr);
  if (!store || !ctx || !data) return std::nullopt;
  TS_VERIFY_CTX_set_flags(ctx.get(), TS_VFY_VERSION | TS_VFY_SIGNATURE | TS_VFY_DATA);
  TS_VERIFY_CTX_set_store(ctx.get(), store.release());  // the context owns them from here
  TS_VERIFY_CTX_set_data(ctx.get(), data.release());
  if (TS_RESP_verify_token(ctx.get(), token.get()) != 1) {
    errors.push_back("timestamp does not verify: " + modsig::take_openssl_errors());
    return std::nullopt;
  }
  return gen_time;
}

/// Apple marks its certificate-type extensions (arc 1.2.840.113635.100.6, e.g. .1.13 "Developer ID
/// Application") critical; OpenSSL does not know them. The chain is built with
/// X509_V_FLAG_IGNORE_CRITICAL and this check then refuses any *other* unknown critical extension.
std::string unknown_critical_extension(STACK_OF(X509)* chain) {
  static constexpr std::string_view kAppleArc = "1.2.840.113635.100.6.";
  for (int i = 0; chain != nullptr && i < sk_X509_num(chain); ++i) {
    X509* cert = sk_X509_value(chain, i);
    for (int e = 0; e < X509_get_ext_count(cert); ++e) {
      X509_EXTENSION* ext = X509_get_ext(cert, e);
      if (!X509_EXTENSION_get_critical(ext) || X509_supported_extension(ext)) continue;
      char oid[80];
      const int n = OBJ_obj2txt(oid, sizeof oid, X509_EXTENSION_get_object(ext), 1);
      if (n <= 0 || !std::string_view(oid).starts_with(kAppleArc)) return n > 0 ? std::string(oid) : "?";
    }
  }
  return {};
}

/// True when the signed messageDigest attribute exists and differs from the digest of `content`
/// (the CodeDirectory changed after signing), as opposed to a bad signature over the attributes.
bool message_digest_differs(CMS_SignerInfo* si, std::span<const std::byte> content) {
  const auto* md = static_cast<const ASN1_OCTET_STRING*>(
      CMS_signed_get0_data_by_OBJ(si, OBJ_nid2obj(NID_pkcs9_messageDigest), -3, V_ASN1_OCTET_STRING));
  X509_ALGOR* alg = nullptr;
  CMS_SignerInfo_get0_algs(si, nullptr, nullptr, &alg, nullptr);
  if (md == nullptr || alg == nullptr) return false;
  const ASN1_OBJECT* obj = nullptr;
  X509_ALGOR_get0(&obj, nullptr, nullptr, alg);
  char name[80];
  if (OBJ_obj2txt(name, sizeof name, obj, 0) <= 0) return false;
  Hasher h(name);
  const auto got = h.digest(content);
  return !got.empty() && (got.size() != static_cast<std::size_t>(ASN1_STRING_length(md)) ||
                          std::memcmp(got.data(), ASN1_STRING_get0_data(md), got.size()) != 0);
}

void set_flag_from_chain_error(Signature& r, int err) {
  switch (err) {
    case X509_V_ERR_CERT_HAS_EXPIRED: add_flag(r.flags, VerifyFlag::Expired); break;
    case X509_V_ERR_CERT_NOT_YET_VALID: add_flag(r.flags, VerifyFlag::NotYetValid); break;
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE: add_flag(r.flags, VerifyFlag::UntrustedRoot); break;
    case X509_V_ERR_CERT_REVOKED: add_flag(r.flags, VerifyFlag::Revoked); break;
    default: add_flag(r.flags, VerifyFlag::ChainError); break;
  }
}

/// The one SignerInfo of `cms`, with its digest algorithm and signing time recorded in r; nullptr
/// (and r says why) when the CMS is not a SignedData with exactly one signer.
CMS_SignerInfo* signer_info(Signature& r, MachODetails& d, CMS_ContentInfo* cms) {
  if (OBJ_obj2nid(CMS_get0_type(cms)) != NID_pkcs7_signed) {
    add_flag(r.flags, VerifyFlag::Malformed);
    r.errors.push_back("CMS signature does not parse: " + modsig::take_openssl_errors());
    return nullptr;
  }
  STACK_OF(CMS_SignerInfo)* infos = CMS_get0_SignerInfos(cms);
  if (infos == nullptr || sk_CMS_SignerInfo_num(infos) != 1) {
    add_flag(r.flags, VerifyFlag::Malformed);
    r.errors.push_back("CMS signature must have exactly one SignerInfo");
    return nullptr;
  }
  CMS_SignerInfo* si = sk_CMS_SignerInfo_value(infos, 0);
  X509_ALGOR* digest = nullptr;
  CMS_SignerInfo_get0_algs(si, nullptr, nullptr, &digest, nullptr);
  if (digest != nullptr) {
    const ASN1_OBJECT* obj = nullptr;
    X509_ALGOR_get0(&obj, nullptr, nullptr, digest);
    d.cms_digest_algorithm = OBJ_nid2sn(OBJ_obj2nid(obj));
    std::ranges::transform(d.cms_digest_algorithm, d.cms_digest_algorithm.begin(),
                           [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  }
  if (const int st = CMS_signed_get_attr_by_NID(si, NID_pkcs9_signingTime, -1); st >= 0) {
    const ASN1_TYPE* t = X509_ATTRIBUTE_get0_type(CMS_signed_get_attr(si, st), 0);
    if (t != nullptr && (t->type == V_ASN1_UTCTIME || t->type == V_ASN1_GENERALIZEDTIME))
      r.signing_time = detail::iso8601(to_unix(t->value.utctime));
  }
  return si;
}

/// The signer's certificate among the embedded ones, named in r.signer (reported even when the
/// signature fails); nullptr (status UnknownKey) when the CMS does not carry it.
X509* name_signer(Signature& r, MachODetails& d, CMS_SignerInfo* si, STACK_OF(X509) * embedded) {
  X509* leaf = nullptr;
  for (int i = 0; embedded && i < sk_X509_num(embedded); ++i)
    if (CMS_SignerInfo_cert_cmp(si, sk_X509_value(embedded, i)) == 0) leaf = sk_X509_value(embedded, i);
  if (leaf == nullptr) {
    r.status = SignatureStatus::UnknownKey;
    add_flag(r.flags, VerifyFlag::UnknownKey);
    r.errors.push_back("the CMS signature does not carry its signer's certificate");
    return nullptr;
  }
  r.signer = detail::cert_info(leaf);
  d.kind = classify_signer(leaf);
  return leaf;
}

/// 1. The signature (and messageDigest attribute) over the bytes of CodeDirectory 0; 2. every
/// alternate CodeDirectory listed in the signed cdhashes attribute. False when 1 fails.
bool verify_code_directories(Signature& r, CMS_ContentInfo* cms, CMS_SignerInfo* si, const std::vector<ParsedCd>& cds) {
  const ParsedCd* cd0 = nullptr;
  for (const auto& cd : cds)
    if (cd.info.slot == kSlotCodeDirectory) cd0 = &cd;
  if (cd0 == nullptr) {
    add_flag(r.flags, VerifyFlag::Malformed);
    r.errors.push_back("CMS present but no CodeDirectory in slot 0");
    return false;
  }
  modsig::BioChainPtr content = modsig::cms_detached_content(cd0->blob);
  const unsigned cms_flags = CMS_BINARY | CMS_NO_SIGNER_CERT_VERIFY;  // chain checked below, for code signing
  if (!content || CMS_verify(cms, nullptr, nullptr, content.get(), nullptr, cms_flags) != 1) {
    const bool digest_mismatch = message_digest_differs(si, cd0->blob);
    add_flag(r.flags, digest_mismatch ? VerifyFlag::BadDigest : VerifyFlag::BadSignature);
    r.errors.push_back(std::string(digest_mismatch ? "CodeDirectory hash differs from the signed one"
                                                   : "CMS signature does not verify") +
                       ": " + modsig::take_openssl_errors());
    return false;
  }
  if (cds.size() > 1) {
    const auto listed = signed_cdhashes(si);
    for (const auto& cd : cds) {
      if (cd.info.slot == kSlotCodeDirectory) continue;
      Hasher h(cd.kind.evp);
      const auto full = h.digest(cd.blob);
      const bool bound = std::ranges::any_of(listed, [&](const std::vector<unsigned char>& l) {
        return !l.empty() && l.size() <= full.size() && std::memcmp(l.data(), full.data(), l.size()) == 0;
      });
      if (!bound) {
        add_flag(r.flags, VerifyFlag::BadDigest);
        r.errors.push_back("alternate CodeDirectory in slot " + std::to_string(cd.info.slot) +
                           " is not bound by the CMS cdhashes attribute");
      }
    }
  }
  return true;
}

/// 3. The signer's chain to an anchor, at the verified timestamp if any, else at `now`, and its
/// code-signing EKU.
void verify_signer_chain(Signature& r, MachODetails& d, CMS_SignerInfo* si, X509* leaf, STACK_OF(X509) * embedded,
                         const MachOTrustAnchors& anchors, std::int64_t now) {
  const auto ts = verified_timestamp(si, anchors, now, r.errors, r.clock_window);
  if (ts) r.timestamp = detail::iso8601(*ts);
  d.verification_time = ts.value_or(now);
  r.verification_time_source = ts ? "timestamp" : "clock";
  if (!ts) {  // checked at the clock: every certificate that could take part bounds the window
    detail::narrow_by_validity(r.clock_window, leaf, now);
    for (int i = 0; embedded && i < sk_X509_num(embedded); ++i)
      detail::narrow_by_validity(r.clock_window, sk_X509_value(embedded, i), now);
    for (std::size_t i = 0; i < anchors.size(); ++i) detail::narrow_by_validity(r.clock_window, anchors.certificate(i), now);
  }
  X509StorePtr store = make_store(anchors, d.verification_time);
  X509StoreCtxPtr ctx(X509_STORE_CTX_new());
  if (!store || !ctx || X509_STORE_CTX_init(ctx.get(), store.get(), leaf, embedded) != 1) {
    add_flag(r.flags, VerifyFlag::ChainError);
    r.errors.push_back("cannot set up chain verification");
    return;
  }
  X509_STORE_CTX_set_flags(ctx.get(), X509_V_FLAG_IGNORE_CRITICAL);
  const bool chained = X509_verify_cert(ctx.get()) == 1;
  STACK_OF(X509)* chain = X509_STORE_CTX_get0_chain(ctx.get());
  if (const std::string oid = unknown_critical_extension(chain); !oid.empty()) {
    add_flag(r.flags, VerifyFlag::ChainError);
    r.errors.push_back("signer chain: unhandled critical extension " + oid);
  }
  for (int i = 0; chain != nullptr && i < sk_X509_num(chain); ++i)
    r.chain.push_back(detail::cert_info(sk_X509_value(chain, i)));
  if (!chained) {
    const int err = X509_STORE_CTX_get_error(ctx.get());
    set_flag_from_chain_error(r, err);
    r.errors.push_back(std::string("signer chain: ") + X509_verify_cert_error_string(err));
  }
  if ((X509_get_extension_flags(leaf) & EXFLAG_XKUSAGE) == 0 || (X509_get_extended_key_usage(leaf) & XKU_CODE_SIGN) == 0) {
    add_flag(r.flags, VerifyFlag::NoCodeSigningEku);
    r.errors.push_back("signer certificate lacks the code-signing extended key usage");
  }
  ERR_clear_error();
}

/// CMS part: signature over CodeDirectory 0, alternate binding, signer chain. Updates r.
void verify_cms(Signature& r, std::span<const std::byte> cms_der, const std::vector<ParsedCd>& cds,
                const MachOTrustAnchors& anchors, std::int64_t now) {
  MachODetails& d = std::get<MachODetails>(r.details);
  const auto* p = reinterpret_cast<const unsigned char*>(cms_der.data());
  CmsPtr cms(cms_der.size() <= INT_MAX ? d2i_CMS_ContentInfo(nullptr, &p, static_cast<long>(cms_der.size())) : nullptr);
  if (!cms) {
    add_flag(r.flags, VerifyFlag::Malformed);
    r.errors.push_back("CMS signature does not parse: " + modsig::take_openssl_errors());
    return;
  }
  CMS_SignerInfo* si = signer_info(r, d, cms.get());
  if (si == nullptr) return;
  X509StackPtr embedded(CMS_get1_certs(cms.get()));
  X509* leaf = name_signer(r, d, si, embedded.get());
  if (leaf == nullptr) return;
  if (!verify_code_directories(r, cms.get(), si, cds)) return;
  verify_signer_chain(r, d, si, leaf, embedded.get(), anchors, now);
}

void add_error(Signature& r, VerifyFlag f, std::string message) {
  add_flag(r.flags, f);
  r.errors.push_back(std::move(message));
}

}  // namespace

// ---------------------------------------------------------------------------------------------

struct MachOTrustAnchors::Impl {
  std::vector<X509Ptr> certs;
};

MachOTrustAnchors::MachOTrustAnchors() : impl_(std::make_unique<Impl>()) {}
MachOTrustAnchors::~MachOTrustAnchors() = default;
MachOTrustAnchors::MachOTrustAnchors(MachOTrustAnchors&&) noexcept = default;
MachOTrustAnchors& MachOTrustAnchors::operator=(MachOTrustAnchors&&) noexcept = default;

Result<std::size_t> MachOTrustAnchors::add(std::span<const std::byte> pem_or_der) {
  auto certs = parse_certificates(pem_or_der, "");
  if (!certs) return std::unexpected(certs.error());
  const std::size_t n = certs->size();
  for (auto& c : *certs) {
    X509_check_purpose(c.get(), -1, 0);  // fill the extension cache while single-threaded
    impl_->certs.push_back(std::move(c));
  }
  return n;
}

Result<MachOTrustAnchors> MachOTrustAnchors::load_directory(const std::filesystem::path& dir) {
  MachOTrustAnchors anchors;
  auto files = list_certificate_files(dir, kCertificateFileExtensions, "Apple anchor");
  if (!files) return std::unexpected(files.error());
  for (const auto& f : *files) {
    auto bytes = read_regular_file(f, kMaxCertificateFileSize);
    if (!bytes) return fail(Errc::Config, bytes.error().message);
    auto added = anchors.add(*bytes);
    if (!added) return fail(Errc::Config, f.string() + ": " + added.error().message);
  }
  if (anchors.size() == 0) return fail(Errc::Config, dir.string() + ": no certificate found");
  return anchors;
}

std::size_t MachOTrustAnchors::size() const noexcept { return impl_ ? impl_->certs.size() : 0; }

std::vector<std::string> MachOTrustAnchors::subjects() const {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < size(); ++i) out.push_back(modsig::name_to_string(X509_get_subject_name(certificate(i))));
  return out;
}

std::string MachOTrustAnchors::fingerprint() const {
  // Each anchor's SHA-256 thumbprint, sorted, hashed again: independent of the load order.
  std::vector<std::string> prints;
  for (std::size_t i = 0; i < size(); ++i) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (X509_digest(certificate(i), EVP_sha256(), md, &len) == 1) prints.push_back(modsig::hex_lower({md, len}));
  }
  if (prints.empty()) return {};
  std::ranges::sort(prints);
  std::string text;
  for (const auto& p : prints) text += p + "\n";
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(text.data(), text.size(), md, &len, EVP_sha256(), nullptr) != 1) return {};
  return modsig::hex_lower({md, len});
}

x509_st* MachOTrustAnchors::certificate(std::size_t index) const noexcept {
  return impl_ && index < impl_->certs.size() ? impl_->certs[index].get() : nullptr;
}

std::vector<std::string> code_directory_flag_names(std::uint32_t flags) {
  static constexpr std::array<std::pair<std::uint32_t, const char*>, 9> kNames{{
      {0x2, "adhoc"},
      {0x100, "hard"},
      {0x200, "kill"},
      {0x400, "expires"},
      {0x800, "restrict"},
      {0x1000, "enforcement"},
      {0x2000, "library_validation"},
      {0x10000, "runtime"},
      {0x20000, "linker_signed"},
  }};
  std::vector<std::string> out;
  std::uint32_t known = 0;
  for (const auto& [bit, name] : kNames) {
    known |= bit;
    if (flags & bit) out.emplace_back(name);
  }
  for (std::uint32_t bit = 1; bit != 0; bit <<= 1) {
    if ((flags & bit) && !(known & bit)) {
      char buf[16];
      std::snprintf(buf, sizeof buf, "0x%x", bit);
      out.emplace_back(buf);
    }
  }
  return out;
}

namespace {

/// The blobs of a SuperBlob that verification reads; spans into the LC_CODE_SIGNATURE data.
struct Blobs {
  std::vector<std::byte> storage;  ///< that data, when it was read from a file read on demand
  std::uint64_t slice_offset = 0;
  std::uint64_t slice_size = 0;
  std::vector<ParsedCd> cds;
  std::span<const std::byte> requirements, entitlements, der_entitlements, cms_wrapper;
  bool have_cms_slot = false;
};

/// Finds the slice and its signature in `file` and reads the SuperBlob's index. A CodeDirectory of
/// an unsupported kind is skipped with a note in `notes`; anything malformed is an error.
Result<Blobs> read_blobs(const ByteSource& file, const MachOSignatureLocation& where, std::vector<std::string>& notes) {
  // Slice and signature ranges, all relative to the file.
  if (where.slice_offset > file.size() || where.slice_size > file.size() - where.slice_offset)
    return fail(Errc::Malformed, "slice lies outside the file");
  if (where.signature_offset < where.slice_offset || where.signature_offset - where.slice_offset > where.slice_size ||
      where.signature_size > where.slice_size - (where.signature_offset - where.slice_offset))
    return fail(Errc::Malformed, "LC_CODE_SIGNATURE data lies outside the slice");
  if (where.signature_size > kMaxSignatureData)
    return fail(Errc::Malformed, "LC_CODE_SIGNATURE data of " + std::to_string(where.signature_size) +
                                     " bytes exceeds the limit of " + std::to_string(kMaxSignatureData));
  Blobs b;
  auto read = file.read(where.signature_offset, static_cast<std::size_t>(where.signature_size), b.storage);
  if (!read) return fail(read.error().code, "LC_CODE_SIGNATURE data cannot be read: " + read.error().message);
  const std::span<const std::byte> sig = *read;  // into the file's bytes or into b.storage (moves keep it)

  // SuperBlob header and index.
  if (sig.size() < 12 || be32(sig, 0) != kSuperBlob) return fail(Errc::Malformed, "no SuperBlob (magic 0xfade0cc0)");
  const std::uint32_t sb_length = be32(sig, 4);
  const std::uint32_t count = be32(sig, 8);
  if (sb_length < 12 || sb_length > sig.size())
    return fail(Errc::Malformed, "SuperBlob length exceeds LC_CODE_SIGNATURE data");
  const auto sb = sig.first(sb_length);
  if (count > kMaxBlobs || 12 + std::uint64_t{count} * 8 > sb.size())
    return fail(Errc::Malformed, "SuperBlob index is too long");

  b.slice_offset = where.slice_offset;
  b.slice_size = where.slice_size;
  std::vector<std::uint32_t> seen_types;
  for (std::uint32_t n = 0; n < count; ++n) {
    const std::uint32_t type = be32(sb, 12 + n * 8);
    // A repeated slot would let an unsigned CodeDirectory (identifier, Team ID, flags) stand
    // beside the one the CMS signs; codesign never writes one.
    if (std::find(seen_types.begin(), seen_types.end(), type) != seen_types.end())
      return fail(Errc::Malformed, "SuperBlob repeats slot " + std::to_string(type));
    seen_types.push_back(type);
    const std::uint32_t offset = be32(sb, 16 + n * 8);
    if (offset > sb.size() || sb.size() - offset < 8)
      return fail(Errc::Malformed, "blob " + std::to_string(n) + " lies outside the SuperBlob");
    const std::uint32_t magic = be32(sb, offset);
    const std::uint32_t length = be32(sb, offset + 4);
    if (length < 8 || length > sb.size() - offset)
      return fail(Errc::Malformed, "blob " + std::to_string(n) + " length is out of bounds");
    const auto blob = sb.subspan(offset, length);
    if (type == kSlotCodeDirectory || (type >= kSlotAlternateFirst && type <= kSlotAlternateLast)) {
      if (magic != kCodeDirectory)
        return fail(Errc::Malformed, "slot " + std::to_string(type) + " is not a CodeDirectory");
      auto cd = parse_code_directory(blob, type, b.slice_size);
      if (!cd) {
        if (cd.error().code == Errc::Unsupported) {  // e.g. a future hash type: skip this one CD
          notes.push_back(cd.error().message);
          continue;
        }
        return fail(Errc::Malformed, cd.error().message);
      }
      b.cds.push_back(std::move(*cd));
    } else if (type == kSlotRequirements && magic == kRequirements) {
      b.requirements = blob;
    } else if (type == kSlotEntitlements && magic == kEntitlements) {
      b.entitlements = blob;
    } else if (type == kSlotDerEntitlements && magic == kDerEntitlements) {
      b.der_entitlements = blob;
    } else if (type == kSlotSignature) {
      if (magic != kBlobWrapper) return fail(Errc::Malformed, "signature slot is not a CMS wrapper blob");
      b.have_cms_slot = true;
      b.cms_wrapper = blob.subspan(8);
    }
  }
  if (b.cds.empty()) return fail(Errc::Malformed, "SuperBlob has no usable CodeDirectory");
  return b;
}

/// Reports the strongest CodeDirectory (what codesign shows as the cdhash).
void describe(Signature& r, MachODetails& d, const ParsedCd& best, const Blobs& b) {
  d.identifier = best.info.identifier;
  d.team_id = best.info.team_id;
  d.code_directory_flags = best.info.flags;
  d.flag_names = code_directory_flag_names(best.info.flags);
  r.digest_algorithm = best.info.hash_type;
  d.has_requirements = !b.requirements.empty();
  d.has_entitlements = !b.entitlements.empty() || !b.der_entitlements.empty();
  if (b.entitlements.size() > 8)
    d.entitlements.assign(reinterpret_cast<const char*>(b.entitlements.data() + 8),
                          std::min(b.entitlements.size() - 8, kMaxEntitlements));
}

/// Checks the special slots of `cd` (requirements, entitlements) against their blobs; for the
/// best CodeDirectory, also notes the slots this verifier cannot check.
void check_special_slots(Signature& r, MachODetails& d, const ParsedCd& cd, bool best, const Blobs& b, Hasher& hasher) {
  const std::pair<std::uint32_t, std::span<const std::byte>> bound[] = {{kSlotRequirements, b.requirements},
                                                                        {kSlotEntitlements, b.entitlements},
                                                                        {kSlotDerEntitlements, b.der_entitlements}};
  for (const auto& [k, blob] : bound) {
    const auto want = special_slot(cd, k);
    if (want.empty()) {
      if (!blob.empty())
        add_error(r, VerifyFlag::BadDigest, "special slot " + std::to_string(k) + " blob is not hashed");
      continue;
    }
    if (blob.empty()) {
      if (!all_zero(want))
        add_error(r, VerifyFlag::BadDigest, "special slot " + std::to_string(k) + " blob is missing");
      continue;
    }
    const auto got = hasher.digest(blob);
    if (got.size() < want.size() || std::memcmp(got.data(), want.data(), want.size()) != 0)
      add_error(r, VerifyFlag::BadDigest, "special slot " + std::to_string(k) + " hash mismatch");
  }
  if (best) {
    if (!all_zero(special_slot(cd, 1))) d.unverified_special_slots.emplace_back("info_plist");
    if (!all_zero(special_slot(cd, 3))) d.unverified_special_slots.emplace_back("resource_directory");
    if (!all_zero(special_slot(cd, 4))) d.unverified_special_slots.emplace_back("application_specific");
  }
}

/// Page hashes and special slots of every CodeDirectory; an error when a hash algorithm is
/// unavailable.
Result<void> check_code_directories(Signature& r, MachODetails& d, const ByteSource& file, Blobs& b,
                                    const ParsedCd& best) {
  for (auto& cd : b.cds) {
    Hasher hasher(cd.kind.evp);
    if (!hasher.ok()) return fail(Errc::Malformed, std::string("hash algorithm unavailable: ") + cd.kind.evp);
    const auto digest = hasher.digest(cd.blob);
    cd.info.cdhash = modsig::hex_lower(std::span(digest).first(std::min<std::size_t>(20, digest.size())));
    if (auto pages = check_pages(cd, file, b.slice_offset, hasher); !pages) return pages;
    if (!cd.info.page_hashes_ok) {
      add_error(r, VerifyFlag::BadPageHash, "CodeDirectory slot " + std::to_string(cd.info.slot) + " (" +
                                                cd.info.hash_type + "): page " +
                                                std::to_string(*cd.info.first_bad_page) + " hash mismatch");
      if (!d.first_bad_page) d.first_bad_page = cd.info.first_bad_page;
    }
    check_special_slots(r, d, cd, &cd == &best, b, hasher);
  }
  return {};
}

/// The status from the collected flags, worst first; a Valid signature names its anchor set.
void settle_status(Signature& r, const MachODetails& d) {
  constexpr VerifyFlags kInvalid = static_cast<VerifyFlags>(VerifyFlag::BadPageHash) |
                                   static_cast<VerifyFlags>(VerifyFlag::BadDigest) |
                                   static_cast<VerifyFlags>(VerifyFlag::BadSignature) |
                                   static_cast<VerifyFlags>(VerifyFlag::Expired) |
                                   static_cast<VerifyFlags>(VerifyFlag::NotYetValid) |
                                   static_cast<VerifyFlags>(VerifyFlag::NoCodeSigningEku) |
                                   static_cast<VerifyFlags>(VerifyFlag::ChainError) |
                                   static_cast<VerifyFlags>(VerifyFlag::Revoked);
  if (r.status == SignatureStatus::UnknownKey && !(r.flags & kInvalid)) return;
  if (has_flag(r.flags, VerifyFlag::Malformed) && !(r.flags & kInvalid))
    r.status = SignatureStatus::Malformed;
  else if (r.flags & kInvalid)
    r.status = SignatureStatus::Invalid;
  else if (!d.has_cms || has_flag(r.flags, VerifyFlag::UntrustedRoot))
    r.status = SignatureStatus::Untrusted;
  else
    r.status = SignatureStatus::Valid;
  if (r.status == SignatureStatus::Valid) r.anchor_set = std::string(kMachOAnchorSet);
}

}  // namespace

Signature verify_macho_signature(const ByteSource& file, const MachOSignatureLocation& where,
                                 const MachOTrustAnchors& anchors, std::int64_t now) {
  Signature r;
  r.source = SignatureSource::MachO;
  r.status = SignatureStatus::Unsigned;
  MachODetails& d = r.details.emplace<MachODetails>();
  d.slice = where.slice;
  if (where.signature_size == 0) return r;  // Unsigned
  auto malformed = [&r](std::string why) {
    r.status = SignatureStatus::Malformed;
    add_error(r, VerifyFlag::Malformed, std::move(why));
    return r;
  };
  auto blobs = read_blobs(file, where, r.errors);
  if (!blobs) return malformed(blobs.error().message);
  const std::vector<ParsedCd>& cds = blobs->cds;
  const auto best = std::ranges::max_element(cds, {}, [](const ParsedCd& c) { return c.kind.rank; });
  describe(r, d, *best, *blobs);
  if (auto checked = check_code_directories(r, d, file, *blobs, *best); !checked)
    return malformed(checked.error().message);
  d.cdhash = best->info.cdhash;
  for (const auto& cd : cds) d.code_directories.push_back(cd.info);

  // Signer: CMS, or ad-hoc / linker-signed.
  const bool adhoc = (best->info.flags & kCsAdhoc) != 0;
  d.has_cms = blobs->have_cms_slot && !blobs->cms_wrapper.empty();
  if (d.has_cms) {
    verify_cms(r, blobs->cms_wrapper, cds, anchors, now);
  } else {
    d.kind = (best->info.flags & kCsLinkerSigned) ? MachOSignatureKind::LinkerSigned
             : adhoc                              ? MachOSignatureKind::AdHoc
                                                  : MachOSignatureKind::Other;
    if (!adhoc) r.errors.push_back("no CMS signature and the CodeDirectory is not marked ad-hoc");
  }
  settle_status(r, d);
  return r;
}

}  // namespace trustscan::verify
