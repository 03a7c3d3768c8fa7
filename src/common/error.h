#pragma once

#include <map>
#include <string>
#include <string_view>

namespace orgd {

// The only failure vocabulary of the domain and the store. Each API dialect renders these in its
// own wire format (src/api/logto/errors.cc, src/api/kinde/errors.cc); only they know statuses.
enum class ErrorCode {
  kInvalidArgument,     // malformed input, whatever the server state
  kUnauthenticated,     // no credential, or a bad one
  kPermissionDenied,    // a valid credential without the required scope
  kNotFound,            // the entity does not exist
  kAlreadyExists,       // a uniqueness clash
  kFailedPrecondition,  // valid, but the current state forbids it
  kAborted,             // concurrent update or serialization failure; retryable
  kResourceExhausted,   // a rate or size limit was hit
  kUnavailable,         // the database is unreachable; retryable
  kInternal,            // a bug, or anything not classified above
};

// Stable lower-case name of a code ("not_found"), for logs and tests.
std::string_view ErrorCodeName(ErrorCode code);

// A failure. `message` is safe to show clients; `detail` goes to the log only (SQL, errno,
// library text). `subject` names the entity kind concerned ("organization", "user", "role", ...)
// and `reason` a stable machine word that refines the code within that subject ("handle",
// "external_id", "require_membership", "foreign_key", ...): dialects map (code, subject, reason)
// to their own error codes. `fields` holds per-field validation messages.
struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
  std::string detail;
  std::string subject;
  std::string reason;
  std::map<std::string, std::string> fields;

  static Error InvalidArgument(std::string message, std::string field = {});
  static Error Unauthenticated(std::string message);
  static Error PermissionDenied(std::string message);
  static Error NotFound(std::string subject, std::string message = {});
  static Error AlreadyExists(std::string subject, std::string reason, std::string message = {});
  static Error FailedPrecondition(std::string reason, std::string message);
  static Error Aborted(std::string message, std::string detail = {});
  static Error ResourceExhausted(std::string message);
  static Error Unavailable(std::string message, std::string detail = {});
  static Error Internal(std::string message, std::string detail = {});

  // Chainable refinements: Error::NotFound("user").WithReason("member").
  Error&& WithReason(std::string r) && {
    reason = std::move(r);
    return std::move(*this);
  }
  Error&& WithDetail(std::string d) && {
    detail = std::move(d);
    return std::move(*this);
  }
  Error&& WithSubject(std::string s) && {
    subject = std::move(s);
    return std::move(*this);
  }
};

}  // namespace orgd
