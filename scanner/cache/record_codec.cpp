#include "cache/record_codec.hpp"

#include <exception>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

// std::optional: null when empty (nlohmann 3.11 has no built-in support).
namespace nlohmann {
template <class T>
struct adl_serializer<std::optional<T>> {
  static void to_json(json& j, const std::optional<T>& v) {
    if (v) j = *v;
    else j = nullptr;
  }
  static void from_json(const json& j, std::optional<T>& v) {
    if (j.is_null()) v.reset();
    else v = j.get<T>();
  }
};
}  // namespace nlohmann

// Each type is listed field by field; from_json requires every field (json::at), so a record
// that lacks one does not decode. Enums are stored as their integer values.
namespace trustscan {
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Error, code, message, stage)
}  // namespace trustscan

namespace trustscan::parse {
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ByteRange, offset, size)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(PeLayout, checksum_offset, security_dir_offset, size_of_headers, certificate_table,
                                   sections)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(PeInfo, pe32_plus, machine, subsystem, is_dll, timestamp, checksum, version_info,
                                   pdb_path, imphash, imported_functions, has_certificate_table, layout)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ElfInfo, elf_type, machine, interpreter, soname, modinfo, has_module_signature,
                                   has_this_module, grub_module_name, looks_like_kernel_image)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(MachOSlice, cpu_type, file_type, offset, size, has_code_signature, code_signature,
                                   libraries, bundle_identifier)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(BinaryModel, format, type, architecture, bits, entry_point, libraries,
                                   exports_count, pe, elf, macho_slices, warnings)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Classification, type, privilege, reason)
}  // namespace trustscan::parse

namespace trustscan::verify {
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ClockWindow, from, until)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(CertInfo, subject, subject_cn, subject_o, subject_c, issuer, serial_hex, not_before,
                                   not_after, thumbprint_sha1, thumbprint_sha256)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(AuthenticodeHashes, sha1, sha256)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(SignatureInfo, index, nested, parent_index, digest_algorithm, signed_digest_hex,
                                   computed_digest_hex, signer, chain, signing_time, timestamp, timestamp_authority,
                                   timestamp_kind, verification_time_source, program_name, more_info_url, status,
                                   flags, errors, clock_window)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(AuthenticodeResult, hashes, signatures, status, flags, warnings, clock_window)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ModuleSigner, name, issuer, serial_hex, subject_key_id_hex, subject)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ModuleSignatureResult, status, flags, signer, digest_algorithm, signature_algorithm,
                                   certificates_embedded, signed_attributes, signature_size, signed_size, key_source,
                                   key_source_kind, errors)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(MachOCodeDirectory, slot, version, flags, hash_type, cdhash, identifier, team_id,
                                   code_limit, page_size, code_slots, special_slots, platform, page_hashes_ok,
                                   first_bad_page)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(MachOSigner, common_name, organization, organizational_unit, subject, issuer,
                                   serial_hex, chain)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(MachOSignatureResult, status, flags, kind, identifier, team_id,
                                   code_directory_flags, flag_names, cdhash, hash_type, code_directories,
                                   first_bad_page, has_requirements, has_entitlements, entitlements,
                                   unverified_special_slots, has_cms, cms_digest_algorithm, signer, signing_time,
                                   timestamp, verification_time, verification_time_source, errors, clock_window)
}  // namespace trustscan::verify

namespace trustscan::match {
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(StringMatch, identifier, offset, length)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(RuleMatch, rule, ns, tags, meta, strings, strings_truncated)
}  // namespace trustscan::match

namespace trustscan::cache {

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(FileFacts, binary, format, compression, sha256, decompressed_size, model,
                                   classification, authenticode, module_signature, macho_signatures, matches,
                                   rule_privilege, errors, clock_window)

namespace {
/// Leads every record: a record of another format (or garbage) fails at once.
constexpr const char* kFormatKey = "trustscan_cache_record";
}  // namespace

std::vector<std::uint8_t> encode(const FileFacts& facts) {
  nlohmann::json j{{kFormatKey, kRecordFormat}, {"facts", facts}};
  return nlohmann::json::to_cbor(j);
}

Result<FileFacts> decode(std::span<const std::uint8_t> bytes) {
  try {
    const nlohmann::json j = nlohmann::json::from_cbor(bytes.begin(), bytes.end());
    if (!j.is_object() || !j.contains(kFormatKey) || j.at(kFormatKey) != kRecordFormat)
      return fail(Errc::Malformed, "not a cache record of format " + std::to_string(kRecordFormat));
    return j.at("facts").get<FileFacts>();
  } catch (const std::exception& e) {
    return fail(Errc::Malformed, std::string("damaged cache record: ") + e.what());
  }
}

}  // namespace trustscan::cache
