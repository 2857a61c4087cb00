#include "match/known_bad.hpp"

#include <algorithm>
#include <set>
#include <system_error>
#include <utility>

namespace trustscan::match {

using datasets::FeedAttributeRule;
using datasets::FeedSignerRule;
using datasets::KeyKind;
using datasets::KnownBadFeedData;

void set_version_names(KnownBadFacts& facts, const std::map<std::string, std::string>& version_info) {
  for (std::size_t i = 0; i < facts.version_names.size(); ++i) {
    const auto it = version_info.find(std::string{to_string(static_cast<datasets::FileAttribute>(i))});
    facts.version_names[i] = it == version_info.end() ? std::string_view{} : std::string_view{it->second};
  }
}

/// Gathers matches, one per listed entry (the first found: callers go from strong keys to weak).
class KnownBadFeed::Collector {
 public:
  explicit Collector(const std::vector<KnownBadFeedData>& feeds) : feeds_(feeds) {}

  /// The match for `entry` of feed `feed`, or nullptr when that entry already matched.
  KnownBadMatch* add(std::uint32_t feed, std::uint32_t entry, KeyKind kind, std::string value) {
    if (!seen_.emplace(feed, entry).second) return nullptr;
    const KnownBadFeedData& f = feeds_[feed];
    const datasets::FeedEntry& e = f.entries[entry];
    out_.push_back(
        {f.source, e.id, e.category, e.name, kind, std::move(value), {}, e.cves, std::nullopt, e.references, {}, {}});
    return &out_.back();
  }
  [[nodiscard]] std::vector<KnownBadMatch> take() { return std::move(out_); }

 private:
  const std::vector<KnownBadFeedData>& feeds_;
  std::set<std::pair<std::uint32_t, std::uint32_t>> seen_;
  std::vector<KnownBadMatch> out_;
};

Result<KnownBadFeed> KnownBadFeed::load(const std::filesystem::path& data_dir) {
  std::vector<KnownBadFeedData> feeds;
  for (std::string_view name : {datasets::kLolDriversDataset, datasets::kDriverBlockRulesDataset}) {
    const std::filesystem::path dir = data_dir / name;
    std::error_code ec;
    if (!std::filesystem::exists(dir, ec)) continue;
    auto feed = datasets::read_feed(dir / datasets::kKnownBadFeedFile);
    if (!feed) return std::unexpected(feed.error());
    if (feed->source != name)
      return fail(Errc::Config, (dir / datasets::kKnownBadFeedFile).string() + ": a '" + feed->source +
                                    "' feed in the '" + std::string{name} + "' data set");
    feeds.push_back(std::move(*feed));
  }
  return from(std::move(feeds));
}

KnownBadFeed KnownBadFeed::from(std::vector<KnownBadFeedData> feeds) {
  KnownBadFeed out;
  out.feeds_ = std::move(feeds);
  out.index();
  return out;
}

void KnownBadFeed::index() {
  // Each map sized once for all its keys (LOLDrivers and the block rules: 10,000 hashes).
  std::array<std::size_t, datasets::kHashKindCount> hashes{};
  for (const KnownBadFeedData& feed : feeds_)
    for (const auto& h : feed.hashes) ++hashes[static_cast<std::size_t>(h.kind)];
  for (std::size_t k = 0; k < hashes.size(); ++k) hashes_[k].reserve(hashes[k]);
  for (std::uint32_t f = 0; f < feeds_.size(); ++f) {
    const KnownBadFeedData& feed = feeds_[f];
    for (std::uint32_t i = 0; i < feed.hashes.size(); ++i)
      hashes_[static_cast<std::size_t>(feed.hashes[i].kind)][feed.hashes[i].hex].push_back({f, i});
    for (std::uint32_t i = 0; i < feed.attribute_rules.size(); ++i) {
      const FeedAttributeRule& rule = feed.attribute_rules[i];
      if (!rule.standalone || rule.names.empty()) continue;  // signer-bound: checked through the signer
      const auto& first = rule.names.front();
      names_[static_cast<std::size_t>(first.attribute)][fold_case(first.value)].push_back({f, i});
    }
    for (std::uint32_t i = 0; i < feed.signer_rules.size(); ++i) signers_[feed.signer_rules[i].tbs_hex].push_back({f, i});
    // A sample listed by its file SHA-256 is found by that; its SHA-1 and MD5 are needed only
    // for the samples listed without one.
    std::vector<bool> has_sha256(feed.samples.size());
    for (const auto& h : feed.hashes)
      if (h.kind == KeyKind::FileSha256 && h.sample) has_sha256[*h.sample] = true;
    for (const auto& h : feed.hashes) {
      const bool covered = (h.kind == KeyKind::FileSha1 || h.kind == KeyKind::FileMd5) && h.sample && has_sha256[*h.sample];
      if (!covered) needed_[static_cast<std::size_t>(h.kind)] = true;
    }
  }
}

std::vector<KnownBadFeed::Loaded> KnownBadFeed::loaded() const {
  std::vector<Loaded> out;
  out.reserve(feeds_.size());
  for (const auto& f : feeds_) out.push_back({f.source, f.version, f.entries.size()});
  return out;
}

bool KnownBadFeed::needs(KeyKind kind) const noexcept {
  if (kind == KeyKind::Signer) return !signers_.empty();
  if (kind == KeyKind::FileAttributes)
    return std::ranges::any_of(feeds_, [](const auto& f) { return !f.attribute_rules.empty(); });
  return needed_[static_cast<std::size_t>(kind)];
}

std::vector<KnownBadMatch> KnownBadFeed::match(const KnownBadFacts& facts) const {
  Collector out(feeds_);
  match_hashes(facts, out);
  match_signers(facts, out);
  match_names(facts, out);
  return out.take();
}

void KnownBadFeed::match_hashes(const KnownBadFacts& facts, Collector& out) const {
  // Strongest first: the whole file, then the signed image, then the first page.
  const std::pair<KeyKind, std::string_view> keys[] = {
      {KeyKind::FileSha256, facts.file_sha256},
      {KeyKind::AuthenticodeSha256, facts.authenticode_sha256},
      {KeyKind::AuthenticodeSha1, facts.authenticode_sha1},
      {KeyKind::FileSha1, facts.file_sha1},
      {KeyKind::FileMd5, facts.file_md5},
      {KeyKind::PageSha256, facts.page_sha256},
      {KeyKind::PageSha1, facts.page_sha1}};
  for (const auto& [kind, value] : keys) {
    if (value.empty()) continue;
    const Index& index = hashes_[static_cast<std::size_t>(kind)];
    const auto it = index.find(value);
    if (it == index.end()) continue;
    for (const Ref& ref : it->second) {
      const datasets::FeedHash& h = feeds_[ref.feed].hashes[ref.item];
      if (KnownBadMatch* m = out.add(ref.feed, h.entry, kind, h.hex); m != nullptr && h.sample)
        m->loads_despite_hvci = feeds_[ref.feed].samples[*h.sample].loads_despite_hvci;
    }
  }
}

namespace {

std::string describe(const FeedAttributeRule& rule, const KnownBadFacts& facts) {
  std::string out;
  for (const auto& n : rule.names) {
    if (!out.empty()) out += ", ";
    out += std::string{to_string(n.attribute)} + "=" +
           std::string{facts.version_names[static_cast<std::size_t>(n.attribute)]};
  }
  if (!out.empty()) out += ", ";
  return out + "version " + facts.file_version.value_or(FileVersion{}).to_string() + " in [" +
         rule.low.to_string() + ", " + rule.high.to_string() + "]";
}

}  // namespace

bool KnownBadFeed::holds(const FeedAttributeRule& rule, const KnownBadFacts& facts) const {
  const FileVersion version = facts.file_version.value_or(FileVersion{});
  if (version < rule.low || rule.high < version) return false;
  return std::ranges::all_of(rule.names, [&](const datasets::NameCondition& n) {
    const std::string_view have = facts.version_names[static_cast<std::size_t>(n.attribute)];
    return !have.empty() && fold_case(have) == fold_case(n.value);
  });
}

void KnownBadFeed::match_names(const KnownBadFacts& facts, Collector& out) const {
  for (std::size_t a = 0; a < facts.version_names.size(); ++a) {
    if (facts.version_names[a].empty()) continue;
    const auto it = names_[a].find(fold_case(facts.version_names[a]));
    if (it == names_[a].end()) continue;
    for (const Ref& ref : it->second) {
      const FeedAttributeRule& rule = feeds_[ref.feed].attribute_rules[ref.item];
      if (holds(rule, facts)) out.add(ref.feed, rule.entry, KeyKind::FileAttributes, describe(rule, facts));
    }
  }
}

void KnownBadFeed::match_signers(const KnownBadFacts& facts, Collector& out) const {
  for (const SignerFacts& signer : facts.signers) {
    for (const std::string& tbs : signer.chain_tbs_hashes) {
      const auto it = tbs.empty() ? signers_.end() : signers_.find(tbs);
      if (it == signers_.end()) continue;
      for (const Ref& ref : it->second) {
        const KnownBadFeedData& feed = feeds_[ref.feed];
        const FeedSignerRule& rule = feed.signer_rules[ref.item];
        if (!rule.publisher.empty() && rule.publisher != signer.publisher) continue;
        if (!rule.oem_id.empty() && rule.oem_id != signer.program_name) continue;
        const auto attribute = std::ranges::find_if(
            rule.attribute_rules, [&](std::uint32_t a) { return holds(feed.attribute_rules[a], facts); });
        if (!rule.attribute_rules.empty() && attribute == rule.attribute_rules.end()) continue;
        std::string value = "TBS " + tbs;
        if (!rule.publisher.empty()) value += ", CertPublisher '" + rule.publisher + "'";
        if (!rule.oem_id.empty()) value += ", CertOemID '" + rule.oem_id + "'";
        if (attribute != rule.attribute_rules.end())
          value += ", " + describe(feed.attribute_rules[*attribute], facts);
        if (KnownBadMatch* m = out.add(ref.feed, rule.entry, KeyKind::Signer, std::move(value));
            m != nullptr && attribute != rule.attribute_rules.end())
          m->via = feed.entries[feed.attribute_rules[*attribute].entry].id;
      }
    }
  }
}

}  // namespace trustscan::match
