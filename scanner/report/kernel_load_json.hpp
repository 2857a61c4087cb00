#pragma once
/// \file
/// JSON for whether Windows' kernel would load a driver (report/ internal, issue 16;
/// verify/kernel_load.hpp, docs/report-schema.md "trustscan.windows.kernel_load").

#include "record/file_record.hpp"
#include "report/json_sink.hpp"

namespace trustscan::report {

/// Writes the members `kernel_load` ("allowed", "legacy_cross_signed", "not_allowed",
/// "test_signing_only"), `kernel_load_basis` and `kernel_load_reason` into the record's open
/// `trustscan.windows` object (which the caller opens for a file outside a Windows image too);
/// nothing for a file that does not run in the kernel.
void add_kernel_load(JsonSink& w, const record::FileRecord& r);

}  // namespace trustscan::report
