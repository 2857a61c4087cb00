#pragma once
/// \file
/// JSON for whether Windows' kernel would load a driver (report/ internal, issue 16;
/// verify/kernel_load.hpp, docs/report-schema.md "trustscan.windows.kernel_load").

#include <nlohmann/json.hpp>

#include "record/file_record.hpp"

namespace trustscan::report {

/// Adds `windows.kernel_load` ("allowed", "legacy_cross_signed", "not_allowed",
/// "test_signing_only"), `windows.kernel_load_basis` and `windows.kernel_load_reason` to the
/// record's `trustscan` object (creating `windows` for a file outside a Windows image); nothing
/// for a file that does not run in the kernel.
void add_kernel_load(const record::FileRecord& r, nlohmann::ordered_json& trustscan);

}  // namespace trustscan::report
