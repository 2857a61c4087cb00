#pragma once
/// \file
/// pipeline/ internal: a Windows image's own certificate stores (issue 16) read from its hives
/// — the machine's from `Windows/System32/config/SOFTWARE`, each user's from
/// `Users/<name>/NTUSER.DAT` where present — into WindowsImage::trust, with which every file
/// inside the image is verified (verify/image_trust.hpp). What cannot be read (a missing or
/// corrupt hive, a bad Blob) is a warning of the image, never an error of the scan.

#include "io/file_source.hpp"
#include "pipeline/windows_image.hpp"

namespace trustscan::pipeline {

/// At most this many user profiles are examined for an NTUSER.DAT.
inline constexpr std::size_t kMaxUserProfiles = 1000;

/// Reads the stores of `image` (its hives beneath `dir`) into image.trust; problems go to
/// image.warnings.
void read_image_stores(const io::FileSource& dir, WindowsImage& image);

}  // namespace trustscan::pipeline
