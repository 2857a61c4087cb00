#include "verify/verify_file.hpp"

#include <openssl/crypto.h>
#include <algorithm>

#include "verify/authenticode.hpp"
#include "verify/authentihash.hpp"

namespace trustscan::verify {
namespace {

void verify_embedded(const VerifyInput& in, const VerifyServices& s, FileSignatures& out) {
  AuthenticodeResult r = verify_authenticode(in.bytes, in.model.pe->layout,
                                             {s.trust, s.now, s.strict_padding, s.image, s.image_sha1});
  out.authentihash = std::move(r.hashes);
  if (auto page = first_page_hashes(in.bytes, in.model.pe->layout)) out.first_page = std::move(*page);
  out.warnings = std::move(r.warnings);
  std::ranges::move(r.signatures, std::back_inserter(out.signatures));
}

void verify_module(const VerifyInput& in, const VerifyServices& s, FileSignatures& out) {
  Signature sig = verify_module_signature(in.bytes, s.module_keys(), in.module_digest);
  if (sig.status != SignatureStatus::Unsigned) out.signatures.push_back(std::move(sig));
}

void verify_macho(const VerifyInput& in, const VerifyServices& s, FileSignatures& out) {
  int index = 0;
  for (std::size_t i = 0; i < in.model.macho_slices.size(); ++i) {
    const parse::MachOSlice& slice = in.model.macho_slices[i];
    if (!slice.has_code_signature) continue;
    MachOSignatureLocation where{slice.offset, slice.size, slice.code_signature.offset, slice.code_signature.size, i};
    Signature sig = verify_macho_signature(in.bytes, where, *s.apple, s.now);
    sig.index = index++;
    out.signatures.push_back(std::move(sig));
  }
}

/// One row per kind of signature a file can carry in its own bytes. Catalogs are not here: they
/// depend on the catalogs of the scan (catalog_signatures(), catalog.hpp).
struct Verifier {
  SignatureSource source;
  bool (*applies)(const VerifyInput&, const VerifyServices&);
  void (*run)(const VerifyInput&, const VerifyServices&, FileSignatures&);
};

constexpr Verifier kVerifiers[] = {
    {SignatureSource::Embedded, [](const VerifyInput& in, const VerifyServices&) { return in.model.pe.has_value(); },
     verify_embedded},
    {SignatureSource::Module,
     [](const VerifyInput& in, const VerifyServices& s) { return in.type == FileType::KernelModule && s.module_keys; },
     verify_module},
    {SignatureSource::MachO,
     [](const VerifyInput& in, const VerifyServices& s) { return !in.model.macho_slices.empty() && s.apple; },
     verify_macho},
};

/// Severity order of statuses for a file made of several programs (Mach-O slices).
int rank(SignatureStatus s) {
  switch (s) {
    case SignatureStatus::Invalid: return 5;
    case SignatureStatus::Malformed: return 4;
    case SignatureStatus::UnknownKey: return 3;
    case SignatureStatus::Unsigned: return 2;
    case SignatureStatus::Untrusted: return 1;
    case SignatureStatus::Valid: break;
  }
  return 0;
}

/// The verdict that one signature decides alone.
SignatureVerdict verdict_of(const Signature& s, SignatureVerdict::Ref ref) {
  return {true, s.status != SignatureStatus::Unsigned, s.status, s.flags, integrity_ok(s.status, s.flags), ref};
}

/// A verdict for a file whose format carries signatures, before any is looked at: unsigned.
SignatureVerdict applicable() {
  SignatureVerdict v;
  v.applies = true;
  return v;
}

SignatureVerdict macho_verdict(const FileSignatures& own, std::size_t macho_slices) {
  SignatureVerdict v = applicable();
  std::optional<std::size_t> first;
  std::size_t signed_slices = 0;
  SignatureStatus worst = SignatureStatus::Valid;
  bool integrity = true;
  for (std::size_t i = 0; i < own.signatures.size(); ++i) {
    const Signature& s = own.signatures[i];
    if (s.source != SignatureSource::MachO) continue;
    if (!first) first = i;
    ++signed_slices;
    if (rank(s.status) > rank(worst)) worst = s.status;
    v.flags |= s.flags;
    integrity = integrity && integrity_ok(s.status, s.flags);
  }
  if (!first) return v;  // no slice signed: exists false
  if (signed_slices < macho_slices && rank(SignatureStatus::Unsigned) > rank(worst)) worst = SignatureStatus::Unsigned;
  v.exists = true;
  v.status = worst;
  // ECS `valid`: every signature present holds against the code it covers. A slice without one is
  // not a failed verification; it makes the status unsigned (partly unsigned) instead.
  v.integrity = integrity;
  v.primary = SignatureVerdict::Ref{false, *first};
  return v;
}

}  // namespace

FileSignatures verify_file(const VerifyInput& in, const VerifyServices& services) {
  FileSignatures out;
  if (services.image != nullptr) out.image_stores = services.image->fingerprint();
  for (const Verifier& v : kVerifiers) {
    if (!v.applies(in, services)) continue;
    v.run(in, services, out);
    out.mark_checked(v.source);
  }
  return out;
}

SignatureVerdict decide_signature(const FileSignatures& own, std::span<const Signature> catalogs,
                                  std::size_t macho_slices) {
  auto first_of = [&](SignatureSource source) -> std::optional<std::size_t> {
    for (std::size_t i = 0; i < own.signatures.size(); ++i)
      if (own.signatures[i].source == source) return i;
    return std::nullopt;
  };
  const std::optional<std::size_t> embedded = first_of(SignatureSource::Embedded);
  if (!catalogs.empty() && (!embedded || own.signatures[*embedded].status != SignatureStatus::Valid)) {
    auto trusted = std::ranges::find_if(catalogs, [](const Signature& c) { return c.status == SignatureStatus::Valid; });
    if (trusted != catalogs.end())
      return verdict_of(*trusted, {true, static_cast<std::size_t>(trusted - catalogs.begin())});
    if (!embedded) return verdict_of(catalogs.front(), {true, 0});
  }
  for (SignatureSource source : {SignatureSource::Embedded, SignatureSource::Module}) {
    if (!own.was_checked(source)) continue;
    if (auto i = first_of(source)) return verdict_of(own.signatures[*i], {false, *i});
    return applicable();
  }
  if (own.was_checked(SignatureSource::MachO)) return macho_verdict(own, macho_slices);
  return {};
}

std::string openssl_version() { return OpenSSL_version(OPENSSL_VERSION); }

}  // namespace trustscan::verify
