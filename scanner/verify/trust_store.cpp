#include "verify/trust_store.hpp"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <iterator>
#include <system_error>

#include "io/hashing.hpp"
#include "verify/certificate_file.hpp"
#include "verify/der_reader.hpp"
#include "verify/trust_store_impl.hpp"
#include "verify/x509_util.hpp"

namespace trustscan::verify {

namespace fs = std::filesystem;

namespace {

std::vector<std::uint8_t> der_of(X509* cert) {
  unsigned char* der = nullptr;
  const int len = i2d_X509(cert, &der);
  if (len <= 0 || der == nullptr) return {};
  std::vector<std::uint8_t> out(der, der + len);
  OPENSSL_free(der);
  return out;
}

/// Lower-case hex SHA-256 of `bytes` (io/hashing.hpp).
std::string sha256_of(std::span<const std::uint8_t> bytes) { return io::sha256_hex(std::as_bytes(bytes)); }

/// Lower-case hex SHA-256 of a CRL's DER encoding ("" if it cannot be encoded).
std::string crl_digest(X509_CRL* crl) {
  unsigned char* der = nullptr;
  const int len = i2d_X509_CRL(crl, &der);
  if (len <= 0) return {};
  std::string digest = sha256_of({der, static_cast<std::size_t>(len)});
  OPENSSL_free(der);
  return digest;
}

void add_instant(std::vector<std::int64_t>& out, const ASN1_TIME* t) {
  if (t == nullptr) return;
  if (auto v = detail::to_unix(t)) out.push_back(*v);
}

constexpr std::uint8_t kSequence = 0x30, kSet = 0x31, kInteger = 0x02, kBitString = 0x03, kOid = 0x06, kBoolean = 0x01,
                       kOctetString = 0x04;

/// True when `name` is laid out as an X.501 Name: a SEQUENCE OF RelativeDistinguishedName, each a
/// SET OF AttributeTypeAndValue, each a SEQUENCE of an OID and one value.
bool is_name(const detail::DerItem& name) {
  using detail::DerReader;
  if (name.tag != kSequence) return false;
  for (DerReader rdns(name.value); !rdns.empty();) {
    const auto rdn = rdns.next_if(kSet);
    if (!rdn || rdn->value.empty()) return false;
    for (DerReader atvs(rdn->value); !atvs.empty();) {
      const auto atv = atvs.next_if(kSequence);
      if (!atv) return false;
      DerReader parts(atv->value);
      if (!parts.next_if(kOid) || !parts.next() || !parts.empty()) return false;
    }
  }
  return true;
}

bool is_time(const std::optional<detail::DerItem>& item) {
  return item && (item->tag == V_ASN1_UTCTIME || item->tag == V_ASN1_GENERALIZEDTIME) && !item->value.empty();
}

/// What the loader takes of the DER certificate `der` without decoding it (TrustStore::Impl): its
/// SHA-256 thumbprint, once its structure is checked item by item as X.509's Certificate and
/// TBSCertificate lay it out (RFC 5280 4.1: every field present, of its type, the names as
/// Names, nothing after); nullopt when it is not a certificate. OpenSSL reads the contents (the
/// subject, the validity) when the certificate is decoded (TrustStore::Impl::decode).
std::optional<std::string> outline_certificate(std::span<const std::uint8_t> der) {
  using detail::DerReader;
  DerReader whole(der);
  const auto certificate = whole.next_if(kSequence);
  if (!certificate || !whole.empty()) return std::nullopt;
  DerReader c(certificate->value);
  const auto tbs = c.next_if(kSequence);
  const auto signature_algorithm = c.next_if(kSequence);
  const auto signature = c.next_if(kBitString);
  if (!tbs || !signature_algorithm || !signature || !c.empty()) return std::nullopt;
  DerReader t(tbs->value);
  (void)t.next_if(0xA0);  // [0] version, absent for v1
  const auto serial = t.next_if(kInteger);
  const auto algorithm = t.next_if(kSequence);
  const auto issuer = t.next_if(kSequence);
  const auto validity = t.next_if(kSequence);
  const auto subject = t.next_if(kSequence);
  const auto key = t.next_if(kSequence);
  if (!serial || !algorithm || !issuer || !validity || !subject || !key) return std::nullopt;
  if (!is_name(*issuer) || !is_name(*subject)) return std::nullopt;
  (void)t.next_if(0x81);  // [1] issuerUniqueID
  (void)t.next_if(0x82);  // [2] subjectUniqueID
  if (const auto extensions = t.next_if(0xA3)) {
    DerReader outer(extensions->value);
    const auto list = outer.next_if(kSequence);
    if (!list || !outer.empty()) return std::nullopt;
    for (DerReader e(list->value); !e.empty();) {
      const auto extension = e.next_if(kSequence);
      if (!extension) return std::nullopt;
      DerReader x(extension->value);
      const bool id = x.next_if(kOid).has_value();
      (void)x.next_if(kBoolean);  // critical
      if (!id || !x.next_if(kOctetString) || !x.empty()) return std::nullopt;
    }
  }
  if (!t.empty()) return std::nullopt;
  DerReader k(key->value);
  if (!k.next_if(kSequence) || !k.next_if(kBitString) || !k.empty()) return std::nullopt;
  DerReader v(validity->value);
  if (!is_time(v.next()) || !is_time(v.next()) || !v.empty()) return std::nullopt;
  return sha256_of(der);
}

/// Calls each(name, contents) for every block of the PEM text `pem`, in order, until it returns
/// false (OpenSSL reads the blocks: PEM_read_bio, without decoding what they hold).
template <class Each>
void for_each_pem_block(std::span<const std::byte> pem, Each each) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  bool more = true;
  while (bio && more) {
    char* name = nullptr;
    char* header = nullptr;
    unsigned char* data = nullptr;
    long len = 0;
    if (PEM_read_bio(bio.get(), &name, &header, &data, &len) != 1) break;
    more = each(std::string_view(name), std::span<const std::uint8_t>(data, static_cast<std::size_t>(len)));
    OPENSSL_free(name);
    OPENSSL_free(header);
    OPENSSL_free(data);
  }
  ERR_clear_error();  // the loop ends on a "no start line" error by design
}

/// The DER certificates of a certificate file as OpenSSL's PEM_read_bio_X509 or d2i_X509 would
/// take them (certificate_file.hpp): PEM (blocks named CERTIFICATE or X509 CERTIFICATE, up to the
/// first that is not a certificate) or one DER certificate, each with its thumbprint.
std::vector<std::pair<std::vector<std::uint8_t>, std::string>> certificates_in(std::span<const std::byte> bytes) {
  std::vector<std::pair<std::vector<std::uint8_t>, std::string>> out;
  const std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  if (text.find("-----BEGIN") == std::string_view::npos) {
    const std::span der(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
    if (auto thumbprint = outline_certificate(der))
      out.emplace_back(std::vector<std::uint8_t>(der.begin(), der.end()), std::move(*thumbprint));
    return out;
  }
  for_each_pem_block(bytes, [&](std::string_view name, std::span<const std::uint8_t> der) {
    if (name != PEM_STRING_X509 && name != PEM_STRING_X509_OLD) return true;  // (skipped, as OpenSSL does)
    auto thumbprint = outline_certificate(der);
    if (!thumbprint) return false;  // as PEM_read_bio_X509 stops at a block it cannot decode
    out.emplace_back(std::vector<std::uint8_t>(der.begin(), der.end()), std::move(*thumbprint));
    return true;
  });
  return out;
}

bool listed(const std::vector<std::string>& list, std::string_view purpose) {
  return std::find(list.begin(), list.end(), purpose) != list.end();
}

/// `list` applies to `purpose` ("" = no particular purpose: only a list covering everything).
bool applies(const std::vector<std::string>& list, std::string_view purpose) {
  return list.empty() || (!purpose.empty() && listed(list, purpose));
}

std::string policy_text(const AnchorPolicy& p) {
  auto join = [](const std::vector<std::string>& v) {
    std::string out;
    for (const auto& s : v) out += (out.empty() ? "" : ",") + s;
    return out;
  };
  auto time = [](const std::optional<std::int64_t>& t) { return t ? std::to_string(*t) : std::string("-"); };
  return "purposes=" + (p.purposes ? join(*p.purposes) : std::string("*")) + " disabled=" + time(p.disabled_from) +
         "/" + join(p.disabled_purposes) + " not-before=" + time(p.not_before) + "/" + join(p.not_before_purposes);
}

/// Builds a TrustStore::Impl set by set; each function stays small.
class Loader {
 public:
  Loader() : impl_(std::make_unique<TrustStore::Impl>()) {}

  Result<void> add_set(const AnchorSetSpec& spec) {
    if (std::any_of(impl_->sets.begin(), impl_->sets.end(), [&](const AnchorSetInfo& s) { return s.name == spec.name; }))
      return fail(Errc::Config, "two trust anchor sets are named '" + spec.name + "'");
    AnchorSetInfo info{spec.name, spec.origin.string(), 0, 0};
    for (const fs::path& dir : spec.dirs) {
      info.origin += (info.origin.empty() ? "" : ", ") + dir.string();
      auto files = list_certificate_files(dir, kCertificateFileExtensions, "trust store");
      if (!files) return std::unexpected(files.error());
      for (const fs::path& file : *files) {
        auto bytes = read_regular_file(file, kMaxCertificateFileSize);
        if (!bytes) return fail(Errc::Config, bytes.error().message);
        auto certs = certificates_in(*bytes);
        if (certs.empty()) return fail(Errc::Config, file.string() + ": not an X.509 certificate (PEM or DER)");
        for (auto& [der, thumbprint] : certs)
          if (auto added = add(std::move(der), thumbprint, file, {}, {}, info); !added) return added;
      }
    }
    for (std::size_t i = 0; i < spec.certificates.size(); ++i) {
      const AnchorCertificate& c = spec.certificates[i];
      const auto thumbprint = outline_certificate(c.der);
      if (!thumbprint)
        return fail(Errc::Config, "trust anchor set " + spec.name + ": certificate " + std::to_string(i + 1) +
                                      (c.name.empty() ? "" : " (" + c.name + ")") + " cannot be parsed");
      if (auto added = add(c.der, *thumbprint, spec.origin, c.name, c.policy, info); !added) return added;
    }
    impl_->sets.push_back(std::move(info));
    return {};
  }

  Result<void> add_crls(const fs::path& dir) {
    impl_->checks_revocation = true;
    auto files = list_certificate_files(dir, TrustStore::kCrlExtensions, "CRL");
    if (!files) return std::unexpected(files.error());
    for (const fs::path& file : *files) {
      auto bytes = read_regular_file(file, kMaxCertificateFileSize);
      if (!bytes) return fail(Errc::Config, bytes.error().message);
      auto crls = parse_crls(*bytes, file.string());
      if (!crls) return fail(Errc::Config, crls.error().message);
      for (CrlPtr& crl : *crls) {
        if (impl_->crls.size() >= TrustStore::kMaxEntries)
          return fail(Errc::Config, "more than " + std::to_string(TrustStore::kMaxEntries) + " CRLs");
        const std::string digest = crl_digest(crl.get());
        if (std::find(crl_digests_.begin(), crl_digests_.end(), digest) != crl_digests_.end()) continue;
        crl_digests_.push_back(digest);
        add_instant(impl_->clock_instants, X509_CRL_get0_lastUpdate(crl.get()));
        add_instant(impl_->clock_instants, X509_CRL_get0_nextUpdate(crl.get()));
        impl_->crls.push_back(std::move(crl));
      }
    }
    return {};
  }

  Result<std::unique_ptr<TrustStore::Impl>> finish() {
    if (impl_->anchors.empty()) return fail(Errc::Config, "no trust anchor certificate found");
    // (clock_instants are sorted by decode(), once the anchors' own are added.)
    std::vector<std::string> lines;
    for (const TrustAnchor& a : impl_->anchors)
      lines.push_back("anchor " + a.thumbprint_sha256 + " set " + a.set + " " + policy_text(a.policy));
    for (const std::string& c : crl_digests_) lines.push_back("crl " + c);
    std::sort(lines.begin(), lines.end());
    std::string text = impl_->checks_revocation ? "crl-check\n" : "no-crl-check\n";
    for (const std::string& l : lines) text += l + "\n";
    impl_->fingerprint = io::sha256_hex(std::as_bytes(std::span(text)));
    return std::move(impl_);
  }

 private:
  Result<void> add(std::vector<std::uint8_t> der, const std::string& thumbprint, const fs::path& file, std::string name,
                   AnchorPolicy policy, AnchorSetInfo& set) {
    if (impl_->anchors.size() >= TrustStore::kMaxEntries)
      return fail(Errc::Config, "more than " + std::to_string(TrustStore::kMaxEntries) + " trust anchors");
    auto& entries = impl_->by_thumbprint[thumbprint];
    for (std::size_t i : entries)
      if (impl_->anchors[i].set == set.name) return {};  // the same certificate twice in one set
    if (entries.empty()) impl_->certificates.push_back({thumbprint, std::move(der), nullptr});
    if (policy.disabled_from) impl_->clock_instants.push_back(*policy.disabled_from);
    if (policy != AnchorPolicy{}) ++set.restricted;
    ++set.anchors;
    entries.push_back(impl_->anchors.size());
    impl_->anchors.push_back({{}, thumbprint, file, set.name, std::move(name), std::move(policy)});
    return {};
  }

  std::unique_ptr<TrustStore::Impl> impl_;
  std::vector<std::string> crl_digests_;
};

}  // namespace

std::optional<std::string> anchor_refusal(const AnchorPolicy& p, std::string_view purpose, std::int64_t at_unix,
                                          std::optional<std::int64_t> leaf_not_before) {
  const std::string what = purpose.empty() ? std::string("this use") : std::string(purpose);
  if (p.purposes && (purpose.empty() || !listed(*p.purposes, purpose)))
    return "its root program entry does not list " + what + " among its purposes";
  if (!p.disabled_from && !p.disabled_purposes.empty() && !purpose.empty() && listed(p.disabled_purposes, purpose))
    return "its root program entry disables it for " + what;
  if (p.disabled_from && at_unix >= *p.disabled_from && applies(p.disabled_purposes, purpose))
    return "its root program entry disables it from " + detail::iso8601(*p.disabled_from) +
           " (verified at " + detail::iso8601(at_unix) + ")";
  if (!p.not_before && !p.not_before_purposes.empty() && !purpose.empty() && listed(p.not_before_purposes, purpose))
    return "its root program entry does not trust certificates issued under it for " + what;
  if (p.not_before && leaf_not_before && *leaf_not_before >= *p.not_before && applies(p.not_before_purposes, purpose))
    return "its root program entry does not trust certificates issued under it from " + detail::iso8601(*p.not_before) +
           " (the signer certificate dates from " + detail::iso8601(*leaf_not_before) + ")";
  return std::nullopt;
}

bool may_anchor(const AnchorPolicy& p, std::string_view purpose) {
  if (p.purposes && (purpose.empty() || !listed(*p.purposes, purpose))) return false;
  if (!p.disabled_from && !purpose.empty() && listed(p.disabled_purposes, purpose)) return false;
  if (!p.not_before && !purpose.empty() && listed(p.not_before_purposes, purpose)) return false;
  return true;
}

std::vector<ParsedCertificate> read_certificates(std::span<const std::byte> pem_or_der) {
  std::vector<ParsedCertificate> out;
  auto certs = parse_certificates(pem_or_der, "");
  if (!certs) return out;
  for (X509Ptr& cert : *certs) out.push_back({der_of(cert.get()), detail::cert_info(cert.get())});
  return out;
}

std::vector<std::vector<std::uint8_t>> pem_certificate_blocks(std::span<const std::byte> pem) {
  std::vector<std::vector<std::uint8_t>> out;
  for_each_pem_block(pem, [&](std::string_view name, std::span<const std::uint8_t> der) {
    if (name == PEM_STRING_X509 && !der.empty()) out.emplace_back(der.begin(), der.end());
    return true;
  });
  return out;
}

void TrustStore::Impl::decode() const {
  std::call_once(decoded_, [this] {
    for (const Certificate& c : certificates) {
      const auto* p = c.der.data();
      c.cert.reset(d2i_X509(nullptr, &p, static_cast<long>(c.der.size())));
      if (!c.cert) continue;
      // Fills OpenSSL's per-certificate extension cache here, before threads share it.
      X509_check_purpose(c.cert.get(), -1, 0);
      const std::string subject = detail::name_to_string(X509_get_subject_name(c.cert.get()));
      for (std::size_t i : by_thumbprint.find(c.thumbprint_sha256)->second) anchors[i].subject = subject;
      add_instant(clock_instants, X509_get0_notBefore(c.cert.get()));
      add_instant(clock_instants, X509_get0_notAfter(c.cert.get()));
    }
    ERR_clear_error();
    std::ranges::sort(clock_instants);
    clock_instants.erase(std::unique(clock_instants.begin(), clock_instants.end()), clock_instants.end());
    any_purpose_ = build_store("", {});
    code_signing_ = build_store(kPurposeCodeSigning, {});
    time_stamping_ = build_store(kPurposeTimeStamping, {});
  });
}

X509_STORE* TrustStore::Impl::store_for(std::string_view purpose) const {
  decode();
  if (purpose == kPurposeCodeSigning) return code_signing_.get();
  if (purpose == kPurposeTimeStamping) return time_stamping_.get();
  return any_purpose_.get();
}

X509StorePtr TrustStore::Impl::store_without(std::string_view purpose, const std::set<std::string>& excluded) const {
  decode();
  return build_store(purpose, excluded);
}

X509StorePtr TrustStore::Impl::build_store(std::string_view purpose, const std::set<std::string>& excluded) const {
  X509StorePtr store(X509_STORE_new());
  if (!store) return store;
  for (const Certificate& c : certificates) {
    if (!c.cert || excluded.contains(c.thumbprint_sha256)) continue;
    const auto& entries = by_thumbprint.find(c.thumbprint_sha256)->second;
    const bool allowed = purpose.empty() || std::any_of(entries.begin(), entries.end(), [&](std::size_t i) {
                           return may_anchor(anchors[i].policy, purpose);
                         });
    if (allowed && X509_STORE_add_cert(store.get(), c.cert.get()) != 1) return {};
  }
  for (const CrlPtr& crl : crls)
    if (X509_STORE_add_crl(store.get(), crl.get()) != 1) return {};
  ERR_clear_error();
  return store;
}

TrustStore::TrustStore(std::unique_ptr<Impl> impl) noexcept : impl_(std::move(impl)) {}
TrustStore::TrustStore(TrustStore&&) noexcept = default;
TrustStore& TrustStore::operator=(TrustStore&&) noexcept = default;
TrustStore::~TrustStore() = default;

const std::vector<TrustAnchor>& TrustStore::anchors() const { return impl_->decoded_anchors(); }
std::size_t TrustStore::anchor_count() const noexcept { return impl_->anchors.size(); }
const std::vector<AnchorSetInfo>& TrustStore::sets() const noexcept { return impl_->sets; }
std::size_t TrustStore::crl_count() const noexcept { return impl_->crls.size(); }
bool TrustStore::checks_revocation() const noexcept { return impl_->checks_revocation; }
const std::string& TrustStore::fingerprint() const noexcept { return impl_->fingerprint; }

Result<TrustStore> TrustStore::load(const std::vector<fs::path>& anchor_dirs, const std::optional<fs::path>& crl_dir) {
  std::vector<AnchorSetSpec> sets;
  for (const fs::path& dir : anchor_dirs)
    if (std::none_of(sets.begin(), sets.end(), [&](const AnchorSetSpec& s) { return s.dirs.front() == dir; }))
      sets.push_back({dir.string(), {dir}, {}, {}});
  return load_sets(sets, crl_dir);
}

Result<TrustStore> TrustStore::load_sets(const std::vector<AnchorSetSpec>& sets, const std::optional<fs::path>& crl_dir) {
  Loader loader;
  for (const AnchorSetSpec& set : sets)
    if (auto added = loader.add_set(set); !added) return std::unexpected(added.error());
  if (crl_dir)
    if (auto added = loader.add_crls(*crl_dir); !added) return std::unexpected(added.error());
  auto impl = loader.finish();
  if (!impl) return std::unexpected(impl.error());
  return TrustStore(std::move(*impl));
}

}  // namespace trustscan::verify
