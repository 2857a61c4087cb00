// A Windows image's certificate stores: the Blob parser and the hive walk (libhivex through
// windows/hive.hpp).
#include "windows/certificate_stores.hpp"

#include <cerrno>
#include <cstring>
#include <optional>

#include "core/utf16.hpp"
#include "windows/hive.hpp"
#include "windows/registry.hpp"

namespace trustscan::windows {
namespace {

using namespace detail;  // NOLINT(google-build-using-namespace): the hive helpers of windows/

std::uint32_t le32(std::span<const std::uint8_t> b, std::size_t at) noexcept {
  return static_cast<std::uint32_t>(b[at]) | static_cast<std::uint32_t>(b[at + 1]) << 8 |
         static_cast<std::uint32_t>(b[at + 2]) << 16 | static_cast<std::uint32_t>(b[at + 3]) << 24;
}

/// The length of the DER element starting `der` (tag, length, contents); nullopt when its header
/// does not fit or is not a definite length of at most 4 bytes.
std::optional<std::size_t> der_element_size(std::span<const std::uint8_t> der) noexcept {
  if (der.size() < 2) return std::nullopt;
  const std::uint8_t first = der[1];
  if (first < 0x80) return 2 + static_cast<std::size_t>(first);
  const std::size_t n = first & 0x7F;
  if (n == 0 || n > 4 || der.size() < 2 + n) return std::nullopt;
  std::size_t length = 0;
  for (std::size_t i = 0; i < n; ++i) length = length << 8 | der[2 + i];
  return 2 + n + length;
}

std::string at_offset(std::size_t offset) { return " at offset " + std::to_string(offset); }

/// The Blob value of a certificate key, bounded; nullopt (and a warning) when absent or unusable.
std::optional<std::vector<std::uint8_t>> blob_value(hive_h* h, hive_node_h node, const std::string& where,
                                                    std::vector<std::string>& warnings) {
  errno = 0;
  const hive_value_h v = hivex_node_get_value(h, node, "Blob");
  if (v == 0) {
    warnings.push_back(where + ": no Blob value");
    return std::nullopt;
  }
  hive_type type{};
  std::size_t length = 0;
  if (hivex_value_type(h, v, &type, &length) != 0 || length > kMaxBlobBytes) {
    warnings.push_back(where + ": Blob unreadable or larger than " + std::to_string(kMaxBlobBytes) + " bytes");
    return std::nullopt;
  }
  Malloced<char> data{hivex_value_value(h, v, &type, &length)};
  if (!data) {
    warnings.push_back(where + ": Blob unreadable");
    return std::nullopt;
  }
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(data.get());
  return std::vector<std::uint8_t>(bytes, bytes + length);
}

/// The certificates of one store key (`...\SystemCertificates\ROOT`).
void read_store(hive_h* h, hive_node_h store, std::string_view name, const std::string& location,
                CertificateStores& out) {
  const hive_node_h certificates = child(h, store, "Certificates");
  if (certificates == 0) return;
  bool truncated = false;
  const auto keys = children(h, certificates, kMaxStoreCertificates, truncated);
  if (!keys) {
    out.warnings.push_back(location + "\\Certificates: cannot list the certificates");
    return;
  }
  if (truncated)
    out.warnings.push_back(location + ": more than " + std::to_string(kMaxStoreCertificates) +
                           " certificates; rest ignored");
  for (const hive_node_h key : *keys) {
    const std::string key_name = node_name(h, key).value_or("?");
    const std::string where = location + "\\Certificates\\" + key_name;
    auto value = blob_value(h, key, where, out.warnings);
    if (!value) continue;
    auto blob = parse_certificate_blob(*value);
    if (!blob) {
      out.warnings.push_back(where + ": bad Blob: " + blob.error().message);
      continue;
    }
    out.certificates.push_back({std::string(name), location, key_name, std::move(blob->der)});
  }
}

}  // namespace

Result<CertificateBlob> parse_certificate_blob(std::span<const std::uint8_t> blob) {
  CertificateBlob out;
  bool found = false;
  for (std::size_t at = 0; at < blob.size();) {
    if (blob.size() - at < 12) return fail(Errc::Malformed, "property header cut short" + at_offset(at));
    if (out.properties == kMaxBlobProperties)
      return fail(Errc::Malformed, "more than " + std::to_string(kMaxBlobProperties) + " properties");
    const std::uint32_t id = le32(blob, at), length = le32(blob, at + 8);
    if (length > blob.size() - at - 12)
      return fail(Errc::Malformed, "property " + std::to_string(id) + at_offset(at) + " claims " +
                                       std::to_string(length) + " bytes; " + std::to_string(blob.size() - at - 12) +
                                       " left");
    const std::span<const std::uint8_t> value = blob.subspan(at + 12, length);
    ++out.properties;
    if (id == kCertPropertyId && !found) {
      if (value.empty() || value[0] != 0x30 || der_element_size(value) != value.size())
        return fail(Errc::Malformed, "property 32" + at_offset(at) + " is not one DER SEQUENCE");
      out.der.assign(value.begin(), value.end());
      found = true;
    } else if (id == kFriendlyNamePropertyId) {
      out.friendly_name = utf16_to_utf8(std::as_bytes(value), ByteOrder::Little, kMaxRegistryString);
      while (!out.friendly_name.empty() && out.friendly_name.back() == '\0') out.friendly_name.pop_back();
    }
    at += 12 + length;
  }
  if (!found)
    return fail(Errc::Malformed, "no certificate (property 32) in " + std::to_string(out.properties) + " properties");
  return out;
}

std::vector<StoreLocation> machine_store_locations() {
  return {{{"Microsoft", "SystemCertificates"}, "SOFTWARE\\Microsoft\\SystemCertificates"},
          {{"Policies", "Microsoft", "SystemCertificates"}, "SOFTWARE\\Policies\\Microsoft\\SystemCertificates"}};
}

std::vector<StoreLocation> user_store_locations(std::string_view hive_label) {
  const std::string label(hive_label);
  return {{{"Software", "Microsoft", "SystemCertificates"}, label + "\\Software\\Microsoft\\SystemCertificates"},
          {{"Software", "Policies", "Microsoft", "SystemCertificates"},
           label + "\\Software\\Policies\\Microsoft\\SystemCertificates"}};
}

Result<CertificateStores> read_certificate_stores(const std::filesystem::path& hive,
                                                  const std::vector<StoreLocation>& locations) {
  auto opened = open_hive(hive);
  if (!opened) return std::unexpected(opened.error());
  hive_h* h = opened->get();
  const hive_node_h root = hivex_root(h);
  if (root == 0) return fail(Errc::Malformed, hive.string() + ": hive has no root key");
  CertificateStores out;
  for (const StoreLocation& location : locations) {
    hive_node_h stores = root;
    for (const std::string& name : location.path) stores = child(h, stores, name.c_str());
    if (stores == 0) continue;
    for (std::string_view store : kStores)
      if (const hive_node_h node = child(h, stores, std::string(store).c_str()); node != 0)
        read_store(h, node, store, location.label + "\\" + std::string(store), out);
  }
  return out;
}

}  // namespace trustscan::windows
