#pragma once
/// \file
/// ISO 3166-1 alpha-2 country codes, for every configuration that names a jurisdiction (vendor
/// list `country`, policy `flag_countries`, `--flag-country`).

#include <string_view>

namespace trustscan::config {

/// True for an officially assigned ISO 3166-1 alpha-2 code in upper case ("RU", "CN", "TW").
/// Reserved and user-assigned codes ("EU", "UK", "XK", "ZZ") are not countries here.
[[nodiscard]] bool is_country_code(std::string_view code) noexcept;

/// The country's short English name ("Russian Federation"), or "" for an unknown code.
[[nodiscard]] std::string_view country_name(std::string_view code) noexcept;

/// A code that people often write instead of the ISO one ("UK" -> "GB", "EL" -> "GR"), or ""
/// when there is none. Loaders use it for a "did you mean" hint, never to accept the input.
[[nodiscard]] std::string_view common_mistake(std::string_view code) noexcept;

}  // namespace trustscan::config
