#pragma once
/// \file
/// Where in a disk image file a scanned file was read from (disk_image.hpp opens the images):
/// plain data, shared by the records of one volume and read by the reports.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"

namespace trustscan::image {

/// One volume of an image: an allocated entry of its partition table, or the whole image when
/// it holds a file system without a partition table.
struct Volume {
  /// 1, 2, ... in partition-table order (allocated entries only, as Linux numbers sda1, sda2 for
  /// a GPT); 0 = the whole image (no partition table).
  unsigned number = 0;
  std::uint64_t offset = 0;    ///< bytes from the start of the image
  std::uint64_t length = 0;    ///< bytes
  std::string description;     ///< the partition table's description ("Linux (0x83)", a GPT name)
  std::string fs_type;         ///< "ext4", "ntfs", "fat16", ... ("" = no file system recognised)
  std::string label;           ///< the file system's volume label ("" = none, or not read for this type)
  bool selected = true;        ///< chosen by --partition (else listed but not scanned)
  std::vector<std::string> warnings;  ///< e.g. the file system extends beyond the end of the image
  std::optional<Error> error;         ///< why it could not be opened as a file system
};

/// Digests of an image's media (the bytes the image stands for, not its files), lower-case hex;
/// "" for one not known.
struct MediaHashes {
  std::string md5;
  std::string sha1;
  friend bool operator==(const MediaHashes&, const MediaHashes&) = default;
};

/// An image as reported: what it is, what it holds, what could not be read.
struct ImageInfo {
  std::string path;                ///< as given
  std::string format;              ///< libtsk's name: "raw", "ewf", "vmdk", "vhdi", ...
  std::string format_description;  ///< "Raw Single", "Expert Witness Format (EnCase)", ...
  std::uint64_t size = 0;          ///< media size in bytes (what the image stands for)
  unsigned sector_size = 512;
  std::string volume_system;       ///< "dos", "gpt", "mac", ... or "" (no partition table)
  std::vector<std::string> files;  ///< the files it was read from (segments: .E01, .E02, ...)
  std::vector<std::string> sha256; ///< --hash-image: SHA-256 of each file, in `files` order
  /// EWF: the digests of the media stored at acquisition (issue 20); unset for other formats,
  /// or when the image holds none.
  std::optional<MediaHashes> stored_hashes;
  /// --hash-image of an image with stored hashes: the same digests computed over the media as
  /// read now (only those the image stores), and whether they agree: "match" or "mismatch" (an
  /// altered or damaged image; also an error in `errors`). Unset / "" when not checked.
  std::optional<MediaHashes> media_hashes;
  std::string hash_check;
  std::vector<Volume> volumes;
  std::vector<Error> errors;       ///< image-level problems (unreadable partition table, hashing)
};

/// Where a scanned file is inside an image: one per scanned volume, shared by its records.
struct Location {
  std::string image;  ///< the image path as given
  Volume volume;
};

/// "partition 2 (ntfs, offset 1048576, label SYSTEM)" / "whole image (ext4, offset 0)".
[[nodiscard]] std::string describe(const Volume& volume);

}  // namespace trustscan::image
