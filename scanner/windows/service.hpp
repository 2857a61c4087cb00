#pragma once
/// \file
/// A Windows service or driver as a SYSTEM hive registers it (registry.hpp reads them): plain
/// data, read by the per-file record (a file's registered services) and the reports.
///
/// References: Microsoft, "HKLM\SYSTEM\CurrentControlSet\Services Registry Tree" and
/// "CreateServiceW" (dwServiceType / dwStartType values).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace trustscan::windows {

/// The service's Type (dwServiceType), classified. The raw DWORD is kept in Service::type_value.
/// Type is a bitmask; classification follows the SCM: user-service bit first, then Win32 bits,
/// then the driver bits.
enum class ServiceType {
  KernelDriver,       ///< 0x1 SERVICE_KERNEL_DRIVER
  FileSystemDriver,   ///< 0x2 SERVICE_FILE_SYSTEM_DRIVER (also minifilters)
  Adapter,            ///< 0x4 SERVICE_ADAPTER (obsolete)
  RecognizerDriver,   ///< 0x8 SERVICE_RECOGNIZER_DRIVER
  Win32OwnProcess,    ///< 0x10 SERVICE_WIN32_OWN_PROCESS (+0x100 interactive)
  Win32ShareProcess,  ///< 0x20 SERVICE_WIN32_SHARE_PROCESS (svchost-hosted)
  UserService,        ///< 0x40 bit: per-user service template (0x50, 0x60, 0xd0, 0xe0)
  Unknown,            ///< Type missing, not a DWORD, or no known bit
};

/// The service's Start value (dwStartType).
enum class StartType {
  Boot,      ///< 0 SERVICE_BOOT_START: loaded by winload with the kernel
  System,    ///< 1 SERVICE_SYSTEM_START: loaded during kernel initialisation
  Auto,      ///< 2 SERVICE_AUTO_START: started by the SCM at boot
  Demand,    ///< 3 SERVICE_DEMAND_START: started on request
  Disabled,  ///< 4 SERVICE_DISABLED
  Unknown,   ///< Start missing, not a DWORD, or another value
};

[[nodiscard]] std::string_view to_string(ServiceType type) noexcept;
[[nodiscard]] std::string_view to_string(StartType start) noexcept;
/// Inverse of to_string; nullopt for an unknown name.
[[nodiscard]] std::optional<ServiceType> service_type_from_string(std::string_view name) noexcept;
[[nodiscard]] std::optional<StartType> start_type_from_string(std::string_view name) noexcept;

/// Classifies a raw Type DWORD (see ServiceType).
[[nodiscard]] ServiceType classify_service_type(std::uint32_t value) noexcept;
/// Maps a raw Start DWORD (0..4) to StartType; anything else is Unknown.
[[nodiscard]] StartType classify_start_type(std::uint32_t value) noexcept;
/// True for types the kernel loads itself (kernel, file-system, recognizer, adapter drivers).
[[nodiscard]] bool is_driver(ServiceType type) noexcept;

/// One key under `ControlSetNNN\Services`. Optional fields are absent when the value is missing
/// or has the wrong type (that is recorded in SystemHive::warnings).
struct Service {
  std::string name;                         ///< key name, as stored (UTF-8)
  ServiceType type = ServiceType::Unknown;  ///< classified Type
  std::optional<std::uint32_t> type_value;  ///< raw Type DWORD
  StartType start = StartType::Unknown;     ///< classified Start
  std::optional<std::uint32_t> start_value; ///< raw Start DWORD
  std::optional<std::string> image_path;    ///< ImagePath as stored (REG_SZ/REG_EXPAND_SZ, unexpanded)
  std::optional<std::string> group;         ///< Group (load-order group, e.g. "FSFilter Anti-Virus")
  std::optional<std::string> display_name;  ///< DisplayName (may be an "@dll,-id" resource reference)
  /// Minifilter altitude: Instances\<DefaultInstance>\Altitude, else the first instance's.
  std::optional<std::string> altitude;
};

}  // namespace trustscan::windows
