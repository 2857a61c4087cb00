#pragma once
/// \file
/// Shared helpers of the libFuzzer targets (docs/fuzzing.md): input as bytes, the shared
/// read-only state each verifier needs (loaded once per process, like the pipeline does), and
/// byte-level readers for the offsets that parse/ (LIEF) normally hands to verify/.
///
/// The verifiers promise to bounds-check every offset they are given (authenticode.hpp,
/// macho_signature.hpp), so the targets read those offsets straight from the (mutated) headers
/// instead of calling LIEF: LIEF is not instrumented, costs most of an execution and would
/// reject most mutants before the verifier sees them. fuzz_parse covers the LIEF path.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "parse/binary_model.hpp"
#include "verify/macho_signature.hpp"
#include "verify/trust_store.hpp"

namespace trustscan::fuzz {

inline std::span<const std::byte> as_bytes(const std::uint8_t* data, std::size_t size) noexcept {
  return {reinterpret_cast<const std::byte*>(data), size};
}

/// The repository (signatures/, rules/): the build's source directory.
inline std::filesystem::path source_dir() { return TRUSTSCAN_SOURCE_DIR; }

/// A directory named by an environment variable (tools/fuzz.sh sets them to the test samples'
/// keys and CAs, so that seeds can verify); nullopt when unset or not a directory.
inline std::optional<std::filesystem::path> env_dir(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0' || !std::filesystem::is_directory(v)) return std::nullopt;
  return std::filesystem::path(v);
}

/// Verification time of every target: fixed, so that a run is reproducible (2024-06-01 UTC,
/// inside the validity of the test CAs and of the real signers of the seeds).
inline constexpr std::int64_t kVerifyTime = 1717200000;

/// Dies loudly: a target whose fixed state cannot load would fuzz nothing.
[[noreturn]] void die(const std::string& what);

/// The shipped trust anchors plus TRUSTSCAN_FUZZ_TRUST_DIR (the test CAs of the signed samples,
/// set by tools/fuzz.sh), loaded once per process; dies when they cannot load.
const verify::TrustStore& trust_store();

// ------------------------------------------------------------------ header readers (core/bytes.hpp)

/// The Authenticode offsets of a PE, from its headers (PE/COFF spec, "Optional Header Data
/// Directories"): nullopt when the DOS/PE/optional headers do not fit.
std::optional<parse::PeLayout> pe_layout(std::span<const std::byte> b);

/// Every LC_CODE_SIGNATURE of a thin or fat Mach-O, with file-relative offsets as parse/ records
/// them (at most 16 slices and 4096 load commands per slice, like Limits).
std::vector<verify::MachOSignatureLocation> macho_signatures(std::span<const std::byte> b);

}  // namespace trustscan::fuzz
