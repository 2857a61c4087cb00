#pragma once
/// \file
/// Microsoft's root program list (`authroot.stl`, issue 16): a certificate trust list of the
/// same PKCS#7 shape as a Windows catalog (catalog.hpp), signed by Microsoft, whose members are
/// root certificates named by their SHA-1 thumbprint, each with the program's properties as
/// member attributes 1.3.6.1.4.1.311.10.11.<property id> (the CERT_*_PROP_ID numbers of
/// wincrypt.h; each value an OCTET STRING holding the property as Windows stores it):
///
/// | id  | property                              | value                     | here                         |
/// |-----|---------------------------------------|---------------------------|------------------------------|
/// | 9   | CERT_ENHKEY_USAGE_PROP_ID             | SEQUENCE OF OID           | AnchorPolicy::purposes       |
/// | 11  | CERT_FRIENDLY_NAME_PROP_ID            | UTF-16LE, NUL-terminated  | friendly_name                |
/// | 98  | CERT_AUTH_ROOT_SHA256_HASH_PROP_ID    | 32 bytes                  | sha256                       |
/// | 104 | CERT_DISALLOWED_FILETIME_PROP_ID      | FILETIME (8 bytes LE)     | AnchorPolicy::disabled_from  |
/// | 105 | CERT_ROOT_PROGRAM_CHAIN_POLICIES_PROP_ID | SEQUENCE OF OID        | chain_policies (EV)          |
/// | 122 | CERT_DISALLOWED_ENHKEY_USAGE_PROP_ID  | SEQUENCE OF OID           | AnchorPolicy::disabled_purposes |
/// | 126 | CERT_NOT_BEFORE_FILETIME_PROP_ID      | FILETIME                  | AnchorPolicy::not_before     |
/// | 127 | CERT_NOT_BEFORE_ENHKEY_USAGE_PROP_ID  | SEQUENCE OF OID           | AnchorPolicy::not_before_purposes |
///
/// Others (20 key identifier, 29 subject name MD5, 83 root program certificate policies) are
/// not needed for trust decisions and are skipped. An empty value is a property not set.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "verify/catalog.hpp"
#include "verify/trust_store.hpp"

namespace trustscan::verify {

/// One root of the list with the program's properties.
struct RootListEntry {
  std::string sha1;           ///< lower-case hex SHA-1 thumbprint (the member's identifier)
  std::string sha256;         ///< lower-case hex SHA-256 thumbprint when listed (property 98), else ""
  std::string friendly_name;  ///< property 11, UTF-8; "" if absent
  AnchorPolicy policy;        ///< properties 9, 104, 122, 126, 127
  std::vector<std::string> chain_policies;  ///< property 105 (EV policy OIDs)
};

/// A decoded and verified root list.
struct RootList {
  /// The list's identity and signature (members dropped: they are in `entries`);
  /// ctl.signature.status says whether the list is authentic.
  Catalog ctl;
  std::vector<RootListEntry> entries;  ///< in list order
};

/// Unix seconds of a Windows FILETIME (100 ns ticks since 1601-01-01).
[[nodiscard]] constexpr std::int64_t filetime_to_unix(std::uint64_t filetime) noexcept {
  return static_cast<std::int64_t>(filetime / 10'000'000) - 11'644'473'600;
}

/// Decodes the root list `der` and verifies its signature (CtlOptions::root_list: signer with
/// szOID_ROOT_LIST_SIGNER, chain to an anchor of ctx.trust at the list's ctlThisUpdate).
/// Errors (Errc::Malformed, naming `path` and the entry): not a CTL (parse_catalog), a
/// subjectUsage without szOID_ROOT_LIST_SIGNER, a subject algorithm other than SHA-1, an entry
/// whose identifier is not a SHA-1 thumbprint or whose property cannot be decoded. A bad
/// signature is not an error here: it is in ctl.signature, for the caller to refuse.
[[nodiscard]] Result<RootList> parse_root_list(std::span<const std::byte> der, const std::string& path,
                                               const VerifyContext& ctx);

}  // namespace trustscan::verify
