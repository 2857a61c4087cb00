#pragma once
/// \file
/// A Windows file version: four 16-bit parts major.minor.build.revision, as VS_FIXEDFILEINFO
/// stores it (dwFileVersionMS = major:minor, dwFileVersionLS = build:revision) and as Windows
/// compares versions — part by part, which is the order of the four parts packed into 64 bits.
/// Read from a PE by parse/ (version_info.hpp); named by block rules (MinimumFileVersion, ...).

#include <array>
#include <charconv>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace trustscan {

struct FileVersion {
  std::uint64_t packed = 0;  ///< major << 48 | minor << 32 | build << 16 | revision

  [[nodiscard]] static constexpr FileVersion from_parts(std::uint16_t major, std::uint16_t minor,
                                                        std::uint16_t build, std::uint16_t revision) noexcept {
    return {std::uint64_t{major} << 48 | std::uint64_t{minor} << 32 | std::uint64_t{build} << 16 | revision};
  }
  /// The highest version, 65535.65535.65535.65535.
  [[nodiscard]] static constexpr FileVersion max() noexcept { return {~std::uint64_t{0}}; }

  /// Exactly "a.b.c.d" with each part a decimal number from 0 to 65535 (no sign, no spaces);
  /// nullopt otherwise.
  [[nodiscard]] static std::optional<FileVersion> parse(std::string_view text) noexcept {
    std::array<std::uint16_t, 4> parts{};
    const char* p = text.data();
    const char* end = text.data() + text.size();
    for (std::size_t i = 0; i < parts.size(); ++i) {
      if (i > 0) {
        if (p == end || *p != '.') return std::nullopt;
        ++p;
      }
      if (p == end || *p < '0' || *p > '9') return std::nullopt;
      const auto [next, ec] = std::from_chars(p, end, parts[i]);
      if (ec != std::errc{}) return std::nullopt;
      p = next;
    }
    if (p != end) return std::nullopt;
    return from_parts(parts[0], parts[1], parts[2], parts[3]);
  }

  /// "a.b.c.d".
  [[nodiscard]] std::string to_string() const {
    return std::to_string(packed >> 48) + "." + std::to_string(packed >> 32 & 0xFFFF) + "." +
           std::to_string(packed >> 16 & 0xFFFF) + "." + std::to_string(packed & 0xFFFF);
  }

  friend constexpr auto operator<=>(const FileVersion&, const FileVersion&) = default;
};

}  // namespace trustscan
