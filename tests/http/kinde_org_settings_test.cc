// The Kinde dialect's organization session policy, MFA configuration and passkey routes
// (contracts/kinde.md §3.11), end to end. Sessions and MFA have no read route; their tests check
// the exact answers and that validation precedes the organization lookup.
#include <gtest/gtest.h>

#include <cctype>
#include <string>

#include "tests/http/kinde_settings_support.h"

namespace orgd::testing {
namespace {

class KindeOrgSettingsTest : public KindeSettingsTest {
 protected:
  HttpResponse Sessions(const std::string& org, const std::string& body) {
    return server_.Kinde("PATCH", "/api/v1/organizations/" + org + "/sessions", body);
  }
  HttpResponse Mfa(const std::string& org, const std::string& body) {
    return server_.Kinde("PUT", "/api/v1/organizations/" + org + "/mfa", body);
  }
  HttpResponse GetPasskey(const std::string& org) {
    return server_.Kinde("GET", "/api/v1/organizations/" + org + "/passkey");
  }
  HttpResponse PutPasskey(const std::string& org, const std::string& body) {
    return server_.Kinde("PUT", "/api/v1/organizations/" + org + "/passkey", body);
  }
  static Json PasskeyGetBody(bool enabled, const std::string& policy, bool is_override) {
    return Json{{"code", "OK"},
                {"message", "Success"},
                {"enabled", enabled},
                {"policy", policy},
                {"is_override_environment_passkey_settings", is_override},
                {"environment_policy", "off"}};
  }
  static Json PasskeyPutBody(bool enabled, const std::string& policy, bool is_override) {
    Json body = PasskeyGetBody(enabled, policy, is_override);
    body.erase("environment_policy");
    return body;
  }
  void ExpectPasskey(const std::string& org, bool enabled, const std::string& policy,
                     bool is_override) {
    auto res = GetPasskey(org);
    EXPECT_EQ(res.status, 200) << res.body;
    EXPECT_EQ(res.json, PasskeyGetBody(enabled, policy, is_override)) << res.body;
  }
};

INSTANTIATE_TEST_SUITE_P(Backends, KindeOrgSettingsTest, ::testing::ValuesIn(AvailableBackends()),
                         BackendName);

// --- sessions --------------------------------------------------------------------------------

TEST_P(KindeOrgSettingsTest, SessionsPatchAnswersSuccess) {
  std::string org = CreateOrg();
  ExpectSuccess(Sessions(org, R"({"is_use_org_sso_session_policy":true,
                                  "sso_session_persistence_mode":"non_persistent",
                                  "is_use_org_authenticated_session_lifetime":true,
                                  "authenticated_session_lifetime":86400})"));
  ExpectSuccess(Sessions(org, R"({"sso_session_persistence_mode":"persistent"})"));
  ExpectSuccess(Sessions(org, R"({"authenticated_session_lifetime":1})"));
  ExpectSuccess(Sessions(org, R"({"authenticated_session_lifetime":3600.0})"));
}

TEST_P(KindeOrgSettingsTest, SessionsPatchWithoutRecognisedFields) {
  std::string org = CreateOrg();
  for (const char* body : {"{}", R"({"unknown":1})", ""}) {
    ExpectError(Sessions(org, body), 400, "NO_FIELDS_TO_UPDATE",
                "At least one field must be provided for update");
  }
}

TEST_P(KindeOrgSettingsTest, SessionsPatchValidatesEachField) {
  std::string org = CreateOrg();
  struct Case {
    const char* body;
    const char* field;
  };
  for (const Case& c : {
           Case{R"({"is_use_org_sso_session_policy":"yes"})", "is_use_org_sso_session_policy"},
           Case{R"({"is_use_org_sso_session_policy":null})", "is_use_org_sso_session_policy"},
           Case{R"({"sso_session_persistence_mode":"forever"})", "sso_session_persistence_mode"},
           Case{R"({"sso_session_persistence_mode":1})", "sso_session_persistence_mode"},
           Case{R"({"is_use_org_authenticated_session_lifetime":1})",
                "is_use_org_authenticated_session_lifetime"},
           Case{R"({"authenticated_session_lifetime":0})", "authenticated_session_lifetime"},
           Case{R"({"authenticated_session_lifetime":-5})", "authenticated_session_lifetime"},
           Case{R"({"authenticated_session_lifetime":1.5})", "authenticated_session_lifetime"},
           Case{R"({"authenticated_session_lifetime":"60"})", "authenticated_session_lifetime"},
       }) {
    std::string field = c.field;
    std::string upper;
    for (char ch : field)
      upper.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(ch))));
    ExpectError(Sessions(org, c.body), 400, "INVALID_" + upper, "Invalid " + field, field);
    // Input is checked before the organization.
    ExpectError(Sessions("org_unknown00", c.body), 400, "INVALID_" + upper, "Invalid " + field,
                field);
  }
}

TEST_P(KindeOrgSettingsTest, SessionsPatchRefusesMalformedJson) {
  std::string org = CreateOrg();
  for (const char* body : {"{", "[]", "\"x\"", "null"}) {
    ExpectError(Sessions(org, body), 400, "INVALID_REQUEST_BODY", "Request body is not valid JSON");
  }
}

TEST_P(KindeOrgSettingsTest, SessionsPatchOfAnUnknownOrganization) {
  ExpectOrgNotFound(Sessions("org_unknown00", R"({"is_use_org_sso_session_policy":true})"));
}

// --- MFA -------------------------------------------------------------------------------------

TEST_P(KindeOrgSettingsTest, MfaPutAnswersSuccess) {
  std::string org = CreateOrg();
  ExpectSuccess(Mfa(org, R"({"enabled_factors":["mfa:email","mfa:sms","mfa:authenticator_app"],
                             "is_recovery_codes_enabled":false})"));
  ExpectSuccess(Mfa(org, R"({"enabled_factors":[]})"));
  ExpectSuccess(Mfa(org, R"({"enabled_factors":["mfa:sms","mfa:sms"]})"));
}

TEST_P(KindeOrgSettingsTest, MfaEnabledFactorsAreRequired) {
  std::string org = CreateOrg();
  for (const char* body :
       {"{}", R"({"enabled_factors":null})", R"({"is_recovery_codes_enabled":true})", ""}) {
    ExpectError(Mfa(org, body), 400, "ENABLED_FACTORS_REQUIRED", "Enabled factors is required",
                "enabled_factors");
  }
}

TEST_P(KindeOrgSettingsTest, MfaRefusesInvalidFactors) {
  std::string org = CreateOrg();
  for (const char* body :
       {R"({"enabled_factors":"mfa:email"})", R"({"enabled_factors":[1]})",
        R"({"enabled_factors":["mfa:push"]})", R"({"enabled_factors":["mfa:email","email"]})",
        R"({"enabled_factors":[null]})"}) {
    ExpectError(Mfa(org, body), 400, "INVALID_ENABLED_FACTORS", "Invalid enabled_factors",
                "enabled_factors");
    ExpectError(Mfa("org_unknown00", body), 400, "INVALID_ENABLED_FACTORS",
                "Invalid enabled_factors", "enabled_factors");
  }
  ExpectError(Mfa(org, R"({"enabled_factors":[],"is_recovery_codes_enabled":"no"})"), 400,
              "INVALID_IS_RECOVERY_CODES_ENABLED", "Invalid is_recovery_codes_enabled",
              "is_recovery_codes_enabled");
  ExpectError(Mfa(org, "[1]"), 400, "INVALID_REQUEST_BODY", "Request body is not valid JSON");
}

TEST_P(KindeOrgSettingsTest, MfaPutOfAnUnknownOrganization) {
  ExpectOrgNotFound(Mfa("org_unknown00", R"({"enabled_factors":["mfa:email"]})"));
}

// --- passkey ---------------------------------------------------------------------------------

TEST_P(KindeOrgSettingsTest, PasskeyDefaultsToTheEnvironmentPolicy) {
  std::string org = CreateOrg();
  ExpectPasskey(org, false, "off", false);
}

TEST_P(KindeOrgSettingsTest, PasskeyOverrideThenRevert) {
  std::string org = CreateOrg();
  auto set = PutPasskey(org, R"({"policy":"mandatory"})");
  EXPECT_EQ(set.status, 200) << set.body;
  EXPECT_EQ(set.json, PasskeyPutBody(true, "mandatory", true));
  ExpectPasskey(org, true, "mandatory", true);

  set = PutPasskey(org, R"({"policy":"optional","is_override_environment_passkey_settings":true})");
  EXPECT_EQ(set.json, PasskeyPutBody(true, "optional", true));
  // true without a policy keeps the stored override.
  set = PutPasskey(org, R"({"is_override_environment_passkey_settings":true})");
  EXPECT_EQ(set.json, PasskeyPutBody(true, "optional", true));
  // false reverts to the environment, whatever policy comes with it.
  set =
      PutPasskey(org, R"({"policy":"mandatory","is_override_environment_passkey_settings":false})");
  EXPECT_EQ(set.status, 200) << set.body;
  EXPECT_EQ(set.json, PasskeyPutBody(false, "off", false));
  ExpectPasskey(org, false, "off", false);
  // An override of "off" is still an override.
  set = PutPasskey(org, R"({"policy":"off"})");
  EXPECT_EQ(set.json, PasskeyPutBody(false, "off", true));
  // An empty body changes nothing.
  set = PutPasskey(org, "{}");
  EXPECT_EQ(set.json, PasskeyPutBody(false, "off", true));
}

TEST_P(KindeOrgSettingsTest, PasskeyOverrideWithoutAPolicyIsRequired) {
  std::string org = CreateOrg();
  ExpectError(PutPasskey(org, R"({"is_override_environment_passkey_settings":true})"), 400,
              "POLICY_REQUIRED", "Policy is required", "policy");
  ExpectPasskey(org, false, "off", false);
}

TEST_P(KindeOrgSettingsTest, PasskeyPutValidatesItsFields) {
  std::string org = CreateOrg();
  ASSERT_EQ(PutPasskey(org, R"({"policy":"optional"})").status, 200);
  for (const char* body : {R"({"policy":"sometimes"})", R"({"policy":"Optional"})",
                           R"({"policy":3})", R"({"policy":null})"}) {
    ExpectError(PutPasskey(org, body), 400, "INVALID_POLICY", "Invalid policy", "policy");
    ExpectError(PutPasskey("org_unknown00", body), 400, "INVALID_POLICY", "Invalid policy",
                "policy");
  }
  ExpectError(PutPasskey(org, R"({"is_override_environment_passkey_settings":"false"})"), 400,
              "INVALID_IS_OVERRIDE_ENVIRONMENT_PASSKEY_SETTINGS",
              "Invalid is_override_environment_passkey_settings",
              "is_override_environment_passkey_settings");
  ExpectError(PutPasskey(org, "{"), 400, "INVALID_REQUEST_BODY", "Request body is not valid JSON");
  // Nothing changed.
  ExpectPasskey(org, true, "optional", true);
}

TEST_P(KindeOrgSettingsTest, PasskeyOfAnUnknownOrganization) {
  ExpectOrgNotFound(GetPasskey("org_unknown00"));
  ExpectOrgNotFound(PutPasskey("org_unknown00", R"({"policy":"optional"})"));
}

TEST_P(KindeOrgSettingsTest, SettingsAreScopedToTheirOrganization) {
  std::string a = CreateOrg("A");
  std::string b = CreateOrg("B");
  ASSERT_EQ(PutPasskey(a, R"({"policy":"mandatory"})").status, 200);
  ExpectPasskey(b, false, "off", false);
}

TEST_P(KindeOrgSettingsTest, DeletingTheOrganizationRemovesItsSettings) {
  std::string org = CreateOrg();
  ASSERT_EQ(PutPasskey(org, R"({"policy":"mandatory"})").status, 200);
  ExpectSuccess(Mfa(org, R"({"enabled_factors":["mfa:email"]})"));
  ExpectSuccess(server_.Kinde("DELETE", "/api/v1/organization/" + org));
  ExpectOrgNotFound(GetPasskey(org));
}

// --- access ----------------------------------------------------------------------------------

TEST_P(KindeOrgSettingsTest, EachRouteRequiresItsScope) {
  std::string org = CreateOrg();
  const std::string base = "/api/v1/organizations/" + org;
  struct Route {
    const char* method;
    std::string path;
    const char* body;
    const char* scope;
  };
  const Route routes[] = {
      {"PATCH", base + "/sessions", R"({"is_use_org_sso_session_policy":true})",
       "update:organizations"},
      {"PUT", base + "/mfa", R"({"enabled_factors":[]})", "update:organization_mfa"},
      {"GET", base + "/passkey", "", "read:organization_passkey"},
      {"PUT", base + "/passkey", R"({"policy":"optional"})", "update:organization_passkey"},
  };
  // A token holding every scope but the route's own is refused; one with only it is served.
  const std::string others = TokenWith({"read:organizations", "update:organization_users"});
  for (const Route& r : routes) {
    ExpectError(SendAs(r.method, r.path, r.body, "application/json", others), 403, "FORBIDDEN",
                "Missing required scope: "s + r.scope);
    auto allowed = SendAs(r.method, r.path, r.body, "application/json", TokenWith({r.scope}));
    EXPECT_EQ(allowed.status, 200) << r.method << " " << r.path << " " << allowed.body;
    ExpectError(server_.Send(r.method, r.path, r.body, {{"Content-Type", "application/json"}}), 401,
                "UNAUTHORIZED", "Invalid or missing access token");
  }
  // The passkey write above (with its own scope) took effect; the refused one did not run first.
  ExpectPasskey(org, true, "optional", true);
}

}  // namespace
}  // namespace orgd::testing
