#pragma once
/// \file
/// What the scan cache stores per file (issue 8, docs/cache.md): the outcome of the stages that
/// read the file's bytes — record::FileFacts, stored whole — and nothing that depends on more
/// than the file. Catalog lookups, the Windows-image join, the signature decision, attribution
/// and the policy verdict are recomputed after every hit (they depend on catalogs, hives, the
/// vendor list and the policy, which the cache does not track).

#include <optional>

#include "record/file_record.hpp"
#include "verify/signature_status.hpp"

namespace trustscan::cache {

/// One file's cache entry.
struct Entry {
  /// The facts of a binary; nullopt for a file that was read and is not a PE/ELF/Mach-O (cached
  /// too: most files of a tree are not binaries, and each would otherwise be opened again).
  std::optional<record::FileFacts> binary;

  /// Verification clocks at which the stored signature results hold (everything for a file
  /// without clock-dependent signatures).
  [[nodiscard]] verify::ClockWindow clock_window() const noexcept {
    return binary ? binary->signatures.clock_window() : verify::ClockWindow{};
  }
  friend bool operator==(const Entry&, const Entry&) = default;
};

}  // namespace trustscan::cache
