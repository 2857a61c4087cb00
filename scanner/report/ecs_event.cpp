// The fields that make each NDJSON event an ECS event besides its own content (ecs_event.hpp).
#include "report/ecs_event.hpp"

#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <fstream>
#include <memory>
#include <span>
#include <sstream>
#include <utility>

#include "io/hashing.hpp"
#include "report/text.hpp"

namespace trustscan::report {
namespace {

using nlohmann::ordered_json;

/// The ECS fields of `file.code_signature` that trustscan writes (ECS 9.5 code_signature field
/// set). `flags` is not among them: ECS means Apple's code-signing flags word by it.
constexpr std::array<std::string_view, 10> kEcsCodeSignatureFields{
    "exists",     "valid",   "trusted",          "status",    "subject_name",
    "signing_id", "team_id", "digest_algorithm", "timestamp", "thumbprint_sha256"};

std::string read_small_file(const char* path) {
  std::ifstream in(path);
  if (!in) return {};
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string trimmed(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(first, last - first + 1));
}

/// An os-release value: unquoted, with the shell escapes \" \\ \$ \` undone.
std::string os_release_value(std::string_view v) {
  if (v.size() >= 2 && (v.front() == '"' || v.front() == '\'') && v.back() == v.front()) v = v.substr(1, v.size() - 2);
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (v[i] == '\\' && i + 1 < v.size()) ++i;
    out += v[i];
  }
  return out;
}

/// ECS `host.os.type` of uname's sysname.
std::string os_type(std::string_view sysname) {
  if (sysname == "Linux") return "linux";
  if (sysname == "Darwin") return "macos";
  return sysname.empty() ? std::string() : "unix";
}

/// A UUID-shaped id (8-4-4-4-12) from the first 32 hex digits of the SHA-256 of `text`.
std::string derived_id(std::string_view text) {
  const std::string h = io::sha256_hex(std::as_bytes(std::span(text.data(), text.size())));
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) + "-" + h.substr(20, 12);
}

/// The run's id: the same for every output of one scan, different for every scan (machine,
/// host name, process, start of the scan).
std::string run_id(const pipeline::ScanResult& result, const HostFacts& host) {
  const auto started = std::chrono::duration_cast<std::chrono::nanoseconds>(result.started.time_since_epoch()).count();
  return derived_id("trustscan run\n" + host.id + "\n" + host.hostname + "\n" + std::to_string(::getpid()) + "\n" +
                    std::to_string(started));
}

void add_hash(ordered_json& hashes, const ordered_json* v) {
  if (v == nullptr || !v->is_string() || v->get_ref<const std::string&>().empty()) return;
  if (std::find(hashes.begin(), hashes.end(), *v) == hashes.end()) hashes.push_back(*v);
}

const ordered_json* member(const ordered_json& j, std::string_view key) {
  if (!j.is_object()) return nullptr;
  auto it = j.find(key);
  return it == j.end() ? nullptr : &*it;
}

/// Every hash `ev` names: the file's digests, its signer's certificate thumbprint, its
/// Authenticode hashes and Mach-O cdhashes, known-bad matches on a hash, disk image digests.
ordered_json related_hashes(const ordered_json& ev) {
  ordered_json hashes = ordered_json::array();
  const ordered_json* file = member(ev, "file");
  if (const ordered_json* h = file ? member(*file, "hash") : nullptr)
    for (const auto& [_, v] : h->items()) add_hash(hashes, &v);
  if (const ordered_json* cs = file ? member(*file, "code_signature") : nullptr)
    add_hash(hashes, member(*cs, "thumbprint_sha256"));
  const ordered_json* t = member(ev, "trustscan");
  if (const ordered_json* a = t ? member(*t, "authenticode") : nullptr) {
    add_hash(hashes, member(*a, "hash_sha256"));
    add_hash(hashes, member(*a, "hash_sha1"));
  }
  if (const ordered_json* m = t ? member(*t, "macho_signatures") : nullptr; m && m->is_array())
    for (const auto& s : *m) add_hash(hashes, member(s, "cdhash"));
  if (const ordered_json* images = t ? member(*t, "images") : nullptr; images && images->is_array())
    for (const auto& image : *images)
      if (const ordered_json* files = member(image, "files"); files && files->is_array())
        for (const auto& f : *files) add_hash(hashes, member(f, "sha256"));
  const ordered_json* threat = member(ev, "threat");
  if (const ordered_json* e = threat ? member(*threat, "enrichments") : nullptr; e && e->is_array())
    for (const auto& enrichment : *e)
      if (const ordered_json* matched = member(enrichment, "matched")) {
        const ordered_json* field = member(*matched, "field");
        if (field && field->is_string() && field->get_ref<const std::string&>().find("hash") != std::string::npos)
          add_hash(hashes, member(*matched, "atomic"));
      }
  return hashes;
}

/// Moves the members of `file.code_signature` that ECS does not define there to
/// `trustscan.code_signature` (records of earlier reports, read by the baseline, too).
void keep_ecs_code_signature(ordered_json& ev) {
  if (!ev.contains("file") || !ev["file"].is_object() || !ev["file"].contains("code_signature")) return;
  ordered_json& cs = ev["file"]["code_signature"];
  if (!cs.is_object()) return;
  ordered_json custom = ordered_json::object();
  for (auto it = cs.begin(); it != cs.end();) {
    if (is_ecs_code_signature_field(it.key())) {
      ++it;
      continue;
    }
    custom[it.key()] = std::move(it.value());
    it = cs.erase(it);
  }
  if (custom.empty()) return;
  ordered_json& t = ev["trustscan"];
  if (!t.is_object()) t = ordered_json::object();
  t["code_signature"].update(custom);
}

}  // namespace

void read_os_release(std::string_view text, HostFacts& facts) {
  std::string id, id_like;
  while (!text.empty()) {
    const auto nl = text.find('\n');
    const std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    const auto eq = line.find('=');
    if (eq == std::string_view::npos || line.starts_with('#')) continue;
    const std::string key = trimmed(line.substr(0, eq));
    const std::string value = os_release_value(trimmed(line.substr(eq + 1)));
    if (key == "NAME")
      facts.os_name = value;
    else if (key == "VERSION_ID")
      facts.os_version = value;
    else if (key == "PRETTY_NAME")
      facts.os_full = value;
    else if (key == "ID")
      id = value;
    else if (key == "ID_LIKE")
      id_like = value;
  }
  if (!id.empty()) facts.os_platform = id;
  const std::string like = id_like.substr(0, id_like.find(' '));
  if (!like.empty() || !id.empty()) facts.os_family = like.empty() ? id : like;
}

HostFacts scanning_host(std::string hostname) {
  HostFacts h;
  h.hostname = std::move(hostname);
  if (utsname u{}; ::uname(&u) == 0) {
    h.architecture = u.machine;
    h.os_kernel = u.release;
    h.os_type = os_type(u.sysname);
  }
  std::string release = read_small_file("/etc/os-release");
  if (release.empty()) release = read_small_file("/usr/lib/os-release");
  read_os_release(release, h);
  h.id = trimmed(read_small_file("/etc/machine-id"));
  return h;
}

ordered_json host_json(const HostFacts& h) {
  ordered_json host{{"hostname", utf8_escaped(h.hostname)}, {"name", utf8_escaped(h.hostname)}};
  if (!h.id.empty()) host["id"] = utf8_escaped(h.id);
  if (!h.architecture.empty()) host["architecture"] = utf8_escaped(h.architecture);
  ordered_json os = ordered_json::object();
  for (auto [key, value] : {std::pair{"type", &h.os_type},
                            {"family", &h.os_family},
                            {"platform", &h.os_platform},
                            {"name", &h.os_name},
                            {"version", &h.os_version},
                            {"full", &h.os_full},
                            {"kernel", &h.os_kernel}})
    if (!value->empty()) os[key] = utf8_escaped(*value);
  if (!os.empty()) host["os"] = std::move(os);
  return host;
}

bool is_ecs_code_signature_field(std::string_view name) noexcept {
  return std::ranges::find(kEcsCodeSignatureFields, name) != kEcsCodeSignatureFields.end();
}

EventSink ecs_stamp(const pipeline::ScanResult& result, const RunInfo& run, const HostFacts& host, EventSink next) {
  ordered_json agent{{"name", "trustscan"}, {"type", "trustscan"}, {"version", run.tool_version}};
  if (!host.id.empty()) agent["id"] = derived_id("trustscan agent\n" + host.id);
  auto shared = std::make_shared<const std::pair<ordered_json, ordered_json>>(std::move(agent), host_json(host));
  auto sequence = std::make_shared<std::uint64_t>(0);
  return
      [shared, sequence, id = run_id(result, host), next = std::move(next)](ordered_json&& ev, const EventInfo& info) {
        keep_ecs_code_signature(ev);
        ordered_json& event = ev["event"];
        event["id"] = id + "-" + std::to_string((*sequence)++);
        event["created"] = rfc3339(std::chrono::system_clock::now());
        ev["agent"] = shared->first;
        ev["host"] = shared->second;
        ev["related"] = {{"hash", related_hashes(ev)}};
        next(std::move(ev), info);
      };
}

std::string record_message(const RecordView& v) {
  std::string m = v.privilege + " " + v.type + " " + v.path + ": ";
  if (!v.signature)
    m += "no signature checked";
  else if (!v.signature->exists)
    m += "unsigned";
  else
    m += "signature " + v.signature->status.value_or("present");
  if (v.signature && v.signature->subject_name && !v.signature->subject_name->empty())
    m += " by " + *v.signature->subject_name;
  if (v.vendor) m += ", vendor " + v.vendor->name + " (" + v.country.value_or("no country") + ")";
  if (!v.errors.empty()) m += ", " + counted(v.errors.size(), "error", "errors") + ": " + v.errors.front().message;
  return m;
}

std::string skipped_message(const discover::Skipped& s) {
  std::string m = "skipped " + utf8_escaped(s.path) + ": " + std::string(discover::to_string(s.reason));
  if (!s.detail.empty()) m += " (" + utf8_escaped(s.detail) + ")";
  return m;
}

std::string path_error_message(const discover::PathError& e) {
  return "cannot scan " + utf8_escaped(e.path) + ": " + utf8_escaped(e.error.message);
}

std::string summary_message(const pipeline::ScanResult& r) {
  const pipeline::ScanSummary& s = r.summary;
  std::string roots;
  for (const auto& root : r.options.roots) roots += (roots.empty() ? "" : ", ") + utf8_escaped(root);
  return std::string(r.complete() ? "scan of " : "incomplete scan of ") + roots + ": " +
         counted(s.binaries, "binary", "binaries") + ", " + counted(s.findings, "finding", "findings") + ", " +
         counted(s.known_bad_findings, "known-bad driver", "known-bad drivers") + ", " +
         counted(s.error_count, "error", "errors");
}

}  // namespace trustscan::report
