// JSON and NDJSON emitters. Each record is emitted once, field by field, into a JsonSink
// (json_sink.hpp): a document (JsonTree) or its text (JsonText), never by string concatenation;
// every string that came from a scanned file goes through utf8_escaped.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstring>
#include <ostream>

#include "core/ascii.hpp"
#include "core/error_kind.hpp"
#include "report/ecs_event.hpp"
#include "report/json_model.hpp"
#include "report/json_sink.hpp"
#include "report/kernel_load_json.hpp"
#include "report/known_bad_json.hpp"
#include "report/report.hpp"
#include "report/signature_json.hpp"
#include "report/text.hpp"

namespace trustscan::report {
namespace {

using nlohmann::ordered_json;
using pipeline::ScanResult;
using record::FileRecord;

std::string safe(std::string_view s) { return utf8_escaped(s); }

/// The document an emitter writes.
template <class Emit>
ordered_json tree(Emit&& emit) {
  ordered_json doc;
  JsonTree t(doc);
  emit(static_cast<JsonSink&>(t));
  return doc;
}

/// Member `key`: the map with keys and values made valid UTF-8. Two keys that escape alike
/// keep the first one's place and the last one's value, as the document's operator[] would.
void safe_map(JsonSink& w, std::string_view key, const std::map<std::string, std::string>& m) {
  if (std::ranges::all_of(m, [](const auto& kv) { return is_ascii(kv.first) && is_ascii(kv.second); })) {
    // ASCII is valid UTF-8 as it is (nearly every map: a module's .modinfo): no copies.
    w.object(key);
    for (const auto& [k, v] : m) w.member(k, v);
    w.end_object();
    return;
  }
  std::vector<std::pair<std::string, std::string>> items;
  items.reserve(m.size());
  bool changed = false;
  for (const auto& [k, v] : m) {
    bool escaped = false;
    std::string ek = utf8_escaped(k, &escaped);
    changed = changed || escaped;
    auto same = changed ? std::ranges::find(items, ek, &std::pair<std::string, std::string>::first) : items.end();
    if (same != items.end())
      same->second = safe(v);
    else
      items.emplace_back(std::move(ek), safe(v));
  }
  w.object(key);
  for (const auto& [k, v] : items) w.member(k, v);
  w.end_object();
}

ordered_json safe_list(const std::vector<std::string>& v) {
  ordered_json j = ordered_json::array();
  for (const auto& s : v) j.push_back(safe(s));
  return j;
}

void error_json(JsonSink& w, const Error& e) {
  w.begin_object();
  w.member("stage", e.stage);
  w.member("code", to_string(e.code));
  w.member("kind", to_string(kind_of(e.code)));  // schema 1.7 (issue 20)
  w.text_member("message", e.message);
  w.end_object();
}

ordered_json error_json(const Error& e) {
  return tree([&](JsonSink& w) { error_json(w, e); });
}

/// ECS `file.pe`, `file.elf`, `file.macho` of a binary.
void ecs_format(JsonSink& w, const parse::BinaryModel& m) {
  if (m.pe) {
    const auto& vi = m.pe->version_info;
    w.object("pe");
    w.member("architecture", m.architecture);
    for (auto [ecs, key] : {std::pair{"company", "CompanyName"},
                            {"description", "FileDescription"},
                            {"file_version", "FileVersion"},
                            {"original_file_name", "OriginalFilename"},
                            {"product", "ProductName"}})
      if (auto it = vi.find(key); it != vi.end()) w.text_member(ecs, it->second);
    if (!m.pe->imphash.empty()) w.member("imphash", m.pe->imphash);
    w.end_object();
  } else if (m.elf) {
    w.object("elf");
    w.member("architecture", m.architecture);
    w.object("header");
    w.member("type", m.elf->elf_type);
    w.member("class", m.bits == 64 ? "ELF64" : "ELF32");
    w.end_object();
    safe_strings(w, "shared_libraries", m.libraries);
    w.end_object();
  } else if (!m.macho_slices.empty()) {
    w.object("macho");
    w.end_object();
  }
}

/// ECS `file.*` (+ the format-specific ECS sub-objects).
void ecs_file(JsonSink& w, const FileRecord& r, bool& path_escaped) {
  const discover::FileRef& f = r.file;
  const std::string path = utf8_escaped(f.path, &path_escaped);
  const auto slash = path.find_last_of('/');
  const std::string_view name = base_name(path);
  w.begin_object();
  w.member("path", path);
  w.member("name", name);
  w.member("directory", slash == std::string::npos ? std::string_view()
                        : slash == 0               ? std::string_view("/")
                                                   : std::string_view(path).substr(0, slash));
  if (auto dot = name.find_last_of('.'); dot != std::string::npos && dot != 0)
    w.member("extension", name.substr(dot + 1));
  char mode[8];
  std::snprintf(mode, sizeof mode, "%04o", f.mode & 07777);
  w.member("type", "file");
  w.member("size", f.size);
  if (auto t = rfc3339(f.mtime); !t.empty()) w.member("mtime", t);
  if (auto t = rfc3339(f.ctime); !t.empty()) w.member("ctime", t);
  w.member("inode", std::to_string(f.inode));
  w.member("device", std::to_string(f.device));
  w.member("mode", std::string_view(mode));
  w.member("uid", std::to_string(f.uid));
  w.member("gid", std::to_string(f.gid));
  if (!r.sha256.empty() || !r.sha1.empty() || !r.md5.empty()) {
    w.object("hash");
    if (!r.sha256.empty()) w.member("sha256", r.sha256);
    if (!r.sha1.empty()) w.member("sha1", r.sha1);
    if (!r.md5.empty()) w.member("md5", r.md5);
    w.end_object();
  }
  add_code_signature(w, r);
  if (r.binary) ecs_format(w, *r.binary);
  w.end_object();
}

void pe_details(JsonSink& w, const parse::PeInfo& pe) {
  w.object("pe");
  w.member("machine", pe.machine);
  w.member("subsystem", pe.subsystem);
  w.member("is_dll", pe.is_dll);
  w.member("timestamp", pe.timestamp);
  w.member("checksum", pe.checksum);
  safe_map(w, "version_info", pe.version_info);
  w.member("has_certificate_table", pe.has_certificate_table);
  w.member("imported_functions", pe.imported_functions.size());
  if (!pe.pdb_path.empty()) w.text_member("pdb_path", pe.pdb_path);
  w.end_object();
}

void elf_details(JsonSink& w, const parse::ElfInfo& elf) {
  w.object("elf");
  w.member("type", elf.elf_type);
  w.member("machine", elf.machine);
  if (!elf.interpreter.empty()) w.text_member("interpreter", elf.interpreter);
  if (!elf.soname.empty()) w.text_member("soname", elf.soname);
  if (!elf.modinfo.empty()) safe_map(w, "modinfo", elf.modinfo);
  if (!elf.grub_module_name.empty()) w.text_member("grub_module", elf.grub_module_name);
  w.member("has_module_signature", elf.has_module_signature);
  w.end_object();
}

void macho_details(JsonSink& w, const std::vector<parse::MachOSlice>& slices) {
  w.object("macho");
  w.array("slices");
  for (const auto& s : slices) {
    w.begin_object();
    w.member("cpu_type", s.cpu_type);
    w.member("file_type", s.file_type);
    w.member("offset", s.offset);
    w.member("size", s.size);
    w.member("has_code_signature", s.has_code_signature);
    safe_strings(w, "libraries", s.libraries);
    w.end_object();
  }
  w.end_array();
  w.end_object();
}

/// `trustscan.vendor.claims`: the other vendors the evidence names (issue 15).
void claims_json(JsonSink& w, const std::vector<attribute::Claim>& claims) {
  w.array("claims");
  for (const auto& c : claims) {
    w.begin_object();
    w.member("vendor", c.vendor);
    w.member("tier", attribute::to_string(c.tier));
    w.member("confidence", to_string(c.confidence));
    w.member("contradicted", c.contradicted);
    w.text_member("evidence", c.evidence);
    w.end_object();
  }
  w.end_array();
}

/// `trustscan.publisher`: the holder of the vendor's own verified signer certificate and the
/// jurisdiction it states (issue 15).
void publisher_json(JsonSink& w, const attribute::Publisher& p) {
  const verify::CertInfo& c = p.certificate;
  w.object("publisher");
  w.text_member("name", p.name);
  w.member("vendor", p.vendor);
  w.member("country", p.country);
  w.member("country_source", attribute::to_string(p.country_source));
  w.member("country_confidence", to_string(p.country_confidence));
  w.member("ev", p.ev);
  w.member("tier", attribute::to_string(p.tier));
  w.text_member("where", p.where);
  w.object("certificate");
  w.text_member("subject", c.subject);
  w.text_member("organization", c.subject_o);
  w.text_member("country", c.subject_c);
  w.text_member("state", c.subject_st);
  w.text_member("locality", c.subject_l);
  w.text_member("jurisdiction_country", c.jurisdiction_c);
  w.text_member("jurisdiction_state", c.jurisdiction_st);
  w.text_member("jurisdiction_locality", c.jurisdiction_l);
  w.text_member("registration_number", c.registration_number);
  w.text_member("organization_identifier", c.organization_identifier);
  w.text_member("business_category", c.business_category);
  w.member("thumbprint_sha256", c.thumbprint_sha256);
  w.end_object();
  w.end_object();
}

/// `trustscan.signing_services`: who signed for others (WHCP, Developer ID, a kernel build key).
void signing_services_json(JsonSink& w, const std::vector<attribute::SigningService>& services) {
  w.array("signing_services");
  for (const auto& sv : services) {
    w.begin_object();
    w.member("vendor", sv.vendor);
    w.text_member("name", sv.name);
    w.text_member("signer", sv.signer);
    w.text_member("where", sv.where);
    w.member("tier", attribute::to_string(sv.tier));
    w.end_object();
  }
  w.end_array();
}

/// Whom a verdict is about, and on what it stands (issue 15).
void verdict_subject_json(JsonSink& w, const policy::VerdictSubject& s) {
  w.begin_object();
  w.member("id", s.vendor_id);
  w.text_member("name", s.name);
  w.member("country", s.country);
  w.member("category", s.category);
  w.member("confidence", to_string(s.confidence));
  w.member("basis", policy::to_string(s.basis));
  if (!s.note.empty()) w.text_member("note", s.note);
  w.end_object();
}

ordered_json verdict_subject_json(const policy::VerdictSubject& s) {
  return tree([&](JsonSink& w) { verdict_subject_json(w, s); });
}

void evidence_json(JsonSink& w, const std::vector<attribute::Evidence>& evidence) {
  w.array("evidence");
  for (const auto& e : evidence) {
    w.begin_object();
    w.member("kind", attribute::to_string(e.kind));
    w.member("vendor", e.vendor);
    w.text_member("value", e.value);
    w.member("confidence", to_string(e.confidence));
    w.member("tier", attribute::to_string(e.tier));
    if (!e.matched.empty()) w.text_member("matched", e.matched);
    if (!e.note.empty()) w.text_member("note", e.note);
    w.end_object();
  }
  w.end_array();
}

void attribution_json(JsonSink& w, const attribute::Attribution& a) {
  w.object("vendor");
  w.member("id", a.vendor);
  w.text_member("name", a.name);
  w.member("country", a.country);
  w.member("jurisdictions", a.jurisdictions);
  w.member("category", a.category);
  w.member("confidence", to_string(a.confidence));
  w.member("tier", attribute::to_string(a.tier));
  evidence_json(w, a.evidence);
  w.member("candidates", a.candidates);
  safe_strings(w, "contradictions", a.contradictions);
  claims_json(w, a.claims);
  w.end_object();
}

/// The attribute stage's fields of `trustscan`: vendor (when someone is attributed), country,
/// publisher, signing services.
void add_attribution_fields(JsonSink& w, const attribute::Attribution& a) {
  if (a.attributed()) {
    attribution_json(w, a);
    w.member("country", a.country);
  }
  if (a.publisher) publisher_json(w, *a.publisher);
  if (!a.signing_services.empty()) signing_services_json(w, a.signing_services);
}

/// The verdict's matched rules, as the elements of an open array.
void rule_items(JsonSink& w, const policy::Verdict& v) {
  for (const auto& m : v.rules) {
    w.begin_object();
    w.member("id", m.rule_id);
    w.text_member("reason", m.reason);
    w.text_member("source", m.source);
    w.member("via", policy::to_string(m.via));
    w.end_object();
  }
}

void rules_json(JsonSink& w, const policy::Verdict& v) {
  w.array("rules");
  rule_items(w, v);
  w.end_array();
}

ordered_json rules_json(const policy::Verdict& v) {
  return tree([&](JsonSink& w) {
    w.begin_array();
    rule_items(w, v);
    w.end_array();
  });
}

void verdict_json(JsonSink& w, const policy::Verdict& v) {
  w.object("finding");
  w.member("status", policy::to_string(v.status));
  rules_json(w, v);
  if (v.status != policy::Verdict::Status::Unattributed) {
    w.key("subject");
    verdict_subject_json(w, v.subject);
  }
  if (v.flagged()) w.member("severity", policy::to_string(v.severity));
  if (!v.suppression_id.empty()) w.text_member("suppression_id", v.suppression_id);
  if (!v.expired_suppressions.empty()) safe_strings(w, "expired_suppressions", v.expired_suppressions);
  w.end_object();
}

/// A service's members (the object is the caller's: a registered service adds its own).
void service_members(JsonSink& w, const windows::Service& sv) {
  w.text_member("name", sv.name);
  w.member("type", windows::to_string(sv.type));
  w.member("start", windows::to_string(sv.start));
  if (sv.type_value) w.member("type_value", *sv.type_value);
  if (sv.start_value) w.member("start_value", *sv.start_value);
  if (sv.image_path) w.text_member("image_path", *sv.image_path);
  if (sv.group) w.text_member("group", *sv.group);
  if (sv.display_name) w.text_member("display_name", *sv.display_name);
  if (sv.altitude) w.text_member("altitude", *sv.altitude);
}

ordered_json service_json(const windows::Service& sv) {
  return tree([&](JsonSink& w) {
    w.begin_object();
    service_members(w, sv);
    w.end_object();
  });
}

/// `trustscan.windows`: the Windows image's facts about the file (a Windows image's registry) and
/// whether Windows would load it as a driver (kernel_load_json.hpp); absent when neither.
void windows_fields(JsonSink& w, const FileRecord& r) {
  if (!r.windows && !r.kernel_load) return;
  w.object("windows");
  if (const record::WindowsFacts* facts = r.windows ? &*r.windows : nullptr) {
    w.text_member("image", facts->image);
    w.text_member("path", facts->path);
    w.member("loads_at_boot", facts->loads_at_boot);
    w.array("services");
    for (const auto& sv : facts->services) {
      w.begin_object();
      service_members(w, sv);
      w.end_object();
    }
    w.end_array();
  }
  add_kernel_load(w, r);
  w.end_object();
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
  ordered_json j{{"path", safe(image.path)},
                 {"drive", std::string{image.drive, ':'}},
                 {"depth", image.depth},
                 {"recognised_by", image.parts.recognised_by()},
                 {"parts", {{"found", image.parts.found()}, {"missing", image.parts.missing()}}}};
  if (image.computer_name) j["computer_name"] = safe(*image.computer_name);
  if (image.version) {
    const auto& v = *image.version;
    ordered_json ver = ordered_json::object();
    for (auto [key, value] : {std::pair{"product_name", &v.product_name},
                              {"display_version", &v.display_version},
                              {"release_id", &v.release_id},
                              {"current_build", &v.current_build},
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
  ordered_json stores = ordered_json::array();  // the image's own certificate stores in use
  for (const auto& [store, count] : image.trust.counts())
    stores.push_back({{"store", safe(store)}, {"certificates", count}});
  j["certificate_stores"] = std::move(stores);
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
  return {{"files", c.files},           {"members", c.members},
          {"by_status", c.by_status},   {"load_seconds", c.load_seconds},
          {"not_trusted", not_trusted}, {"errors", errors}};
}

/// Top-level `windows`: the images found and the catalogs loaded (absent when neither).
ordered_json windows_json(const ScanResult& r) {
  if (!r.windows || (r.windows->images.empty() && r.catalog_summary.files == 0 && r.catalog_summary.errors.empty() &&
                     r.windows->probe_warnings.empty()))
    return nullptr;
  ordered_json images = ordered_json::array();
  for (const auto& image : r.windows->images) images.push_back(windows_image_json(image));
  ordered_json j{{"images", std::move(images)}, {"catalogs", catalogs_json(r.catalog_summary)}};
  if (!r.windows->probe_warnings.empty()) j["probe_warnings"] = safe_list(r.windows->probe_warnings);
  return j;
}

/// One entry of the top-level `findings` list: what an analyst needs without opening the record.
/// Its vendor is the verdict's subject: the attributed vendor or publisher, or the vendor a claim
/// names (`basis`, `note`).
ordered_json finding_json(const FileRecord& r) {
  static const attribute::Attribution kNoEvidence;  // a trust finding may have no vendor evidence
  const attribute::Attribution& a = r.attribution ? *r.attribution : kNoEvidence;
  const policy::VerdictSubject& subject = r.verdict->subject;
  ordered_json evidence = ordered_json::array();
  for (const auto& e : a.evidence)
    if (e.vendor == subject.vendor_id)
      evidence.push_back(std::string(attribute::to_string(e.kind)) + ": " + safe(e.value));
  ordered_json vendor = verdict_subject_json(subject);
  vendor.erase("basis");
  vendor.erase("note");
  ordered_json j{{"path", safe(r.file.path)},
                 {"sha256", r.sha256},
                 {"severity", std::string(policy::to_string(r.verdict->severity))},
                 {"suppressed", r.verdict->suppressed()},
                 {"vendor", std::move(vendor)},
                 {"basis", std::string(policy::to_string(subject.basis))},
                 {"privilege", r.binary ? std::string(to_string(*r.privilege())) : "unknown"},
                 {"type", r.binary ? std::string(to_string(r.classification.type)) : "unknown"},
                 {"rules", rules_json(*r.verdict)},
                 {"evidence", evidence},
                 {"contradictions", safe_list(a.contradictions)}};
  if (!subject.note.empty()) j["note"] = safe(subject.note);
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
    out.push_back({{"id", safe(s.id)},
                   {"reason", safe(s.reason)},
                   {"expires", date},
                   {"origin", safe(s.origin)},
                   {"state", std::string(policy::to_string(s.state))},
                   {"uses", s.uses},
                   {"matches_after_expiry", s.matches_after_expiry}});
  }
  return out;
}

/// `trustscan.image`: the disk image volume the file was read from (issue 10).
void image_location_json(JsonSink& w, const image::Location& loc, bool deleted) {
  const image::Volume& v = loc.volume;
  w.object("image");
  w.text_member("path", loc.image);
  w.member("partition", v.number);
  w.member("offset", v.offset);
  w.member("fs_type", v.fs_type);
  if (!v.label.empty()) w.text_member("label", v.label);
  if (!v.description.empty()) w.text_member("description", v.description);
  w.text_member("location", image::describe(v));
  if (deleted) w.member("deleted", true);
  w.end_object();
}

/// An image's media digests (schema 1.7): only those known.
ordered_json media_hashes_json(const image::MediaHashes& h) {
  ordered_json j = ordered_json::object();
  if (!h.md5.empty()) j["md5"] = h.md5;
  if (!h.sha1.empty()) j["sha1"] = h.sha1;
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
    ordered_json j{{"path", safe(info.path)},
                   {"format", info.format},
                   {"format_description", info.format_description},
                   {"size", info.size},
                   {"sector_size", info.sector_size}};
    if (!info.volume_system.empty()) j["volume_system"] = info.volume_system;
    j["files"] = std::move(files);
    if (info.stored_hashes) j["stored_hashes"] = media_hashes_json(*info.stored_hashes);  // issue 20
    if (info.media_hashes) j["media_hashes"] = media_hashes_json(*info.media_hashes);
    if (!info.hash_check.empty()) j["hash_check"] = info.hash_check;
    j["volumes"] = std::move(volumes);
    j["errors"] = std::move(errors);
    out.push_back(std::move(j));
  }
  return out;
}

/// `trustscan.type` ... `trustscan.macho`, the signatures: what parse and verify found.
void binary_fields(JsonSink& w, const FileRecord& r) {
  if (!r.binary) {
    w.member("type", "unknown");
    w.member("privilege", "unknown");  // never assume "user" for a file that could not be parsed
    return;
  }
  const parse::BinaryModel& m = *r.binary;
  w.member("type", to_string(r.classification.type));
  w.member("privilege", to_string(*r.privilege()));
  w.text_member("privilege_reason", r.privilege_reason());
  w.member("architecture", m.architecture);
  w.member("bits", m.bits);
  if (m.entry_point) w.member("entry_point", *m.entry_point);
  safe_strings(w, "libraries", m.libraries);
  w.member("exports_count", m.exports_count);
  if (m.pe) pe_details(w, *m.pe);
  if (m.elf) elf_details(w, *m.elf);
  if (!m.macho_slices.empty()) macho_details(w, m.macho_slices);
  if (!m.warnings.empty()) safe_strings(w, "warnings", m.warnings);
  add_signature_details(w, r);
}

/// `trustscan.rules`: the YARA matches (absent when none).
void matches_json(JsonSink& w, const std::vector<match::RuleMatch>& matches) {
  if (matches.empty()) return;
  w.array("rules");
  for (const auto& m : matches) {
    w.begin_object();
    w.text_member("rule", m.rule);
    w.text_member("namespace", m.ns);
    safe_strings(w, "tags", m.tags);
    safe_map(w, "meta", m.meta);
    w.array("strings");
    for (const auto& s : m.strings) {
      w.begin_object();
      w.member("identifier", s.identifier);
      w.member("offset", s.offset);
      w.end_object();
    }
    w.end_array();
    w.end_object();
  }
  w.end_array();
}

/// `trustscan.*`: what ECS has no field for.
void trustscan_fields(JsonSink& w, const FileRecord& r, bool path_escaped) {
  w.object("trustscan");
  w.member("format", to_string(r.format));
  w.member("compression", to_string(r.compression));
  if (r.decompressed_size) w.member("decompressed_size", *r.decompressed_size);
  if (path_escaped) w.member("path_escaped", true);
  binary_fields(w, r);
  matches_json(w, r.matches);
  if (r.rules_skipped) w.text_member("rules_skipped", *r.rules_skipped);
  if (r.attribution) add_attribution_fields(w, *r.attribution);
  if (r.verdict) verdict_json(w, *r.verdict);
  add_known_bad_details(w, r);
  windows_fields(w, r);
  if (r.image) image_location_json(w, *r.image, r.file.deleted);
  w.array("errors");
  for (const Error& e : r.errors) error_json(w, e);
  w.end_array();
  w.end_object();
}

void record_json(JsonSink& w, const FileRecord& r) {
  bool escaped = false;
  w.begin_object();
  w.key("file");
  ecs_file(w, r, escaped);
  trustscan_fields(w, r, escaped);
  add_known_bad_ecs(w, r);
  w.end_object();
}

ordered_json record_json(const FileRecord& r) {
  return tree([&](JsonSink& w) { record_json(w, r); });
}

// ---- Reading a record back: the baseline's input (read_record_view) ------------------------------

/// Reads typed fields of one report record; remembers the first one that is missing or has
/// another type than the writer gives it.
class ViewReader {
 public:
  /// A JSON value and its dotted name in the record ("file.hash.sha256"); empty when absent.
  struct Node {
    const ordered_json* json = nullptr;
    std::string name;
    explicit operator bool() const noexcept { return json != nullptr; }
  };

  /// Member `key` of object `parent`; empty when absent (an error when `required`) or when
  /// `parent` is empty.
  Node at(const Node& parent, const char* key, bool required = true) {
    if (!parent || !parent.json->is_object()) return {};
    std::string name = parent.name.empty() ? key : parent.name + "." + key;
    auto it = parent.json->find(key);
    if (it == parent.json->end()) {
      if (required) fail("has no " + name);
      return {};
    }
    return {&*it, std::move(name)};
  }
  /// `n` if it is an object, else empty (an error when present).
  Node object(const Node& n) { return expect(n, n && n.json->is_object(), "an object") ? n : Node{}; }
  /// The elements of array `n` (none when absent or not an array).
  std::vector<Node> elements(const Node& n) {
    std::vector<Node> out;
    if (!expect(n, n && n.json->is_array(), "an array")) return out;
    for (std::size_t i = 0; i < n.json->size(); ++i)
      out.push_back({&(*n.json)[i], n.name + "[" + std::to_string(i) + "]"});
    return out;
  }
  std::string text(const Node& n) {
    return expect(n, n && n.json->is_string(), "a string") ? n.json->get<std::string>() : std::string();
  }
  /// An optional string: absent or null is nullopt.
  std::optional<std::string> optional_text(const Node& n) {
    if (!n || n.json->is_null()) return std::nullopt;
    return text(n);
  }
  std::uint64_t count(const Node& n) {
    const bool ok = n &&
                    (n.json->is_number_unsigned() || (n.json->is_number_integer() && n.json->get<std::int64_t>() >= 0));
    return expect(n, ok, "an unsigned integer") ? n.json->get<std::uint64_t>() : 0;
  }
  bool flag(const Node& n) { return expect(n, n && n.json->is_boolean(), "a boolean") && n.json->get<bool>(); }

  [[nodiscard]] const std::string& error() const noexcept { return error_; }

 private:
  /// True when `ok`; else records that `n` (when present) is not `what`.
  bool expect(const Node& n, bool ok, const char* what) {
    if (!ok && n) fail("has " + n.name + " that is not " + what);
    return ok;
  }
  void fail(std::string message) {
    if (error_.empty()) error_ = std::move(message);
  }
  std::string error_;
};

/// `file.code_signature`.
CodeSignatureView read_code_signature(ViewReader& rd, const ViewReader::Node& cs) {
  CodeSignatureView c;
  c.exists = rd.flag(rd.at(cs, "exists"));
  c.status = rd.optional_text(rd.at(cs, "status", false));
  c.subject_name = rd.optional_text(rd.at(cs, "subject_name", false));
  c.source = rd.optional_text(rd.at(cs, "source", false));
  return c;
}

/// `trustscan.finding`.
FindingView read_finding(ViewReader& rd, const ViewReader::Node& f) {
  FindingView out;
  out.status = rd.text(rd.at(f, "status"));
  out.severity = rd.optional_text(rd.at(f, "severity", false));
  for (const auto& rule : rd.elements(rd.at(f, "rules")))
    if (auto r = rd.object(rule)) out.rules.push_back({rd.text(rd.at(r, "id")), rd.text(rd.at(r, "reason"))});
  if (auto s = rd.object(rd.at(f, "subject", false)))
    out.subject = SubjectView{rd.text(rd.at(s, "id")), rd.text(rd.at(s, "name")),
                              rd.optional_text(rd.at(s, "country", false)),
                              rd.optional_text(rd.at(s, "note", false)).value_or("")};
  return out;
}

/// The typed fields of `trustscan.*` (read_record_view).
void read_trustscan_fields(ViewReader& rd, const ViewReader::Node& t, RecordView& v) {
  v.type = rd.text(rd.at(t, "type"));
  v.privilege = rd.text(rd.at(t, "privilege"));
  if (auto vendor = rd.object(rd.at(t, "vendor", false)))
    v.vendor = VendorView{rd.text(rd.at(vendor, "id")), rd.text(rd.at(vendor, "name")),
                          rd.text(rd.at(vendor, "category")), rd.text(rd.at(vendor, "confidence"))};
  v.country = rd.optional_text(rd.at(t, "country", false));
  if (auto f = rd.object(rd.at(t, "finding", false))) v.finding = read_finding(rd, f);
  // `windows` holds only kernel_load (kernel_load_json.hpp) for a driver outside a Windows image.
  if (auto w = rd.object(rd.at(t, "windows", false)); w && rd.at(w, "image", false)) {
    v.windows_services.emplace();
    for (const auto& service : rd.elements(rd.at(w, "services")))
      if (auto s = rd.object(service))
        v.windows_services->push_back({rd.text(rd.at(s, "name")), rd.text(rd.at(s, "start"))});
  }
  for (const auto& error : rd.elements(rd.at(t, "errors")))
    if (auto e = rd.object(error))
      v.errors.push_back({rd.text(rd.at(e, "stage")), rd.text(rd.at(e, "code")), rd.text(rd.at(e, "message"))});
  for (const auto& entry : rd.elements(rd.at(t, "known_bad", false)))
    if (auto k = rd.object(entry)) {
      std::string suppressed;  // schema 1.6
      if (auto s = rd.at(k, "suppressed", false); s && rd.object(s)) suppressed = rd.text(rd.at(s, "id"));
      v.known_bad.push_back({rd.text(rd.at(k, "dataset")), rd.text(rd.at(k, "id")), rd.text(rd.at(k, "category")),
                             rd.text(rd.at(k, "name")), rd.text(rd.at(k, "key")), std::move(suppressed)});
    }
  v.known_bad_severity = rd.optional_text(rd.at(t, "known_bad_severity", false));
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
  ordered_json j{{"files_seen", s.files_seen},
                 {"files_scanned", s.files_scanned},
                 {"binaries", s.binaries},
                 {"non_binaries", s.non_binaries},
                 {"empty_files", s.empty_files},
                 {"directories", s.directories},
                 {"bytes_scanned", s.bytes_scanned},
                 {"errors", s.error_count},
                 {"by_format", s.by_format},
                 {"by_privilege", s.by_privilege},
                 {"by_type", s.by_type},
                 {"skipped", s.skipped},
                 {"attributed", s.attributed},
                 {"findings", s.findings},
                 {"suppressed", s.suppressed},
                 {"findings_by_severity", s.findings_by_severity},
                 {"catalog_signed", s.catalog_signed},
                 {"files_not_scanned", s.files_not_scanned},
                 {"files_timed_out", s.files_timed_out},
                 {"rules_skipped", s.rules_skipped}};
  j["known_bad"] = s.known_bad;  // issue 17 (schema 1.5)
  j["known_bad_findings"] = s.known_bad_findings;
  j["errors_by_kind"] = {{"read", s.read_errors}, {"malformed", s.malformed_errors}};  // schema 1.7 (issue 20)
  if (s.cache)                                                                         // issue 8: --cache
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
  scan["start"] = rfc3339(r.started);
  scan["end"] = rfc3339(r.finished);
  scan["duration_ms"] = ms;
  ordered_json notes = ordered_json::array();
  for (const auto& n : r.load_notes) notes.push_back({{"path", safe(n.path)}, {"message", safe(n.message)}});
  ordered_json anchor_sets = ordered_json::array();
  for (const auto& a : r.anchor_sets)
    anchor_sets.push_back({{"name", safe(a.name)}, {"anchors", a.anchors}, {"origin", safe(a.origin)}});
  ordered_json datasets = ordered_json::array();
  for (const auto& d : r.datasets)
    datasets.push_back({{"name", safe(d.name)},
                        {"version", safe(d.version)},
                        {"imported_at", safe(d.imported_at)},
                        {"source", safe(d.source)}});
  scan["datasets"] = std::move(datasets);
  scan["verification"] = {{"time", rfc3339(std::chrono::system_clock::from_time_t(r.verify_time))},
                          {"trust_anchors", r.trust_anchors},
                          {"anchor_sets", std::move(anchor_sets)},
                          {"module_key_sources", safe_list(r.key_sources)},
                          {"notes", notes}};
  scan["policy"] = safe(r.policy_name);
  scan["known_bad_policy"] = known_bad_policy_json(r.known_bad_policy);  // schema 1.6
  scan["options"] = {{"threads", r.threads_used},
                     {"excludes", safe_list(r.options.excludes)},
                     {"one_file_system", r.options.one_file_system},
                     {"max_file_size", r.options.limits.max_file_size}};
  scan["options"]["include_network_fs"] = r.options.include_network_fs;  // schema 1.7 (issue 20)
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
  return {{"@timestamp", event_timestamp(r)},
          {"ecs", {{"version", std::string(kEcsVersion)}}},
          {"event", {{"kind", kind}, {"module", "trustscan"}, {"dataset", dataset}}},
          {"observer", {{"hostname", safe(run.hostname)}, {"product", "trustscan"}, {"version", run.tool_version}}}};
}

bool is_alert(const FileRecord& r) { return (r.verdict && r.verdict->finding()) || r.known_bad_severity; }

/// ECS `rule` and `message` of an alert that is a known-bad driver and no vendor finding.
void known_bad_alert(const FileRecord& r, ordered_json& ev) {
  // The first match the policy did not set aside (there is one: the record is a finding).
  const auto kept = std::ranges::find_if(r.known_bad,
                                         [](const match::KnownBadMatch& k) { return k.suppressed_by.empty(); });
  const match::KnownBadMatch& m = kept != r.known_bad.end() ? *kept : r.known_bad.front();
  const int sev = ecs_risk_score(policy::to_string(*r.known_bad_severity));
  ev["event"]["severity"] = sev;
  ev["event"]["risk_score"] = sev;
  ev["rule"] = {{"id", known_bad_rule_id(m)},
                {"name", known_bad_rule_id(m)},
                {"description", safe(m.name + " (" + std::string(datasets::to_string(m.category)) + ")")},
                {"reference", m.references.empty() ? std::string() : safe(m.references.front())},
                {"ruleset", safe(m.source)},
                {"category", std::string(kKnownBadRuleCategory)}};
  ev["message"] = safe("known-bad driver " + m.name + " (" + m.source + " " + m.id + ") " + r.file.path);
}

/// The NDJSON event of a record (an alert when it is a finding), without baseline annotation.
ordered_json record_event(const ScanResult& result, const RunInfo& run, const FileRecord& r, const RecordView& view) {
  const bool alert = is_alert(r);
  ordered_json ev = event_base(result, run, alert ? "alert" : "event", "trustscan.file");
  bool kernel = r.privilege() == Privilege::Kernel;
  ev["event"]["category"] = kernel ? ordered_json{"driver", "file"} : ordered_json{"file"};
  ev["event"]["type"] = {"info"};  // ECS expects `indicator` only with category threat
  ev["event"]["outcome"] = r.errors.empty() ? "success" : "failure";
  if (alert && !(r.verdict && r.verdict->finding())) {
    known_bad_alert(r, ev);
  } else if (alert) {
    int sev = ecs_risk_score(policy::to_string(r.verdict->severity));
    ev["event"]["severity"] = sev;
    ev["event"]["risk_score"] = sev;
    const auto& rule = r.verdict->rules.front();
    ev["rule"] = {{"id", rule.rule_id},
                  {"name", rule.rule_id},
                  {"description", safe(rule.reason)},
                  {"reference", safe(rule.source)},
                  {"ruleset", safe(result.policy_name)},
                  {"category", std::string(kRuleCategory)}};
    ev["message"] = alert_message(view);
  } else {
    ev["message"] = record_message(view);
  }
  ordered_json rec = record_json(r);
  ev["file"] = std::move(rec["file"]);
  ev["trustscan"] = std::move(rec["trustscan"]);
  for (const char* ecs : {"threat", "vulnerability"})
    if (rec.contains(ecs)) ev[ecs] = std::move(rec[ecs]);
  return ev;
}

/// The events after the records: one per listed skip, per path error, per registered Windows
/// service whose file is missing, then the summary.
void scan_events(const ScanResult& result, const RunInfo& run, const EventSink& sink) {
  using Kind = EventInfo::Kind;
  for (const auto& s : result.skipped) {
    ordered_json ev = event_base(result, run, "event", "trustscan.skipped");
    ev["event"]["category"] = {"file"};
    ev["event"]["type"] = {"info"};
    ev["event"]["action"] = "file-skipped";
    const std::string path = safe(s.path);
    ev["file"] = {{"path", path}};
    ev["trustscan"] = {{"skip_reason", std::string(discover::to_string(s.reason))}, {"skip_detail", safe(s.detail)}};
    ev["message"] = skipped_message(s);
    sink(std::move(ev), {Kind::Skipped, false, nullptr, std::nullopt, nullptr, path});
  }
  for (const auto& e : result.errors) {
    // ECS reserves event.kind pipeline_error for ingest failures: this is a failed file access.
    ordered_json ev = event_base(result, run, "event", "trustscan.error");
    ev["event"]["category"] = {"file"};
    ev["event"]["type"] = {"access"};
    ev["event"]["action"] = "path-error";
    ev["event"]["outcome"] = "failure";
    const std::string path = safe(e.path);
    ev["file"] = {{"path", path}};
    ev["error"] = {
        {"code", std::string(to_string(e.error.code))}, {"type", e.error.stage}, {"message", safe(e.error.message)}};
    ev["trustscan"] = {{"error_kind", std::string(to_string(kind_of(e.error.code)))}};  // read: exit 3; malformed
    ev["message"] = path_error_message(e);
    sink(std::move(ev), {Kind::Error, false, nullptr, std::nullopt, nullptr, path});
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
        const std::string path = reg.resolved ? safe(reg.resolved->windows_form) : std::string();
        if (reg.resolved) ev["file"] = {{"path", path}};
        ev["trustscan"] = {{"windows", {{"image", safe(image.path)}, {"service", registered_service_json(reg)}}}};
        ev["message"] = "registered Windows service " + safe(reg.service.name) + " of " + safe(image.path) +
                        ": its file " + (reg.resolved ? path : std::string("(unresolved)")) + " is missing";
        sink(std::move(ev), {Kind::Service, false, nullptr, std::nullopt, nullptr, path});
      }
  ordered_json ev = event_base(result, run, "state", "trustscan.summary");
  ev["event"]["action"] = "scan-summary";
  ev["event"]["start"] = rfc3339(result.started);
  ev["event"]["end"] = rfc3339(result.finished);
  ev["event"]["duration"] = std::chrono::duration_cast<std::chrono::nanoseconds>(result.finished - result.started)
                                .count();
  ev["message"] = summary_message(result);
  ev["trustscan"] = {{"schema_version", std::string(kSchemaVersion)},
                     {"scan", scan_json(result, run)},
                     {"summary", summary_json(result.summary)},
                     {"suppressions", suppressions_json(result.suppressions)}};
  if (auto w = windows_json(result); !w.is_null()) ev["trustscan"]["windows"] = std::move(w);
  if (auto i = images_json(result); !i.is_null()) ev["trustscan"]["images"] = std::move(i);
  sink(std::move(ev), {});
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
  // Findings first (as alerts), then every other record.
  std::vector<std::size_t> order;
  for (std::size_t i = 0; i < result.records.size(); ++i)
    if (is_alert(result.records[i])) order.push_back(i);
  for (std::size_t i = 0; i < result.records.size(); ++i)
    if (!is_alert(result.records[i])) order.push_back(i);
  for (std::size_t i : order) {
    const FileRecord& r = result.records[i];
    const RecordView view = record_view(r);
    sink(record_event(result, run, r, view), {EventInfo::Kind::File, is_alert(r), &view, i, nullptr, view.path});
  }
  scan_events(result, run, sink);
}

ordered_json record_object(const FileRecord& r) { return record_json(r); }

void write_record(JsonSink& w, const FileRecord& r) { record_json(w, r); }

ordered_json skipped_object(const discover::Skipped& s) { return skipped_json(s); }

ordered_json path_error_object(const discover::PathError& e) { return path_error_json(e); }

ordered_json event_envelope(const ScanResult& r, const RunInfo& run, std::string_view kind, std::string_view dataset) {
  return event_base(r, run, kind, dataset);
}

std::string event_timestamp(const ScanResult& r) { return rfc3339(r.finished); }

bool live_scan(const ScanResult& r) {
  return std::ranges::find(r.options.roots, std::string("/")) != r.options.roots.end();
}

void compact_event(ordered_json& ev) {
  if (!ev.contains("trustscan")) return;
  for (const char* key : {"authenticode", "module_signature", "macho_signatures", "rules", "warnings"})
    ev["trustscan"].erase(key);
}

Result<ReportHead> read_report_head(const ordered_json& doc) {
  if (!doc.is_object() || !doc.contains("schema_version") || !doc["schema_version"].is_string())
    return fail(Errc::Config, "not a trustscan JSON report (no schema_version)");
  if (!doc.contains("files") || !doc["files"].is_array() || !doc.contains("scan") || !doc["scan"].is_object() ||
      !doc["scan"].contains("roots") || !doc["scan"]["roots"].is_array())
    return fail(Errc::Config, "not a trustscan JSON report (no files or scan.roots)");
  const ordered_json& scan = doc["scan"];
  ReportHead head;
  head.schema_version = doc["schema_version"].get<std::string>();
  for (const auto& root : scan["roots"])
    if (root.is_string()) head.roots.push_back(root.get<std::string>());
  if (scan.contains("end") && scan["end"].is_string()) head.end = scan["end"].get<std::string>();
  head.baseline_mode = scan.contains("baseline");
  return head;
}

Result<RecordView> read_record_view(const ordered_json& record) {
  ViewReader rd;
  const ViewReader::Node root{&record, ""};
  RecordView v;
  if (!record.is_object()) return fail(Errc::Config, "is not an object");
  const ViewReader::Node file = rd.object(rd.at(root, "file"));
  v.path = rd.text(rd.at(file, "path"));
  v.name = rd.text(rd.at(file, "name"));
  v.size = rd.count(rd.at(file, "size"));
  v.mtime = rd.optional_text(rd.at(file, "mtime", false));
  v.sha256 = rd.optional_text(rd.at(rd.object(rd.at(file, "hash", false)), "sha256", false));
  if (auto cs = rd.object(rd.at(file, "code_signature", false))) v.signature = read_code_signature(rd, cs);
  if (auto t = rd.object(rd.at(root, "trustscan"))) {
    read_trustscan_fields(rd, t, v);
    // An NDJSON event (schema 1.7) has the non-ECS members of file.code_signature here.
    if (auto cs = rd.object(rd.at(t, "code_signature", false)); cs && v.signature && !v.signature->source)
      v.signature->source = rd.optional_text(rd.at(cs, "source", false));
  }
  if (!rd.error().empty()) return fail(Errc::Config, rd.error());
  return v;
}

std::string dump_json(const ordered_json& j, int indent) { return kDump(j, indent); }

}  // namespace trustscan::report
