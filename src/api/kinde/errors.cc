#include "api/kinde/errors.h"

#include <cctype>

#include "api/json_writer.h"

namespace orgd::api::kinde {

http::Response ErrorBody(int status, std::string_view code, std::string_view message,
                         std::string_view field) {
  JsonWriter w(128);
  w.BeginObject().Key("errors").BeginArray().BeginObject();
  w.Field("code", code).Field("message", message);
  if (!field.empty()) w.Field("field", field);
  w.EndObject().EndArray().EndObject();
  return http::Response::Json(status, w.Take());
}

http::Response NotFoundBody(std::string_view code, std::string_view message) {
  JsonWriter w(128);
  w.BeginObject().Key("errors").BeginObject().Field("code", code).Field("message", message);
  w.EndObject().EndObject();
  return http::Response::Json(404, w.Take());
}

http::Response RouteNotFound() {
  return NotFoundBody("ROUTE_NOT_FOUND", "The requested API route does not exist");
}

std::string UpperCode(std::string_view word) {
  std::string out;
  out.reserve(word.size());
  for (char c : word) {
    out.push_back(std::isalnum(static_cast<unsigned char>(c))
                      ? static_cast<char>(std::toupper(static_cast<unsigned char>(c)))
                      : '_');
  }
  return out;
}

std::string Sentence(std::string_view word) {
  std::string out(word);
  for (char& c : out) {
    if (c == '_') c = ' ';
  }
  if (!out.empty()) out[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(out[0])));
  return out;
}

http::Response Render(const Error& e) {
  switch (e.code) {
    case ErrorCode::kInvalidArgument: {
      if (e.reason == "json") {
        return ErrorBody(400, "INVALID_REQUEST_BODY", "Request body is not valid JSON");
      }
      if (e.subject.empty()) return ErrorBody(400, "INVALID_REQUEST", e.message);
      std::string field = UpperCode(e.subject);
      if (e.reason == "required") {
        return ErrorBody(400, field + "_REQUIRED", Sentence(e.subject) + " is required", e.subject);
      }
      if (e.reason == "too_long") {
        return ErrorBody(400, field + "_TOO_LONG", e.message, e.subject);
      }
      if (!e.reason.empty() && e.reason != "invalid" && e.reason != "too_short") {
        return ErrorBody(400, UpperCode(e.reason), e.message, e.subject);
      }
      return ErrorBody(400, "INVALID_" + field, "Invalid " + e.subject, e.subject);
    }
    case ErrorCode::kNotFound:
      return ErrorBody(400, UpperCode(e.subject) + "_NOT_FOUND", Sentence(e.subject) + " not found");
    case ErrorCode::kAlreadyExists:
      return ErrorBody(400, UpperCode(e.reason) + "_EXISTS", Sentence(e.reason) + " already exists");
    case ErrorCode::kFailedPrecondition:
      return ErrorBody(400, UpperCode(e.reason), e.message);
    case ErrorCode::kUnauthenticated:
      return ErrorBody(401, "UNAUTHORIZED", "Invalid or missing access token");
    case ErrorCode::kPermissionDenied:
      return ErrorBody(403, "FORBIDDEN", e.message);
    case ErrorCode::kAborted:
      return ErrorBody(409, "CONFLICT", "The request conflicted with a concurrent update; retry");
    case ErrorCode::kResourceExhausted:
      return ErrorBody(429, "TOO_MANY_REQUESTS", "Request was throttled");
    case ErrorCode::kUnavailable:
      return ErrorBody(503, "SERVICE_UNAVAILABLE", "The service is temporarily unavailable");
    case ErrorCode::kInternal:
      break;
  }
  return ErrorBody(500, "INTERNAL_SERVER_ERROR", "Internal server error");
}

http::Response RenderWith404(const Error& e) {
  if (e.code == ErrorCode::kNotFound) {
    return NotFoundBody(UpperCode(e.subject) + "_NOT_FOUND", Sentence(e.subject) + " not found");
  }
  return Render(e);
}

http::Response RenderStatus(int status) {
  switch (status) {
    case 400:
      return ErrorBody(400, "INVALID_REQUEST", "Malformed HTTP request");
    case 413:
      return ErrorBody(413, "REQUEST_TOO_LARGE", "Request body is too large");
    case 431:
      return ErrorBody(431, "HEADERS_TOO_LARGE", "Request headers are too large");
    default:
      return ErrorBody(500, "INTERNAL_SERVER_ERROR", "Internal server error");
  }
}

}  // namespace orgd::api::kinde
