#pragma once
/// \file
/// JSON for the known-bad driver matches (report/ internal, issue 17; docs/report-schema.md,
/// "Known-bad drivers"): `trustscan.known_bad[]` with every detail, ECS `threat.enrichments[]`
/// (one indicator match per listed entry) and `vulnerability.*` (the CVEs the entries name).

#include <string>

#include <nlohmann/json.hpp>

#include "policy/known_bad_policy.hpp"
#include "record/file_record.hpp"
#include "report/json_sink.hpp"

namespace trustscan::report {

/// Writes the members `known_bad` (and `known_bad_severity` when the matches are a finding) into
/// the record's open `trustscan` object; nothing when the file matches no entry.
void add_known_bad_details(JsonSink& w, const record::FileRecord& r);

/// Writes ECS `threat.enrichments` and, when an entry names a CVE, `vulnerability` into the open
/// record object, after `file` and `trustscan`; nothing when the file matches no entry.
void add_known_bad_ecs(JsonSink& w, const record::FileRecord& r);

/// `scan.known_bad_policy` (schema 1.6): the policy's known-bad settings — enabled, the
/// severity per category, whether boot-start raises it.
[[nodiscard]] nlohmann::ordered_json known_bad_policy_json(const policy::KnownBadSettings& s);

/// The rule id a known-bad match is reported under (CEF, NDJSON alerts, the table):
/// "known-bad:DATASET:ID".
[[nodiscard]] std::string known_bad_rule_id(const match::KnownBadMatch& m);

}  // namespace trustscan::report
