// LOLDrivers importer (known_bad_import.hpp): SRC/loldrivers/yaml/*.yaml, or the project's API
// document SRC/loldrivers/drivers.json (the same mappings in one JSON list) -> known_bad.tsv.
// Both are read with the strict configuration tree of config/ (libyaml is included only there;
// JSON is YAML's flow style), which keeps the file and line of every value for messages.
#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <tuple>
#include <utility>

#include "config/document.hpp"
#include "config/reader.hpp"
#include "datasets/dataset_io.hpp"
#include "datasets/import_support.hpp"
#include "datasets/known_bad_feed.hpp"
#include "datasets/known_bad_import.hpp"

namespace trustscan::datasets {
namespace {

using config::Diagnostics;
using config::Mark;
using config::Value;

/// One mapping of a LOLDrivers file, by the keys trustscan reads. LOLDrivers' schema
/// (bin/spec/drivers.spec.json upstream) allows more keys than these and grows, so other keys are
/// not read; but a key written twice, or one that differs from a read key only in letter case
/// (a typo that would drop data silently), is an error.
class Fields {
 public:
  Fields(const Value& value, std::string what, std::initializer_list<std::string_view> used, Diagnostics& diag)
      : value_(&value), what_(std::move(what)) {
    if (!value.is_mapping()) {
      diag.error(value.mark(), what_ + ": expected a mapping, found " + std::string{value.kind_name()});
      return;
    }
    valid_ = true;
    std::map<std::string, int, std::less<>> seen;
    for (const auto& [key, v] : value.entries()) {
      if (!key.is_scalar()) {
        diag.error(key.mark(), what_ + ": keys must be names, found " + std::string{key.kind_name()});
        continue;
      }
      if (auto [it, fresh] = seen.emplace(key.text(), key.mark().line); !fresh)
        diag.error(key.mark(), what_ + ": duplicate key '" + key.text() + "' (first at line " +
                                   std::to_string(it->second) + ")");
      for (std::string_view u : used)
        if (u != key.text() && fold_case(u) == fold_case(key.text()))
          diag.error(key.mark(), what_ + ": key '" + key.text() + "' (did you mean '" + std::string{u} + "'?)");
    }
  }

  [[nodiscard]] bool valid() const noexcept { return valid_; }
  [[nodiscard]] const Mark& mark() const noexcept { return value_->mark(); }
  [[nodiscard]] const std::string& what() const noexcept { return what_; }
  [[nodiscard]] std::string member(std::string_view key) const { return what_ + ": " + std::string{key}; }
  /// The value of `key`, or nullptr.
  [[nodiscard]] const Value* get(std::string_view key) const noexcept {
    if (!valid_) return nullptr;
    for (const auto& [k, v] : value_->entries())
      if (k.is_scalar() && k.text() == key) return &v;
    return nullptr;
  }

 private:
  const Value* value_;
  std::string what_;
  bool valid_ = false;
};

/// The text of a scalar, plain or quoted (hashes and names may look like numbers); nullopt for
/// an absent or null value; a list or mapping is reported.
std::optional<std::string> scalar(const Value* v, const std::string& what, Diagnostics& diag) {
  if (v == nullptr || v->is_null()) return std::nullopt;
  if (v->is_scalar()) return v->text();
  diag.error(v->mark(), what + ": expected a string, found " + std::string{v->kind_name()});
  return std::nullopt;
}

/// Strings of a list (a single string is taken as one item); empty items are dropped.
std::vector<std::string> strings(const Value* v, const std::string& what, Diagnostics& diag) {
  std::vector<std::string> out;
  if (v == nullptr || v->is_null()) return out;
  if (!v->is_sequence()) {
    if (auto s = scalar(v, what, diag); s && !s->empty()) out.push_back(std::move(*s));
    return out;
  }
  for (const Value& item : v->items())
    if (auto s = scalar(&item, what, diag); s && !s->empty()) out.push_back(std::move(*s));
  return out;
}

/// Reads every file into one feed; problems go to `diag`.
class LolDriversReader {
 public:
  explicit LolDriversReader(Diagnostics& diag) : diag_(diag) { feed_.source = std::string{kLolDriversDataset}; }

  void file(const Value& root) {
    Fields f(root, "driver", {"Id", "Category", "Tags", "CVE", "CVEs", "Resources", "KnownVulnerableSamples"}, diag_);
    if (!f.valid()) return;
    const auto id = scalar(f.get("Id"), f.member("Id"), diag_);
    if (!id || id->empty() || id->find_first_of(" \t") != std::string::npos) {
      diag_.error(f.get("Id") ? f.get("Id")->mark() : f.mark(), "driver: missing or empty 'Id'");
      return;
    }
    if (auto [it, fresh] = ids_.emplace(*id, f.get("Id")->mark()); !fresh) {
      diag_.error(f.get("Id")->mark(), "driver '" + *id + "': duplicate Id (first in " + it->second.to_string() + ")");
      return;
    }
    const std::string what = "driver '" + *id + "'";
    const auto category = category_of(f.get("Category"), what, f.mark());
    const auto samples = f.get("KnownVulnerableSamples");
    if (samples == nullptr || !samples->is_sequence()) {
      diag_.error(samples ? samples->mark() : f.mark(), what + ": 'KnownVulnerableSamples' must be a list");
      return;
    }
    if (!category) return;
    FeedEntry entry{*id, *category, {}, {}, strings(f.get("Resources"), what + ": Resources", diag_)};
    const Value* cves = f.get("CVE") ? f.get("CVE") : f.get("CVEs");
    for (const auto& cve : strings(cves, what + ": CVE", diag_)) {
      auto ids = detail::cve_ids(cve);
      if (ids.size() != 1 || ids[0] != cve) ++counts_["cves_not_an_id"];  // "CVE-PENDING"
      entry.cves.insert(entry.cves.end(), ids.begin(), ids.end());
    }
    const auto tags = strings(f.get("Tags"), what + ": Tags", diag_);
    entry.name = tags.empty() ? *id : tags.front();
    const auto index = static_cast<std::uint32_t>(feed_.entries.size());
    ++counts_[std::string{"entries."} + (*category == KnownBadCategory::Malicious ? "malicious" : "vulnerable")];
    feed_.entries.push_back(std::move(entry));
    for (std::size_t i = 0; i < samples->items().size(); ++i)
      sample(samples->items()[i], index, what + ": sample " + std::to_string(i + 1));
  }

  /// The feed with its entries in the order of their Ids (samples and hashes follow their
  /// entries, each in reading order), so that it does not depend on the order of the files or of
  /// the JSON list: the YAML directory and the API document give the same feed.
  [[nodiscard]] KnownBadFeedData take_feed() {
    KnownBadFeedData& f = feed_;
    std::vector<std::uint32_t> order(f.entries.size());
    for (std::uint32_t i = 0; i < order.size(); ++i) order[i] = i;
    std::ranges::sort(order, {}, [&f](std::uint32_t i) -> const std::string& { return f.entries[i].id; });
    std::vector<std::uint32_t> rank(order.size());  // old entry index -> new
    std::vector<FeedEntry> entries;
    for (std::uint32_t i = 0; i < order.size(); ++i) {
      rank[order[i]] = i;
      entries.push_back(std::move(f.entries[order[i]]));
    }
    f.entries = std::move(entries);
    for (FeedSample& s : f.samples) s.entry = rank[s.entry];
    std::vector<std::uint32_t> sample_order(f.samples.size());
    for (std::uint32_t i = 0; i < sample_order.size(); ++i) sample_order[i] = i;
    std::ranges::stable_sort(sample_order, {}, [&f](std::uint32_t i) { return f.samples[i].entry; });
    std::vector<std::uint32_t> sample_rank(sample_order.size());
    std::vector<FeedSample> samples;
    for (std::uint32_t i = 0; i < sample_order.size(); ++i) {
      sample_rank[sample_order[i]] = i;
      samples.push_back(std::move(f.samples[sample_order[i]]));
    }
    f.samples = std::move(samples);
    for (FeedHash& h : f.hashes) {
      h.entry = rank[h.entry];
      if (h.sample) h.sample = sample_rank[*h.sample];
    }
    std::ranges::stable_sort(f.hashes, {}, [](const FeedHash& h) { return std::pair{h.entry, h.sample.value_or(0)}; });
    return std::move(feed_);
  }
  [[nodiscard]] std::map<std::string, std::uint64_t> counts() const {
    auto out = counts_;
    out["entries"] = feed_.entries.size();
    out["samples"] = feed_.samples.size();
    std::set<std::pair<KeyKind, std::string_view>> distinct;
    for (const auto& [kind, hex, entry] : keys_) distinct.emplace(kind, hex);
    for (const auto& [kind, hex] : distinct) ++out["hashes." + std::string{to_string(kind)}];
    return out;
  }

 private:
  std::optional<KnownBadCategory> category_of(const Value* v, const std::string& what, const Mark& where) {
    const auto text = scalar(v, what + ": Category", diag_);
    if (text == "vulnerable driver") return KnownBadCategory::Vulnerable;
    if (text == "malicious") return KnownBadCategory::Malicious;
    diag_.error(v ? v->mark() : where, what + ": Category " + (text ? "'" + *text + "'" : std::string{"missing"}) +
                                           " is neither 'vulnerable driver' nor 'malicious'");
    return std::nullopt;
  }

  void sample(const Value& v, std::uint32_t entry, const std::string& what) {
    Fields f(v, what,
             {"Filename", "OriginalFilename", "MD5", "SHA1", "SHA256", "Authentihash", "AuthentihashMD5",
              "AuthentihashSHA1", "AuthentihashSHA256", "LoadsDespiteHVCI"},
             diag_);
    if (!f.valid()) return;
    FeedSample s{entry, hvci(f.get("LoadsDespiteHVCI"), f.member("LoadsDespiteHVCI")), {}};
    const auto original = scalar(f.get("OriginalFilename"), f.member("OriginalFilename"), diag_);
    const auto name = scalar(f.get("Filename"), f.member("Filename"), diag_);
    s.file_name = original && !original->empty() ? *original : name.value_or("");
    const auto index = static_cast<std::uint32_t>(feed_.samples.size());
    feed_.samples.push_back(std::move(s));
    hash(f, "SHA256", KeyKind::FileSha256, entry, index);
    hash(f, "SHA1", KeyKind::FileSha1, entry, index);
    hash(f, "MD5", KeyKind::FileMd5, entry, index);
    hash(f, "AuthentihashSHA256", KeyKind::AuthenticodeSha256, entry, index);
    hash(f, "AuthentihashSHA1", KeyKind::AuthenticodeSha1, entry, index);
    if (hex(f.get("AuthentihashMD5"), 32, f.member("AuthentihashMD5"))) ++counts_["authentihash_md5_not_used"];
    const Value* auth = f.get("Authentihash");
    if (auth == nullptr || auth->is_null()) return;
    Fields a(*auth, f.member("Authentihash"), {"MD5", "SHA1", "SHA256"}, diag_);
    if (!a.valid()) return;
    hash(a, "SHA256", KeyKind::AuthenticodeSha256, entry, index);
    hash(a, "SHA1", KeyKind::AuthenticodeSha1, entry, index);
    if (hex(a.get("MD5"), 32, a.member("MD5"))) ++counts_["authentihash_md5_not_used"];
  }

  /// LoadsDespiteHVCI: TRUE or FALSE in any case, quoted or not; empty or absent = unknown.
  std::optional<bool> hvci(const Value* v, const std::string& what) {
    const auto text = scalar(v, what, diag_);
    if (!text || text->empty()) return std::nullopt;
    const std::string lower = fold_case(*text);
    if (lower == "true" || lower == "false") return lower == "true";
    diag_.error(v->mark(), what + ": expected TRUE or FALSE, found '" + *text + "'");
    return std::nullopt;
  }

  /// A hash: absent, null or "" give nullopt; otherwise exactly `digits` hex digits (any case).
  std::optional<std::string> hex(const Value* v, std::size_t digits, const std::string& what) {
    auto text = scalar(v, what, diag_);
    if (!text || text->empty()) return std::nullopt;
    std::string lower = fold_case(*text);
    if (is_lower_hex(lower, digits)) return lower;
    diag_.error(v->mark(), what + ": '" + *text + "' is not " + std::to_string(digits) + " hex digits");
    return std::nullopt;
  }

  void hash(const Fields& f, std::string_view key, KeyKind kind, std::uint32_t entry, std::uint32_t sample) {
    auto value = hex(f.get(key), hex_length(kind), f.member(key));
    // The same hash twice for one entry (several samples, or both Authentihash forms) is one key.
    if (!value || !keys_.emplace(kind, *value, entry).second) return;
    feed_.hashes.push_back({kind, std::move(*value), entry, sample});
  }

  Diagnostics& diag_;
  KnownBadFeedData feed_;
  std::map<std::string, Mark> ids_;
  std::set<std::tuple<KeyKind, std::string, std::uint32_t>> keys_;  // kind, hex, entry
  std::map<std::string, std::uint64_t> counts_;
};

/// Writes the feed the reader collected, with its counts in `info`, unless `diag` holds a problem.
Result<DatasetInfo> write_drivers(LolDriversReader& reader, DatasetInfo info, const Diagnostics& diag,
                                  const std::filesystem::path& out) {
  if (!diag.empty()) return std::unexpected(diag.to_error());
  info.counts = reader.counts();
  if (auto written = write_feed(out / kKnownBadFeedFile, reader.take_feed()); !written)
    return std::unexpected(written.error());
  return info;
}

DatasetInfo new_info(const std::filesystem::path& source) {
  return {std::string{kLolDriversDataset}, source.string(), "Apache-2.0", detail::utc_now(), "", {}, {}, {}};
}

/// SRC/loldrivers/yaml/*.yaml: one driver per file.
Result<DatasetInfo> import_yaml_directory(const std::filesystem::path& source,
                                          const std::vector<std::filesystem::path>& files,
                                          const std::filesystem::path& relative_dir, const std::filesystem::path& out) {
  DatasetInfo info = new_info(source);
  Diagnostics diag;
  LolDriversReader reader(diag);
  for (const auto& path : files) {
    auto described = detail::source_file(source, relative_dir / path.filename());
    if (!described) return std::unexpected(described.error());
    info.files.push_back(std::move(*described));
    auto doc = config::parse_file(path);
    if (!doc) {
      diag.add(doc.error().message);
      continue;
    }
    reader.file(doc->root());
  }
  return write_drivers(reader, std::move(info), diag, out);
}

/// SRC/loldrivers/drivers.json: the list of every driver (LOLDrivers' `loldrivers.io/content/api/
/// drivers.json`, published as www.loldrivers.io/api/drivers.json).
Result<DatasetInfo> import_api_document(const std::filesystem::path& source, const std::filesystem::path& relative,
                                        const std::filesystem::path& out) {
  DatasetInfo info = new_info(source);
  auto described = detail::source_file(source, relative);
  if (!described) return std::unexpected(described.error());
  info.files.push_back(std::move(*described));
  // The document holds every driver (31 MB for 661 of them): the limit is the download's.
  auto doc = config::parse_file(source / relative,
                                config::ParseLimits{static_cast<std::size_t>(kMaxSourceFileSize), 64});
  if (!doc) return std::unexpected(doc.error());
  Diagnostics diag;
  if (!doc->root().is_sequence()) {
    Mark where = doc->root().mark();
    if (!where.file) where.file = std::make_shared<const std::string>((source / relative).string());
    diag.error(where, "drivers: expected a list of drivers, found " + std::string{doc->root().kind_name()});
    return std::unexpected(diag.to_error());
  }
  LolDriversReader reader(diag);
  for (const Value& d : doc->root().items()) reader.file(d);
  return write_drivers(reader, std::move(info), diag, out);
}

}  // namespace

Result<std::optional<DatasetInfo>> import_loldrivers(const std::filesystem::path& source,
                                                     const std::filesystem::path& out) {
  const std::filesystem::path relative_dir = std::filesystem::path("loldrivers") / "yaml";
  const std::filesystem::path relative_json = std::filesystem::path("loldrivers") / "drivers.json";
  auto files = detail::files_with_extension(source / relative_dir, ".yaml");
  if (!files) return std::unexpected(files.error());
  std::error_code ec;
  const bool have_json = std::filesystem::exists(source / relative_json, ec);
  if (files->empty()) {
    if (std::filesystem::exists(source / relative_dir, ec))
      return fail(Errc::Config, (source / relative_dir).string() + ": no .yaml files (an incomplete copy?)");
    if (!have_json) return std::nullopt;
    auto info = import_api_document(source, relative_json, out);
    if (!info) return std::unexpected(info.error());
    return std::optional<DatasetInfo>{std::move(*info)};
  }
  auto info = import_yaml_directory(source, *files, relative_dir, out);
  if (!info) return std::unexpected(info.error());
  if (have_json)
    info->notes.push_back(relative_json.string() + " was not read: " + relative_dir.string() +
                          " holds the same data set and is read when present");
  return std::optional<DatasetInfo>{std::move(*info)};
}

}  // namespace trustscan::datasets
