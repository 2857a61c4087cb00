#pragma once
/// \file
/// unique_ptr aliases for OpenSSL handles, so no verify/ code frees anything by hand.

#include <memory>

#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/evp.h>
#include <openssl/pkcs7.h>
#include <openssl/ts.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

namespace trustscan::verify {

template <auto Fn>
struct OpensslDeleter {
  template <class T>
  void operator()(T* p) const noexcept { Fn(p); }
};

using BioPtr = std::unique_ptr<BIO, OpensslDeleter<BIO_free>>;
using X509Ptr = std::unique_ptr<X509, OpensslDeleter<X509_free>>;
using X509StorePtr = std::unique_ptr<X509_STORE, OpensslDeleter<X509_STORE_free>>;
using CrlPtr = std::unique_ptr<X509_CRL, OpensslDeleter<X509_CRL_free>>;
using X509StoreCtxPtr = std::unique_ptr<X509_STORE_CTX, OpensslDeleter<X509_STORE_CTX_free>>;
using Pkcs7Ptr = std::unique_ptr<PKCS7, OpensslDeleter<PKCS7_free>>;
using CmsPtr = std::unique_ptr<CMS_ContentInfo, OpensslDeleter<CMS_ContentInfo_free>>;
using EvpMdCtxPtr = std::unique_ptr<EVP_MD_CTX, OpensslDeleter<EVP_MD_CTX_free>>;
using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, OpensslDeleter<EVP_PKEY_free>>;
using EvpPkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, OpensslDeleter<EVP_PKEY_CTX_free>>;

// Added for Authenticode (issue 3).
using Pkcs7SignerInfoPtr = std::unique_ptr<PKCS7_SIGNER_INFO, OpensslDeleter<PKCS7_SIGNER_INFO_free>>;
using TsTstInfoPtr = std::unique_ptr<TS_TST_INFO, OpensslDeleter<TS_TST_INFO_free>>;
using X509AlgorPtr = std::unique_ptr<X509_ALGOR, OpensslDeleter<X509_ALGOR_free>>;
using Asn1ObjectPtr = std::unique_ptr<ASN1_OBJECT, OpensslDeleter<ASN1_OBJECT_free>>;

/// STACK_OF(X509) owning its certificates.
struct X509StackDeleter {
  void operator()(STACK_OF(X509)* s) const noexcept { sk_X509_pop_free(s, X509_free); }
};
using X509StackPtr = std::unique_ptr<STACK_OF(X509), X509StackDeleter>;

}  // namespace trustscan::verify

// Added for module signatures / Mach-O code signatures (issue 4).
#include <openssl/bn.h>

namespace trustscan::verify {

using BignumPtr = std::unique_ptr<BIGNUM, OpensslDeleter<BN_free>>;

/// STACK_OF(X509) that does NOT own its certificates (they belong to someone else, e.g. a keyring).
struct X509StackViewDeleter {
  void operator()(STACK_OF(X509)* s) const noexcept { sk_X509_free(s); }
};
using X509StackViewPtr = std::unique_ptr<STACK_OF(X509), X509StackViewDeleter>;

}  // namespace trustscan::verify
