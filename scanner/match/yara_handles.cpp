#include "match/yara_handles.hpp"

#include <string>

namespace trustscan::match::detail {

Result<std::shared_ptr<const YaraLibrary>> YaraLibrary::acquire() {
  // NOTE: a function-local static is initialised exactly once even with concurrent callers, and
  // destroyed at exit; handles still alive then keep their own reference, so yr_finalize runs
  // after the last of them (libyara requires finalize to follow every destroy).
  struct State {
    int init_error = ERROR_SUCCESS;
    std::shared_ptr<const YaraLibrary> library;
  };
  static const State state = [] {
    State s;
    s.init_error = yr_initialize();
    if (s.init_error == ERROR_SUCCESS) s.library.reset(new YaraLibrary());
    return s;
  }();
  if (!state.library) {
    return fail(Errc::Internal, "yr_initialize failed (libyara error " +
                                    std::to_string(state.init_error) + ")");
  }
  return state.library;
}

YaraLibrary::~YaraLibrary() { yr_finalize(); }

Result<CompilerHandle> make_compiler() {
  auto library = YaraLibrary::acquire();
  if (!library) return std::unexpected(library.error());
  YR_COMPILER* raw = nullptr;
  if (const int rc = yr_compiler_create(&raw); rc != ERROR_SUCCESS || raw == nullptr) {
    return fail(Errc::Internal, "yr_compiler_create failed (libyara error " + std::to_string(rc) + ")");
  }
  return CompilerHandle(std::move(*library), raw);
}

Result<ScannerHandle> make_scanner(const RulesHandle& rules) {
  auto library = YaraLibrary::acquire();
  if (!library) return std::unexpected(library.error());
  YR_SCANNER* raw = nullptr;
  if (const int rc = yr_scanner_create(rules.get(), &raw); rc != ERROR_SUCCESS || raw == nullptr) {
    return fail(Errc::Internal, "yr_scanner_create failed (libyara error " + std::to_string(rc) + ")");
  }
  return ScannerHandle(std::move(*library), raw);
}

}  // namespace trustscan::match::detail
