#include "cache/record_codec.hpp"

#include <concepts>
#include <cstring>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>

namespace trustscan::cache {
namespace {

// A compact binary form, written and read by the same field lists: unsigned integers and enums
// as LEB128 varints, signed ones zigzag-encoded, bool as one byte, strings as length + bytes,
// optional as a presence byte, containers as a count + their elements, aggregates as their
// fields in the order below. A hit decodes a record per file, so this is on the path that makes
// a re-scan fast; a self-describing form (CBOR through a JSON document) cost 4x more there.

template <class T, class U>
concept Like = std::same_as<std::remove_const_t<T>, U>;

// Every field of every stored type, once: describe(v, x) hands them to the writer or reader `v`.
// A field missing here would silently not be cached; the codec test compares decoded records
// with the originals through the types' defaulted operator== to catch that.
// clang-format off
template <class V> void describe(V& v, Like<Error> auto& x) { v(x.code, x.message, x.stage); }
template <class V> void describe(V& v, Like<parse::ByteRange> auto& x) { v(x.offset, x.size); }
template <class V> void describe(V& v, Like<FileVersion> auto& x) { v(x.packed); }
template <class V> void describe(V& v, Like<parse::PeLayout> auto& x) {
  v(x.checksum_offset, x.security_dir_offset, x.size_of_headers, x.certificate_table, x.sections);
}
template <class V> void describe(V& v, Like<parse::PeInfo> auto& x) {
  v(x.pe32_plus, x.machine, x.subsystem, x.is_dll, x.dll_characteristics, x.section_names, x.timestamp, x.checksum,
    x.version_info, x.file_version, x.pdb_path, x.imphash, x.imported_functions, x.has_certificate_table, x.layout);
}
template <class V> void describe(V& v, Like<parse::ElfInfo> auto& x) {
  v(x.elf_type, x.machine, x.interpreter, x.soname, x.modinfo, x.has_module_signature, x.has_this_module,
    x.grub_module_name, x.looks_like_kernel_image);
}
template <class V> void describe(V& v, Like<parse::MachOSlice> auto& x) {
  v(x.cpu_type, x.file_type, x.offset, x.size, x.has_code_signature, x.code_signature, x.libraries,
    x.bundle_identifier);
}
template <class V> void describe(V& v, Like<parse::BinaryModel> auto& x) {
  v(x.format, x.type, x.architecture, x.bits, x.entry_point, x.libraries, x.exports_count, x.pe, x.elf,
    x.macho_slices, x.warnings);
}
template <class V> void describe(V& v, Like<parse::Classification> auto& x) { v(x.type, x.privilege, x.reason); }
template <class V> void describe(V& v, Like<verify::ClockWindow> auto& x) { v(x.from, x.until); }
template <class V> void describe(V& v, Like<verify::CertInfo> auto& x) {
  v(x.subject, x.subject_cn, x.subject_o, x.subject_ou, x.subject_c, x.subject_st, x.subject_l, x.jurisdiction_c,
    x.jurisdiction_st, x.jurisdiction_l, x.registration_number, x.organization_identifier, x.business_category, x.ev,
    x.issuer, x.serial_hex, x.not_before, x.not_after, x.thumbprint_sha1, x.thumbprint_sha256, x.tbs_hash, x.ekus);
}
template <class V> void describe(V&, Like<std::monostate> auto&) {}
template <class V> void describe(V& v, Like<verify::CatalogDetails> auto& x) {
  v(x.catalog_path, x.listed_algorithm, x.member_file_name, x.this_update);
}
template <class V> void describe(V& v, Like<verify::ModuleDetails> auto& x) {
  v(x.signer_name, x.subject_key_id_hex, x.signature_algorithm, x.certificates_embedded, x.signed_attributes,
    x.signature_size, x.signed_size, x.key_source, x.key_source_kind, x.kernel_build_key);
}
template <class V> void describe(V& v, Like<verify::MachOCodeDirectory> auto& x) {
  v(x.slot, x.version, x.flags, x.hash_type, x.cdhash, x.identifier, x.team_id, x.code_limit, x.page_size,
    x.code_slots, x.special_slots, x.platform, x.page_hashes_ok, x.first_bad_page);
}
template <class V> void describe(V& v, Like<verify::MachODetails> auto& x) {
  v(x.slice, x.kind, x.identifier, x.team_id, x.code_directory_flags, x.flag_names, x.cdhash, x.code_directories,
    x.first_bad_page, x.has_requirements, x.has_entitlements, x.entitlements, x.unverified_special_slots, x.has_cms,
    x.cms_digest_algorithm, x.verification_time);
}
template <class V> void describe(V& v, Like<verify::Signature> auto& x) {
  v(x.source, x.index, x.nested, x.parent_index, x.status, x.flags, x.digest_algorithm, x.signer, x.chain,
    x.anchor_set, x.trust_basis, x.kernel_chain, x.kernel_anchor_set, x.signing_time, x.timestamp, x.timestamp_authority, x.timestamp_kind, x.timestamp_anchor_set,
    x.verification_time_source,
    x.signed_digest_hex, x.computed_digest_hex, x.program_name, x.more_info_url, x.errors, x.clock_window, x.details);
}
template <class V> void describe(V& v, Like<verify::AuthenticodeHashes> auto& x) { v(x.sha1, x.sha256); }
template <class V> void describe(V& v, Like<verify::FileSignatures> auto& x) {
  v(x.signatures, x.checked, x.authentihash, x.first_page, x.warnings, x.image_stores);
}
template <class V> void describe(V& v, Like<match::StringMatch> auto& x) { v(x.identifier, x.offset, x.length); }
template <class V> void describe(V& v, Like<match::RuleMatch> auto& x) {
  v(x.rule, x.ns, x.tags, x.meta, x.strings, x.strings_truncated);
}
template <class V> void describe(V& v, Like<record::FileFacts> auto& x) {
  v(x.format, x.compression, x.sha256, x.sha1, x.md5, x.decompressed_size, x.binary, x.classification, x.signatures, x.matches,
    x.rules_skipped, x.rule_privilege, x.errors);
}
template <class V> void describe(V& v, Like<Entry> auto& x) { v(x.binary); }
// clang-format on

class Writer {
 public:
  explicit Writer(std::vector<std::uint8_t>& out) : out_(out) {}

  template <class... T>
  void operator()(const T&... values) {
    (put(values), ...);
  }

 private:
  void varint(std::uint64_t v) {
    while (v >= 0x80) {
      out_.push_back(static_cast<std::uint8_t>(v | 0x80));
      v >>= 7;
    }
    out_.push_back(static_cast<std::uint8_t>(v));
  }
  void put(bool b) { out_.push_back(b ? 1 : 0); }
  template <std::unsigned_integral T>
  void put(T v) {
    varint(v);
  }
  template <std::signed_integral T>
  void put(T v) {
    const auto u = static_cast<std::uint64_t>(static_cast<std::int64_t>(v));
    varint((u << 1) ^ (v < 0 ? ~std::uint64_t{0} : 0));  // zigzag
  }
  template <class E>
    requires std::is_enum_v<E>
  void put(E e) {
    put(std::to_underlying(e));
  }
  void put(const std::string& s) {
    varint(s.size());
    out_.insert(out_.end(), s.begin(), s.end());
  }
  template <class T>
  void put(const std::optional<T>& o) {
    put(o.has_value());
    if (o) put(*o);
  }
  template <class T>
  void put(const std::vector<T>& items) {
    varint(items.size());
    for (const T& item : items) put(item);
  }
  template <class K, class T>
  void put(const std::map<K, T>& items) {
    varint(items.size());
    for (const auto& [k, item] : items) {
      put(k);
      put(item);
    }
  }
  template <class A, class B>
  void put(const std::pair<A, B>& p) {
    put(p.first);
    put(p.second);
  }
  template <class... T>
  void put(const std::variant<T...>& v) {
    varint(v.index());
    std::visit([&](const auto& x) { put(x); }, v);
  }
  template <class T>
    requires std::is_aggregate_v<T>
  void put(const T& x) {
    describe(*this, x);
  }

  std::vector<std::uint8_t>& out_;
};

/// Thrown by Reader on bytes that are not a record; decode() turns it into an Error.
struct Damaged {
  const char* what;
};

class Reader {
 public:
  explicit Reader(std::span<const std::uint8_t> in) : in_(in) {}

  template <class... T>
  void operator()(T&... values) {
    (get(values), ...);
  }
  [[nodiscard]] bool at_end() const noexcept { return pos_ == in_.size(); }

 private:
  std::uint64_t varint() {
    std::uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= in_.size()) throw Damaged{"truncated"};
      const std::uint8_t b = in_[pos_++];
      v |= static_cast<std::uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) return v;
    }
    throw Damaged{"overlong number"};
  }
  void get(bool& b) {
    const std::uint64_t v = varint();
    if (v > 1) throw Damaged{"bad boolean"};
    b = v == 1;
  }
  template <std::unsigned_integral T>
  void get(T& v) {
    const std::uint64_t u = varint();
    if constexpr (sizeof(T) < sizeof(std::uint64_t))
      if (u > std::numeric_limits<T>::max()) throw Damaged{"number out of range"};
    v = static_cast<T>(u);
  }
  template <std::signed_integral T>
  void get(T& v) {
    const std::uint64_t u = varint();
    const auto s = static_cast<std::int64_t>((u >> 1) ^ (~(u & 1) + 1));  // un-zigzag
    if constexpr (sizeof(T) < sizeof(std::int64_t))
      if (s < std::numeric_limits<T>::min() || s > std::numeric_limits<T>::max()) throw Damaged{"number out of range"};
    v = static_cast<T>(s);
  }
  template <class E>
    requires std::is_enum_v<E>
  void get(E& e) {
    std::underlying_type_t<E> u{};
    get(u);
    e = static_cast<E>(u);
  }
  std::size_t count() {
    const std::uint64_t n = varint();
    if (n > in_.size() - pos_) throw Damaged{"count beyond the record"};  // every element takes a byte
    return static_cast<std::size_t>(n);
  }
  void get(std::string& s) {
    const std::size_t n = count();
    s.assign(reinterpret_cast<const char*>(in_.data() + pos_), n);
    pos_ += n;
  }
  template <class T>
  void get(std::optional<T>& o) {
    bool present = false;
    get(present);
    if (!present) {
      o.reset();
      return;
    }
    get(o.emplace());
  }
  template <class T>
  void get(std::vector<T>& items) {
    items.clear();
    for (std::size_t i = 0, n = count(); i < n; ++i) get(items.emplace_back());
  }
  template <class K, class T>
  void get(std::map<K, T>& items) {
    items.clear();
    for (std::size_t i = 0, n = count(); i < n; ++i) {
      K k{};
      T item{};
      get(k);
      get(item);
      items.insert_or_assign(std::move(k), std::move(item));
    }
  }
  template <class A, class B>
  void get(std::pair<A, B>& p) {
    get(p.first);
    get(p.second);
  }
  template <class... T>
  void get(std::variant<T...>& v) {
    const std::uint64_t index = varint();
    if (index >= sizeof...(T)) throw Damaged{"unknown variant alternative"};
    emplace_at<0>(v, static_cast<std::size_t>(index));
  }
  template <std::size_t I, class... T>
  void emplace_at(std::variant<T...>& v, std::size_t index) {
    if constexpr (I < sizeof...(T)) {
      if (index == I) return get(v.template emplace<I>());
      emplace_at<I + 1>(v, index);
    }
  }
  template <class T>
    requires std::is_aggregate_v<T>
  void get(T& x) {
    describe(*this, x);
  }

  std::span<const std::uint8_t> in_;
  std::size_t pos_ = 0;
};

/// Leads every record: a record of another format (or garbage) fails at once.
constexpr std::uint8_t kMagic[] = {'T', 'S', 'C', 'R'};

}  // namespace

std::vector<std::uint8_t> encode(const Entry& entry) {
  std::vector<std::uint8_t> out(std::begin(kMagic), std::end(kMagic));
  Writer w(out);
  w(kRecordFormat, entry);
  return out;
}

Result<Entry> decode(std::span<const std::uint8_t> bytes) {
  if (bytes.size() < sizeof kMagic || std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0)
    return fail(Errc::Malformed, "not a cache record");
  try {
    Reader r(bytes.subspan(sizeof kMagic));
    int format = 0;
    r(format);
    if (format != kRecordFormat)
      return fail(Errc::Malformed, "cache record of format " + std::to_string(format) + ", not " +
                                       std::to_string(kRecordFormat));
    Entry entry;
    r(entry);
    if (!r.at_end()) return fail(Errc::Malformed, "damaged cache record: bytes after its end");
    return entry;
  } catch (const Damaged& d) {
    return fail(Errc::Malformed, std::string("damaged cache record: ") + d.what);
  }
}

}  // namespace trustscan::cache
