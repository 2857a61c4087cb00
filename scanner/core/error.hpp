#pragma once
/// \file
/// Errors that come from *input* (a file, a configuration), as values. Bugs are not modelled here.

#include <expected>
#include <string>
#include <string_view>

namespace trustscan {

/// What kind of problem an Error describes; stable names go into reports (see to_string).
enum class Errc {
  Io,                ///< read/open/stat failed
  PermissionDenied,  ///< the OS refused access
  TooLarge,          ///< above a configured or built-in limit
  Malformed,         ///< the bytes do not follow their format
  Unsupported,       ///< a valid variant we do not handle
  Internal,          ///< an unexpected exception crossed a stage boundary
  Config,            ///< bad option, rule file, list or policy
  Timeout,           ///< a file took longer than --file-timeout; its analysis was abandoned
  NotFound,          ///< a path the walk listed was gone when opened (deleted or renamed meanwhile)
};

[[nodiscard]] constexpr std::string_view to_string(Errc code) noexcept {
  switch (code) {
    case Errc::Io: return "io";
    case Errc::PermissionDenied: return "permission_denied";
    case Errc::TooLarge: return "too_large";
    case Errc::Malformed: return "malformed";
    case Errc::Unsupported: return "unsupported";
    case Errc::Internal: return "internal";
    case Errc::Config: return "config";
    case Errc::Timeout: return "timeout";
    case Errc::NotFound: return "not_found";
  }
  return "internal";
}

/// A failure on one input: what kind, and a message for people.
struct [[nodiscard]] Error {
  Errc code = Errc::Internal;
  std::string message;
  /// Which stage reported it ("map", "parse", ...), filled by the pipeline.
  std::string stage{};
  friend bool operator==(const Error&, const Error&) = default;
};

template <class T>
using Result = std::expected<T, Error>;

[[nodiscard]] inline std::unexpected<Error> fail(Errc code, std::string message) {
  return std::unexpected(Error{code, std::move(message)});
}

}  // namespace trustscan
