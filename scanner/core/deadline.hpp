#pragma once
/// \file
/// A per-file time budget checked by the long loops themselves (issue 19: a library loaded into
/// another program cannot give up a file by abandoning its thread). The pipeline installs the
/// file's Deadline on the analysing thread (DeadlineScope); the loops that can run long on one
/// file — reading and hashing in chunks (for_each_chunk, FileContents::read), the Authenticode
/// and Mach-O code-directory digests, .ko.xz/.ko.zst decompression, the YARA scan — call
/// check_deadline() between pieces of work. Past the deadline a check returns Errc::Timeout, the
/// stage returns it, and the pipeline reports the file as timed out (the deadline remembers that
/// it fired, whatever a stage made of the error) while its thread goes on with the next file.
/// What cannot be interrupted (a LIEF parse) and the overrun measured are in docs/time-budget.md.
///
/// Thread-local, so that the functions between the pipeline and the loops need no extra
/// parameter; a helper thread working for the same file (the rules on a spare core) installs
/// the same Deadline with its own DeadlineScope. No scope (a caller outside a scan): no limit.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "core/error.hpp"

namespace trustscan {

class Deadline {
 public:
  using Clock = std::chrono::steady_clock;
  /// No limit.
  Deadline() = default;
  /// `budget` from now; a budget of zero or less is no limit.
  explicit Deadline(std::chrono::nanoseconds budget) noexcept
      : at_(Clock::now() + budget), limited_(budget.count() > 0) {}
  Deadline(const Deadline&) = delete;  // shared by address with helper threads
  Deadline& operator=(const Deadline&) = delete;

  [[nodiscard]] bool limited() const noexcept { return limited_; }
  /// When the time is up (meaningful only when limited()).
  [[nodiscard]] Clock::time_point at() const noexcept { return at_; }
  /// True once the time is up; the first such check records `what` (the work it interrupted).
  [[nodiscard]] bool passed(const char* what) const noexcept {
    if (!limited_) return false;
    if (fired_.load(std::memory_order_relaxed)) return true;
    if (Clock::now() < at_) return false;
    const char* none = nullptr;
    where_.compare_exchange_strong(none, what);
    fired_.store(true, std::memory_order_release);
    return true;
  }
  /// Errc::Timeout once the time is up.
  [[nodiscard]] Result<void> check(const char* what) const {
    if (!passed(what)) return {};
    return fail(Errc::Timeout, std::string("time budget used up while ") + what);
  }
  /// The time left (zero once passed); nullopt without a limit.
  [[nodiscard]] std::optional<Clock::duration> remaining() const noexcept {
    if (!limited_) return std::nullopt;
    const auto now = Clock::now();
    return now < at_ ? at_ - now : Clock::duration::zero();
  }
  /// Whether a check found the time up (the file's results are then incomplete).
  [[nodiscard]] bool fired() const noexcept { return fired_.load(std::memory_order_acquire); }
  /// What the first check that found the time up was doing ("" when none did).
  [[nodiscard]] std::string where() const {
    const char* w = where_.load(std::memory_order_acquire);
    return w ? w : "";
  }

 private:
  Clock::time_point at_{};
  bool limited_ = false;
  mutable std::atomic<bool> fired_{false};
  mutable std::atomic<const char*> where_{nullptr};  ///< string literals only
};

namespace detail {
inline thread_local const Deadline* t_deadline = nullptr;
}  // namespace detail

/// The deadline installed on this thread; nullptr when none.
[[nodiscard]] inline const Deadline* current_deadline() noexcept { return detail::t_deadline; }

/// check() on this thread's deadline; success when there is none. `what`: a string literal.
[[nodiscard]] inline Result<void> check_deadline(const char* what) {
  const Deadline* d = detail::t_deadline;
  return d ? d->check(what) : Result<void>{};
}

/// Installs `deadline` on this thread for the scope's lifetime (the previous one back after).
class DeadlineScope {
 public:
  explicit DeadlineScope(const Deadline* deadline) noexcept : previous_(detail::t_deadline) {
    detail::t_deadline = deadline;
  }
  ~DeadlineScope() { detail::t_deadline = previous_; }
  DeadlineScope(const DeadlineScope&) = delete;
  DeadlineScope& operator=(const DeadlineScope&) = delete;

 private:
  const Deadline* previous_;
};

}  // namespace trustscan
