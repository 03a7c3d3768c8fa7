#pragma once

#include <string>
#include <string_view>

#include "common/error.h"
#include "http/response.h"

// The Kinde dialect's error bodies (contracts/kinde.md §1.5): {"errors":[{code,message,field?}]},
// and for every 404 the object form {"errors":{code,message}}.
namespace orgd::api::kinde {

// {"errors":[{"code":code,"message":message[,"field":field]}]} with `status`.
http::Response ErrorBody(int status, std::string_view code, std::string_view message,
                         std::string_view field = {});
// 404 {"errors":{"code":code,"message":message}}.
http::Response NotFoundBody(std::string_view code, std::string_view message);
// 404 ROUTE_NOT_FOUND for unknown routes and unsupported methods.
http::Response RouteNotFound();

// "organization" → "ORGANIZATION"; "allowed_domains" → "ALLOWED_DOMAINS".
std::string UpperCode(std::string_view word);
// "organization" → "Organization"; "external_id" → "External id".
std::string Sentence(std::string_view word);

// Renders a domain Error with the contract's default mapping: kInvalidArgument → 400
// <FIELD>_REQUIRED / INVALID_<FIELD> / <FIELD>_TOO_LONG (reason "json": INVALID_REQUEST_BODY),
// kNotFound → 400 <SUBJECT>_NOT_FOUND, kAlreadyExists → 400 <REASON>_EXISTS,
// kFailedPrecondition → 400 <REASON>, 401 UNAUTHORIZED, 403 FORBIDDEN, 409, 429, 503, 500.
http::Response Render(const Error& error);
// The same with a missing entity answered as the 404 object form (operations whose spec
// documents 404).
http::Response RenderWith404(const Error& error);

// Server-level failures (malformed request 400, 413, 431, 500) in this dialect's shape.
http::Response RenderStatus(int status);

}  // namespace orgd::api::kinde
