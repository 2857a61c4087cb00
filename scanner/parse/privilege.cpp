#include "parse/privilege.hpp"

#include <algorithm>
#include <array>
#include <cctype>

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

/// Libraries only kernel-mode code imports: the kernel, HAL, and kernel-mode frameworks.
constexpr std::array<std::string_view, 14> kKernelImports{
    "ntoskrnl.exe", "ntkrnlpa.exe", "ntkrnlmp.exe", "hal.dll",      "fltmgr.sys",  "ndis.sys",  "wdfldr.sys",
    "ks.sys",       "portcls.sys",  "storport.sys", "classpnp.sys", "videoprt.sys", "cng.sys",  "netio.sys"};

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
    if (std::ranges::find(kKernelImports, l) != kKernelImports.end())
      return {FileType::Driver, Privilege::Kernel, "imports " + l};
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
