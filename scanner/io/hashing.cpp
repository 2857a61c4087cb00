#include "io/hashing.hpp"

#include <openssl/evp.h>

#include <array>
#include <stdexcept>

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
std::string md5_hex(std::span<const std::byte> bytes) { return digest_hex(bytes, EVP_md5()); }

}  // namespace trustscan::io
