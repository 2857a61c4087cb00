#pragma once
/// \file
/// Which errors make a scan incomplete (issue 20, "exit codes as users read them"): a file, a
/// directory or an image that should have been read and could not be (`read`), against one that
/// was read and is not what its format says (`malformed`). Only the first kind makes the scan
/// exit 3; both are listed in the report, each error with its kind, and counted in the summary.

#include <string_view>

#include "core/error.hpp"

namespace trustscan {

enum class ErrorKind {
  Read,       ///< not read, or not read whole: I/O error, permission denied, timeout, memory cap,
              ///< an image whose data cannot be read, an internal failure, a volume not found
  Malformed,  ///< read, but its bytes do not follow their format, or use a variant not handled
};

/// The kind of an error by its code: Malformed and Unsupported are `malformed`, every other
/// code `read` (Io, PermissionDenied, Timeout, TooLarge (a memory cap, a file that grew, a
/// directory above the entry limit), NotFound, Internal, Config (a root that cannot be scanned as the
/// command line asks: --image on a file that is no image, a FIFO as a root, a --partition the
/// image lacks)).
[[nodiscard]] constexpr ErrorKind kind_of(Errc code) noexcept {
  return code == Errc::Malformed || code == Errc::Unsupported ? ErrorKind::Malformed : ErrorKind::Read;
}

[[nodiscard]] constexpr std::string_view to_string(ErrorKind kind) noexcept {
  return kind == ErrorKind::Read ? "read" : "malformed";
}

}  // namespace trustscan
