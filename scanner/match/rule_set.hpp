#pragma once
/// \file
/// The compiled YARA rules: built once at start-up, then shared read-only by every worker thread.
///
/// Typical use (pipeline):
/// \code
///   auto rules = match::RuleSet::compile({source_dir / "rules", user_rules});   // once
///   if (!rules) { err << rules.error().message; return exit_code::bad_config; }
///   // per worker thread:
///   auto matcher = match::Matcher::create(*rules);
///   auto hits = matcher->scan(contents.bytes(), externals);
/// \endcode

#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "match/rule_match.hpp"

namespace trustscan::match {

/// One compiler message, already located in a rule file.
struct RuleDiagnostic {
  enum class Level { Error, Warning };
  Level level = Level::Error;
  std::filesystem::path file;  ///< empty when libyara did not know the file
  int line = 0;                ///< 1-based; 0 when unknown
  std::string message;

  /// "file:line: message" for errors, "file:line: warning: message" for warnings.
  [[nodiscard]] std::string to_string() const;
};

struct CompileOptions {
  /// Treat compiler warnings (e.g. "string may slow down scanning") as errors. On by default:
  /// shipped rules must compile with zero warnings, and a slow user rule slows every file.
  bool warnings_as_errors = true;
};

/// Immutable compiled rules. Copies share the same compiled rules (cheap, thread-safe to read).
class RuleSet {
 public:
  /// Compiles the given rule files and directories into one rule set.
  ///
  /// Each argument is either
  ///  - a file: compiled as is (its `include` directives resolve relative to the file), or
  ///  - a directory: if it contains `index.yar`, only that file is compiled (the index lists the
  ///    others explicitly); otherwise every `*.yar`/`*.yara` below it, in sorted path order.
  /// Namespace: the stem of each top-level file; for `index.yar` the name of its directory
  /// (the shipped rules land in namespace "rules").
  ///
  /// Gated rules: beside an `index.yar`, a `gated.yar` is compiled too, into the same namespace.
  /// Each of its rules runs only on the files where the index's rule of the same name, tagged
  /// `gate`, matched, and its match takes the gate's place (in the gate's position); a gate's
  /// own match is never reported. A gate holds the strings of its rule that every way the rule
  /// can match needs one of, so the gated rule gives exactly what it would give in the index —
  /// without libyara looking for its other strings in every file (docs/rules.md). Every gate
  /// needs its gated rule and the other way round (Errc::Config); gates need no meta.
  ///
  /// Declares the external string variables `filename`, `filepath`, `extension`, `format` and
  /// `privilege` (defaults "", "", "", "unknown", "unknown").
  ///
  /// Fails with Errc::Config and `file:line: message` lines when a path is missing, a file does
  /// not compile (only the first error is given: libyara misplaces later ones after an error in an
  /// included file), compilation warns (every warning; unless `options.warnings_as_errors` is
  /// false), or a public rule lacks a required meta (`vendor`, `description`, `confidence` in
  /// low|medium|high, `reference`; see kRequiredMeta). Private rules need no meta: they never
  /// produce matches.
  [[nodiscard]] static Result<RuleSet> compile(const std::vector<std::filesystem::path>& files_or_dirs,
                                               const CompileOptions& options = {});

  /// What fingerprint() of compile(files_or_dirs) is, without compiling: the files are found and
  /// read as compile() finds them. A cached re-scan needs the rules' identity, not the rules.
  /// Fails (Errc::Config) only where compile() fails before compiling: a missing path.
  [[nodiscard]] static Result<std::string> fingerprint_of(const std::vector<std::filesystem::path>& files_or_dirs);

  /// Public rules in compilation order (a gated rule in its gate's place).
  [[nodiscard]] const std::vector<RuleInfo>& rules() const noexcept;
  /// Warnings kept when `warnings_as_errors` was false (always empty otherwise).
  [[nodiscard]] const std::vector<RuleDiagnostic>& warnings() const noexcept;
  /// Top-level rule files that were compiled (after directory expansion).
  [[nodiscard]] const std::vector<std::filesystem::path>& sources() const noexcept;
  /// Lower-case hex SHA-256 over the libyara version and every rule source that was compiled —
  /// each top-level file with its namespace, and every file it includes, by path and content.
  /// Equal fingerprints match alike; the scan cache is void when it changes (docs/cache.md).
  [[nodiscard]] const std::string& fingerprint() const noexcept;

  struct Impl;  ///< defined in rule_set_impl.hpp (holds the libyara handle)

 private:
  explicit RuleSet(std::shared_ptr<const Impl> impl) noexcept : impl_(std::move(impl)) {}
  std::shared_ptr<const Impl> impl_;
  friend class Matcher;
};

/// For `trustscan --version`: libyara, as built against (it has no run-time query), e.g. "NAME 1.2.3".
[[nodiscard]] std::string yara_version();

}  // namespace trustscan::match
