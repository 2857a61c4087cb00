#include "image/libraries.hpp"

namespace trustscan::image {

// TRUSTSCAN_TSK_SONAME, TRUSTSCAN_EWF_SONAME: the libraries the build found (scanner/CMakeLists.txt).

const Result<TskFunctions>& load_tsk() {
  static const Result<TskFunctions> loaded = []() -> Result<TskFunctions> {
    const auto library = SharedLibrary::open(TRUSTSCAN_TSK_SONAME);
    if (!library) return std::unexpected(library.error());
    TskFunctions table;
    TRUSTSCAN_TSK_FUNCTIONS(TRUSTSCAN_FUNCTION_LOAD)
    return table;
  }();
  return loaded;
}

const Result<EwfFunctions>& load_ewf() {
  static const Result<EwfFunctions> loaded = []() -> Result<EwfFunctions> {
    const auto library = SharedLibrary::open(TRUSTSCAN_EWF_SONAME);
    if (!library) return std::unexpected(library.error());
    EwfFunctions table;
    TRUSTSCAN_EWF_FUNCTIONS(TRUSTSCAN_FUNCTION_LOAD)
    return table;
  }();
  return loaded;
}

}  // namespace trustscan::image
