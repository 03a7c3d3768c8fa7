#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "common/error.h"
#include "http/response.h"

// The Logto dialect's error bodies (contracts/logto.md §1.5): every error except invalid JSON,
// unknown routes and 405 is {"code","message","data"?,"details"?} with the contract's status.
namespace orgd::api::logto {

// {"code":code,"message":message[,"data":data][,"details":details]} with `status`.
http::Response ErrorBody(int status, std::string_view code, std::string_view message,
                         const nlohmann::json* data = nullptr, std::string_view details = {});

// 400 guard.invalid_input for `where` ("body", "query" or "params") with one issue at `path`.
http::Response InvalidInput(std::string_view where, std::string_view path, std::string_view issue_code,
                            std::string_view message);

// 404 entity.not_exists_with_id: "The {table} with ID `{id}` does not exist."
http::Response NotExistsWithId(std::string_view table, std::string_view id);
// 404 entity.not_exists: "The {name} does not exist." (PATCH of a missing id)
http::Response NotExists(std::string_view name);
// 404 entity.not_found: "The resource does not exist."
http::Response NotFound();

// Renders a domain Error with the default mapping of logto.md §1.5 / §1.6: kInvalidArgument →
// 400 guard.invalid_input (reason "json": 400 {"message"}; reason "pagination": 400
// guard.invalid_pagination), kNotFound → 404 entity.not_found, kAlreadyExists → 422
// entity.unique_integrity_violation, kFailedPrecondition → 422 by reason (foreign_key,
// require_membership, constraint), 401/403 auth codes, kAborted → 409, kResourceExhausted → 429,
// kUnavailable → 503, kInternal → 500 {"message":"Internal server error."}.
http::Response Render(const Error& error);

// Server-level failures (malformed request 400, 413, 431, 500) in this dialect's shape.
http::Response RenderStatus(int status);

}  // namespace orgd::api::logto
