// The human-readable summary (issue 20): at the width the app chose (RunInfo::table), nothing cut —
// paths are kept whole on continuation lines, reasons and messages wrap at spaces (text_layout.hpp).
// Every string from a scanned file is terminal_safe.
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <iterator>
#include <ostream>
#include <string>
#include <map>
#include <utility>
#include <vector>

#include "report/baseline_impl.hpp"
#include "report/report.hpp"
#include "report/signature_json.hpp"
#include "report/text.hpp"
#include "report/text_layout.hpp"

namespace trustscan::report {
namespace {

using record::FileRecord;

/// How many of `total` rows a section lists (--limit).
std::size_t shown(std::size_t total, const TableOptions& t) { return t.limit ? std::min(total, *t.limit) : total; }

/// The line after a section cut by --limit: how many rows were left out.
void write_left_out(TextOut& out, std::size_t indent, std::size_t total, const TableOptions& t) {
  if (shown(total, t) < total)
    out.prose(indent, "",
              "... " + std::to_string(total - shown(total, t)) + " more not shown (--limit " +
                  std::to_string(*t.limit) + "; the JSON report lists them all)");
}

/// The VENDOR and COUNTRY cells: the attributed vendor or publisher and its country of
/// jurisdiction, "-" for what is not known.
std::pair<std::string, std::string> vendor_cells(const FileRecord& r) {
  if (!r.attribution || !r.attribution->attributed()) return {"-", "-"};
  const attribute::Attribution& a = *r.attribution;
  return {a.name.empty() ? "-" : terminal_safe(a.name), terminal_safe(a.country.value_or("-"))};
}

/// Whom a finding is about, for grouping: the vendor id, or the unlisted publisher's name.
std::string subject_key(const policy::VerdictSubject& s) { return s.publisher() ? "publisher:" + s.name : s.vendor_id; }

/// The group heading of a finding's subject: "Kaspersky (RU, antivirus)", "Shenzhen … (CN, publisher)".
std::string subject_heading(const policy::VerdictSubject& s) {
  return terminal_safe(s.name) + " (" + terminal_safe(s.country.value_or("-")) + ", " +
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
void write_finding_evidence(const FileRecord& r, TextOut& out) {
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
  if (!why.empty()) out.prose(4, "evidence: ", terminal_safe(why));
  if (!subject.note.empty())  // claim, contradicted, verified
    out.prose(4, std::string(policy::to_string(subject.basis)) + ": ", terminal_safe(subject.note));
  for (const auto& sv : a.signing_services)
    out.prose(4, "signing service: ", terminal_safe(sv.name) + " (" + std::string(attribute::to_string(sv.tier)) + ")");
}

/// The row cells every listing of binaries starts with: privilege, type, signature.
std::vector<std::string> binary_cells(const FileRecord& r) {
  return {r.binary ? std::string(to_string(*r.privilege())) : "unknown",
          r.binary ? std::string(to_string(r.classification.type)) : "unknown", signature(r)};
}

/// The line under a kernel-mode PE's row: would Windows load it, on what ground, and (under a
/// finding, with its evidence) why; the JSON report always has the reason.
void write_kernel_load(const verify::KernelLoadDecision& k, std::size_t indent, bool why, TextOut& out) {
  out.prose(indent, "windows kernel load: ",
            std::string(to_string(k.value)) + " (" + std::string(to_string(k.basis)) + ")" +
                (why && !k.reason.empty() ? ": " + terminal_safe(k.reason) : ""));
}

/// What stands under a finding's row: evidence, image, registration, contradictions, kernel load.
void write_finding_details(const FileRecord& r, TextOut& out) {
  write_finding_evidence(r, out);
  if (r.image)
    out.prose(4, "image: ", terminal_safe(image::describe(r.image->volume)) + (r.file.deleted ? ", deleted file" : ""));
  if (r.windows)
    for (const auto& sv : r.windows->services)
      out.prose(4, "registered: ",
                terminal_safe(sv.name) + " (" + std::string(windows::to_string(sv.type)) + ", " +
                    std::string(windows::to_string(sv.start)) + " start)  " + terminal_safe(r.windows->path));
  for (const auto& c : r.attribution ? r.attribution->contradictions : std::vector<std::string>{})
    out.prose(4, "contradiction: ", terminal_safe(c));
  if (r.kernel_load) write_kernel_load(*r.kernel_load, 4, true, out);
}

/// Findings grouped by vendor, the most severe vendor first: what the operator acts on. Always
/// every one of them (--limit does not apply).
void write_findings(const pipeline::ScanResult& result, TextOut& out) {
  std::map<std::string, std::vector<const FileRecord*>> by_vendor;
  for (const auto& r : result.records)
    if (r.verdict && r.verdict->flagged()) by_vendor[subject_key(r.verdict->subject)].push_back(&r);
  const pipeline::ScanSummary& s = result.summary;
  out.prose(0,
            "FINDINGS (" + std::to_string(s.findings) +
                (s.suppressed ? ", " + std::to_string(s.suppressed) + " suppressed" : "") + ")  policy: ",
            terminal_safe(result.policy_name));
  out.prose(2, "known-bad: ", policy::describe(result.known_bad_policy));
  if (by_vendor.empty()) return out.prose(2, "", "none: no kernel- or boot-privileged software from a flagged vendor");
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
    out.blank();
    out.prose(0, subject_heading(subject) + "  rule " + terminal_safe(rule.rule_id) + ": ", terminal_safe(rule.reason));
    RowTable rows(2, {"SEVERITY", "PRIV", "TYPE", "SIGNATURE", "CONF"});
    for (const FileRecord* r : records) {
      std::vector<std::string> cells{r->verdict->suppressed() ? "suppr."
                                                              : std::string(policy::to_string(r->verdict->severity))};
      std::ranges::move(binary_cells(*r), std::back_inserter(cells));
      cells.emplace_back(to_string(r->verdict->subject.confidence));
      rows.add(std::move(cells), terminal_safe(r->file.path));
    }
    rows.write_header(out);
    for (std::size_t i = 0; i < records.size(); ++i) {
      rows.write_row(out, i);
      write_finding_details(*records[i], out);
    }
  }
}

/// Files that a known-bad driver feed lists (issue 17), findings first: a listed driver that runs
/// in the kernel or at boot is a finding whatever its vendor (docs/policy.md).
void write_known_bad(const pipeline::ScanResult& result, TextOut& out) {
  std::vector<const FileRecord*> listed;
  for (const auto& r : result.records)
    if (!r.known_bad.empty()) listed.push_back(&r);
  if (listed.empty()) return;
  auto rank = [](const FileRecord* r) {
    return r->known_bad_severity ? 1 + static_cast<int>(*r->known_bad_severity) : 0;
  };
  std::ranges::stable_sort(listed, [&](const FileRecord* a, const FileRecord* b) { return rank(a) > rank(b); });
  out.blank();
  out.line("KNOWN-BAD DRIVERS (" + std::to_string(listed.size()) + ", " +
           std::to_string(result.summary.known_bad_findings) + " findings)");
  RowTable rows(2, {"SEVERITY", "PRIV", "TYPE", "SIGNATURE"});
  for (const FileRecord* r : listed) {
    std::vector<std::string> cells{r->known_bad_severity ? std::string(policy::to_string(*r->known_bad_severity))
                                                         : "-"};
    std::ranges::move(binary_cells(*r), std::back_inserter(cells));
    rows.add(std::move(cells), terminal_safe(r->file.path));
  }
  rows.write_header(out);
  for (std::size_t i = 0; i < listed.size(); ++i) {
    rows.write_row(out, i);
    for (const match::KnownBadMatch& m : listed[i]->known_bad) {
      out.prose(4, m.source + " ",
                terminal_safe(m.id) + " (" + std::string(datasets::to_string(m.category)) + ") " +
                    terminal_safe(m.name) + " by " + std::string(datasets::to_string(m.kind)));
      if (!m.suppressed_by.empty())
        out.prose(6, "suppressed by " + terminal_safe(m.suppressed_by) + ": ", terminal_safe(m.suppression_reason));
    }
  }
}

/// "MD5 a1b2..., SHA-1 c3d4..." (the digests known).
std::string media_hashes_line(const image::MediaHashes& h) {
  std::string out;
  if (!h.md5.empty()) out += "MD5 " + h.md5;
  if (!h.sha1.empty()) out += (out.empty() ? "SHA-1 " : ", SHA-1 ") + h.sha1;
  return out;
}

/// One paragraph per disk image file: format, volumes, what was scanned (issue 10).
void write_images(const pipeline::ScanResult& result, TextOut& out) {
  for (const image::ImageInfo& info : result.images) {
    char size[32];
    std::snprintf(size, sizeof size, "%.1f MiB", static_cast<double>(info.size) / (1024.0 * 1024.0));
    out.item(0, "DISK IMAGE ", terminal_safe(info.path) + ":",
             info.format + ", " + size + ", " +
                 (info.volume_system.empty() ? "no partition table" : info.volume_system + " partition table"),
             " ");
    for (std::size_t i = 0; i < info.sha256.size() && i < info.files.size(); ++i)
      if (!info.sha256[i].empty()) out.item(2, "sha256 " + info.sha256[i] + "  ", terminal_safe(info.files[i]), "");
    if (info.stored_hashes)  // issue 20: what the acquisition recorded, and whether the media still match
      out.prose(2, "stored at acquisition: ",
                media_hashes_line(*info.stored_hashes) + "; check: " +
                    (info.hash_check.empty() ? "not done (--hash-image reads the media whole)" : info.hash_check));
    for (const image::Volume& v : info.volumes) {
      std::string state = !v.selected ? "not selected (--partition)" : v.error ? "not readable" : "scanned";
      out.item(2, "", terminal_safe(image::describe(v)), state);
      if (v.selected && v.error) out.prose(4, "error: ", terminal_safe(v.error->message));
      for (const auto& w : v.warnings) out.prose(4, "warning: ", terminal_safe(w));
    }
    for (const Error& e : info.errors) out.prose(2, "error: ", terminal_safe(e.message));
  }
  if (!result.images.empty()) out.blank();
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

/// A Windows image's registered services whose file is missing.
void write_missing_services(const pipeline::WindowsImage& image, const TableOptions& t, TextOut& out) {
  std::vector<const pipeline::RegisteredService*> missing;
  for (const auto& reg : image.services)
    if (reg.file_status == pipeline::ServiceFileStatus::Missing) missing.push_back(&reg);
  if (missing.empty()) return;
  out.line("  REGISTERED, FILE MISSING (" + std::to_string(missing.size()) + ")");
  RowTable rows(4, {"START", "TYPE", "SERVICE"}, "REGISTERED PATH");
  for (const auto* reg : missing)
    rows.add({std::string(windows::to_string(reg->service.start)), std::string(windows::to_string(reg->service.type)),
              terminal_safe(reg->service.name)},
             terminal_safe(reg->resolved ? reg->resolved->windows_form : ""));
  rows.write_header(out);
  for (std::size_t i = 0; i < shown(missing.size(), t); ++i) rows.write_row(out, i);
  write_left_out(out, 4, missing.size(), t);
}

/// The catalogs line, and the catalogs that are not trusted.
void write_catalogs(const pipeline::ScanResult& result, const TableOptions& t, TextOut& out) {
  const pipeline::CatalogSummary& c = result.catalog_summary;
  if (!c.files && c.errors.empty()) return;
  out.prose(0, "CATALOGS: ",
            std::to_string(c.files) + " loaded (" + counts(c.by_status) + "), " + std::to_string(c.members) +
                " member hashes, " + std::to_string(result.summary.catalog_signed) + " files listed in them" +
                (c.errors.empty() ? "" : ", " + std::to_string(c.errors.size()) + " unreadable"));
  for (std::size_t i = 0; i < shown(c.not_trusted.size(), t); ++i)
    out.item(2, std::string(to_string(c.not_trusted[i]->signature.status)) + "  ",
             terminal_safe(c.not_trusted[i]->path), "");
  write_left_out(out, 2, c.not_trusted.size(), t);
}

/// One paragraph per Windows image: what it is, its catalogs, and the registered files it lacks.
void write_windows(const pipeline::ScanResult& result, const TableOptions& t, TextOut& out) {
  if (!result.windows) return;
  for (const std::string& w : result.windows->probe_warnings) out.prose(0, "WINDOWS PROBE: ", terminal_safe(w));
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
    out.item(0, "WINDOWS IMAGE ", terminal_safe(image.path) + ":",
             terminal_safe(what) + ", computer " + terminal_safe(image.computer_name.value_or("?")), " ");
    out.prose(2, "",
              std::to_string(image.services.size()) + " services (" + std::to_string(drivers) + " drivers) in " +
                  terminal_safe(image.control_set.value_or("?")) + ", " + std::to_string(image.catalog_files) +
                  " catalogs in CatRoot");
    out.prose(2, "", recognition(image));
    for (const auto& [store, count] : image.trust.counts())
      out.prose(2, "certificate store ", terminal_safe(store) + ": " + std::to_string(count));
    for (const auto& e : image.errors) out.prose(2, "error: ", terminal_safe(e));
    write_missing_services(image, t, out);
  }
  write_catalogs(result, t, out);
  out.blank();
}

/// One line: the Authenticode anchor sets and when the data sets they came from were imported
/// (the JSON report has the provenance; docs/datasets.md).
void write_trust(const pipeline::ScanResult& result, TextOut& out) {
  std::string sets;
  for (const auto& a : result.anchor_sets) {
    std::string what = std::to_string(a.anchors);
    for (const auto& d : result.datasets)
      if (d.name == a.name) what += ", imported " + d.imported_at.substr(0, 10);
    if (a.name == "trustscan-builtin") what += ", no root program imported";
    sets += (sets.empty() ? "" : ", ") + terminal_safe(a.name) + " (" + terminal_safe(what) + ")";
  }
  out.prose(0, "trust anchors: ", sets);
}

/// The header and the summary: what was scanned, how, and what it holds.
void write_summary(const pipeline::ScanResult& result, const RunInfo& run, TextOut& out) {
  const pipeline::ScanSummary& s = result.summary;
  const std::string secs = seconds_text(result.finished - result.started);
  out.prose(0, "trustscan " + run.tool_version + " on ",
            terminal_safe(run.hostname) + ", " + secs + ", " + std::to_string(result.threads_used) + " threads");
  for (std::size_t i = 0; i < result.options.roots.size(); ++i)
    out.item(0, i == 0 ? "scanned: " : "         ", terminal_safe(result.options.roots[i]), "");
  out.prose(0, "",
            std::to_string(s.files_seen) + " files, " + std::to_string(s.binaries) + " binaries (" +
                counts(s.by_format) + "), " + std::to_string(s.non_binaries) + " other files, " +
                std::to_string(s.error_count) + " with errors");
  if (s.error_count)  // issue 20: only what could not be read makes the exit 3
    out.prose(0, "errors: ",
              std::to_string(s.read_errors) + " not read (exit 3), " + std::to_string(s.malformed_errors) +
                  " malformed (read, not what their format says)");
  out.prose(0, "privilege: ", counts(s.by_privilege) + "; " + std::to_string(s.attributed) + " attributed to a vendor");
  write_trust(result, out);
  for (const pipeline::LoadNote& n : result.load_notes)  // e.g. no module-signing keys (issue 20)
    out.prose(0, "note: ", terminal_safe(n.message) + (n.path.empty() ? "" : " (" + terminal_safe(n.path) + ")"));
  if (!result.complete()) {
    std::string why;
    if (result.interrupted_by) {
      const char* name = sigabbrev_np(result.interrupted_by);
      why = " interrupted by SIG" + std::string(name ? name : "?") +
            (result.walk_interrupted ? " while listing files" : "") + ";";
    }
    out.prose(0, "INCOMPLETE SCAN:", why + " " + std::to_string(s.files_not_scanned) + " listed files not analysed");
  }
  if (s.files_timed_out)
    out.prose(0, "", std::to_string(s.files_timed_out) + " files stopped at --file-timeout (see ERRORS)");
  if (s.cache)
    out.prose(0, "cache: ",
              std::to_string(s.cache->hits) + " files reused unread, " + std::to_string(s.cache->misses) +
                  " analysed (" + std::to_string(s.cache->invalidated) + " of them had an outdated entry)");
  if (s.rules_skipped)
    out.prose(0, "",
              "rules not run on " + std::to_string(s.rules_skipped) +
                  " in-tree kernel modules signed with their kernel's build key (--match-all)");
}

/// The kernel- and boot-privileged binaries not listed under FINDINGS, with their vendor.
void write_privileged(const pipeline::ScanResult& result, const TableOptions& t, TextOut& out) {
  std::vector<const FileRecord*> privileged;
  std::size_t findings = 0;
  for (const auto& r : result.records) {
    if (!r.binary || r.privilege() == Privilege::User) continue;
    if (r.verdict && r.verdict->flagged())
      ++findings;  // listed with their evidence above
    else
      privileged.push_back(&r);
  }
  out.line("KERNEL- AND BOOT-PRIVILEGED BINARIES (" + std::to_string(privileged.size() + findings) +
           (findings ? ", " + std::to_string(findings) + " of them under FINDINGS" : "") + ")");
  if (privileged.empty()) return;
  RowTable rows(0, {"PRIV", "TYPE", "SIGNATURE", "VENDOR", "COUNTRY"});
  for (std::size_t i = 0; i < shown(privileged.size(), t); ++i) {
    std::vector<std::string> cells = binary_cells(*privileged[i]);
    auto [vendor, country] = vendor_cells(*privileged[i]);
    cells.push_back(std::move(vendor));
    cells.push_back(std::move(country));
    rows.add(std::move(cells), terminal_safe(privileged[i]->file.path));
  }
  rows.write_header(out);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    rows.write_row(out, i);
    if (privileged[i]->kernel_load) write_kernel_load(*privileged[i]->kernel_load, 7, false, out);
  }
  write_left_out(out, 0, privileged.size(), t);
}

/// Files that could not be read or analysed, and paths the walk could not open.
void write_errors(const pipeline::ScanResult& result, const TableOptions& t, TextOut& out) {
  std::vector<std::pair<std::string, std::string>> problems;  // path, message
  for (const auto& r : result.records)
    for (const auto& e : r.errors) problems.emplace_back(r.file.path, e.stage + ": " + e.message);
  for (const auto& e : result.errors) problems.emplace_back(e.path, e.error.stage + ": " + e.error.message);
  out.blank();
  out.line("ERRORS (" + std::to_string(problems.size()) + ")");
  for (std::size_t i = 0; i < shown(problems.size(), t); ++i)
    out.item(2, "", terminal_safe(problems[i].first), terminal_safe(problems[i].second));
  write_left_out(out, 2, problems.size(), t);
}

/// The suppressions of the policy and how often each was used.
void write_suppressions(const pipeline::ScanResult& result, TextOut& out) {
  if (result.suppressions.empty()) return;
  out.blank();
  out.line("SUPPRESSIONS (" + std::to_string(result.suppressions.size()) + ")");
  RowTable rows(2, {"STATE", "USES", "ID"}, "");  // the reason below each row
  for (const auto& sp : result.suppressions)
    rows.add({std::string(policy::to_string(sp.state)), std::to_string(sp.uses) + " uses", terminal_safe(sp.id)}, "");
  rows.write_header(out);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    rows.write_row(out, i);
    out.prose(4, "", terminal_safe(result.suppressions[i].reason));
  }
}

/// What the walk did not scan, and why.
void write_skipped(const pipeline::ScanResult& result, const TableOptions& t, TextOut& out) {
  const pipeline::ScanSummary& s = result.summary;
  out.blank();
  out.prose(0, "SKIPPED: ", counts(s.skipped));
  if (!s.image_entries.empty()) out.prose(0, "IN IMAGES, NOT FILES TO SCAN: ", counts(s.image_entries));
  for (std::size_t i = 0; i < shown(result.skipped.size(), t); ++i) {
    const auto& sk = result.skipped[i];
    std::string reason(discover::to_string(sk.reason));
    reason.resize(std::max<std::size_t>(reason.size() + 2, 14), ' ');
    out.item(2, reason, terminal_safe(sk.path), terminal_safe(sk.detail));
  }
  write_left_out(out, 2, result.skipped.size(), t);
}

}  // namespace

void write_table(const pipeline::ScanResult& result, const RunInfo& run, std::ostream& stream) {
  if (run.baseline) return write_baseline_table(result, run, stream);  // only the changes (baseline.cpp)
  const TableOptions& t = run.table;
  TextOut out(stream, t.width);
  write_summary(result, run, out);
  out.blank();
  if (!t.findings_only) {
    write_images(result, out);
    write_windows(result, t, out);
  }
  write_findings(result, out);
  write_known_bad(result, out);
  if (t.findings_only) return;
  out.blank();
  write_privileged(result, t, out);
  write_errors(result, t, out);
  write_suppressions(result, out);
  write_skipped(result, t, out);
}

}  // namespace trustscan::report
