#pragma once
/// \file
/// One scanned binary: the file as discovered plus one slot per stage. Each stage fills its own
/// slot and only reads earlier ones; the report is built from this after the scan.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/types.hpp"
#include "discover/file_ref.hpp"
#include "image/disk_image.hpp"
#include "parse/binary_model.hpp"
#include "attribute/attribution.hpp"
#include "match/rule_match.hpp"
#include "parse/privilege.hpp"
#include "policy/evaluator.hpp"
#include "verify/authenticode.hpp"
#include "verify/catalog.hpp"
#include "verify/macho_signature.hpp"
#include "verify/module_signature.hpp"
#include "windows/registry.hpp"

namespace trustscan::pipeline {

/// A Windows catalog that lists the file's Authenticode hash (issue 6).
struct CatalogSignature {
  std::string catalog_path;      ///< the .cat file, as reported
  std::string digest_algorithm;  ///< which of the file's authentihashes it lists: "sha256" or "sha1"
  std::string member_file_name;  ///< the member's "File" attribute, "" if absent
  std::optional<std::string> this_update;  ///< the catalog's ctlThisUpdate
  verify::SignatureInfo signature;         ///< the catalog's own signature (status, signer, chain)

  [[nodiscard]] bool trusted() const noexcept { return signature.status == verify::SignatureStatus::Valid; }
};

/// What a Windows image says about the file (issue 6).
struct WindowsFacts {
  std::string image;  ///< the image's volume root, as reported
  std::string path;   ///< the file in Windows form: "C:\Windows\System32\drivers\x.sys"
  std::vector<windows::Service> services;  ///< every service whose ImagePath is this file
  /// A driver service loads it at boot, system or auto start (RegisteredService::loads_at_boot).
  bool loads_at_boot = false;
};

struct FileRecord {
  discover::FileRef file;                        ///< discover
  /// discover: the disk image volume the file was read from (issue 10); null = a directory root.
  std::shared_ptr<const image::Location> image;
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
  /// verify: every catalog listing the file's authentihash (PE files, in catalog order).
  std::vector<CatalogSignature> catalog_signatures;
  std::optional<WindowsFacts> windows;                     ///< inside a Windows image
  std::vector<match::RuleMatch> matches;                   ///< match: YARA rules that fired
  /// match: why the rules were not run on this file (rule_scope.hpp); absent when they ran or
  /// when no rule set is loaded.
  std::optional<std::string> rules_skipped;
  std::optional<attribute::Attribution> attribution;       ///< attribute: absent = no evidence
  std::optional<policy::Verdict> verdict;                   ///< policy: absent = unattributed
  std::vector<Error> errors;                     ///< per-file failures, each with its stage
};

}  // namespace trustscan::pipeline
