#pragma once

#include <cassert>
#include <type_traits>
#include <utility>
#include <variant>

#include "common/error.h"

namespace orgd {

// Value-or-Error, shaped like C++23 std::expected. Built directly from a T or an Error.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(const T& value) : data_(value) {}  // NOLINT(google-explicit-constructor)
  Result(T&& value) : data_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Result(const Error& error) : data_(error) {}  // NOLINT(google-explicit-constructor)
  Result(Error&& error) : data_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool has_value() const { return data_.index() == 0; }
  explicit operator bool() const { return has_value(); }

  T& value() & { assert(has_value()); return std::get<0>(data_); }
  const T& value() const& { assert(has_value()); return std::get<0>(data_); }
  T&& value() && { assert(has_value()); return std::get<0>(std::move(data_)); }
  const Error& error() const& { assert(!has_value()); return std::get<1>(data_); }
  Error&& error() && { assert(!has_value()); return std::get<1>(std::move(data_)); }

  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Error> data_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(const Error& error) : error_(error), ok_(false) {}  // NOLINT(google-explicit-constructor)
  Result(Error&& error) : error_(std::move(error)), ok_(false) {}  // NOLINT(google-explicit-constructor)

  bool has_value() const { return ok_; }
  explicit operator bool() const { return ok_; }
  void value() const { assert(ok_); }
  const Error& error() const& { assert(!ok_); return error_; }
  Error&& error() && { assert(!ok_); return std::move(error_); }

 private:
  Error error_;
  bool ok_ = true;
};

// Returns early with the error of a failed Result expression.
#define ORGD_TRY(expr)                                  \
  do {                                                  \
    auto orgd_try_result_ = (expr);                     \
    if (!orgd_try_result_) return std::move(orgd_try_result_).error(); \
  } while (0)

}  // namespace orgd
