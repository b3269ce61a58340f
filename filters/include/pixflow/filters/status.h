// Errors as values. A Status carries a code and a message that already names what failed and why
// ("photos/a.jpg: decode: premature end of JPEG data"); Result<T> is a value or the Status that
// explains its absence. Nothing here throws: exceptions never cross a thread or process boundary.
// Both are plain values: copy or move them between threads freely.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace pixflow {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,  // the caller asked for something impossible (bad size, unknown option)
  kUnsupported,      // valid request this build or input format cannot do
  kIoError,          // the file system said no
  kDecodeError,      // the bytes are not a valid image
  kLimitExceeded,    // refused by a safety limit (pixels, memory, time)
  kCancelled,        // stopped on request
  kInternal,         // a bug in pixflow
};

// "ok", "invalid argument", ...: a static string for messages and reports.
const char* StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return {}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // Returns a copy whose message is "context: message", for adding the file or stage name as an
  // error travels outwards.
  Status WithContext(const std::string& context) const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status InvalidArgument(std::string message) {
  return {StatusCode::kInvalidArgument, std::move(message)};
}
inline Status Unsupported(std::string message) {
  return {StatusCode::kUnsupported, std::move(message)};
}

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}         // NOLINT(google-explicit-constructor)
  Result(Status status) : state_(std::move(status)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return std::holds_alternative<T>(state_); }
  // The error; Status::Ok() when a value is held.
  Status status() const { return ok() ? Status::Ok() : std::get<Status>(state_); }

  // The value (also through * and ->). Only after ok(): on an error it throws
  // std::bad_variant_access, a bug in the caller, not an error to handle.
  T& value() & { return std::get<T>(state_); }
  const T& value() const& { return std::get<T>(state_); }
  T&& value() && { return std::get<T>(std::move(state_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> state_;
};

}  // namespace pixflow

#define PIXFLOW_CONCAT_INNER(a, b) a##b
#define PIXFLOW_CONCAT(a, b) PIXFLOW_CONCAT_INNER(a, b)

// Returns the Status from the enclosing function when `expr` is not ok.
#define PIXFLOW_RETURN_IF_ERROR(expr)                  \
  do {                                                 \
    ::pixflow::Status pixflow_status_ = (expr);        \
    if (!pixflow_status_.ok()) return pixflow_status_; \
  } while (false)

// `PIXFLOW_ASSIGN_OR_RETURN(auto img, Decode(...));` declares `img` from a Result or returns its
// Status.
#define PIXFLOW_ASSIGN_OR_RETURN(lhs, expr)                    \
  auto PIXFLOW_CONCAT(pixflow_result_, __LINE__) = (expr);     \
  if (!PIXFLOW_CONCAT(pixflow_result_, __LINE__).ok())         \
    return PIXFLOW_CONCAT(pixflow_result_, __LINE__).status(); \
  lhs = std::move(PIXFLOW_CONCAT(pixflow_result_, __LINE__)).value()
