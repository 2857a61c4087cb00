#pragma once
/// \file
/// `trustscan explain FILE` (issue 20): one file's evidence, stage by stage, for a person. Built on
/// the report's own record object (json_model.hpp), so the text shows what the JSON report holds —
/// nothing is worked out a second time — plus what the scan verified it against.

#include <iosfwd>

#include "pipeline/pipeline.hpp"

namespace trustscan::report {

/// The record as text, one section per stage: the file, identify (format, type, why this
/// privilege), parse facts, hashes, every signature (source, status, flags, signer chain, anchor
/// set, trust basis, timestamp), the Windows view (kernel_load), YARA matches, attribution
/// evidence, vendor and country, the policy verdict and why it is (or is not) a finding,
/// known-bad matches and errors; then the scan's verification context (anchor sets, module keys,
/// notes). Every string from the file is made terminal-safe.
void write_explain(const pipeline::ScanResult& result, const record::FileRecord& record, std::ostream& out);

/// The record exactly as `--format json` writes it in `files[]`, as one indented JSON object.
void write_explain_json(const record::FileRecord& record, std::ostream& out);

}  // namespace trustscan::report
