#include "io/hashing.hpp"

#include <openssl/evp.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <vector>

namespace trustscan::io {

std::string to_hex(std::span<const std::byte> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (std::byte b : bytes) {
    auto v = std::to_integer<unsigned>(b);
    out.push_back(kDigits[v >> 4]);
    out.push_back(kDigits[v & 0xf]);
  }
  return out;
}

namespace {
std::string digest_hex(std::span<const std::byte> bytes, const EVP_MD* md_type) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int len = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), md.data(), &len, md_type, nullptr) != 1)
    throw std::runtime_error("EVP_Digest failed");  // only on OpenSSL misconfiguration
  return to_hex(std::as_bytes(std::span(md.data(), len)));
}
}  // namespace

std::string sha256_hex(std::span<const std::byte> bytes) { return digest_hex(bytes, EVP_sha256()); }

Result<Sha256WithPrefix> sha256_with_prefix(const ByteSource& src, std::uint64_t prefix_size) {
  if (prefix_size > src.size()) throw std::invalid_argument("sha256_with_prefix: prefix beyond the data");
  using CtxPtr = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;
  CtxPtr whole(EVP_MD_CTX_new(), &EVP_MD_CTX_free), prefix(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  if (!whole || !prefix || EVP_DigestInit_ex(whole.get(), EVP_sha256(), nullptr) != 1)
    throw std::runtime_error("SHA-256 failed");  // only on OpenSSL misconfiguration
  bool ok = true;
  auto feed = [&](std::span<const std::byte> piece) {
    ok = ok && EVP_DigestUpdate(whole.get(), piece.data(), piece.size()) == 1;
  };
  Sha256WithPrefix out;
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int len = 0;
  if (auto r = for_each_chunk(src, 0, prefix_size, feed); !r) return std::unexpected(r.error());
  ok = ok && EVP_MD_CTX_copy_ex(prefix.get(), whole.get()) == 1 &&
       EVP_DigestFinal_ex(prefix.get(), out.prefix.data(), &len) == 1 && len == out.prefix.size();
  if (auto r = for_each_chunk(src, prefix_size, src.size(), feed); !r) return std::unexpected(r.error());
  ok = ok && EVP_DigestFinal_ex(whole.get(), md.data(), &len) == 1;
  if (!ok) throw std::runtime_error("SHA-256 failed");  // only on OpenSSL misconfiguration
  out.hex = to_hex(std::as_bytes(std::span(md.data(), len)));
  return out;
}

Sha256WithPrefix sha256_with_prefix(std::span<const std::byte> bytes, std::size_t prefix_size) {
  return sha256_with_prefix(SpanSource(bytes), prefix_size).value();  // memory cannot fail to read
}

std::string md5_hex(std::span<const std::byte> bytes) { return digest_hex(bytes, EVP_md5()); }

Result<FileDigests> file_digests(const ByteSource& src, DigestKinds kinds) {
  using CtxPtr = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;
  const EVP_MD* types[3] = {kinds.sha256 ? EVP_sha256() : nullptr, kinds.sha1 ? EVP_sha1() : nullptr,
                            kinds.md5 ? EVP_md5() : nullptr};
  std::vector<CtxPtr> contexts;
  for (const EVP_MD* type : types) {
    contexts.emplace_back(type ? EVP_MD_CTX_new() : nullptr, &EVP_MD_CTX_free);
    if (type && (!contexts.back() || EVP_DigestInit_ex(contexts.back().get(), type, nullptr) != 1))
      throw std::runtime_error("digest init failed");  // only on OpenSSL misconfiguration
  }
  constexpr std::size_t kChunk = 64U << 10U;  // stays in the L2 cache between the digests
  auto fed = for_each_chunk(src, 0, src.size(), [&](std::span<const std::byte> bytes) {
    for (std::size_t at = 0; at < bytes.size(); at += kChunk) {
      const std::size_t n = std::min(kChunk, bytes.size() - at);
      for (const CtxPtr& c : contexts)
        if (c && EVP_DigestUpdate(c.get(), bytes.data() + at, n) != 1) throw std::runtime_error("digest failed");
    }
  });
  if (!fed) return std::unexpected(fed.error());
  std::string hex[3];
  for (std::size_t i = 0; i < 3; ++i) {
    if (!contexts[i]) continue;
    std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
    unsigned int len = 0;
    if (EVP_DigestFinal_ex(contexts[i].get(), md.data(), &len) != 1) throw std::runtime_error("digest failed");
    hex[i] = to_hex(std::as_bytes(std::span(md.data(), len)));
  }
  return FileDigests{std::move(hex[0]), std::move(hex[1]), std::move(hex[2])};
}

FileDigests file_digests(std::span<const std::byte> bytes, DigestKinds kinds) {
  return file_digests(SpanSource(bytes), kinds).value();  // memory cannot fail to read
}

Result<std::string> sha256_fd(int fd) {
  struct CtxFree {
    void operator()(EVP_MD_CTX* c) const noexcept { EVP_MD_CTX_free(c); }
  };
  std::unique_ptr<EVP_MD_CTX, CtxFree> ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) throw std::runtime_error("EVP_DigestInit failed");
  std::vector<unsigned char> buf(4u << 20);
  for (off_t off = 0;;) {
    ssize_t n = ::pread(fd, buf.data(), buf.size(), off);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail(Errc::Io, std::string("read: ") + std::strerror(errno));
    if (n == 0) break;
    EVP_DigestUpdate(ctx.get(), buf.data(), static_cast<std::size_t>(n));
    off += n;
  }
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx.get(), md.data(), &len);
  return to_hex(std::as_bytes(std::span(md.data(), len)));
}

}  // namespace trustscan::io
