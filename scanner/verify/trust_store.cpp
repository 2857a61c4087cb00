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
        }
      }
    }
  }
  if (impl->anchors.empty()) return fail(Errc::Config, "no trust anchor certificate found");

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
      }
    }
  }
  return TrustStore(std::move(impl));
}

}  // namespace trustscan::verify
