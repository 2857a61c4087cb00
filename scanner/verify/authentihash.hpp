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
#include <span>
#include <string>

#include "core/error.hpp"
#include "parse/binary_model.hpp"
#include "verify/signature.hpp"

namespace trustscan::verify {

/// Both authentihashes of `file`, whose layout parse/ recorded. Fails (Errc::Malformed) when the
/// layout does not fit the file: header fields outside it, a certificate table that starts inside
/// the headers or extends past the end of the file.
[[nodiscard]] Result<AuthenticodeHashes> authenticode_hashes(std::span<const std::byte> file,
                                                             const parse::PeLayout& layout);

}  // namespace trustscan::verify
