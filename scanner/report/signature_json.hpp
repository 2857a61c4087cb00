#pragma once
/// \file
/// JSON for the verify stage's results (report/ internal): ECS `file.code_signature` for the
/// file's signature as verify decided it (record::FileRecord::signature), and the full detail of
/// every signature under `trustscan.*`, one emitter per signature source.

#include <nlohmann/json.hpp>

#include "record/file_record.hpp"

namespace trustscan::report {

/// ECS `file.code_signature.*` (exists, valid, trusted, status, subject_name, digest_algorithm,
/// timestamp, thumbprint_sha256, signing_id, team_id, flags), or null when the format has none.
[[nodiscard]] nlohmann::ordered_json code_signature_ecs(const record::FileRecord& r);

/// Adds `authenticode`, `catalog_signatures`, `module_signature`, `macho_signatures` to the
/// record's `trustscan` object.
void add_signature_details(const record::FileRecord& r, nlohmann::ordered_json& trustscan);

/// The name that stands for a signature's signer in short outputs: the certificate's
/// organisation or common name (Authenticode, catalogs), the key's subject (modules), the
/// certificate's common name (Mach-O); "" when the signature names none.
[[nodiscard]] std::string signer_name(const verify::Signature& s);

}  // namespace trustscan::report
