#pragma once
/// \file
/// The cache's record codec: a cache Entry to a compact binary form and back (varints, length-prefixed
/// byte strings, each type's fields listed once in record_codec.cpp). Every field round-trips
/// exactly, strings as raw bytes (file-derived strings need not be UTF-8); decoding checks every
/// length against the record and never reads past it. tests/unit/cache/record_codec_test.cpp
/// checks it on a record of every sample format.

#include <cstdint>
#include <span>
#include <vector>

#include "cache/file_facts.hpp"
#include "core/error.hpp"

namespace trustscan::cache {

/// Version of the encoding. Part of every cache entry's configuration fingerprint, so entries
/// written in another encoding are never decoded. Bump it whenever a stored type changes.
/// 10: both 9s below together; 9: trust basis and the Windows image's stores a file was verified with (issue 16),
/// certificates' EKUs and signatures' kernel paths (issue 16, kernel_load); 8: file SHA-1/MD5, first-page
/// hashes (issue 17); 7: PE dll_characteristics and section names, privilege by the headers (issue 15); 6: anchor sets
/// (issue 16); 5: certificates' TBS hashes, the binary file version (issue 17); 4: EV certificate fields (issue 15); 3:
/// one signature model (issue 18); 2: rules_skipped (issue 9).
inline constexpr int kRecordFormat = 10;

[[nodiscard]] std::vector<std::uint8_t> encode(const Entry& entry);

/// Errc::Malformed when `bytes` is not a record of this format (a damaged entry).
[[nodiscard]] Result<Entry> decode(std::span<const std::uint8_t> bytes);

}  // namespace trustscan::cache
