#include "verify/trust_store.hpp"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <iterator>
#include <system_error>

#include "verify/trust_store_impl.hpp"
#include "verify/x509_util.hpp"

namespace trustscan::verify {

namespace fs = std::filesystem;

namespace {

std::string lower_extension(const fs::path& p) {
  std::string ext = p.extension().string();
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return ext;
}

template <std::size_t N>
bool has_extension(const fs::path& p, const char* const (&exts)[N]) {
  const std::string ext = lower_extension(p);
  return std::any_of(std::begin(exts), std::end(exts), [&](const char* e) { return ext == e; });
}

/// Regular files of `dir` with one of `exts`, sorted by name (deterministic load order).
template <std::size_t N>
Result<std::vector<fs::path>> list_files(const fs::path& dir, const char* const (&exts)[N],
                                         std::string_view what) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    return fail(Errc::Config, std::string(what) + " directory not found: " + dir.string());
  std::vector<fs::path> files;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code type_ec;
    if (it->is_regular_file(type_ec) && has_extension(it->path(), exts))
      files.push_back(it->path());
  }
  if (ec) return fail(Errc::Config, "cannot list " + dir.string() + ": " + ec.message());
  std::sort(files.begin(), files.end());
  return files;
}

Result<std::string> read_small_file(const fs::path& file) {
  std::error_code ec;
  const auto size = fs::file_size(file, ec);
  if (ec) return fail(Errc::Config, "cannot read " + file.string() + ": " + ec.message());
  if (size > TrustStore::kMaxFileSize)
    return fail(Errc::Config, file.string() + ": larger than " +
                                  std::to_string(TrustStore::kMaxFileSize) + " bytes");
  std::ifstream in(file, std::ios::binary);
  std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!in && !in.eof()) return fail(Errc::Config, "cannot read " + file.string());
  return data;
}

bool looks_like_pem(const std::string& data) {
  return data.find("-----BEGIN ") != std::string::npos;
}

/// Every certificate in a PEM or DER file.
std::vector<X509Ptr> parse_certificates(const std::string& data) {
  std::vector<X509Ptr> certs;
  if (looks_like_pem(data)) {
    BioPtr bio(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
    while (bio) {
      X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
      if (!cert) break;
      certs.push_back(std::move(cert));
    }
  } else {
    const auto* p = reinterpret_cast<const unsigned char*>(data.data());
    X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(data.size())));
    if (cert) certs.push_back(std::move(cert));
  }
  ERR_clear_error();  // the PEM loop ends on a "no start line" error by design
  return certs;
}

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

struct CrlDeleter {
  void operator()(X509_CRL* c) const noexcept { X509_CRL_free(c); }
};
using CrlPtr = std::unique_ptr<X509_CRL, CrlDeleter>;

std::vector<CrlPtr> parse_crls(const std::string& data) {
  std::vector<CrlPtr> crls;
  if (looks_like_pem(data)) {
    BioPtr bio(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
    while (bio) {
      CrlPtr crl(PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr));
      if (!crl) break;
      crls.push_back(std::move(crl));
    }
  } else {
    const auto* p = reinterpret_cast<const unsigned char*>(data.data());
    CrlPtr crl(d2i_X509_CRL(nullptr, &p, static_cast<long>(data.size())));
    if (crl) crls.push_back(std::move(crl));
  }
  ERR_clear_error();
  return crls;
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

  for (const fs::path& dir : anchor_dirs) {
    auto files = list_files(dir, kCertificateExtensions, "trust store");
    if (!files) return std::unexpected(files.error());
    for (const fs::path& file : *files) {
      auto data = read_small_file(file);
      if (!data) return std::unexpected(data.error());
      auto certs = parse_certificates(*data);
      if (certs.empty()) return fail(Errc::Config, file.string() + ": no PEM or DER certificate");
      for (X509Ptr& cert : certs) {
        if (impl->anchors.size() >= kMaxEntries)
          return fail(Errc::Config, "more than " + std::to_string(kMaxEntries) + " trust anchors");
        // Fill OpenSSL's per-certificate extension cache now, while single-threaded.
        X509_check_purpose(cert.get(), -1, 0);
        const CertInfo info = detail::cert_info(cert.get());
        if (impl->anchor_thumbprints.insert(info.thumbprint_sha256).second) {
          if (X509_STORE_add_cert(impl->store.get(), cert.get()) != 1) {
            ERR_clear_error();
            return fail(Errc::Config, file.string() + ": cannot add certificate to the store");
          }
          impl->anchors.push_back({info.subject, info.thumbprint_sha256, file});
          add_instant(impl->clock_instants, X509_get0_notBefore(cert.get()));
          add_instant(impl->clock_instants, X509_get0_notAfter(cert.get()));
        }
      }
    }
  }
  if (impl->anchors.empty()) return fail(Errc::Config, "no trust anchor certificate found");

  std::vector<std::string> crl_digests;
  if (crl_dir) {
    impl->checks_revocation = true;
    auto files = list_files(*crl_dir, kCrlExtensions, "CRL");
    if (!files) return std::unexpected(files.error());
    for (const fs::path& file : *files) {
      auto data = read_small_file(file);
      if (!data) return std::unexpected(data.error());
      auto crls = parse_crls(*data);
      if (crls.empty()) return fail(Errc::Config, file.string() + ": no PEM or DER CRL");
      for (CrlPtr& crl : crls) {
        if (impl->crl_count >= kMaxEntries)
          return fail(Errc::Config, "more than " + std::to_string(kMaxEntries) + " CRLs");
        if (X509_STORE_add_crl(impl->store.get(), crl.get()) != 1) {
          ERR_clear_error();  // an identical CRL twice: harmless
          continue;
        }
        ++impl->crl_count;
        crl_digests.push_back(crl_digest(crl.get()));
        add_instant(impl->clock_instants, X509_CRL_get0_lastUpdate(crl.get()));
        add_instant(impl->clock_instants, X509_CRL_get0_nextUpdate(crl.get()));
      }
    }
  }
  std::sort(impl->clock_instants.begin(), impl->clock_instants.end());
  impl->clock_instants.erase(std::unique(impl->clock_instants.begin(), impl->clock_instants.end()),
                             impl->clock_instants.end());
  impl->fingerprint = store_fingerprint(impl->anchor_thumbprints, std::move(crl_digests), impl->checks_revocation);
  return TrustStore(std::move(impl));
}

}  // namespace trustscan::verify
