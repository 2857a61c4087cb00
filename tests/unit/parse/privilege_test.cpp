// Privilege by the headers (parse/privilege.cpp): a driver is a driver whatever its file is
// called; user-mode DLLs, native user-mode programs and EFI applications are not.

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "parse/privilege.hpp"

using namespace trustscan;
using namespace trustscan::parse;

namespace {

const std::vector<std::string> kSections{".text", ".rdata", ".data", ".pdata", ".reloc"};
constexpr std::uint16_t kDefaultDllCharacteristics = 0x0160;  // NX, dynamic base, high entropy VA

/// A PE as parse/ describes it: subsystem, imported libraries, DllCharacteristics, sections, DLL bit.
BinaryModel pe(std::string subsystem, std::vector<std::string> imports = {},
               std::uint16_t dll_characteristics = kDefaultDllCharacteristics,
               std::vector<std::string> sections = kSections, bool dll = false) {
  BinaryModel m;
  m.format = Format::Pe;
  m.libraries = std::move(imports);
  PeInfo info;
  info.subsystem = std::move(subsystem);
  info.is_dll = dll;
  info.dll_characteristics = dll_characteristics;
  info.section_names = std::move(sections);
  m.pe = info;
  return m;
}

BinaryModel elf_relocatable(bool modinfo, bool this_module) {
  BinaryModel m;
  m.format = Format::Elf;
  ElfInfo info;
  info.elf_type = "REL";
  if (modinfo) info.modinfo = {{"license", "GPL"}, {"name", "helper"}};
  info.has_this_module = this_module;
  m.elf = info;
  return m;
}

constexpr std::uint16_t kWdm = 0x2000;  // IMAGE_DLLCHARACTERISTICS_WDM_DRIVER

}  // namespace

TEST_CASE("a driver that imports the kernel is kernel under any name", "[parse][privilege]") {
  const BinaryModel driver = pe("NATIVE", {"ntoskrnl.exe", "HAL.dll"});
  for (const char* path : {"/w/klif.sys", "/w/klif.dll", "/w/setup.exe", "/w/klif", "/w/data.dat"}) {
    INFO(path);
    const Classification c = classify(driver, path);
    CHECK(c.privilege == Privilege::Kernel);
    CHECK(c.type == FileType::Driver);
    CHECK(c.reason == "imports ntoskrnl.exe");
  }
  // Any .sys library (FltMgr, NDIS, an export driver) and the kernel-mode export DLLs bind it too,
  // in any case.
  CHECK(classify(pe("WINDOWS_GUI", {"FLTMGR.SYS"}), "/w/x.dll").reason == "imports fltmgr.sys");
  CHECK(classify(pe("WINDOWS_GUI", {"hidparse.sys"}), "/w/x").privilege == Privilege::Kernel);
  CHECK(classify(pe("WINDOWS_GUI", {"ci.dll"}), "/w/x.exe").privilege == Privilege::Kernel);
}

TEST_CASE("an import-less driver is kernel by its headers", "[parse][privilege]") {
  SECTION("native subsystem + WDM_DRIVER + INIT, named .dll (hostile sample g)") {
    const BinaryModel driver = pe("NATIVE", {}, kDefaultDllCharacteristics | kWdm, {".text", ".data", "INIT", ".reloc"});
    for (const char* path : {"/w/kbdhelper.dll", "/w/kbdhelper.exe", "/w/kbdhelper"}) {
      INFO(path);
      const Classification c = classify(driver, path);
      CHECK(c.privilege == Privilege::Kernel);
      CHECK(c.type == FileType::Driver);
      CHECK(c.reason ==
            "native subsystem, IMAGE_DLLCHARACTERISTICS_WDM_DRIVER, INIT section; no user-mode imports");
    }
  }
  SECTION("each trait alone, without user-mode imports") {
    CHECK(classify(pe("NATIVE"), "/w/a.exe").reason == "native subsystem; no user-mode imports");
    CHECK(classify(pe("WINDOWS_GUI", {}, kWdm), "/w/a.exe").reason ==
          "IMAGE_DLLCHARACTERISTICS_WDM_DRIVER; no user-mode imports");
    CHECK(classify(pe("WINDOWS_GUI", {}, kDefaultDllCharacteristics, {".text", "INIT"}, true), "/w/a.dll").reason ==
          "INIT section; no user-mode imports");
  }
}

TEST_CASE("user-mode images and EFI applications stay what they are", "[parse][privilege]") {
  SECTION("an ordinary DLL") {
    const Classification c =
        classify(pe("WINDOWS_GUI", {"KERNEL32.dll", "USER32.dll"}, kDefaultDllCharacteristics, kSections, true), "/w/ui.dll");
    CHECK(c.privilege == Privilege::User);
    CHECK(c.type == FileType::Dll);
  }
  SECTION("a resource-only DLL (no imports, no driver trait)") {
    CHECK(classify(pe("WINDOWS_GUI", {}, kDefaultDllCharacteristics, {".rsrc"}, true), "/w/res.dll").privilege ==
          Privilege::User);
  }
  SECTION("a native user-mode program imports ntdll") {
    const BinaryModel smss = pe("NATIVE", {"ntdll.dll"}, kDefaultDllCharacteristics, {".text", "INIT"});
    CHECK(classify(smss, "/w/smss.exe").privilege == Privilege::User);
  }
  SECTION("driver traits with user-mode imports cannot be loaded by the kernel") {
    const BinaryModel odd = pe("WINDOWS_GUI", {"kernel32.dll"}, kWdm, kSections, true);
    CHECK(classify(odd, "/w/odd.dll").privilege == Privilege::User);
  }
  SECTION("EFI applications and drivers run at boot, import nothing and are not kernel drivers") {
    const Classification app = classify(pe("EFI_APPLICATION", {}, 0), "/w/grubx64.efi");
    CHECK(app.privilege == Privilege::Boot);
    CHECK(app.type == FileType::EfiApplication);
    const Classification drv =
        classify(pe("EFI_BOOT_SERVICE_DRIVER", {}, kDefaultDllCharacteristics, {".text", "INIT"}), "/w/x");
    CHECK(drv.privilege == Privilege::Boot);
    CHECK(drv.type == FileType::EfiDriver);
  }
  SECTION("a .sys name alone is still the weakest kernel reason") {
    CHECK(classify(pe("WINDOWS_CUI", {"ntdll.dll"}, kDefaultDllCharacteristics, kSections, true), "/w/hidclass.sys")
              .reason == "file extension .sys");
  }
}

TEST_CASE("a Linux kernel module is one by .modinfo or .gnu.linkonce.this_module under any name",
          "[parse][privilege]") {
  for (const char* path : {"/m/helper.ko", "/m/libhelper.so", "/m/helper", "/m/helper.o"}) {
    INFO(path);
    CHECK(classify(elf_relocatable(true, true), path).privilege == Privilege::Kernel);
    CHECK(classify(elf_relocatable(false, true), path).type == FileType::KernelModule);
    CHECK(classify(elf_relocatable(true, false), path).reason == "ELF relocatable with .modinfo");
  }
  const Classification object = classify(elf_relocatable(false, false), "/m/helper.o");
  CHECK(object.privilege == Privilege::User);
  CHECK(object.type == FileType::Object);
}
