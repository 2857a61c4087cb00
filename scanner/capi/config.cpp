// ts_config: the options of `trustscan scan` that belong to the engine, set by key (the long
// option's name) or from a JSON object, and ts_context_open, which loads and freezes them.
#include <dlfcn.h>

#include <charconv>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "app/data_dir.hpp"
#include "app/scan_options.hpp"
#include "capi/handles.hpp"
#include "config/document.hpp"

namespace trustscan::capi {
namespace {

namespace fs = std::filesystem;
using Setter = std::function<Result<void>(ts_config&, const std::string& key, const std::string& value)>;

Result<std::uint64_t> parse_unsigned(const std::string& key, const std::string& value) {
  std::uint64_t n = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
  if (ec != std::errc() || end != value.data() + value.size() || value.empty())
    return fail(Errc::Config, key + ": expected a non-negative integer, got '" + value + "'");
  return n;
}

Result<double> parse_seconds(const std::string& key, const std::string& value) {
  double s = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), s);
  if (ec != std::errc() || end != value.data() + value.size() || value.empty() || s < 0 || s > 86400.0 * 365)
    return fail(Errc::Config, key + ": expected seconds (a non-negative number), got '" + value + "'");
  return s;
}

/// A setter that appends a path to one of the context's path lists.
Setter add_path(std::vector<fs::path> pipeline::ContextOptions::*list) {
  return [list](ts_config& c, const std::string&, const std::string& v) -> Result<void> {
    (c.options.context.*list).emplace_back(v);
    return {};
  };
}

/// A setter for a boolean of the context; `invert`: the key says "no-..." of a positive field.
Setter set_flag(bool pipeline::ContextOptions::*field, bool invert) {
  return [field, invert](ts_config& c, const std::string& k, const std::string& v) -> Result<void> {
    auto b = parse_bool(k, v);
    if (!b) return std::unexpected(b.error());
    c.options.context.*field = *b != invert;
    return {};
  };
}

/// A setter for one of the size limits.
Setter set_limit(std::uint64_t Limits::*field) {
  return [field](ts_config& c, const std::string& k, const std::string& v) -> Result<void> {
    auto n = parse_unsigned(k, v);
    if (!n) return std::unexpected(n.error());
    c.options.limits.*field = *n;
    return {};
  };
}

/// A setter that adds a country or vendor to the policy's flags; `only`: they replace the policy.
Setter add_flag(std::vector<std::string> pipeline::ContextOptions::*list, bool only) {
  return [list, only](ts_config& c, const std::string&, const std::string& v) -> Result<void> {
    (c.options.context.*list).push_back(v);
    if (only) c.options.context.flags_replace_policy = true;
    return {};
  };
}

const std::map<std::string, Setter, std::less<>>& setters() {
  using C = pipeline::ContextOptions;
  static const std::map<std::string, Setter, std::less<>> table{
      {"share-dir",
       [](ts_config& c, const std::string&, const std::string& v) -> Result<void> {
         c.share_dir = fs::path(v);
         return {};
       }},
      {"data-dir",
       [](ts_config& c, const std::string&, const std::string& v) -> Result<void> {
         c.options.context.dataset_dir = v;
         return {};
       }},
      {"crl-dir",
       [](ts_config& c, const std::string&, const std::string& v) -> Result<void> {
         c.options.context.crl_dir = fs::path(v);
         return {};
       }},
      {"policy",
       [](ts_config& c, const std::string&, const std::string& v) -> Result<void> {
         c.policy = v;
         return {};
       }},
      {"threads",
       [](ts_config& c, const std::string& k, const std::string& v) -> Result<void> {
         auto n = parse_unsigned(k, v);
         if (!n || *n > 1024) return fail(Errc::Config, k + ": expected 0 to 1024, got '" + v + "'");
         c.options.threads = static_cast<unsigned>(*n);
         return {};
       }},
      {"file-timeout",
       [](ts_config& c, const std::string& k, const std::string& v) -> Result<void> {
         auto s = parse_seconds(k, v);
         if (!s) return std::unexpected(s.error());
         c.options.file_timeout = std::chrono::milliseconds(static_cast<std::int64_t>(*s * 1000));
         return {};
       }},
      {"trust-store", add_path(&C::trust_dirs)},
      {"rules", add_path(&C::rule_paths)},
      {"vendors", add_path(&C::vendor_files)},
      {"catalog-dir", add_path(&C::catalog_dirs)},
      {"module-keys", add_path(&C::module_key_dirs)},
      {"no-default-trust", set_flag(&C::default_trust, true)},
      {"no-default-rules", set_flag(&C::default_rules, true)},
      {"no-kernel-keys", set_flag(&C::kernel_keys_from_roots, true)},
      {"match-all", set_flag(&C::match_all, false)},
      {"all-privileges", set_flag(&C::all_privileges, false)},
      {"flag-country", add_flag(&C::flag_countries, false)},
      {"flag-vendor", add_flag(&C::flag_vendors, false)},
      {"only-flag-country", add_flag(&C::flag_countries, true)},
      {"only-flag-vendor", add_flag(&C::flag_vendors, true)},
      {"max-file-size", set_limit(&Limits::max_file_size)},
      {"max-parse-size", set_limit(&Limits::max_parse_size)},
      {"stream-threshold", set_limit(&Limits::stream_threshold)},
  };
  return table;
}

ts_status set_one(ts_config& config, const std::string& key, const std::string& value) {
  const auto& table = setters();
  auto it = table.find(key);
  if (it == table.end()) return failed(TS_E_INVALID_ARGUMENT, "unknown configuration key '" + key + "'");
  if (auto set = it->second(config, key, value); !set) return failed(TS_E_INVALID_ARGUMENT, set.error().message);
  return TS_OK;
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

/// "policy": a file as given, or a shipped preset (app::find_policy, as --policy).
Result<std::optional<fs::path>> policy_file(const ts_config& config, const fs::path& share) {
  if (config.policy.empty()) return std::nullopt;
  auto found = app::find_policy(config.policy, share, "policy");
  if (!found) return std::unexpected(found.error());
  return *found;
}

ts_status open_context(const ts_config& config, ts_context** out) {
  auto share = share_dir(config);
  if (!share) return failed(TS_E_CONFIG, share.error().message);
  pipeline::ScanOptions settings = config.options;
  settings.context.data_dir = *share;
  auto policy = policy_file(config, *share);
  if (!policy) return failed(TS_E_CONFIG, policy.error().message);
  if (*policy && settings.context.flags_replace_policy)
    return failed(TS_E_CONFIG, "policy and only-flag-country/only-flag-vendor exclude each other");
  settings.context.policy_file = *policy;
  auto engine = pipeline::Engine::load(settings);
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
