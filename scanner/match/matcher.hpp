#pragma once
/// \file
/// Runs the shared compiled rules over one file's bytes, already in memory. One Matcher per worker thread.

#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "core/byte_source.hpp"
#include "core/error.hpp"
#include "match/rule_match.hpp"
#include "match/rule_set.hpp"

namespace trustscan::match {

/// Files read on demand (above Limits::stream_threshold) are scanned in blocks, never whole: the
/// first kFirstBlock bytes, then kBlock-byte blocks each overlapping the previous one by
/// kBlockOverlap, so that a string up to kBlockOverlap bytes long is found wherever it lies.
/// `filesize` is the whole file's size and uint8..uint32(offset) read any offset of the file;
/// what differs from a scan of the file in memory: a string longer than kBlockOverlap that
/// straddles a block boundary is not found, and a string inside an overlap may be counted twice
/// (`#s`). No shipped rule uses strings that long or counts (docs/performance.md).
inline constexpr std::size_t kFirstBlock = std::size_t{16} << 20;
inline constexpr std::size_t kBlock = std::size_t{16} << 20;
inline constexpr std::size_t kBlockOverlap = std::size_t{64} << 10;

struct MatchOptions {
  /// Per-file scan budget in seconds (libyara `yr_scanner_set_timeout`). Exceeding it is a
  /// per-file Errc::TooLarge error, never "no match". The shipped rules need 0.07 s for the
  /// largest file of the real tree (27 MiB), so only a pathological user rule gets near 30 s.
  int timeout_seconds = 30;
  /// Matched strings reported per rule (first occurrence each). Evidence, not a full dump: the
  /// first few identifiers explain a hit, and the bound keeps reports small.
  std::size_t max_strings_per_rule = 16;
};

/// Owns one YR_SCANNER over a RuleSet. Move-only; use from one thread at a time. Scanning uses
/// SCAN_FLAGS_FAST_MODE: every string stops at its first match (all rules need only that).
class Matcher {
 public:
  /// Creates the per-thread scanner. Keeps the rule set alive. Errc::Internal on allocation failure.
  [[nodiscard]] static Result<Matcher> create(const RuleSet& rules, const MatchOptions& options = {});

  Matcher(Matcher&&) noexcept;
  Matcher& operator=(Matcher&&) noexcept;
  Matcher(const Matcher&) = delete;
  Matcher& operator=(const Matcher&) = delete;
  ~Matcher();

  /// Scans bytes that are already in memory (the pipeline's one read of the file; never re-read from disk)
  /// with the given external variables. Returns the public rules that matched, in rule order (a
  /// gated rule, when its gate matched and it did too, in its gate's place: rule_set.hpp).
  /// Errors: Errc::TooLarge on timeout, Errc::Internal for other libyara failures (e.g. more than
  /// 32 concurrent scans of one rule set, libyara's YR_MAX_THREADS).
  [[nodiscard]] Result<std::vector<RuleMatch>> scan(std::span<const std::byte> bytes,
                                                    const MatchExternals& externals);
  /// The same over a file in memory or read on demand (in blocks: see kBlock); Errc::Io when a
  /// block cannot be read.
  [[nodiscard]] Result<std::vector<RuleMatch>> scan(const ByteSource& bytes, const MatchExternals& externals);
  /// scan() with the externals of a file at `path` (as discovered): its name and lower-case
  /// extension are derived from the path.
  [[nodiscard]] Result<std::vector<RuleMatch>> scan_file(std::span<const std::byte> bytes, std::string_view path,
                                                         Format format, std::optional<Privilege> privilege);
  /// scan_file() over a file in memory or read on demand.
  [[nodiscard]] Result<std::vector<RuleMatch>> scan_file(const ByteSource& bytes, std::string_view path, Format format,
                                                         std::optional<Privilege> privilege);

 private:
  struct State;
  explicit Matcher(std::unique_ptr<State> state) noexcept;
  std::unique_ptr<State> state_;
};

}  // namespace trustscan::match
