#include "windows/registry.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "support/temp_tree.hpp"

using namespace trustscan;
using namespace trustscan::windows;
namespace fs = std::filesystem;

namespace {

/// Hives written by tools/make_test_hive.py (CTest fixture build_test_hives).
fs::path hive_dir() { return test::samples_dir().parent_path() / "test-hives"; }

const Service* find(const SystemHive& hive, std::string_view name) {
  auto it = std::find_if(hive.services.begin(), hive.services.end(),
                         [&](const Service& s) { return s.name == name; });
  return it == hive.services.end() ? nullptr : &*it;
}

void write_bytes(const fs::path& p, const std::string& bytes) {
  std::ofstream(p, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

}  // namespace

TEST_CASE("SYSTEM hive: current control set and every field of the test services", "[windows]") {
  const auto hive = read_system_hive(hive_dir() / "SYSTEM");
  REQUIRE(hive.has_value());
  CHECK(hive->control_set == "ControlSet001");
  CHECK(hive->computer_name == "TESTPC");
  CHECK_FALSE(hive->services_truncated);
  CHECK(hive->warnings.empty());
  REQUIRE(hive->services.size() == 4);

  const Service* klif = find(*hive, "klif");
  REQUIRE(klif);
  CHECK(klif->type == ServiceType::KernelDriver);
  CHECK(klif->type_value == 1u);
  CHECK(klif->start == StartType::Boot);
  CHECK(klif->start_value == 0u);
  CHECK(klif->image_path == R"(system32\DRIVERS\klif.sys)");
  CHECK(klif->group == "FSFilter Anti-Virus");
  CHECK(klif->display_name == "Kaspersky Lab Interceptor");
  CHECK(klif->altitude == "320400");

  const Service* disk = find(*hive, "disk");
  REQUIRE(disk);
  CHECK(disk->type == ServiceType::KernelDriver);
  CHECK(disk->start == StartType::Boot);
  CHECK_FALSE(disk->image_path.has_value());
  CHECK(disk->group == "SCSI Class");
  CHECK_FALSE(disk->display_name.has_value());
  CHECK_FALSE(disk->altitude.has_value());

  const Service* missing = find(*hive, "missingdrv");
  REQUIRE(missing);
  CHECK(missing->type == ServiceType::KernelDriver);
  CHECK(missing->start == StartType::System);
  CHECK(missing->image_path == R"(\SystemRoot\System32\drivers\missing.sys)");
  CHECK_FALSE(missing->group.has_value());

  const Service* spooler = find(*hive, "Spooler");
  REQUIRE(spooler);
  CHECK(spooler->type == ServiceType::Win32OwnProcess);
  CHECK(spooler->type_value == 0x10u);
  CHECK(spooler->start == StartType::Auto);
  CHECK(spooler->image_path == R"(%SystemRoot%\System32\spoolsv.exe)");
  CHECK(spooler->display_name == "Print Spooler");
  CHECK_FALSE(spooler->altitude.has_value());

  // The ImagePaths resolve to files in the image.
  CHECK(resolve_image_path(*klif->image_path, klif->name, klif->type)->volume_relative ==
        "Windows/system32/DRIVERS/klif.sys");
  CHECK(resolve_image_path("", disk->name, disk->type)->volume_relative ==
        "Windows/System32/drivers/disk.sys");
}

TEST_CASE("SOFTWARE hive: Windows version", "[windows]") {
  const auto v = read_software_hive(hive_dir() / "SOFTWARE");
  REQUIRE(v.has_value());
  CHECK(v->product_name == "Windows 10 Pro");
  CHECK(v->display_version == "22H2");
  CHECK(v->release_id == "2009");
  CHECK(v->current_build == "19045");
  CHECK(v->edition_id == "Professional");
}

TEST_CASE("a hive of the wrong kind is Malformed", "[windows]") {
  const auto sys = read_system_hive(hive_dir() / "SOFTWARE");
  REQUIRE_FALSE(sys.has_value());
  CHECK(sys.error().code == Errc::Malformed);
  const auto soft = read_software_hive(hive_dir() / "SYSTEM");
  REQUIRE_FALSE(soft.has_value());
  CHECK(soft.error().code == Errc::Malformed);
}

TEST_CASE("reading a hive never modifies it (bytes and mtime unchanged)", "[windows]") {
  test::TempTree tmp;
  const fs::path copy = tmp.path() / "SYSTEM";
  fs::copy_file(hive_dir() / "SYSTEM", copy);
  const auto old_time = fs::file_time_type::clock::now() - std::chrono::hours(24 * 365);
  fs::last_write_time(copy, old_time);
  fs::permissions(copy, fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read);
  const std::string before = test::read_file(copy);

  REQUIRE(read_system_hive(copy).has_value());
  REQUIRE_FALSE(read_software_hive(copy).has_value());

  CHECK(test::read_file(copy) == before);
  CHECK(fs::last_write_time(copy) == old_time);
  fs::permissions(copy, fs::perms::owner_all);
}

TEST_CASE("missing, garbage and truncated hives are errors, not crashes", "[windows]") {
  test::TempTree tmp;
  const std::string good = test::read_file(hive_dir() / "SYSTEM");
  REQUIRE(good.size() > 0x2000);

  SECTION("missing file") {
    const auto r = read_system_hive(tmp.path() / "nope");
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == Errc::Io);
  }
  SECTION("a directory") {
    const auto r = read_system_hive(tmp.path());
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == Errc::Malformed);
  }
  SECTION("garbage") {
    const auto content = GENERATE(std::string{}, std::string("regf"), std::string(8192, 'A'),
                                  std::string("regf") + std::string(9000, '\xff'));
    write_bytes(tmp.path() / "bad", content);
    const auto r = read_system_hive(tmp.path() / "bad");
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == Errc::Malformed);
  }
  SECTION("truncated") {
    const std::size_t keep = GENERATE(0u, 16u, 511u, 4096u, 4200u, 0x2000u);
    write_bytes(tmp.path() / "cut", good.substr(0, keep));
    const auto r = read_system_hive(tmp.path() / "cut");
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == Errc::Malformed);
  }
  SECTION("bad checksum") {
    std::string bad = good;
    bad[0x1FC] = static_cast<char>(bad[0x1FC] ^ 0x5A);
    write_bytes(tmp.path() / "sum", bad);
    const auto r = read_system_hive(tmp.path() / "sum");
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == Errc::Malformed);
  }
}

TEST_CASE("random byte flips in the cells never crash the reader", "[windows]") {
  test::TempTree tmp;
  const std::string good = test::read_file(hive_dir() / "SYSTEM");
  std::mt19937 rng(6);  // fixed seed: reproducible
  std::uniform_int_distribution<std::size_t> where(0x1000, good.size() - 1);
  std::uniform_int_distribution<int> byte(0, 255);
  for (int round = 0; round < 300; ++round) {
    std::string bad = good;
    for (int i = 0; i < 8; ++i) bad[where(rng)] = static_cast<char>(byte(rng));
    write_bytes(tmp.path() / "flip", bad);
    const auto r = read_system_hive(tmp.path() / "flip");  // either outcome; must not crash
    if (r) CHECK(r->services.size() <= kMaxServices);
  }
}

TEST_CASE("resolve_image_path maps ImagePath forms to the volume", "[windows]") {
  struct Row {
    std::string_view image_path, service;
    ServiceType type;
    std::string_view relative, windows_form;
  };
  const auto row = GENERATE(values<Row>({
      {R"(system32\DRIVERS\klif.sys)", "klif", ServiceType::KernelDriver,
       "Windows/system32/DRIVERS/klif.sys", R"(C:\Windows\system32\DRIVERS\klif.sys)"},
      {R"(\SystemRoot\System32\drivers\x.sys)", "x", ServiceType::KernelDriver,
       "Windows/System32/drivers/x.sys", R"(C:\Windows\System32\drivers\x.sys)"},
      {R"(\systemroot\system32\drivers\x.sys)", "x", ServiceType::FileSystemDriver,
       "Windows/system32/drivers/x.sys", R"(C:\Windows\system32\drivers\x.sys)"},
      {R"(\??\C:\ProgramData\Vendor\drv.sys)", "drv", ServiceType::KernelDriver,
       "ProgramData/Vendor/drv.sys", R"(C:\ProgramData\Vendor\drv.sys)"},
      {R"(\??\d:\tools\drv.sys)", "drv", ServiceType::KernelDriver, "tools/drv.sys",
       R"(D:\tools\drv.sys)"},
      {R"(%SystemRoot%\System32\spoolsv.exe)", "Spooler", ServiceType::Win32OwnProcess,
       "Windows/System32/spoolsv.exe", R"(C:\Windows\System32\spoolsv.exe)"},
      {R"(%windir%\system32\svchost.exe -k netsvcs -p)", "x", ServiceType::Win32ShareProcess,
       "Windows/system32/svchost.exe", R"(C:\Windows\system32\svchost.exe)"},
      {R"("C:\Program Files\Vendor\agent.exe" /service)", "agent", ServiceType::Win32OwnProcess,
       "Program Files/Vendor/agent.exe", R"(C:\Program Files\Vendor\agent.exe)"},
      {R"(C:\Program Files\Vendor\agent.exe)", "agent", ServiceType::Win32OwnProcess,
       "Program Files/Vendor/agent.exe", R"(C:\Program Files\Vendor\agent.exe)"},
      {R"(\Windows\System32\drivers\.\y.sys)", "y", ServiceType::KernelDriver,
       "Windows/System32/drivers/y.sys", R"(C:\Windows\System32\drivers\y.sys)"},
      {"", "disk", ServiceType::KernelDriver, "Windows/System32/drivers/disk.sys",
       R"(C:\Windows\System32\drivers\disk.sys)"},
      {"", "Ntfs", ServiceType::FileSystemDriver, "Windows/System32/drivers/Ntfs.sys",
       R"(C:\Windows\System32\drivers\Ntfs.sys)"},
  }));
  CAPTURE(row.image_path);
  const auto r = resolve_image_path(row.image_path, row.service, row.type);
  REQUIRE(r.has_value());
  CHECK(r->volume_relative == row.relative);
  CHECK(r->windows_form == row.windows_form);
}

TEST_CASE("resolve_image_path refuses what it cannot place in the image", "[windows]") {
  const auto bad = GENERATE(values<std::pair<std::string_view, ServiceType>>({
      {"", ServiceType::Win32OwnProcess},
      {R"(\\server\share\x.sys)", ServiceType::KernelDriver},
      {R"(\Device\HarddiskVolume2\x.sys)", ServiceType::KernelDriver},
      {R"(%UNKNOWNVAR%\x.exe)", ServiceType::Win32OwnProcess},
      {R"(\SystemRoot\..\..\x.sys)", ServiceType::KernelDriver},
      {R"(C:x.sys)", ServiceType::KernelDriver},
  }));
  CAPTURE(bad.first);
  const auto r = resolve_image_path(bad.first, "svc", bad.second);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == Errc::Unsupported);
  CHECK(resolve_image_path(std::string(kMaxRegistryString + 1, 'a'), "x", ServiceType::KernelDriver)
            .error()
            .code == Errc::Malformed);
}

TEST_CASE("service type and start type classification round-trips", "[windows]") {
  CHECK(classify_service_type(0x1) == ServiceType::KernelDriver);
  CHECK(classify_service_type(0x2) == ServiceType::FileSystemDriver);
  CHECK(classify_service_type(0x10) == ServiceType::Win32OwnProcess);
  CHECK(classify_service_type(0x110) == ServiceType::Win32OwnProcess);
  CHECK(classify_service_type(0x20) == ServiceType::Win32ShareProcess);
  CHECK(classify_service_type(0x60) == ServiceType::UserService);
  CHECK(classify_service_type(0) == ServiceType::Unknown);
  CHECK(classify_start_type(4) == StartType::Disabled);
  CHECK(classify_start_type(7) == StartType::Unknown);
  CHECK(is_driver(ServiceType::FileSystemDriver));
  CHECK_FALSE(is_driver(ServiceType::Win32ShareProcess));
  for (auto t : {ServiceType::KernelDriver, ServiceType::UserService, ServiceType::Unknown})
    CHECK(service_type_from_string(to_string(t)) == t);
  for (auto s : {StartType::Boot, StartType::Demand, StartType::Unknown})
    CHECK(start_type_from_string(to_string(s)) == s);
}
