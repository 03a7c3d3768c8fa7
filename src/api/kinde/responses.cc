#include "api/kinde/responses.h"

#include <string>
#include <utility>

namespace orgd::api::kinde {

http::Response Success(int status) { return http::Response::Json(status, std::string(kSuccessBody)); }

Result<Json> ParseBodyObject(const http::Request& request) {
  auto body =
      ParseJson(request.body.empty() ? std::string_view("{}") : std::string_view(request.body));
  if (!body) return std::move(body).error();
  if (!body->is_object()) return Error::InvalidArgument("body").WithReason("json");
  return body;
}

}  // namespace orgd::api::kinde
