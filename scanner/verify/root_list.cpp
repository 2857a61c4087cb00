#include "verify/root_list.hpp"

#include <algorithm>
#include <optional>

#include "core/utf16.hpp"
#include "verify/chain.hpp"
#include "verify/der_reader.hpp"
#include "verify/x509_util.hpp"

namespace trustscan::verify {

namespace {

using Bytes = std::span<const std::uint8_t>;

constexpr std::string_view kPropertyPrefix = "1.3.6.1.4.1.311.10.11.";
constexpr std::string_view kOidSha1 = "1.3.14.3.2.26";

/// The property number of a member attribute OID, or -1 when it is not a property.
int property_id(const std::string& oid) {
  if (!oid.starts_with(kPropertyPrefix)) return -1;
  const std::string_view rest = std::string_view(oid).substr(kPropertyPrefix.size());
  if (rest.empty() || rest.size() > 5 || !std::all_of(rest.begin(), rest.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return -1;
  return std::stoi(std::string(rest));
}

/// The contents of the OCTET STRING that holds a property value; nullopt if it is not one.
std::optional<Bytes> octets(const std::vector<std::uint8_t>& value) {
  detail::DerReader r(value);
  auto item = r.next_if(0x04);
  if (!item || !r.empty()) return std::nullopt;
  return item->value;
}

std::optional<std::int64_t> filetime(Bytes b) {
  if (b.size() != 8) return std::nullopt;
  std::uint64_t ft = 0;
  for (std::size_t i = 8; i-- > 0;) ft = ft << 8 | b[i];
  return filetime_to_unix(ft);
}

std::optional<std::vector<std::string>> oid_sequence(Bytes b) {
  detail::DerReader r(b);
  auto seq = r.next_if(0x30);
  if (!seq || !r.empty()) return std::nullopt;
  auto oids = detail::oid_list(seq->value);
  // Every item must have been an OID (oid_list stops at the first other item).
  detail::DerReader count(seq->value);
  std::size_t n = 0;
  while (count.next()) ++n;
  if (n != oids.size() || std::find(oids.begin(), oids.end(), "?") != oids.end()) return std::nullopt;
  return oids;
}

/// Applies property `id` with value `b` to `e`; false when the value cannot be decoded. An
/// empty value is a property not set (the list carries some, e.g. an empty not-before date).
bool apply_property(int id, Bytes b, RootListEntry& e) {
  if (b.empty()) return true;
  switch (id) {
    case 9: return static_cast<bool>(e.policy.purposes = oid_sequence(b));
    case 11:
      e.friendly_name = utf16_to_utf8(std::as_bytes(b), ByteOrder::Little, detail::kMaxReportString);
      return true;
    case 98:
      if (b.size() != 32) return false;
      e.sha256 = detail::to_hex(b);
      return true;
    case 104: return static_cast<bool>(e.policy.disabled_from = filetime(b));
    case 126: return static_cast<bool>(e.policy.not_before = filetime(b));
    case 105:
    case 122:
    case 127: {
      auto oids = oid_sequence(b);
      if (!oids) return false;
      (id == 105 ? e.chain_policies : id == 122 ? e.policy.disabled_purposes : e.policy.not_before_purposes) = std::move(*oids);
      return true;
    }
    default: return true;  // not needed for trust decisions
  }
}

Result<RootListEntry> entry_of(const CatalogMember& m, std::size_t index) {
  RootListEntry e;
  const std::string where = "entry " + std::to_string(index + 1);
  // The identifier is the raw 20-byte SHA-1 (parse_catalog gives its hex as the tag).
  if (m.tag.size() != 40) return fail(Errc::Malformed, where + ": identifier is not a SHA-1 thumbprint");
  e.sha1 = m.tag;
  for (const MemberAttribute& a : m.attributes) {
    const int id = property_id(a.oid);
    if (id < 0) continue;
    if (a.values.size() != 1) return fail(Errc::Malformed, where + " (" + e.sha1 + "): property " + std::to_string(id) + " has " + std::to_string(a.values.size()) + " values");
    auto value = octets(a.values.front());
    if (!value || !apply_property(id, *value, e))
      return fail(Errc::Malformed, where + " (" + e.sha1 + "): property " + std::to_string(id) + " cannot be decoded");
  }
  return e;
}

}  // namespace

Result<RootList> parse_root_list(std::span<const std::byte> der, const std::string& path, const VerifyContext& ctx) {
  auto ctl = parse_catalog(der, path, ctx, CtlOptions{.keep_attributes = true, .root_list = true});
  if (!ctl) return std::unexpected(ctl.error());
  if (std::find(ctl->subject_usage.begin(), ctl->subject_usage.end(), detail::kOidRootListSigner) == ctl->subject_usage.end())
    return fail(Errc::Malformed, path + ": not a root list (subjectUsage lacks " + std::string(detail::kOidRootListSigner) + ")");
  if (ctl->subject_algorithm != kOidSha1)
    return fail(Errc::Malformed, path + ": root list entries are named by " + ctl->subject_algorithm + ", not SHA-1");
  RootList list;
  list.entries.reserve(ctl->members.size());
  for (std::size_t i = 0; i < ctl->members.size(); ++i) {
    auto e = entry_of(ctl->members[i], i);
    if (!e) return fail(Errc::Malformed, path + ": " + e.error().message);
    list.entries.push_back(std::move(*e));
  }
  ctl->members.clear();
  list.ctl = std::move(*ctl);
  return list;
}

}  // namespace trustscan::verify
