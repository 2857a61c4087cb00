#include "verify/trust_store.hpp"

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include <algorithm>

#include "verify/certificate_file.hpp"
#include "verify/trust_store_impl.hpp"
#include "verify/x509_util.hpp"

namespace trustscan::verify {

namespace fs = std::filesystem;

namespace {

/// Lower-case hex SHA-256 of a CRL's DER encoding ("" if it cannot be encoded).
std::string crl_digest(X509_CRL* crl) {
  unsigned char* der = nullptr;
  const int len = i2d_X509_CRL(crl, &der);
  if (len <= 0) return {};
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int md_len = 0;
  const bool ok = EVP_Digest(der, static_cast<std::size_t>(len), md, &md_len, EVP_sha256(), nullptr) == 1;
  OPENSSL_free(der);
  return ok ? detail::to_hex({md, md_len}) : std::string{};
}

/// The fingerprint of a loaded store: its anchors' thumbprints and CRL digests, each sorted.
std::string store_fingerprint(const std::set<std::string>& anchors, std::vector<std::string> crls, bool revocation) {
  std::sort(crls.begin(), crls.end());
  std::string text = revocation ? "crl-check\n" : "no-crl-check\n";
  for (const auto& a : anchors) text += "anchor " + a + "\n";
  for (const auto& c : crls) text += "crl " + c + "\n";
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int md_len = 0;
  if (EVP_Digest(text.data(), text.size(), md, &md_len, EVP_sha256(), nullptr) != 1) return {};
  return detail::to_hex({md, md_len});
}

void add_instant(std::vector<std::int64_t>& out, const ASN1_TIME* t) {
  if (t == nullptr) return;
  if (auto v = detail::to_unix(t)) out.push_back(*v);
}

/// Adds every certificate of `dirs` as an anchor.
Result<void> load_anchors(TrustStore::Impl& impl, const std::vector<fs::path>& dirs) {
  for (const fs::path& dir : dirs) {
    auto files = list_certificate_files(dir, kCertificateFileExtensions, "trust store");
    if (!files) return std::unexpected(files.error());
    for (const fs::path& file : *files) {
      auto certs = load_certificate_file(file);
      if (!certs) return fail(Errc::Config, certs.error().message);
      for (X509Ptr& cert : *certs) {
        if (impl.anchors.size() >= TrustStore::kMaxEntries)
          return fail(Errc::Config, "more than " + std::to_string(TrustStore::kMaxEntries) + " trust anchors");
        // Fill OpenSSL's per-certificate extension cache now, while single-threaded.
        X509_check_purpose(cert.get(), -1, 0);
        const CertInfo info = detail::cert_info(cert.get());
        if (impl.anchor_thumbprints.insert(info.thumbprint_sha256).second) {
          if (X509_STORE_add_cert(impl.store.get(), cert.get()) != 1) {
            ERR_clear_error();
            return fail(Errc::Config, file.string() + ": cannot add certificate to the store");
          }
          impl.anchors.push_back({info.subject, info.thumbprint_sha256, file});
          add_instant(impl.clock_instants, X509_get0_notBefore(cert.get()));
          add_instant(impl.clock_instants, X509_get0_notAfter(cert.get()));
        }
      }
    }
  }
  if (impl.anchors.empty()) return fail(Errc::Config, "no trust anchor certificate found");
  return {};
}

/// Adds every CRL of `dir`; returns their digests (for the fingerprint).
Result<std::vector<std::string>> load_crls(TrustStore::Impl& impl, const fs::path& dir) {
  std::vector<std::string> digests;
  auto files = list_certificate_files(dir, TrustStore::kCrlExtensions, "CRL");
  if (!files) return std::unexpected(files.error());
  for (const fs::path& file : *files) {
    auto bytes = read_regular_file(file, kMaxCertificateFileSize);
    if (!bytes) return fail(Errc::Config, bytes.error().message);
    auto crls = parse_crls(*bytes, file.string());
    if (!crls) return fail(Errc::Config, crls.error().message);
    for (X509CrlPtr& crl : *crls) {
      if (impl.crl_count >= TrustStore::kMaxEntries)
        return fail(Errc::Config, "more than " + std::to_string(TrustStore::kMaxEntries) + " CRLs");
      if (X509_STORE_add_crl(impl.store.get(), crl.get()) != 1) {
        ERR_clear_error();  // an identical CRL twice: harmless
        continue;
      }
      ++impl.crl_count;
      digests.push_back(crl_digest(crl.get()));
      add_instant(impl.clock_instants, X509_CRL_get0_lastUpdate(crl.get()));
      add_instant(impl.clock_instants, X509_CRL_get0_nextUpdate(crl.get()));
    }
  }
  return digests;
}

}  // namespace

TrustStore::TrustStore(std::unique_ptr<Impl> impl) noexcept : impl_(std::move(impl)) {}
TrustStore::TrustStore(TrustStore&&) noexcept = default;
TrustStore& TrustStore::operator=(TrustStore&&) noexcept = default;
TrustStore::~TrustStore() = default;

const std::vector<TrustAnchor>& TrustStore::anchors() const noexcept { return impl_->anchors; }
std::size_t TrustStore::crl_count() const noexcept { return impl_->crl_count; }
bool TrustStore::checks_revocation() const noexcept { return impl_->checks_revocation; }
const std::string& TrustStore::fingerprint() const noexcept { return impl_->fingerprint; }

Result<TrustStore> TrustStore::load(const std::vector<fs::path>& anchor_dirs,
                                    const std::optional<fs::path>& crl_dir) {
  auto impl = std::make_unique<Impl>();
  impl->store.reset(X509_STORE_new());
  if (!impl->store) return fail(Errc::Internal, "X509_STORE_new failed");

  if (auto anchors = load_anchors(*impl, anchor_dirs); !anchors) return std::unexpected(anchors.error());
  std::vector<std::string> crl_digests;
  if (crl_dir) {
    impl->checks_revocation = true;
    auto digests = load_crls(*impl, *crl_dir);
    if (!digests) return std::unexpected(digests.error());
    crl_digests = std::move(*digests);
  }
  std::sort(impl->clock_instants.begin(), impl->clock_instants.end());
  impl->clock_instants.erase(std::unique(impl->clock_instants.begin(), impl->clock_instants.end()),
                             impl->clock_instants.end());
  impl->fingerprint = store_fingerprint(impl->anchor_thumbprints, std::move(crl_digests), impl->checks_revocation);
  return TrustStore(std::move(impl));
}

}  // namespace trustscan::verify
