// JSON and NDJSON emitters. Build the document first, then serialise it once (never by string
// concatenation); every string that came from a scanned file goes through utf8_escaped.
#include <nlohmann/json.hpp>

#include <cstring>
#include <ctime>
#include <ostream>

#include "report/json_model.hpp"
#include "report/report.hpp"
#include "report/signature_json.hpp"
#include "report/text.hpp"

namespace trustscan::report {
namespace {

using nlohmann::ordered_json;
using record::FileRecord;
using pipeline::ScanResult;

std::string iso_time(const discover::Timestamp& t) {
  auto secs = static_cast<std::time_t>(t.sec);
  auto ms = static_cast<int>(t.nsec / 1'000'000);
  std::tm tm{};
  if (!gmtime_r(&secs, &tm)) return {};  // year beyond int: the field is left out
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
  return buf;
}

std::string iso_time(std::chrono::system_clock::time_point t) {
  auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
  return iso_time(discover::Timestamp{ns / 1'000'000'000, static_cast<std::uint32_t>(ns % 1'000'000'000)});
}

std::string safe(std::string_view s) { return utf8_escaped(s); }

ordered_json safe_map(const std::map<std::string, std::string>& m) {
  ordered_json j = ordered_json::object();
  for (const auto& [k, v] : m) j[safe(k)] = safe(v);
  return j;
}

ordered_json safe_list(const std::vector<std::string>& v) {
  ordered_json j = ordered_json::array();
  for (const auto& s : v) j.push_back(safe(s));
  return j;
}

ordered_json error_json(const Error& e) {
  return {{"stage", e.stage}, {"code", std::string(to_string(e.code))}, {"message", safe(e.message)}};
}

/// ECS `file.*` (+ the format-specific ECS sub-objects).
ordered_json ecs_file(const FileRecord& r, bool& path_escaped) {
  const discover::FileRef& f = r.file;
  std::string path = utf8_escaped(f.path, &path_escaped);
  auto slash = path.find_last_of('/');
  std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  ordered_json file{{"path", path},
                    {"name", name},
                    {"directory", slash == std::string::npos ? "" : (slash == 0 ? "/" : path.substr(0, slash))}};
  if (auto dot = name.find_last_of('.'); dot != std::string::npos && dot != 0) file["extension"] = name.substr(dot + 1);
  char mode[8];
  std::snprintf(mode, sizeof mode, "%04o", f.mode & 07777);
  file["type"] = "file";
  file["size"] = f.size;
  if (auto t = iso_time(f.mtime); !t.empty()) file["mtime"] = t;
  if (auto t = iso_time(f.ctime); !t.empty()) file["ctime"] = t;
  file["inode"] = std::to_string(f.inode);
  file["device"] = std::to_string(f.device);
  file["mode"] = mode;
  file["uid"] = std::to_string(f.uid);
  file["gid"] = std::to_string(f.gid);
  if (!r.sha256.empty()) file["hash"] = {{"sha256", r.sha256}};
  if (auto cs = code_signature_ecs(r); !cs.is_null()) file["code_signature"] = std::move(cs);
  if (!r.binary) return file;
  const parse::BinaryModel& m = *r.binary;
  if (m.pe) {
    const auto& vi = m.pe->version_info;
    auto field = [&](const char* key) -> ordered_json {
      auto it = vi.find(key);
      return it == vi.end() ? ordered_json(nullptr) : ordered_json(safe(it->second));
    };
    ordered_json pe{{"architecture", m.architecture}};
    for (auto [ecs, key] : {std::pair{"company", "CompanyName"}, {"description", "FileDescription"},
                            {"file_version", "FileVersion"}, {"original_file_name", "OriginalFilename"},
                            {"product", "ProductName"}})
      if (auto v = field(key); !v.is_null()) pe[ecs] = v;
    if (!m.pe->imphash.empty()) pe["imphash"] = m.pe->imphash;
    file["pe"] = pe;
  } else if (m.elf) {
    file["elf"] = {{"architecture", m.architecture},
                   {"header", {{"type", m.elf->elf_type}, {"class", m.bits == 64 ? "ELF64" : "ELF32"}}},
                   {"shared_libraries", safe_list(m.libraries)}};
  } else if (!m.macho_slices.empty()) {
    file["macho"] = ordered_json::object();
  }
  return file;
}

ordered_json pe_details(const parse::PeInfo& pe) {
  ordered_json j{{"machine", pe.machine},     {"subsystem", pe.subsystem},  {"is_dll", pe.is_dll},
                 {"timestamp", pe.timestamp}, {"checksum", pe.checksum},    {"version_info", safe_map(pe.version_info)},
                 {"has_certificate_table", pe.has_certificate_table},
                 {"imported_functions", pe.imported_functions.size()}};
  if (!pe.pdb_path.empty()) j["pdb_path"] = safe(pe.pdb_path);
  return j;
}

ordered_json elf_details(const parse::ElfInfo& elf) {
  ordered_json j{{"type", elf.elf_type}, {"machine", elf.machine}};
  if (!elf.interpreter.empty()) j["interpreter"] = safe(elf.interpreter);
  if (!elf.soname.empty()) j["soname"] = safe(elf.soname);
  if (!elf.modinfo.empty()) j["modinfo"] = safe_map(elf.modinfo);
  if (!elf.grub_module_name.empty()) j["grub_module"] = safe(elf.grub_module_name);
  j["has_module_signature"] = elf.has_module_signature;
  return j;
}

ordered_json macho_details(const std::vector<parse::MachOSlice>& slices) {
  ordered_json arr = ordered_json::array();
  for (const auto& s : slices) {
    ordered_json j{{"cpu_type", s.cpu_type},
                   {"file_type", s.file_type},
                   {"offset", s.offset},
                   {"size", s.size},
                   {"has_code_signature", s.has_code_signature},
                   {"libraries", safe_list(s.libraries)}};
    arr.push_back(j);
  }
  return {{"slices", arr}};
}

ordered_json attribution_json(const attribute::Attribution& a) {
  ordered_json evidence = ordered_json::array();
  for (const auto& e : a.evidence) {
    ordered_json j{{"kind", std::string(attribute::to_string(e.kind))},
                   {"vendor", e.vendor},
                   {"value", safe(e.value)},
                   {"confidence", std::string(to_string(e.confidence))}};
    if (!e.matched.empty()) j["matched"] = safe(e.matched);
    if (!e.note.empty()) j["note"] = safe(e.note);
    evidence.push_back(std::move(j));
  }
  return {{"id", a.vendor},
          {"name", safe(a.name)},
          {"country", a.country ? ordered_json(*a.country) : ordered_json(nullptr)},
          {"jurisdictions", a.jurisdictions},
          {"category", a.category},
          {"confidence", std::string(to_string(a.confidence))},
          {"evidence", evidence},
          {"candidates", a.candidates},
          {"contradictions", safe_list(a.contradictions)}};
}

ordered_json rules_json(const policy::Verdict& v) {
  ordered_json rules = ordered_json::array();
  for (const auto& m : v.rules)
    rules.push_back({{"id", m.rule_id}, {"reason", safe(m.reason)}, {"source", safe(m.source)},
                     {"via", std::string(policy::to_string(m.via))}});
  return rules;
}

ordered_json verdict_json(const policy::Verdict& v) {
  ordered_json j{{"status", std::string(policy::to_string(v.status))}, {"rules", rules_json(v)}};
  if (v.flagged()) j["severity"] = std::string(policy::to_string(v.severity));
  if (!v.suppression_id.empty()) j["suppression_id"] = safe(v.suppression_id);
  if (!v.expired_suppressions.empty()) j["expired_suppressions"] = safe_list(v.expired_suppressions);
  return j;
}

ordered_json service_json(const windows::Service& sv) {
  ordered_json j{{"name", safe(sv.name)},
                 {"type", std::string(windows::to_string(sv.type))},
                 {"start", std::string(windows::to_string(sv.start))}};
  if (sv.type_value) j["type_value"] = *sv.type_value;
  if (sv.start_value) j["start_value"] = *sv.start_value;
  if (sv.image_path) j["image_path"] = safe(*sv.image_path);
  if (sv.group) j["group"] = safe(*sv.group);
  if (sv.display_name) j["display_name"] = safe(*sv.display_name);
  if (sv.altitude) j["altitude"] = safe(*sv.altitude);
  return j;
}

ordered_json windows_facts_json(const record::WindowsFacts& w) {
  ordered_json services = ordered_json::array();
  for (const auto& sv : w.services) services.push_back(service_json(sv));
  return {{"image", safe(w.image)}, {"path", safe(w.path)}, {"loads_at_boot", w.loads_at_boot},
          {"services", std::move(services)}};
}

ordered_json registered_service_json(const pipeline::RegisteredService& reg) {
  ordered_json j = service_json(reg.service);
  j["file_status"] = std::string(pipeline::to_string(reg.file_status));
  j["loads_at_boot"] = reg.loads_at_boot();
  if (reg.resolved) j["windows_path"] = safe(reg.resolved->windows_form);
  if (!reg.disk_path.empty()) j["path"] = safe(reg.disk_path);
  if (!reg.resolve_error.empty()) j["resolve_error"] = safe(reg.resolve_error);
  return j;
}

ordered_json windows_image_json(const pipeline::WindowsImage& image) {
  ordered_json j{{"path", safe(image.path)}, {"drive", std::string{image.drive, ':'}}};
  if (image.computer_name) j["computer_name"] = safe(*image.computer_name);
  if (image.version) {
    const auto& v = *image.version;
    ordered_json ver = ordered_json::object();
    for (auto [key, value] : {std::pair{"product_name", &v.product_name}, {"display_version", &v.display_version},
                              {"release_id", &v.release_id}, {"current_build", &v.current_build},
                              {"edition_id", &v.edition_id}})
      if (*value) ver[key] = safe(**value);
    j["version"] = std::move(ver);
  }
  if (image.control_set) j["control_set"] = safe(*image.control_set);
  std::size_t drivers = 0, missing = 0;
  ordered_json services = ordered_json::array();
  for (const auto& reg : image.services) {
    drivers += windows::is_driver(reg.service.type);
    missing += reg.file_status == pipeline::ServiceFileStatus::Missing;
    services.push_back(registered_service_json(reg));
  }
  j["services_count"] = image.services.size();
  j["drivers_count"] = drivers;
  j["missing_count"] = missing;
  j["services_truncated"] = image.services_truncated;
  j["catalog_files"] = image.catalog_files;
  j["warnings"] = safe_list(image.warnings);
  j["errors"] = safe_list(image.errors);
  j["services"] = std::move(services);
  return j;
}

ordered_json catalogs_json(const pipeline::CatalogSummary& c) {
  ordered_json not_trusted = ordered_json::array();
  for (const verify::Catalog* cat : c.not_trusted) {
    ordered_json errors = ordered_json::array();
    for (const auto& e : cat->signature.errors) errors.push_back(safe(e));
    not_trusted.push_back({{"path", safe(cat->path)},
                           {"status", std::string(to_string(cat->signature.status))},
                           {"flags", verify::flag_names(cat->signature.flags)},
                           {"signer", safe(cat->signature.signer.subject)},
                           {"members", cat->members.size()},
                           {"errors", std::move(errors)}});
  }
  ordered_json errors = ordered_json::array();
  for (const auto& e : c.errors) {
    ordered_json j = error_json(e.error);
    j["path"] = safe(e.path);
    errors.push_back(std::move(j));
  }
  return {{"files", c.files},          {"members", c.members},
          {"by_status", c.by_status},  {"load_seconds", c.load_seconds},
          {"not_trusted", not_trusted}, {"errors", errors}};
}

/// Top-level `windows`: the images found and the catalogs loaded (absent when neither).
ordered_json windows_json(const ScanResult& r) {
  if (!r.windows || (r.windows->images.empty() && r.catalog_summary.files == 0 && r.catalog_summary.errors.empty()))
    return nullptr;
  ordered_json images = ordered_json::array();
  for (const auto& image : r.windows->images) images.push_back(windows_image_json(image));
  return {{"images", std::move(images)}, {"catalogs", catalogs_json(r.catalog_summary)}};
}

/// One entry of the top-level `findings` list: what an analyst needs without opening the record.
ordered_json finding_json(const FileRecord& r) {
  const attribute::Attribution& a = *r.attribution;
  ordered_json evidence = ordered_json::array();
  for (const auto& e : a.evidence)
    if (e.vendor == a.vendor) evidence.push_back(std::string(attribute::to_string(e.kind)) + ": " + safe(e.value));
  ordered_json j{{"path", safe(r.file.path)},
                 {"sha256", r.sha256},
                 {"severity", std::string(policy::to_string(r.verdict->severity))},
                 {"suppressed", r.verdict->suppressed()},
                 {"vendor", {{"id", a.vendor}, {"name", safe(a.name)},
                             {"country", a.country ? ordered_json(*a.country) : ordered_json(nullptr)},
                             {"category", a.category}, {"confidence", std::string(to_string(a.confidence))}}},
                 {"privilege", r.binary ? std::string(to_string(*r.privilege())) : "unknown"},
                 {"type", r.binary ? std::string(to_string(r.classification.type)) : "unknown"},
                 {"rules", rules_json(*r.verdict)},
                 {"evidence", evidence},
                 {"contradictions", safe_list(a.contradictions)}};
  if (auto cs = code_signature_ecs(r); !cs.is_null()) j["code_signature"] = std::move(cs);
  if (r.windows) {
    j["windows_path"] = safe(r.windows->path);
    j["loads_at_boot"] = r.windows->loads_at_boot;
    ordered_json services = ordered_json::array();
    for (const auto& sv : r.windows->services) services.push_back(service_json(sv));
    j["services"] = std::move(services);
  }
  if (!r.verdict->suppression_id.empty()) j["suppression_id"] = safe(r.verdict->suppression_id);
  return j;
}

ordered_json suppressions_json(const std::vector<policy::SuppressionStatus>& list) {
  ordered_json out = ordered_json::array();
  for (const auto& s : list) {
    char date[16];
    std::snprintf(date, sizeof date, "%04d-%02u-%02u", static_cast<int>(s.expires.year()),
                  static_cast<unsigned>(s.expires.month()), static_cast<unsigned>(s.expires.day()));
    out.push_back({{"id", safe(s.id)}, {"reason", safe(s.reason)}, {"expires", date}, {"origin", safe(s.origin)},
                   {"state", std::string(policy::to_string(s.state))}, {"uses", s.uses},
                   {"matches_after_expiry", s.matches_after_expiry}});
  }
  return out;
}

/// `trustscan.image`: the disk image volume the file was read from (issue 10).
ordered_json image_location_json(const image::Location& loc, bool deleted) {
  const image::Volume& v = loc.volume;
  ordered_json j{{"path", safe(loc.image)}, {"partition", v.number}, {"offset", v.offset}, {"fs_type", v.fs_type}};
  if (!v.label.empty()) j["label"] = safe(v.label);
  if (!v.description.empty()) j["description"] = safe(v.description);
  j["location"] = safe(image::describe(v));
  if (deleted) j["deleted"] = true;
  return j;
}

/// Top-level `images`: every disk image file among the roots, its volumes and what became of them.
ordered_json images_json(const ScanResult& r) {
  if (r.images.empty()) return nullptr;
  ordered_json out = ordered_json::array();
  for (const image::ImageInfo& info : r.images) {
    ordered_json files = ordered_json::array();
    for (std::size_t i = 0; i < info.files.size(); ++i) {
      ordered_json f{{"path", safe(info.files[i])}};
      if (i < info.sha256.size() && !info.sha256[i].empty()) f["sha256"] = info.sha256[i];
      files.push_back(std::move(f));
    }
    ordered_json volumes = ordered_json::array();
    for (const image::Volume& v : info.volumes) {
      ordered_json j{{"partition", v.number}, {"offset", v.offset}, {"length", v.length}};
      if (!v.description.empty()) j["description"] = safe(v.description);
      if (!v.fs_type.empty()) j["fs_type"] = v.fs_type;
      if (!v.label.empty()) j["label"] = safe(v.label);
      j["scanned"] = v.selected && !v.error;
      j["warnings"] = safe_list(v.warnings);
      if (v.error) j["error"] = error_json(*v.error);
      volumes.push_back(std::move(j));
    }
    ordered_json errors = ordered_json::array();
    for (const Error& e : info.errors) errors.push_back(error_json(e));
    ordered_json j{{"path", safe(info.path)}, {"format", info.format}, {"format_description", info.format_description},
                   {"size", info.size},        {"sector_size", info.sector_size}};
    if (!info.volume_system.empty()) j["volume_system"] = info.volume_system;
    j["files"] = std::move(files);
    j["volumes"] = std::move(volumes);
    j["errors"] = std::move(errors);
    out.push_back(std::move(j));
  }
  return out;
}

/// `trustscan.*`: what ECS has no field for.
ordered_json trustscan_fields(const FileRecord& r, bool path_escaped) {
  ordered_json t{{"format", std::string(to_string(r.format))}, {"compression", std::string(to_string(r.compression))}};
  if (r.decompressed_size) t["decompressed_size"] = *r.decompressed_size;
  if (path_escaped) t["path_escaped"] = true;
  if (r.binary) {
    const parse::BinaryModel& m = *r.binary;
    t["type"] = std::string(to_string(r.classification.type));
    t["privilege"] = std::string(to_string(*r.privilege()));
    t["privilege_reason"] = safe(r.privilege_reason());
    t["architecture"] = m.architecture;
    t["bits"] = m.bits;
    if (m.entry_point) t["entry_point"] = *m.entry_point;
    t["libraries"] = safe_list(m.libraries);
    t["exports_count"] = m.exports_count;
    if (m.pe) t["pe"] = pe_details(*m.pe);
    if (m.elf) t["elf"] = elf_details(*m.elf);
    if (!m.macho_slices.empty()) t["macho"] = macho_details(m.macho_slices);
    if (!m.warnings.empty()) t["warnings"] = safe_list(m.warnings);
    add_signature_details(r, t);
  } else {
    t["type"] = "unknown";
    t["privilege"] = "unknown";  // never assume "user" for a file that could not be parsed
  }
  ordered_json matches = ordered_json::array();
  for (const auto& m : r.matches) {
    ordered_json strings = ordered_json::array();
    for (const auto& s : m.strings) strings.push_back({{"identifier", s.identifier}, {"offset", s.offset}});
    ordered_json meta = ordered_json::object();
    for (const auto& [k, v] : m.meta) meta[safe(k)] = safe(v);
    matches.push_back({{"rule", safe(m.rule)}, {"namespace", safe(m.ns)}, {"tags", safe_list(m.tags)},
                       {"meta", meta}, {"strings", strings}});
  }
  if (!matches.empty()) t["rules"] = std::move(matches);
  if (r.rules_skipped) t["rules_skipped"] = safe(*r.rules_skipped);
  if (r.attribution) {
    t["vendor"] = attribution_json(*r.attribution);
    t["country"] = r.attribution->country ? ordered_json(*r.attribution->country) : ordered_json(nullptr);
  }
  if (r.verdict) t["finding"] = verdict_json(*r.verdict);
  if (r.windows) t["windows"] = windows_facts_json(*r.windows);
  if (r.image) t["image"] = image_location_json(*r.image, r.file.deleted);
  ordered_json errs = ordered_json::array();
  for (const Error& e : r.errors) errs.push_back(error_json(e));
  t["errors"] = errs;
  return t;
}

ordered_json record_json(const FileRecord& r) {
  bool escaped = false;
  ordered_json file = ecs_file(r, escaped);
  return {{"file", file}, {"trustscan", trustscan_fields(r, escaped)}};
}

ordered_json skipped_json(const discover::Skipped& s) {
  return {{"path", safe(s.path)}, {"reason", std::string(discover::to_string(s.reason))}, {"detail", safe(s.detail)}};
}

ordered_json path_error_json(const discover::PathError& e) {
  ordered_json j = error_json(e.error);
  j["path"] = safe(e.path);
  return j;
}

ordered_json summary_json(const pipeline::ScanSummary& s) {
  ordered_json j{{"files_seen", s.files_seen},     {"files_scanned", s.files_scanned}, {"binaries", s.binaries},
          {"non_binaries", s.non_binaries}, {"empty_files", s.empty_files},     {"directories", s.directories},
          {"bytes_scanned", s.bytes_scanned}, {"errors", s.error_count},       {"by_format", s.by_format},
          {"by_privilege", s.by_privilege}, {"by_type", s.by_type},             {"skipped", s.skipped},
          {"attributed", s.attributed},     {"findings", s.findings},           {"suppressed", s.suppressed},
          {"findings_by_severity", s.findings_by_severity}, {"catalog_signed", s.catalog_signed},
          {"files_not_scanned", s.files_not_scanned}, {"files_timed_out", s.files_timed_out},
          {"rules_skipped", s.rules_skipped}};
  if (s.cache)  // issue 8: --cache
    j["cache"] = {{"hits", s.cache->hits}, {"misses", s.cache->misses}, {"invalidated", s.cache->invalidated}};
  if (!s.image_entries.empty()) j["image_entries"] = s.image_entries;
  return j;
}

ordered_json scan_json(const ScanResult& r, const RunInfo& run) {
  ordered_json roots = ordered_json::array();
  bool live = false;
  for (const auto& root : r.options.roots) {
    roots.push_back(safe(root));
    live = live || root == "/";
  }
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(r.finished - r.started).count();
  ordered_json scan{{"tool", {{"name", "trustscan"}, {"version", run.tool_version}}},
                    {"complete", r.complete()},
                    {"roots", roots},
                    {"observer", {{"hostname", safe(run.hostname)}}}};
  if (r.interrupted_by != 0) {
    const char* name = sigabbrev_np(r.interrupted_by);
    scan["interrupted"] = {{"signal", std::string("SIG") + (name ? name : std::to_string(r.interrupted_by).c_str())},
                           {"walk_complete", !r.walk_interrupted}};
  }
  if (live) scan["host"] = {{"name", safe(run.hostname)}};
  scan["start"] = iso_time(r.started);
  scan["end"] = iso_time(r.finished);
  scan["duration_ms"] = ms;
  ordered_json notes = ordered_json::array();
  for (const auto& n : r.load_notes) notes.push_back({{"path", safe(n.path)}, {"message", safe(n.message)}});
  ordered_json anchor_sets = ordered_json::array();
  for (const auto& a : r.anchor_sets)
    anchor_sets.push_back({{"name", safe(a.name)}, {"anchors", a.anchors}, {"origin", safe(a.origin)}});
  ordered_json datasets = ordered_json::array();
  for (const auto& d : r.datasets)
    datasets.push_back({{"name", safe(d.name)}, {"version", safe(d.version)}, {"imported_at", safe(d.imported_at)},
                        {"source", safe(d.source)}});
  scan["datasets"] = std::move(datasets);
  scan["verification"] = {{"time", iso_time(std::chrono::system_clock::from_time_t(r.verify_time))},
                          {"trust_anchors", r.trust_anchors},
                          {"anchor_sets", std::move(anchor_sets)},
                          {"module_key_sources", safe_list(r.key_sources)},
                          {"notes", notes}};
  scan["policy"] = safe(r.policy_name);
  scan["options"] = {{"threads", r.threads_used},
                     {"excludes", safe_list(r.options.excludes)},
                     {"one_file_system", r.options.one_file_system},
                     {"max_file_size", r.options.limits.max_file_size}};
  if (!r.images.empty() || r.options.images.force)
    scan["options"]["images"] = {{"forced", r.options.images.force},
                                 {"partitions", r.options.images.partitions},
                                 {"include_deleted", r.options.images.include_deleted},
                                 {"hash", r.options.images.hash}};
  return scan;
}

constexpr auto kDump = [](const ordered_json& j, int indent) {
  // Strings are already valid UTF-8 (utf8_escaped); "replace" is a last line of defence.
  return j.dump(indent, ' ', false, ordered_json::error_handler_t::replace);
};

ordered_json event_base(const ScanResult& r, const RunInfo& run, std::string_view kind, std::string_view dataset) {
  return {{"@timestamp", iso_time(r.finished)},
          {"ecs", {{"version", std::string(kEcsVersion)}}},
          {"event", {{"kind", kind}, {"module", "trustscan"}, {"dataset", dataset}}},
          {"observer", {{"hostname", safe(run.hostname)}, {"product", "trustscan"}, {"version", run.tool_version}}}};
}

}  // namespace

ordered_json json_document_head(const ScanResult& result, const RunInfo& run) {
  ordered_json findings = ordered_json::array();
  for (const auto& r : result.records)
    if (r.verdict && r.verdict->flagged()) findings.push_back(finding_json(r));
  ordered_json doc{{"schema_version", std::string(kSchemaVersion)},
                   {"scan", scan_json(result, run)},
                   {"findings", std::move(findings)},
                   {"summary", summary_json(result.summary)},
                   {"suppressions", suppressions_json(result.suppressions)}};
  if (auto w = windows_json(result); !w.is_null()) doc["windows"] = std::move(w);
  if (auto i = images_json(result); !i.is_null()) doc["images"] = std::move(i);
  return doc;
}

ordered_json json_document(const ScanResult& result, const RunInfo& run) {
  ordered_json doc = json_document_head(result, run);
  ordered_json files = ordered_json::array();
  for (const auto& r : result.records) files.push_back(record_json(r));
  doc["files"] = std::move(files);
  ordered_json skipped = ordered_json::array();
  for (const auto& s : result.skipped) skipped.push_back(skipped_json(s));
  doc["skipped"] = std::move(skipped);
  ordered_json errors = ordered_json::array();
  for (const auto& e : result.errors) errors.push_back(path_error_json(e));
  doc["errors"] = std::move(errors);
  return doc;
}

void ndjson_events(const ScanResult& result, const RunInfo& run, const EventSink& sink) {
  bool live = std::ranges::find(result.options.roots, std::string("/")) != result.options.roots.end();
  // Findings first (as alerts), then every other record.
  std::vector<const FileRecord*> ordered;
  for (const auto& r : result.records)
    if (r.verdict && r.verdict->finding()) ordered.push_back(&r);
  for (const auto& r : result.records)
    if (!(r.verdict && r.verdict->finding())) ordered.push_back(&r);
  for (const FileRecord* rp : ordered) {
    const FileRecord& r = *rp;
    bool alert = r.verdict && r.verdict->finding();
    ordered_json ev = event_base(result, run, alert ? "alert" : "event", "trustscan.file");
    bool kernel = r.privilege() == Privilege::Kernel;
    ev["event"]["category"] = kernel ? ordered_json{"driver", "file"} : ordered_json{"file"};
    ev["event"]["type"] = alert ? ordered_json{"info", "indicator"} : ordered_json{"info"};
    ev["event"]["outcome"] = r.errors.empty() ? "success" : "failure";
    if (alert) {
      // ECS risk-score convention: low 21, medium 47, high 73, critical 99.
      static constexpr int kSeverity[] = {21, 47, 73, 99};
      int sev = kSeverity[static_cast<int>(r.verdict->severity)];
      ev["event"]["severity"] = sev;
      ev["event"]["risk_score"] = sev;
      const auto& rule = r.verdict->rules.front();
      ev["rule"] = {{"id", rule.rule_id}, {"name", rule.rule_id}, {"description", safe(rule.reason)},
                    {"reference", safe(rule.source)}, {"ruleset", safe(result.policy_name)}, {"category", "vendor-jurisdiction"}};
      ev["message"] = safe(r.attribution->name + " (" + r.attribution->country.value_or("no country") + ") " +
                           std::string(to_string(r.classification.type)) + " " + r.file.path);
    }
    if (live) ev["host"] = {{"name", safe(run.hostname)}};
    ordered_json rec = record_json(r);
    ev["file"] = rec["file"];
    ev["trustscan"] = rec["trustscan"];
    sink(std::move(ev));
  }
  for (const auto& s : result.skipped) {
    ordered_json ev = event_base(result, run, "event", "trustscan.skipped");
    ev["event"]["category"] = {"file"};
    ev["event"]["type"] = {"info"};
    ev["event"]["action"] = "file-skipped";
    ev["file"] = {{"path", safe(s.path)}};
    ev["trustscan"] = {{"skip_reason", std::string(discover::to_string(s.reason))}, {"skip_detail", safe(s.detail)}};
    sink(std::move(ev));
  }
  for (const auto& e : result.errors) {
    ordered_json ev = event_base(result, run, "pipeline_error", "trustscan.error");
    ev["event"]["outcome"] = "failure";
    ev["file"] = {{"path", safe(e.path)}};
    ev["error"] = {{"code", std::string(to_string(e.error.code))}, {"type", e.error.stage}, {"message", safe(e.error.message)}};
    sink(std::move(ev));
  }
  // A registered service whose file is not in the image: Windows would try to load it.
  if (result.windows)
    for (const auto& image : result.windows->images)
      for (const auto& reg : image.services) {
        if (reg.file_status != pipeline::ServiceFileStatus::Missing) continue;
        ordered_json ev = event_base(result, run, "event", "trustscan.service");
        ev["event"]["category"] = windows::is_driver(reg.service.type) ? ordered_json{"driver", "configuration"}
                                                                        : ordered_json{"configuration"};
        ev["event"]["type"] = {"info"};
        ev["event"]["action"] = "registered-file-missing";
        if (reg.resolved) ev["file"] = {{"path", safe(reg.resolved->windows_form)}};
        ev["trustscan"] = {{"windows", {{"image", safe(image.path)}, {"service", registered_service_json(reg)}}}};
        sink(std::move(ev));
      }
  ordered_json ev = event_base(result, run, "state", "trustscan.summary");
  ev["event"]["action"] = "scan-summary";
  ev["trustscan"] = {{"schema_version", std::string(kSchemaVersion)},
                     {"scan", scan_json(result, run)},
                     {"summary", summary_json(result.summary)},
                     {"suppressions", suppressions_json(result.suppressions)}};
  if (auto w = windows_json(result); !w.is_null()) ev["trustscan"]["windows"] = std::move(w);
  if (auto i = images_json(result); !i.is_null()) ev["trustscan"]["images"] = std::move(i);
  sink(std::move(ev));
}

ordered_json record_object(const FileRecord& r) { return record_json(r); }

ordered_json skipped_object(const discover::Skipped& s) { return skipped_json(s); }

ordered_json path_error_object(const discover::PathError& e) { return path_error_json(e); }

ordered_json event_envelope(const ScanResult& r, const RunInfo& run, std::string_view kind, std::string_view dataset) {
  return event_base(r, run, kind, dataset);
}

std::string dump_json(const ordered_json& j, int indent) { return kDump(j, indent); }

}  // namespace trustscan::report
