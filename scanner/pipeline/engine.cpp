#include "pipeline/engine.hpp"

#include "pipeline/scan_run.hpp"

namespace trustscan::pipeline {

ScanRequest request_of(const ScanOptions& options) {
  return ScanRequest{options.roots,  options.excludes,   options.one_file_system, options.include_network_fs,
                     options.images, options.cache_file, options.progress,        true};
}

Result<std::shared_ptr<const Engine>> Engine::load(const ScanOptions& settings) {
  auto shared = load_shared_context(settings.context);
  if (!shared) return std::unexpected(shared.error());
  ScanOptions kept = settings;
  kept.stop = nullptr;
  kept.progress = nullptr;
  return std::shared_ptr<const Engine>(new Engine(std::move(kept), std::move(*shared)));
}

Result<ScanResult> Engine::scan(const ScanRequest& request, const Sink& sink, const std::atomic<int>* stop) const {
  return scan(request, sink, stop, nullptr);
}

Result<ScanResult> Engine::scan(const ScanRequest& request, const Sink& sink, const std::atomic<int>* stop,
                                ScanStart* started) const {
  ScanOptions options = settings_;
  options.roots = request.roots;
  options.excludes = request.excludes;
  options.one_file_system = request.one_file_system;
  options.include_network_fs = request.include_network_fs;
  options.images = request.images;
  options.cache_file = request.cache_file;
  options.progress = request.progress;
  options.stop = stop;
  return run_scan(options, shared_, sink, request.keep_records, started);
}

Result<ScanResult> scan(const ScanOptions& options) {
  // The cache is opened and the roots walked while the engine loads (scan_run.hpp).
  std::future<ScanStart> starting = start_scan_early(options);  // (its destructor waits for it)
  auto engine = Engine::load(options);
  if (!engine) return std::unexpected(engine.error());
  ScanStart started = starting.get();
  auto result = (*engine)->scan(request_of(options), {}, options.stop, &started);
  if (result) result->engine = std::move(*engine);
  return result;
}

}  // namespace trustscan::pipeline
