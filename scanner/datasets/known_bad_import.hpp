#pragma once
/// \file
/// The importers of the two known-bad driver data sets (issue 17), each an `Importer`
/// (dataset.hpp): it reads its part of a source directory laid out like the public sources and
/// writes DATA_DIR-ready files (known_bad_feed.hpp) into an empty staging directory.
///
///  - import_loldrivers: SRC/loldrivers/yaml/*.yaml, or else SRC/loldrivers/drivers.json (the
///    project's API document: the same mappings in one JSON list; what `data update` fetches)
///    (LOLDrivers, Apache-2.0) -> data set "loldrivers": one entry per driver (category malicious
///    / vulnerable), the file, MD5, SHA-1, SHA-256 and Authenticode SHA-1/SHA-256 hashes of its
///    known samples. The feed's entries are in the order of their Ids, so both forms of the same
///    data give the same feed.
///  - import_driver_block_rules: SRC/wdac/*.xml (Microsoft's recommended driver block rules, a
///    SiPolicy; CC-BY-4.0 / MIT) -> data set "driver-block-rules": the Deny rules (by
///    Authenticode hash, by first-page hash, by file attributes) and the denied signers (TBS hash,
///    CertPublisher, CertOemID, FileAttribRef) that a signing scenario uses. Several files of the
///    same policy (PolicyTypeID / PolicyID) are versions of it: the highest VersionEx is imported,
///    the others are listed as superseded.
///
/// Validation is strict where trustscan relies on the data (a missing or duplicate id, an unknown
/// category, a hash of the wrong length or not hex, a rule reference that leads nowhere, a rule
/// construct trustscan cannot evaluate): every problem is reported as `file:line: what`, and the
/// importer fails as a whole, so the previous data set stays in use. docs/datasets.md has the
/// details and the matching semantics.

#include <filesystem>
#include <optional>

#include "core/error.hpp"
#include "datasets/dataset.hpp"

namespace trustscan::datasets {

/// Importer for SRC/loldrivers/yaml/*.yaml, else SRC/loldrivers/drivers.json (a note says that
/// drivers.json was not read when both are there); nullopt when neither exists.
[[nodiscard]] Result<std::optional<DatasetInfo>> import_loldrivers(const std::filesystem::path& source,
                                                                   const std::filesystem::path& out);

/// Importer for SRC/wdac/*.xml; nullopt when SRC/wdac holds no .xml file.
[[nodiscard]] Result<std::optional<DatasetInfo>> import_driver_block_rules(const std::filesystem::path& source,
                                                                           const std::filesystem::path& out);

}  // namespace trustscan::datasets
