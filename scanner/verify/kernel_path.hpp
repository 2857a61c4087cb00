#pragma once
/// \file
/// Internal to verify/: the path Windows' kernel builds for a driver's signer. The kernel trusts
/// only its own few roots (kernel_load.hpp, is_kernel_root) and reaches Microsoft Code
/// Verification Root through the cross-certificate a cross-signed driver carries in its
/// signature. OpenSSL stops at the first trusted root it finds — the vendor's own root when the
/// root program holds it — so that path is built a second time, against the anchors that are
/// kernel roots only, when the signature carries a certificate issued under a kernel root's name.

#include <openssl/x509.h>

#include <cstdint>

#include "verify/signature.hpp"
#include "verify/trust_store.hpp"

namespace trustscan::verify::detail {

/// Fills `sig.kernel_chain` and `sig.kernel_anchor_set` (signature.hpp) for the signer `leaf`
/// with the certificates `bag` of its signature, verified at `at_unix`, after `sig.chain` and
/// `sig.anchor_set` were filled. Does nothing when `sig.chain` already ends at a kernel root
/// anchor, or when no certificate of `bag` outside that chain is issued under the name of
/// Microsoft Code Verification Root (or a testing root).
void add_kernel_path(const TrustStore* trust, X509* leaf, STACK_OF(X509) * bag, std::int64_t at_unix, Signature& sig);

}  // namespace trustscan::verify::detail
