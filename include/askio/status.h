// Expected failures as values. Every fallible askio call returns a Status or a
// Result<T>; exceptions from libraries are caught at their adapter and turned
// into one of these codes. The CLI and (later) the HTTP server map the codes
// to exit codes / HTTP statuses in exactly one place each.
#pragma once

#include <expected>
#include <string>
#include <utility>

namespace askio {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,  // the caller asked for something malformed
  kNotFound,         // a named thing (knowledge base, file) does not exist
  kAlreadyExists,
  kUnsupported,  // a file type or encoding askio does not handle
  kIOError,      // the operating system or a library failed to read/write
  kCorruption,   // stored data failed a consistency check
  kInternal,     // a bug: an invariant did not hold
};

class Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return {}; }
  static Status InvalidArgument(std::string m) {
    return {StatusCode::kInvalidArgument, std::move(m)};
  }
  static Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
  static Status AlreadyExists(std::string m) { return {StatusCode::kAlreadyExists, std::move(m)}; }
  static Status Unsupported(std::string m) { return {StatusCode::kUnsupported, std::move(m)}; }
  static Status IOError(std::string m) { return {StatusCode::kIOError, std::move(m)}; }
  static Status Corruption(std::string m) { return {StatusCode::kCorruption, std::move(m)}; }
  static Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // True for failures caused by what the user asked for (as opposed to the
  // environment or a bug). The CLI maps these to exit code 1, the rest to 2.
  bool IsUserError() const {
    return code_ == StatusCode::kInvalidArgument || code_ == StatusCode::kNotFound ||
           code_ == StatusCode::kAlreadyExists || code_ == StatusCode::kUnsupported;
  }

  std::string ToString() const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

template <typename T>
using Result = std::expected<T, Status>;

inline std::unexpected<Status> Err(Status s) { return std::unexpected<Status>(std::move(s)); }

// Lets ASKIO_RETURN_IF_ERROR work in functions returning Status or Result<T>.
struct PropagatedError {
  Status status;
  operator Status() && { return std::move(status); }
  template <typename T>
  operator Result<T>() && {
    return std::unexpected<Status>(std::move(status));
  }
};

}  // namespace askio

// Returns a failed Status to the caller (which returns Status or Result<T>).
#define ASKIO_RETURN_IF_ERROR(expr)                                                     \
  do {                                                                                  \
    ::askio::Status askio_status_ = (expr);                                             \
    if (!askio_status_.ok()) return ::askio::PropagatedError{std::move(askio_status_)}; \
  } while (0)
