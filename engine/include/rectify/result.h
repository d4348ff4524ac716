// Expected failures as values.
//
// Every operation that can fail for a reason the caller may act on returns `Result<T>` (or
// `Status`, which is `Result<void>`). Both are [[nodiscard]]: ignoring one is a compile warning,
// an error in CI. Bugs (broken invariants) are assertions, not errors. The policy, and which code
// to use when, is in docs/architecture.md ("Errors").
//
//   Result<Instance> r = store.LoadInstance(id);
//   if (!r) return r.error();          // propagate
//   Use(*r);
//
// ErrorCode is a small taxonomy that says what the caller can do:
//   kBadInput           the input is wrong; fix it and try again (exit code 1)
//   kNotFound           the named thing does not exist (exit code 1)
//   kConflict           someone else changed it first (optimistic version); reload and retry
//   kUniqueViolation    it already exists (a duplicate key)
//   kFailedPrecondition the system is not in a state that allows it (e.g. a changed migration)
//   kPermissionDenied   the actor may not do this
//   kUnavailable        a dependency is down or unreachable; retry later (exit code 3)
//   kInternal           a failure the caller cannot fix (exit code 4)
//
// Thread-safety: values; no shared state.
#pragma once

#include <cassert>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace rectify {

enum class ErrorCode {
  kBadInput,
  kNotFound,
  kConflict,
  kUniqueViolation,
  kFailedPrecondition,
  kPermissionDenied,
  kUnavailable,
  kInternal,
};

std::string_view ErrorCodeName(ErrorCode code);

class Error {
 public:
  Error(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Error BadInput(std::string m) { return {ErrorCode::kBadInput, std::move(m)}; }
  static Error NotFound(std::string m) { return {ErrorCode::kNotFound, std::move(m)}; }
  static Error Conflict(std::string m) { return {ErrorCode::kConflict, std::move(m)}; }
  static Error UniqueViolation(std::string m) {
    return {ErrorCode::kUniqueViolation, std::move(m)};
  }
  static Error FailedPrecondition(std::string m) {
    return {ErrorCode::kFailedPrecondition, std::move(m)};
  }
  static Error PermissionDenied(std::string m) {
    return {ErrorCode::kPermissionDenied, std::move(m)};
  }
  static Error Unavailable(std::string m) { return {ErrorCode::kUnavailable, std::move(m)}; }
  static Error Internal(std::string m) { return {ErrorCode::kInternal, std::move(m)}; }

  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // A copy whose message has `context` in front ("migration 0002: <message>").
  Error WithContext(std::string_view context) const;

  // The process exit code for a command that ends with this error (DESIGN.md section 5):
  // 1 for the user's error, 3 for the environment, 4 for an internal failure.
  int ExitCode() const;

 private:
  ErrorCode code_;
  std::string message_;
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Result(Error error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  const T& value() const& {
    assert(ok());
    return std::get<0>(v_);
  }
  T& value() & {
    assert(ok());
    return std::get<0>(v_);
  }
  T&& value() && {
    assert(ok());
    return std::get<0>(std::move(v_));
  }
  const Error& error() const {
    assert(!ok());
    return std::get<1>(v_);
  }

  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const {
    assert(!ok_);
    return error_;
  }

 private:
  Error error_{ErrorCode::kInternal, ""};
  bool ok_ = true;
};

using Status = Result<void>;

inline Status OkStatus() { return {}; }

}  // namespace rectify
