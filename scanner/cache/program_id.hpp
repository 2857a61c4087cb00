#pragma once
/// \file
/// Which code computed a cached result. A release number alone does not change when a
/// developer rebuilds with a modified parser, nor when Debian updates LIEF or libyara.

#include <string>

namespace trustscan::cache {

/// The trustscan version plus the GNU build-ids (read from memory, no file is opened) of the
/// running executable and of the shared libraries that compute per-file facts: LIEF, libyara,
/// libcrypto, liblzma, libzstd. One "name id" line each; an object without a build-id is listed
/// by name only.
[[nodiscard]] std::string program_identity();

}  // namespace trustscan::cache
