#include "verify/image_trust.hpp"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509_vfy.h>

#include <algorithm>
#include <cctype>

#include "core/ascii.hpp"
#include "io/hashing.hpp"
#include "verify/image_trust_impl.hpp"
#include "verify/x509_util.hpp"

namespace trustscan::verify {
namespace {

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

/// Adds one parsed certificate to `impl` in the role of its store.
void add(ImageTrust::Impl& impl, X509Ptr cert, ImageStoreRole role, const ImageStoreCertificate& c,
         const std::string& sha256, std::string& fingerprint_text) {
  for (const ASN1_TIME* t : {X509_get0_notBefore(cert.get()), X509_get0_notAfter(cert.get())})
    if (auto instant = t ? detail::to_unix(t) : std::nullopt) impl.clock_instants.push_back(*instant);
  const ImageTrust::Impl::Entry entry{c.location, upper(detail::thumbprint(cert.get(), EVP_sha1()))};
  fingerprint_text += std::to_string(static_cast<int>(role)) + " " + sha256 + " " + c.location + "\n";
  switch (role) {
    case ImageStoreRole::Root:
      if (!impl.roots) impl.roots.reset(X509_STORE_new());
      if (impl.roots) X509_STORE_add_cert(impl.roots.get(), cert.get());  // takes its own reference
      ERR_clear_error();                                                  // a duplicate certificate is not an error
      impl.roots_by_thumbprint[sha256].push_back(entry);
      break;
    case ImageStoreRole::Intermediate: impl.intermediates.push_back(std::move(cert)); break;
    case ImageStoreRole::Disallowed: impl.disallowed_by_thumbprint[sha256].push_back(entry); break;
    case ImageStoreRole::Counted: break;
  }
}

}  // namespace

ImageStoreRole role_of_store(std::string_view store) noexcept {
  if (iequals_ascii(store, "ROOT") || iequals_ascii(store, "AuthRoot")) return ImageStoreRole::Root;
  if (iequals_ascii(store, "CA")) return ImageStoreRole::Intermediate;
  if (iequals_ascii(store, "Disallowed")) return ImageStoreRole::Disallowed;
  return ImageStoreRole::Counted;
}

ImageTrust::ImageTrust() : impl_(std::make_shared<const Impl>()) {}
ImageTrust::ImageTrust(std::shared_ptr<const Impl> impl) noexcept : impl_(std::move(impl)) {}

ImageTrust ImageTrust::build(const std::vector<ImageStoreCertificate>& certificates,
                             std::vector<std::string>& warnings) {
  auto impl = std::make_shared<Impl>();
  std::string fingerprint_text;
  for (const ImageStoreCertificate& c : certificates) {
    const unsigned char* p = c.der.data();
    X509Ptr cert(c.der.empty() ? nullptr : d2i_X509(nullptr, &p, static_cast<long>(c.der.size())));
    ERR_clear_error();
    if (!cert || p != c.der.data() + c.der.size()) {
      warnings.push_back(c.location + "\\Certificates\\" + c.key +
                         ": the Blob's certificate is not a DER X.509 certificate; ignored");
      continue;
    }
    ++impl->counts[c.location];
    const std::string sha256 = detail::thumbprint(cert.get(), EVP_sha256());  // before cert is moved
    add(*impl, std::move(cert), role_of_store(c.store), c, sha256, fingerprint_text);
  }
  std::ranges::sort(impl->clock_instants);
  if (!impl->roots_by_thumbprint.empty() || !impl->intermediates.empty() || !impl->disallowed_by_thumbprint.empty())
    impl->fingerprint = io::sha256_hex(std::as_bytes(std::span(fingerprint_text)));
  return ImageTrust(std::move(impl));
}

bool ImageTrust::empty() const noexcept { return impl_->fingerprint.empty(); }
const std::map<std::string, std::size_t>& ImageTrust::counts() const noexcept { return impl_->counts; }
const std::string& ImageTrust::fingerprint() const noexcept { return impl_->fingerprint; }

}  // namespace trustscan::verify
