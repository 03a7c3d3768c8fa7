#pragma once

#include <functional>

#include "auth/principal.h"
#include "common/result.h"
#include "http/request.h"
#include "http/response.h"

namespace orgd::api {

// A route handler: parses its dialect's wire shape, calls one domain service method, renders the
// result. It may return a rendered error Response itself (route-specific error codes) or an Error,
// which the route's dialect renders with its default mapping. Handlers never decide access: the
// route table verifies the token and the scope before the handler runs.
using HandlerFn = std::function<Result<http::Response>(const http::Request&, const auth::Principal&)>;

}  // namespace orgd::api
