#pragma once
/// \file
/// The engine behind every client (the CLI, libtrustscan's C API): configured once, then any
/// number of scans (issue 19). Everything that does not depend on what is scanned — rules,
/// anchors, vendors, policy, feeds — is loaded by Engine::load and shared read-only by all scans,
/// which may run at the same time from several threads on one Engine.
///
/// A scan hands each result to its Sink as soon as it is ready (from worker threads, one call at
/// a time), so a client never has to wait for the whole tree. It stops early when its `stop`
/// flag is set (a signal number, or any non-zero value for a plain cancel).

#include <atomic>
#include <functional>
#include <memory>

#include "core/error.hpp"
#include "discover/file_ref.hpp"
#include "pipeline/pipeline.hpp"
#include "record/file_record.hpp"

namespace trustscan::pipeline {

/// Receives a scan's results as they are ready. Calls come from the scan's threads but never two
/// at once; the objects passed are valid only during the call. Empty members are not called.
struct Sink {
  std::function<void(const record::FileRecord&)> record;  ///< a binary, fully analysed
  std::function<void(const discover::PathError&)> error;  ///< a path that could not be read
};

/// What one scan asks for beyond the engine's configuration.
struct ScanRequest {
  std::vector<std::string> roots;
  std::vector<std::string> excludes;
  bool one_file_system = false;
  bool include_network_fs = false;
  ImageOptions images;
  std::optional<std::filesystem::path> cache_file;
  std::function<void(const ScanProgress&)> progress{};
  /// Keep every record in ScanResult::records too (the CLI's reports need them all, sorted).
  /// false: records go only to the sink, and the result keeps counts and summary only.
  bool keep_records = true;
};

/// The request part of `options` (roots, excludes, file-system choices, images, cache, progress):
/// what Engine::scan of an engine loaded from the same options scans.
[[nodiscard]] ScanRequest request_of(const ScanOptions& options);

struct ScanStart;  // scan_run.hpp

class Engine {
 public:
  /// Loads what every scan shares from `settings.context`; `settings.limits`, `threads` and
  /// `file_timeout` are the defaults of every scan. The roots, excludes, cache, progress and stop
  /// of `settings` are ignored (they belong to each ScanRequest). Fails only on configuration
  /// errors (an unreadable trust store, a rule that does not compile, a bad policy). With
  /// `settings.context.rules_on_demand`, the rules are compiled by the first scan that needs them
  /// instead, and their errors end that scan before it starts (rules_on_demand.hpp).
  [[nodiscard]] static Result<std::shared_ptr<const Engine>> load(const ScanOptions& settings);

  /// Scans `request` with this engine's configuration. Thread-safe: several scans may run at
  /// once. `stop` (may be null): non-zero stops the scan early; the result is then incomplete.
  [[nodiscard]] Result<ScanResult> scan(const ScanRequest& request, const Sink& sink,
                                        const std::atomic<int>* stop = nullptr) const;

  [[nodiscard]] const ScanOptions& settings() const noexcept { return settings_; }

 private:
  friend Result<ScanResult> scan(const ScanOptions& options);
  /// scan() whose start (cache opened, roots walked: start_scan) is done already (null: done here).
  [[nodiscard]] Result<ScanResult> scan(const ScanRequest& request, const Sink& sink, const std::atomic<int>* stop,
                                        ScanStart* started) const;

  Engine(ScanOptions settings, std::shared_ptr<const SharedContext> shared)
      : settings_(std::move(settings)), shared_(std::move(shared)) {}
  ScanOptions settings_;
  std::shared_ptr<const SharedContext> shared_;  ///< loaded once, read by every scan
};

}  // namespace trustscan::pipeline
