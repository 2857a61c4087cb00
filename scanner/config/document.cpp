// The only place that includes yaml-cpp: YAML text -> config::Document (a tree with marks).
#include "config/document.hpp"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>
#include <optional>
#include <sstream>
#include <system_error>
#include <utility>

namespace trustscan::config {

std::string_view Mark::file_name() const noexcept {
  return file ? std::string_view{*file} : std::string_view{"<input>"};
}

std::string Mark::to_string() const {
  std::string out{file_name()};
  if (line > 0) out += ":" + std::to_string(line);
  return out;
}

std::span<const Value> Value::items() const noexcept {
  return items_;
}
std::span<const Entry> Value::entries() const noexcept {
  return entries_;
}

std::string_view Value::kind_name() const noexcept {
  switch (kind_) {
    case Kind::Null: return "null";
    case Kind::Scalar: return "a string";
    case Kind::Sequence: return "a list";
    case Kind::Mapping: return "a mapping";
  }
  return "null";
}

/// Converts a yaml-cpp tree into Values. A friend of Value and Document.
class TreeBuilder {
 public:
  TreeBuilder(std::shared_ptr<const std::string> name, int max_depth)
      : name_(std::move(name)), max_depth_(max_depth) {}

  Result<Value> build(const YAML::Node& node, int depth) {
    Value v;
    v.mark_ = mark_of(node);
    if (depth > max_depth_) return fail(Errc::Config, too_deep(v));
    switch (node.Type()) {
      case YAML::NodeType::Undefined:
      case YAML::NodeType::Null: v.kind_ = Value::Kind::Null; break;
      case YAML::NodeType::Scalar:
        v.kind_ = Value::Kind::Scalar;
        v.text_ = node.Scalar();
        // yaml-cpp tags plain scalars "?" and quoted/block scalars "!" (non-specific tags).
        v.quoted_ = node.Tag() != "?";
        break;
      case YAML::NodeType::Sequence:
        v.kind_ = Value::Kind::Sequence;
        v.items_.reserve(node.size());
        for (const auto& item : node) {
          auto child = build(item, depth + 1);
          if (!child) return std::unexpected(child.error());
          v.items_.push_back(std::move(*child));
        }
        break;
      case YAML::NodeType::Map:
        v.kind_ = Value::Kind::Mapping;
        v.entries_.reserve(node.size());
        for (auto it = node.begin(); it != node.end(); ++it) {
          auto key = build(it->first, depth + 1);
          if (!key) return std::unexpected(key.error());
          auto value = build(it->second, depth + 1);
          if (!value) return std::unexpected(value.error());
          // NOTE: yaml-cpp marks an empty value (`key:` at end of line) at the *next* token,
          // often on a later line. The key's line is what a person looks for.
          if (value->is_null()) value->mark_ = key->mark_;
          v.entries_.push_back(Entry{std::move(*key), std::move(*value)});
        }
        break;
    }
    return v;
  }

  // ---- Building from parser events (EventBuilder), with the same results as build() ----

  Value null_value(const YAML::Mark& m) const {
    Value v;
    v.mark_ = mark_of(m);
    return v;
  }
  Value scalar(const YAML::Mark& m, const std::string& tag, const std::string& text) const {
    Value v = null_value(m);
    v.kind_ = Value::Kind::Scalar;
    v.text_ = text;
    v.quoted_ = tag != "?";  // as build(): yaml-cpp's non-specific tags
    return v;
  }
  Value container(const YAML::Mark& m, bool mapping) const {
    Value v = null_value(m);
    v.kind_ = mapping ? Value::Kind::Mapping : Value::Kind::Sequence;
    return v;
  }
  /// Adds `child` to the open container `parent`: an item, or a mapping's key (`key` empty) or
  /// its value (the pending key given back).
  static void add(Value& parent, Value child, std::optional<Value>& key) {
    if (parent.kind_ == Value::Kind::Sequence) {
      parent.items_.push_back(std::move(child));
    } else if (!key) {
      key = std::move(child);
    } else {
      if (child.is_null()) child.mark_ = key->mark_;  // as build(): the key's line
      parent.entries_.push_back(Entry{std::move(*key), std::move(child)});
      key.reset();
    }
  }
  [[nodiscard]] std::string too_deep(const Value& v) const {
    return v.mark_.to_string() + ": nested deeper than " + std::to_string(max_depth_) + " levels";
  }

  Document document(Value root) const {
    Document doc;
    doc.name_ = name_;
    doc.root_ = std::move(root);
    return doc;
  }

  Mark mark_of(const YAML::Node& node) const { return mark_of(node.Mark()); }
  Mark mark_of(const YAML::Mark& m) const {
    if (m.is_null()) return Mark{name_, 0, 0};
    return Mark{name_, m.line + 1, m.column + 1};
  }
  [[nodiscard]] int max_depth() const noexcept { return max_depth_; }

 private:
  std::shared_ptr<const std::string> name_;
  int max_depth_;
};

namespace {

/// Counts the documents of a stream (and where each one's root node starts) without building
/// them, so that parse_text() never calls YAML::LoadAll(): in yaml-cpp 0.7 (Debian 12), LoadAll
/// loops forever on some malformed streams, appending a null document per turn until memory runs
/// out (2 bytes `,'` are enough: jbeder/yaml-cpp#1040, fixed upstream by #1319 in 2024; found by
/// fuzz_policy, input in tests/data/regress/policy/). The caller asks for at most three documents.
class DocumentCounter : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark& mark) override { roots.push_back(mark); }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t) override { node(mark); }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override { node(mark); }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t, const std::string&) override {
    node(mark);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
    node(mark);
  }
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
    node(mark);
  }
  void OnMapEnd() override {}

  std::vector<YAML::Mark> roots;  ///< per document: its root node's mark (else its start)

 private:
  void node(const YAML::Mark& mark) {
    if (roots.empty() || roots.size() == root_seen_) return;
    roots.back() = mark;
    root_seen_ = roots.size();
  }
  std::size_t root_seen_ = 0;  ///< documents whose root node has been seen
};

/// Builds the first document's Values straight from the parser's events, while counting it as
/// DocumentCounter does: one parse instead of two (DocumentCounter, then YAML::Load and build()),
/// which halves what loading the vendor list and a policy costs. Same Values, marks and depth
/// error as build() over YAML::Load's tree; a document with an alias (a node that yaml-cpp shares,
/// possibly with itself) is left to that path (`aliased`).
class EventBuilder : public DocumentCounter {
 public:
  explicit EventBuilder(const TreeBuilder& tree) : tree_(tree) {}

  /// The documents after the first are only counted.
  void stop_building() noexcept { building_ = false; }

  void OnNull(const YAML::Mark& mark, YAML::anchor_t a) override {
    DocumentCounter::OnNull(mark, a);
    if (building_) add(tree_.null_value(mark));
  }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t a) override {
    DocumentCounter::OnAlias(mark, a);
    aliased = aliased || building_;
  }
  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t a, const std::string& value) override {
    DocumentCounter::OnScalar(mark, tag, a, value);
    if (building_) add(tree_.scalar(mark, tag, value));
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t a,
                       YAML::EmitterStyle::value style) override {
    DocumentCounter::OnSequenceStart(mark, tag, a, style);
    if (building_) open(tree_.container(mark, false));
  }
  void OnSequenceEnd() override {
    if (building_) close();
  }
  void OnMapStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t a,
                  YAML::EmitterStyle::value style) override {
    DocumentCounter::OnMapStart(mark, tag, a, style);
    if (building_) open(tree_.container(mark, true));
  }
  void OnMapEnd() override {
    if (building_) close();
  }

  bool aliased = false;       ///< an alias was met: build this document from YAML::Load instead
  std::optional<Value> root;  ///< the document's root once complete
  std::string depth_error;    ///< the first node nested deeper than allowed, as build() names it

 private:
  struct Open {
    Value value;
    std::optional<Value> key;  ///< a mapping's key waiting for its value
  };
  /// Depth of the next node: the number of open containers.
  void check_depth(const Value& v) {
    if (depth_error.empty() && static_cast<int>(open_.size()) > tree_.max_depth()) depth_error = tree_.too_deep(v);
  }
  void add(Value v) {
    check_depth(v);
    if (open_.empty()) {
      root = std::move(v);
      return;
    }
    Open& top = open_.back();
    TreeBuilder::add(top.value, std::move(v), top.key);
  }
  void open(Value v) {
    check_depth(v);
    open_.push_back({std::move(v), std::nullopt});
  }
  void close() {
    Value done = std::move(open_.back().value);
    open_.pop_back();
    attach(std::move(done));
  }
  /// A complete node: into the innermost open container, or the document's root.
  void attach(Value v) {
    if (open_.empty()) {
      root = std::move(v);
      return;
    }
    Open& top = open_.back();
    TreeBuilder::add(top.value, std::move(v), top.key);
  }

  const TreeBuilder& tree_;
  std::vector<Open> open_;
  bool building_ = true;
};

}  // namespace

Result<Document> parse_text(std::string_view text, std::string name, const ParseLimits& limits) {
  auto shared_name = std::make_shared<const std::string>(std::move(name));
  if (text.size() > limits.max_file_bytes) {
    return fail(Errc::TooLarge, *shared_name + ": larger than " +
                                    std::to_string(limits.max_file_bytes) +
                                    " bytes; not a configuration file?");
  }
  TreeBuilder builder{shared_name, limits.max_depth};
  const std::string input{text};
  YAML::Node root;
  bool empty = true;
  try {
    std::istringstream stream(input);
    YAML::Parser parser(stream);
    EventBuilder counter(builder);  // the first document is built as it is counted
    // At most three documents are looked at (a second one is an error; a third tells yaml-cpp's
    // runaway from a real second document), which bounds the yaml-cpp 0.7 loop described at
    // DocumentCounter: there, each "document" starts where the previous one did.
    const bool first = parser.HandleNextDocument(counter);
    counter.stop_building();
    const bool second = first && parser.HandleNextDocument(counter);
    const bool third = second && parser.HandleNextDocument(counter);
    (void)third;
    const auto& r = counter.roots;
    for (std::size_t i = 1; i < r.size(); ++i) {
      if (r[i].pos <= r[i - 1].pos) {
        const YAML::Mark& at = r[i - 1];
        return fail(Errc::Config, *shared_name + ":" + std::to_string(at.line + 1) + ":" +
                                      std::to_string(at.column + 1) +
                                      ": YAML syntax error: unexpected text that starts no value");
      }
    }
    if (second) {
      const YAML::Mark& b = r[1];
      return fail(Errc::Config, Mark{shared_name, b.line + 1, b.column + 1}.to_string() +
                                    ": more than one YAML document ('---'); put everything in one");
    }
    if (first && !counter.aliased) {
      if (!counter.depth_error.empty()) return fail(Errc::Config, counter.depth_error);
      // No node at all is what YAML::Load gives as a null node without a mark.
      return builder.document(counter.root ? std::move(*counter.root) : builder.null_value(YAML::Mark::null_mark()));
    }
    if (first) {  // an alias: yaml-cpp's shared nodes, built by build() as before
      root = YAML::Load(input);
      empty = false;
    }
  } catch (const YAML::ParserException& e) {
    // e.mark is 0-based; e.msg is the bare message (e.what() repeats the position).
    return fail(Errc::Config, *shared_name + ":" + std::to_string(e.mark.line + 1) + ":" +
                                  std::to_string(e.mark.column + 1) +
                                  ": YAML syntax error: " + e.msg);
  } catch (const YAML::Exception& e) {
    return fail(Errc::Config, *shared_name + ": YAML error: " + e.msg);
  }
  if (empty) return builder.document(Value{});
  try {
    auto built = builder.build(root, 0);
    if (!built) return std::unexpected(built.error());
    return builder.document(std::move(*built));
  } catch (const YAML::Exception& e) {
    return fail(Errc::Config, *shared_name + ": YAML error: " + e.msg);
  }
}

Result<Document> parse_file(const std::filesystem::path& path, const ParseLimits& limits) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(status)) {
    return fail(Errc::Io, path.string() + ": cannot open: " + (ec ? ec.message() : "no such file"));
  }
  if (!std::filesystem::is_regular_file(status)) {
    return fail(Errc::Io, path.string() + ": not a regular file");
  }
  const auto size = std::filesystem::file_size(path, ec);
  if (!ec && size > limits.max_file_bytes) {
    return fail(Errc::TooLarge, path.string() + ": larger than " +
                                    std::to_string(limits.max_file_bytes) +
                                    " bytes; not a configuration file?");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(Errc::Io, path.string() + ": cannot open for reading");
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) return fail(Errc::Io, path.string() + ": read error");
  return parse_text(buffer.view(), path.string(), limits);
}

Result<std::vector<std::filesystem::path>> expand_paths(
    std::span<const std::filesystem::path> paths, std::span<const std::string_view> extensions) {
  const auto wanted = [&](const std::filesystem::path& p) {
    const std::string name = p.filename().string();
    return std::ranges::any_of(extensions,
                               [&](std::string_view ext) { return name.ends_with(ext); });
  };
  std::vector<std::filesystem::path> out;
  for (const auto& path : paths) {
    std::error_code ec;
    const auto status = std::filesystem::status(path, ec);
    if (ec || !std::filesystem::exists(status)) {
      return fail(Errc::Io, path.string() + ": no such file or directory");
    }
    if (!std::filesystem::is_directory(status)) {
      out.push_back(path);
      continue;
    }
    std::vector<std::filesystem::path> found;
    for (const auto& entry : std::filesystem::directory_iterator(path, ec)) {
      if (entry.is_regular_file(ec) && wanted(entry.path())) found.push_back(entry.path());
    }
    if (ec) return fail(Errc::Io, path.string() + ": cannot list directory: " + ec.message());
    if (found.empty()) {
      std::string list;
      for (auto ext : extensions) list += (list.empty() ? "" : ", ") + std::string{ext};
      return fail(Errc::Config, path.string() + ": directory has no " + list + " files");
    }
    std::ranges::sort(found);
    out.insert(out.end(), found.begin(), found.end());
  }
  return out;
}

}  // namespace trustscan::config
