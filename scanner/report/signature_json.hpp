#pragma once
/// \file
/// JSON for the verify stage's results (report/ internal): ECS `file.code_signature` for the
/// file's primary signature of whatever kind, and the full detail under `trustscan.*`.

#include <nlohmann/json.hpp>

#include "pipeline/file_record.hpp"

namespace trustscan::report {

/// ECS `file.code_signature.*` (exists, valid, trusted, status, subject_name, digest_algorithm,
/// timestamp, thumbprint_sha256, signing_id, team_id, flags), or null when the format has none.
[[nodiscard]] nlohmann::ordered_json code_signature_ecs(const pipeline::FileRecord& r);

/// The catalog signature that stands for a PE file whose embedded signature is not valid, as
/// Windows code integrity falls back to catalogs: the first trusted catalog; else, for a file with
/// no embedded signature at all, the first catalog listing it; else nullptr (the embedded one
/// stands).
[[nodiscard]] const pipeline::CatalogSignature* effective_catalog(const pipeline::FileRecord& r) noexcept;

/// Adds `authenticode`, `catalog_signatures`, `module_signature`, `macho_signatures` to the
/// record's `trustscan` object.
void add_signature_details(const pipeline::FileRecord& r, nlohmann::ordered_json& trustscan);

/// True when the signature's integrity verified (ECS `valid`): no digest, signature or page-hash
/// failure and nothing malformed. Trust (chain to an anchor) is separate.
[[nodiscard]] bool integrity_ok(verify::SignatureStatus status, verify::VerifyFlags flags);

}  // namespace trustscan::report
