#pragma once
/// \file
/// What the scan cache stores per file (issue 8, docs/cache.md): the outcome of the stages that
/// read the file's bytes — identify, map, parse, verify, match — and nothing that depends on more
/// than the file. Catalog lookups, the Windows-image join, attribution and the policy verdict
/// are recomputed after every hit (they depend on catalogs, hives, the vendor list and the
/// policy, which the cache does not track).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "core/types.hpp"
#include "match/rule_match.hpp"
#include "parse/binary_model.hpp"
#include "parse/privilege.hpp"
#include "verify/authenticode.hpp"
#include "verify/macho_signature.hpp"
#include "verify/module_signature.hpp"
#include "verify/signature_status.hpp"

namespace trustscan::cache {

/// One file's byte-derived facts. `binary == false` means "read, not a PE/ELF/Mach-O" (cached
/// too: most files of a tree are not binaries, and each would otherwise be opened again).
struct FileFacts {
  bool binary = false;
  Format format = Format::Unknown;
  Compression compression = Compression::None;
  std::string sha256;                              ///< of the bytes on disk
  std::optional<std::uint64_t> decompressed_size;  ///< .ko.xz / .ko.zst
  std::optional<parse::BinaryModel> model;         ///< absent when parsing failed or was skipped
  /// As parse/ decided it, before the Windows join (which may raise the privilege of a
  /// registered driver and is recomputed).
  parse::Classification classification;
  std::optional<verify::AuthenticodeResult> authenticode;
  std::optional<verify::ModuleSignatureResult> module_signature;
  std::vector<std::pair<std::size_t, verify::MachOSignatureResult>> macho_signatures;
  std::vector<match::RuleMatch> matches;
  /// Why the rules were not run (pipeline/rule_scope.hpp); the decision depends on the file's
  /// signature and .modinfo, the kernel keys and --match-all (all in the cache fingerprint).
  std::optional<std::string> rules_skipped;
  /// The `privilege` external the rules were given (nullopt = "unknown"). It comes from the
  /// Windows join, so a hit is matched again when the join now says otherwise.
  std::optional<Privilege> rule_privilege;
  std::vector<Error> errors;  ///< per-file errors of those stages, each with its stage
  /// Verification clocks at which the signature results above hold (the intersection of every
  /// signature's window; everything for a file without clock-dependent signatures).
  verify::ClockWindow clock_window;

  friend bool operator==(const FileFacts&, const FileFacts&) = default;
};

}  // namespace trustscan::cache
