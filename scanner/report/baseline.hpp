#pragma once
/// \file
/// Baselines (`--baseline PREVIOUS.json|.ndjson`): compare a scan with an earlier `--format json` (or ndjson) report
/// and report only what is new, changed or gone. Applied between policy and report: the app
/// loads the previous report before scanning (a bad file fails fast, exit 2), compares after the
/// scan, and hands the result to every writer through RunInfo::baseline. Semantics, the compared
/// fields and the exit code: docs/report-schema.md ("Baseline mode") and docs/siem.md.

#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "pipeline/pipeline.hpp"

namespace trustscan::report {

/// How a record differs from the previous report.
enum class BaselineChange { New, Changed, Gone };

[[nodiscard]] constexpr std::string_view to_string(BaselineChange c) noexcept {
  switch (c) {
    case BaselineChange::New: return "new";
    case BaselineChange::Changed: return "changed";
    case BaselineChange::Gone: break;
  }
  return "gone";
}

/// One compared field: its name in `trustscan.baseline.changes[].field` and what it is.
struct ComparedField {
  std::string_view name;
  std::string_view meaning;
};

/// Every field a `changed` record can differ in, in report order (the table lives in
/// baseline.cpp; add a row there to compare more).
[[nodiscard]] std::span<const ComparedField> compared_fields() noexcept;

/// A previous `--format json` report, loaded and checked. Cheap to copy (shared, immutable).
class Baseline {
 public:
  /// Reads `path`: a JSON report, or an NDJSON report (its file events and summary event; told
  /// apart by the first line), whose schema_version has the same major as kSchemaVersion, which
  /// is a full report (not itself written in baseline mode). Every other input (a --cache SQLite
  /// file among them) is an Errc::Config error whose message names the file and the problem.
  [[nodiscard]] static Result<Baseline> load(const std::string& path);

  /// Number of records in the previous report.
  [[nodiscard]] std::size_t records() const noexcept;

  struct Impl;
  [[nodiscard]] const Impl& impl() const noexcept { return *impl_; }

 private:
  friend class BaselineDiff;
  explicit Baseline(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<const Impl> impl_;
};

/// The comparison of one scan with a Baseline. Records are keyed by their scan root and path
/// below it (see docs/report-schema.md for how roots are paired).
class BaselineDiff {
 public:
  /// Compares every record of `current` with `previous` field by field (compared_fields()).
  [[nodiscard]] static BaselineDiff compare(const Baseline& previous, const pipeline::ScanResult& current);

  [[nodiscard]] std::size_t count(BaselineChange c) const noexcept;
  [[nodiscard]] std::size_t unchanged() const noexcept;
  /// How current record `index` (into ScanResult::records) changed; nullopt when unchanged.
  [[nodiscard]] std::optional<BaselineChange> change_of(std::size_t index) const noexcept;

  struct Impl;
  [[nodiscard]] const Impl& impl() const noexcept { return *impl_; }

 private:
  explicit BaselineDiff(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<const Impl> impl_;
};

}  // namespace trustscan::report
