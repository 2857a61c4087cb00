#pragma once
/// \file
/// The set of certificates trustscan treats as trust anchors for code signatures, plus optional
/// offline certificate revocation lists. Loaded once at start-up, immutable afterwards.
///
/// Thread safety: after load() a TrustStore is only read. Each verification builds its own
/// X509_STORE_CTX (see chain.hpp), so one TrustStore may serve any number of threads at once.
///
/// Anchor semantics: every certificate found is an anchor, whether self-signed or not. This is how
/// UEFI firmware treats its db (the Microsoft UEFI CA 2011 anchors shim although it is itself
/// issued by another root) and lets users pin an intermediate; it is implemented with OpenSSL's
/// X509_V_FLAG_PARTIAL_CHAIN. Nothing is ever trusted that does not chain to one of these anchors.

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace trustscan::verify {

/// One anchor, for `--list-trust`-style output and provenance checks.
struct TrustAnchor {
  std::string subject;            ///< RFC 2253 DN
  std::string thumbprint_sha256;  ///< lower-case hex of the DER certificate
  std::filesystem::path file;     ///< where it was loaded from
};

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
  /// order) and, if `crl_dir` is given, every CRL from it.
  ///
  /// Errors (Errc::Config), each naming the offending path: a directory that does not exist or
  /// cannot be listed, a file that cannot be read, a certificate file that holds no parsable
  /// certificate, a CRL file that holds no parsable CRL, no certificate at all, or too many
  /// entries.
  [[nodiscard]] static Result<TrustStore> load(
      const std::vector<std::filesystem::path>& anchor_dirs,
      const std::optional<std::filesystem::path>& crl_dir = std::nullopt);

  TrustStore(TrustStore&&) noexcept;
  TrustStore& operator=(TrustStore&&) noexcept;
  TrustStore(const TrustStore&) = delete;
  TrustStore& operator=(const TrustStore&) = delete;
  ~TrustStore();

  /// Every anchor, in load order.
  [[nodiscard]] const std::vector<TrustAnchor>& anchors() const noexcept;
  /// Number of CRLs loaded from the CRL directory.
  [[nodiscard]] std::size_t crl_count() const noexcept;
  /// True when a CRL directory was given: chains are then checked for revocation, and a
  /// certificate without a matching CRL is reported as revocation_not_checked.
  [[nodiscard]] bool checks_revocation() const noexcept;

  /// Lower-case hex SHA-256 identifying exactly these anchors and CRLs (their DER encodings, in
  /// a canonical order) and whether revocation is checked: equal fingerprints verify alike. The
  /// scan cache (docs/cache.md) is void when it changes.
  [[nodiscard]] const std::string& fingerprint() const noexcept;
  /// OpenSSL-side state; defined in trust_store_impl.hpp, used only inside verify/.
  struct Impl;
  [[nodiscard]] const Impl& impl() const noexcept { return *impl_; }

 private:
  explicit TrustStore(std::unique_ptr<Impl> impl) noexcept;
  std::unique_ptr<Impl> impl_;
};

}  // namespace trustscan::verify
