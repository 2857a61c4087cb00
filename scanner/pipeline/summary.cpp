#include "pipeline/summary.hpp"

#include <algorithm>

#include "core/error_kind.hpp"

namespace trustscan::pipeline {
namespace {

bool any_read_error(std::span<const Error> errors) {
  return std::ranges::any_of(errors, [](const Error& e) { return kind_of(e.code) == ErrorKind::Read; });
}

}  // namespace

void count_record(ScanSummary& s, const record::FileRecord& rec) {
  ++s.binaries;
  s.bytes_scanned += rec.file.size;
  ++s.by_format[std::string(to_string(rec.format))];
  if (!rec.errors.empty()) {
    ++s.error_count;
    ++(any_read_error(rec.errors) ? s.read_errors : s.malformed_errors);
  }
  if (rec.attribution && rec.attribution->attributed()) ++s.attributed;
  if (!rec.catalog_signatures.empty()) ++s.catalog_signed;
  if (rec.rules_skipped) ++s.rules_skipped;
  if (rec.verdict && rec.verdict->finding()) {
    ++s.findings;
    ++s.findings_by_severity[std::string(policy::to_string(rec.verdict->severity))];
  }
  if (rec.verdict && rec.verdict->suppressed()) ++s.suppressed;
  if (!rec.known_bad.empty()) ++s.known_bad;
  if (rec.known_bad_severity) ++s.known_bad_findings;
  if (const std::optional<Privilege> privilege = rec.privilege()) {
    ++s.by_privilege[std::string(to_string(*privilege))];
    ++s.by_type[std::string(to_string(rec.classification.type))];
    if (*privilege == Privilege::Kernel) ++s.kernel_by_signature[std::string(verify::to_string(rec.signature.status))];
  }
}

void summarise(ScanResult& r, const discover::WalkResult& walk, std::span<const discover::FileRef> files,
               std::uint64_t non_binaries, const PoolReport& pool) {
  ScanSummary& s = r.summary;
  s.directories = walk.directories;
  s.image_entries = walk.image_entry_counts;
  s.empty_files = walk.empty_files;
  s.files_scanned = files.size() - pool.not_started;
  s.files_seen = files.size() + walk.empty_files;
  if (auto it = walk.skip_counts.find("too_large"); it != walk.skip_counts.end()) s.files_seen += it->second;
  s.non_binaries = non_binaries;
  s.skipped = walk.skip_counts;
  if (non_binaries) s.skipped["not_binary"] = non_binaries;
  s.files_not_scanned = pool.not_started;
  // Stopped at their deadline, or (CLI last resort) abandoned: each is a Timeout error on its path.
  s.files_timed_out = static_cast<std::uint64_t>(std::ranges::count_if(
      r.errors, [](const discover::PathError& e) { return e.error.code == Errc::Timeout && e.path != "(scan)"; }));
  s.error_count += r.errors.size();
  for (const discover::PathError& e : r.errors)
    ++(kind_of(e.error.code) == ErrorKind::Read ? s.read_errors : s.malformed_errors);
}

}  // namespace trustscan::pipeline
