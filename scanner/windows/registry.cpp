// Offline registry reading with libhivex (through windows/hive.hpp): services and version.
#include "core/ascii.hpp"
#include "windows/registry.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <system_error>
#include <type_traits>
#include <utility>

#include "windows/hive.hpp"

namespace trustscan::windows {
namespace {

using namespace detail;  // NOLINT(google-build-using-namespace): the hive helpers of windows/

// hivex types, spelled out so that registry.hpp stays hivex-free.
constexpr std::uint32_t kRegSz = hive_t_REG_SZ;
constexpr std::uint32_t kRegExpandSz = hive_t_REG_EXPAND_SZ;
constexpr std::uint32_t kRegDword = hive_t_REG_DWORD;

/// hivex stores the hive's raw type number into a hive_type, which may be outside the enum for a
/// corrupt hive; reading it as the enum would be UB, so copy out its bytes instead.
std::uint32_t raw_type(const hive_type& t) noexcept {
  std::underlying_type_t<hive_type> raw{};
  std::memcpy(&raw, &t, sizeof raw);
  return static_cast<std::uint32_t>(raw);
}

/// A value of `node` with its registry type and size. Absent values give nullopt silently;
/// unreadable ones add a warning.
struct ValueRef {
  hive_value_h handle = 0;
  std::uint32_t type = 0;
  std::size_t length = 0;
};
std::optional<ValueRef> find_value(hive_h* h, hive_node_h node, const char* name, const std::string& where,
                                   std::vector<std::string>& warnings) {
  if (node == 0) return std::nullopt;
  errno = 0;
  const hive_value_h v = hivex_node_get_value(h, node, name);
  if (v == 0) {
    if (errno != 0) warnings.push_back(where + ": cannot read value " + name);
    return std::nullopt;
  }
  hive_type type{};
  std::size_t len = 0;
  if (hivex_value_type(h, v, &type, &len) != 0) {
    warnings.push_back(where + ": cannot read type of value " + name);
    return std::nullopt;
  }
  return ValueRef{v, raw_type(type), len};
}

/// Reads a REG_SZ/REG_EXPAND_SZ value as UTF-8 (hivex converts from UTF-16LE). Wrong types,
/// oversize or unconvertible data add a warning.
std::optional<std::string> string_value(hive_h* h, hive_node_h node, const char* name,
                                        const std::string& where,
                                        std::vector<std::string>& warnings) {
  const auto v = find_value(h, node, name, where, warnings);
  if (!v) return std::nullopt;
  if (v->type != kRegSz && v->type != kRegExpandSz) {
    warnings.push_back(where + ": value " + name + " is not a string (type " + std::to_string(v->type) + ")");
    return std::nullopt;
  }
  if (v->length > kMaxValueBytes) {
    warnings.push_back(where + ": value " + name + " is too long (" + std::to_string(v->length) + " bytes)");
    return std::nullopt;
  }
  if (v->length == 0) return std::string{};
  Malloced<char> text{hivex_value_string(h, v->handle)};
  if (!text) {
    warnings.push_back(where + ": value " + name + " is not valid UTF-16");
    return std::nullopt;
  }
  std::string out{text.get(), ::strnlen(text.get(), kMaxValueBytes * 2)};
  cut(out);
  return out;
}

std::optional<std::uint32_t> dword_value(hive_h* h, hive_node_h node, const char* name,
                                         const std::string& where,
                                         std::vector<std::string>& warnings) {
  const auto v = find_value(h, node, name, where, warnings);
  if (!v) return std::nullopt;
  if (v->type != kRegDword || v->length < 4) {
    warnings.push_back(where + ": value " + name + " is not a DWORD");
    return std::nullopt;
  }
  errno = 0;
  const std::int32_t value = hivex_value_dword(h, v->handle);
  if (value == -1 && errno != 0) {
    warnings.push_back(where + ": cannot read value " + name);
    return std::nullopt;
  }
  return static_cast<std::uint32_t>(value);
}

std::optional<std::string> altitude(hive_h* h, hive_node_h service, const std::string& where,
                                    std::vector<std::string>& warnings) {
  const hive_node_h instances = child(h, service, "Instances");
  if (instances == 0) return std::nullopt;
  const std::string at = where + "\\Instances";
  if (auto def = string_value(h, instances, "DefaultInstance", at, warnings); def && !def->empty()) {
    if (const hive_node_h inst = child(h, instances, def->c_str()); inst != 0)
      if (auto alt = string_value(h, inst, "Altitude", at + "\\" + *def, warnings)) return alt;
  }
  bool truncated = false;
  const auto list = children(h, instances, kMaxInstances, truncated);
  if (!list) {
    warnings.push_back(at + ": cannot list instances");
    return std::nullopt;
  }
  for (const hive_node_h inst : *list)
    if (auto alt = string_value(h, inst, "Altitude", at, warnings)) return alt;
  return std::nullopt;
}

Service read_service(hive_h* h, hive_node_h node, std::string name,
                     std::vector<std::string>& warnings) {
  Service s;
  s.name = std::move(name);
  const std::string where = "Services\\" + s.name;
  s.type_value = dword_value(h, node, "Type", where, warnings);
  if (s.type_value) s.type = classify_service_type(*s.type_value);
  s.start_value = dword_value(h, node, "Start", where, warnings);
  if (s.start_value) s.start = classify_start_type(*s.start_value);
  s.image_path = string_value(h, node, "ImagePath", where, warnings);
  s.group = string_value(h, node, "Group", where, warnings);
  s.display_name = string_value(h, node, "DisplayName", where, warnings);
  s.altitude = altitude(h, node, where, warnings);
  return s;
}

bool istarts_with(std::string_view s, std::string_view prefix) noexcept {
  return s.size() >= prefix.size() && iequals_ascii(s.substr(0, prefix.size()), prefix);
}

bool is_drive(std::string_view s) noexcept {
  return s.size() >= 2 && s[1] == ':' &&
         ((s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= 'a' && s[0] <= 'z'));
}

/// Cuts arguments off a command line: "C:\x\svc.exe -k netsvcs" -> "C:\x\svc.exe";
/// "\"C:\Program Files\a.exe\" /s" -> "C:\Program Files\a.exe".
std::string_view strip_arguments(std::string_view s) {
  if (!s.empty() && s.front() == '"') {
    const auto close = s.find('"', 1);
    return close == std::string_view::npos ? s.substr(1) : s.substr(1, close - 1);
  }
  if (s.find(' ') == std::string_view::npos) return s;
  // Unquoted with spaces: the SCM tries each space as the end of the file name; we stop after
  // the first ".exe"/".sys" followed by a space, else keep the whole string (may contain spaces).
  for (std::size_t i = 0; i + 4 <= s.size(); ++i) {
    const auto ext = s.substr(i, 4);
    if ((iequals_ascii(ext, ".exe") || iequals_ascii(ext, ".sys")) && (i + 4 == s.size() || s[i + 4] == ' '))
      return s.substr(0, i + 4);
  }
  return s;
}

}  // namespace

std::string_view to_string(ServiceType type) noexcept {
  switch (type) {
    case ServiceType::KernelDriver: return "kernel_driver";
    case ServiceType::FileSystemDriver: return "file_system_driver";
    case ServiceType::Adapter: return "adapter";
    case ServiceType::RecognizerDriver: return "recognizer_driver";
    case ServiceType::Win32OwnProcess: return "win32_own_process";
    case ServiceType::Win32ShareProcess: return "win32_share_process";
    case ServiceType::UserService: return "user_service";
    case ServiceType::Unknown: return "unknown";
  }
  return "unknown";
}

std::string_view to_string(StartType start) noexcept {
  switch (start) {
    case StartType::Boot: return "boot";
    case StartType::System: return "system";
    case StartType::Auto: return "auto";
    case StartType::Demand: return "demand";
    case StartType::Disabled: return "disabled";
    case StartType::Unknown: return "unknown";
  }
  return "unknown";
}

std::optional<ServiceType> service_type_from_string(std::string_view name) noexcept {
  for (auto t : {ServiceType::KernelDriver, ServiceType::FileSystemDriver, ServiceType::Adapter,
                 ServiceType::RecognizerDriver, ServiceType::Win32OwnProcess,
                 ServiceType::Win32ShareProcess, ServiceType::UserService, ServiceType::Unknown})
    if (to_string(t) == name) return t;
  return std::nullopt;
}

std::optional<StartType> start_type_from_string(std::string_view name) noexcept {
  for (auto s : {StartType::Boot, StartType::System, StartType::Auto, StartType::Demand,
                 StartType::Disabled, StartType::Unknown})
    if (to_string(s) == name) return s;
  return std::nullopt;
}

ServiceType classify_service_type(std::uint32_t value) noexcept {
  if (value & 0x40) return ServiceType::UserService;
  if (value & 0x10) return ServiceType::Win32OwnProcess;
  if (value & 0x20) return ServiceType::Win32ShareProcess;
  if (value & 0x1) return ServiceType::KernelDriver;
  if (value & 0x2) return ServiceType::FileSystemDriver;
  if (value & 0x8) return ServiceType::RecognizerDriver;
  if (value & 0x4) return ServiceType::Adapter;
  return ServiceType::Unknown;
}

StartType classify_start_type(std::uint32_t value) noexcept {
  switch (value) {
    case 0: return StartType::Boot;
    case 1: return StartType::System;
    case 2: return StartType::Auto;
    case 3: return StartType::Demand;
    case 4: return StartType::Disabled;
    default: return StartType::Unknown;
  }
}

bool is_driver(ServiceType type) noexcept {
  return type == ServiceType::KernelDriver || type == ServiceType::FileSystemDriver ||
         type == ServiceType::RecognizerDriver || type == ServiceType::Adapter;
}

Result<SystemHive> read_system_hive(const std::filesystem::path& path) {
  auto opened = open_hive(path);
  if (!opened) return std::unexpected(opened.error());
  hive_h* h = opened->get();
  const std::string where = path.string();

  SystemHive out;
  errno = 0;
  const hive_node_h root = hivex_root(h);
  if (root == 0) return fail(Errc::Malformed, where + ": hive has no root key");
  const auto current = dword_value(h, child(h, root, "Select"), "Current", "Select", out.warnings);
  if (!current) return fail(Errc::Malformed, where + ": no Select\\Current DWORD (not a SYSTEM hive?)");
  if (*current == 0 || *current > 999)
    return fail(Errc::Malformed, where + ": Select\\Current out of range: " + std::to_string(*current));
  std::array<char, 16> name{};
  std::snprintf(name.data(), name.size(), "ControlSet%03u", static_cast<unsigned>(*current));
  out.control_set = name.data();
  const hive_node_h control_set = child(h, root, name.data());
  if (control_set == 0) return fail(Errc::Malformed, where + ": no key " + out.control_set);

  out.computer_name = string_value(
      h, path_node(h, control_set, {"Control", "ComputerName", "ComputerName"}), "ComputerName",
      "ComputerName", out.warnings);

  const hive_node_h services = child(h, control_set, "Services");
  if (services == 0) return fail(Errc::Malformed, where + ": no key " + out.control_set + "\\Services");
  const auto list = children(h, services, kMaxServices, out.services_truncated);
  if (!list) return fail(Errc::Malformed, where + ": cannot list " + out.control_set + "\\Services");
  if (out.services_truncated)
    out.warnings.push_back("more than " + std::to_string(kMaxServices) + " services; rest ignored");
  out.services.reserve(list->size());
  for (const hive_node_h node : *list) {
    auto service_name = node_name(h, node);
    if (!service_name) {
      out.warnings.push_back("Services: unreadable key name");
      continue;
    }
    out.services.push_back(read_service(h, node, std::move(*service_name), out.warnings));
  }
  return out;
}

Result<WindowsVersion> read_software_hive(const std::filesystem::path& path) {
  auto opened = open_hive(path);
  if (!opened) return std::unexpected(opened.error());
  hive_h* h = opened->get();
  const hive_node_h root = hivex_root(h);
  const hive_node_h cv = path_node(h, root, {"Microsoft", "Windows NT", "CurrentVersion"});
  if (cv == 0)
    return fail(Errc::Malformed, path.string() + ": no Microsoft\\Windows NT\\CurrentVersion key");
  std::vector<std::string> ignored;
  const std::string where = "CurrentVersion";
  WindowsVersion v;
  v.product_name = string_value(h, cv, "ProductName", where, ignored);
  v.display_version = string_value(h, cv, "DisplayVersion", where, ignored);
  v.release_id = string_value(h, cv, "ReleaseId", where, ignored);
  v.current_build = string_value(h, cv, "CurrentBuild", where, ignored);
  if (!v.current_build) v.current_build = string_value(h, cv, "CurrentBuildNumber", where, ignored);
  v.edition_id = string_value(h, cv, "EditionID", where, ignored);
  return v;
}

Result<ResolvedImagePath> resolve_image_path(std::string_view image_path,
                                             std::string_view service_name, ServiceType type) {
  if (image_path.size() > kMaxRegistryString)
    return fail(Errc::Malformed, "ImagePath longer than " + std::to_string(kMaxRegistryString));
  std::string_view s = image_path;
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\0')) s.remove_suffix(1);

  std::string path;  // backslash form, without drive, relative to the volume root
  char drive = 'C';
  if (s.empty()) {
    if (!is_driver(type))
      return fail(Errc::Unsupported, "empty ImagePath for a non-driver service");
    if (service_name.empty() || service_name.find_first_of("\\/") != std::string_view::npos)
      return fail(Errc::Unsupported, "no usable service name for the default driver path");
    // IopLoadDriver: a driver without ImagePath is \SystemRoot\System32\drivers\<name>.sys.
    path = "Windows\\System32\\drivers\\" + std::string{service_name} + ".sys";
  } else {
    s = strip_arguments(s);
    // Environment variables the SCM expands in REG_EXPAND_SZ ImagePaths on a default install.
    static constexpr std::array<std::pair<std::string_view, std::string_view>, 6> kVars{{
        {"%SystemRoot%", "\\Windows"},
        {"%windir%", "\\Windows"},
        {"%SystemDrive%", ""},
        {"%ProgramFiles%", "\\Program Files"},
        {"%ProgramFiles(x86)%", "\\Program Files (x86)"},
        {"%ProgramData%", "\\ProgramData"},
    }};
    std::string expanded;
    for (std::size_t i = 0; i < s.size();) {
      if (s[i] != '%') {
        expanded += s[i++];
        continue;
      }
      const auto end = s.find('%', i + 1);
      if (end == std::string_view::npos) return fail(Errc::Unsupported, "unterminated %variable%");
      const auto var = s.substr(i, end - i + 1);
      const auto* hit = std::find_if(kVars.begin(), kVars.end(),
                                     [&](const auto& kv) { return iequals_ascii(kv.first, var); });
      if (hit == kVars.end())
        return fail(Errc::Unsupported, "unknown variable " + std::string{var} + " in ImagePath");
      expanded += hit->second;
      i = end + 1;
    }
    std::string_view e = expanded;
    std::replace(expanded.begin(), expanded.end(), '/', '\\');
    if (istarts_with(e, "\\??\\") || istarts_with(e, "\\\\?\\")) e.remove_prefix(4);
    else if (istarts_with(e, "\\DosDevices\\")) e.remove_prefix(12);
    else if (istarts_with(e, "\\GLOBAL??\\")) e.remove_prefix(10);
    if (is_drive(e)) {
      drive = static_cast<char>(e[0] >= 'a' ? e[0] - 32 : e[0]);
      e.remove_prefix(2);
      if (e.empty() || e.front() != '\\') return fail(Errc::Unsupported, "drive-relative ImagePath");
      path = e.substr(1);
    } else if (istarts_with(e, "\\SystemRoot\\")) {
      path = "Windows\\" + std::string{e.substr(12)};
    } else if (istarts_with(e, "\\\\") || istarts_with(e, "\\Device\\")) {
      return fail(Errc::Unsupported, "UNC or device ImagePath: " + std::string{e});
    } else if (!e.empty() && e.front() == '\\') {
      path = e.substr(1);  // rooted on the system drive (after %SystemRoot% expansion, too)
    } else {
      // Relative ("system32\DRIVERS\x.sys"): the kernel resolves it against \SystemRoot.
      path = "Windows\\" + std::string{e};
    }
  }

  // Normalise: drop empty and "." components, apply "..", never above the volume root.
  std::vector<std::string_view> parts;
  std::string_view rest = path;
  while (!rest.empty()) {
    const auto sep = rest.find('\\');
    const auto part = rest.substr(0, sep);
    rest = sep == std::string_view::npos ? std::string_view{} : rest.substr(sep + 1);
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      if (parts.empty()) return fail(Errc::Unsupported, "ImagePath escapes the volume root");
      parts.pop_back();
      continue;
    }
    parts.push_back(part);
  }
  if (parts.empty()) return fail(Errc::Unsupported, "ImagePath names no file");
  ResolvedImagePath out;
  out.drive = drive;
  out.windows_form = std::string{drive} + ":";
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i) out.volume_relative += '/';
    out.volume_relative += parts[i];
    out.windows_form += '\\';
    out.windows_form += parts[i];
  }
  return out;
}

}  // namespace trustscan::windows
