#pragma once

#include <string>

#include "tests/support/http_client.h"

// Small request helpers for the cross-process suites, which talk to orgd child processes over
// HTTP only (no App in the test process).
namespace orgd::testing {

// A Logto Management API token (client credentials, resource https://default.logto.app/api,
// scope all) for kProcessAdminId from the process `client` talks to; "" when it is refused.
std::string FetchLogtoToken(HttpClient& client);
// A Kinde Management API token with every scope (audience `public_url` + "/api"); "" when refused.
std::string FetchKindeToken(HttpClient& client, const std::string& public_url);

// Sends with `Authorization: Bearer <token>`.
HttpResponse SendBearer(HttpClient& client, const std::string& token, const std::string& method,
                        const std::string& target, const std::string& body = "");

// The `kid` of a JWT's header; "" when the token does not parse.
std::string JwtKid(const std::string& jwt);

}  // namespace orgd::testing
