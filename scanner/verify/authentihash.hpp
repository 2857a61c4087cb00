#pragma once
/// \file
/// The Authenticode image hash ("authentihash") of a PE file: the digest a signature signs, and
/// the key by which catalogs (.cat), driver blocklists and allow lists name a PE file.
///
/// Exactly as osslsigncode 2.9 and the Authenticode specification ("Windows Authenticode Portable
/// Executable Signature Format", "Calculating the PE Image Hash") compute it:
///  - hash [0, CheckSum)  (DOS header and stub, COFF header, start of the optional header)
///  - skip CheckSum (4 bytes)
///  - hash [CheckSum + 4, Certificate Table data-directory entry)
///  - skip that entry (8 bytes)
///  - hash [entry + 8, end), end = start of the certificate table if present, else end of file
///  - without a certificate table, if the file size is not a multiple of 8: hash zero bytes up to
///    the next multiple of 8 (signing tools pad the file so before appending the table).
/// Data *after* the certificate table is not covered (osslsigncode and Windows ignore it); the
/// verifier reports it as a warning. The file is read linearly once, however many digests are
/// computed.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "core/byte_source.hpp"
#include "core/error.hpp"
#include "parse/binary_model.hpp"
#include "verify/signature.hpp"

namespace trustscan::verify {

/// Both authentihashes of `file`, whose layout parse/ recorded. Fails (Errc::Malformed) when the
/// layout does not fit the file: header fields outside it, a certificate table that starts inside
/// the headers or extends past the end of the file.
/// Errc::Io when `file` (read on demand) cannot be read.
[[nodiscard]] Result<AuthenticodeHashes> authenticode_hashes(const ByteSource& file, const parse::PeLayout& layout);
/// authenticode_hashes() of bytes in memory.
[[nodiscard]] inline Result<AuthenticodeHashes> authenticode_hashes(std::span<const std::byte> file,
                                                                    const parse::PeLayout& layout) {
  return authenticode_hashes(SpanSource(file), layout);
}

/// Page size of Authenticode page hashes.
inline constexpr std::uint64_t kPageHashPageSize = 4096;

/// The SHA-1 and SHA-256 of the image's first page as Authenticode page hashes (and Windows
/// Defender Application Control's "Hash Page" rules) define it: the headers, [0, SizeOfHeaders),
/// without CheckSum and the certificate-table entry, padded with zero bytes to 4096 — the first
/// entry of the page-hash table `signtool` and `osslsigncode -ph` write. Fails (Errc::Malformed)
/// as authenticode_hashes() does, and when the headers end before the certificate-table entry
/// or past the end of the file; Errc::Unsupported when they are larger than a page (no such
/// first-page hash is defined that trustscan could check).
[[nodiscard]] Result<AuthenticodeHashes> first_page_hashes(const ByteSource& file, const parse::PeLayout& layout);
/// first_page_hashes() of bytes in memory.
[[nodiscard]] inline Result<AuthenticodeHashes> first_page_hashes(std::span<const std::byte> file,
                                                                  const parse::PeLayout& layout) {
  return first_page_hashes(SpanSource(file), layout);
}

}  // namespace trustscan::verify
