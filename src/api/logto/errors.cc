#include "api/logto/errors.h"

#include <nlohmann/json.hpp>

namespace orgd::api::logto {
namespace {

using Json = nlohmann::json;

std::string_view ToWhere(const Error& e) {
  auto it = e.fields.find("_in");
  return it == e.fields.end() ? std::string_view("body") : std::string_view(it->second);
}

// The zod issue code Logto would report for a validation failure of this reason.
std::string_view ZodIssueCode(std::string_view reason) {
  if (reason == "required" || reason == "invalid" || reason.empty()) return "invalid_type";
  if (reason == "too_long") return "too_big";
  if (reason == "too_short") return "too_small";
  return reason;  // already a zod code: too_small, too_big, invalid_string, custom, ...
}

}  // namespace

http::Response ErrorBody(int status, std::string_view code, std::string_view message,
                         const Json* data, std::string_view details) {
  Json body = {{"code", code}, {"message", message}};
  if (data && !data->is_null()) body["data"] = *data;
  if (!details.empty()) body["details"] = details;
  // Messages quote ids and values from the path and query, which need not be UTF-8: such bytes
  // come out as U+FFFD instead of making dump() throw.
  return http::Response::Json(status, body.dump(-1, ' ', false, Json::error_handler_t::replace));
}

http::Response InvalidInput(std::string_view where, std::string_view path,
                            std::string_view issue_code, std::string_view message) {
  Json path_array = Json::array();
  if (!path.empty()) path_array.push_back(path);
  Json data = {{"issues", Json::array({{{"code", issue_code}, {"path", path_array},
                                         {"message", message}}})},
               {"name", "ZodError"}};
  std::string details = "Error in key path \"" + std::string(path) + "\": (" +
                        std::string(issue_code) + ") " + std::string(message);
  return ErrorBody(400, "guard.invalid_input",
                   "The request " + std::string(where) + " is invalid.", &data, details);
}

http::Response NotExistsWithId(std::string_view table, std::string_view id) {
  return ErrorBody(404, "entity.not_exists_with_id",
                   "The " + std::string(table) + " with ID `" + std::string(id) +
                       "` does not exist.");
}

http::Response NotExists(std::string_view name) {
  return ErrorBody(404, "entity.not_exists", "The " + std::string(name) + " does not exist.");
}

http::Response NotFound() {
  return ErrorBody(404, "entity.not_found", "The resource does not exist.");
}

http::Response Render(const Error& e) {
  switch (e.code) {
    case ErrorCode::kInvalidArgument:
      if (e.reason == "json") return http::Response::Json(
          400, Json{{"message", e.message}}.dump(-1, ' ', false, Json::error_handler_t::replace));
      if (e.reason == "pagination") {
        return ErrorBody(400, "guard.invalid_pagination", "The request pagination value is invalid.");
      }
      if (e.reason == "too_long_db") {
        return ErrorBody(422, "entity.value_too_long",
                         "The length of value is too long and exceeds the limit.");
      }
      if (e.reason == "business") {
        return ErrorBody(400, "request.invalid_input", "Input is invalid. " + e.message);
      }
      return InvalidInput(ToWhere(e), e.subject, ZodIssueCode(e.reason), e.message);
    case ErrorCode::kUnauthenticated:
      return ErrorBody(401, "auth.unauthorized", "Unauthorized. Please check credentials and its scope.");
    case ErrorCode::kPermissionDenied:
      return ErrorBody(403, "auth.forbidden", "Forbidden. Please check your user roles and permissions.");
    case ErrorCode::kNotFound:
      return NotFound();
    case ErrorCode::kAlreadyExists:
      return ErrorBody(422, "entity.unique_integrity_violation",
                       "The entity already exists. Please check the input and try again.");
    case ErrorCode::kFailedPrecondition:
      if (e.reason == "require_membership") {
        return ErrorBody(422, "organization.require_membership",
                         "The user must be a member of the organization to proceed.");
      }
      if (e.reason == "constraint") {
        return ErrorBody(422, "entity.db_constraint_violated", "Database constraint violated.");
      }
      if (e.reason == "foreign_key") {
        return ErrorBody(422, "entity.relation_foreign_key_not_found",
                         "Cannot find one or more foreign keys. Please check the input and ensure "
                         "that all referenced entities exist.");
      }
      return ErrorBody(422, "request.invalid_input", "Input is invalid. " + e.message);
    case ErrorCode::kAborted:
      return ErrorBody(409, "request.concurrent_update",
                       "The entity was changed by a concurrent request. Please retry.");
    case ErrorCode::kResourceExhausted:
      return ErrorBody(429, "request.rate_limited", "Too many requests. Please try again later.");
    case ErrorCode::kUnavailable:
      return ErrorBody(503, "request.service_unavailable",
                       "The service is temporarily unavailable. Please retry.");
    case ErrorCode::kInternal:
      break;
  }
  return http::Response::Json(500, R"({"message":"Internal server error."})");
}

http::Response RenderStatus(int status) {
  switch (status) {
    case 400:
      return http::Response::Json(400, R"({"message":"Malformed HTTP request."})");
    case 413:
      return ErrorBody(413, "request.entity_too_large", "The request body is too large.");
    case 431:
      return ErrorBody(431, "request.header_too_large", "The request headers are too large.");
    default:
      return http::Response::Json(500, R"({"message":"Internal server error."})");
  }
}

}  // namespace orgd::api::logto
