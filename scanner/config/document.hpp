#pragma once
/// \file
/// A parsed configuration file (vendor list, policy, ...) as a small immutable tree in which every
/// node remembers the file, line and column it came from, so that loaders can reject bad input
/// with messages like `signatures/vendors/ru.yaml:42: unknown key 'contry'`.
///
/// The files are YAML, parsed with libyaml (quarantined in document.cpp). JSON is YAML's flow
/// style, so JSON files parse too and keep their line numbers (but for keys longer than 1024
/// characters and surrogate pair escapes such as `\ud83d\ude00`, which libyaml refuses as
/// yaml-cpp did); see docs/vendors.md ("Why YAML") for the choice.
/// The tree keeps scalars as *text*: YAML's implicit typing (`NO` -> false, `1e3` -> number) is
/// never applied here; the typed getters of reader.hpp decide what a scalar may mean, and reject
/// ambiguous ones.

#include <cstddef>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace trustscan::config {

/// Where a value came from. Lines and columns are 1-based (columns count characters, not bytes);
/// 0 means unknown.
struct Mark {
  std::shared_ptr<const std::string>
      file;  ///< file name as given to the parser (shared by all marks)
  int line = 0;
  int column = 0;

  /// The file name, or "<input>" when the mark has none.
  [[nodiscard]] std::string_view file_name() const noexcept;
  /// "file:line", or just "file" when the line is unknown. This is the form every message uses.
  [[nodiscard]] std::string to_string() const;
};

struct Entry;

/// One node: null, scalar (text), sequence or mapping. Mappings keep their entries in file order
/// and keep *duplicate* keys, so that a reader can reject them (a YAML library's own tree would
/// silently let one of them win on lookup).
class Value {
 public:
  enum class Kind { Null, Scalar, Sequence, Mapping };

  Value() = default;

  [[nodiscard]] Kind kind() const noexcept { return kind_; }
  [[nodiscard]] const Mark& mark() const noexcept { return mark_; }
  [[nodiscard]] bool is_null() const noexcept { return kind_ == Kind::Null; }
  [[nodiscard]] bool is_scalar() const noexcept { return kind_ == Kind::Scalar; }
  [[nodiscard]] bool is_sequence() const noexcept { return kind_ == Kind::Sequence; }
  [[nodiscard]] bool is_mapping() const noexcept { return kind_ == Kind::Mapping; }

  /// The scalar's text (after YAML unescaping); empty for other kinds.
  [[nodiscard]] const std::string& text() const noexcept { return text_; }
  /// True when the scalar was written quoted or as a block scalar: it is a string, whatever it
  /// looks like. Plain scalars (`yes`, `12`, `NO`) are the ones YAML tools may re-type.
  [[nodiscard]] bool quoted() const noexcept { return quoted_; }
  /// Items of a sequence (empty otherwise).
  [[nodiscard]] std::span<const Value> items() const noexcept;
  /// Entries of a mapping in file order, duplicates included (empty otherwise).
  [[nodiscard]] std::span<const Entry> entries() const noexcept;

  /// Human name of the kind for messages: "null", "a string", "a list", "a mapping".
  [[nodiscard]] std::string_view kind_name() const noexcept;

 private:
  friend class TreeBuilder;
  Kind kind_ = Kind::Null;
  Mark mark_;
  std::string text_;
  bool quoted_ = false;
  std::vector<Value> items_;
  std::vector<Entry> entries_;
};

/// One key/value pair of a mapping. Keys are normally scalars; a reader rejects other keys.
struct Entry {
  Value key;
  Value value;
};

/// A whole parsed file. Cheap to move; values point to nothing outside the document.
class Document {
 public:
  [[nodiscard]] const Value& root() const noexcept { return root_; }
  /// The name the document was parsed under (usually its path).
  [[nodiscard]] const std::string& name() const noexcept { return *name_; }

 private:
  friend class TreeBuilder;
  std::shared_ptr<const std::string> name_;
  Value root_;
};

/// Limits for configuration input (they are small, human-written files).
struct ParseLimits {
  /// Larger files are refused: the biggest shipped list is ~100 KiB; 16 MiB leaves room for
  /// generated lists while keeping a mistaken path (a disk image) from being read whole.
  std::size_t max_file_bytes = 16U << 20U;
  /// Deeper nesting is refused. Our schemas nest 4 levels; a Value frees its children
  /// recursively, so the tree's depth must stay small whatever the input.
  int max_depth = 64;
  /// Nodes that aliases (`*name`) may copy in all: an alias is built as a copy of its anchor's
  /// node, and a few lines of aliases of aliases would otherwise expand to billions of nodes.
  std::size_t max_alias_nodes = 100'000;
};

/// Parses one file. Errors: Errc::Io (cannot read), Errc::TooLarge, Errc::Config (syntax, bytes
/// that are not UTF-8 or a control character, more than one YAML document, nesting too deep, an
/// alias without a finished anchor or aliases beyond ParseLimits::max_alias_nodes), each message
/// starting with "file:line:".
/// An empty file gives a Null root.
[[nodiscard]] Result<Document> parse_file(const std::filesystem::path& path,
                                          const ParseLimits& limits = {});

/// Parses text held in memory; `name` stands for the file name in marks and messages.
[[nodiscard]] Result<Document> parse_text(std::string_view text, std::string name,
                                          const ParseLimits& limits = {});

/// Expands configuration paths: a file is taken as is; a directory gives its regular files whose
/// names end in one of `extensions` (e.g. ".yaml"), not recursively, sorted by name so that load
/// order (and therefore messages) are deterministic. A missing path is an Errc::Io error; a
/// directory without matching files is an Errc::Config error.
[[nodiscard]] Result<std::vector<std::filesystem::path>> expand_paths(
    std::span<const std::filesystem::path> paths, std::span<const std::string_view> extensions);

}  // namespace trustscan::config
