#include "verify/kernel_load.hpp"

#include <algorithm>
#include <array>
#include <vector>

namespace trustscan::verify {
namespace {

// Extended key usages of Microsoft's driver signatures (Microsoft, "Object IDs associated with
// Microsoft cryptography": szOID_WHQL_CRYPTO, szOID_ATTEST_WHQL_CRYPTO, szOID_NT5_CRYPTO).
constexpr std::string_view kEkuWhql = "1.3.6.1.4.1.311.10.3.5";
constexpr std::string_view kEkuAttested = "1.3.6.1.4.1.311.10.3.5.1";
constexpr std::string_view kEkuWindowsComponent = "1.3.6.1.4.1.311.10.3.6";

constexpr std::string_view kCodeVerificationRoot = "Microsoft Code Verification Root";
constexpr std::array<std::string_view, 4> kProductionRoots = {
    "Microsoft Root Authority", "Microsoft Root Certificate Authority", "Microsoft Root Certificate Authority 2010",
    "Microsoft Root Certificate Authority 2011"};
constexpr std::array<std::string_view, 2> kTestRoots = {"Microsoft Testing Root Certificate Authority 2010",
                                                        "Microsoft Test Root Authority"};
/// The CAs under which Microsoft issues its Hardware Dev Center (WHQL / attestation) signers.
constexpr std::array<std::string_view, 2> kWhcpCaPrefixes = {"Microsoft Windows Third Party Component CA",
                                                             "Microsoft Windows Hardware Compatibility PCA"};
/// The anchor sets of production trust (pipeline/context.hpp, trust_anchor_sets): any other set
/// is a --trust-store directory, i.e. trust this machine's analyst chose, not Windows'.
constexpr std::array<std::string_view, 4> kProductionSets = {"microsoft-root-program", "trustscan-builtin", "uefi",
                                                             "debian-secure-boot"};
/// Problems that keep Windows from accepting a signature at all. Certificate lifetimes are not
/// among them: the kernel does not check them for driver signatures (expired cross-signed drivers
/// load), so Expired and NotYetValid only appear in the reason.
constexpr VerifyFlags kFatal = flags_of({VerifyFlag::BadDigest, VerifyFlag::BadSignature, VerifyFlag::BadPageHash,
                                         VerifyFlag::Malformed, VerifyFlag::UnknownKey, VerifyFlag::Revoked,
                                         VerifyFlag::ChainError, VerifyFlag::NoCodeSigningEku,
                                         VerifyFlag::TrailingData});

template <std::size_t N>
bool among(const std::array<std::string_view, N>& list, std::string_view value) {
  return std::ranges::find(list, value) != list.end();
}

bool has_eku(const CertInfo& c, std::string_view oid) { return std::ranges::find(c.ekus, oid) != c.ekus.end(); }

std::string name_of(const CertInfo& c) { return "'" + (c.subject_cn.empty() ? c.subject : c.subject_cn) + "'"; }

/// "'leaf' -> 'CA' -> 'root'".
std::string path_text(const std::vector<CertInfo>& chain) {
  std::string out;
  for (const CertInfo& c : chain) out += (out.empty() ? "" : " -> ") + name_of(c);
  return out;
}

std::string date_of(const std::string& iso) { return iso.substr(0, 10); }

std::string where(const Signature& s) {
  if (const CatalogDetails* cat = s.catalog()) return "catalog " + cat->catalog_path;
  return (s.nested ? "nested signature " : "signature ") + std::to_string(s.index);
}

/// The verified path that ends at a kernel root: the signature's chain when a kernel root
/// anchors it, else the path through a cross-certificate (kernel_path.hpp) when it verified.
struct KernelPath {
  const std::vector<CertInfo>* chain = nullptr;
  std::string_view set;
};

std::optional<KernelPath> kernel_path(const Signature& s) {
  if (!s.anchor_set.empty() && !s.chain.empty() && is_kernel_root(s.chain.back().subject_cn))
    return KernelPath{&s.chain, s.anchor_set};
  if (!s.kernel_anchor_set.empty() && !s.kernel_chain.empty() && is_kernel_root(s.kernel_chain.back().subject_cn))
    return KernelPath{&s.kernel_chain, s.kernel_anchor_set};
  return std::nullopt;
}

KernelLoadDecision decided(KernelLoadDecision d, KernelLoad value, KernelLoadBasis basis, std::string reason) {
  d.value = value;
  d.basis = basis;
  d.reason = std::move(reason);
  return d;
}

KernelLoadDecision cross_signed(KernelLoadDecision d, const KernelPath& path, const std::string& head) {
  const std::vector<CertInfo>& chain = *path.chain;
  const CertInfo& leaf = chain.front();
  const std::string cross = chain.size() >= 2 ? "; cross-certificate for " + name_of(chain[chain.size() - 2]) +
                                                    " issued by Microsoft Code Verification Root"
                                              : "";
  const std::string issued = leaf.not_before.empty() ? std::string("at an unknown date") : date_of(leaf.not_before);
  if (!leaf.not_before.empty() && leaf.not_before < kCrossSigningCutoff)
    return decided(
        std::move(d), KernelLoad::LegacyCrossSigned, KernelLoadBasis::CrossSignedLegacy,
        head + ": cross-signed" + cross + "; end-entity certificate issued " + issued +
            ", before 2015-07-29: Windows 10 1607 and later still load it with Secure Boot on (the exception "
            "of Microsoft's driver signing policy); Windows 11 24H2 and later and Server 2025 under the "
            "kernel trust policy of April 2026 load cross-signed drivers only from Microsoft's allow list");
  return decided(std::move(d), KernelLoad::NotAllowed, KernelLoadBasis::CrossSignedLate,
                 head + ": cross-signed" + cross + "; end-entity certificate issued " + issued +
                     ", not before 2015-07-29: a clean install of Windows 10 1607 or later with Secure Boot on does "
                     "not load it; it loads only on machines upgraded from an earlier release or with Secure Boot off "
                     "(and, removed later by the compatibility assistant, as a boot driver)");
}

/// A path that a kernel root anchors: WHCP, Windows' own, cross-signed or Microsoft's test root.
KernelLoadDecision by_kernel_root(KernelLoadDecision d, const KernelPath& path, const std::string& who) {
  const std::vector<CertInfo>& chain = *path.chain;
  const CertInfo& leaf = chain.front();
  const std::string root = chain.back().subject_cn;
  const std::string head = who + ": " + path_text(chain) + " (anchor set " + std::string(path.set) + ")";
  if (root == kCodeVerificationRoot) return cross_signed(std::move(d), path, head);
  if (among(kTestRoots, root))
    return decided(std::move(d), KernelLoad::TestSigningOnly, KernelLoadBasis::TestSigned,
                   head + ": Microsoft's testing root; Windows loads it only with test signing on");
  bool whcp_ca = false;  // an issuing CA between the signer and the root
  for (std::size_t i = 1; i + 1 < chain.size(); ++i)
    whcp_ca = whcp_ca || std::ranges::any_of(kWhcpCaPrefixes,
                                             [&](std::string_view p) { return chain[i].subject_cn.starts_with(p); });
  const bool attested = has_eku(leaf, kEkuAttested);
  if (whcp_ca && (attested || has_eku(leaf, kEkuWhql)))
    return decided(std::move(d), KernelLoad::Allowed, KernelLoadBasis::Whcp,
                   head + ": Hardware Dev Center signature (" +
                       (attested ? "attestation, EKU 1.3.6.1.4.1.311.10.3.5.1" : "WHCP, EKU 1.3.6.1.4.1.311.10.3.5") +
                       "): Windows 10 1607 and later load it with Secure Boot on");
  if (has_eku(leaf, kEkuWindowsComponent))
    return decided(std::move(d), KernelLoad::Allowed, KernelLoadBasis::MicrosoftWindows,
                   head + ": signed by Microsoft as a Windows component (EKU 1.3.6.1.4.1.311.10.3.6)");
  return decided(std::move(d), KernelLoad::NotAllowed, KernelLoadBasis::MicrosoftRootNoDriverEku,
                 head +
                     ": Microsoft's root, but the signer has neither the Windows Hardware Driver Verification "
                     "EKU (1.3.6.1.4.1.311.10.3.5/.5.1) under a Third Party Component CA nor the Windows component "
                     "EKU (1.3.6.1.4.1.311.10.3.6) that the kernel-mode signing policy asks for");
}

/// The note on a cross-certificate that no anchor verified (kernel_path.hpp): the kernel path was
/// built but reached no kernel root anchor; what it would mean if Microsoft's root were given.
std::string unverified_cross(const Signature& s) {
  if (s.kernel_chain.empty() || !s.kernel_anchor_set.empty()) return {};
  const std::string& issued = s.kernel_chain.front().not_before;
  const bool legacy = !issued.empty() && issued < kCrossSigningCutoff;
  return "; it carries a cross-certificate issued under Microsoft Code Verification Root's name that no anchor "
         "verifies (that root is neither in Microsoft's root program nor among trustscan's anchors: give it with "
         "--trust-store); if it is genuine, the end-entity certificate issued " +
         (issued.empty() ? std::string("at an unknown date") : date_of(issued)) + " makes the driver " +
         (legacy ? "legacy_cross_signed" : "loadable only on upgraded or Secure-Boot-off machines");
}

/// An intact signature that no kernel root anchors: commercial (production anchors) or test.
KernelLoadDecision without_kernel_root(KernelLoadDecision d, const Signature& s, const std::string& who) {
  const std::string path = s.chain.empty() ? name_of(s.signer) : path_text(s.chain);
  const std::string cross = unverified_cross(s);
  if (!s.anchor_set.empty() && among(kProductionSets, s.anchor_set))
    return decided(std::move(d), KernelLoad::NotAllowed, KernelLoadBasis::CommercialOnly,
                   who + ": " + path + " (anchor set " + s.anchor_set +
                       ") has no Microsoft driver signature that verifies — no Hardware Dev Center (WHCP) chain, no "
                       "verified path to Microsoft Code Verification Root" +
                       cross + ": Windows 10 1607 and later load it only with test signing on");
  const CertInfo& top = s.chain.empty() ? s.signer : s.chain.back();
  std::string anchor;
  if (!s.anchor_set.empty())
    anchor = " is anchored only by " + s.anchor_set + " (not a production anchor set)";
  else
    anchor = " ends at " + name_of(top) + ", which no anchor set holds" +
             (top.subject_cn.starts_with("Microsoft") ? " (a Microsoft name, not Microsoft's key)" : "");
  return decided(std::move(d), KernelLoad::TestSigningOnly, KernelLoadBasis::TestSigned,
                 who + ": " + path + anchor + cross + ": a test signature; Windows loads it only with test signing on");
}

/// Higher is better: how widely Windows loads a driver on this ground.
int rank(KernelLoadBasis b) {
  switch (b) {
    case KernelLoadBasis::Whcp:
    case KernelLoadBasis::MicrosoftWindows: return 6;
    case KernelLoadBasis::CrossSignedLegacy: return 5;
    case KernelLoadBasis::CrossSignedLate: return 4;
    case KernelLoadBasis::TestSigned: return 3;
    case KernelLoadBasis::CommercialOnly:
    case KernelLoadBasis::MicrosoftRootNoDriverEku: return 2;
    case KernelLoadBasis::BadSignature: return 1;
    case KernelLoadBasis::Unsigned: break;
  }
  return 0;
}

/// What the image's own settings add to the reason.
void apply_state(KernelLoadDecision& d, const CodeIntegrityState& state) {
  const bool test_loadable = d.basis == KernelLoadBasis::TestSigned || d.basis == KernelLoadBasis::CommercialOnly ||
                             d.basis == KernelLoadBasis::MicrosoftRootNoDriverEku ||
                             d.basis == KernelLoadBasis::CrossSignedLate;
  if (state.test_signing && test_loadable)
    d.reason += *state.test_signing ? "; this image's boot configuration has test signing on: it loads here"
                                    : "; this image's boot configuration has test signing off";
  if (state.secure_boot && d.basis == KernelLoadBasis::CrossSignedLate)
    d.reason += *state.secure_boot ? "; this image's registry says Secure Boot is on: it does not load here unless "
                                     "the installation was upgraded from before Windows 10 1607"
                                   : "; this image's registry says Secure Boot is off: it loads here";
}

}  // namespace

bool is_microsoft_production_root(std::string_view cn) noexcept { return among(kProductionRoots, cn); }

bool is_kernel_root(std::string_view cn) noexcept {
  return is_microsoft_production_root(cn) || cn == kCodeVerificationRoot || among(kTestRoots, cn);
}

KernelLoadDecision kernel_load_of(const Signature& s, SignatureVerdict::Ref ref) {
  KernelLoadDecision d;
  d.signature = ref;
  const std::string who = where(s);
  if (s.status == SignatureStatus::Unsigned)
    return decided(std::move(d), KernelLoad::NotAllowed, KernelLoadBasis::Unsigned, who + " is absent");
  if (!integrity_ok(s.status, s.flags) || (s.flags & kFatal) != 0) {
    std::string flags;
    for (const std::string& f : flag_names(s.flags & kFatal)) flags += (flags.empty() ? "" : ", ") + f;
    return decided(std::move(d), KernelLoad::NotAllowed, KernelLoadBasis::BadSignature,
                   who + " is " + std::string(to_string(s.status)) + (flags.empty() ? "" : " (" + flags + ")") +
                       ": Windows does not load a driver on a signature that fails its checks");
  }
  if (auto path = kernel_path(s)) return by_kernel_root(std::move(d), *path, who);
  return without_kernel_root(std::move(d), s, who);
}

KernelLoadDecision decide_kernel_load(std::span<const Signature> own, std::span<const Signature> catalogs,
                                      const CodeIntegrityState& state) {
  std::optional<KernelLoadDecision> best;
  auto consider = [&](const Signature& s, SignatureVerdict::Ref ref) {
    KernelLoadDecision d = kernel_load_of(s, ref);
    if (!best || rank(d.basis) > rank(best->basis)) best = std::move(d);
  };
  for (std::size_t i = 0; i < own.size(); ++i)
    if (own[i].source == SignatureSource::Embedded) consider(own[i], {false, i});
  for (std::size_t i = 0; i < catalogs.size(); ++i) consider(catalogs[i], {true, i});
  if (!best) {
    best = decided({}, KernelLoad::NotAllowed, KernelLoadBasis::Unsigned,
                   "no Authenticode signature and no catalog lists it: Windows loads an unsigned driver only with "
                   "driver signature enforcement disabled at boot");
  }
  apply_state(*best, state);
  return *best;
}

}  // namespace trustscan::verify
