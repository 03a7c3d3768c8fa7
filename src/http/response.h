#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace orgd::http {

// An HTTP response as handlers build it. The server adds Date-free framing, Content-Length,
// X-Request-Id and the standard reason phrase for `status`.
struct Response {
  int status = 200;
  std::string content_type;  // empty: no Content-Type header (204, bodiless 201)
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;

  // JSON body with Content-Type "application/json; charset=utf-8".
  static Response Json(int status, std::string body);
  // text/plain body.
  static Response Text(int status, std::string body);
  // No body, Content-Length: 0, no Content-Type.
  static Response Empty(int status);

  Response& WithHeader(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
    return *this;
  }
};

// The standard reason phrase of `status` ("Unprocessable Entity" for 422); empty when the
// registry has none. The view is static.
std::string_view ReasonPhrase(int status);

}  // namespace orgd::http
