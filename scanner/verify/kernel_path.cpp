#include "verify/kernel_path.hpp"

#include <algorithm>
#include <set>
#include <string>

#include "verify/chain.hpp"
#include "verify/kernel_load.hpp"
#include "verify/trust_store_impl.hpp"
#include "verify/x509_util.hpp"

namespace trustscan::verify::detail {
namespace {

/// A certificate of `bag` that is not on `chain` and is issued under the name of a kernel root
/// other than Microsoft's production roots (which the root program holds, so `chain` reaches them
/// anyway): the cross-certificate a cross-signed driver carries, issued by Microsoft Code
/// Verification Root. Whether it verifies is the path's business.
bool carries_cross_certificate(STACK_OF(X509) * bag, const std::vector<CertInfo>& chain) {
  for (int i = 0; bag != nullptr && i < sk_X509_num(bag); ++i) {
    X509* cert = sk_X509_value(bag, i);
    const std::string issuer = name_entry(X509_get_issuer_name(cert), NID_commonName);
    if (!is_kernel_root(issuer) || is_microsoft_production_root(issuer)) continue;
    if (X509_check_issued(cert, cert) == X509_V_OK) continue;  // a self-signed copy of a root
    const std::string thumbprint = detail::thumbprint(cert, EVP_sha256());
    if (std::ranges::none_of(chain, [&](const CertInfo& c) { return c.thumbprint_sha256 == thumbprint; })) return true;
  }
  return false;
}

}  // namespace

void add_kernel_path(const TrustStore* trust, X509* leaf, STACK_OF(X509) * bag, std::int64_t at_unix, Signature& sig) {
  if (trust == nullptr || leaf == nullptr) return;
  if (!sig.anchor_set.empty() && !sig.chain.empty() && is_kernel_root(sig.chain.back().subject_cn)) return;
  if (!carries_cross_certificate(bag, sig.chain)) return;
  // Every anchor that is not a kernel root is left out: the path can only end at one.
  std::set<std::string> others;
  const auto& anchors = trust->impl().decoded_certificates();
  for (const TrustStore::Impl::Certificate& c : anchors)
    if (!c.cert || !is_kernel_root(name_entry(X509_get_subject_name(c.cert.get()), NID_commonName)))
      others.insert(c.thumbprint_sha256);
  // Without any kernel root among the anchors the path is built against none (to report it).
  const bool none = others.size() == anchors.size();
  ChainResult path = verify_chain(none ? nullptr : trust, leaf, bag, at_unix, LeafUsage::CodeSigning, nullptr, others);
  if (sig.verification_time_source != "timestamp") sig.clock_window.narrow(path.window);
  sig.kernel_chain = std::move(path.chain);
  // The kernel does not check certificate lifetimes of driver signatures (kernel_load.cpp).
  constexpr VerifyFlags kIgnored = flags_of({VerifyFlag::Expired, VerifyFlag::NotYetValid});
  if (path.anchored && (path.flags & kChainFailureFlags & ~kIgnored) == 0)
    sig.kernel_anchor_set = std::move(path.anchor_set);
}

}  // namespace trustscan::verify::detail
