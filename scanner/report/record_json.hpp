#pragma once
/// \file
/// One record as text, for clients that take records one at a time (libtrustscan's C API): the
/// very object the JSON report puts in its "files" array (record_object, json_model.hpp).

#include <string>

#include "record/file_record.hpp"

namespace trustscan::report {

/// The record's "files" entry of the JSON report (docs/schema/report.schema.json), compact, on
/// one line, valid UTF-8.
[[nodiscard]] std::string record_json_text(const record::FileRecord& r);

}  // namespace trustscan::report
