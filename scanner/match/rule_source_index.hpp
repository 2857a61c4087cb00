#pragma once
/// \file
/// Where each rule is declared. libyara keeps no source positions in compiled rules, so errors
/// found after compilation (a missing meta) are located by this small lexer, which follows
/// `include` directives the way libyara resolves them (relative to the including file, then as
/// written). It understands comments, text strings and regular expressions well enough never to
/// mistake their contents for a `rule NAME` declaration.

#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>

namespace trustscan::match::detail {

struct RuleLocation {
  std::filesystem::path file;
  int line = 0;
};

class RuleSourceIndex {
 public:
  /// Indexes `file` and everything it includes under namespace `ns`. Unreadable files are
  /// skipped silently: libyara has already reported them.
  void add_file(const std::filesystem::path& file, const std::string& ns);

  /// Declaration of rule `name` in namespace `ns`, if seen.
  [[nodiscard]] std::optional<RuleLocation> find(std::string_view ns, std::string_view name) const;

  /// Lexes one source text; calls back for each declaration and include (exposed for tests).
  struct Visitor {
    virtual ~Visitor() = default;
    virtual void rule(std::string_view name, int line) = 0;
    virtual void include(std::string_view target, int line) = 0;
  };
  static void lex(std::string_view text, Visitor& visitor);
  /// Every file indexed so far (the sources and everything they include), as canonical paths.
  [[nodiscard]] const std::set<std::filesystem::path>& files() const noexcept { return visited_; }

 private:
  void add_file_recursive(const std::filesystem::path& file, const std::string& ns, int depth);

  std::map<std::pair<std::string, std::string>, RuleLocation, std::less<>> rules_;
  std::set<std::filesystem::path> visited_;
};

}  // namespace trustscan::match::detail
