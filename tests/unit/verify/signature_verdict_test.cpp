// decide_signature() for Mach-O files: what ECS file.code_signature.valid says (issue 20).
#include "verify/verify_file.hpp"

#include <catch2/catch.hpp>

using namespace trustscan;
using verify::SignatureSource;
using verify::SignatureStatus;

namespace {

/// A Mach-O slice's signature: linker-signed (ad-hoc) with matching hashes unless `flags` says
/// otherwise.
verify::Signature macho_slice(SignatureStatus status, verify::VerifyFlags flags = 0) {
  verify::Signature s;
  s.source = SignatureSource::MachO;
  s.status = status;
  s.flags = flags;
  s.details = verify::MachODetails{};
  return s;
}

verify::FileSignatures own(std::vector<verify::Signature> signatures) {
  verify::FileSignatures f;
  f.signatures = std::move(signatures);
  f.checked = static_cast<std::uint8_t>(1u << static_cast<unsigned>(SignatureSource::MachO));
  return f;
}

}  // namespace

TEST_CASE("signature verdict: a linker-signed Mach-O whose hashes match is valid, not trusted", "[verify][ecs]") {
  const auto v = verify::decide_signature(own({macho_slice(SignatureStatus::Untrusted)}), {}, 1);
  CHECK(v.exists);
  CHECK(v.status == SignatureStatus::Untrusted);
  CHECK(v.integrity);  // ECS valid: the signature holds against the code
}

TEST_CASE("signature verdict: a fat Mach-O with an unsigned slice is unsigned but not invalid", "[verify][ecs]") {
  // Slice 0 has no signature, slice 1 is linker-signed with matching hashes (fsevents.node of the
  // real tree): nothing failed to verify, so ECS valid is true; status says partly unsigned.
  const auto v = verify::decide_signature(own({macho_slice(SignatureStatus::Untrusted)}), {}, 2);
  CHECK(v.exists);
  CHECK(v.status == SignatureStatus::Unsigned);
  CHECK(v.integrity);
}

TEST_CASE("signature verdict: a Mach-O slice whose page hashes differ is not valid", "[verify][ecs]") {
  const auto v = verify::decide_signature(
      own({macho_slice(SignatureStatus::Untrusted),
           macho_slice(SignatureStatus::Invalid, verify::flags_of({verify::VerifyFlag::BadPageHash}))}),
      {}, 2);
  CHECK(v.status == SignatureStatus::Invalid);
  CHECK_FALSE(v.integrity);
}
