#include "verify/authentihash.hpp"

#include <algorithm>
#include <array>

#include "core/bytes.hpp"
#include "verify/authentihash_impl.hpp"
#include "verify/openssl_ptr.hpp"
#include "verify/x509_util.hpp"

namespace trustscan::verify {

namespace detail {

Result<ImageRanges> image_ranges(std::uint64_t file_size, const parse::PeLayout& layout) {
  ImageRanges r;
  r.checksum_offset = layout.checksum_offset;
  r.security_entry_offset = layout.security_dir_offset;
  // Each test is written so that no addition can overflow (offsets come from hostile files).
  if (r.checksum_offset == 0 || !in_bounds(file_size, r.checksum_offset, 4))
    return fail(Errc::Malformed, "PE CheckSum field lies outside the file");
  if (r.security_entry_offset < r.checksum_offset + 4 || !in_bounds(file_size, r.security_entry_offset, 8))
    return fail(Errc::Malformed, "PE certificate table directory entry lies outside the file");

  const auto& table = layout.certificate_table;
  r.has_certificate_table = table.size != 0 && table.offset != 0;
  if (r.has_certificate_table) {
    if (table.offset < r.security_entry_offset + 8)
      return fail(Errc::Malformed, "certificate table starts inside the PE headers");
    if (!in_bounds(file_size, table.offset, table.size))
      return fail(Errc::Malformed, "certificate table extends past the end of the file");
    r.end = table.offset;
  } else {
    r.end = file_size;
    r.padding = (8 - file_size % 8) % 8;
  }
  return r;
}

Result<std::vector<std::vector<std::uint8_t>>> image_digests(const ByteSource& file, const ImageRanges& ranges,
                                                             std::span<const EVP_MD* const> mds) {
  if (ranges.end > file.size() || ranges.security_entry_offset + 8 > ranges.end)
    return fail(Errc::Malformed, "hashed range lies outside the file");

  std::vector<EvpMdCtxPtr> ctxs;
  for (const EVP_MD* md : mds) {
    EvpMdCtxPtr ctx(EVP_MD_CTX_new());
    if (!ctx || EVP_DigestInit_ex(ctx.get(), md, nullptr) != 1)
      return fail(Errc::Internal, "cannot initialise digest " + digest_name(md));
    ctxs.push_back(std::move(ctx));
  }
  // Feed every context from the same chunk, so the file is traversed once and stays in cache.
  constexpr std::size_t kChunk = std::size_t{256} << 10;
  auto feed = [&](std::uint64_t from, std::uint64_t to) {
    return for_each_chunk(file, from, to, [&](std::span<const std::byte> piece) {
      for (std::size_t pos = 0; pos < piece.size(); pos += kChunk)
        for (auto& ctx : ctxs) EVP_DigestUpdate(ctx.get(), piece.data() + pos, std::min(kChunk, piece.size() - pos));
    });
  };
  for (const auto& [from, to] : {std::pair{std::uint64_t{0}, ranges.checksum_offset},
                                 std::pair{ranges.checksum_offset + 4, ranges.security_entry_offset},
                                 std::pair{ranges.security_entry_offset + 8, ranges.end}})
    if (auto fed = feed(from, to); !fed) return std::unexpected(fed.error());
  if (ranges.padding != 0) {
    static constexpr std::array<std::uint8_t, kPageHashPageSize> kZeros{};
    for (auto& ctx : ctxs) EVP_DigestUpdate(ctx.get(), kZeros.data(), std::min<std::uint64_t>(ranges.padding, kZeros.size()));
  }

  std::vector<std::vector<std::uint8_t>> out;
  for (auto& ctx : ctxs) {
    std::vector<std::uint8_t> digest(EVP_MAX_MD_SIZE);
    unsigned int len = 0;
    if (EVP_DigestFinal_ex(ctx.get(), digest.data(), &len) != 1)
      return fail(Errc::Internal, "digest computation failed");
    digest.resize(len);
    out.push_back(std::move(digest));
  }
  return out;
}

}  // namespace detail

namespace {

Result<AuthenticodeHashes> sha1_and_sha256(const ByteSource& file, const detail::ImageRanges& ranges) {
  const std::array<const EVP_MD*, 2> mds{EVP_sha1(), EVP_sha256()};
  auto digests = detail::image_digests(file, ranges, mds);
  if (!digests) return std::unexpected(digests.error());
  return AuthenticodeHashes{detail::to_hex((*digests)[0]), detail::to_hex((*digests)[1])};
}

}  // namespace

Result<AuthenticodeHashes> first_page_hashes(const ByteSource& file, const parse::PeLayout& layout) {
  auto ranges = detail::image_ranges(file.size(), layout);
  if (!ranges) return std::unexpected(ranges.error());
  const std::uint64_t headers = layout.size_of_headers;
  if (headers > kPageHashPageSize) return fail(Errc::Unsupported, "PE headers larger than a page");
  if (headers < ranges->security_entry_offset + 8 || headers > file.size())
    return fail(Errc::Malformed, "SizeOfHeaders ends before the certificate table entry or past the file");
  ranges->end = headers;
  ranges->padding = kPageHashPageSize - headers;
  return sha1_and_sha256(file, *ranges);
}

Result<AuthenticodeHashes> authenticode_hashes(const ByteSource& file, const parse::PeLayout& layout) {
  auto ranges = detail::image_ranges(file.size(), layout);
  if (!ranges) return std::unexpected(ranges.error());
  return sha1_and_sha256(file, *ranges);
}

}  // namespace trustscan::verify
