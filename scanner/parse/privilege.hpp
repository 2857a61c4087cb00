#pragma once
/// \file
/// Decides what a parsed binary is (driver, kernel module, EFI application, ...) and with which
/// privilege it runs, recording the evidence as a reason people can check.

#include <string>
#include <string_view>

#include "parse/binary_model.hpp"

namespace trustscan::parse {

struct Classification {
  FileType type = FileType::Unknown;
  Privilege privilege = Privilege::User;
  std::string reason;  ///< e.g. "imports ntoskrnl.exe", "ELF relocatable with .modinfo"
  friend bool operator==(const Classification&, const Classification&) = default;
};

/// `path` is the file's path as found (only its name and extension are used).
[[nodiscard]] Classification classify(const BinaryModel& model, std::string_view path);

}  // namespace trustscan::parse
