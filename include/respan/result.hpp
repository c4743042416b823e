/// @file result.hpp
/// @brief `Result<T>`: a value or a respan::Error, for callers who prefer not to use exceptions.
///
/// Shaped like C++23 `std::expected<T, Error>`: test with `if (r)`, read with `*r` / `r->` /
/// `value()` (which throws ApiError when `r` holds an error), chain with and_then(),
/// transform() and or_else().
/// @code
/// respan::Result<std::string> id = client.request_logs().create(span).transform(
///     [](const respan::RequestLogCreated& c) { return c.unique_id; });
/// std::string shown = std::move(id).value_or("(not logged)");
/// @endcode
#pragma once

#include <functional>
#include <stdexcept>
#include <type_traits>
#include <utility>
#include <variant>

#include <respan/error.hpp>

namespace respan {

/// Thrown by Result::error() on a Result that holds a value: a bug in the caller (test the
/// Result first). The same for `Result<T>` and `Result<void>`.
class BadResultAccess : public std::logic_error {
 public:
  BadResultAccess() : std::logic_error("respan::Result::error() called on a success") {}
};

template <class T>
class Result;

namespace detail {
template <class R>
struct is_result : std::false_type {};
template <class U>
struct is_result<Result<U>> : std::true_type {};

// Result<U> from calling f(args...), for transform(): void results give Result<void>.
template <class U, class F, class... Args>
Result<U> result_of_call(F&& f, Args&&... args) {
  if constexpr (std::is_void_v<U>) {
    std::invoke(std::forward<F>(f), std::forward<Args>(args)...);
    return Result<U>();
  } else {
    return Result<U>(std::invoke(std::forward<F>(f), std::forward<Args>(args)...));
  }
}
}  // namespace detail

/// Holds either a `T` or an Error. Test with `if (result)` / `ok()`;
/// `value()` returns the value or throws ApiError.
template <class T>
class [[nodiscard]] Result {
  static_assert(!std::is_reference_v<T>, "Result<T&> is not supported");

 public:
  using value_type = T;
  using error_type = Error;

  Result(T value) : storage_(std::in_place_index<0>, std::move(value)) {}      // NOLINT implicit
  Result(Error error) : storage_(std::in_place_index<1>, std::move(error)) {}  // NOLINT implicit

  bool ok() const noexcept { return storage_.index() == 0; }
  /// Same as ok() (std::expected's name).
  bool has_value() const noexcept { return ok(); }
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

  /// The value (copied), or `fallback` if this holds an error.
  template <class U>
  T value_or(U&& fallback) const& {
    return ok() ? std::get<0>(storage_) : static_cast<T>(std::forward<U>(fallback));
  }
  /// The value (moved out), or `fallback` if this holds an error.
  template <class U>
  T value_or(U&& fallback) && {
    return ok() ? std::get<0>(std::move(storage_)) : static_cast<T>(std::forward<U>(fallback));
  }

  /// The error. Throws BadResultAccess when this holds a value.
  const Error& error() const& {
    if (ok()) throw BadResultAccess();
    return std::get<1>(storage_);
  }
  /// The error, moved out. Throws BadResultAccess when this holds a value.
  Error&& error() && {
    if (ok()) throw BadResultAccess();
    return std::get<1>(std::move(storage_));
  }

  /// Access to the value, like value(): throws ApiError (never bad_variant_access) when this
  /// holds an error.
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }

  /// `f(value)`, which returns a `Result<U>`, when this holds a value; else this error as a
  /// `Result<U>`.
  template <class F>
  auto and_then(F&& f) const& {
    using R = std::remove_cv_t<std::remove_reference_t<std::invoke_result_t<F, const T&>>>;
    static_assert(detail::is_result<R>::value, "and_then: f must return a respan::Result");
    if (!ok()) return R(std::get<1>(storage_));
    return std::invoke(std::forward<F>(f), std::get<0>(storage_));
  }
  template <class F>
  auto and_then(F&& f) && {
    using R = std::remove_cv_t<std::remove_reference_t<std::invoke_result_t<F, T&&>>>;
    static_assert(detail::is_result<R>::value, "and_then: f must return a respan::Result");
    if (!ok()) return R(std::get<1>(std::move(storage_)));
    return std::invoke(std::forward<F>(f), std::get<0>(std::move(storage_)));
  }

  /// `Result<U>` holding `f(value)` when this holds a value (`Result<void>` when `f` returns
  /// nothing); else this error.
  template <class F>
  auto transform(F&& f) const& {
    using U = std::remove_cv_t<std::invoke_result_t<F, const T&>>;
    if (!ok()) return Result<U>(std::get<1>(storage_));
    return detail::result_of_call<U>(std::forward<F>(f), std::get<0>(storage_));
  }
  template <class F>
  auto transform(F&& f) && {
    using U = std::remove_cv_t<std::invoke_result_t<F, T&&>>;
    if (!ok()) return Result<U>(std::get<1>(std::move(storage_)));
    return detail::result_of_call<U>(std::forward<F>(f), std::get<0>(std::move(storage_)));
  }

  /// This value when there is one; else `f(error)`, which returns a Result<T> (to recover,
  /// or to replace the error).
  template <class F>
  Result or_else(F&& f) const& {
    using R = std::remove_cv_t<std::remove_reference_t<std::invoke_result_t<F, const Error&>>>;
    static_assert(std::is_same_v<R, Result>, "or_else: f must return the same respan::Result");
    if (ok()) return *this;
    return std::invoke(std::forward<F>(f), std::get<1>(storage_));
  }
  template <class F>
  Result or_else(F&& f) && {
    using R = std::remove_cv_t<std::remove_reference_t<std::invoke_result_t<F, Error&&>>>;
    static_assert(std::is_same_v<R, Result>, "or_else: f must return the same respan::Result");
    if (ok()) return std::move(*this);
    return std::invoke(std::forward<F>(f), std::get<1>(std::move(storage_)));
  }

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
  using value_type = void;
  using error_type = Error;

  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT implicit

  bool ok() const noexcept { return ok_; }
  /// Same as ok() (std::expected's name).
  bool has_value() const noexcept { return ok_; }
  explicit operator bool() const noexcept { return ok_; }
  /// Throws ApiError if this holds an error.
  void value() const {
    if (!ok_) throw ApiError(error_);
  }
  /// The error. Throws BadResultAccess when this is a success.
  const Error& error() const& {
    if (ok_) throw BadResultAccess();
    return error_;
  }
  /// The error, moved out. Throws BadResultAccess when this is a success.
  Error&& error() && {
    if (ok_) throw BadResultAccess();
    return std::move(error_);
  }

  /// `f()`, which returns a `Result<U>`, on success; else this error as a `Result<U>`.
  template <class F>
  auto and_then(F&& f) const {
    using R = std::remove_cv_t<std::remove_reference_t<std::invoke_result_t<F>>>;
    static_assert(detail::is_result<R>::value, "and_then: f must return a respan::Result");
    if (!ok_) return R(error_);
    return std::invoke(std::forward<F>(f));
  }
  /// `Result<U>` holding `f()` on success (`Result<void>` when `f` returns nothing); else this
  /// error.
  template <class F>
  auto transform(F&& f) const {
    using U = std::remove_cv_t<std::invoke_result_t<F>>;
    if (!ok_) return Result<U>(error_);
    return detail::result_of_call<U>(std::forward<F>(f));
  }
  /// This success; else `f(error)`, which returns a `Result<void>`.
  template <class F>
  Result or_else(F&& f) const {
    using R = std::remove_cv_t<std::remove_reference_t<std::invoke_result_t<F, const Error&>>>;
    static_assert(std::is_same_v<R, Result>, "or_else: f must return a respan::Result<void>");
    if (ok_) return *this;
    return std::invoke(std::forward<F>(f), error_);
  }

 private:
  Error error_;
  bool ok_ = true;
};

}  // namespace respan
