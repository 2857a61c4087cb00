#include "image/libraries.hpp"

namespace trustscan::image {

// TRUSTSCAN_TSK_SONAME, TRUSTSCAN_EWF_SONAME: the libraries the build found (scanner/CMakeLists.txt).
TRUSTSCAN_DEFINE_FUNCTION_LOADER(load_tsk, TskFunctions, TRUSTSCAN_TSK_FUNCTIONS, TRUSTSCAN_TSK_SONAME)
TRUSTSCAN_DEFINE_FUNCTION_LOADER(load_ewf, EwfFunctions, TRUSTSCAN_EWF_FUNCTIONS, TRUSTSCAN_EWF_SONAME)

}  // namespace trustscan::image
