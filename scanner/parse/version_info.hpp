#pragma once
/// \file
/// VS_VERSIONINFO (the RT_VERSION resource of a PE) read with bounds checks, LIEF-free.
///
/// LIEF 0.9's ResourcesManager::version() reads out of bounds on a forged VS_VERSIONINFO and
/// crashes the process (SIGSEGV in LIEF::u16tou8 called from get_string_file_info; found by
/// fuzz_parse, input in tests/data/regress/parse/), so parse/ takes only the raw resource bytes
/// from LIEF's resource tree and decodes them here.
///
/// Layout (Microsoft, "VS_VERSIONINFO structure"; every block is 32-bit aligned):
/// ```
/// block    = WORD wLength; WORD wValueLength; WORD wType (1 = text); WCHAR szKey[] (NUL-ended);
///            padding; Value (wValueLength bytes, or WCHARs for text); padding; block Children[]
/// VS_VERSIONINFO -> StringFileInfo -> StringTable ("040904b0") -> String (key = value)
///                -> VarFileInfo (skipped)
/// ```
/// Real files often get wValueLength of a String wrong (bytes instead of characters, or 0), so a
/// String's value is read from its start to the end of its block, up to the first NUL.

#include <cstddef>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "core/file_version.hpp"

namespace trustscan::parse {

/// Limits of the walk (real resources hold 1-2 StringTables of ~10 Strings).
inline constexpr std::size_t kMaxVersionBlocks = 4096;     ///< blocks visited in total
inline constexpr std::size_t kMaxVersionKeyChars = 256;    ///< longer keys are cut

/// Every String of every StringTable of `resource` (the RT_VERSION data), in file order, as
/// UTF-8 (key, value); values cut at `max_value_bytes` (on a UTF-8 boundary). Invalid UTF-16
/// becomes U+FFFD. A malformed resource yields what could be read before the damage. Never
/// reads outside `resource`.
[[nodiscard]] std::vector<std::pair<std::string, std::string>> read_version_strings(
    std::span<const std::byte> resource, std::size_t max_value_bytes);

/// The binary file version of VS_FIXEDFILEINFO, the value of the root block (dwSignature
/// 0xFEEF04BD, then dwStrucVersion, dwFileVersionMS, dwFileVersionLS): the version Windows
/// compares (block rules' MinimumFileVersion/MaximumFileVersion), not the free-text "FileVersion"
/// string ("1.0 built by: WinDDK"). nullopt when the root block holds no such structure.
[[nodiscard]] std::optional<FileVersion> read_fixed_file_version(std::span<const std::byte> resource);

/// UTF-16LE `units` (2 bytes each, an odd trailing byte ignored) to UTF-8, stopping at the first
/// NUL and at `max_bytes` of output; unpaired surrogates become U+FFFD.
[[nodiscard]] std::string utf16le_to_utf8(std::span<const std::byte> units, std::size_t max_bytes);

/// Fills `file_version` and `strings` (the PeInfo fields) from the RT_VERSION data `resource`: the
/// first language block wins (as Explorer shows it); values are trimmed of padding.
void apply_version_resource(std::span<const std::byte> resource, std::optional<FileVersion>& file_version,
                            std::map<std::string, std::string>& strings, std::size_t max_value_bytes);

}  // namespace trustscan::parse
