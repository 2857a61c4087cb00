#pragma once
/// \file
/// capi/ internal: what the opaque handles of include/trustscan/trustscan.h hold, and the one way
/// every ts_ function reports a failure (a status, and its text for ts_last_error on this thread).
/// The C API is a client of pipeline::Engine, like app/ is.

#include <atomic>
#include <filesystem>
#include <memory>
#include <new>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "pipeline/engine.hpp"
#include <trustscan/trustscan.h>

/// A configuration being built: the options of `trustscan scan` that belong to the engine, as
/// "--KEY=VALUE" arguments in the order they were set. They are parsed by the CLI's own definition
/// of those options (app/scan_options.hpp) — when set, to check them, and when the context opens —
/// so that a key means exactly what the option means (units of sizes, dates, checks, defaults).
struct ts_config {
  std::vector<std::string> args;
  std::optional<std::filesystem::path> share_dir;  ///< "share-dir"; unset: found beside the library
};

/// A loaded, frozen configuration; scans only read it.
struct ts_context {
  std::shared_ptr<const trustscan::pipeline::Engine> engine;
};

/// What one scan asks for beyond the context: the walk's options of `trustscan scan`, as
/// "--KEY=VALUE" arguments read by the CLI's definition (as ts_config's) when set, the walk they
/// give (`walk`: excludes, file-system choices; read by every scan, parsed only when set), and a
/// cancel token.
struct ts_scan_options {
  std::vector<std::string> args;
  trustscan::pipeline::ScanRequest walk;
  const ts_cancel_token* cancel = nullptr;
};

struct ts_cancel_token {
  std::atomic<int> cancelled{0};
};

namespace trustscan::app {
struct ScanArgs;  // app/scan_options.hpp
}

namespace trustscan::capi {

/// Records `message` as this thread's last error and returns `status`.
ts_status failed(ts_status status, std::string message) noexcept;
/// The status of a trustscan Error (Errc::Config → TS_E_CONFIG, read errors → TS_E_IO, ...),
/// its message recorded as the last error.
ts_status failed(const Error& error) noexcept;
/// Adds "--KEY=VALUE" to `args` when KEY is one of `keys` and the CLI's definition of
/// `trustscan scan` accepts the whole list so (a value set again replaces a single-valued
/// option's); else TS_E_INVALID_ARGUMENT naming `what` and the key, `args` unchanged. `parsed`
/// (may be null) receives the whole list as parsed.
ts_status add_scan_option(std::vector<std::string>& args, std::span<const std::string_view> keys,
                          const std::string& key, const std::string& value, std::string_view what,
                          app::ScanArgs* parsed = nullptr);

/// Runs `body` (returning ts_status) and turns any exception into a status: no C++ exception
/// ever crosses the C boundary.
template <class Body>
ts_status guarded(Body&& body) noexcept {
  try {
    return body();
  } catch (const std::bad_alloc&) { return failed(TS_E_NO_MEMORY, "out of memory"); } catch (const std::exception& e) {
    return failed(TS_E_INTERNAL, std::string("internal error: ") + e.what());
  } catch (...) { return failed(TS_E_INTERNAL, "internal error: unknown exception"); }
}

/// The ts_*_new functions: a default handle in `*out`.
template <class Handle>
ts_status new_handle(Handle** out, const char* function) noexcept {
  if (out == nullptr) return failed(TS_E_INVALID_ARGUMENT, std::string(function) + ": out is NULL");
  *out = new (std::nothrow) Handle{};
  return *out != nullptr ? TS_OK : failed(TS_E_NO_MEMORY, "out of memory");
}

}  // namespace trustscan::capi
