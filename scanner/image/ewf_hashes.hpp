#pragma once
/// \file
/// image/ internal: the hashes an EWF (E01) image carries of the media it was acquired from
/// (issue 20). ewfacquire, FTK Imager and EnCase store the MD5 (and often the SHA-1) of the media
/// as read at acquisition in the image's hash/digest sections; a responder checks them to show
/// the evidence is unaltered. libewf only here (libtsk reads the data, but does not expose them).

#include <string>
#include <vector>

#include "core/error.hpp"
#include "image/location.hpp"

struct TSK_IMG_INFO;

namespace trustscan::image {

/// The MD5 and SHA-1 stored in the EWF image made of `segment_files` (.E01, .E02, ... in order),
/// lower-case hex, "" for one the image does not hold. Errc::Io when libewf cannot open them.
[[nodiscard]] Result<MediaHashes> ewf_stored_hashes(const std::vector<std::string>& segment_files);

/// For an EWF `img` (else nothing): sets info.stored_hashes from the image's files (info.files);
/// with `compute` (--hash-image) also reads the whole media through `img`, sets
/// info.media_hashes and info.hash_check, and adds an error to info.errors when they disagree (the
/// evidence was altered or damaged since acquisition) or when the media cannot be read whole.
void check_stored_hashes(TSK_IMG_INFO* img, ImageInfo& info, bool compute);

}  // namespace trustscan::image
