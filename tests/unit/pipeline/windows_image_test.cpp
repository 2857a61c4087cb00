#include <catch2/catch.hpp>

#include "pipeline/windows_image.hpp"

using namespace trustscan::pipeline;

TEST_CASE("WindowsImage maps scan-root paths to Windows form", "[pipeline][windows]") {
  WindowsImage at_root;
  CHECK(at_root.windows_path("Windows/System32/drivers/x.sys") == "C:\\Windows\\System32\\drivers\\x.sys");
  CHECK(at_root.contains(0, "anything"));
  CHECK_FALSE(at_root.contains(1, "anything"));

  WindowsImage nested;
  nested.root_index = 2;
  nested.base = "vol1";
  nested.drive = 'D';
  CHECK(nested.windows_path("vol1/Program Files/a.exe") == "D:\\Program Files\\a.exe");
  CHECK(nested.contains(2, "vol1/Windows"));
  CHECK_FALSE(nested.contains(2, "vol10/Windows"));
  CHECK_FALSE(nested.contains(2, "vol1"));

  WindowsState state;
  state.images.push_back(std::move(at_root));
  state.images.push_back(std::move(nested));
  CHECK(state.image_of(2, "vol1/x") == &state.images[1]);
  CHECK(state.image_of(0, "x") == &state.images[0]);
  CHECK(state.image_of(1, "x") == nullptr);
}

TEST_CASE("Only drivers that start on their own load at boot", "[pipeline][windows]") {
  using trustscan::windows::ServiceType;
  using trustscan::windows::StartType;
  RegisteredService reg;
  for (auto [type, start, boot] : {std::tuple{ServiceType::KernelDriver, StartType::Boot, true},
                                   {ServiceType::FileSystemDriver, StartType::System, true},
                                   {ServiceType::KernelDriver, StartType::Auto, true},
                                   {ServiceType::KernelDriver, StartType::Demand, false},
                                   {ServiceType::KernelDriver, StartType::Disabled, false},
                                   {ServiceType::Win32OwnProcess, StartType::Auto, false}}) {
    reg.service.type = type;
    reg.service.start = start;
    CHECK(reg.loads_at_boot() == boot);
  }
  CHECK(trustscan::fold_case("C:\\WINDOWS\\System32") == "c:\\windows\\system32");
}
