#include "verify/modsig_x509.hpp"

#include <algorithm>
#include <cctype>
#include <climits>
#include <memory>
#include <optional>
#include <cstring>
#include <string_view>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

namespace trustscan::verify::modsig {

std::string integer_hex(const ASN1_INTEGER* value) {
  if (value == nullptr) return {};
  BignumPtr bn(ASN1_INTEGER_to_BN(value, nullptr));
  if (!bn) return {};
  char* hex = BN_bn2hex(bn.get());
  if (hex == nullptr) return {};
  std::string out(hex);
  OPENSSL_free(hex);
  std::ranges::transform(out, out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string subject_key_id_hex(X509* cert) {
  const ASN1_OCTET_STRING* skid = cert ? X509_get0_subject_key_id(cert) : nullptr;
  if (skid == nullptr) return {};
  return hex_lower({ASN1_STRING_get0_data(skid), static_cast<std::size_t>(ASN1_STRING_length(skid))});
}

std::string sha256_fingerprint(X509* cert) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (cert == nullptr || X509_digest(cert, EVP_sha256(), md, &len) != 1) return {};
  return hex_lower({md, len});
}

std::string take_openssl_errors() {
  std::string out;
  char buf[256];
  for (unsigned long e = ERR_get_error(); e != 0; e = ERR_get_error()) {
    ERR_error_string_n(e, buf, sizeof buf);
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out;
}

namespace {

/// The state of a source BIO: the next byte to hand out and where the content ends.
struct SourceReader {
  std::optional<SpanSource> owned;  ///< bytes in memory given as a span: the source below
  const ByteSource* source;
  std::uint64_t pos = 0;
  std::uint64_t end = 0;
  std::vector<std::byte> scratch;
};

int source_read(BIO* bio, char* out, int len) {
  auto* r = static_cast<SourceReader*>(BIO_get_data(bio));
  if (r == nullptr || len <= 0) return -1;
  if (r->pos >= r->end) return 0;
  const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(static_cast<std::uint64_t>(len), r->end - r->pos));
  auto piece = r->source->read(r->pos, n, r->scratch);
  if (!piece) return -1;
  std::memcpy(out, piece->data(), n);
  r->pos += n;
  return static_cast<int>(n);
}

long source_ctrl(BIO* bio, int cmd, long /*num*/, void* /*ptr*/) {
  const auto* r = static_cast<const SourceReader*>(BIO_get_data(bio));
  switch (cmd) {
    case BIO_CTRL_EOF: return r == nullptr || r->pos >= r->end ? 1 : 0;
    case BIO_CTRL_PENDING:
      return r == nullptr ? 0 : static_cast<long>(std::min<std::uint64_t>(r->end - r->pos, LONG_MAX));
    case BIO_CTRL_FLUSH: return 1;
    default: return 0;
  }
}

int source_destroy(BIO* bio) {
  delete static_cast<SourceReader*>(BIO_get_data(bio));
  BIO_set_data(bio, nullptr);
  return 1;
}

/// A read-only BIO over a ByteSource (created once; BIO_METHODs are shared read-only).
const BIO_METHOD* source_method() {
  static BIO_METHOD* const method = [] {
    BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "trustscan byte source");
    if (m != nullptr) {
      BIO_meth_set_read(m, source_read);
      BIO_meth_set_ctrl(m, source_ctrl);
      BIO_meth_set_destroy(m, source_destroy);
    }
    return m;
  }();
  return method;
}

/// The BIO chain over `state` (taken over by the chain).
BioChainPtr source_chain(std::unique_ptr<SourceReader> state) {
  const BIO_METHOD* method = source_method();
  if (method == nullptr || state->end > state->source->size()) return nullptr;
  BioChainPtr filter(BIO_new(BIO_f_null()));
  BIO* reader = BIO_new(method);
  if (!filter || reader == nullptr) {
    BIO_free(reader);
    return nullptr;
  }
  BIO_set_data(reader, state.release());
  BIO_set_init(reader, 1);
  BIO_push(filter.get(), reader);  // the chain owns `reader` from here on
  return filter;
}

}  // namespace

BioChainPtr cms_detached_content(const ByteSource& source, std::uint64_t size) {
  return source_chain(std::make_unique<SourceReader>(SourceReader{std::nullopt, &source, 0, size, {}}));
}

BioChainPtr cms_detached_content(std::span<const std::byte> bytes) {
  auto state = std::make_unique<SourceReader>(SourceReader{SpanSource(bytes), nullptr, 0, bytes.size(), {}});
  state->source = &*state->owned;
  return source_chain(std::move(state));
}

}  // namespace trustscan::verify::modsig
