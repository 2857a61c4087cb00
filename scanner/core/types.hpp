#pragma once
/// \file
/// Small vocabulary types shared by every stage. Each enum has a to_string giving the name used in
/// reports (docs/report-schema.md); the names are part of the report contract.

#include <optional>
#include <string_view>

namespace trustscan {

/// Container format, decided once from magic bytes by identify::sniff.
enum class Format { Unknown, Pe, Elf, MachO, MachOFat };

/// What a binary is for; drives privilege classification.
enum class FileType {
  Unknown,
  Executable,
  Dll,
  Driver,          ///< Windows kernel-mode driver (.sys, native subsystem, kernel imports)
  EfiApplication,  ///< UEFI application / boot loader / EFI-stub kernel
  EfiDriver,       ///< UEFI boot-service or runtime driver
  SharedObject,
  KernelModule,    ///< Linux loadable kernel module (.ko, ET_REL with .modinfo)
  Kext,            ///< macOS kernel extension (MH_KEXT_BUNDLE)
  Bundle,          ///< Mach-O MH_BUNDLE (plug-in)
  Object,          ///< relocatable object that is not a kernel module
  Kernel,          ///< an OS kernel image itself (vmlinux, mach_kernel, ntoskrnl.exe)
  Core,            ///< core dump
};

/// Where the code runs once loaded. Findings care about kernel and boot.
enum class Privilege { User, Boot, Kernel };

/// How strongly evidence (or a conclusion drawn from it) supports a claim.
enum class Confidence { Low, Medium, High };

/// How the file's bytes were stored on disk before we parsed them.
enum class Compression { None, Xz, Zstd };

[[nodiscard]] constexpr std::string_view to_string(Format v) noexcept {
  switch (v) {
    case Format::Pe: return "pe";
    case Format::Elf: return "elf";
    case Format::MachO: return "macho";
    case Format::MachOFat: return "macho_fat";
    case Format::Unknown: break;
  }
  return "unknown";
}

[[nodiscard]] constexpr std::string_view to_string(FileType v) noexcept {
  switch (v) {
    case FileType::Executable: return "exe";
    case FileType::Dll: return "dll";
    case FileType::Driver: return "driver";
    case FileType::EfiApplication: return "efi_application";
    case FileType::EfiDriver: return "efi_driver";
    case FileType::SharedObject: return "shared_object";
    case FileType::KernelModule: return "kernel_module";
    case FileType::Kext: return "kext";
    case FileType::Bundle: return "bundle";
    case FileType::Object: return "object";
    case FileType::Kernel: return "kernel";
    case FileType::Core: return "core";
    case FileType::Unknown: break;
  }
  return "unknown";
}

[[nodiscard]] constexpr std::string_view to_string(Privilege v) noexcept {
  switch (v) {
    case Privilege::Kernel: return "kernel";
    case Privilege::Boot: return "boot";
    case Privilege::User: break;
  }
  return "user";
}

[[nodiscard]] constexpr std::string_view to_string(Confidence v) noexcept {
  switch (v) {
    case Confidence::High: return "high";
    case Confidence::Medium: return "medium";
    case Confidence::Low: break;
  }
  return "low";
}

[[nodiscard]] constexpr std::optional<Confidence> confidence_from_string(std::string_view s) noexcept {
  if (s == "low") return Confidence::Low;
  if (s == "medium") return Confidence::Medium;
  if (s == "high") return Confidence::High;
  return std::nullopt;
}

[[nodiscard]] constexpr std::string_view to_string(Compression v) noexcept {
  switch (v) {
    case Compression::Xz: return "xz";
    case Compression::Zstd: return "zstd";
    case Compression::None: break;
  }
  return "none";
}

}  // namespace trustscan
