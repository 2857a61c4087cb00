// The human-readable summary. Fits 100 columns; every string from a scanned file is terminal_safe.
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <ostream>
#include <string>
#include <map>
#include <vector>

#include "report/baseline_impl.hpp"
#include "report/report.hpp"
#include "report/signature_json.hpp"
#include "report/text.hpp"

namespace trustscan::report {
namespace {

using record::FileRecord;

/// Rows listed per section before "… and N more" (the JSON report has them all).
constexpr std::size_t kMaxRows = 200;
constexpr std::size_t kPathWidth = 43;

std::string pad(std::string s, std::size_t width) {
  std::size_t cols = 0;
  for (unsigned char c : s) cols += (c & 0xc0) != 0x80;
  if (cols < width) s.append(width - cols, ' ');
  return s;
}

/// Who signed it (the signature that stands for the file), else who the file says made it (PE
/// CompanyName, a module's author), else "-".
std::string maker(const FileRecord& r) {
  if (!r.binary) return "-";
  if (const verify::Signature* s = r.primary_signature())
    if (std::string name = s->source == verify::SignatureSource::Embedded || s->source == verify::SignatureSource::Catalog
                               ? (s->signer.subject_o.empty() ? s->signer.subject_cn : s->signer.subject_o)
                               : signer_name(*s);
        !name.empty())
      return name;
  if (r.binary->pe) {
    auto it = r.binary->pe->version_info.find("CompanyName");
    if (it != r.binary->pe->version_info.end() && !it->second.empty()) return it->second;
  }
  if (r.binary->elf) {
    auto it = r.binary->elf->modinfo.find("author");
    if (it != r.binary->elf->modinfo.end() && !it->second.empty()) return it->second;
  }
  return "-";
}

/// Who made it, in `width` columns: the attributed vendor or publisher with its country
/// ("Kaspersky (RU)", "Shenzhen Exa…Ltd. (CN)"), else who signed it or what the file says (maker).
std::string vendor_column(const FileRecord& r, std::size_t width) {
  if (!r.attribution || !r.attribution->attributed()) return elide_middle(terminal_safe(maker(r)), width);
  const attribute::Attribution& a = *r.attribution;
  const std::string cc = " (" + a.country.value_or("-") + ")";
  return elide_middle(terminal_safe(a.name), width - cc.size()) + cc;
}

/// Whom a finding is about, for grouping: the vendor id, or the unlisted publisher's name.
std::string subject_key(const policy::VerdictSubject& s) { return s.publisher() ? "publisher:" + s.name : s.vendor_id; }

/// The group heading of a finding's subject: "Kaspersky (RU, antivirus)", "Shenzhen … (CN, publisher)".
std::string subject_heading(const policy::VerdictSubject& s) {
  return elide_middle(terminal_safe(s.name), 30) + " (" + s.country.value_or("-") + ", " +
         (s.publisher() ? std::string("publisher") : s.category) + ")";
}

/// The file's signature status as verify decided it; "cat:" when a catalog stands for it.
std::string signature(const FileRecord& r) {
  const verify::Signature* primary = r.primary_signature();
  const std::string status(to_string(r.signature.status));
  return primary && primary->source == verify::SignatureSource::Catalog ? "cat:" + status : status;
}

std::string counts(const std::map<std::string, std::uint64_t>& m) {
  std::string out;
  for (const auto& [k, v] : m) out += (out.empty() ? "" : ", ") + std::to_string(v) + " " + k;
  return out.empty() ? "none" : out;
}

/// The evidence lines of a finding: what names its subject, and why a claim is one.
void write_finding_evidence(const FileRecord& r, std::ostream& out) {
  const policy::VerdictSubject& subject = r.verdict->subject;
  std::string why;
  static const attribute::Attribution kNoEvidence;  // a trust finding may have no vendor evidence
  const attribute::Attribution& a = r.attribution ? *r.attribution : kNoEvidence;
  for (const auto& e : a.evidence)
    if (e.vendor == subject.vendor_id)  // the list's spelling is shorter than a full DN and says what matched
      why += (why.empty() ? "" : "; ") + std::string(attribute::to_string(e.kind)) +
             (e.note.find("nested") != std::string::npos ? " (nested)" : "") + " '" +
             (!e.matched.empty() ? e.matched : e.vendor.empty() ? subject.name : e.value) + "' " +
             std::string(attribute::to_string(e.tier));
  if (!why.empty()) out << "    evidence: " << elide_middle(terminal_safe(why), 84) << '\n';
  if (!subject.note.empty()) {
    const std::string label(policy::to_string(subject.basis));  // claim, contradicted, verified
    out << "    " << label << ": " << elide_middle(terminal_safe(subject.note), 94 - label.size()) << '\n';
  }
  for (const auto& sv : a.signing_services)
    out << "    signing service: " << elide_middle(terminal_safe(sv.name), 60) << " (" << attribute::to_string(sv.tier)
        << ")\n";
}

/// Findings grouped by vendor, the most severe vendor first: what the operator acts on.
void write_findings(const pipeline::ScanResult& result, std::ostream& out) {
  std::map<std::string, std::vector<const FileRecord*>> by_vendor;
  for (const auto& r : result.records)
    if (r.verdict && r.verdict->flagged()) by_vendor[subject_key(r.verdict->subject)].push_back(&r);
  const pipeline::ScanSummary& s = result.summary;
  out << "FINDINGS (" << s.findings << (s.suppressed ? ", " + std::to_string(s.suppressed) + " suppressed" : "")
      << ")  policy: " << elide_middle(terminal_safe(result.policy_name), 60) << '\n';
  out << "  known-bad: " << policy::describe(result.known_bad_policy) << '\n';
  if (by_vendor.empty()) {
    out << "  none: no kernel- or boot-privileged software from a flagged vendor\n";
    return;
  }
  std::vector<std::pair<std::string, std::vector<const FileRecord*>>> groups(by_vendor.begin(), by_vendor.end());
  auto worst = [](const auto& g) {
    policy::Severity w = policy::Severity::Low;
    for (const FileRecord* r : g.second) w = std::max(w, r->verdict->severity);
    return w;
  };
  std::ranges::stable_sort(groups, [&](const auto& a, const auto& b) { return worst(a) > worst(b); });
  for (auto& [key, records] : groups) {
    const policy::VerdictSubject& subject = records.front()->verdict->subject;
    const policy::MatchedRule& rule = records.front()->verdict->rules.front();
    std::string head = subject_heading(subject) + "  rule " + rule.rule_id + ": ";
    std::size_t used = 0;
    for (unsigned char ch : head) used += (ch & 0xc0) != 0x80;
    out << "\n" << head << elide_middle(terminal_safe(rule.reason), used < 90 ? 100 - used : 10) << '\n';
    out << "  " << pad("SEVERITY", 9) << pad("PRIV", 8) << pad("TYPE", 14) << pad("SIGNATURE", 11) << pad("CONF", 7)
        << "PATH\n";
    for (const FileRecord* r : records) {
      std::string severity(policy::to_string(r->verdict->severity));
      if (r->verdict->suppressed()) severity = "suppr.";
      std::string privilege = r->binary ? std::string(to_string(*r->privilege())) : "unknown";
      std::string type = r->binary ? std::string(to_string(r->classification.type)) : "unknown";
      out << "  " << pad(severity, 9) << pad(privilege, 8) << pad(type, 14) << pad(signature(*r), 11)
          << pad(std::string(to_string(r->verdict->subject.confidence)), 7)
          << elide_middle(terminal_safe(r->file.path), 49) << '\n';
      write_finding_evidence(*r, out);
      if (r->image)
        out << "    image: " << elide_middle(terminal_safe(image::describe(r->image->volume)), 75)  // path names the image
            << (r->file.deleted ? ", deleted file" : "") << '\n';
      if (r->windows)
        for (const auto& sv : r->windows->services)
          out << "    registered: " << elide_middle(terminal_safe(sv.name), 30) << " (" << windows::to_string(sv.type)
              << ", " << windows::to_string(sv.start) << " start)  " << elide_middle(terminal_safe(r->windows->path), 40)
              << '\n';
      for (const auto& c : r->attribution ? r->attribution->contradictions : std::vector<std::string>{})
        out << "    contradiction: " << elide_middle(terminal_safe(c), 79) << '\n';
    }
  }
}

/// Files that a known-bad driver feed lists (issue 17), findings first: a listed driver that runs
/// in the kernel or at boot is a finding whatever its vendor (docs/policy.md).
void write_known_bad(const pipeline::ScanResult& result, std::ostream& out) {
  std::vector<const FileRecord*> listed;
  for (const auto& r : result.records)
    if (!r.known_bad.empty()) listed.push_back(&r);
  if (listed.empty()) return;
  auto rank = [](const FileRecord* r) {
    return r->known_bad_severity ? 1 + static_cast<int>(*r->known_bad_severity) : 0;
  };
  std::ranges::stable_sort(listed, [&](const FileRecord* a, const FileRecord* b) { return rank(a) > rank(b); });
  out << "\nKNOWN-BAD DRIVERS (" << listed.size() << ", " << result.summary.known_bad_findings << " findings)\n";
  out << "  " << pad("SEVERITY", 9) << pad("PRIV", 8) << pad("TYPE", 14) << pad("SIGNATURE", 11) << "PATH\n";
  for (const FileRecord* r : listed) {
    std::string severity = r->known_bad_severity ? std::string(policy::to_string(*r->known_bad_severity)) : "-";
    std::string privilege = r->binary ? std::string(to_string(*r->privilege())) : "unknown";
    std::string type = r->binary ? std::string(to_string(r->classification.type)) : "unknown";
    out << "  " << pad(severity, 9) << pad(privilege, 8) << pad(type, 14) << pad(signature(*r), 11)
        << elide_middle(terminal_safe(r->file.path), 56) << '\n';
    for (const match::KnownBadMatch& m : r->known_bad) {
      out << "    " << m.source << " " << elide_middle(terminal_safe(m.id), 40) << " ("
          << datasets::to_string(m.category) << ") " << elide_middle(terminal_safe(m.name), 30) << " by "
          << datasets::to_string(m.kind) << '\n';
      if (!m.suppressed_by.empty())
        out << "      suppressed by " << elide_middle(terminal_safe(m.suppressed_by), 30) << ": "
            << elide_middle(terminal_safe(m.suppression_reason), 50) << '\n';
    }
  }
}

/// The line under a kernel-mode PE's row: would Windows load it, and on what ground (the reason
/// does not fit the table's 100 columns: the JSON report has it).
std::string kernel_load_line(const verify::KernelLoadDecision& k) {
  return "       windows kernel load: " + std::string(to_string(k.value)) + " (" + std::string(to_string(k.basis)) +
         ")\n";
}

/// "MD5 a1b2..., SHA-1 c3d4..." (the digests known).
std::string media_hashes_line(const image::MediaHashes& h) {
  std::string out;
  if (!h.md5.empty()) out += "MD5 " + h.md5;
  if (!h.sha1.empty()) out += (out.empty() ? "SHA-1 " : ", SHA-1 ") + h.sha1;
  return out;
}

/// One paragraph per disk image file: format, volumes, what was scanned (issue 10).
void write_images(const pipeline::ScanResult& result, std::ostream& out) {
  for (const image::ImageInfo& info : result.images) {
    char size[32];
    std::snprintf(size, sizeof size, "%.1f MiB", static_cast<double>(info.size) / (1024.0 * 1024.0));
    out << "DISK IMAGE " << elide_middle(terminal_safe(info.path), 50) << ": " << info.format << ", " << size << ", "
        << (info.volume_system.empty() ? "no partition table" : info.volume_system + " partition table") << '\n';
    for (std::size_t i = 0; i < info.sha256.size() && i < info.files.size(); ++i)
      if (!info.sha256[i].empty())
        out << "  sha256 " << info.sha256[i] << "  " << elide_middle(terminal_safe(info.files[i]), 20) << '\n';
    if (info.stored_hashes)  // issue 20: what the acquisition recorded, and whether the media still match
      out << "  stored at acquisition: " << media_hashes_line(*info.stored_hashes) << "; check: "
          << (info.hash_check.empty() ? "not done (--hash-image reads the media whole)" : info.hash_check) << '\n';
    for (const image::Volume& v : info.volumes) {
      std::string state = !v.selected ? "not selected (--partition)" : v.error ? "not readable" : "scanned";
      out << "  " << pad(elide_middle(terminal_safe(image::describe(v)), 70), 71) << state << '\n';
      if (v.selected && v.error) out << "    error: " << elide_middle(terminal_safe(v.error->message), 88) << '\n';
      for (const auto& w : v.warnings) out << "    warning: " << elide_middle(terminal_safe(w), 86) << '\n';
    }
    for (const Error& e : info.errors) out << "  error: " << elide_middle(terminal_safe(e.message), 90) << '\n';
  }
  if (!result.images.empty()) out << '\n';
}

/// How an image was recognised and which of its identifying parts it lacks (windows_probe.hpp).
std::string recognition(const pipeline::WindowsImage& image) {
  std::string line = "recognised by " + std::string(pipeline::part_label(image.parts.recognised_by()));
  if (image.depth > 0) line += ", " + std::to_string(image.depth) + (image.depth == 1 ? " level" : " levels") + " down";
  const char* sep = "; missing: ";
  for (std::string_view part : image.parts.missing()) {
    line += sep + std::string(pipeline::part_label(part));
    sep = ", ";
  }
  return line;
}

/// One paragraph per Windows image: what it is, its catalogs, and the registered files it lacks.
void write_windows(const pipeline::ScanResult& result, std::ostream& out) {
  if (!result.windows) return;
  for (const std::string& w : result.windows->probe_warnings)
    out << "WINDOWS PROBE: " << elide_middle(terminal_safe(w), 200) << '\n';
  const pipeline::CatalogSummary& c = result.catalog_summary;
  for (const auto& image : result.windows->images) {
    std::string what = "Windows";
    if (image.version) {
      const auto& v = *image.version;
      what = v.product_name.value_or("Windows");
      if (v.display_version) what += " " + *v.display_version;
      if (v.current_build) what += " (build " + *v.current_build + ")";
    }
    std::size_t drivers = 0;
    for (const auto& reg : image.services) drivers += windows::is_driver(reg.service.type);
    out << "WINDOWS IMAGE " << elide_middle(terminal_safe(image.path), 40) << ": " << terminal_safe(what)
        << ", computer " << terminal_safe(image.computer_name.value_or("?")) << '\n';
    out << "  " << image.services.size() << " services (" << drivers << " drivers) in "
        << terminal_safe(image.control_set.value_or("?")) << ", " << image.catalog_files << " catalogs in CatRoot\n";
    out << "  " << recognition(image) << '\n';
    for (const auto& [store, count] : image.trust.counts())
      out << "  certificate store " << elide_middle(terminal_safe(store), 70) << ": " << count << '\n';
    for (const auto& e : image.errors) out << "  error: " << elide_middle(terminal_safe(e), 90) << '\n';
    std::vector<const pipeline::RegisteredService*> missing;
    for (const auto& reg : image.services)
      if (reg.file_status == pipeline::ServiceFileStatus::Missing) missing.push_back(&reg);
    if (missing.empty()) continue;
    out << "  REGISTERED, FILE MISSING (" << missing.size() << ")\n";
    for (std::size_t i = 0; i < missing.size() && i < kMaxRows; ++i) {
      const auto& reg = *missing[i];
      out << "    " << pad(std::string(windows::to_string(reg.service.start)), 9)
          << pad(std::string(windows::to_string(reg.service.type)), 19)
          << pad(elide_middle(terminal_safe(reg.service.name), 20), 21)
          << elide_middle(terminal_safe(reg.resolved ? reg.resolved->windows_form : ""), 47) << '\n';
    }
  }
  if (c.files || !c.errors.empty()) {
    out << "CATALOGS: " << c.files << " loaded (" << counts(c.by_status) << "), " << c.members << " member hashes, "
        << result.summary.catalog_signed << " files listed in them";
    if (!c.errors.empty()) out << ", " << c.errors.size() << " unreadable";
    out << '\n';
    for (std::size_t i = 0; i < c.not_trusted.size() && i < kMaxRows; ++i)
      out << "  " << pad(std::string(to_string(c.not_trusted[i]->signature.status)), 10)
          << elide_middle(terminal_safe(c.not_trusted[i]->path), 88) << '\n';
  }
  out << '\n';
}

/// One line: the Authenticode anchor sets and when the data sets they came from were imported
/// (the JSON report has the provenance; docs/datasets.md).
void write_trust(const pipeline::ScanResult& result, std::ostream& out) {
  std::string sets;
  for (const auto& a : result.anchor_sets) {
    std::string what = std::to_string(a.anchors);
    for (const auto& d : result.datasets)
      if (d.name == a.name) what += ", imported " + d.imported_at.substr(0, 10);
    if (a.name == "trustscan-builtin") what += ", no root program imported";
    sets += (sets.empty() ? "" : ", ") + terminal_safe(a.name) + " (" + terminal_safe(what) + ")";
  }
  out << "trust anchors: " << elide_middle(sets, 85) << '\n';
}

}  // namespace

void write_table(const pipeline::ScanResult& result, const RunInfo& run, std::ostream& out) {
  if (run.baseline) return write_baseline_table(result, run, out);  // only the changes (baseline.cpp)
  const pipeline::ScanSummary& s = result.summary;
  std::string roots;
  for (const auto& r : result.options.roots) roots += (roots.empty() ? "" : ", ") + terminal_safe(r);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(result.finished - result.started).count();
  char secs[32];
  std::snprintf(secs, sizeof secs, "%.1f s", static_cast<double>(ms) / 1000.0);
  out << "trustscan " << run.tool_version << " on " << elide_middle(terminal_safe(run.hostname), 40) << ", "
      << secs << ", " << result.threads_used << " threads\n";
  out << "scanned: " << elide_middle(roots, 91) << '\n';
  out << s.files_seen << " files, " << s.binaries << " binaries (" << counts(s.by_format) << "), "
      << s.non_binaries << " other files, " << s.error_count << " with errors\n";
  if (s.error_count)  // issue 20: only what could not be read makes the exit 3
    out << "errors: " << s.read_errors << " not read (exit 3), " << s.malformed_errors
        << " malformed (read, not what their format says)\n";
  out << "privilege: " << counts(s.by_privilege) << "; " << s.attributed << " attributed to a vendor\n";
  write_trust(result, out);
  if (!result.complete()) {
    out << "INCOMPLETE SCAN:";
    if (result.interrupted_by) {
      const char* name = sigabbrev_np(result.interrupted_by);
      out << " interrupted by SIG" << (name ? name : "?") << (result.walk_interrupted ? " while listing files" : "") << ";";
    }
    out << " " << s.files_not_scanned << " listed files not analysed\n";
  }
  if (s.files_timed_out) out << s.files_timed_out << " files abandoned after --file-timeout (see ERRORS)\n";
  if (s.cache)
    out << "cache: " << s.cache->hits << " files reused unread, " << s.cache->misses << " analysed ("
        << s.cache->invalidated << " of them had an outdated entry)\n";
  if (s.rules_skipped)
    out << "rules not run on " << s.rules_skipped
        << " in-tree kernel modules signed with their kernel's build key (--match-all)\n";
  out << '\n';
  write_images(result, out);
  write_windows(result, out);
  write_findings(result, out);
  write_known_bad(result, out);
  out << '\n';

  std::vector<const FileRecord*> privileged;
  for (const auto& r : result.records)
    if (r.binary && r.privilege() != Privilege::User) privileged.push_back(&r);
  out << "KERNEL- AND BOOT-PRIVILEGED BINARIES (" << privileged.size() << ")\n";
  if (!privileged.empty()) {
    out << pad("PRIV", 7) << pad("TYPE", 16) << pad("SIGNATURE", 12) << pad("VENDOR (CC) / SIGNER", 22) << "PATH\n";
    for (std::size_t i = 0; i < privileged.size() && i < kMaxRows; ++i) {
      const FileRecord& r = *privileged[i];
      out << pad(std::string(to_string(*r.privilege())), 7)
          << pad(std::string(to_string(r.classification.type)), 16) << pad(signature(r), 12)
          << pad(vendor_column(r, 21), 22) << elide_middle(terminal_safe(r.file.path), kPathWidth)
          << '\n';
      if (r.kernel_load) out << kernel_load_line(*r.kernel_load);
    }
    if (privileged.size() > kMaxRows)
      out << "... and " << privileged.size() - kMaxRows << " more (see --format json)\n";
  }

  std::vector<std::pair<std::string, std::string>> problems;  // path, message
  for (const auto& r : result.records)
    for (const auto& e : r.errors) problems.emplace_back(r.file.path, e.stage + ": " + e.message);
  for (const auto& e : result.errors) problems.emplace_back(e.path, e.error.stage + ": " + e.error.message);
  out << "\nERRORS (" << problems.size() << ")\n";
  for (std::size_t i = 0; i < problems.size() && i < kMaxRows; ++i)
    out << "  " << elide_middle(terminal_safe(problems[i].first), 46) << "  "
        << elide_middle(terminal_safe(problems[i].second), 50) << '\n';
  if (problems.size() > kMaxRows) out << "  ... and " << problems.size() - kMaxRows << " more\n";

  if (!result.suppressions.empty()) {
    out << "\nSUPPRESSIONS (" << result.suppressions.size() << ")\n";
    for (const auto& sp : result.suppressions)
      out << "  " << pad(std::string(policy::to_string(sp.state)), 8) << pad(std::to_string(sp.uses) + " uses", 9)
          << elide_middle(terminal_safe(sp.id), 30) << "  " << elide_middle(terminal_safe(sp.reason), 48) << '\n';
  }
  out << "\nSKIPPED: " << counts(s.skipped) << '\n';
  if (!s.image_entries.empty()) out << "IN IMAGES, NOT FILES TO SCAN: " << counts(s.image_entries) << '\n';
  std::size_t listed = 0;
  for (const auto& sk : result.skipped) {
    if (++listed > kMaxRows) {
      out << "  ... and " << result.skipped.size() - kMaxRows << " more\n";
      break;
    }
    out << "  " << pad(std::string(discover::to_string(sk.reason)), 14) << elide_middle(terminal_safe(sk.path), 40)
        << "  " << elide_middle(terminal_safe(sk.detail), 42) << '\n';
  }
}

}  // namespace trustscan::report
