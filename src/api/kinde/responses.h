#pragma once

#include <string_view>

#include "api/json_input.h"
#include "common/result.h"
#include "http/request.h"
#include "http/response.h"

// What every Kinde handler shares: the success_response body and reading a JSON object body.
namespace orgd::api::kinde {

// success_response (contracts/kinde.md §1.4).
inline constexpr std::string_view kSuccessBody = R"({"code":"OK","message":"Success"})";

// `status` (200 unless the contract says otherwise) with success_response.
http::Response Success(int status = 200);

// The request body as a JSON object; an empty body reads as {} so that required fields are
// reported by name. Invalid JSON or a non-object → kInvalidArgument (reason "json", rendered as
// INVALID_REQUEST_BODY).
Result<Json> ParseBodyObject(const http::Request& request);

}  // namespace orgd::api::kinde
