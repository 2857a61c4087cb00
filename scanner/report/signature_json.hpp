#pragma once
/// \file
/// JSON for the verify stage's results (report/ internal): ECS `file.code_signature` for the
/// file's signature as verify decided it (record::FileRecord::signature), and the full detail of
/// every signature under `trustscan.*`, one emitter per signature source.

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "record/file_record.hpp"
#include "report/json_sink.hpp"

namespace trustscan::report {

/// Writes the member ECS `file.code_signature` (exists, valid, trusted, status, subject_name,
/// digest_algorithm, timestamp, thumbprint_sha256, signing_id, team_id, flags) into the open
/// `file` object; nothing when the format has none.
void add_code_signature(JsonSink& w, const record::FileRecord& r);

/// The value of add_code_signature's member, or null when the format has none.
[[nodiscard]] nlohmann::ordered_json code_signature_ecs(const record::FileRecord& r);

/// Writes the members `authenticode`, `catalog_signatures`, `module_signature`,
/// `macho_signatures` (those that apply) into the record's open `trustscan` object.
void add_signature_details(JsonSink& w, const record::FileRecord& r);

/// The name that stands for a signature's signer in short outputs: the certificate's
/// organisation or common name (Authenticode, catalogs), the key's subject (modules), the
/// certificate's common name (Mach-O); "" when the signature names none.
[[nodiscard]] std::string signer_name(const verify::Signature& s);

/// `file.code_signature.subject_name` of the signature that stands for the file: its
/// signer_name, made valid UTF-8 — written for Authenticode even when empty, for the other kinds
/// only when there is one (nullopt: not written).
[[nodiscard]] std::optional<std::string> ecs_subject_name(const verify::Signature& s);

/// `file.code_signature.source` of the signature that stands for the file: "embedded" or
/// "catalog" for Authenticode, nullopt (not written) for the other kinds.
[[nodiscard]] std::optional<std::string> ecs_source(const verify::Signature& s);

}  // namespace trustscan::report
