#pragma once

#include "auth/token_service.h"
#include "http/request.h"
#include "http/response.h"

// The OAuth 2.0 client-credentials token endpoints of both dialects: POST /oidc/token (Logto,
// contracts/logto.md §1.2) and POST /oauth2/token (Kinde, contracts/kinde.md §1.2). The rules
// of each live in auth::TokenIssuer; this is their wire form.
namespace orgd::api {

// Reads the form body (only when Content-Type is application/x-www-form-urlencoded; otherwise
// no field is present) and HTTP Basic client credentials. A repeated parameter, a malformed
// Basic header, or Basic credentials that contradict the form's mark the request malformed.
auth::TokenRequest ReadTokenRequest(const http::Request& request);

// 200 {"access_token","expires_in","token_type":"Bearer","scope"} with Cache-Control: no-store,
// or the OAuth error {"error","error_description"} with its status.
http::Response TokenResponse(const auth::TokenOutcome& outcome);

}  // namespace orgd::api
