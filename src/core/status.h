// Status and Result<T>: how every module reports failure across its boundary.
//
// A Status is a code plus a message a user can act on (which setting, which line, what was
// expected). No exception crosses a module boundary: code that calls a throwing library
// catches inside its module and returns a Status. Both types are [[nodiscard]].
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace salesflow {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,     // the caller's input is wrong (bad key, bad option, malformed file)
  kNotFound,            // the thing named does not exist (object, report, job)
  kAlreadyExists,       // create of something that exists
  kPermissionDenied,    // authenticated but not allowed (S3 AccessDenied, role too low)
  kUnauthenticated,     // no or wrong credentials
  kFailedPrecondition,  // state forbids it (header lacks a required column, reject ratio exceeded)
  kConflict,            // concurrent modification lost a race
  kResourceExhausted,   // a size or count limit (upload too large, gzip bomb)
  kUnavailable,         // a peer is down or unreachable; retrying may help
  kDeadlineExceeded,    // a timeout
  kDataLoss,            // truncated or corrupt stream
  kCancelled,           // stopped on purpose (shutdown, lease lost)
  kInternal,            // a bug or an unexpected library failure
};

// Stable lower_snake_case name of a code, used in logs and JSON error bodies.
std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return {}; }
  static Status InvalidArgument(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
  static Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
  static Status AlreadyExists(std::string m) { return {StatusCode::kAlreadyExists, std::move(m)}; }
  static Status PermissionDenied(std::string m) {
    return {StatusCode::kPermissionDenied, std::move(m)};
  }
  static Status Unauthenticated(std::string m) {
    return {StatusCode::kUnauthenticated, std::move(m)};
  }
  static Status FailedPrecondition(std::string m) {
    return {StatusCode::kFailedPrecondition, std::move(m)};
  }
  static Status Conflict(std::string m) { return {StatusCode::kConflict, std::move(m)}; }
  static Status ResourceExhausted(std::string m) {
    return {StatusCode::kResourceExhausted, std::move(m)};
  }
  static Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
  static Status DeadlineExceeded(std::string m) {
    return {StatusCode::kDeadlineExceeded, std::move(m)};
  }
  static Status DataLoss(std::string m) { return {StatusCode::kDataLoss, std::move(m)}; }
  static Status Cancelled(std::string m) { return {StatusCode::kCancelled, std::move(m)}; }
  static Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "not_found: no object 'a/b.csv' in bucket 'reports'"
  std::string ToString() const;

  // Returns a copy whose message is prefixed with context: "loading x.csv: <message>".
  Status WithContext(std::string_view context) const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// Result<T> holds a T or a non-ok Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Result(Status status) : state_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    assert(!std::get<Status>(state_).ok() && "Result constructed from an ok Status");
  }

  bool ok() const { return std::holds_alternative<T>(state_); }
  // The error; Status::Ok() when a value is held.
  Status status() const { return ok() ? Status::Ok() : std::get<Status>(state_); }

  // REQUIRES: ok()
  T& value() & { return std::get<T>(state_); }
  const T& value() const& { return std::get<T>(state_); }
  T&& value() && { return std::get<T>(std::move(state_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Status> state_;
};

}  // namespace salesflow

#define SF_CONCAT_INNER_(a, b) a##b
#define SF_CONCAT_(a, b) SF_CONCAT_INNER_(a, b)

// Returns the Status of `expr` from the enclosing function when it is not ok.
#define SF_RETURN_IF_ERROR(expr)                 \
  do {                                           \
    ::salesflow::Status sf_status_ = (expr);     \
    if (!sf_status_.ok()) return sf_status_;     \
  } while (false)

// SF_ASSIGN_OR_RETURN(auto x, MakeX()); declares x from the Result's value or returns its Status.
#define SF_ASSIGN_OR_RETURN(lhs, expr) \
  SF_ASSIGN_OR_RETURN_IMPL_(SF_CONCAT_(sf_result_, __LINE__), lhs, expr)
#define SF_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                              \
  if (!tmp.ok()) return tmp.status();             \
  lhs = std::move(tmp).value()
