#pragma once
/// \file
/// How an offline Windows image checks its drivers' signatures, as far as its SYSTEM hive says:
/// whether it last booted with UEFI Secure Boot on
/// (`<ControlSet>\Control\SecureBoot\State\UEFISecureBootEnabled`, REG_DWORD 1 or 0, which
/// Windows writes at boot). Windows 10 1607 and later refuse cross-signed drivers issued after
/// 2015-07-29 only with Secure Boot on (verify/kernel_load.hpp refines its reason with it).
///
/// Read-only like windows/registry.hpp (libhivex, flags 0: never HIVEX_OPEN_WRITE); a missing key
/// is "unknown", not an error.

#include <filesystem>
#include <optional>
#include <string_view>

#include "core/error.hpp"

namespace trustscan::windows {

/// UEFISecureBootEnabled of the control set `control_set` ("ControlSet001") of the SYSTEM hive
/// `hive`: true for 1, false for 0, nullopt when the key or value is absent or not a REG_DWORD.
/// Errors: the hive cannot be opened (Io, Malformed).
[[nodiscard]] Result<std::optional<bool>> read_secure_boot_state(const std::filesystem::path& hive,
                                                                 std::string_view control_set);

}  // namespace trustscan::windows
