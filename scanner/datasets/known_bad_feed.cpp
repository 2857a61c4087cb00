// The known-bad feed file (known_bad_feed.hpp). One record per line, fields separated by TAB,
// each field escaped (\\ \t \n \r), records in this order so that every reference points back:
//
//   #trustscan-known-bad-feed <TAB> 1
//   source  <TAB> loldrivers | driver-block-rules
//   version <TAB> publisher's version
//   E <TAB> id <TAB> category <TAB> name                          entries, numbered from 0
//   C <TAB> entry <TAB> CVE id                                    an entry's CVEs
//   R <TAB> entry <TAB> URL                                       an entry's references
//   P <TAB> entry <TAB> yes|no| <TAB> file name                   samples, numbered from 0
//   H <TAB> kind <TAB> hex <TAB> entry <TAB> sample|              hashes
//   A <TAB> entry <TAB> standalone|signer <TAB> low <TAB> high (<TAB> attribute <TAB> value)+
//   S <TAB> entry <TAB> tbs <TAB> publisher <TAB> oem id <TAB> attribute rules (a,b,...)|
//   end <TAB> number of lines before this one
#include "datasets/known_bad_feed.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <fstream>
#include <sstream>
#include <system_error>
#include <utility>

#include "datasets/dataset_io.hpp"

namespace trustscan::datasets {
namespace {

constexpr std::string_view kMagic = "#trustscan-known-bad-feed";
constexpr std::string_view kFormatVersion = "1";
/// Real feeds are ~1 MiB; a much larger file is not a feed.
constexpr std::uintmax_t kMaxFeedBytes = 64U << 20U;

constexpr std::array<std::string_view, 3> kCategoryNames = {"malicious", "vulnerable", "vulnerable_or_malicious"};
constexpr std::array<std::string_view, 9> kKeyKindNames = {
    "file_sha256",        "file_sha1",   "file_md5",  "authenticode_sha256", "authenticode_sha1",
    "page_sha256",        "page_sha1",   "file_attributes", "signer"};
constexpr std::array<std::string_view, 4> kAttributeNames = {"OriginalFilename", "InternalName", "FileDescription",
                                                             "ProductName"};

template <class E, std::size_t N>
std::optional<E> from_names(const std::array<std::string_view, N>& names, std::string_view s) noexcept {
  for (std::size_t i = 0; i < N; ++i)
    if (names[i] == s) return static_cast<E>(i);
  return std::nullopt;
}

std::string escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '\t': out += "\\t"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      default: out += c;
    }
  }
  return out;
}

/// `s` with its escapes undone, into `out` (whose capacity serves again); false on a bad escape.
bool unescape(std::string_view s, std::string& out) {
  if (s.find('\\') == std::string_view::npos) {  // nearly every field
    out.assign(s);
    return true;
  }
  out.clear();
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\') {
      out += s[i];
      continue;
    }
    if (++i == s.size()) return false;
    switch (s[i]) {
      case '\\': out += '\\'; break;
      case 't': out += '\t'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      default: return false;
    }
  }
  return true;
}

/// Writes records; fields are escaped and joined with TAB.
class Writer {
 public:
  template <class... Fields>
  void record(std::string_view tag, const Fields&... fields) {
    text_ += tag;
    ((text_ += '\t', text_ += escape(fields)), ...);
    text_ += '\n';
    ++lines_;
  }
  void fields(std::string_view tag, const std::vector<std::string>& fields) {
    text_ += tag;
    for (const auto& f : fields) (text_ += '\t') += escape(f);
    text_ += '\n';
    ++lines_;
  }
  [[nodiscard]] std::string finish() {
    record("end", std::to_string(lines_));
    return std::move(text_);
  }

 private:
  std::string text_;
  std::size_t lines_ = 0;
};

std::string join_indices(const std::vector<std::uint32_t>& v) {
  std::string out;
  for (std::uint32_t i : v) {
    if (!out.empty()) out += ',';
    out += std::to_string(i);
  }
  return out;
}

std::string hvci_text(const std::optional<bool>& v) { return v ? (*v ? "yes" : "no") : ""; }

std::string feed_text(const KnownBadFeedData& feed) {
  Writer w;
  w.record(kMagic, kFormatVersion);
  w.record("source", feed.source);
  w.record("version", feed.version);
  for (const auto& e : feed.entries) w.record("E", e.id, to_string(e.category), e.name);
  for (std::size_t i = 0; i < feed.entries.size(); ++i) {
    for (const auto& cve : feed.entries[i].cves) w.record("C", std::to_string(i), cve);
    for (const auto& ref : feed.entries[i].references) w.record("R", std::to_string(i), ref);
  }
  for (const auto& s : feed.samples) w.record("P", std::to_string(s.entry), hvci_text(s.loads_despite_hvci), s.file_name);
  for (const auto& h : feed.hashes)
    w.record("H", to_string(h.kind), h.hex, std::to_string(h.entry), h.sample ? std::to_string(*h.sample) : "");
  for (const auto& a : feed.attribute_rules) {
    std::vector<std::string> f{std::to_string(a.entry), a.standalone ? "standalone" : "signer", a.low.to_string(),
                               a.high.to_string()};
    for (const auto& n : a.names) {
      f.emplace_back(to_string(n.attribute));
      f.push_back(n.value);
    }
    w.fields("A", f);
  }
  for (const auto& s : feed.signer_rules)
    w.record("S", std::to_string(s.entry), s.tbs_hex, s.publisher, s.oem_id, join_indices(s.attribute_rules));
  return w.finish();
}

/// Reads one feed, line by line; each problem names the line.
class Reader {
 public:
  explicit Reader(std::string name) : name_(std::move(name)) {}

  Result<KnownBadFeedData> read(std::string_view text) {
    std::size_t at = 0;
    bool ended = false;
    while (at < text.size()) {
      const std::size_t nl = text.find('\n', at);
      if (nl == std::string_view::npos) return error("the last line has no end (truncated file?)");
      ++line_;
      if (ended) return error("text after the 'end' line");
      if (auto problem = record(text.substr(at, nl - at), ended)) return std::unexpected(*problem);
      at = nl + 1;
    }
    if (!ended) return error("no 'end' line (truncated file?)");
    return std::move(feed_);
  }

 private:
  std::unexpected<Error> error(const std::string& what) const {
    return std::unexpected(Error{Errc::Config, name_ + ":" + std::to_string(line_) + ": " + what});
  }

  std::optional<Error> record(std::string_view line, bool& ended) {
    // Each field into the string of the line before at its place (its capacity serves again:
    // a feed is 20,000 lines of mostly hashes).
    std::size_t at = 0, count = 0;
    while (true) {
      const std::size_t tab = line.find('\t', at);
      if (count == fields_.size()) fields_.emplace_back();
      if (!unescape(line.substr(at, tab == std::string_view::npos ? std::string_view::npos : tab - at), fields_[count]))
        return error("bad escape sequence").error();
      ++count;
      if (tab == std::string_view::npos) break;
      at = tab + 1;
    }
    fields_.resize(count);
    const std::string& tag = fields_[0];
    if (line_ == 1) return header();
    if (tag == "end") return end(ended);
    if (tag == "source" || tag == "version") return text_field(tag == "source" ? feed_.source : feed_.version);
    if (tag == "E") return entry();
    if (tag == "C" || tag == "R") return entry_list(tag == "C");
    if (tag == "P") return sample();
    if (tag == "H") return hash();
    if (tag == "A") return attribute_rule();
    if (tag == "S") return signer_rule();
    return error("unknown record '" + tag + "'").error();
  }

  std::optional<Error> expect_fields(std::size_t n) const {
    if (fields_.size() == n) return std::nullopt;
    return error("'" + fields_[0] + "' record with " + std::to_string(fields_.size() - 1) + " fields, expected " +
                 std::to_string(n - 1))
        .error();
  }

  /// An index below `limit` (of something declared on an earlier line).
  std::optional<std::uint32_t> index(const std::string& s, std::size_t limit) const {
    std::uint32_t v = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || end != s.data() + s.size() || s.empty() || v >= limit) return std::nullopt;
    return v;
  }

  std::optional<Error> header() {
    if (fields_.size() != 2 || fields_[0] != kMagic) return error("not a trustscan known-bad feed").error();
    if (fields_[1] != kFormatVersion)
      return error("feed format " + fields_[1] + " (this trustscan reads " + std::string{kFormatVersion} +
                   "); import the data again")
          .error();
    return std::nullopt;
  }

  std::optional<Error> end(bool& ended) {
    if (auto e = expect_fields(2)) return e;
    if (fields_[1] != std::to_string(line_ - 1)) return error("line count does not match (damaged file?)").error();
    ended = true;
    return std::nullopt;
  }

  std::optional<Error> text_field(std::string& out) {
    if (auto e = expect_fields(2)) return e;
    out = fields_[1];
    return std::nullopt;
  }

  std::optional<Error> entry() {
    if (auto e = expect_fields(4)) return e;
    const auto category = category_from_string(fields_[2]);
    if (!category) return error("unknown category '" + fields_[2] + "'").error();
    if (fields_[1].empty()) return error("entry without an id").error();
    feed_.entries.push_back({fields_[1], *category, fields_[3], {}, {}});
    return std::nullopt;
  }

  std::optional<Error> entry_list(bool cve) {
    if (auto e = expect_fields(3)) return e;
    const auto entry = index(fields_[1], feed_.entries.size());
    if (!entry) return error("no entry " + fields_[1]).error();
    (cve ? feed_.entries[*entry].cves : feed_.entries[*entry].references).push_back(fields_[2]);
    return std::nullopt;
  }

  std::optional<Error> sample() {
    if (auto e = expect_fields(4)) return e;
    const auto entry = index(fields_[1], feed_.entries.size());
    if (!entry) return error("no entry " + fields_[1]).error();
    std::optional<bool> hvci;
    if (fields_[2] == "yes" || fields_[2] == "no")
      hvci = fields_[2] == "yes";
    else if (!fields_[2].empty())
      return error("LoadsDespiteHVCI must be yes, no or empty").error();
    feed_.samples.push_back({*entry, hvci, fields_[3]});
    return std::nullopt;
  }

  std::optional<Error> hash() {
    if (auto e = expect_fields(5)) return e;
    const auto kind = key_kind_from_string(fields_[1]);
    if (!kind || hex_length(*kind) == 0) return error("unknown hash kind '" + fields_[1] + "'").error();
    if (!is_lower_hex(fields_[2], hex_length(*kind))) return error("malformed " + fields_[1]).error();
    const auto entry = index(fields_[3], feed_.entries.size());
    if (!entry) return error("no entry " + fields_[3]).error();
    std::optional<std::uint32_t> sample;
    if (!fields_[4].empty()) {
      sample = index(fields_[4], feed_.samples.size());
      if (!sample) return error("no sample " + fields_[4]).error();
    }
    feed_.hashes.push_back({*kind, fields_[2], *entry, sample});
    return std::nullopt;
  }

  std::optional<Error> attribute_rule() {
    if (fields_.size() < 5 || fields_.size() % 2 == 0) return error("malformed 'A' record").error();
    FeedAttributeRule rule;
    const auto entry = index(fields_[1], feed_.entries.size());
    if (!entry) return error("no entry " + fields_[1]).error();
    rule.entry = *entry;
    if (fields_[2] != "standalone" && fields_[2] != "signer") return error("bad rule scope").error();
    rule.standalone = fields_[2] == "standalone";
    const auto low = FileVersion::parse(fields_[3]);
    const auto high = FileVersion::parse(fields_[4]);
    if (!low || !high || *high < *low) return error("bad version range").error();
    rule.low = *low;
    rule.high = *high;
    for (std::size_t i = 5; i + 1 < fields_.size(); i += 2) {
      const auto attribute = file_attribute_from_string(fields_[i]);
      if (!attribute || fields_[i + 1].empty()) return error("bad name condition '" + fields_[i] + "'").error();
      rule.names.push_back({*attribute, fields_[i + 1]});
    }
    if (rule.standalone && rule.names.empty()) return error("a standalone rule must name a file").error();
    feed_.attribute_rules.push_back(std::move(rule));
    return std::nullopt;
  }

  std::optional<Error> signer_rule() {
    if (auto e = expect_fields(6)) return e;
    FeedSignerRule rule;
    const auto entry = index(fields_[1], feed_.entries.size());
    if (!entry) return error("no entry " + fields_[1]).error();
    rule.entry = *entry;
    const std::size_t n = fields_[2].size();
    if ((n != 40 && n != 64 && n != 96 && n != 128) || !is_lower_hex(fields_[2], n))
      return error("malformed TBS hash").error();
    rule.tbs_hex = fields_[2];
    rule.publisher = fields_[3];
    rule.oem_id = fields_[4];
    std::string_view refs = fields_[5];
    while (!refs.empty()) {
      const std::size_t comma = refs.find(',');
      const auto ref = index(std::string{refs.substr(0, comma)}, feed_.attribute_rules.size());
      if (!ref) return error("no attribute rule " + std::string{refs.substr(0, comma)}).error();
      rule.attribute_rules.push_back(*ref);
      refs = comma == std::string_view::npos ? std::string_view{} : refs.substr(comma + 1);
    }
    feed_.signer_rules.push_back(std::move(rule));
    return std::nullopt;
  }

  std::string name_;
  std::size_t line_ = 0;
  std::vector<std::string> fields_;
  KnownBadFeedData feed_;
};

}  // namespace

std::string_view to_string(KnownBadCategory c) noexcept { return kCategoryNames[static_cast<std::size_t>(c)]; }
std::optional<KnownBadCategory> category_from_string(std::string_view s) noexcept {
  return from_names<KnownBadCategory>(kCategoryNames, s);
}
std::string_view to_string(KeyKind k) noexcept { return kKeyKindNames[static_cast<std::size_t>(k)]; }
std::optional<KeyKind> key_kind_from_string(std::string_view s) noexcept {
  return from_names<KeyKind>(kKeyKindNames, s);
}
std::string_view to_string(FileAttribute a) noexcept { return kAttributeNames[static_cast<std::size_t>(a)]; }
std::optional<FileAttribute> file_attribute_from_string(std::string_view s) noexcept {
  return from_names<FileAttribute>(kAttributeNames, s);
}

std::size_t hex_length(KeyKind k) noexcept {
  switch (k) {
    case KeyKind::FileSha256:
    case KeyKind::AuthenticodeSha256:
    case KeyKind::PageSha256: return 64;
    case KeyKind::FileSha1:
    case KeyKind::AuthenticodeSha1:
    case KeyKind::PageSha1: return 40;
    case KeyKind::FileMd5: return 32;
    case KeyKind::FileAttributes:
    case KeyKind::Signer: return 0;
  }
  return 0;
}

bool is_lower_hex(std::string_view hex, std::size_t length) noexcept {
  static constexpr std::array<bool, 256> kLowerHex = [] {
    std::array<bool, 256> t{};
    for (char c : std::string_view("0123456789abcdef")) t[static_cast<unsigned char>(c)] = true;
    return t;
  }();
  if (hex.size() != length) return false;
  return std::ranges::all_of(hex, [](char c) { return kLowerHex[static_cast<unsigned char>(c)]; });
}

Result<void> write_feed(const std::filesystem::path& file, const KnownBadFeedData& feed) {
  const std::string text = feed_text(feed);
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  if (!out) return fail(Errc::Io, file.string() + ": cannot create");
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  out.close();
  if (!out) return fail(Errc::Io, file.string() + ": write error");
  return {};
}

Result<KnownBadFeedData> read_feed(const std::filesystem::path& file) {
  auto text = read_file(file, file.string(), kMaxFeedBytes);  // (dataset_io.hpp)
  if (!text) return std::unexpected(text.error());
  return Reader{file.string()}.read(*text);
}

}  // namespace trustscan::datasets
