#include "verify/module_signature.hpp"

#include <algorithm>
#include <cctype>
#include <climits>
#include <cstring>

#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/objects.h>

#include "verify/modsig_x509.hpp"
#include "verify/openssl_ptr.hpp"

namespace trustscan::verify {
namespace {

constexpr std::size_t kMagicSize = kModuleSignatureMagic.size();  // 28
constexpr std::size_t kTrailerSize = 12;                          // sizeof(struct module_signature)
constexpr std::uint8_t kIdPkcs7 = 2;                              // PKEY_ID_PKCS7

Signature malformed(Signature r, std::string why) {
  r.status = SignatureStatus::Malformed;
  add_flag(r.flags, VerifyFlag::Malformed);
  r.errors.push_back(std::move(why));
  return r;
}

std::string object_name(const ASN1_OBJECT* obj) {
  if (obj == nullptr) return {};
  const int nid = OBJ_obj2nid(obj);
  if (nid != NID_undef) {
    // Digests by their short lower-case name ("sha256"), other algorithms by the long name.
    const char* sn = OBJ_nid2sn(nid);
    return sn ? std::string(sn) : std::string{};
  }
  char buf[128];
  const int n = OBJ_obj2txt(buf, sizeof buf, obj, 1);
  return n > 0 ? std::string(buf, static_cast<std::size_t>(std::min<int>(n, sizeof buf - 1))) : std::string{};
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

/// The signature of a SignerInfo without signed attributes, checked against a SHA-256 of the
/// content computed elsewhere. This is what CMS_SignerInfo_verify_content (OpenSSL 3, cms_sd.c)
/// does once it has hashed the content: EVP_PKEY_verify with the digest as signature md, after
/// an algorithm hook that adds nothing for RSA PKCS#1 v1.5 and ECDSA. Other cases (RSA-PSS, other
/// digests, other key types) return false and are left to CMS_verify.
bool verify_precomputed(CMS_SignerInfo* si, X509* cert, const SignedContentDigest& digest) {
  X509_ALGOR* digest_alg = nullptr;
  X509_ALGOR* sig_alg = nullptr;
  CMS_SignerInfo_get0_algs(si, nullptr, nullptr, &digest_alg, &sig_alg);
  if (digest_alg == nullptr || sig_alg == nullptr) return false;
  const ASN1_OBJECT* obj = nullptr;
  X509_ALGOR_get0(&obj, nullptr, nullptr, digest_alg);
  if (OBJ_obj2nid(obj) != NID_sha256) return false;
  X509_ALGOR_get0(&obj, nullptr, nullptr, sig_alg);
  const int sig_nid = OBJ_obj2nid(obj);
  EVP_PKEY* key = X509_get0_pubkey(cert);
  if (key == nullptr) return false;
  const int key_type = EVP_PKEY_get_base_id(key);
  const bool rsa = key_type == EVP_PKEY_RSA && (sig_nid == NID_rsaEncryption || sig_nid == NID_sha256WithRSAEncryption);
  const bool ecdsa = key_type == EVP_PKEY_EC && (sig_nid == NID_ecdsa_with_SHA256 || sig_nid == NID_X9_62_id_ecPublicKey);
  const ASN1_OCTET_STRING* sig = CMS_SignerInfo_get0_signature(si);
  if ((!rsa && !ecdsa) || sig == nullptr) return false;
  EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new(key, nullptr));
  const bool ok = ctx && EVP_PKEY_verify_init(ctx.get()) == 1 &&
                  EVP_PKEY_CTX_set_signature_md(ctx.get(), EVP_sha256()) == 1 &&
                  EVP_PKEY_verify(ctx.get(), ASN1_STRING_get0_data(sig), static_cast<std::size_t>(ASN1_STRING_length(sig)),
                                  digest.sha256.data(), digest.sha256.size()) == 1;
  ERR_clear_error();
  return ok;
}

/// The trailer of a signed module: where the PKCS#7 is, or why it cannot be used.
struct Trailer {
  std::uint32_t sig_len = 0;
  std::size_t signed_size = 0;
  std::string error;  ///< non-empty: malformed
};

/// The last kMagicSize + kTrailerSize bytes of a module (`struct module_signature` and the magic);
/// an error when the file is shorter or cannot be read.
Result<std::span<const std::byte>> read_tail(const ByteSource& module, std::vector<std::byte>& scratch) {
  if (module.size() < kMagicSize + kTrailerSize) return fail(Errc::Malformed, "truncated struct module_signature");
  return module.read(module.size() - kMagicSize - kTrailerSize, kMagicSize + kTrailerSize, scratch);
}

bool ends_with_magic(std::span<const std::byte> tail) noexcept {
  return tail.size() >= kMagicSize &&
         std::memcmp(tail.data() + tail.size() - kMagicSize, kModuleSignatureMagic.data(), kMagicSize) == 0;
}

/// Reads `struct module_signature` from `tail` (read_tail) of a module of `file_size` bytes.
Trailer read_trailer(std::span<const std::byte> tail, std::uint64_t file_size) {
  Trailer t;
  const auto* ms = reinterpret_cast<const unsigned char*>(tail.data());
  t.sig_len = std::uint32_t{ms[8]} << 24 | std::uint32_t{ms[9]} << 16 | std::uint32_t{ms[10]} << 8 | ms[11];
  if (ms[2] != kIdPkcs7) {
    t.error = "module_signature id_type " + std::to_string(ms[2]) + " is not PKCS#7 (2)";
    return t;
  }
  // Like the kernel's mod_check_sig(): these fields must be zero for PKCS#7.
  if (ms[0] != 0 || ms[1] != 0 || ms[3] != 0 || ms[4] != 0 || ms[5] != 0 || ms[6] != 0 || ms[7] != 0) {
    t.error = "module_signature has non-zero algo/hash/signer_len/key_id_len/pad";
    return t;
  }
  const std::uint64_t room = file_size - kMagicSize - kTrailerSize;
  if (t.sig_len == 0 || t.sig_len > room) {
    t.error = "sig_len " + std::to_string(t.sig_len) + " exceeds the " + std::to_string(room) + " bytes before the trailer";
    return t;
  }
  if (room - t.sig_len > INT_MAX) {
    t.error = "module larger than 2 GiB";
    return t;
  }
  t.signed_size = static_cast<std::size_t>(room - t.sig_len);
  return t;
}

/// The detached PKCS#7 SignedData of a module signature, which must fill `der_bytes` exactly; an
/// error says why it cannot be used.
Result<CmsPtr> parse_detached_cms(std::span<const std::byte> der_bytes) {
  const auto* der = reinterpret_cast<const unsigned char*>(der_bytes.data());
  const unsigned char* p = der;
  const auto sig_len = static_cast<long>(der_bytes.size());
  CmsPtr cms(d2i_CMS_ContentInfo(nullptr, &p, sig_len));
  if (!cms) {
    const std::string why = modsig::take_openssl_errors();
    return fail(Errc::Malformed, "PKCS#7 does not parse" + (why.empty() ? std::string{} : ": " + why));
  }
  if (p != der + sig_len) {
    ERR_clear_error();
    return fail(Errc::Malformed, "PKCS#7 is followed by " + std::to_string(der + sig_len - p) + " stray bytes");
  }
  if (OBJ_obj2nid(CMS_get0_type(cms.get())) != NID_pkcs7_signed)
    return fail(Errc::Malformed, "PKCS#7 is not SignedData");
  if (ASN1_OCTET_STRING** content = CMS_get0_content(cms.get()); content != nullptr && *content != nullptr)
    return fail(Errc::Malformed, "PKCS#7 is not detached (it embeds content)");
  return cms;
}

/// The first SignerInfo of `cms`, with the signer's identifier and algorithms recorded in r; an
/// error when there is none or it names no signer.
Result<CMS_SignerInfo*> read_signer(Signature& r, ModuleDetails& d, CMS_ContentInfo* cms) {
  STACK_OF(CMS_SignerInfo)* infos = CMS_get0_SignerInfos(cms);
  if (infos == nullptr || sk_CMS_SignerInfo_num(infos) < 1) return fail(Errc::Malformed, "PKCS#7 has no SignerInfo");
  if (sk_CMS_SignerInfo_num(infos) > 1)
    r.errors.push_back(std::to_string(sk_CMS_SignerInfo_num(infos)) + " SignerInfos; all must verify");
  CMS_SignerInfo* si = sk_CMS_SignerInfo_value(infos, 0);

  ASN1_OCTET_STRING* keyid = nullptr;
  X509_NAME* issuer = nullptr;
  ASN1_INTEGER* serial = nullptr;
  if (CMS_SignerInfo_get0_signer_id(si, &keyid, &issuer, &serial) != 1)
    return fail(Errc::Malformed, "SignerInfo has no signer identifier");
  r.signer.issuer = modsig::name_to_string(issuer);
  d.signer_name = modsig::name_entry(issuer, NID_commonName);
  r.signer.serial_hex = modsig::integer_hex(serial);
  if (keyid != nullptr)
    d.subject_key_id_hex =
        modsig::hex_lower({ASN1_STRING_get0_data(keyid), static_cast<std::size_t>(ASN1_STRING_length(keyid))});

  X509_ALGOR* digest = nullptr;
  X509_ALGOR* sigalg = nullptr;
  CMS_SignerInfo_get0_algs(si, nullptr, nullptr, &digest, &sigalg);
  if (digest != nullptr) {
    const ASN1_OBJECT* obj = nullptr;
    X509_ALGOR_get0(&obj, nullptr, nullptr, digest);
    r.digest_algorithm = lower(object_name(obj));
  }
  if (sigalg != nullptr) {
    const ASN1_OBJECT* obj = nullptr;
    X509_ALGOR_get0(&obj, nullptr, nullptr, sigalg);
    const int nid = OBJ_obj2nid(obj);
    d.signature_algorithm = nid != NID_undef ? OBJ_nid2ln(nid) : object_name(obj);
  }
  if (r.digest_algorithm == "md5" || r.digest_algorithm == "sha1") add_flag(r.flags, VerifyFlag::WeakDigest);
  d.signed_attributes = CMS_signed_get_attr_count(si) > 0;
  if (X509StackPtr embedded{CMS_get1_certs(cms)}; embedded && sk_X509_num(embedded.get()) > 0)
    d.certificates_embedded = true;
  return si;
}

/// The keyring key that signed: embedded certificates are not trusted (CMS_NOINTERN). nullopt
/// (status UnknownKey, and why) when the signer is not a keyring key.
std::optional<std::size_t> find_signing_key(Signature& r, ModuleDetails& d, CMS_SignerInfo* si,
                                            const KernelKeyring& keys) {
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if (CMS_SignerInfo_cert_cmp(si, keys.certificate(i)) != 0) continue;
    const KernelKey& key = keys.keys()[i];
    r.signer.subject = key.subject;
    if (d.signer_name.empty())
      d.signer_name = modsig::name_entry(X509_get_subject_name(keys.certificate(i)), NID_commonName);
    d.key_source = key.origin;
    d.key_source_kind = std::string(to_string(key.source));
    d.kernel_build_key = key.source == KernelKeySource::KernelImage && key.image_position == 0;
    return i;
  }
  r.status = SignatureStatus::UnknownKey;
  add_flag(r.flags, VerifyFlag::UnknownKey);
  r.errors.push_back(keys.empty() ? "no module-signing keys are known (no kernel image in the root, no --module-keys)"
                                  : "the signer's key is not among the " + std::to_string(keys.size()) + " known keys");
  return std::nullopt;
}

/// Checks the signature over the first `signed_size` bytes with keyring key `match` and sets the
/// status: Valid, or Invalid with OpenSSL's reason.
void verify_with_key(Signature& r, CMS_ContentInfo* cms, CMS_SignerInfo* si, const KernelKeyring& keys,
                     std::size_t match, const ByteSource& module, std::size_t signed_size,
                     const SignedContentDigest* content_digest) {
  const ModuleDetails& d = std::get<ModuleDetails>(r.details);
  // The digest computed with the file's own hash, when it is the one the signature needs.
  if (content_digest != nullptr && content_digest->size == signed_size &&
      sk_CMS_SignerInfo_num(CMS_get0_SignerInfos(cms)) == 1 && !d.signed_attributes &&
      verify_precomputed(si, keys.certificate(match), *content_digest)) {
    r.status = SignatureStatus::Valid;
    return;
  }
  // Otherwise (and to report a failure in OpenSSL's usual words) CMS_verify hashes the content.
  X509StackViewPtr certs(sk_X509_new_null());
  modsig::BioChainPtr content = modsig::cms_detached_content(module, signed_size);
  if (!certs || !content || sk_X509_push(certs.get(), keys.certificate(match)) <= 0) {
    r.status = SignatureStatus::Malformed;
    r.errors.push_back("out of memory");
    return;
  }
  // The key is the trust anchor: no chain (NOVERIFY), binary content, only keyring certificates.
  const unsigned flags = CMS_BINARY | CMS_NOVERIFY | CMS_NOINTERN;
  if (CMS_verify(cms, certs.get(), nullptr, content.get(), nullptr, flags) == 1) {
    r.status = SignatureStatus::Valid;
    ERR_clear_error();
    return;
  }
  // NOTE: OpenSSL reports both a tampered module and a forged signature as "content verify error";
  // without signed attributes they are the same failure (the signature covers the content).
  const std::string why = modsig::take_openssl_errors();
  r.status = SignatureStatus::Invalid;
  add_flag(r.flags, VerifyFlag::BadSignature);
  r.errors.push_back("signature does not verify with key \"" + keys.keys()[match].subject + "\"" +
                     (why.empty() ? "" : ": " + why));
}

}  // namespace

std::optional<std::size_t> module_signed_size(const ByteSource& module) noexcept {
  try {
    std::vector<std::byte> scratch;
    auto tail = read_tail(module, scratch);
    if (!tail || !ends_with_magic(*tail)) return std::nullopt;
    Trailer t = read_trailer(*tail, module.size());
    if (!t.error.empty()) return std::nullopt;
    return t.signed_size;
  } catch (...) {  // std::bad_alloc building a message
    return std::nullopt;
  }
}

bool has_module_signature(std::span<const std::byte> b) noexcept { return ends_with_magic(b); }

Signature verify_module_signature(const ByteSource& module, const KernelKeyring& keys,
                                  const SignedContentDigest* content_digest) {
  Signature r;
  r.source = SignatureSource::Module;
  r.status = SignatureStatus::Unsigned;
  ModuleDetails& d = r.details.emplace<ModuleDetails>();
  std::vector<std::byte> scratch;
  if (module.size() < kMagicSize) return r;  // Unsigned
  auto magic = module.read(module.size() - kMagicSize, kMagicSize, scratch);
  if (!magic) return malformed(std::move(r), "cannot read the module's end: " + magic.error().message);
  if (!ends_with_magic(*magic)) return r;  // Unsigned
  auto tail = read_tail(module, scratch);
  if (!tail) return malformed(std::move(r), tail.error().message);

  const Trailer trailer = read_trailer(*tail, module.size());
  d.signature_size = trailer.sig_len;
  d.signed_size = trailer.signed_size;  // 0 unless sig_len fits
  if (!trailer.error.empty()) return malformed(std::move(r), trailer.error);
  const std::size_t signed_size = trailer.signed_size;

  auto der = module.read(signed_size, trailer.sig_len, scratch);
  if (!der) return malformed(std::move(r), "cannot read the signature: " + der.error().message);
  auto cms = parse_detached_cms(*der);
  if (!cms) return malformed(std::move(r), cms.error().message);
  auto si = read_signer(r, d, cms->get());
  if (!si) return malformed(std::move(r), si.error().message);
  const auto match = find_signing_key(r, d, *si, keys);
  if (!match) return r;
  verify_with_key(r, cms->get(), *si, keys, *match, module, signed_size, content_digest);
  return r;
}

}  // namespace trustscan::verify
