#pragma once
/// \file
/// Strict readers for configuration trees (document.hpp): "a mapping with exactly these keys,
/// these required, each of this type", with every problem reported as `file:line: what: problem`.
///
/// Readers do not stop at the first problem: they record each one in a Diagnostics and return
/// an empty optional for the bad value, so one run of a loader reports everything that is wrong
/// with a file. The loader then turns a non-empty Diagnostics into one Error (Errc::Config).
///
/// Typical use (the vendor loader does exactly this):
/// \code
///   Diagnostics diag;
///   ObjectReader r(value, "vendor", {"id", "name", "country"}, diag);   // unknown/duplicate keys
///   auto id = r.string("id", Need::Required);                           // missing / wrong type
///   auto names = r.strings("legal_names");                               // list of strings
///   if (!diag.empty()) return std::unexpected(diag.to_error());
/// \endcode
///
/// Scalar rules (the same for every loader, documented in docs/vendors.md):
///  - a string is a scalar; a *plain* (unquoted) scalar that YAML tools read as a boolean, null,
///    number or date (`NO`, `yes`, `~`, `1e3`, `0x1F`, `2024-06-20`) is refused where a string is
///    expected, with a hint to quote it ("the Norway problem");
///  - a boolean is the plain scalar `true` or `false`;
///  - an integer is a plain decimal scalar within the range the caller gives;
///  - a date is `YYYY-MM-DD` (plain or quoted) naming a real calendar day.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "config/document.hpp"
#include "core/error.hpp"

namespace trustscan::config {

/// Every problem found while reading one or more files, in the order found.
class Diagnostics {
 public:
  /// How many messages Error::message carries; the rest are counted ("... and 7 more").
  static constexpr std::size_t kMaxShown = 25;

  /// Records "file:line: message".
  void error(const Mark& where, std::string_view message);
  /// Records a message that already names its place (e.g. an Error from parse_file).
  void add(std::string message);

  [[nodiscard]] bool empty() const noexcept { return messages_.empty(); }
  [[nodiscard]] std::size_t size() const noexcept { return messages_.size(); }
  [[nodiscard]] const std::vector<std::string>& messages() const noexcept { return messages_; }
  /// Errc::Config with the messages one per line (at most kMaxShown).
  [[nodiscard]] Error to_error() const;

 private:
  std::vector<std::string> messages_;
};

/// Whether a key must be present.
enum class Need { Optional, Required };

/// Why a plain scalar cannot stand for a string: "a boolean", "null", "a number", "a date", or
/// empty when it is fine. Exposed for tests and for loaders with their own scalar types.
[[nodiscard]] std::string_view plain_scalar_type(const Value& v);

/// Converters for a single value. `what` names the value in messages ("vendor 'x': country").
/// Each returns nullopt (and records why) when the value has the wrong type.
[[nodiscard]] std::optional<std::string> as_string(const Value& v, std::string_view what,
                                                   Diagnostics& diag);
[[nodiscard]] std::optional<bool> as_bool(const Value& v, std::string_view what, Diagnostics& diag);
[[nodiscard]] std::optional<std::int64_t> as_integer(const Value& v, std::string_view what,
                                                     Diagnostics& diag, std::int64_t min,
                                                     std::int64_t max);
[[nodiscard]] std::optional<std::chrono::year_month_day> as_date(const Value& v,
                                                                 std::string_view what,
                                                                 Diagnostics& diag);
/// A list of strings; a single string is *not* accepted as a one-element list (it hides typos
/// such as a missing dash). Bad items are reported one by one and left out.
[[nodiscard]] std::optional<std::vector<std::string>> as_string_list(const Value& v,
                                                                     std::string_view what,
                                                                     Diagnostics& diag);

/// Reads one mapping whose keys must come from a fixed set.
///
/// The constructor checks the shape at once: the value is a mapping (else one message and
/// valid() is false), every key is a plain string from `allowed` (else "unknown key 'x'", with a
/// suggestion when a known key is one or two edits away), and no key appears twice.
class ObjectReader {
 public:
  ObjectReader(const Value& value, std::string what,
               std::initializer_list<std::string_view> allowed, Diagnostics& diag);

  /// False when the value was not a mapping; getters then return nothing and report nothing.
  [[nodiscard]] bool valid() const noexcept { return valid_; }
  /// Where the mapping starts.
  [[nodiscard]] const Mark& mark() const noexcept { return value_->mark(); }
  /// The name used in messages ("vendor", then "vendor 'kaspersky'" once the id is known).
  [[nodiscard]] const std::string& what() const noexcept { return what_; }
  void set_what(std::string what) { what_ = std::move(what); }
  [[nodiscard]] Diagnostics& diagnostics() noexcept { return *diag_; }

  /// The value of `key`, or nullptr when absent (first one if duplicated).
  [[nodiscard]] const Value* find(std::string_view key) const noexcept;
  /// Like find(), but records "missing required key" when `need` is Required and it is absent.
  [[nodiscard]] const Value* get(std::string_view key, Need need);
  /// Where `key` is written, or the mapping's start when absent: the place for a message about it.
  [[nodiscard]] const Mark& key_mark(std::string_view key) const noexcept;

  /// Typed getters: nullopt when absent (reported if Required) or of the wrong type (reported).
  [[nodiscard]] std::optional<std::string> string(std::string_view key, Need need = Need::Optional);
  [[nodiscard]] std::optional<bool> boolean(std::string_view key, Need need = Need::Optional);
  [[nodiscard]] std::optional<std::int64_t> integer(std::string_view key, std::int64_t min,
                                                    std::int64_t max, Need need = Need::Optional);
  [[nodiscard]] std::optional<std::chrono::year_month_day> date(std::string_view key,
                                                                Need need = Need::Optional);
  /// A list of strings; absent gives an empty list.
  [[nodiscard]] std::vector<std::string> strings(std::string_view key, Need need = Need::Optional);
  /// The items of a list (for lists of mappings); absent or wrong type gives an empty span.
  [[nodiscard]] std::span<const Value> list(std::string_view key, Need need = Need::Optional);

  /// "vendor 'x': key" — the name of a member in messages.
  [[nodiscard]] std::string member(std::string_view key) const;

 private:
  const Value* value_;
  std::string what_;
  Diagnostics* diag_;
  bool valid_ = false;
};

/// Levenshtein distance, capped: returns `cap + 1` as soon as the distance exceeds `cap`.
/// Used for "did you mean" hints.
[[nodiscard]] std::size_t edit_distance(std::string_view a, std::string_view b, std::size_t cap);

}  // namespace trustscan::config
