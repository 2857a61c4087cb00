#pragma once
/// \file
/// Offline Windows registry: the services and drivers a Windows image registers (SYSTEM hive) and
/// its version (SOFTWARE hive), read with libhivex (issue 6).
///
/// Library quarantine: <hivex.h> is included only through windows/hive.hpp, by the .cpp files of
/// windows/; this header is hivex-free. Hives are opened READ-ONLY (never HIVEX_OPEN_WRITE), so reading an image never
/// modifies it and works on a read-only mount. Every failure on the hive's bytes is a Result
/// error (Errc::Malformed for a corrupt hive), never a crash; every loop and copied string is
/// bounded (see the k* constants).
///
/// References: Microsoft, "HKLM\SYSTEM\CurrentControlSet\Services Registry Tree" and
/// "CreateServiceW" (dwServiceType / dwStartType values); "Load order groups and altitudes for
/// minifilter drivers".

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "windows/service.hpp"

namespace trustscan::windows {

/// At most this many service keys are read from one control set (a real SYSTEM hive has ~600-1000;
/// the bound keeps a forged hive from making us allocate without limit).
inline constexpr std::size_t kMaxServices = 100'000;
/// Strings copied out of a hive (ImagePath, Group, ...) are cut at this many bytes of UTF-8.
inline constexpr std::size_t kMaxRegistryString = 4096;
/// Values whose stored data is larger than this are not read at all (a REG_SZ path is < 64 KiB:
/// registry strings are UNICODE_STRING-bounded in practice).
inline constexpr std::size_t kMaxValueBytes = std::size_t{64} * 1024;
/// At most this many minifilter instances are examined per service (real filters have 1-3).
inline constexpr std::size_t kMaxInstances = 256;
/// Hive files above this size are refused before libhivex maps them (real SYSTEM hives are
/// 10-150 MiB, SOFTWARE hives up to ~300 MiB).
inline constexpr std::uint64_t kMaxHiveSize = 1ull << 30;

/// What a SYSTEM hive says about the drivers and services Windows loads.
struct SystemHive {
  std::string control_set;                   ///< the current control set, e.g. "ControlSet001"
  std::optional<std::string> computer_name;  ///< Control\ComputerName\ComputerName\ComputerName
  std::vector<Service> services;             ///< in hive order
  bool services_truncated = false;           ///< more than kMaxServices keys; the rest ignored
  /// Problems that did not stop the read (a value of the wrong type, an unreadable key...).
  std::vector<std::string> warnings;
};

/// Windows version from SOFTWARE\Microsoft\Windows NT\CurrentVersion.
struct WindowsVersion {
  std::optional<std::string> product_name;     ///< ProductName, e.g. "Windows 10 Pro"
  std::optional<std::string> display_version;  ///< DisplayVersion (20H2 and later), e.g. "22H2"
  std::optional<std::string> release_id;       ///< ReleaseId (1507-2009), e.g. "2009"
  std::optional<std::string> current_build;    ///< CurrentBuild (or CurrentBuildNumber), e.g. "19045"
  std::optional<std::string> edition_id;       ///< EditionID, e.g. "Professional"
};

/// Reads a SYSTEM hive read-only: resolves `Select\Current` to `ControlSetNNN` and lists its
/// `Services` subkeys. Errors: Io (cannot open), TooLarge (> kMaxHiveSize), Malformed (not a
/// hive, corrupt, or no Select\Current / control set / Services key).
[[nodiscard]] Result<SystemHive> read_system_hive(const std::filesystem::path& hive);

/// Reads the version values of a SOFTWARE hive read-only. Errors as read_system_hive; a hive
/// without `Microsoft\Windows NT\CurrentVersion` is Malformed.
[[nodiscard]] Result<WindowsVersion> read_software_hive(const std::filesystem::path& hive);

/// Where an ImagePath points inside the Windows image.
struct ResolvedImagePath {
  /// Relative to the root of the volume, '/'-separated, case as written:
  /// "Windows/system32/DRIVERS/klif.sys". Resolve it case-insensitively on disk.
  std::string volume_relative;
  /// Windows form on drive `drive`: "C:\Windows\system32\DRIVERS\klif.sys".
  std::string windows_form;
  char drive = 'C';  ///< drive letter named by the path (C when only \SystemRoot is used)
};

/// Resolves a service ImagePath the way the kernel (drivers) and the SCM (services) do:
/// `\SystemRoot\x`, `%SystemRoot%\x`, `%windir%\x` and relative `system32\x` -> Windows\x;
/// `\??\C:\x`, `\\?\C:\x`, `\DosDevices\C:\x`, `C:\x` -> x; a quoted path or an unquoted one
/// followed by arguments is cut to the executable; an empty ImagePath of a driver is the default
/// `System32\drivers\<service_name>.sys`. Errors (Unsupported): empty path of a non-driver, UNC or
/// device paths, unknown %variables%, `..` above the volume root; Malformed when too long.
[[nodiscard]] Result<ResolvedImagePath> resolve_image_path(std::string_view image_path,
                                                           std::string_view service_name,
                                                           ServiceType type);

}  // namespace trustscan::windows
