#pragma once
/// \file
/// HeapOptional<T>: std::optional's interface for a large value that is mostly absent, kept on the
/// heap so that the object holding it pays a pointer, not sizeof(T), when it is absent. A record
/// is built for every file of a scan and held until the report is written: an absent
/// std::optional still takes its value's whole size in every record (docs/performance.md,
/// "twenty-first round").

#include <memory>
#include <utility>

namespace trustscan {

template <class T>
class HeapOptional {
 public:
  HeapOptional() noexcept = default;
  HeapOptional(T value)
      : value_(std::make_unique<T>(std::move(value))) {}  // NOLINT(google-explicit-constructor): as std::optional
  HeapOptional(const HeapOptional& other) : value_(other ? std::make_unique<T>(*other) : nullptr) {}
  HeapOptional(HeapOptional&&) noexcept = default;
  HeapOptional& operator=(const HeapOptional& other) {
    if (this != &other) value_ = other ? std::make_unique<T>(*other) : nullptr;
    return *this;
  }
  HeapOptional& operator=(HeapOptional&&) noexcept = default;
  HeapOptional& operator=(T value) {
    value_ = std::make_unique<T>(std::move(value));
    return *this;
  }
  ~HeapOptional() = default;

  [[nodiscard]] bool has_value() const noexcept { return value_ != nullptr; }
  explicit operator bool() const noexcept { return has_value(); }
  [[nodiscard]] T& operator*() noexcept { return *value_; }
  [[nodiscard]] const T& operator*() const noexcept { return *value_; }
  [[nodiscard]] T* operator->() noexcept { return value_.get(); }
  [[nodiscard]] const T* operator->() const noexcept { return value_.get(); }
  void reset() noexcept { value_.reset(); }

  /// Equal when both are absent, or both hold equal values (as std::optional).
  friend bool operator==(const HeapOptional& a, const HeapOptional& b) {
    return a && b ? *a == *b : a.has_value() == b.has_value();
  }

 private:
  std::unique_ptr<T> value_;
};

}  // namespace trustscan
