/// @file result.hpp
/// @brief `Result<T>`: a value or a respan::Error, for callers who prefer not to use exceptions.
#pragma once

#include <type_traits>
#include <utility>
#include <variant>

#include <respan/error.hpp>

namespace respan {

/// Holds either a `T` or an Error. Test with `if (result)` / `ok()`;
/// `value()` returns the value or throws ApiError.
template <class T>
class [[nodiscard]] Result {
 public:
  using value_type = T;

  Result(T value) : storage_(std::in_place_index<0>, std::move(value)) {}      // NOLINT implicit
  Result(Error error) : storage_(std::in_place_index<1>, std::move(error)) {}  // NOLINT implicit

  bool ok() const noexcept { return storage_.index() == 0; }
  explicit operator bool() const noexcept { return ok(); }

  /// The value; throws ApiError if this holds an error.
  T& value() & {
    check();
    return std::get<0>(storage_);
  }
  const T& value() const& {
    check();
    return std::get<0>(storage_);
  }
  T&& value() && {
    check();
    return std::get<0>(std::move(storage_));
  }

  /// The value, or `fallback` if this holds an error.
  template <class U>
  T value_or(U&& fallback) const& {
    return ok() ? std::get<0>(storage_) : static_cast<T>(std::forward<U>(fallback));
  }

  /// The error. Precondition: `!ok()` (throws std::bad_variant_access otherwise).
  const Error& error() const& { return std::get<1>(storage_); }
  Error&& error() && { return std::get<1>(std::move(storage_)); }

  /// Access to the value, like value(): throws ApiError (never bad_variant_access) when this
  /// holds an error.
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }

 private:
  void check() const {
    if (!ok()) throw ApiError(std::get<1>(storage_));
  }
  std::variant<T, Error> storage_;
};

/// Result of an operation that returns nothing on success.
template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT implicit

  bool ok() const noexcept { return ok_; }
  explicit operator bool() const noexcept { return ok_; }
  /// Throws ApiError if this holds an error.
  void value() const {
    if (!ok_) throw ApiError(error_);
  }
  /// The error. Precondition: `!ok()`.
  const Error& error() const& { return error_; }

 private:
  Error error_;
  bool ok_ = true;
};

}  // namespace respan
