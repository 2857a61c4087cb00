#pragma once
/// \file
/// A Windows image's own certificate stores as the chain builder uses them (issue 16): the roots
/// its machine trusts besides the anchor set in use (ROOT, AuthRoot), the intermediates it offers
/// for path building (CA) and the certificates it distrusts (Disallowed). windows/ reads them from
/// the image's hives (certificate_stores.hpp); verify/ never includes windows/.
///
/// Semantics (docs/authenticode.md, "The image's own stores"), for a signature of a file inside
/// that image only:
///  - the chain is first built to the anchor set in use, with the image's CA certificates as
///    further intermediates; a chain anchored there is trusted by the program — `trust_basis`
///    "program", or "program_and_machine" when the image's ROOT/AuthRoot store holds that root too;
///  - otherwise a chain ending at a root of the image's ROOT/AuthRoot stores is trusted "by this
///    machine only": status as the machine decides it, `trust_basis` "machine_only", flag
///    `image_only_root`, the anchor set named after the store ("windows-image:<store path>");
///  - any certificate of the path (leaf, intermediate or root) in a Disallowed store makes the
///    signature invalid for that image: flag `disallowed`, an error naming the store and the
///    certificate's SHA-1 thumbprint (as Windows names it).
/// TrustedPublisher is read and counted but does not change a chain (it is WinVerifyTrust's
/// publisher policy, not path trust). Plain header: no OpenSSL (the Impl is in image_trust.cpp).

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace trustscan::verify {

/// One certificate of an image's store, as windows/ found it.
struct ImageStoreCertificate {
  std::string store;              ///< the store's name as the registry spells it: "ROOT", "AuthRoot", "CA", ...
  std::string location;           ///< the store's key, e.g. "SOFTWARE\Policies\Microsoft\SystemCertificates\ROOT"
  std::string key;                ///< the certificate's key name (Windows: its SHA-1 thumbprint, upper case)
  std::vector<std::uint8_t> der;  ///< the encoded certificate (CERT_CERT_PROP_ID of the Blob)
};

/// What a store contributes to the chain builder.
enum class ImageStoreRole { Root, Intermediate, Disallowed, Counted };

/// The role of a store by its name (case-insensitive): ROOT and AuthRoot are roots, CA offers
/// intermediates, Disallowed distrusts; any other store (TrustedPublisher, ...) is only counted.
[[nodiscard]] ImageStoreRole role_of_store(std::string_view store) noexcept;

/// Values of Signature::trust_basis.
inline constexpr std::string_view kTrustProgram = "program";
inline constexpr std::string_view kTrustProgramAndMachine = "program_and_machine";
inline constexpr std::string_view kTrustMachineOnly = "machine_only";
/// The prefix of the anchor set a machine-only chain names: "windows-image:" + the store's key.
inline constexpr std::string_view kImageAnchorSetPrefix = "windows-image:";

/// The stores of one Windows image, ready for chain building. Immutable once built, shared by
/// every thread verifying files of the image; copies share one state.
class ImageTrust {
 public:
  /// An image without stores (changes nothing).
  ImageTrust();
  /// Parses every certificate of `certificates`; one that does not parse is skipped with a line
  /// in `warnings` naming its store and key (a bad blob never stops the scan).
  [[nodiscard]] static ImageTrust build(const std::vector<ImageStoreCertificate>& certificates,
                                        std::vector<std::string>& warnings);

  /// True when no store holds a usable root, intermediate or distrusted certificate.
  [[nodiscard]] bool empty() const noexcept;
  /// Certificates loaded per store key ("SOFTWARE\Microsoft\SystemCertificates\ROOT" -> 3).
  [[nodiscard]] const std::map<std::string, std::size_t>& counts() const noexcept;
  /// Lower-case hex SHA-256 over the stores' certificates and roles: equal fingerprints verify
  /// alike (the scan cache compares it, docs/cache.md); "" when empty().
  [[nodiscard]] const std::string& fingerprint() const noexcept;

  /// OpenSSL-side state; defined in image_trust.cpp, used only inside verify/.
  struct Impl;
  [[nodiscard]] const Impl& impl() const noexcept { return *impl_; }

 private:
  explicit ImageTrust(std::shared_ptr<const Impl> impl) noexcept;
  std::shared_ptr<const Impl> impl_;
};

}  // namespace trustscan::verify
