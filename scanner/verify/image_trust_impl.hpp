#pragma once
/// \file
/// Internal to verify/: the OpenSSL objects behind an ImageTrust.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "verify/image_trust.hpp"
#include "verify/openssl_ptr.hpp"

namespace trustscan::verify {

struct ImageTrust::Impl {
  /// Where a certificate was found: the store's key and the certificate's upper-case SHA-1.
  struct Entry {
    std::string location;
    std::string sha1;
  };
  /// ROOT and AuthRoot certificates as anchors (nullptr when there are none).
  X509StorePtr roots;
  /// CA certificates, offered as intermediates to every path built for the image.
  std::vector<X509Ptr> intermediates;
  /// SHA-256 thumbprint (lower-case hex) -> where the image holds it as a root / distrusts it.
  std::map<std::string, std::vector<Entry>, std::less<>> roots_by_thumbprint;
  std::map<std::string, std::vector<Entry>, std::less<>> disallowed_by_thumbprint;
  /// notBefore/notAfter of every certificate used (a chain result may change there).
  std::vector<std::int64_t> clock_instants;
  std::map<std::string, std::size_t> counts;
  std::string fingerprint;
};

}  // namespace trustscan::verify
