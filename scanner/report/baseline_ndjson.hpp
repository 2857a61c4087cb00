#pragma once
/// \file
/// report/ internal: a baseline from the NDJSON report of an earlier run (baseline_ndjson.cpp),
/// read back into the JSON report document that Baseline::load reads.

#include <string_view>

#include <nlohmann/json.hpp>

#include "core/error.hpp"

namespace trustscan::report {

/// True when `text` starts with an NDJSON event (a one-line object with `event`): the
/// `--format ndjson` report of an earlier run.
[[nodiscard]] bool looks_like_ndjson(std::string_view text);

/// An NDJSON report as the JSON report document a baseline reads: `schema_version` and `scan`
/// from its summary event, `files` from its file events (in path order). Errc::Config when a line
/// is not JSON or the summary event is missing (an interrupted write).
[[nodiscard]] Result<nlohmann::ordered_json> report_from_ndjson(std::string_view text);

}  // namespace trustscan::report
