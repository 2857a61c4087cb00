// The ECS fields every NDJSON event carries (report/ecs_event.hpp, issue 20). The whole events are
// checked against ECS's field list by tests/cli/ecs_test.sh.
#include "report/ecs_event.hpp"

#include <catch2/catch.hpp>

#include <set>
#include <vector>

using namespace trustscan;
using nlohmann::ordered_json;

namespace {

report::HostFacts test_host() {
  report::HostFacts h;
  h.hostname = "scanner-1";
  h.id = "3d1219c7c4c5404aaa1f6d2a48adfda4";
  h.architecture = "x86_64";
  h.os_type = "linux";
  h.os_kernel = "6.1.0-18-amd64";
  return h;
}

/// The events `input` become after ecs_stamp().
std::vector<ordered_json> stamped(std::vector<ordered_json> input, const report::HostFacts& host = test_host()) {
  pipeline::ScanResult result;
  result.options.roots = {"/evidence"};
  report::RunInfo run{"1.2.3", host.hostname, nullptr};
  std::vector<ordered_json> out;
  report::EventSink sink = report::ecs_stamp(result, run, host,
                                             [&](ordered_json&& ev, const report::EventInfo&) { out.push_back(ev); });
  for (auto& ev : input) sink(std::move(ev), {});
  return out;
}

}  // namespace

TEST_CASE("ecs: os-release values, quoted or not, name the host's OS", "[report][ecs]") {
  report::HostFacts h;
  report::read_os_release(
      "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\n"
      "VERSION_ID=\"12\"\n# ID=comment\nID=debian\n",
      h);
  CHECK(h.os_full == "Debian GNU/Linux 12 (bookworm)");
  CHECK(h.os_name == "Debian GNU/Linux");
  CHECK(h.os_version == "12");
  CHECK(h.os_platform == "debian");
  CHECK(h.os_family == "debian");
  report::HostFacts u;
  report::read_os_release("ID=ubuntu\nID_LIKE=debian\nNAME='Ubuntu'\nVERSION_ID=24.04\n", u);
  CHECK(u.os_platform == "ubuntu");
  CHECK(u.os_family == "debian");
  CHECK(u.os_name == "Ubuntu");
  CHECK(u.os_version == "24.04");
}

TEST_CASE("ecs: host.* leaves out what is not known", "[report][ecs]") {
  report::HostFacts h;
  h.hostname = "box";
  const ordered_json j = report::host_json(h);
  CHECK(j == ordered_json{{"hostname", "box"}, {"name", "box"}});
  const ordered_json full = report::host_json(test_host());
  CHECK(full["id"] == "3d1219c7c4c5404aaa1f6d2a48adfda4");
  CHECK(full["os"] == ordered_json{{"type", "linux"}, {"kernel", "6.1.0-18-amd64"}});
}

TEST_CASE("ecs: the scanning host is described from this machine", "[report][ecs]") {
  const report::HostFacts h = report::scanning_host("here");
  CHECK(h.hostname == "here");
  CHECK(h.os_type == "linux");  // the tests run on Linux
  CHECK_FALSE(h.os_kernel.empty());
  CHECK_FALSE(h.architecture.empty());
}

TEST_CASE("ecs: every event gets a unique event.id, event.created, agent, host and related.hash", "[report][ecs]") {
  const auto events = stamped({{{"event", {{"kind", "event"}}}, {"message", "a"}},
                               {{"event", {{"kind", "event"}}}, {"message", "b"}},
                               {{"event", {{"kind", "state"}}}, {"message", "summary"}}});
  REQUIRE(events.size() == 3);
  std::set<std::string> ids;
  for (const auto& ev : events) {
    ids.insert(ev["event"]["id"].get<std::string>());
    CHECK(ev["event"]["created"].get<std::string>().ends_with("Z"));
    CHECK(ev["agent"]["name"] == "trustscan");
    CHECK(ev["agent"]["type"] == "trustscan");
    CHECK(ev["agent"]["version"] == "1.2.3");
    CHECK(ev["agent"]["id"].get<std::string>().size() == 36);
    CHECK(ev["host"]["hostname"] == "scanner-1");
    CHECK(ev["related"]["hash"] == ordered_json::array());
  }
  CHECK(ids.size() == 3);
  // Without a machine id: no host.id and no agent.id.
  report::HostFacts anonymous = test_host();
  anonymous.id.clear();
  const auto other = stamped({{{"event", {{"kind", "event"}}}}}, anonymous);
  CHECK_FALSE(other[0]["agent"].contains("id"));
  CHECK_FALSE(other[0]["host"].contains("id"));
}

TEST_CASE("ecs: related.hash holds every hash of the event once", "[report][ecs]") {
  const std::string sha256(64, 'a'), thumb(64, 'b'), authentihash(64, 'c');
  const auto events = stamped({{{"event", {{"kind", "event"}}},
                                {"file",
                                 {{"hash", {{"sha256", sha256}, {"sha1", std::string(40, 'd')}}},
                                  {"code_signature", {{"exists", true}, {"thumbprint_sha256", thumb}}}}},
                                {"trustscan",
                                 {{"authenticode", {{"hash_sha256", authentihash}, {"hash_sha1", ""}}},
                                  {"macho_signatures", {{{"cdhash", sha256}}}}}}}});
  CHECK(events[0]["related"]["hash"] == ordered_json{sha256, std::string(40, 'd'), thumb, authentihash});
}

TEST_CASE("ecs: file.code_signature keeps only ECS's fields; the others move to trustscan.code_signature",
          "[report][ecs]") {
  // As a record of a JSON report has it (the baseline's gone records come from one).
  const auto events = stamped({{{"event", {{"kind", "event"}}},
                                {"file",
                                 {{"code_signature",
                                   {{"exists", true},
                                    {"valid", true},
                                    {"trusted", false},
                                    {"status", "untrusted"},
                                    {"flags", {"untrusted_root"}},
                                    {"subject_name", "Acme"},
                                    {"source", "catalog"},
                                    {"catalog", "/x/driver.cat"},
                                    {"thumbprint_sha256", std::string(64, 'e')}}}}},
                                {"trustscan", {{"type", "driver"}}}}});
  const ordered_json& cs = events[0]["file"]["code_signature"];
  CHECK_FALSE(cs.contains("flags"));
  CHECK_FALSE(cs.contains("source"));
  CHECK_FALSE(cs.contains("catalog"));
  CHECK(cs["thumbprint_sha256"] == std::string(64, 'e'));  // an ECS field: the signer certificate's SHA-256
  CHECK(cs["subject_name"] == "Acme");
  CHECK(events[0]["trustscan"]["code_signature"] ==
        ordered_json{{"flags", {"untrusted_root"}}, {"source", "catalog"}, {"catalog", "/x/driver.cat"}});
  CHECK(events[0]["trustscan"]["type"] == "driver");
  CHECK_FALSE(report::is_ecs_code_signature_field("flags"));  // ECS: Apple's code-signing flags
  CHECK(report::is_ecs_code_signature_field("valid"));
}

TEST_CASE("ecs: skip, error and summary events say what happened in message", "[report][ecs]") {
  CHECK(report::skipped_message({"/t/link", discover::SkipReason::Symlink, "-> /etc/passwd"}) ==
        "skipped /t/link: symlink (-> /etc/passwd)");
  CHECK(report::path_error_message({"/t/locked", Error{Errc::PermissionDenied, "permission denied", "discover"}}) ==
        "cannot scan /t/locked: permission denied");
  pipeline::ScanResult r;
  r.options.roots = {"/a", "/b"};
  r.summary.binaries = 1;
  r.summary.findings = 2;
  r.summary.error_count = 1;
  CHECK(report::summary_message(r) == "scan of /a, /b: 1 binary, 2 findings, 0 known-bad drivers, 1 error");
  r.interrupted_by = 15;
  CHECK(report::summary_message(r).starts_with("incomplete scan of /a, /b"));
  report::RecordView v;
  v.path = "/t/x.ko";
  v.privilege = "kernel";
  v.type = "kernel_module";
  v.signature = report::CodeSignatureView{true, "valid", "Build key", std::nullopt};
  CHECK(report::record_message(v) == "kernel kernel_module /t/x.ko: signature valid by Build key");
}
