#pragma once
/// \file
/// Move-only RAII owners for libyara's C handles, and the process-wide library guard.
///
/// This header is private to `scanner/match/`: it is the only place outside `match/*.cpp` that
/// includes `<yara.h>`, and no public header of the stage includes it (ARCHITECTURE.md §A.3).
///
/// Lifetime rules (libyara docs/capi.rst):
///  - `yr_initialize` must run before any other call and `yr_finalize` after the last handle is
///    gone. `YaraLibrary::acquire()` initialises once per process (thread-safe function-local
///    static) and every handle keeps a `shared_ptr` to the guard, so `yr_finalize` runs only after
///    the last compiler/rules/scanner is destroyed, even during static destruction.
///  - One `YR_RULES` may be shared by many threads; each thread needs its own `YR_SCANNER`.
///  - At most `YR_MAX_THREADS` (32) scanners may scan the same rules concurrently.

#include <yara.h>

#include <memory>

#include "core/error.hpp"

namespace trustscan::match::detail {

/// Calls `yr_initialize` once and `yr_finalize` when the last holder lets go.
class YaraLibrary {
 public:
  /// The process-wide guard; fails with Errc::Internal if `yr_initialize` failed.
  [[nodiscard]] static Result<std::shared_ptr<const YaraLibrary>> acquire();

  YaraLibrary(const YaraLibrary&) = delete;
  YaraLibrary& operator=(const YaraLibrary&) = delete;
  ~YaraLibrary();

 private:
  YaraLibrary() = default;
};

struct CompilerDeleter {
  void operator()(YR_COMPILER* c) const noexcept { yr_compiler_destroy(c); }
};
struct RulesDeleter {
  void operator()(YR_RULES* r) const noexcept { yr_rules_destroy(r); }
};
struct ScannerDeleter {
  void operator()(YR_SCANNER* s) const noexcept { yr_scanner_destroy(s); }
};

/// A move-only owner of one libyara object that also pins the library guard. Members are declared
/// so that the object is destroyed before the guard is released.
template <class T, class Deleter>
class Handle {
 public:
  Handle() = default;
  Handle(std::shared_ptr<const YaraLibrary> library, T* raw) noexcept
      : library_(std::move(library)), ptr_(raw) {}
  Handle(Handle&&) noexcept = default;
  Handle& operator=(Handle&&) noexcept = default;
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  ~Handle() = default;

  /// The raw pointer for libyara calls. libyara's API takes non-const pointers even for read-only
  /// use (e.g. `yr_scanner_create(YR_RULES*)`), so a const handle still yields `T*`.
  [[nodiscard]] T* get() const noexcept { return ptr_.get(); }
  [[nodiscard]] explicit operator bool() const noexcept { return ptr_ != nullptr; }

 private:
  std::shared_ptr<const YaraLibrary> library_;  // destroyed last
  std::unique_ptr<T, Deleter> ptr_;
};

using CompilerHandle = Handle<YR_COMPILER, CompilerDeleter>;
using RulesHandle = Handle<YR_RULES, RulesDeleter>;
using ScannerHandle = Handle<YR_SCANNER, ScannerDeleter>;

/// `yr_compiler_create` wrapped; Errc::Internal on allocation failure.
[[nodiscard]] Result<CompilerHandle> make_compiler();
/// `yr_scanner_create` wrapped; the scanner borrows `rules`, which must outlive it.
[[nodiscard]] Result<ScannerHandle> make_scanner(const RulesHandle& rules);

}  // namespace trustscan::match::detail
