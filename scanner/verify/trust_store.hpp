#pragma once
/// \file
/// The certificates trustscan treats as trust anchors for code signatures, in named anchor sets,
/// plus optional offline certificate revocation lists. Loaded once at start-up, immutable
/// afterwards.
///
/// Thread safety: after loading a TrustStore is only read. Each verification builds its own
/// X509_STORE_CTX (see chain.hpp), so one TrustStore may serve any number of threads at once.
///
/// Anchor semantics: every certificate found is an anchor, whether self-signed or not. This is how
/// UEFI firmware treats its db (the Microsoft UEFI CA 2011 anchors shim although it is itself
/// issued by another root) and lets users pin an intermediate; it is implemented with OpenSSL's
/// X509_V_FLAG_PARTIAL_CHAIN. Nothing is ever trusted that does not chain to one of these anchors.
///
/// Anchor sets (docs/datasets.md): every anchor belongs to a named set ("microsoft-root-program",
/// "trustscan-builtin", "uefi", "debian-secure-boot", a --trust-store directory), and every chain
/// verdict names the set whose anchor made it trusted. An anchor may carry the restrictions of
/// the root program it came from (AnchorPolicy): the purposes it is trusted for, the date from
/// which it is disabled, the date after which certificates issued under it are not trusted.
/// Anchors loaded from directories carry none.

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "verify/cert_info.hpp"

namespace trustscan::verify {

/// Extended key usages a chain is verified for; an anchor restricted by a root program anchors
/// only the purposes its entry lists.
inline constexpr std::string_view kPurposeCodeSigning = "1.3.6.1.5.5.7.3.3";
inline constexpr std::string_view kPurposeTimeStamping = "1.3.6.1.5.5.7.3.8";

/// What a root program says about one of its roots (Microsoft's authroot.stl entry properties;
/// docs/datasets.md says how Windows applies each one and how trustscan does). Times are Unix
/// seconds. A default-constructed policy restricts nothing.
struct AnchorPolicy {
  /// CERT_ENHKEY_USAGE_PROP_ID (9): the only purposes (EKU OIDs) the root is trusted for;
  /// nullopt = every purpose.
  std::optional<std::vector<std::string>> purposes;
  /// CERT_DISALLOWED_FILETIME_PROP_ID (104): "disabled" from this time on. A chain verified at
  /// or after it (at the timestamp of a timestamped signature, else at the scan clock) is not
  /// anchored; signatures timestamped before it stay valid.
  std::optional<std::int64_t> disabled_from;
  /// CERT_DISALLOWED_ENHKEY_USAGE_PROP_ID (122): the purposes `disabled_from` applies to (empty =
  /// all); without `disabled_from` these purposes are disabled outright.
  std::vector<std::string> disabled_purposes;
  /// CERT_NOT_BEFORE_FILETIME_PROP_ID (126): end-entity certificates issued (notBefore) at or
  /// after this time are not trusted under this root.
  std::optional<std::int64_t> not_before;
  /// CERT_NOT_BEFORE_ENHKEY_USAGE_PROP_ID (127): the purposes `not_before` applies to (empty =
  /// all); without `not_before` these purposes are not trusted at all.
  std::vector<std::string> not_before_purposes;
  friend bool operator==(const AnchorPolicy&, const AnchorPolicy&) = default;
};

/// Why `policy` keeps its anchor from anchoring a chain for `purpose` (an EKU OID; "" = no
/// particular purpose, which only the unconditional restrictions refuse) verified at `at_unix`
/// whose end-entity certificate was issued at `leaf_not_before`; nullopt when it does not.
[[nodiscard]] std::optional<std::string> anchor_refusal(const AnchorPolicy& policy, std::string_view purpose,
                                                        std::int64_t at_unix, std::optional<std::int64_t> leaf_not_before);
/// False when `policy` refuses `purpose` whatever the time and the chain (purposes, purposes
/// disabled or not-before-restricted without a date).
[[nodiscard]] bool may_anchor(const AnchorPolicy& policy, std::string_view purpose);

/// One anchor, for `--list-trust`-style output and provenance checks.
struct TrustAnchor {
  std::string subject;            ///< RFC 2253 DN
  std::string thumbprint_sha256;  ///< lower-case hex of the DER certificate
  std::filesystem::path file;     ///< where it was loaded from
  std::string set;                ///< the anchor set it belongs to
  std::string name;               ///< the program's friendly name ("" for anchors from directories)
  AnchorPolicy policy;            ///< restrictions (none for anchors from directories)
};

/// A certificate given to TrustStore::load_sets() with the restrictions of its program.
struct AnchorCertificate {
  std::vector<std::uint8_t> der;  ///< the DER certificate
  std::string name;               ///< friendly name, "" if none
  AnchorPolicy policy;
};

/// One named anchor set to load: certificates from directories (unrestricted) and/or given
/// certificates with their restrictions.
struct AnchorSetSpec {
  std::string name;                              ///< unique among the sets of one store
  std::vector<std::filesystem::path> dirs;       ///< every certificate file directly in these
  std::vector<AnchorCertificate> certificates;   ///< e.g. an imported root program
  std::filesystem::path origin;                  ///< where `certificates` came from (reports)
};

/// A loaded anchor set, as reports name it.
struct AnchorSetInfo {
  std::string name;
  std::string origin;       ///< directory or data set it was loaded from
  std::size_t anchors = 0;  ///< certificates it holds (an anchor may be in several sets)
  std::size_t restricted = 0;  ///< of them, anchors carrying an AnchorPolicy restriction
  friend bool operator==(const AnchorSetInfo&, const AnchorSetInfo&) = default;
};

/// A certificate read from a file: its DER encoding and its report view.
struct ParsedCertificate {
  std::vector<std::uint8_t> der;
  CertInfo info;
};

/// Every certificate in `pem_or_der` (PEM text with any number of certificates, or one DER
/// certificate); empty when none can be parsed.
[[nodiscard]] std::vector<ParsedCertificate> read_certificates(std::span<const std::byte> pem_or_der);

/// The DER bytes of every CERTIFICATE block of the PEM text `pem`, in order, without decoding
/// the certificates (TrustStore::load_sets decodes them once; decoding is most of its cost).
[[nodiscard]] std::vector<std::vector<std::uint8_t>> pem_certificate_blocks(std::span<const std::byte> pem);

class TrustStore {
 public:
  // Certificate files are read from each directory as verify/certificate_file.hpp says: files
  // named *.pem, *.crt, *.cer or *.der (any case; others, such as README.md, are ignored), PEM with
  // any number of certificates or DER with one, at most 32 MiB each.
  /// Files with these extensions are read from the CRL directory (PEM or DER, several per PEM
  /// file).
  static constexpr std::array<std::string_view, 3> kCrlExtensions = {".crl", ".pem", ".der"};
  /// At most this many anchors / CRLs in total (a mistaken directory must not load forever).
  static constexpr std::size_t kMaxEntries = 10'000;

  /// Loads every certificate from each directory in `anchor_dirs` (not recursive; files in name
  /// order) and, if `crl_dir` is given, every CRL from it. Each directory is an anchor set named
  /// after its path.
  ///
  /// Errors (Errc::Config), each naming the offending path: a directory that does not exist or
  /// cannot be listed, a file that cannot be read, a certificate file that holds no parsable
  /// certificate, a CRL file that holds no parsable CRL, no certificate at all, or too many
  /// entries.
  [[nodiscard]] static Result<TrustStore> load(
      const std::vector<std::filesystem::path>& anchor_dirs,
      const std::optional<std::filesystem::path>& crl_dir = std::nullopt);

  /// Loads the anchor sets `sets` (in this order: a certificate in several sets is one anchor,
  /// trusted through the first set whose restrictions allow the chain) and the CRLs of
  /// `crl_dir`. Errors as load(), and: two sets of one name, a given certificate that cannot be
  /// parsed (naming its set and position).
  [[nodiscard]] static Result<TrustStore> load_sets(
      const std::vector<AnchorSetSpec>& sets,
      const std::optional<std::filesystem::path>& crl_dir = std::nullopt);

  TrustStore(TrustStore&&) noexcept;
  TrustStore& operator=(TrustStore&&) noexcept;
  TrustStore(const TrustStore&) = delete;
  TrustStore& operator=(const TrustStore&) = delete;
  ~TrustStore();

  /// Every anchor, in load order (a certificate in several sets once per set). Decodes the
  /// certificates first (their subjects), as the first verification does.
  [[nodiscard]] const std::vector<TrustAnchor>& anchors() const;
  /// How many anchors anchors() lists, without decoding them.
  [[nodiscard]] std::size_t anchor_count() const noexcept;
  /// The anchor sets, in load order.
  [[nodiscard]] const std::vector<AnchorSetInfo>& sets() const noexcept;
  /// Number of CRLs loaded from the CRL directory.
  [[nodiscard]] std::size_t crl_count() const noexcept;
  /// True when a CRL directory was given: chains are then checked for revocation, and a
  /// certificate without a matching CRL is reported as revocation_not_checked.
  [[nodiscard]] bool checks_revocation() const noexcept;

  /// Lower-case hex SHA-256 identifying exactly these anchors (their DER encodings, sets and
  /// restrictions, in a canonical order), CRLs and whether revocation is checked: equal
  /// fingerprints verify alike. The scan cache (docs/cache.md) is void when it changes.
  [[nodiscard]] const std::string& fingerprint() const noexcept;
  /// OpenSSL-side state; defined in trust_store_impl.hpp, used only inside verify/.
  struct Impl;
  [[nodiscard]] const Impl& impl() const noexcept { return *impl_; }

 private:
  explicit TrustStore(std::unique_ptr<Impl> impl) noexcept;
  std::unique_ptr<Impl> impl_;
};

}  // namespace trustscan::verify
