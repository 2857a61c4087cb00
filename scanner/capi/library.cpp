// The library-wide calls of trustscan.h: versions, status texts, the per-thread last error.
#include <string>

#include "capi/handles.hpp"

namespace trustscan::capi {
namespace {

thread_local std::string last_error;  // NOLINT(cppcoreguidelines-avoid-non-const-global-variables)

}  // namespace

ts_status failed(ts_status status, std::string message) noexcept {
  try {
    last_error = std::move(message);
  } catch (...) {
    last_error.clear();  // out of memory for the text: the status still says what happened
  }
  return status;
}

ts_status failed(const Error& error) noexcept {
  switch (error.code) {
    case Errc::Config: return failed(TS_E_CONFIG, error.message);
    case Errc::Io:
    case Errc::PermissionDenied:
    case Errc::NotFound:
    case Errc::TooLarge: return failed(TS_E_IO, error.message);
    default: return failed(TS_E_INTERNAL, error.message);
  }
}

}  // namespace trustscan::capi

extern "C" {

const char* ts_version(void) { return TRUSTSCAN_VERSION; }

int ts_abi_version(void) { return TS_ABI_VERSION; }

const char* ts_status_message(ts_status status) {
  switch (status) {
    case TS_OK: return "ok";
    case TS_E_INVALID_ARGUMENT: return "invalid argument";
    case TS_E_CONFIG: return "configuration error";
    case TS_E_IO: return "input/output error";
    case TS_E_NO_MEMORY: return "out of memory";
    case TS_E_CANCELLED: return "cancelled";
    case TS_E_INTERNAL: return "internal error";
  }
  return "unknown status";
}

const char* ts_last_error(void) { return trustscan::capi::last_error.c_str(); }

}  // extern "C"
