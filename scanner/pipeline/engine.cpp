#include "pipeline/engine.hpp"

#include <mutex>

namespace trustscan::pipeline {

// First version (issue 19 contract): the configuration is checked once here, and each scan is a
// whole pipeline::scan() whose results are handed to the sink when it ends. The load-once,
// streaming engine replaces this body without changing engine.hpp.

Result<std::shared_ptr<const Engine>> Engine::load(const ScanOptions& settings) {
  auto checked = load_context(settings.context, {});
  if (!checked) return std::unexpected(checked.error());
  return std::shared_ptr<const Engine>(new Engine(settings));
}

Result<ScanResult> Engine::scan(const ScanRequest& request, const Sink& sink, const std::atomic<int>* stop) const {
  ScanOptions options = settings_;
  options.roots = request.roots;
  options.excludes = request.excludes;
  options.one_file_system = request.one_file_system;
  options.include_network_fs = request.include_network_fs;
  options.images = request.images;
  options.cache_file = request.cache_file;
  options.progress = request.progress;
  options.stop = stop;
  auto result = pipeline::scan(options);
  if (!result) return result;
  if (sink.record)
    for (const record::FileRecord& r : result->records) sink.record(r);
  if (sink.error)
    for (const discover::PathError& e : result->errors) sink.error(e);
  if (!request.keep_records) result->records.clear();
  return result;
}

}  // namespace trustscan::pipeline
