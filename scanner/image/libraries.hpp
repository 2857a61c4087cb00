#pragma once
/// \file
/// image/ internal: libtsk's and libewf's functions, loaded when the first disk image is opened
/// (core/shared_library.hpp): a scan without images never maps either, nor the libraries
/// they bring (libafflib's libcurl among them).

#include <libewf.h>
#include <tsk/libtsk.h>

#include "core/error.hpp"
#include "core/shared_library.hpp"

namespace trustscan::image {

// clang-format off
/// The Sleuth Kit's functions this stage calls.
#define TRUSTSCAN_TSK_FUNCTIONS(X) \
  X(tsk_error_get)                 \
  X(tsk_error_reset)               \
  X(tsk_version_get_str)           \
  X(tsk_img_open_utf8)             \
  X(tsk_img_open_utf8_sing)        \
  X(tsk_img_close)                 \
  X(tsk_img_read)                  \
  X(tsk_img_type_toname)           \
  X(tsk_img_type_todesc)           \
  X(tsk_vs_open)                   \
  X(tsk_vs_close)                  \
  X(tsk_vs_part_get)               \
  X(tsk_vs_type_toname)            \
  X(tsk_fs_open_img)               \
  X(tsk_fs_close)                  \
  X(tsk_fs_read)                   \
  X(tsk_fs_type_toname)            \
  X(tsk_fs_path2inum)              \
  X(tsk_fs_dir_open_meta)          \
  X(tsk_fs_dir_close)              \
  X(tsk_fs_dir_getsize)            \
  X(tsk_fs_dir_get)                \
  X(tsk_fs_dir_get_name)           \
  X(tsk_fs_file_open_meta)         \
  X(tsk_fs_file_close)             \
  X(tsk_fs_file_read)              \
  X(tsk_fs_file_attr_get)          \
  X(tsk_fs_file_attr_get_type)     \
  X(tsk_fs_attr_read)

/// libewf's functions this stage calls (an E01's stored media hashes).
#define TRUSTSCAN_EWF_FUNCTIONS(X) \
  X(libewf_handle_initialize)      \
  X(libewf_handle_open)            \
  X(libewf_handle_close)           \
  X(libewf_handle_free)            \
  X(libewf_handle_get_md5_hash)    \
  X(libewf_handle_get_sha1_hash)   \
  X(libewf_error_sprint)           \
  X(libewf_error_free)
// clang-format on

struct TskFunctions {
  TRUSTSCAN_TSK_FUNCTIONS(TRUSTSCAN_FUNCTION_MEMBER)
};
struct EwfFunctions {
  TRUSTSCAN_EWF_FUNCTIONS(TRUSTSCAN_FUNCTION_MEMBER)
};

/// Loaded once, by the first call; the error when the library or one of the functions is missing.
[[nodiscard]] const Result<TskFunctions>& load_tsk();
[[nodiscard]] const Result<EwfFunctions>& load_ewf();

/// The functions, once load_tsk() / load_ewf() succeeded (std::bad_expected_access otherwise).
[[nodiscard]] inline const TskFunctions& tsk() { return load_tsk().value(); }
[[nodiscard]] inline const EwfFunctions& ewf() { return load_ewf().value(); }

}  // namespace trustscan::image
