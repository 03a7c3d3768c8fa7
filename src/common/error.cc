#include "common/error.h"

#include <utility>

namespace orgd {

std::string_view ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument: return "invalid_argument";
    case ErrorCode::kUnauthenticated: return "unauthenticated";
    case ErrorCode::kPermissionDenied: return "permission_denied";
    case ErrorCode::kNotFound: return "not_found";
    case ErrorCode::kAlreadyExists: return "already_exists";
    case ErrorCode::kFailedPrecondition: return "failed_precondition";
    case ErrorCode::kAborted: return "aborted";
    case ErrorCode::kResourceExhausted: return "resource_exhausted";
    case ErrorCode::kUnavailable: return "unavailable";
    case ErrorCode::kInternal: return "internal";
  }
  return "internal";
}

Error Error::InvalidArgument(std::string message, std::string field) {
  Error e{.code = ErrorCode::kInvalidArgument, .message = std::move(message)};
  if (!field.empty()) {
    e.fields.emplace(field, e.message);
    e.subject = std::move(field);
  }
  return e;
}
Error Error::Unauthenticated(std::string message) {
  return Error{.code = ErrorCode::kUnauthenticated, .message = std::move(message)};
}
Error Error::PermissionDenied(std::string message) {
  return Error{.code = ErrorCode::kPermissionDenied, .message = std::move(message)};
}
Error Error::NotFound(std::string subject, std::string message) {
  if (message.empty()) message = subject + " not found";
  return Error{.code = ErrorCode::kNotFound, .message = std::move(message), .subject = std::move(subject)};
}
Error Error::AlreadyExists(std::string subject, std::string reason, std::string message) {
  if (message.empty()) message = subject + " " + reason + " already exists";
  return Error{.code = ErrorCode::kAlreadyExists,
               .message = std::move(message),
               .subject = std::move(subject),
               .reason = std::move(reason)};
}
Error Error::FailedPrecondition(std::string reason, std::string message) {
  return Error{.code = ErrorCode::kFailedPrecondition,
               .message = std::move(message),
               .reason = std::move(reason)};
}
Error Error::Aborted(std::string message, std::string detail) {
  return Error{.code = ErrorCode::kAborted, .message = std::move(message), .detail = std::move(detail)};
}
Error Error::ResourceExhausted(std::string message) {
  return Error{.code = ErrorCode::kResourceExhausted, .message = std::move(message)};
}
Error Error::Unavailable(std::string message, std::string detail) {
  return Error{.code = ErrorCode::kUnavailable, .message = std::move(message), .detail = std::move(detail)};
}
Error Error::Internal(std::string message, std::string detail) {
  return Error{.code = ErrorCode::kInternal, .message = std::move(message), .detail = std::move(detail)};
}

}  // namespace orgd
