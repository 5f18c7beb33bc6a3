#pragma once
// A value or a domain error. core/ has no exceptions on expected failures (bad input is normal
// at a front desk), so every parser returns one of these.
#include <string>
#include <utility>
#include <variant>

#include "core/error_code.hpp"

namespace onshi::core {

struct Error {
  ErrorCode code;
  std::string detail;  // English, safe to log: never contains personal data
};

template <typename T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Result(Error error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  const T& value() const& { return std::get<0>(v_); }
  T& value() & { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  const T& operator*() const& { return value(); }
  const T* operator->() const { return &value(); }
  const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

inline Error make_error(ErrorCode code, std::string detail = {}) {
  return Error{code, std::move(detail)};
}

}  // namespace onshi::core
