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
#include "attribute/attribution.hpp"
#include "match/rule_match.hpp"
#include "parse/privilege.hpp"
#include "policy/evaluator.hpp"
#include "verify/authenticode.hpp"
#include "verify/macho_signature.hpp"
#include "verify/module_signature.hpp"

namespace trustscan::pipeline {

struct FileRecord {
  discover::FileRef file;                        ///< discover
  Format format = Format::Unknown;               ///< identify
  Compression compression = Compression::None;   ///< identify
  std::string sha256;                            ///< map: SHA-256 of the file as stored on disk
  std::optional<std::uint64_t> decompressed_size;  ///< map: for .ko.xz/.ko.zst
  std::optional<parse::BinaryModel> binary;      ///< parse (absent when parsing failed)
  parse::Classification classification;          ///< parse
  std::optional<verify::AuthenticodeResult> authenticode;          ///< verify: every PE
  std::optional<verify::ModuleSignatureResult> module_signature;   ///< verify: kernel modules
  /// verify: one per Mach-O slice that carries LC_CODE_SIGNATURE (index into macho_slices).
  std::vector<std::pair<std::size_t, verify::MachOSignatureResult>> macho_signatures;
  std::vector<match::RuleMatch> matches;                   ///< match: YARA rules that fired
  std::optional<attribute::Attribution> attribution;       ///< attribute: absent = no evidence
  std::optional<policy::Verdict> verdict;                   ///< policy: absent = unattributed
  std::vector<Error> errors;                     ///< per-file failures, each with its stage
};

}  // namespace trustscan::pipeline
