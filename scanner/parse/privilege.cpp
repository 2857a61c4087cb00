#include "parse/privilege.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <string>

namespace trustscan::parse {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::ranges::transform(out, out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string_view base_name(std::string_view path) {
  auto slash = path.find_last_of('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

/// Libraries that only kernel-mode code imports: the kernel, the HAL and the kernel-mode export
/// DLLs. Every `.sys` library is kernel-mode too (a driver or an export driver such as FltMgr,
/// NDIS, WDF, ksecdd): no user-mode loader maps one.
constexpr std::array<std::string_view, 9> kKernelDlls{"ntoskrnl.exe", "ntkrnlpa.exe", "ntkrnlmp.exe",
                                                      "ntkrpamp.exe", "hal.dll",      "ci.dll",
                                                      "kdcom.dll",    "bootvid.dll",  "pshed.dll"};

bool kernel_library(std::string_view lower_name) {
  return lower_name.ends_with(".sys") || std::ranges::find(kKernelDlls, lower_name) != kKernelDlls.end();
}

constexpr std::uint16_t kWdmDriver = 0x2000;  // IMAGE_DLLCHARACTERISTICS_WDM_DRIVER

/// A PE's driver traits, whatever its file is called: the Windows kernel loads an image by its
/// headers and a service's ImagePath, never by its extension. "; "-joined, "" when there is none.
std::string driver_traits(const PeInfo& pe) {
  std::string traits;
  const auto add = [&traits](std::string_view t) { traits += (traits.empty() ? "" : ", ") + std::string(t); };
  if (pe.subsystem == "NATIVE") add("native subsystem");
  if ((pe.dll_characteristics & kWdmDriver) != 0) add("IMAGE_DLLCHARACTERISTICS_WDM_DRIVER");
  if (std::ranges::find(pe.section_names, "INIT") != pe.section_names.end()) add("INIT section");
  return traits;
}

Classification classify_pe(const BinaryModel& m, std::string_view path) {
  const PeInfo& pe = *m.pe;
  std::string name = lower(base_name(path));
  if (pe.subsystem.starts_with("EFI_")) {
    bool driver = pe.subsystem == "EFI_BOOT_SERVICE_DRIVER" || pe.subsystem == "EFI_RUNTIME_DRIVER" ||
                  pe.subsystem == "EFI_ROM";
    return {driver ? FileType::EfiDriver : FileType::EfiApplication, Privilege::Boot,
            "PE subsystem " + pe.subsystem};
  }
  if (name == "ntoskrnl.exe" || name == "ntkrnlmp.exe" || name == "ntkrnlpa.exe")
    return {FileType::Kernel, Privilege::Kernel, "Windows kernel image (" + name + ")"};
  for (const std::string& lib : m.libraries) {
    std::string l = lower(lib);
    if (kernel_library(l)) return {FileType::Driver, Privilege::Kernel, "imports " + l};
  }
  // No import binds it to user mode (a driver may resolve the kernel's exports itself and import
  // nothing): its headers decide. Native user-mode programs (smss.exe, autochk.exe) import ntdll.
  if (m.libraries.empty()) {
    if (const std::string traits = driver_traits(pe); !traits.empty())
      return {FileType::Driver, Privilege::Kernel, traits + "; no user-mode imports"};
  }
  if (pe.subsystem == "NATIVE" && name.ends_with(".sys"))
    return {FileType::Driver, Privilege::Kernel, "native-subsystem .sys"};
  // Windows loads .sys images as kernel drivers whatever their headers say (wine's stub
  // drivers are WINDOWS_CUI DLLs); a weaker reason, said as such.
  if (name.ends_with(".sys")) return {FileType::Driver, Privilege::Kernel, "file extension .sys"};
  // Native-subsystem user-mode programs exist (smss.exe, autochk.exe): user, but say why.
  if (pe.is_dll) return {FileType::Dll, Privilege::User, "PE DLL"};
  return {FileType::Executable, Privilege::User, "PE subsystem " + pe.subsystem};
}

Classification classify_elf(const BinaryModel& m, std::string_view path) {
  const ElfInfo& elf = *m.elf;
  std::string name = lower(base_name(path));
  if (elf.elf_type == "REL") {
    if (!elf.modinfo.empty() || elf.has_this_module)
      return {FileType::KernelModule, Privilege::Kernel,
              elf.modinfo.empty() ? "ELF relocatable with .gnu.linkonce.this_module"
                                  : "ELF relocatable with .modinfo"};
    if (!elf.grub_module_name.empty())
      return {FileType::Object, Privilege::Boot, "GRUB module (" + elf.grub_module_name + ")"};
    if (name.ends_with(".ko")) return {FileType::KernelModule, Privilege::Kernel, ".ko relocatable object"};
    return {FileType::Object, Privilege::User, "ELF relocatable object"};
  }
  if (elf.looks_like_kernel_image || (elf.elf_type == "EXEC" && name.starts_with("vmlinux")))
    return {FileType::Kernel, Privilege::Kernel, "Linux kernel image (vmlinux)"};
  if (elf.elf_type == "CORE") return {FileType::Core, Privilege::User, "ELF core dump"};
  if (elf.elf_type == "DYN") {
    // A PIE executable is DYN with an interpreter; a library that is also runnable (libc.so.6)
    // has one too, so its name decides.
    bool library_name = !elf.soname.empty() && name.find(".so") != std::string::npos;
    if (elf.interpreter.empty() || library_name)
      return {FileType::SharedObject, Privilege::User, "ELF shared object"};
  }
  return {FileType::Executable, Privilege::User, "ELF " + elf.elf_type + " executable"};
}

Classification classify_macho(const BinaryModel& m, std::string_view path) {
  if (m.macho_slices.empty()) return {FileType::Unknown, Privilege::User, "Mach-O without slices"};
  const std::string& ft = m.macho_slices.front().file_type;
  bool in_kext_bundle = path.find(".kext/Contents/MacOS/") != std::string_view::npos;
  if (ft == "KEXT_BUNDLE") return {FileType::Kext, Privilege::Kernel, "Mach-O MH_KEXT_BUNDLE"};
  if (in_kext_bundle) return {FileType::Kext, Privilege::Kernel, "executable of a .kext bundle"};
  std::string name = lower(base_name(path));
  if (ft == "EXECUTE" && (name == "mach_kernel" || name.starts_with("kernel.release") || name == "kernel"))
    return {FileType::Kernel, Privilege::Kernel, "macOS kernel image"};
  if (ft == "DYLIB") return {FileType::SharedObject, Privilege::User, "Mach-O dylib"};
  if (ft == "BUNDLE") return {FileType::Bundle, Privilege::User, "Mach-O bundle"};
  if (ft == "OBJECT") return {FileType::Object, Privilege::User, "Mach-O object"};
  if (ft == "CORE") return {FileType::Core, Privilege::User, "Mach-O core"};
  return {FileType::Executable, Privilege::User, "Mach-O " + ft};
}

}  // namespace

Classification classify(const BinaryModel& model, std::string_view path) {
  if (model.pe) return classify_pe(model, path);
  if (model.elf) return classify_elf(model, path);
  if (model.format == Format::MachO || model.format == Format::MachOFat) return classify_macho(model, path);
  return {};
}

}  // namespace trustscan::parse
