// Microsoft's driver block rules importer (known_bad_import.hpp): SRC/wdac/*.xml, SiPolicy
// documents, -> known_bad.tsv. The only place that includes expat. The XML is read into a small
// tree whose nodes keep their line, then interpreted: FileRules (Deny, FileAttrib, Allow),
// Signers, and the SigningScenarios that say which of them are in force.
#include <expat.h>

#include <algorithm>
#include <array>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <set>
#include <utility>

#include "config/reader.hpp"
#include "datasets/import_support.hpp"
#include "datasets/known_bad_feed.hpp"
#include "datasets/known_bad_import.hpp"

namespace trustscan::datasets {
namespace {

using config::Diagnostics;
using config::Mark;

constexpr std::string_view kSiPolicyNamespace = "urn:schemas-microsoft-com:sipolicy";
constexpr char kNamespaceSeparator = '\x01';
constexpr std::uintmax_t kMaxPolicyBytes = 64U << 20U;  // the real policy is ~0.5 MiB
constexpr int kMaxDepth = 32;                            // the schema nests 6 levels

/// One element: its local name, attributes, children and text, and the line it starts on.
struct XmlNode {
  std::string name;
  int line = 0;
  std::vector<std::pair<std::string, std::string>> attributes;
  std::vector<XmlNode> children;
  std::string text;

  [[nodiscard]] const std::string* attribute(std::string_view key) const noexcept {
    for (const auto& [k, v] : attributes)
      if (k == key) return &v;
    return nullptr;
  }
};

/// expat callbacks building the tree; the first problem stops the parser.
class TreeBuilder {
 public:
  TreeBuilder(XML_Parser parser, std::string file) : parser_(parser), file_(std::move(file)) {}

  static void XMLCALL start(void* self, const XML_Char* name, const XML_Char** attributes) {
    static_cast<TreeBuilder*>(self)->on_start(name, attributes);
  }
  static void XMLCALL end(void* self, const XML_Char*) { static_cast<TreeBuilder*>(self)->stack_.pop_back(); }
  static void XMLCALL text(void* self, const XML_Char* s, int len) {
    auto* b = static_cast<TreeBuilder*>(self);
    if (!b->stack_.empty() && b->stack_.back()->text.size() < 4096) b->stack_.back()->text.append(s, len);
  }
  static void XMLCALL doctype(void* self, const XML_Char*, const XML_Char*, const XML_Char*, int) {
    static_cast<TreeBuilder*>(self)->stop("a DOCTYPE (DTD) is not allowed in a SiPolicy");
  }

  [[nodiscard]] const std::string& problem() const noexcept { return problem_; }
  [[nodiscard]] XmlNode& root() noexcept { return root_; }

 private:
  void on_start(const XML_Char* qualified, const XML_Char** attributes) {
    const std::string_view q{qualified};
    const std::size_t sep = q.find(kNamespaceSeparator);
    if (sep == std::string_view::npos || q.substr(0, sep) != kSiPolicyNamespace)
      return stop("element <" + std::string{q.substr(sep == std::string_view::npos ? 0 : sep + 1)} +
                  "> is not in the SiPolicy namespace (" + std::string{kSiPolicyNamespace} + ")");
    if (stack_.size() >= kMaxDepth) return stop("elements nested deeper than " + std::to_string(kMaxDepth));
    XmlNode* node = stack_.empty() ? &root_ : &stack_.back()->children.emplace_back();
    node->name = std::string{q.substr(sep + 1)};
    node->line = static_cast<int>(XML_GetCurrentLineNumber(parser_));
    for (std::size_t i = 0; attributes[i] != nullptr; i += 2) node->attributes.emplace_back(attributes[i], attributes[i + 1]);
    stack_.push_back(node);
  }

  void stop(std::string what) {
    if (problem_.empty())
      problem_ = file_ + ":" + std::to_string(XML_GetCurrentLineNumber(parser_)) + ": " + std::move(what);
    XML_StopParser(parser_, XML_FALSE);
  }

  XML_Parser parser_;
  std::string file_;
  XmlNode root_;
  std::vector<XmlNode*> stack_;
  std::string problem_;
};

/// Parses one SiPolicy file into a tree; errors name file and line.
Result<XmlNode> parse_xml(const std::filesystem::path& path, const std::string& name) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) return fail(Errc::Io, name + ": cannot open: " + ec.message());
  if (size > kMaxPolicyBytes) return fail(Errc::TooLarge, name + ": larger than any SiPolicy");
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(Errc::Io, name + ": cannot open for reading");
  const std::string bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (in.bad()) return fail(Errc::Io, name + ": read error");
  std::unique_ptr<std::remove_pointer_t<XML_Parser>, decltype(&XML_ParserFree)> parser(
      XML_ParserCreateNS(nullptr, kNamespaceSeparator), &XML_ParserFree);
  if (!parser) return fail(Errc::Internal, name + ": cannot create an XML parser");
  TreeBuilder builder(parser.get(), name);
  XML_SetUserData(parser.get(), &builder);
  XML_SetElementHandler(parser.get(), &TreeBuilder::start, &TreeBuilder::end);
  XML_SetCharacterDataHandler(parser.get(), &TreeBuilder::text);
  XML_SetStartDoctypeDeclHandler(parser.get(), &TreeBuilder::doctype);
  const auto status = XML_Parse(parser.get(), bytes.data(), static_cast<int>(bytes.size()), XML_TRUE);
  if (!builder.problem().empty()) return fail(Errc::Config, builder.problem());
  if (status != XML_STATUS_OK)
    return fail(Errc::Config, name + ":" + std::to_string(XML_GetCurrentLineNumber(parser.get())) +
                                  ": XML error: " + XML_ErrorString(XML_GetErrorCode(parser.get())));
  if (builder.root().name != "SiPolicy")
    return fail(Errc::Config, name + ":" + std::to_string(builder.root().line) + ": the root element is <" +
                                  builder.root().name + ">, not <SiPolicy>");
  return std::move(builder.root());
}

std::string trimmed(std::string_view s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  return std::string{s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1)};
}

const XmlNode* child(const XmlNode& node, std::string_view name) {
  for (const auto& c : node.children)
    if (c.name == name) return &c;
  return nullptr;
}

/// Reads one SiPolicy into a feed: the rules its signing scenarios use.
class PolicyReader {
 public:
  PolicyReader(std::string file, Diagnostics& diag) : file_(std::move(file)), diag_(diag) {}

  void read(const XmlNode& root) {
    if (const XmlNode* rules = child(root, "FileRules"))
      for (const auto& r : rules->children) define_file_rule(r);
    if (const XmlNode* signers = child(root, "Signers"))
      for (const auto& s : signers->children) define(signers_, s, "signer");
    if (const XmlNode* scenarios = child(root, "SigningScenarios"))
      for (const auto& s : scenarios->children) scenario(s);
    for (const auto& [id, rule] : file_rules_)
      if (!used_rules_.contains(id)) ++counts_["rules.not_used_by_a_scenario"];
    for (const auto& [id, signer] : signers_)
      if (!used_signers_.contains(id)) ++counts_["signers.not_used_by_a_scenario"];
  }

  [[nodiscard]] KnownBadFeedData take_feed() { return std::move(feed_); }
  [[nodiscard]] const std::map<std::string, std::uint64_t>& counts() const noexcept { return counts_; }

 private:
  void error(const XmlNode& at, const std::string& what) {
    diag_.error(Mark{std::make_shared<const std::string>(file_), at.line, 0}, what);
  }

  /// A node's ID, checked to be present and not defined before in `defined`.
  bool define(std::map<std::string, const XmlNode*>& defined, const XmlNode& node, std::string_view what) {
    const std::string* id = node.attribute("ID");
    if (id == nullptr || id->empty()) {
      error(node, std::string{what} + " <" + node.name + "> without an ID");
      return false;
    }
    if (auto [it, fresh] = defined.emplace(*id, &node); !fresh) {
      error(node, std::string{what} + " ID '" + *id + "' defined twice (first at line " +
                      std::to_string(it->second->line) + ")");
      return false;
    }
    return true;
  }

  void define_file_rule(const XmlNode& r) {
    if (r.name != "Allow" && r.name != "Deny" && r.name != "FileAttrib") {
      error(r, "file rule <" + r.name + "> is not supported (Allow, Deny and FileAttrib are)");
      return;
    }
    define(file_rules_, r, "file rule");
  }

  void scenario(const XmlNode& s) {
    const XmlNode* product = child(s, "ProductSigners");
    if (s.name != "SigningScenario" || product == nullptr) return;
    for (const auto& group : product->children) {
      if (group.name == "AllowedSigners") continue;  // allow lists: not known-bad
      if (group.name != "DeniedSigners" && group.name != "FileRulesRef") {
        error(group, "<" + group.name + "> in <ProductSigners> is not supported");
        continue;
      }
      for (const auto& ref : group.children) reference(ref, group.name == "DeniedSigners");
    }
  }

  void reference(const XmlNode& ref, bool signer) {
    const char* id_attribute = signer ? "SignerId" : "RuleID";
    const std::string* id = ref.attribute(id_attribute);
    if (ref.name != (signer ? "DeniedSigner" : "FileRuleRef") || id == nullptr || !ref.children.empty()) {
      error(ref, "<" + ref.name + "> is not a plain " + (signer ? "DeniedSigner" : "FileRuleRef") + " with a " +
                     id_attribute);
      return;
    }
    auto& defined = signer ? signers_ : file_rules_;
    const auto it = defined.find(*id);
    if (it == defined.end()) {
      error(ref, "reference to undefined " + std::string{signer ? "signer" : "file rule"} + " '" + *id + "'");
      return;
    }
    if (!(signer ? used_signers_ : used_rules_).insert(*id).second) return;  // used by another scenario too
    if (signer)
      signer_rule(*it->second);
    else if (it->second->name == "Deny")
      deny_rule(*it->second);
    else if (it->second->name == "Allow")
      ++counts_["rules.allow_not_used"];
    else
      error(ref, "FileRuleRef to <FileAttrib> '" + *id + "': a FileAttrib counts only through a signer");
  }

  std::uint32_t entry(const XmlNode& node, std::string_view name_attribute) {
    const std::string* name = node.attribute(name_attribute);
    FeedEntry e{*node.attribute("ID"), KnownBadCategory::VulnerableOrMalicious, name ? *name : "", {}, {}};
    e.cves = detail::cve_ids(e.name);
    feed_.entries.push_back(std::move(e));
    return static_cast<std::uint32_t>(feed_.entries.size() - 1);
  }

  void deny_rule(const XmlNode& rule);
  std::optional<FeedAttributeRule> attribute_rule(const XmlNode& rule, bool standalone);
  void signer_rule(const XmlNode& signer);
  std::optional<std::uint32_t> signer_file_attribute(const XmlNode& ref);

  std::string file_;
  Diagnostics& diag_;
  std::map<std::string, const XmlNode*> file_rules_;
  std::map<std::string, const XmlNode*> signers_;
  std::set<std::string> used_rules_;    // Deny/Allow rules a scenario uses, FileAttribs a signer uses
  std::set<std::string> used_signers_;  // signers a scenario denies
  std::map<std::string, std::uint32_t> attribute_rule_index_;  // FileAttrib ID -> attribute rule
  KnownBadFeedData feed_;
  std::map<std::string, std::uint64_t> counts_;
};

constexpr std::array<std::string_view, 9> kRuleAttributes = {
    "ID",          "FriendlyName", "Hash", "FileName", "InternalName", "FileDescription", "ProductName",
    "MinimumFileVersion", "MaximumFileVersion"};

void PolicyReader::deny_rule(const XmlNode& rule) {
  const std::string* hash = rule.attribute("Hash");
  if (hash == nullptr) {
    auto attributes = attribute_rule(rule, true);
    if (!attributes) return;
    if (attributes->names.empty()) return error(rule, "Deny rule '" + *rule.attribute("ID") + "' names no file");
    attributes->entry = entry(rule, "FriendlyName");
    feed_.attribute_rules.push_back(std::move(*attributes));
    ++counts_["rules.deny.file_attributes"];
    return;
  }
  for (const auto& [key, value] : rule.attributes)
    if (key != "ID" && key != "FriendlyName" && key != "Hash")
      return error(rule, "Deny rule '" + *rule.attribute("ID") + "': a Hash rule with " + key);
  const std::string hex = fold_case(*hash);
  if (!is_lower_hex(hex, 40) && !is_lower_hex(hex, 64))
    return error(rule, "Deny rule '" + *rule.attribute("ID") + "': Hash '" + *hash +
                           "' is neither a SHA-1 (40 hex digits) nor a SHA-256 (64)");
  // Page hash rules say so only in their names: "... Hash Page Sha256", "ID_DENY_X_SHA1_PAGE".
  const std::string* friendly = rule.attribute("FriendlyName");
  const bool page = (friendly != nullptr && fold_case(*friendly).find("hash page") != std::string::npos) ||
                    rule.attribute("ID")->find("_PAGE") != std::string::npos;
  const bool sha1 = hex.size() == 40;
  const KeyKind kind = page ? (sha1 ? KeyKind::PageSha1 : KeyKind::PageSha256)
                            : (sha1 ? KeyKind::AuthenticodeSha1 : KeyKind::AuthenticodeSha256);
  feed_.hashes.push_back({kind, hex, entry(rule, "FriendlyName"), std::nullopt});
  ++counts_["rules.deny." + std::string{to_string(kind)}];
}

/// The names and version range of a Deny or FileAttrib rule. A deny rule's version bounds, as
/// Windows applies them: both given, [Minimum, Maximum]; Maximum alone, up to it; Minimum alone,
/// *up to* it (a deny rule's lone MinimumFileVersion blocks that version and every lower one);
/// neither, every version.
std::optional<FeedAttributeRule> PolicyReader::attribute_rule(const XmlNode& rule, bool standalone) {
  const std::string id = *rule.attribute("ID");
  FeedAttributeRule out;
  out.standalone = standalone;
  bool ok = true;
  for (const auto& [key, value] : rule.attributes) {
    if (std::ranges::find(kRuleAttributes, key) == kRuleAttributes.end() || key == "Hash") {
      error(rule, "rule '" + id + "': attribute " + key + " is not supported");
      ok = false;
    } else if (auto attribute = file_attribute_from_string(key == "FileName" ? "OriginalFilename" : key)) {
      if (value.empty()) error(rule, "rule '" + id + "': empty " + key);
      ok = ok && !value.empty();
      out.names.push_back({*attribute, value});
    }
  }
  std::optional<FileVersion> bound[2];
  const char* keys[2] = {"MinimumFileVersion", "MaximumFileVersion"};
  for (int i = 0; i < 2; ++i) {
    const std::string* text = rule.attribute(keys[i]);
    if (text == nullptr) continue;
    bound[i] = FileVersion::parse(*text);
    if (!bound[i]) {
      error(rule, "rule '" + id + "': " + keys[i] + " '" + *text + "' is not a version a.b.c.d (0-65535 each)");
      ok = false;
    }
  }
  out.low = bound[0] && bound[1] ? *bound[0] : FileVersion{};
  out.high = bound[1] ? *bound[1] : bound[0] ? *bound[0] : FileVersion::max();
  if (out.high < out.low) {
    error(rule, "rule '" + id + "': MaximumFileVersion below MinimumFileVersion");
    ok = false;
  }
  std::erase_if(out.names, [](const NameCondition& n) { return n.value == "*"; });  // any file
  if (!ok) return std::nullopt;
  return out;
}

std::optional<std::uint32_t> PolicyReader::signer_file_attribute(const XmlNode& ref) {
  const std::string* id = ref.attribute("RuleID");
  const auto it = id ? file_rules_.find(*id) : file_rules_.end();
  if (it == file_rules_.end() || it->second->name != "FileAttrib") {
    error(ref, "FileAttribRef to " + (id ? "'" + *id + "', which is not a FileAttrib rule" : std::string{"nothing"}));
    return std::nullopt;
  }
  if (auto known = attribute_rule_index_.find(*id); known != attribute_rule_index_.end()) return known->second;
  auto rule = attribute_rule(*it->second, false);
  if (!rule) return std::nullopt;
  used_rules_.insert(*id);
  rule->entry = entry(*it->second, "FriendlyName");
  feed_.attribute_rules.push_back(std::move(*rule));
  ++counts_["rules.file_attributes"];
  const auto index = static_cast<std::uint32_t>(feed_.attribute_rules.size() - 1);
  attribute_rule_index_.emplace(*id, index);
  return index;
}

void PolicyReader::signer_rule(const XmlNode& signer) {
  FeedSignerRule rule;
  rule.entry = entry(signer, "Name");
  const std::string& id = *signer.attribute("ID");
  int roots = 0;
  for (const auto& c : signer.children) {
    const std::string* value = c.attribute("Value");
    if (c.name == "CertRoot") {
      ++roots;
      const std::string hex = value ? fold_case(*value) : "";
      const std::string* type = c.attribute("Type");
      if (type == nullptr || *type != "TBS")
        error(c, "signer '" + id + "': CertRoot Type '" + (type ? *type : "") + "' is not supported (TBS is)");
      else if (!is_lower_hex(hex, hex.size()) || (hex.size() != 40 && hex.size() != 64 && hex.size() != 96 && hex.size() != 128))
        error(c, "signer '" + id + "': CertRoot Value is not a SHA-1/256/384/512 TBS hash in hex");
      rule.tbs_hex = hex;
    } else if ((c.name == "CertPublisher" || c.name == "CertOemID") && value != nullptr && !value->empty()) {
      (c.name == "CertPublisher" ? rule.publisher : rule.oem_id) = *value;
    } else if (c.name == "FileAttribRef") {
      if (auto index = signer_file_attribute(c)) rule.attribute_rules.push_back(*index);
      ++counts_["signers.file_attribute_refs"];
    } else {
      error(c, "signer '" + id + "': <" + c.name + "> is not supported (CertRoot, CertPublisher, CertOemID and "
                                                     "FileAttribRef are)");
    }
  }
  if (roots != 1) error(signer, "signer '" + id + "' has " + std::to_string(roots) + " CertRoot elements, not one");
  ++counts_["signers.denied"];
  feed_.signer_rules.push_back(std::move(rule));
}

/// A policy file, parsed, and where it stands among the others.
struct PolicyFile {
  std::string name;      ///< relative to the source directory, for messages and provenance
  XmlNode root;
  std::string identity;  ///< PolicyID, else PolicyTypeID, else the file name
  FileVersion version{};
  std::string version_text;
};

std::optional<PolicyFile> policy_file(std::string name, XmlNode root, Diagnostics& diag) {
  PolicyFile p{std::move(name), std::move(root), {}, {}, {}};
  const XmlNode* version = child(p.root, "VersionEx");
  p.version_text = version ? trimmed(version->text) : "";
  const auto parsed = FileVersion::parse(p.version_text);
  if (!parsed) {
    diag.error(Mark{std::make_shared<const std::string>(p.name), version ? version->line : p.root.line, 0},
               "<VersionEx> '" + p.version_text + "' is missing or not a version a.b.c.d");
    return std::nullopt;
  }
  p.version = *parsed;
  const XmlNode* id = child(p.root, "PolicyID") ? child(p.root, "PolicyID") : child(p.root, "PolicyTypeID");
  p.identity = id ? fold_case(trimmed(id->text)) : p.name;
  return p;
}

/// Appends `more` to `into`, moving its indices past what `into` already holds.
void append_feed(KnownBadFeedData& into, KnownBadFeedData more) {
  const auto entries = static_cast<std::uint32_t>(into.entries.size());
  const auto rules = static_cast<std::uint32_t>(into.attribute_rules.size());
  std::ranges::move(more.entries, std::back_inserter(into.entries));
  for (auto& h : more.hashes) into.hashes.push_back({h.kind, std::move(h.hex), h.entry + entries, std::nullopt});
  for (auto& a : more.attribute_rules) {
    a.entry += entries;
    into.attribute_rules.push_back(std::move(a));
  }
  for (auto& s : more.signer_rules) {
    s.entry += entries;
    for (auto& r : s.attribute_rules) r += rules;
    into.signer_rules.push_back(std::move(s));
  }
}

}  // namespace

Result<std::optional<DatasetInfo>> import_driver_block_rules(const std::filesystem::path& source,
                                                             const std::filesystem::path& out) {
  const std::filesystem::path dir = "wdac";
  auto files = detail::files_with_extension(source / dir, ".xml");
  if (!files) return std::unexpected(files.error());
  if (files->empty()) return std::nullopt;
  DatasetInfo info{std::string{kDriverBlockRulesDataset}, source.string(), "CC-BY-4.0 / MIT", detail::utc_now(), "",
                   {}, {}, {}};
  Diagnostics diag;
  std::vector<PolicyFile> policies;
  for (const auto& path : *files) {
    const std::string name = (dir / path.filename()).generic_string();
    auto described = detail::source_file(source, dir / path.filename());
    if (!described) return std::unexpected(described.error());
    info.files.push_back(std::move(*described));
    auto tree = parse_xml(path, name);
    if (!tree) {
      diag.add(tree.error().message);
      continue;
    }
    if (auto p = policy_file(name, std::move(*tree), diag)) policies.push_back(std::move(*p));
  }
  // Every file is checked; of the versions of one policy, the highest is imported.
  std::map<std::string, const PolicyFile*> newest;
  for (const auto& p : policies)
    if (auto [it, fresh] = newest.emplace(p.identity, &p); !fresh && it->second->version < p.version) it->second = &p;
  KnownBadFeedData feed;
  feed.source = std::string{kDriverBlockRulesDataset};
  for (const auto& p : policies) {
    PolicyReader reader(p.name, diag);
    reader.read(p.root);
    if (newest.at(p.identity) != &p) {
      ++info.counts["policies.superseded"];
      continue;
    }
    ++info.counts["policies"];
    for (const auto& [key, n] : reader.counts()) info.counts[key] += n;
    append_feed(feed, reader.take_feed());
    info.version += (info.version.empty() ? "" : ", ") + p.version_text;
  }
  if (!diag.empty()) return std::unexpected(diag.to_error());
  feed.version = info.version;
  info.counts["entries"] = feed.entries.size();
  if (auto written = write_feed(out / kKnownBadFeedFile, feed); !written) return std::unexpected(written.error());
  return info;
}

}  // namespace trustscan::datasets
