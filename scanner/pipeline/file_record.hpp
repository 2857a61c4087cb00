#pragma once
/// \file
/// One scanned binary: the file as discovered plus one slot per stage. Each stage fills its own
/// slot and only reads earlier ones; the report is built from this after the scan.

#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/types.hpp"
#include "discover/file_ref.hpp"
#include "parse/binary_model.hpp"
#include "parse/privilege.hpp"

namespace trustscan::pipeline {

struct FileRecord {
  discover::FileRef file;                        ///< discover
  Format format = Format::Unknown;               ///< identify
  Compression compression = Compression::None;   ///< identify
  std::string sha256;                            ///< map: SHA-256 of the file as stored on disk
  std::optional<std::uint64_t> decompressed_size;  ///< map: for .ko.xz/.ko.zst
  std::optional<parse::BinaryModel> binary;      ///< parse (absent when parsing failed)
  parse::Classification classification;          ///< parse
  std::vector<Error> errors;                     ///< per-file failures, each with its stage
};

}  // namespace trustscan::pipeline
