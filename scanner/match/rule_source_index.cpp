#include "match/rule_source_index.hpp"

#include <cctype>
#include <fstream>
#include <sstream>
#include <vector>

namespace trustscan::match::detail {
namespace {

/// libyara's own include depth limit (YR_MAX_INCLUDE_DEPTH); deeper files never compiled.
constexpr int kMaxIncludeDepth = 16;

bool is_ident_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0 || c == '_'; }
bool is_ident_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_'; }

std::optional<std::string> slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream ss;
  ss << in.rdbuf();
  return std::move(ss).str();
}

}  // namespace

void RuleSourceIndex::lex(std::string_view text, Visitor& visitor) {
  enum class Tok { None, Ident, String, Other };
  Tok prev = Tok::None;
  std::string prev_ident;  // last identifier, valid when prev == Ident
  int line = 1;
  std::size_t i = 0;
  const std::size_t n = text.size();
  while (i < n) {
    const char c = text[i];
    if (c == '\n') {
      ++line;
      ++i;
    } else if (std::isspace(static_cast<unsigned char>(c)) != 0) {
      ++i;
    } else if (c == '/' && i + 1 < n && text[i + 1] == '/') {
      while (i < n && text[i] != '\n') ++i;
    } else if (c == '/' && i + 1 < n && text[i + 1] == '*') {
      i += 2;
      while (i + 1 < n && !(text[i] == '*' && text[i + 1] == '/')) {
        if (text[i] == '\n') ++line;
        ++i;
      }
      i += 2;
    } else if (c == '"') {
      const int start_line = line;
      std::string value;
      ++i;
      while (i < n && text[i] != '"' && text[i] != '\n') {
        if (text[i] == '\\' && i + 1 < n) {
          value += text[i + 1];
          i += 2;
        } else {
          value += text[i++];
        }
      }
      ++i;
      if (prev == Tok::Ident && prev_ident == "include") visitor.include(value, start_line);
      prev = Tok::String;
    } else if (c == '/' && (prev == Tok::Other || (prev == Tok::Ident && prev_ident == "matches"))) {
      // A regular expression: only after "=" ($s = /re/) or "matches"; anywhere else "/" is a
      // division, whose operands are identifiers, numbers or ")" and never reach this branch.
      ++i;
      while (i < n && text[i] != '/' && text[i] != '\n') i += (text[i] == '\\' && i + 1 < n) ? 2 : 1;
      ++i;
      prev = Tok::String;
    } else if (is_ident_start(c)) {
      const std::size_t start = i;
      while (i < n && is_ident_char(text[i])) ++i;
      std::string ident(text.substr(start, i - start));
      if (prev == Tok::Ident && prev_ident == "rule") visitor.rule(ident, line);
      prev = Tok::Ident;
      prev_ident = std::move(ident);
    } else {
      ++i;
      prev = c == '=' ? Tok::Other : Tok::None;
    }
  }
}

void RuleSourceIndex::add_file(const std::filesystem::path& file, const std::string& ns) {
  add_file_recursive(file, ns, 0);
}

void RuleSourceIndex::add_file_recursive(const std::filesystem::path& file, const std::string& ns,
                                         int depth) {
  if (depth > kMaxIncludeDepth) return;
  std::error_code ec;
  const auto canonical = std::filesystem::weakly_canonical(file, ec);
  if (!visited_.insert(ec ? file : canonical).second) return;
  const auto text = slurp(file);
  if (!text) return;

  struct Collect final : Visitor {
    std::vector<std::pair<std::string, int>> rules;
    std::vector<std::string> includes;
    void rule(std::string_view name, int line) override { rules.emplace_back(name, line); }
    void include(std::string_view target, int) override { includes.emplace_back(target); }
  } collect;
  lex(*text, collect);

  for (const auto& [name, line] : collect.rules) {
    rules_.try_emplace({ns, name}, RuleLocation{file, line});
  }
  for (const auto& target : collect.includes) {
    // Same order as libyara's lexer: relative to the including file first, then as written.
    auto relative = file.parent_path() / target;
    add_file_recursive(std::filesystem::exists(relative, ec) ? relative : std::filesystem::path(target),
                       ns, depth + 1);
  }
}

std::optional<RuleLocation> RuleSourceIndex::find(std::string_view ns, std::string_view name) const {
  const auto it = rules_.find(std::pair<std::string, std::string>(ns, name));
  if (it == rules_.end()) return std::nullopt;
  return it->second;
}

}  // namespace trustscan::match::detail
