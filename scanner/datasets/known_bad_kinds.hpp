#pragma once
/// \file
/// The vocabulary of a known-bad match (issue 17): why a driver is listed and which fact of a
/// file a key names. A plain result header (tools/check_includes.py): the per-file record holds
/// the matches (match/known_bad_match.hpp); the feed (known_bad_feed.hpp) and the matcher use the
/// same enumerations.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace trustscan::datasets {

/// Why a driver is listed.
enum class KnownBadCategory : std::uint8_t {
  Malicious,              ///< LOLDrivers "malicious": written or used as malware
  Vulnerable,             ///< LOLDrivers "vulnerable driver": legitimate, abusable
  VulnerableOrMalicious,  ///< Microsoft's block rules: they do not say which
};
[[nodiscard]] std::string_view to_string(KnownBadCategory c) noexcept;
[[nodiscard]] std::optional<KnownBadCategory> category_from_string(std::string_view s) noexcept;

/// Which fact of a file a key names.
enum class KeyKind : std::uint8_t {
  FileSha256,
  FileSha1,
  FileMd5,
  AuthenticodeSha256,  ///< the PE image hash (verify/authentihash.hpp)
  AuthenticodeSha1,
  PageSha256,  ///< hash of the image's first page (block rules "Hash Page Sha256")
  PageSha1,
  FileAttributes,  ///< names from the version resource + file version range
  Signer,          ///< a certificate's TBS hash in the signer's chain (+ publisher CN ...)
};
inline constexpr std::size_t kHashKindCount = 7;  ///< FileSha256 ... PageSha1: the hash kinds
[[nodiscard]] std::string_view to_string(KeyKind k) noexcept;
[[nodiscard]] std::optional<KeyKind> key_kind_from_string(std::string_view s) noexcept;
/// Hex digits of a hash of this kind (64, 40, 32); 0 for the other kinds.
[[nodiscard]] std::size_t hex_length(KeyKind k) noexcept;

}  // namespace trustscan::datasets
