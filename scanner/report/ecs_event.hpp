#pragma once
/// \file
/// report/ internal: what makes an NDJSON event an Elastic Common Schema event besides its own
/// content (docs/siem.md, "ECS conformance"). Every event-based output passes its events through
/// ecs_stamp() (report_events, baseline_impl.hpp), which adds the fields every event carries —
/// `event.id`, `event.created`, `agent.*`, `host.*`, `related.hash` — and keeps `file.code_signature`
/// to the fields ECS defines there. The `message` of each kind of event is built here too.
/// tools/check_ecs_events.py checks the result against ECS's own field list (tests/cli/ecs_test.sh).

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "discover/file_ref.hpp"
#include "pipeline/pipeline.hpp"
#include "report/json_model.hpp"
#include "report/record_view.hpp"
#include "report/report.hpp"

namespace trustscan::report {

/// The machine trustscan runs on, as ECS `host.*` describes it. For a scan of a disk image or of
/// a mounted tree this is still the scanning machine (the image is `trustscan.image`).
struct HostFacts {
  std::string hostname;      ///< `host.hostname` and `host.name`
  std::string id;            ///< `host.id`: /etc/machine-id; "" when it cannot be read
  std::string architecture;  ///< `host.architecture`: uname(2) machine, e.g. "x86_64"
  std::string os_type;       ///< `host.os.type`: ECS's word for the OS ("linux", "macos", "unix")
  std::string os_kernel;     ///< `host.os.kernel`: uname(2) release
  std::string os_name;       ///< `host.os.name`: os-release NAME ("" when unknown)
  std::string os_version;    ///< `host.os.version`: os-release VERSION_ID
  std::string os_family;     ///< `host.os.family`: os-release ID_LIKE's first word, else ID
  std::string os_platform;   ///< `host.os.platform`: os-release ID
  std::string os_full;       ///< `host.os.full`: os-release PRETTY_NAME
};

/// The facts of this machine: uname(2), /etc/os-release (else /usr/lib/os-release) and
/// /etc/machine-id; `hostname` as the run has it (RunInfo::hostname). Never fails: what cannot
/// be read is left empty and out of the event.
[[nodiscard]] HostFacts scanning_host(std::string hostname);

/// The values of an os-release file's text (KEY=value lines, values maybe quoted): NAME,
/// VERSION_ID, ID, ID_LIKE, PRETTY_NAME into `facts` (the others are left alone).
void read_os_release(std::string_view text, HostFacts& facts);

/// ECS `host` of `facts` (empty members left out).
[[nodiscard]] nlohmann::ordered_json host_json(const HostFacts& facts);

/// Wraps `next` so that every event passing through gets `event.id` (unique: the run's id and the
/// event's number in the stream), `event.created` (when the event was made), `agent.*`
/// (trustscan, its version, an id derived from the machine id), `host.*` (`host`), `related.hash`
/// (every hash the event names; an array, maybe empty), and has the members of
/// `file.code_signature` that ECS does not define there moved to `trustscan.code_signature`.
[[nodiscard]] EventSink ecs_stamp(const pipeline::ScanResult& result, const RunInfo& run, const HostFacts& host,
                                  EventSink next);

/// Members of `file.code_signature` that ECS defines and trustscan writes there; every other
/// member belongs under `trustscan.code_signature`.
[[nodiscard]] bool is_ecs_code_signature_field(std::string_view name) noexcept;

/// `message` of a file event that is no alert: "PRIVILEGE TYPE PATH: signature STATUS[ by SIGNER][,
/// vendor NAME (COUNTRY)][, N errors]".
[[nodiscard]] std::string record_message(const RecordView& v);
/// `message` of a skip event: "skipped PATH: REASON (DETAIL)".
[[nodiscard]] std::string skipped_message(const discover::Skipped& s);
/// `message` of a path error event: "cannot scan PATH: MESSAGE".
[[nodiscard]] std::string path_error_message(const discover::PathError& e);
/// `message` of the summary event: what was scanned and found, and whether the scan completed.
[[nodiscard]] std::string summary_message(const pipeline::ScanResult& r);

}  // namespace trustscan::report
