#pragma once
/// \file
/// A Windows image's own certificate stores, read from its hives (issue 16): the machine's stores
/// in the SOFTWARE hive (`Microsoft\SystemCertificates\<store>\Certificates\<thumbprint>\Blob`, and
/// the Group Policy ones under `Policies\Microsoft\SystemCertificates`) and a user's in the user's
/// NTUSER.DAT (`Software\Microsoft\SystemCertificates`, `Software\Policies\...`). The stores read are
/// kStores; verify/image_trust.hpp says what each one does to a chain.
///
/// Each `Blob` value is a serialized certificate store element, as CertSerializeCertificateStoreElement
/// writes it ([MS-GPEF] 2.2.1.1.1, "Certificate Store Element"): a sequence of properties, each
/// {PropertyID u32, Reserved u32, Length u32, Value[Length]} little-endian; the certificate itself
/// is property 32 (CERT_CERT_PROP_ID) holding its DER encoding. tools/make_test_hive.py writes them.
///
/// hivex-free header (the reading is in certificate_stores.cpp through windows/hive.hpp). A blob
/// that cannot be parsed is a warning naming its key, never an error of the image; every loop
/// and size is bounded (the k* constants).

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "verify/image_trust.hpp"

namespace trustscan::windows {

/// The stores read from each location, as the registry names them.
inline constexpr std::array<std::string_view, 5> kStores = {"ROOT", "AuthRoot", "CA", "Disallowed", "TrustedPublisher"};
/// CERT_CERT_PROP_ID: the property holding the encoded certificate.
inline constexpr std::uint32_t kCertPropertyId = 32;
/// CERT_FRIENDLY_NAME_PROP_ID: the certificate's display name, UTF-16LE with a terminating NUL.
inline constexpr std::uint32_t kFriendlyNamePropertyId = 11;
/// At most this many properties are read from one blob (real ones have 3-15).
inline constexpr std::size_t kMaxBlobProperties = 256;
/// A Blob value larger than this is not read (real ones are 1-10 KiB).
inline constexpr std::size_t kMaxBlobBytes = 1 << 20;
/// At most this many certificates are read from one store (AuthRoot holds up to ~450).
inline constexpr std::size_t kMaxStoreCertificates = 10'000;

/// What a Blob holds.
struct CertificateBlob {
  std::vector<std::uint8_t> der;  ///< property 32: the encoded certificate
  std::string friendly_name;      ///< property 11 as UTF-8, "" if absent
  std::size_t properties = 0;     ///< properties read (the certificate included)
};

/// Parses a serialized certificate store element. Errors (Malformed), naming the offset: a
/// property header or value cut short by the end of the blob, more than kMaxBlobProperties
/// properties, no property 32, a property 32 that is not one DER SEQUENCE filling it exactly.
[[nodiscard]] Result<CertificateBlob> parse_certificate_blob(std::span<const std::uint8_t> blob);

/// Where stores are looked for in a hive, and how reports name that place.
struct StoreLocation {
  std::vector<std::string> path;  ///< keys from the hive's root to `SystemCertificates`
  std::string label;              ///< e.g. "SOFTWARE\Microsoft\SystemCertificates"
};

/// The machine's store locations in a SOFTWARE hive (labels start with "SOFTWARE\").
[[nodiscard]] std::vector<StoreLocation> machine_store_locations();
/// A user's store locations in an NTUSER.DAT (labels start with `hive_label`, e.g.
/// "Users\alice\NTUSER.DAT").
[[nodiscard]] std::vector<StoreLocation> user_store_locations(std::string_view hive_label);

/// The certificates of the stores of one hive.
struct CertificateStores {
  /// Every certificate read, in hive order; `location` is the store's key (label + "\" + store).
  std::vector<verify::ImageStoreCertificate> certificates;
  /// A blob that could not be parsed, a store that could not be listed, a store cut at
  /// kMaxStoreCertificates: problems that did not stop the read.
  std::vector<std::string> warnings;
};

/// Reads the stores kStores at every one of `locations` of the hive at `hive` (read-only). An
/// absent location or store is no problem. Errors: as read_software_hive (the hive cannot be
/// opened or is not a hive).
[[nodiscard]] Result<CertificateStores> read_certificate_stores(const std::filesystem::path& hive,
                                                                const std::vector<StoreLocation>& locations);

}  // namespace trustscan::windows
