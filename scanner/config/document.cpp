// The only place that includes libyaml: YAML text -> config::Document (a tree with marks).
#include "config/document.hpp"

#include <yaml.h>

#include <algorithm>
#include <fstream>
#include <optional>
#include <sstream>
#include <system_error>
#include <unordered_map>
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

/// Makes Values; the one friend of Value and Document.
class TreeBuilder {
 public:
  TreeBuilder(std::shared_ptr<const std::string> name, int max_depth)
      : name_(std::move(name)), max_depth_(max_depth) {}

  [[nodiscard]] Value null_value(Mark mark) const {
    Value v;
    v.mark_ = std::move(mark);
    return v;
  }
  [[nodiscard]] Value scalar(Mark mark, std::string text, bool quoted) const {
    Value v = null_value(std::move(mark));
    v.kind_ = Value::Kind::Scalar;
    v.text_ = std::move(text);
    v.quoted_ = quoted;
    return v;
  }
  [[nodiscard]] Value container(Mark mark, bool mapping) const {
    Value v = null_value(std::move(mark));
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
      // An empty value (`key:` at the end of a line) is placed on its key's line: the parser
      // marks it where the next token starts, often on a later line.
      if (child.is_null()) child.mark_ = key->mark_;
      parent.entries_.push_back(Entry{std::move(*key), std::move(child)});
      key.reset();
    }
  }
  /// The nodes of `v`, itself included.
  [[nodiscard]] static std::size_t node_count(const Value& v) noexcept {
    std::size_t n = 1;
    for (const Value& item : v.items_) n += node_count(item);
    for (const Entry& e : v.entries_) n += node_count(e.key) + node_count(e.value);
    return n;
  }
  [[nodiscard]] std::string too_deep(const Mark& at) const {
    return at.to_string() + ": nested deeper than " + std::to_string(max_depth_) + " levels";
  }

  [[nodiscard]] Document document(Value root) const {
    Document doc;
    doc.name_ = name_;
    doc.root_ = std::move(root);
    return doc;
  }

  /// The file without a line: where a document without any node is.
  [[nodiscard]] Mark no_mark() const { return Mark{name_, 0, 0}; }
  /// libyaml's marks are 0-based.
  [[nodiscard]] Mark mark_of(const yaml_mark_t& m) const {
    return Mark{name_, static_cast<int>(m.line) + 1, static_cast<int>(m.column) + 1};
  }
  [[nodiscard]] const std::string& name() const noexcept { return *name_; }
  [[nodiscard]] int max_depth() const noexcept { return max_depth_; }

 private:
  std::shared_ptr<const std::string> name_;
  int max_depth_;
};

namespace {

/// One libyaml parser over text in memory (freed on every return).
class Parser {
 public:
  explicit Parser(std::string_view text) {
    ok_ = yaml_parser_initialize(&parser_) != 0;
    if (ok_) yaml_parser_set_input_string(&parser_, reinterpret_cast<const unsigned char*>(text.data()), text.size());
  }
  Parser(const Parser&) = delete;
  Parser& operator=(const Parser&) = delete;
  ~Parser() {
    if (ok_) yaml_parser_delete(&parser_);
  }
  [[nodiscard]] bool ok() const noexcept { return ok_; }
  /// The next event into `event` (which the caller frees), or false on an error.
  bool next(yaml_event_t& event) { return yaml_parser_parse(&parser_, &event) != 0; }
  [[nodiscard]] const yaml_parser_t& state() const noexcept { return parser_; }

 private:
  yaml_parser_t parser_{};
  bool ok_ = false;
};

/// An event, freed when it goes out of scope.
struct Event {
  yaml_event_t e{};
  bool held = false;
  Event() = default;
  Event(const Event&) = delete;
  Event& operator=(const Event&) = delete;
  ~Event() {
    if (held) yaml_event_delete(&e);
  }
};

std::string_view text_of(const yaml_char_t* s) {
  return s ? std::string_view{reinterpret_cast<const char*>(s)} : std::string_view{};
}

/// The plain scalars YAML reads as null when untagged (the core schema's null), as yaml-cpp did.
bool null_text(std::string_view s) { return s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL"; }

/// The line (1-based) of byte `offset` of `text`.
int line_at(std::string_view text, std::size_t offset) {
  offset = std::min(offset, text.size());
  return 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(offset), '\n'));
}

/// Builds the first document of a stream from libyaml's events; the documents after it are only
/// looked at (a second one is an error). The first node nested deeper than the limit ends the
/// parse with that error, so the tree stays as deep as the limit allows (its Values free
/// themselves recursively) and the rest of the text is not read: libyaml's scanner takes time
/// quadratic in the depth of flow collections (`[[[...`), hours for a 16 MiB file. Aliases copy
/// their anchor's node, at most ParseLimits::max_alias_nodes nodes in all.
class EventBuilder {
 public:
  EventBuilder(const TreeBuilder& tree, std::string_view text, std::size_t max_alias_nodes)
      : tree_(tree), text_(text), max_alias_nodes_(max_alias_nodes) {}

  Result<Document> run() {
    Parser parser(text_);
    if (!parser.ok()) return fail(Errc::Config, tree_.name() + ": YAML error: cannot start the parser");
    for (;;) {
      Event ev;
      if (!parser.next(ev.e)) return syntax_error(parser.state());
      ev.held = true;
      switch (ev.e.type) {
        case YAML_DOCUMENT_START_EVENT:
          if (++documents_ == 2) second_start_ = tree_.mark_of(ev.e.start_mark);
          break;
        case YAML_SCALAR_EVENT: {
          const auto& sc = ev.e.data.scalar;
          const Mark at = tree_.mark_of(ev.e.start_mark);
          if (!note_node(at)) break;
          if (too_deep()) return fail(Errc::Config, tree_.too_deep(at));
          std::string value(reinterpret_cast<const char*>(sc.value), sc.length);
          // A plain scalar without a tag is the one YAML may re-type; quoting, a block scalar or
          // any tag (`!`, `!!str`) makes it a string.
          const bool plain = sc.style == YAML_PLAIN_SCALAR_STYLE && sc.tag == nullptr;
          attach(plain && null_text(value) ? tree_.null_value(at) : tree_.scalar(at, std::move(value), !plain),
                 text_of(sc.anchor));
          break;
        }
        case YAML_ALIAS_EVENT: {
          const Mark at = tree_.mark_of(ev.e.start_mark);
          if (!note_node(at)) break;
          const std::string name{text_of(ev.e.data.alias.anchor)};
          const auto found = anchors_.find(name);
          if (found == anchors_.end())
            return fail(Errc::Config, position(ev.e.start_mark) + ": YAML syntax error: alias *" + name +
                                          " refers to no anchor completed before it");
          alias_nodes_ += TreeBuilder::node_count(found->second);
          if (alias_nodes_ > max_alias_nodes_)
            return fail(Errc::Config, at.to_string() + ": aliases expand to more than " +
                                          std::to_string(max_alias_nodes_) + " nodes");
          if (too_deep()) return fail(Errc::Config, tree_.too_deep(at));
          attach(Value(found->second), {});
          break;
        }
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT: {
          const bool mapping = ev.e.type == YAML_MAPPING_START_EVENT;
          const Mark at = tree_.mark_of(ev.e.start_mark);
          const yaml_char_t* anchor = mapping ? ev.e.data.mapping_start.anchor : ev.e.data.sequence_start.anchor;
          if (!note_node(at)) {
            ++skipped_;  // a container of a later document: not built
            break;
          }
          if (too_deep()) return fail(Errc::Config, tree_.too_deep(at));
          open_.push_back({tree_.container(at, mapping), std::nullopt, std::string{text_of(anchor)}});
          break;
        }
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT: {
          if (skipped_ > 0) {
            --skipped_;
            break;
          }
          Open done = std::move(open_.back());
          open_.pop_back();
          attach(std::move(done.value), done.anchor);
          break;
        }
        case YAML_STREAM_END_EVENT: return finish();
        default: break;  // stream start, document end, nothing else
      }
    }
  }

 private:
  struct Open {
    Value value;
    std::optional<Value> key;  ///< a mapping's key waiting for its value
    std::string anchor;        ///< the container's anchor, "" if none
  };

  /// A node event: whether it belongs to the tree being built. The second document's root node
  /// is where its error points to.
  bool note_node(const Mark& at) {
    if (documents_ == 2 && !second_root_) second_root_ = at;
    return documents_ == 1 && skipped_ == 0;
  }
  /// Whether a node here would be nested deeper than allowed (the number of open containers is
  /// its depth).
  [[nodiscard]] bool too_deep() const noexcept { return static_cast<int>(open_.size()) > tree_.max_depth(); }
  /// A complete node: under its anchor, then into the innermost open container or as the root.
  void attach(Value v, std::string_view anchor) {
    if (!anchor.empty()) anchors_.insert_or_assign(std::string{anchor}, v);
    if (open_.empty()) {
      root_ = std::move(v);
      return;
    }
    Open& top = open_.back();
    TreeBuilder::add(top.value, std::move(v), top.key);
  }
  Result<Document> finish() {
    if (documents_ >= 2) {
      const Mark& at = second_root_ ? *second_root_ : second_start_;
      return fail(Errc::Config, at.to_string() + ": more than one YAML document ('---'); put everything in one");
    }
    // No document, or one without a node: a null root without a line.
    return tree_.document(root_ ? std::move(*root_) : tree_.null_value(tree_.no_mark()));
  }

  /// "file:line:column" of a libyaml mark.
  [[nodiscard]] std::string position(const yaml_mark_t& m) const {
    return tree_.name() + ":" + std::to_string(m.line + 1) + ":" + std::to_string(m.column + 1);
  }
  /// The parser's error: "file:line:column: YAML syntax error: problem (context)".
  std::unexpected<Error> syntax_error(const yaml_parser_t& p) const {
    const std::string problem = p.problem ? p.problem : "unknown error";
    switch (p.error) {
      case YAML_MEMORY_ERROR: return fail(Errc::Config, tree_.name() + ": YAML error: out of memory");
      case YAML_READER_ERROR:  // bad encoding or a control character: only a byte offset is known
        return fail(Errc::Config, tree_.name() + ":" + std::to_string(line_at(text_, p.problem_offset)) +
                                      ": YAML syntax error: " + problem + " (byte " + std::to_string(p.problem_offset) +
                                      ")");
      default: {
        std::string out = position(p.problem_mark) + ": YAML syntax error: " + problem;
        if (p.context)
          out += " (" + std::string(p.context) + " that starts at line " + std::to_string(p.context_mark.line + 1) +
                 ")";
        return fail(Errc::Config, std::move(out));
      }
    }
  }

  const TreeBuilder& tree_;
  std::string_view text_;
  std::size_t max_alias_nodes_;
  std::vector<Open> open_;
  std::optional<Value> root_;
  std::unordered_map<std::string, Value> anchors_;
  std::size_t alias_nodes_ = 0;  ///< nodes copied by aliases so far
  int documents_ = 0;
  Mark second_start_;
  std::optional<Mark> second_root_;
  std::size_t skipped_ = 0;  ///< containers open in a later document
};

}  // namespace

Result<Document> parse_text(std::string_view text, std::string name, const ParseLimits& limits) {
  auto shared_name = std::make_shared<const std::string>(std::move(name));
  if (text.size() > limits.max_file_bytes) {
    return fail(Errc::TooLarge, *shared_name + ": larger than " +
                                    std::to_string(limits.max_file_bytes) +
                                    " bytes; not a configuration file?");
  }
  const TreeBuilder builder{shared_name, limits.max_depth};
  return EventBuilder(builder, text, limits.max_alias_nodes).run();
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
