#include "rectify/result.h"

namespace rectify {

std::string_view ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kBadInput:
      return "bad input";
    case ErrorCode::kNotFound:
      return "not found";
    case ErrorCode::kConflict:
      return "conflict";
    case ErrorCode::kUniqueViolation:
      return "unique violation";
    case ErrorCode::kFailedPrecondition:
      return "failed precondition";
    case ErrorCode::kPermissionDenied:
      return "permission denied";
    case ErrorCode::kUnavailable:
      return "unavailable";
    case ErrorCode::kInternal:
      return "internal";
  }
  return "unknown";
}

Error Error::WithContext(std::string_view context) const {
  std::string m(context);
  m += ": ";
  m += message_;
  return {code_, std::move(m)};
}

int Error::ExitCode() const {
  switch (code_) {
    case ErrorCode::kBadInput:
    case ErrorCode::kNotFound:
    case ErrorCode::kConflict:
    case ErrorCode::kUniqueViolation:
    case ErrorCode::kFailedPrecondition:
    case ErrorCode::kPermissionDenied:
      return 1;
    case ErrorCode::kUnavailable:
      return 3;
    case ErrorCode::kInternal:
      return 4;
  }
  return 4;
}

}  // namespace rectify
