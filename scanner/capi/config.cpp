// ts_config: the options of `trustscan scan` that belong to the engine, set by key (the long
// option's name) or from a JSON object and parsed by the CLI's own definition of them, and
// ts_context_open, which loads and freezes them.
#include <dlfcn.h>

#include <algorithm>
#include <array>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "app/data_dir.hpp"
#include "app/scan_options.hpp"
#include "capi/handles.hpp"
#include "config/document.hpp"

namespace trustscan::capi {

ts_status add_scan_option(std::vector<std::string>& args, std::span<const std::string_view> keys,
                          const std::string& key, const std::string& value, std::string_view what,
                          app::ScanArgs* parsed) {
  if (std::ranges::find(keys, key) == keys.end())
    return failed(TS_E_INVALID_ARGUMENT, "unknown " + std::string(what) + " '" + key + "'");
  std::vector<std::string> updated = args;
  // A value set again replaces the earlier one, as a later option would; a list grows.
  if (!app::scan_option_is_list(key))
    std::erase_if(updated, [&](const std::string& a) { return a.starts_with("--" + key + "="); });
  updated.push_back("--" + key + "=" + value);
  auto checked = app::parse_scan_options(updated);
  if (!checked) return failed(TS_E_INVALID_ARGUMENT, std::string(what) + " '" + key + "': " + checked.error().message);
  args = std::move(updated);
  if (parsed != nullptr) *parsed = std::move(*checked);
  return TS_OK;
}

namespace {

namespace fs = std::filesystem;

/// The options of `trustscan scan` a context takes: everything pipeline::Engine::load reads.
/// The walk's options are ts_scan_options keys; outputs, exit codes, the cache, disk-image
/// selection and the process's memory cap belong to the CLI's run, not to a library's context.
constexpr std::array<std::string_view, 26> kEngineKeys{
    "data-dir",         "trust-store",     "no-default-trust", "crl-dir",          "module-keys",  "no-kernel-keys",
    "kernel",           "strict-padding",  "catalog-dir",      "no-windows-image", "rules",        "no-default-rules",
    "match-all",        "vendors",         "policy",           "flag-country",     "flag-vendor",  "only-flag-country",
    "only-flag-vendor", "all-privileges",  "verify-time",      "threads",          "file-timeout", "max-file-size",
    "max-parse-size",   "stream-threshold"};

ts_status set_one(ts_config& config, const std::string& key, const std::string& value) {
  if (key == "share-dir") {
    config.share_dir = fs::path(value);
    return TS_OK;
  }
  return add_scan_option(config.args, kEngineKeys, key, value, "configuration key");
}

/// {"key": scalar | [scalar, ...], ...}: each scalar set as by ts_config_set.
ts_status set_json(ts_config& config, const char* json) {
  auto doc = config::parse_text(json, "configuration JSON");
  if (!doc) return failed(TS_E_INVALID_ARGUMENT, doc.error().message);
  if (!doc->root().is_mapping()) return failed(TS_E_INVALID_ARGUMENT, "configuration JSON: expected an object");
  for (const config::Entry& e : doc->root().entries()) {
    const std::string& key = e.key.text();
    if (e.value.is_scalar()) {
      if (ts_status s = set_one(config, key, e.value.text()); s != TS_OK) return s;
      continue;
    }
    if (!e.value.is_sequence())
      return failed(TS_E_INVALID_ARGUMENT, "configuration JSON: '" + key + "': expected a value or a list");
    for (const config::Value& item : e.value.items()) {
      if (!item.is_scalar())
        return failed(TS_E_INVALID_ARGUMENT, "configuration JSON: '" + key + "': list items must be values");
      if (ts_status s = set_one(config, key, item.text()); s != TS_OK) return s;
    }
  }
  return TS_OK;
}

/// The shipped data: "share-dir" when set, else the lookup of app/data_dir.hpp with this library's
/// own file in place of the executable (<prefix>/share/trustscan for <prefix>/<libdir>/libtrustscan.so.1).
Result<fs::path> share_dir(const ts_config& config) {
  if (config.share_dir) {
    if (!app::has_data(*config.share_dir))
      return fail(Errc::Config, "share-dir '" + config.share_dir->string() + "' holds no signatures/ and rules/");
    return *config.share_dir;
  }
  app::DataDirInputs in = app::current_data_dir_inputs();
  Dl_info info{};
  if (dladdr(reinterpret_cast<const void*>(&ts_context_open), &info) != 0 && info.dli_fname != nullptr) {
    std::error_code ec;
    fs::path self = fs::canonical(info.dli_fname, ec);
    if (ec) self = info.dli_fname;
    // Installed (/usr/lib/<multiarch>/libtrustscan.so.1): the data is where an executable in
    // <prefix>/bin would find it; in the build tree, beside build/trustscan, as the CLI's.
    in.executable = self.parent_path() == in.build_dir
                        ? self
                        : (self.parent_path() / TRUSTSCAN_PREFIX_FROM_LIBDIR / "bin" / self.filename())
                              .lexically_normal();
  }
  return app::resolve_data_dir(in);
}

ts_status open_context(const ts_config& config, ts_context** out) {
  auto share = share_dir(config);
  if (!share) return failed(TS_E_CONFIG, share.error().message);
  auto args = app::parse_scan_options(config.args);
  if (!args) return failed(TS_E_CONFIG, args.error().message);
  auto settings = app::to_engine_options(*args, *share);
  if (!settings) return failed(TS_E_CONFIG, settings.error().message);
  auto engine = pipeline::Engine::load(*settings);
  if (!engine) return failed(engine.error());
  *out = new ts_context{std::move(*engine)};
  return TS_OK;
}

}  // namespace
}  // namespace trustscan::capi

extern "C" {

ts_status ts_config_new(ts_config** out) { return trustscan::capi::new_handle(out, "ts_config_new"); }

void ts_config_free(ts_config* config) { delete config; }

ts_status ts_config_set(ts_config* config, const char* key, const char* value) {
  using namespace trustscan::capi;
  if (config == nullptr || key == nullptr || value == nullptr)
    return failed(TS_E_INVALID_ARGUMENT, "ts_config_set: config, key and value must not be NULL");
  return guarded([&] { return set_one(*config, key, value); });
}

ts_status ts_config_set_json(ts_config* config, const char* json) {
  using namespace trustscan::capi;
  if (config == nullptr || json == nullptr)
    return failed(TS_E_INVALID_ARGUMENT, "ts_config_set_json: config and json must not be NULL");
  return guarded([&] { return set_json(*config, json); });
}

ts_status ts_context_open(const ts_config* config, ts_context** out) {
  using namespace trustscan::capi;
  if (config == nullptr || out == nullptr)
    return failed(TS_E_INVALID_ARGUMENT, "ts_context_open: config and out must not be NULL");
  *out = nullptr;
  return guarded([&] { return open_context(*config, out); });
}

void ts_context_close(ts_context* context) { delete context; }

}  // extern "C"
