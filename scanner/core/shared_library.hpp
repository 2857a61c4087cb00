#pragma once
/// \file
/// A system library loaded when a stage first needs it (dlopen), rather than by every start of
/// the program: libtsk and libewf (disk images, with libcurl through libafflib) and libcurl
/// (`trustscan data update`) brought 34 of the program's 59 libraries, whose mapping and
/// relocation took about 12 ms of each run (`trustscan scan --help` 31-34 ms, 20-23 ms without
/// them) though few runs read an image or download (docs/performance.md, "eleventh round"). A
/// stage lists the functions it calls in a macro, declares their pointers with
/// TRUSTSCAN_FUNCTION_MEMBER and loads them all at once with TRUSTSCAN_DEFINE_FUNCTION_LOADER,
/// which says why when it cannot.

#include <dlfcn.h>

#include <string>

#include "core/error.hpp"

namespace trustscan {

/// A loaded library, never unloaded (its functions stay valid for the life of the process).
class SharedLibrary {
 public:
  /// Loads `soname` (its SONAME, as the build found it: the package that holds it is one of the
  /// program's dependencies); Errc::Unsupported with the loader's reason when it cannot be.
  [[nodiscard]] static Result<SharedLibrary> open(const char* soname) {
    (void)::dlerror();
    void* handle = ::dlopen(soname, RTLD_NOW | RTLD_LOCAL);
    if (!handle) return fail(Errc::Unsupported, std::string("cannot load ") + soname + ": " + last_error());
    return SharedLibrary(handle, soname);
  }

  /// The address of function `name`, as the function pointer type `F`.
  template <class F>
  [[nodiscard]] Result<F> function(const char* name) const {
    (void)::dlerror();
    void* address = ::dlsym(handle_, name);
    if (!address) return fail(Errc::Unsupported, soname_ + " has no function " + name + ": " + last_error());
    return reinterpret_cast<F>(address);  // NOLINT(cppcoreguidelines-pro-type-reinterpret-cast): dlsym's contract
  }

 private:
  SharedLibrary(void* handle, std::string soname) : handle_(handle), soname_(std::move(soname)) {}
  static std::string last_error() {
    const char* e = ::dlerror();
    return e ? e : "unknown error";
  }

  void* handle_;
  std::string soname_;
};

}  // namespace trustscan

/// In a struct: one member per function of a list (a macro that calls X(name) for each), typed
/// as the library's header declares it.
// NOLINTNEXTLINE(bugprone-macro-parentheses): a declarator, which parentheses would not be
#define TRUSTSCAN_FUNCTION_MEMBER(name) decltype(&::name) name = nullptr;
/// Fills `table` from `library` (a SharedLibrary), or returns the first missing function's error
/// from the enclosing function.
#define TRUSTSCAN_FUNCTION_LOAD(name)                                                            \
  if (auto function_of_##name = library->function<decltype(&::name)>(#name); function_of_##name) \
    table.name = *function_of_##name;                                                            \
  else                                                                                           \
    return std::unexpected(function_of_##name.error());
/// Defines `const Result<Table>& loader()`: the functions of `LIST` (see above) from the library
/// `soname`, loaded by the first call; the error when the library or a function is missing.
#define TRUSTSCAN_DEFINE_FUNCTION_LOADER(loader, Table, LIST, soname)                     \
  const ::trustscan::Result<Table>& loader() {                                            \
    static const ::trustscan::Result<Table> loaded = []() -> ::trustscan::Result<Table> { \
      const auto library = ::trustscan::SharedLibrary::open(soname);                      \
      if (!library) return std::unexpected(library.error());                              \
      Table table;                                                                        \
      LIST(TRUSTSCAN_FUNCTION_LOAD)                                                       \
      return table;                                                                       \
    }();                                                                                  \
    return loaded;                                                                        \
  }
