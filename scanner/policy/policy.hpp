#pragma once
/// \file
/// The vendor policy: which vendors and countries of jurisdiction are flagged (each with a reason
/// and a source), which privilege levels and attribution confidences are in scope, and which
/// findings are suppressed (with a reason and an expiry date). File format, semantics and the
/// shipped presets: docs/policy.md. The evaluator (evaluator.hpp) turns a Policy and one file's
/// Subject into a Verdict.
///
/// A Policy is loaded once at start-up (rules/policy/*.yaml, `--policy FILE`, `--flag-country`,
/// `--flag-vendor`) and then only read, except for the suppression use counters, which are
/// atomics: any number of scanner threads may evaluate against one Policy at the same time.
/// Read the counters (suppression_report) after the worker threads have been joined.
///
/// Loading is strict, like the vendor list (docs/vendors.md): unknown keys, wrong types, bad
/// country codes, vendor ids missing from the VendorDb, missing reasons/sources, bad dates and
/// duplicates are all reported, each as `file:line: problem`, in one Errc::Config error.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "attribute/vendor_db.hpp"
#include "core/error.hpp"
#include "core/types.hpp"
#include "policy/known_bad_policy.hpp"
#include "policy/severity.hpp"

namespace trustscan::config {
class Document;
}

namespace trustscan::policy {

/// Which privilege levels are in scope. A file whose privilege could not be determined has
/// "unknown" privilege (Subject::privilege == nullopt).
struct Scope {
  bool kernel = true;
  bool boot = true;
  bool user = false;
  bool unknown = false;

  /// Kernel and boot: the default of every shipped policy.
  [[nodiscard]] static constexpr Scope kernel_and_boot() noexcept { return {}; }
  /// Everything (`privileges: [all]`, `--all-privileges`).
  [[nodiscard]] static constexpr Scope all() noexcept { return {true, true, true, true}; }

  [[nodiscard]] constexpr bool includes(std::optional<Privilege> p) const noexcept {
    if (!p) return unknown;
    switch (*p) {
      case Privilege::Kernel: return kernel;
      case Privilege::Boot: return boot;
      case Privilege::User: return user;
    }
    return false;
  }
  /// The names in policy-file form, e.g. ["kernel", "boot"]; ["all"] when everything is in.
  [[nodiscard]] std::vector<std::string_view> names() const;

  friend constexpr bool operator==(const Scope&, const Scope&) noexcept = default;
};

/// One flagging rule: a country of jurisdiction or a vendor.
struct Rule {
  enum class Kind { Country, Vendor };

  Kind kind = Kind::Country;
  std::string key;     ///< ISO 3166-1 alpha-2 code ("RU") or vendor id ("kaspersky")
  std::string id;      ///< "country:RU" or "vendor:kaspersky": stable, goes into reports
  std::string reason;  ///< why it is flagged (non-empty)
  std::string source;  ///< where the measure is published: a URL or a citation (non-empty)
  std::optional<std::chrono::year_month_day> date;  ///< date of the measure, if given
  /// Only vendors of these categories are flagged by this rule; empty = every category.
  std::vector<attribute::Category> categories;
  /// Also flag vendors whose ownership chain reaches the country / the vendor (docs/policy.md,
  /// "Countries, jurisdictions and ownership").
  bool match_parents = true;
  std::string origin;  ///< "file:line" of the entry, or "--flag-country" / "--flag-vendor"
};

/// One suppression: findings that match it are reported as suppressed, not as findings, until
/// (and including) `expires`. Every given match criterion must hold (AND); at least one is given.
/// With `known_bad` it applies to known-bad matches only (known_bad_policy.hpp), without it to
/// vendor verdicts only.
struct Suppression {
  std::string id;      ///< unique within the (combined) policy
  std::string reason;  ///< why (non-empty)
  std::chrono::year_month_day expires;
  std::optional<std::string> vendor;  ///< vendor id (exists in the VendorDb)
  std::optional<std::string> sha256;  ///< lower-case hex, 64 digits
  std::optional<std::string> path;    ///< glob over the reported path (glob_match)
  /// Known-bad matches: "DATASET:ID" (one listed entry) or "any" (every entry; with sha256 or
  /// path). Never combined with `vendor`.
  std::optional<std::string> known_bad;
  std::string origin;                 ///< "file:line" of the entry

  /// True once `today` is after `expires` (a suppression is valid through its expiry day).
  [[nodiscard]] bool expired(std::chrono::year_month_day today) const noexcept {
    return std::chrono::sys_days{today} > std::chrono::sys_days{expires};
  }
};

/// What became of one suppression during a scan (Policy::suppression_report).
struct SuppressionStatus {
  enum class State {
    Used,     ///< suppressed at least one finding
    Unused,   ///< valid, but matched nothing: remove it or fix its match
    Expired,  ///< past its expiry date: it suppressed nothing (renew or remove it)
  };
  std::string id;
  std::string reason;
  std::chrono::year_month_day expires;
  std::string origin;
  State state = State::Unused;
  std::uint64_t uses = 0;  ///< findings it suppressed
  /// Findings it would have suppressed had it not expired (only for State::Expired).
  std::uint64_t matches_after_expiry = 0;
};

[[nodiscard]] std::string_view to_string(SuppressionStatus::State s) noexcept;

/// The loaded policy. Move-only (it owns the suppression counters).
class Policy {
 public:
  /// An empty policy: flags nothing, default scope and settings, today = system date (UTC).
  Policy();
  Policy(Policy&&) noexcept;
  Policy& operator=(Policy&&) noexcept;
  Policy& operator=(const Policy&) = delete;
  ~Policy();

  /// One scan's policy: these rules, suppressions and settings, with the scan's day and counters
  /// of its own (an engine that runs many scans, one after another or at once, keeps its loaded
  /// policy unchanged and each scan reports only its own suppression uses).
  [[nodiscard]] Policy for_scan(std::chrono::year_month_day today) const;

  /// Loads a policy file (YAML, or JSON, which is YAML's flow style). Vendor ids (rules and
  /// suppressions) are checked against `vendors`. Errors: Errc::Io (cannot read), Errc::Config
  /// (syntax or content; one "file:line: problem" per line, all problems of the file).
  [[nodiscard]] static Result<Policy> load(const std::filesystem::path& path,
                                           const attribute::VendorDb& vendors);
  /// Same as load() for text in memory; `name` stands for the file name in messages.
  [[nodiscard]] static Result<Policy> parse(std::string_view text, std::string name,
                                            const attribute::VendorDb& vendors);
  /// A policy from `--flag-country RU,BY` / `--flag-vendor ID`: each item may itself be a
  /// comma-separated list; spaces around items are ignored; country codes are upper-cased
  /// (`ru` -> `RU`). Unknown codes or vendor ids -> Errc::Config naming the option, the value and
  /// a suggestion ("did you mean 'GB'?", "did you mean 'kaspersky'?"). Reason/source say
  /// "command line"; scope and settings are the defaults.
  [[nodiscard]] static Result<Policy> from_flags(std::span<const std::string> countries,
                                                 std::span<const std::string> vendor_ids,
                                                 const attribute::VendorDb& vendors);
  /// `--policy FILE` plus flags: `base`'s scope, min_confidence, known-bad settings and date are kept; `extra`'s
  /// rules are added unless `base` already has a rule with the same id (base's reason wins);
  /// suppressions of both are kept. A suppression id defined in both -> Errc::Config naming both
  /// places. Counters start at zero.
  [[nodiscard]] static Result<Policy> combine(Policy base, Policy extra);

  /// Name of the policy ("default", "nl-2018", "command line", "a + b" after combine).
  [[nodiscard]] const std::string& name() const noexcept { return name_; }
  [[nodiscard]] const std::string& description() const noexcept { return description_; }
  /// Country rules first, then vendor rules, each in file order.
  [[nodiscard]] std::span<const Rule> rules() const noexcept { return rules_; }
  [[nodiscard]] std::span<const Suppression> suppressions() const noexcept {
    return suppressions_;
  }
  [[nodiscard]] const Scope& scope() const noexcept { return scope_; }
  /// Verdicts whose attribution confidence is below this are not findings (default low).
  [[nodiscard]] Confidence min_confidence() const noexcept { return min_confidence_; }
  /// The known-bad category (defaults when the file has no `known_bad:`).
  [[nodiscard]] const KnownBadSettings& known_bad() const noexcept { return known_bad_; }
  void set_known_bad(KnownBadSettings s) { known_bad_ = std::move(s); }
  /// True when no rule is defined: no vendor can be flagged (known-bad matches still can).
  [[nodiscard]] bool empty() const noexcept { return rules_.empty(); }

  /// `--all-privileges` and similar command-line overrides.
  void set_scope(Scope scope) noexcept { scope_ = scope; }
  void set_min_confidence(Confidence c) noexcept { min_confidence_ = c; }

  /// The day against which suppression expiry is checked by the evaluator. Defaults to the
  /// system date (UTC) when the policy was made; the pipeline sets it from its injected clock.
  [[nodiscard]] std::chrono::year_month_day today() const noexcept { return today_; }
  void set_today(std::chrono::year_month_day today) noexcept { today_ = today; }

  /// Counters, thread-safe (relaxed atomics). Called by evaluate(); `index` is into
  /// suppressions().
  void record_use(std::size_t index) const noexcept;
  void record_match_after_expiry(std::size_t index) const noexcept;
  [[nodiscard]] std::uint64_t uses(std::size_t index) const noexcept;
  [[nodiscard]] std::uint64_t matches_after_expiry(std::size_t index) const noexcept;

  /// Every suppression with its state as of `today`, in policy order. Call after the scan (after
  /// the worker threads are joined).
  [[nodiscard]] std::vector<SuppressionStatus> suppression_report(
      std::chrono::year_month_day today) const;

 private:
  [[nodiscard]] static Result<Policy> from_document(const config::Document& doc,
                                                    const attribute::VendorDb& vendors);
  void reset_counters();
  /// Every setting, with counters of its own at zero (for_scan). Not for callers: a policy in use
  /// is one object, whose counters the report reads.
  Policy(const Policy&);

  std::string name_;
  std::string description_;
  std::vector<Rule> rules_;
  std::vector<Suppression> suppressions_;
  Scope scope_;
  Confidence min_confidence_ = Confidence::Low;
  KnownBadSettings known_bad_;
  std::chrono::year_month_day today_;
  /// 2 per suppression: [2i] uses, [2i+1] matches after expiry (made by reset_counters). A copy
  /// has none until its own reset_counters (for_scan): atomics are not copied, a copy counts anew.
  struct Counters {
    std::unique_ptr<std::atomic<std::uint64_t>[]> slots;
    Counters() = default;
    Counters(const Counters&) noexcept {}
    Counters(Counters&&) noexcept = default;
    Counters& operator=(Counters&&) noexcept = default;
    Counters& operator=(const Counters&) = delete;
    ~Counters() = default;
  };
  Counters counters_;
};

/// The system date (UTC): the default for Policy::today().
[[nodiscard]] std::chrono::year_month_day system_today() noexcept;

/// Glob over a path, anchored at both ends, case-sensitive:
///  - `**` matches any run of characters, `/` included (so `**/klif.sys` matches at any depth);
///  - `*` matches any run of characters except `/`;
///  - `?` matches one character except `/`;
///  - every other character matches itself (no character classes, no escapes).
/// Runs in O(pattern x text) time and O(text) memory whatever the pattern.
[[nodiscard]] bool glob_match(std::string_view pattern, std::string_view text);

}  // namespace trustscan::policy
