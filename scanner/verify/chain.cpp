#include "verify/chain.hpp"

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <iterator>
#include <optional>
#include <set>
#include <tuple>

#include "verify/image_trust_impl.hpp"
#include "verify/openssl_ptr.hpp"
#include "verify/trust_store_impl.hpp"
#include "verify/x509_util.hpp"

namespace trustscan::verify::detail {

namespace {

/// Bounds the problems recorded for one chain (a hostile bag of certificates could produce many).
constexpr std::size_t kMaxChainErrors = 32;

struct Problem {
  int error;
  int depth;
  std::string subject;
};

/// Collected by the verify callback; attached to the X509_STORE_CTX as its app data.
struct Collector {
  std::vector<Problem> problems;
};

/// Records every error and tells OpenSSL to carry on, so that one run reports all of them.
/// The final verdict is computed from the collected problems, never from OpenSSL's return value.
int collect_all(int ok, X509_STORE_CTX* ctx) {
  if (ok) return 1;
  auto* collector = static_cast<Collector*>(X509_STORE_CTX_get_app_data(ctx));
  if (collector == nullptr) return 0;
  const int error = X509_STORE_CTX_get_error(ctx);
  const int depth = X509_STORE_CTX_get_error_depth(ctx);
  const bool seen =
      std::any_of(collector->problems.begin(), collector->problems.end(),
                  [&](const Problem& p) { return p.error == error && p.depth == depth; });
  if (!seen && collector->problems.size() < kMaxChainErrors) {
    X509* cert = X509_STORE_CTX_get_current_cert(ctx);
    collector->problems.push_back(
        {error, depth,
         cert ? name_entry(X509_get_subject_name(cert), NID_commonName) : std::string{}});
  }
  return 1;
}

VerifyFlag flag_for(int error) {
  switch (error) {
    case X509_V_ERR_CERT_HAS_EXPIRED:
    case X509_V_ERR_ERROR_IN_CERT_NOT_AFTER_FIELD:
      return VerifyFlag::Expired;
    case X509_V_ERR_CERT_NOT_YET_VALID:
    case X509_V_ERR_ERROR_IN_CERT_NOT_BEFORE_FIELD:
      return VerifyFlag::NotYetValid;
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_CERT_UNTRUSTED:
    case X509_V_ERR_CERT_REJECTED:
      return VerifyFlag::UntrustedRoot;
    case X509_V_ERR_CERT_REVOKED:
      return VerifyFlag::Revoked;
    case X509_V_ERR_UNABLE_TO_GET_CRL:
    case X509_V_ERR_UNABLE_TO_GET_CRL_ISSUER:
    case X509_V_ERR_CRL_HAS_EXPIRED:
    case X509_V_ERR_CRL_NOT_YET_VALID:
    case X509_V_ERR_ERROR_IN_CRL_LAST_UPDATE_FIELD:
    case X509_V_ERR_ERROR_IN_CRL_NEXT_UPDATE_FIELD:
    case X509_V_ERR_CRL_SIGNATURE_FAILURE:
    case X509_V_ERR_UNABLE_TO_DECRYPT_CRL_SIGNATURE:
    case X509_V_ERR_DIFFERENT_CRL_SCOPE:
    case X509_V_ERR_KEYUSAGE_NO_CRL_SIGN:
      return VerifyFlag::RevocationNotChecked;
    default:
      return VerifyFlag::ChainError;
  }
}

bool has_eku(X509* cert, std::string_view oid) {
  auto* ekus = static_cast<EXTENDED_KEY_USAGE*>(X509_get_ext_d2i(cert, NID_ext_key_usage, nullptr, nullptr));
  ERR_clear_error();
  bool found = false;
  for (int i = 0; ekus != nullptr && i < sk_ASN1_OBJECT_num(ekus); ++i)
    found = found || oid_is(sk_ASN1_OBJECT_value(ekus, i), oid);
  EXTENDED_KEY_USAGE_free(ekus);
  return found;
}

bool leaf_usage_ok(X509* leaf, LeafUsage usage) {
  // X509_get_extended_key_usage returns all bits set when the extension is absent.
  const std::uint32_t xku = X509_get_extended_key_usage(leaf);
  const bool has_eku_extension = (X509_get_extension_flags(leaf) & EXFLAG_XKUSAGE) != 0;
  switch (usage) {
    case LeafUsage::CodeSigning:
      return !has_eku_extension || (xku & XKU_CODE_SIGN) != 0;
    case LeafUsage::TimeStamping:
      return has_eku_extension && (xku & XKU_TIMESTAMP) != 0;
    case LeafUsage::RootListSigner:
      return has_eku(leaf, kOidRootListSigner);
  }
  return false;
}

/// Whether a CA certificate of the path allows `usage`: without an EKU extension it does not
/// restrict (RFC 5280 leaves EKUs to end entities; Windows intersects the usages of every
/// certificate of the path that carries them, anyExtendedKeyUsage allowing all).
bool ca_allows(X509* ca, LeafUsage usage) {
  if ((X509_get_extension_flags(ca) & EXFLAG_XKUSAGE) == 0) return true;
  const std::uint32_t xku = X509_get_extended_key_usage(ca);
  if ((xku & XKU_ANYEKU) != 0) return true;
  switch (usage) {
    case LeafUsage::CodeSigning: return (xku & XKU_CODE_SIGN) != 0;
    case LeafUsage::TimeStamping: return (xku & XKU_TIMESTAMP) != 0;
    case LeafUsage::RootListSigner: return true;  // Microsoft's CTL signing CAs are not checked
  }
  return true;
}

/// The purpose an anchor must allow for a chain verified for `usage`.
std::string_view purpose_of(LeafUsage usage) {
  switch (usage) {
    case LeafUsage::CodeSigning: return kPurposeCodeSigning;
    case LeafUsage::TimeStamping: return kPurposeTimeStamping;
    case LeafUsage::RootListSigner: break;
  }
  return "";
}

/// One path-building run of OpenSSL against `store`.
struct Attempt {
  std::vector<Problem> problems;
  std::vector<CertInfo> chain;
  /// The CAs of `chain` (above the leaf) whose EKU extension does not allow the usage.
  std::vector<std::string> cas_refusing_usage;
  bool initialised = false;
};

Attempt build_path(X509_STORE* store, X509* leaf, STACK_OF(X509) * untrusted, std::int64_t at_unix,
                   bool revocation, LeafUsage usage) {
  Attempt attempt;
  X509StoreCtxPtr ctx(X509_STORE_CTX_new());
  if (!store || !ctx || X509_STORE_CTX_init(ctx.get(), store, leaf, untrusted) != 1) {
    ERR_clear_error();
    return attempt;
  }
  attempt.initialised = true;
  Collector collector;
  X509_STORE_CTX_set_app_data(ctx.get(), &collector);
  X509_STORE_CTX_set_verify_cb(ctx.get(), collect_all);
  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
  unsigned long flags = X509_V_FLAG_PARTIAL_CHAIN;  // any store certificate is an anchor
  if (revocation) flags |= X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL;
  X509_VERIFY_PARAM_set_flags(param, flags);
  X509_VERIFY_PARAM_set_time(param, static_cast<time_t>(at_unix));

  (void)X509_verify_cert(ctx.get());  // verdict comes from the collected problems
  ERR_clear_error();
  attempt.problems = std::move(collector.problems);
  if (STACK_OF(X509)* built = X509_STORE_CTX_get0_chain(ctx.get())) {
    const int n = sk_X509_num(built);
    for (int i = 0; i < n; ++i) {
      X509* cert = sk_X509_value(built, i);
      attempt.chain.push_back(cert_info(cert));
      const CertInfo& info = attempt.chain.back();
      if (i > 0 && !ca_allows(cert, usage))
        attempt.cas_refusing_usage.push_back(info.subject_cn.empty() ? info.subject : info.subject_cn);
    }
  }
  return attempt;
}

/// The leaf's extended key usage, and every CA's that carries one, must allow `usage`.
void check_usage(X509* leaf, const Attempt& attempt, LeafUsage usage, ChainResult& result) {
  const VerifyFlag flag = usage == LeafUsage::CodeSigning ? VerifyFlag::NoCodeSigningEku : VerifyFlag::ChainError;
  const std::string_view what = usage == LeafUsage::CodeSigning    ? "code-signing"
                                : usage == LeafUsage::TimeStamping ? "time-stamping"
                                                                   : "root-list-signer";
  if (!leaf_usage_ok(leaf, usage)) {
    add_flag(result.flags, flag);
    result.errors.push_back(std::string(usage == LeafUsage::TimeStamping ? "timestamp" : "signer") +
                            " certificate lacks the " + std::string(what) + " extended key usage");
  }
  for (const std::string& ca : attempt.cas_refusing_usage) {
    add_flag(result.flags, flag);
    result.errors.push_back("CA certificate " + ca + " has extended key usages without " + std::string(what));
  }
}

bool reaches_untrusted_root(const std::vector<Problem>& problems) {
  return std::any_of(problems.begin(), problems.end(),
                     [](const Problem& p) { return flag_for(p.error) == VerifyFlag::UntrustedRoot; });
}

/// The set of the first entry of the path's top certificate that allows the chain; "" (and
/// `refusals` filled) when no entry does or the top is no anchor.
std::string allowing_set(const TrustStore::Impl& trust, const std::string& top, std::string_view purpose,
                         std::int64_t at_unix, std::optional<std::int64_t> leaf_not_before,
                         std::vector<std::string>& refusals) {
  auto it = trust.by_thumbprint.find(top);
  if (it == trust.by_thumbprint.end()) return {};
  for (std::size_t i : it->second) {
    const TrustAnchor& anchor = trust.decoded_anchors()[i];
    auto refusal = anchor_refusal(anchor.policy, purpose, at_unix, leaf_not_before);
    if (!refusal) return anchor.set;
    const std::string who = anchor.name.empty() ? anchor.subject : anchor.name;
    refusals.push_back("anchor " + who + " (" + anchor.set + ") does not anchor this chain: " + *refusal);
  }
  return {};
}

/// When a path stops below an anchor the purpose's store left out (its program entry never
/// allows the purpose), says so: "untrusted" alone would hide that the root is known.
void explain_left_out(const TrustStore::Impl& trust, const std::vector<CertInfo>& chain, std::string_view purpose,
                      std::int64_t at_unix, std::optional<std::int64_t> leaf_not_before,
                      std::vector<std::string>& refusals) {
  if (chain.empty() || purpose.empty()) return;
  for (const TrustAnchor& anchor : trust.decoded_anchors()) {
    if (anchor.subject != chain.back().issuer || may_anchor(anchor.policy, purpose)) continue;
    if (auto refusal = anchor_refusal(anchor.policy, purpose, at_unix, leaf_not_before))
      refusals.push_back("anchor " + (anchor.name.empty() ? anchor.subject : anchor.name) + " (" + anchor.set +
                         ") does not anchor this chain: " + *refusal);
  }
}

/// The certificates a path may use besides the anchors: the signature's own and the image's CA
/// store; nullptr when the image adds none (use `untrusted` as it is).
X509StackViewPtr with_image_intermediates(STACK_OF(X509) * untrusted, const ImageTrust* image) {
  if (image == nullptr || image->impl().intermediates.empty()) return nullptr;
  X509StackViewPtr pool(untrusted != nullptr ? sk_X509_dup(untrusted) : sk_X509_new_null());
  for (const X509Ptr& c : image->impl().intermediates)
    if (pool) sk_X509_push(pool.get(), c.get());
  return pool;
}

/// A path to a root of the image's ROOT/AuthRoot stores (for a chain the anchor set does not
/// anchor), with the key of the store holding that root.
struct MachinePath {
  Attempt attempt;
  std::string location;
};
std::optional<MachinePath> machine_path(const ImageTrust* image, X509* leaf, STACK_OF(X509) * pool,
                                        std::int64_t at_unix, LeafUsage usage) {
  if (image == nullptr || !image->impl().roots) return std::nullopt;
  Attempt attempt = build_path(image->impl().roots.get(), leaf, pool, at_unix, false, usage);
  if (!attempt.initialised || attempt.chain.empty() || reaches_untrusted_root(attempt.problems)) return std::nullopt;
  const auto& roots = image->impl().roots_by_thumbprint;
  auto it = roots.find(attempt.chain.back().thumbprint_sha256);
  if (it == roots.end()) return std::nullopt;
  return MachinePath{std::move(attempt), it->second.front().location};
}

/// What the image's stores add to a built chain: the trust basis of an anchored one, the
/// Disallowed certificates of the path, the clock instants of the stores' certificates.
void apply_image_stores(const ImageTrust* image, bool machine_only, std::int64_t at_unix, ChainResult& result) {
  if (result.anchored) {
    const bool machine_root = image != nullptr && !result.chain.empty() &&
                              image->impl().roots_by_thumbprint.contains(result.chain.back().thumbprint_sha256);
    result.trust_basis = machine_only ? kTrustMachineOnly : machine_root ? kTrustProgramAndMachine : kTrustProgram;
    if (machine_only) add_flag(result.flags, VerifyFlag::ImageOnlyRoot);
  }
  if (machine_only) add_flag(result.flags, VerifyFlag::RevocationNotChecked);  // the image has no CRLs
  if (image == nullptr) return;
  for (const CertInfo& c : result.chain) {
    auto it = image->impl().disallowed_by_thumbprint.find(c.thumbprint_sha256);
    if (it == image->impl().disallowed_by_thumbprint.end()) continue;
    add_flag(result.flags, VerifyFlag::Disallowed);
    for (const ImageTrust::Impl::Entry& e : it->second)
      result.errors.push_back("certificate " + (c.subject_cn.empty() ? c.subject : c.subject_cn) + " (SHA-1 " + e.sha1 +
                              ") is in the image's Disallowed store " + e.location);
  }
  const auto& instants = image->impl().clock_instants;  // sorted
  const auto next = std::upper_bound(instants.begin(), instants.end(), at_unix);
  if (next != instants.end()) result.window.split_at(*next, at_unix);
  if (next != instants.begin()) result.window.split_at(*std::prev(next), at_unix);
}

}  // namespace

void narrow_by_validity(ClockWindow& window, const X509* cert, std::int64_t at_unix) noexcept {
  if (cert == nullptr) return;
  for (const ASN1_TIME* t : {X509_get0_notBefore(cert), X509_get0_notAfter(cert)})
    if (auto instant = t ? to_unix(t) : std::nullopt) window.split_at(*instant, at_unix);
}

ChainResult verify_chain(const TrustStore* trust, X509* leaf, STACK_OF(X509) * own_certificates, std::int64_t at_unix,
                         LeafUsage usage, const ImageTrust* image, const std::set<std::string>& excluded_anchors) {
  ChainResult result;
  if (leaf == nullptr) {
    add_flag(result.flags, VerifyFlag::ChainError);
    result.errors.emplace_back("no signer certificate");
    return result;
  }
  const X509StackViewPtr pool = with_image_intermediates(own_certificates, image);
  STACK_OF(X509)* untrusted = pool ? pool.get() : own_certificates;
  const std::string_view purpose = purpose_of(usage);
  const bool revocation = trust != nullptr && trust->checks_revocation();
  const std::optional<std::int64_t> leaf_not_before = to_unix(X509_get0_notBefore(leaf));

  // Without a trust store, still build what can be built (for the report) against an empty store.
  std::set<std::string> excluded = trust != nullptr ? excluded_anchors : std::set<std::string>{};
  X509StorePtr store_owner;
  if (trust == nullptr)
    store_owner.reset(X509_STORE_new());
  else if (!excluded.empty())
    store_owner = trust->impl().store_without(purpose, excluded);
  // A failed store stays null: build_path then reports that verification could not start.
  X509_STORE* store = trust != nullptr && excluded.empty() ? trust->impl().store_for(purpose) : store_owner.get();
  int retries = 0;
  std::vector<std::string> refusals;
  Attempt attempt = build_path(store, leaf, untrusted, at_unix, revocation, usage);
  while (trust != nullptr && attempt.initialised && !attempt.chain.empty() && !reaches_untrusted_root(attempt.problems)) {
    const std::string& top = attempt.chain.back().thumbprint_sha256;
    if (!trust->impl().by_thumbprint.contains(top)) break;
    result.anchor_set = allowing_set(trust->impl(), top, purpose, at_unix, leaf_not_before, refusals);
    if (!result.anchor_set.empty() || retries++ >= kMaxAnchorRetries) break;
    // Refused at this time: look for a path to another anchor; without one, report this path.
    excluded.insert(top);
    store_owner = trust->impl().store_without(purpose, excluded);
    Attempt retry = build_path(store_owner.get(), leaf, untrusted, at_unix, revocation, usage);
    if (!retry.initialised || retry.chain.empty() || reaches_untrusted_root(retry.problems)) break;
    attempt = std::move(retry);
  }
  bool machine_only = false;  // no anchor of the set took the chain: a root of the image's own?
  if (result.anchor_set.empty())
    if (auto machine = machine_path(image, leaf, untrusted, at_unix, usage)) {
      attempt = std::move(machine->attempt);
      result.anchor_set = std::string(kImageAnchorSetPrefix) + machine->location;
      refusals.clear();
      machine_only = true;
    }
  if (!attempt.initialised) {
    add_flag(result.flags, VerifyFlag::ChainError);
    result.errors.emplace_back("cannot initialise certificate verification");
    return result;
  }

  for (const Problem& p : attempt.problems) {
    add_flag(result.flags, flag_for(p.error));
    result.errors.push_back(std::string(X509_verify_cert_error_string(p.error)) + " (" +
                            (p.subject.empty() ? "depth " + std::to_string(p.depth) : p.subject) +
                            ")");
  }
  // Report the path, and require independently that its top is one of our anchors and allows it.
  result.chain = std::move(attempt.chain);
  result.anchored = !result.anchor_set.empty() && !has_flag(result.flags, VerifyFlag::UntrustedRoot);
  if (!result.anchored) {
    // Why no anchor took the chain (a path found through another anchor needs no explaining).
    result.anchor_set.clear();
    if (refusals.empty() && trust != nullptr)
      explain_left_out(trust->impl(), result.chain, purpose, at_unix, leaf_not_before, refusals);
    result.errors.insert(result.errors.end(), refusals.begin(), refusals.end());
  }
  if (!result.anchored && !has_flag(result.flags, VerifyFlag::UntrustedRoot)) {
    add_flag(result.flags, VerifyFlag::UntrustedRoot);
    if (refusals.empty()) result.errors.emplace_back("chain does not end at a trust anchor");
  }

  apply_image_stores(image, machine_only, at_unix, result);
  check_usage(leaf, attempt, usage, result);
  if (!revocation) add_flag(result.flags, VerifyFlag::RevocationNotChecked);

  narrow_by_validity(result.window, leaf, at_unix);
  for (int i = 0; untrusted != nullptr && i < sk_X509_num(untrusted); ++i)
    narrow_by_validity(result.window, sk_X509_value(untrusted, i), at_unix);
  if (trust != nullptr) {
    const auto& instants = trust->impl().instants();  // sorted
    const auto next = std::upper_bound(instants.begin(), instants.end(), at_unix);
    if (next != instants.end()) result.window.split_at(*next, at_unix);
    if (next != instants.begin()) result.window.split_at(*std::prev(next), at_unix);
  }
  return result;
}

}  // namespace trustscan::verify::detail
