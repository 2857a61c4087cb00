// Mach-O code signatures (issue 4): synthetic SuperBlobs built here (every status and flag), and
// real npm binaries (skipped with a warning when the real tree is absent).
#include "verify/macho_signature.hpp"

#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <map>
#include <memory>
#include <random>

#include <openssl/cms.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <catch2/catch.hpp>

#include "support/temp_tree.hpp"

using namespace trustscan;
using namespace trustscan::verify;
namespace fs = std::filesystem;

namespace {

using Bytes = std::vector<std::byte>;

/// The common names of a signature's chain, leaf first.
std::vector<std::string> chain_names(const Signature& s) {
  std::vector<std::string> out;
  for (const CertInfo& c : s.chain) out.push_back(c.subject_cn);
  return out;
}

std::string fmt_hex(std::byte b) {
  static constexpr char kDigits[] = "0123456789abcdef";
  const auto v = std::to_integer<unsigned>(b);
  return {kDigits[v >> 4], kDigits[v & 0xf]};
}

// ------------------------------------------------------------------ small OpenSSL test PKI

template <auto Fn>
struct Free {
  template <class T>
  void operator()(T* p) const noexcept { Fn(p); }
};
using Key = std::unique_ptr<EVP_PKEY, Free<EVP_PKEY_free>>;
using Cert = std::unique_ptr<X509, Free<X509_free>>;

constexpr std::int64_t kNow = 1'790'000'000;  // 2026-09-21: a fixed clock for synthetic signatures

Key make_key() { return Key(EVP_EC_gen("P-256")); }

struct CertSpec {
  std::string cn;
  bool ca = false;
  bool code_signing = true;
  std::int64_t not_before = kNow - 86400;
  std::int64_t not_after = kNow + 86400 * 365;
};

/// A certificate for `key`, issued by (issuer, issuer_key) or self-signed when issuer is null.
Cert make_cert(const CertSpec& s, EVP_PKEY* key, X509* issuer, EVP_PKEY* issuer_key) {
  Cert c(X509_new());
  X509_set_version(c.get(), 2);
  static long serial = 1000;
  ASN1_INTEGER_set(X509_get_serialNumber(c.get()), ++serial);
  X509_NAME* name = X509_get_subject_name(c.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(s.cn.c_str()), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>("trustscan tests"), -1, -1, 0);
  X509_set_issuer_name(c.get(), issuer ? X509_get_subject_name(issuer) : name);
  ASN1_TIME_set(X509_getm_notBefore(c.get()), static_cast<time_t>(s.not_before));
  ASN1_TIME_set(X509_getm_notAfter(c.get()), static_cast<time_t>(s.not_after));
  X509_set_pubkey(c.get(), key);
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer ? issuer : c.get(), c.get(), nullptr, nullptr, 0);
  auto add = [&](int nid, const char* value) {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    REQUIRE(ext != nullptr);
    X509_add_ext(c.get(), ext, -1);
    X509_EXTENSION_free(ext);
  };
  add(NID_basic_constraints, s.ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
  add(NID_key_usage, s.ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature");
  add(NID_subject_key_identifier, "hash");
  if (!s.ca) add(NID_ext_key_usage, s.code_signing ? "critical,codeSigning" : "critical,emailProtection");
  REQUIRE(X509_sign(c.get(), issuer_key ? issuer_key : key, EVP_sha256()) > 0);
  return c;
}

Bytes der_of(X509* c) {
  unsigned char* p = nullptr;
  const int n = i2d_X509(c, &p);
  Bytes out(reinterpret_cast<std::byte*>(p), reinterpret_cast<std::byte*>(p) + n);
  OPENSSL_free(p);
  return out;
}

/// A test CA and a leaf issued by it.
struct Pki {
  Key root_key = make_key();
  Cert root = make_cert({.cn = "trustscan test code-signing root", .ca = true}, root_key.get(), nullptr, nullptr);
  Key leaf_key = make_key();
  Cert leaf;
  explicit Pki(CertSpec leaf_spec = {.cn = "trustscan test signer"})
      : leaf(make_cert(leaf_spec, leaf_key.get(), root.get(), root_key.get())) {}
  [[nodiscard]] MachOTrustAnchors anchors() const {
    MachOTrustAnchors a;
    const Bytes d = der_of(root.get());
    REQUIRE(a.add(d).value() == 1);
    return a;
  }
};

Bytes digest(const char* alg, std::span<const std::byte> data) {
  Bytes out(EVP_MAX_MD_SIZE);
  unsigned int n = 0;
  REQUIRE(EVP_Digest(data.data(), data.size(), reinterpret_cast<unsigned char*>(out.data()), &n,
                     EVP_get_digestbyname(alg), nullptr) == 1);
  out.resize(n);
  return out;
}

// ------------------------------------------------------------------ SuperBlob builder

void put32(Bytes& b, std::size_t off, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) b[off + i] = static_cast<std::byte>(v >> (24 - 8 * i));
}
void append32(Bytes& b, std::uint32_t v) {
  b.resize(b.size() + 4);
  put32(b, b.size() - 4, v);
}
Bytes blob(std::uint32_t magic, std::string_view payload) {
  Bytes b;
  append32(b, magic);
  append32(b, static_cast<std::uint32_t>(8 + payload.size()));
  for (char c : payload) b.push_back(static_cast<std::byte>(c));
  return b;
}

struct CdSpec {
  std::uint8_t hash_type = 2;  // 1 sha1, 2 sha256
  std::uint32_t flags = 0x10000;
  std::uint32_t version = 0x20400;
  std::string identifier = "com.example.trustscan-demo";
  std::string team = "TEAM123456";
  std::uint8_t page_log2 = 12;
};

/// CodeDirectory over code[0, code.size()) with special slots for the given blobs (slot -> blob).
Bytes code_directory(std::span<const std::byte> code, const CdSpec& s, const std::map<std::uint32_t, Bytes>& bound) {
  const char* alg = s.hash_type == 1 ? "SHA1" : "SHA256";
  const std::size_t hs = s.hash_type == 1 ? 20 : 32;
  const std::uint32_t page = 1u << s.page_log2;
  const auto pages = static_cast<std::uint32_t>((code.size() + page - 1) / page);
  const std::uint32_t nspecial = bound.empty() ? 0 : bound.rbegin()->first;
  constexpr std::size_t kHeader = 88;  // version 0x20400 header
  const std::size_t ident_off = kHeader;
  const std::size_t team_off = ident_off + s.identifier.size() + 1;
  const std::size_t hash_off = team_off + s.team.size() + 1 + nspecial * hs;
  Bytes cd(hash_off + pages * hs);
  put32(cd, 0, 0xfade0c02);
  put32(cd, 4, static_cast<std::uint32_t>(cd.size()));
  put32(cd, 8, s.version);
  put32(cd, 12, s.flags);
  put32(cd, 16, static_cast<std::uint32_t>(hash_off));
  put32(cd, 20, static_cast<std::uint32_t>(ident_off));
  put32(cd, 24, nspecial);
  put32(cd, 28, pages);
  put32(cd, 32, static_cast<std::uint32_t>(code.size()));
  cd[36] = static_cast<std::byte>(hs);
  cd[37] = static_cast<std::byte>(s.hash_type);
  cd[39] = static_cast<std::byte>(s.page_log2);
  put32(cd, 48, static_cast<std::uint32_t>(team_off));
  std::memcpy(cd.data() + ident_off, s.identifier.data(), s.identifier.size());
  std::memcpy(cd.data() + team_off, s.team.data(), s.team.size());
  for (const auto& [slot, b] : bound) {
    const Bytes h = digest(alg, b);
    std::memcpy(cd.data() + hash_off - slot * hs, h.data(), hs);
  }
  for (std::uint32_t i = 0; i < pages; ++i) {
    const std::size_t end = std::min<std::size_t>(code.size(), std::size_t{i + 1} * page);
    const Bytes h = digest(alg, code.subspan(std::size_t{i} * page, end - std::size_t{i} * page));
    std::memcpy(cd.data() + hash_off + i * hs, h.data(), hs);
  }
  return cd;
}

Bytes super_blob(const std::vector<std::pair<std::uint32_t, Bytes>>& blobs) {
  Bytes sb;
  append32(sb, 0xfade0cc0);
  append32(sb, 0);
  append32(sb, static_cast<std::uint32_t>(blobs.size()));
  std::size_t off = 12 + 8 * blobs.size();
  for (const auto& [type, b] : blobs) {
    append32(sb, type);
    append32(sb, static_cast<std::uint32_t>(off));
    off += b.size();
  }
  for (const auto& [type, b] : blobs) sb.insert(sb.end(), b.begin(), b.end());
  put32(sb, 4, static_cast<std::uint32_t>(sb.size()));
  return sb;
}

/// Detached CMS over `content` by pki.leaf (certificates: leaf + root), with Apple's cdhashes
/// attribute (1.2.840.113635.100.9.2) listing `cdhashes` (algorithm nid, full hash) when given.
Bytes cms_sign(const Pki& pki, std::span<const std::byte> content,
               const std::vector<std::pair<int, Bytes>>& cdhashes = {}) {
  BIO* data = BIO_new_mem_buf(content.data(), static_cast<int>(content.size()));
  CMS_ContentInfo* cms = CMS_sign(nullptr, nullptr, nullptr, nullptr, CMS_DETACHED | CMS_BINARY | CMS_PARTIAL);
  CMS_SignerInfo* si = CMS_add1_signer(cms, pki.leaf.get(), pki.leaf_key.get(), EVP_sha256(), CMS_BINARY);
  REQUIRE(si != nullptr);
  CMS_add1_cert(cms, pki.root.get());
  // Like Apple: ONE attribute 1.2.840.113635.100.9.2 with one value per CodeDirectory.
  X509_ATTRIBUTE* attr = nullptr;
  for (const auto& [nid, hash] : cdhashes) {
    // SEQUENCE { OBJECT hashAlgorithm, OCTET STRING hash }
    ASN1_OBJECT* alg = OBJ_nid2obj(nid);
    const int alg_len = i2d_ASN1_OBJECT(alg, nullptr);
    ASN1_OCTET_STRING* os = ASN1_OCTET_STRING_new();
    ASN1_OCTET_STRING_set(os, reinterpret_cast<const unsigned char*>(hash.data()), static_cast<int>(hash.size()));
    const int os_len = i2d_ASN1_OCTET_STRING(os, nullptr);
    const int inner = alg_len + os_len;
    std::vector<unsigned char> seq(static_cast<std::size_t>(ASN1_object_size(1, inner, V_ASN1_SEQUENCE)));
    unsigned char* p = seq.data();
    ASN1_put_object(&p, 1, inner, V_ASN1_SEQUENCE, V_ASN1_UNIVERSAL);
    i2d_ASN1_OBJECT(alg, &p);
    i2d_ASN1_OCTET_STRING(os, &p);
    ASN1_OCTET_STRING_free(os);
    ASN1_STRING* value = ASN1_STRING_new();
    ASN1_STRING_set(value, seq.data(), static_cast<int>(seq.size()));
    if (attr == nullptr) {
      ASN1_OBJECT* oid = OBJ_txt2obj("1.2.840.113635.100.9.2", 1);
      attr = X509_ATTRIBUTE_create_by_OBJ(nullptr, oid, V_ASN1_SEQUENCE, value, -1);
      ASN1_OBJECT_free(oid);
      REQUIRE(attr != nullptr);
    } else REQUIRE(X509_ATTRIBUTE_set1_data(attr, V_ASN1_SEQUENCE, value, -1) == 1);
    ASN1_STRING_free(value);
  }
  if (attr != nullptr) {
    REQUIRE(X509_ATTRIBUTE_count(attr) == static_cast<int>(cdhashes.size()));
    REQUIRE(CMS_signed_add1_attr(si, attr) == 1);
    X509_ATTRIBUTE_free(attr);
  }
  REQUIRE(CMS_final(cms, data, nullptr, CMS_DETACHED | CMS_BINARY) == 1);
  unsigned char* out = nullptr;
  const int n = i2d_CMS_ContentInfo(cms, &out);
  Bytes der(reinterpret_cast<std::byte*>(out), reinterpret_cast<std::byte*>(out) + n);
  OPENSSL_free(out);
  CMS_ContentInfo_free(cms);
  BIO_free(data);
  return der;
}

Bytes wrapper(const Bytes& cms) {
  Bytes w;
  append32(w, 0xfade0b01);
  append32(w, static_cast<std::uint32_t>(8 + cms.size()));
  w.insert(w.end(), cms.begin(), cms.end());
  return w;
}

/// A fake slice: `pages` pages of code followed by the SuperBlob (as ld64 lays it out).
struct Slice {
  Bytes file;
  MachOSignatureLocation where;
};
Slice slice_with(const Bytes& code, const Bytes& sb) {
  Slice s;
  s.file = code;
  s.file.insert(s.file.end(), sb.begin(), sb.end());
  s.where = {0, s.file.size(), code.size(), sb.size()};
  return s;
}

Bytes make_code(std::size_t size) {
  Bytes code(size);
  std::mt19937 rng(42);
  for (auto& b : code) b = static_cast<std::byte>(rng());
  return code;
}

const std::string kEntitlementsXml =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><plist version=\"1.0\"><dict>"
    "<key>com.apple.security.cs.allow-jit</key><true/></dict></plist>";

/// Components of a typical signed slice, so tests can tamper with each.
struct Parts {
  Bytes code = make_code(5 * 4096 + 123);
  Bytes requirements = blob(0xfade0c01, std::string("\0\0\0\0", 4));
  Bytes entitlements = blob(0xfade7171, kEntitlementsXml);
  CdSpec spec;
  [[nodiscard]] Bytes cd() const { return code_directory(code, spec, {{2, requirements}, {5, entitlements}}); }
};

std::vector<std::string> names(VerifyFlags f) { return flag_names(f); }

// ------------------------------------------------------------------ Mach-O locator (tests only)

std::uint32_t rd32(std::span<const std::byte> b, std::size_t o, bool big) {
  std::uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= std::to_integer<std::uint32_t>(b[o + (big ? 3 - i : i)]) << (8 * i);
  return v;
}

/// Slices of a thin or fat Mach-O and their LC_CODE_SIGNATURE (what parse/ gives the pipeline).
std::vector<MachOSignatureLocation> locate(std::span<const std::byte> f) {
  std::vector<std::pair<std::uint64_t, std::uint64_t>> slices;
  if (f.size() >= 8 && rd32(f, 0, true) == 0xcafebabe) {
    const std::uint32_t n = rd32(f, 4, true);
    for (std::uint32_t i = 0; i < n && i < 16 && 8 + (i + 1) * 20 <= f.size(); ++i)
      slices.emplace_back(rd32(f, 8 + i * 20 + 8, true), rd32(f, 8 + i * 20 + 12, true));
  } else {
    slices.emplace_back(0, f.size());
  }
  std::vector<MachOSignatureLocation> out;
  for (auto [off, size] : slices) {
    MachOSignatureLocation loc{off, size, 0, 0};
    REQUIRE(off + size <= f.size());
    const auto s = f.subspan(off, size);
    const bool is64 = rd32(s, 0, false) == 0xfeedfacf;
    const std::uint32_t ncmds = rd32(s, 16, false);
    std::size_t p = is64 ? 32 : 28;
    for (std::uint32_t i = 0; i < ncmds && p + 16 <= s.size(); ++i) {
      if (rd32(s, p, false) == 0x1d) loc = {off, size, off + rd32(s, p + 8, false), rd32(s, p + 12, false)};
      const std::uint32_t cmdsize = rd32(s, p + 4, false);
      if (cmdsize < 8) break;
      p += cmdsize;
    }
    out.push_back(loc);
  }
  return out;
}

fs::path npm_dir() { return test::real_tree() / "opt/npm"; }

MachOTrustAnchors apple_anchors() {
  auto a = MachOTrustAnchors::load_directory(fs::path(TRUSTSCAN_SOURCE_DIR) / "signatures/trust/apple");
  REQUIRE(a);
  return std::move(*a);
}

}  // namespace

// ================================================================== synthetic signatures

TEST_CASE("no LC_CODE_SIGNATURE is unsigned", "[verify][macho]") {
  const Bytes code = make_code(100);
  const auto r = verify_macho_signature(code, {0, code.size(), 0, 0}, MachOTrustAnchors{}, kNow);
  CHECK(r.status == SignatureStatus::Unsigned);
  CHECK(r.macho()->kind == MachOSignatureKind::None);
}

TEST_CASE("ad-hoc and linker-signed slices are untrusted with their kind", "[verify][macho]") {
  Parts p;
  const auto flags = GENERATE(std::uint32_t{0x2}, std::uint32_t{0x20002}, std::uint32_t{0x10002});
  p.spec.flags = flags;
  p.spec.team.clear();
  const auto s = slice_with(p.code, super_blob({{0, p.cd()}, {2, p.requirements}, {5, p.entitlements},
                                                {0x10000, blob(0xfade0b01, "")}}));
  const auto r = verify_macho_signature(s.file, s.where, MachOTrustAnchors{}, kNow);
  CHECK(r.status == SignatureStatus::Untrusted);
  CHECK(r.flags == 0);
  CHECK(r.macho()->kind == (flags & 0x20000 ? MachOSignatureKind::LinkerSigned : MachOSignatureKind::AdHoc));
  CHECK(r.macho()->identifier == "com.example.trustscan-demo");
  CHECK(r.macho()->team_id.empty());
  CHECK(r.digest_algorithm == "sha256");
  CHECK(r.macho()->cdhash == [&] {
    const Bytes h = digest("SHA256", p.cd());
    std::string hex;
    for (int i = 0; i < 20; ++i) hex += fmt_hex(h[i]);
    return hex;
  }());
  CHECK_FALSE(r.macho()->has_cms);
  CHECK(r.macho()->has_requirements);
  CHECK(r.macho()->has_entitlements);
  CHECK(r.macho()->entitlements == kEntitlementsXml);
  CHECK(r.macho()->code_directories.size() == 1);
  CHECK(r.macho()->code_directories[0].page_hashes_ok);
  CHECK(r.macho()->code_directories[0].code_slots == 6);
  if (flags == 0x10002) CHECK(r.macho()->flag_names == std::vector<std::string>{"adhoc", "runtime"});
  if (flags == 0x20002) CHECK(r.macho()->flag_names == std::vector<std::string>{"adhoc", "linker_signed"});
}

TEST_CASE("a flipped code byte is a bad page hash naming the page", "[verify][macho]") {
  Parts p;
  p.spec.flags = 0x2;
  auto s = slice_with(p.code, super_blob({{0, p.cd()}, {2, p.requirements}, {5, p.entitlements}}));
  const std::size_t page = GENERATE(0, 3, 5);
  s.file[page * 4096 + 17] ^= std::byte{0x01};
  const auto r = verify_macho_signature(s.file, s.where, MachOTrustAnchors{}, kNow);
  CHECK(r.status == SignatureStatus::Invalid);
  CHECK(names(r.flags) == std::vector<std::string>{"bad_page_hash"});
  REQUIRE(r.macho()->first_bad_page);
  CHECK(*r.macho()->first_bad_page == page);
}

TEST_CASE("special slots bind requirements and entitlements", "[verify][macho]") {
  Parts p;
  p.spec.flags = 0x2;
  const Bytes cd = p.cd();
  SECTION("entitlements changed after signing") {
    const Bytes other = blob(0xfade7171, kEntitlementsXml + " ");
    const auto s = slice_with(p.code, super_blob({{0, cd}, {2, p.requirements}, {5, other}}));
    const auto r = verify_macho_signature(s.file, s.where, MachOTrustAnchors{}, kNow);
    CHECK(r.status == SignatureStatus::Invalid);
    CHECK(names(r.flags) == std::vector<std::string>{"bad_digest"});
  }
  SECTION("requirements removed") {
    const auto s = slice_with(p.code, super_blob({{0, cd}, {5, p.entitlements}}));
    const auto r = verify_macho_signature(s.file, s.where, MachOTrustAnchors{}, kNow);
    CHECK(r.status == SignatureStatus::Invalid);
    CHECK(names(r.flags) == std::vector<std::string>{"bad_digest"});
  }
}

TEST_CASE("a CMS signature over the CodeDirectory chains to the configured anchors", "[verify][macho]") {
  Parts p;
  const Pki pki;
  const Bytes cd = p.cd();
  const auto s = slice_with(p.code, super_blob({{0, cd}, {2, p.requirements}, {5, p.entitlements},
                                                {0x10000, wrapper(cms_sign(pki, cd))}}));
  SECTION("trusted root: valid") {
    const auto r = verify_macho_signature(s.file, s.where, pki.anchors(), kNow);
    CHECK(r.status == SignatureStatus::Valid);
    CHECK(r.flags == 0);
    CHECK(r.errors.empty());
    CHECK(r.macho()->kind == MachOSignatureKind::Other);
    CHECK(r.macho()->has_cms);
    CHECK(r.macho()->cms_digest_algorithm == "sha256");
    CHECK(r.macho()->team_id == "TEAM123456");
    CHECK(r.signer.subject_cn == "trustscan test signer");
    CHECK(r.signer.subject_o == "trustscan tests");
    CHECK(chain_names(r) == std::vector<std::string>{"trustscan test signer", "trustscan test code-signing root"});
    CHECK(r.signing_time.has_value());
    CHECK_FALSE(r.timestamp.has_value());
    CHECK(r.macho()->verification_time == kNow);
    CHECK(r.verification_time_source == "clock");
  }
  SECTION("Apple roots only: untrusted root") {
    const auto r = verify_macho_signature(s.file, s.where, apple_anchors(), kNow);
    CHECK(r.status == SignatureStatus::Untrusted);
    CHECK(names(r.flags) == std::vector<std::string>{"untrusted_root"});
  }
  SECTION("after the signer certificate expired (no timestamp): invalid, expired") {
    const auto r = verify_macho_signature(s.file, s.where, pki.anchors(), kNow + 86400 * 400);
    CHECK(r.status == SignatureStatus::Invalid);
    CHECK(names(r.flags) == std::vector<std::string>{"expired"});
  }
}

TEST_CASE("CMS problems: other CodeDirectory, no code-signing EKU, missing signer certificate", "[verify][macho]") {
  Parts p;
  const Bytes cd = p.cd();
  SECTION("the CMS signs a different CodeDirectory") {
    const Pki pki;
    Parts q;
    q.spec.identifier = "com.example.other";
    const auto s = slice_with(p.code, super_blob({{0, cd}, {2, p.requirements}, {5, p.entitlements},
                                                  {0x10000, wrapper(cms_sign(pki, q.cd()))}}));
    const auto r = verify_macho_signature(s.file, s.where, pki.anchors(), kNow);
    CHECK(r.status == SignatureStatus::Invalid);
    CHECK(names(r.flags) == std::vector<std::string>{"bad_digest"});
  }
  SECTION("a signer certificate without the code-signing EKU") {
    const Pki pki({.cn = "trustscan e-mail signer", .code_signing = false});
    const auto s = slice_with(p.code, super_blob({{0, cd}, {2, p.requirements}, {5, p.entitlements},
                                                  {0x10000, wrapper(cms_sign(pki, cd))}}));
    const auto r = verify_macho_signature(s.file, s.where, pki.anchors(), kNow);
    CHECK(r.status == SignatureStatus::Invalid);
    CHECK(names(r.flags) == std::vector<std::string>{"no_code_signing_eku"});
  }
  SECTION("a CMS signature that is garbage") {
    const auto s = slice_with(p.code, super_blob({{0, cd}, {2, p.requirements}, {5, p.entitlements},
                                                  {0x10000, blob(0xfade0b01, "\x30\x82\x01\x00junk")}}));
    const auto r = verify_macho_signature(s.file, s.where, MachOTrustAnchors{}, kNow);
    CHECK(r.status == SignatureStatus::Malformed);
    CHECK(names(r.flags) == std::vector<std::string>{"malformed"});
  }
}

TEST_CASE("alternate CodeDirectories must be bound by the CMS cdhashes attribute", "[verify][macho]") {
  Parts p;
  const Pki pki;
  CdSpec sha1 = p.spec;
  sha1.hash_type = 1;
  const Bytes cd1 = code_directory(p.code, sha1, {{2, p.requirements}, {5, p.entitlements}});
  const Bytes cd256 = p.cd();
  const std::vector<std::pair<int, Bytes>> listed = {{NID_sha1, digest("SHA1", cd1)},
                                                     {NID_sha256, digest("SHA256", cd256)}};
  SECTION("listed: valid, and the sha256 directory is the one reported") {
    const auto s = slice_with(p.code, super_blob({{0, cd1}, {2, p.requirements}, {5, p.entitlements},
                                                  {0x1000, cd256}, {0x10000, wrapper(cms_sign(pki, cd1, listed))}}));
    const auto r = verify_macho_signature(s.file, s.where, pki.anchors(), kNow);
    INFO((r.errors.empty() ? std::string() : r.errors[0]));
    CHECK(r.status == SignatureStatus::Valid);
    CHECK(r.digest_algorithm == "sha256");
    CHECK(r.macho()->code_directories.size() == 2);
    CHECK(r.macho()->cdhash == r.macho()->code_directories[1].cdhash);
  }
  SECTION("not listed: bad digest") {
    const auto s = slice_with(p.code, super_blob({{0, cd1}, {2, p.requirements}, {5, p.entitlements},
                                                  {0x1000, cd256}, {0x10000, wrapper(cms_sign(pki, cd1))}}));
    const auto r = verify_macho_signature(s.file, s.where, pki.anchors(), kNow);
    CHECK(r.status == SignatureStatus::Invalid);
    CHECK(names(r.flags) == std::vector<std::string>{"bad_digest"});
  }
}

TEST_CASE("malformed SuperBlobs are malformed, never a crash", "[verify][macho]") {
  Parts p;
  p.spec.flags = 0x2;
  const Bytes cd = p.cd();
  const auto good = slice_with(p.code, super_blob({{0, cd}, {2, p.requirements}, {5, p.entitlements}}));
  const std::size_t sb = good.where.signature_offset;
  auto expect_malformed = [](const Slice& s) {
    const auto r = verify_macho_signature(s.file, s.where, MachOTrustAnchors{}, kNow);
    CHECK(r.status == SignatureStatus::Malformed);
    CHECK(has_flag(r.flags, VerifyFlag::Malformed));
  };
  SECTION("bad magic") {
    auto s = good;
    s.file[sb] = std::byte{0};
    expect_malformed(s);
  }
  SECTION("blob count beyond the SuperBlob") {
    auto s = good;
    put32(s.file, sb + 8, 0x10000000);
    expect_malformed(s);
  }
  SECTION("blob offset beyond the SuperBlob") {
    auto s = good;
    put32(s.file, sb + 16, 0x7fffffff);
    expect_malformed(s);
  }
  SECTION("CodeDirectory hash slots beyond the blob") {
    auto s = good;
    const std::size_t cd_at = sb + 12 + 3 * 8;
    put32(s.file, cd_at + 28, 0x01000000);  // nCodeSlots
    expect_malformed(s);
  }
  SECTION("codeLimit beyond the slice") {
    auto s = good;
    put32(s.file, sb + 12 + 3 * 8 + 32, 0xfffffff0);
    expect_malformed(s);
  }
  SECTION("signature location outside the slice or the file") {
    auto s = good;
    s.where.signature_size += 1;
    expect_malformed(s);
    s = good;
    s.where.slice_size = s.file.size() + 1;
    expect_malformed(s);
    s = good;
    s.where.signature_offset = ~std::uint64_t{0} - 4;
    expect_malformed(s);
  }
  SECTION("random corruption of the signature never crashes") {
    std::mt19937 rng(7);
    for (int i = 0; i < 3000; ++i) {
      auto s = good;
      for (int k = 0; k < 1 + i % 4; ++k) {
        const std::size_t at = sb + rng() % good.where.signature_size;
        s.file[at] = static_cast<std::byte>(rng());
      }
      (void)verify_macho_signature(s.file, s.where, MachOTrustAnchors{}, kNow);
    }
  }
}

TEST_CASE("CodeDirectory flag names", "[verify][macho]") {
  CHECK(code_directory_flag_names(0).empty());
  CHECK(code_directory_flag_names(0x2 | 0x10000 | 0x20000) ==
        std::vector<std::string>{"adhoc", "runtime", "linker_signed"});
  CHECK(code_directory_flag_names(0x1) == std::vector<std::string>{"0x1"});
}

// ================================================================== anchors and real binaries

TEST_CASE("the committed Apple root is Apple Root CA with its published fingerprint", "[verify][macho]") {
  const MachOTrustAnchors a = apple_anchors();
  REQUIRE(a.size() == 1);
  CHECK(a.subjects()[0] == "CN=Apple Root CA,OU=Apple Certification Authority,O=Apple Inc.,C=US");
  const Bytes d = der_of(a.certificate(0));
  const Bytes fp = digest("SHA256", d);
  std::string hex;
  for (std::byte b : fp) hex += fmt_hex(b);
  CHECK(hex == "b0b1730ecbc7ff4505142c49f1295e6eda6bcaed7e2c68c5be91b5a11001f024");
}

TEST_CASE("anchor loading fails fast on bad files", "[verify][macho]") {
  test::TempTree t;
  t.write("a/README.md", "ignored");
  CHECK_FALSE(MachOTrustAnchors::load_directory(t.path() / "a"));  // no certificate at all
  t.write("b/bad.pem", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
  const auto bad = MachOTrustAnchors::load_directory(t.path() / "b");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code == Errc::Config);
  CHECK_FALSE(MachOTrustAnchors::load_directory(t.path() / "missing"));
}

TEST_CASE("real npm Mach-O binaries: Developer ID, ad-hoc, linker-signed, unsigned", "[verify][macho][real]") {
  const fs::path npm = npm_dir();
  if (!trustscan::test::real_tree_has(npm / "@sentry/cli-darwin/bin/sentry-cli")) return;
  const MachOTrustAnchors anchors = apple_anchors();
  const std::int64_t now = std::time(nullptr);
  struct Expect {
    const char* file;
    std::vector<std::pair<SignatureStatus, MachOSignatureKind>> slices;
    const char* team;
  };
  const auto e = GENERATE(values<Expect>({
      {"@sentry/cli-darwin/bin/sentry-cli",
       {{SignatureStatus::Valid, MachOSignatureKind::DeveloperId}, {SignatureStatus::Valid, MachOSignatureKind::DeveloperId}},
       "97JCY7859U"},
      {"fsevents/fsevents.node",
       {{SignatureStatus::Unsigned, MachOSignatureKind::None}, {SignatureStatus::Untrusted, MachOSignatureKind::LinkerSigned}},
       ""},
      {"@esbuild/darwin-arm64/bin/esbuild", {{SignatureStatus::Untrusted, MachOSignatureKind::LinkerSigned}}, ""},
      {"@esbuild/darwin-x64/bin/esbuild", {{SignatureStatus::Unsigned, MachOSignatureKind::None}}, ""},
      {"@vscode/vsce-sign-darwin-x64/bin/vsce-sign", {{SignatureStatus::Untrusted, MachOSignatureKind::AdHoc}}, ""},
  }));
  INFO(e.file);
  const std::string bytes = test::read_file(npm / e.file);
  REQUIRE(!bytes.empty());
  const auto file = std::as_bytes(std::span(bytes));
  const auto where = locate(file);
  REQUIRE(where.size() == e.slices.size());
  for (std::size_t i = 0; i < where.size(); ++i) {
    INFO("slice " << i);
    const auto r = verify_macho_signature(file, where[i], anchors, now);
    CHECK(to_string(r.status) == to_string(e.slices[i].first));
    CHECK(to_string(r.macho()->kind) == to_string(e.slices[i].second));
    CHECK(r.flags == 0);
    if (r.status == SignatureStatus::Unsigned) continue;
    CHECK(r.macho()->team_id == e.team);
    CHECK(r.macho()->cdhash.size() == 40);
    CHECK(r.digest_algorithm == "sha256");
    if (r.macho()->kind == MachOSignatureKind::DeveloperId) {
      CHECK(r.signer.subject_cn == "Developer ID Application: GetSentry LLC (97JCY7859U)");
      CHECK(r.signer.subject_o == "GetSentry LLC");
      CHECK(r.signer.subject_ou == "97JCY7859U");
      REQUIRE_FALSE(r.chain.empty());
      CHECK(r.chain.back().subject_cn == "Apple Root CA");
      CHECK(r.verification_time_source == "timestamp");
      CHECK(r.macho()->flag_names == std::vector<std::string>{"runtime"});
    }
  }
}

TEST_CASE("real Mach-O: a flipped byte in a code page is a bad page hash", "[verify][macho][real]") {
  const fs::path npm = npm_dir();
  if (!trustscan::test::real_tree_has(npm / "@esbuild/darwin-arm64/bin/esbuild")) return;
  const MachOTrustAnchors anchors = apple_anchors();
  for (const char* f : {"@esbuild/darwin-arm64/bin/esbuild", "@sentry/cli-darwin/bin/sentry-cli"}) {
    INFO(f);
    std::string bytes = test::read_file(npm / f);
    const auto where = locate(std::as_bytes(std::span(bytes)));
    const MachOSignatureLocation& w = where.back();
    REQUIRE(w.signature_size > 0);
    const std::uint64_t at = w.slice_offset + 7 * 4096 + 100;  // inside page 7 of the last slice
    bytes[at] = static_cast<char>(bytes[at] ^ 0x01);
    const auto r = verify_macho_signature(std::as_bytes(std::span(bytes)), w, anchors, std::time(nullptr));
    CHECK(r.status == SignatureStatus::Invalid);
    CHECK(names(r.flags) == std::vector<std::string>{"bad_page_hash"});
    REQUIRE(r.macho()->first_bad_page);
    CHECK(*r.macho()->first_bad_page == 7);
  }
}
