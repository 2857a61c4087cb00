// The only place that includes yaml-cpp: YAML text -> config::Document (a tree with marks).
#include "config/document.hpp"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>
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
    if (depth > max_depth_) {
      return fail(Errc::Config, v.mark_.to_string() + ": nested deeper than " +
                                    std::to_string(max_depth_) + " levels");
    }
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

  Document document(Value root) const {
    Document doc;
    doc.name_ = name_;
    doc.root_ = std::move(root);
    return doc;
  }

  Mark mark_of(const YAML::Node& node) const {
    const YAML::Mark m = node.Mark();
    if (m.is_null()) return Mark{name_, 0, 0};
    return Mark{name_, m.line + 1, m.column + 1};
  }

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
    DocumentCounter counter;
    // At most three documents are looked at (a second one is an error; a third tells yaml-cpp's
    // runaway from a real second document), which bounds the yaml-cpp 0.7 loop described at
    // DocumentCounter: there, each "document" starts where the previous one did.
    const bool first = parser.HandleNextDocument(counter);
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
    if (first) {
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
