// The Kinde dialect's feature flag routes (contracts/kinde.md §3.8, §3.13.4) and feature_flags on
// organization create (§3.1), end to end.
#include <gtest/gtest.h>

#include <cctype>
#include <cstdio>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "tests/http/kinde_calls.h"
#include "tests/support/form_encode.h"
#include "tests/support/test_server.h"

namespace orgd::testing {
namespace {

using Json = nlohmann::json;

class KindeFeatureFlagsTest : public ::testing::TestWithParam<std::string>,
                              protected KindeAssertions {
 protected:
  TestServer server_{GetParam()};

  std::string CreateOrg(const Json& body = {{"name", "Acme"}}) {
    auto res = server_.Kinde("POST", "/api/v1/organization", body.dump());
    EXPECT_EQ(res.status, 200) << res.body;
    return res.json["organization"]["code"];
  }
  void CreateFlag(const Json& body) {
    auto res = server_.Kinde("POST", "/api/v1/feature_flags", body.dump());
    ASSERT_EQ(res.status, 201) << res.body;
  }
  void CreateFlag(const std::string& key, const std::string& type, const std::string& default_value,
                  const std::string& level = "") {
    Json body = {
        {"name", "Flag " + key}, {"key", key}, {"type", type}, {"default_value", default_value}};
    if (!level.empty()) body["allow_override_level"] = level;
    CreateFlag(body);
  }
  Json OrgFlags(const std::string& org) {
    auto res = server_.Kinde("GET", "/api/v1/organizations/" + org + "/feature_flags");
    EXPECT_EQ(res.status, 200) << res.body;
    return res.json["feature_flags"];
  }
  HttpResponse Override(const std::string& org, const std::string& key, const std::string& value) {
    return server_.Kinde("PATCH", "/api/v1/organizations/" + org + "/feature_flags/" + key +
                                      "?value=" + FormEncode(value));
  }
  HttpResponse UpdateFlag(const std::string& key, const std::string& query) {
    return server_.Kinde("PUT", "/api/v1/feature_flags/" + key + "?" + query);
  }
};

// --- definitions ---------------------------------------------------------------------------------

TEST_P(KindeFeatureFlagsTest, CreateAnswers201Success) {
  auto res = server_.Kinde("POST", "/api/v1/feature_flags",
                           R"({"name":"Beta","key":"beta","type":"bool","default_value":"false",
                               "description":"the beta","allow_override_level":"org"})");
  EXPECT_EQ(res.status, 201) << res.body;
  EXPECT_EQ(res.json, (Json{{"code", "OK"}, {"message", "Success"}}));
  EXPECT_EQ(res.Header("content-type"), "application/json; charset=utf-8");
  std::string org = CreateOrg();
  EXPECT_EQ(OrgFlags(org), (Json{{"beta", {{"type", "bool"}, {"value", "false"}}}}));
}

TEST_P(KindeFeatureFlagsTest, CreateWithoutLevelAllowsOrganizationOverrides) {
  CreateFlag("beta", "str", "x");
  std::string org = CreateOrg();
  ExpectSuccess(Override(org, "beta", "y"));
  EXPECT_EQ(OrgFlags(org)["beta"]["value"], "y");
}

TEST_P(KindeFeatureFlagsTest, CreateValidation) {
  auto post = [&](const std::string& body) {
    return server_.Kinde("POST", "/api/v1/feature_flags", body);
  };
  ExpectError(post(R"({"key":"k","type":"str","default_value":"x"})"), 400, "NAME_REQUIRED");
  ExpectError(post(R"({"name":"","key":"k","type":"str","default_value":"x"})"), 400,
              "NAME_REQUIRED");
  ExpectError(post(R"({"name":7,"key":"k","type":"str","default_value":"x"})"), 400,
              "INVALID_NAME");
  ExpectError(post(R"({"name":"n","type":"str","default_value":"x"})"), 400, "KEY_REQUIRED");
  ExpectError(post(R"({"name":"n","key":"","type":"str","default_value":"x"})"), 400,
              "KEY_REQUIRED");
  ExpectError(post(R"({"name":"n","key":"a key","type":"str","default_value":"x"})"), 400,
              "INVALID_KEY");
  ExpectError(post(R"({"name":"n","key":"k","default_value":"x"})"), 400, "TYPE_REQUIRED");
  ExpectError(post(R"({"name":"n","key":"k","type":"float","default_value":"x"})"), 400,
              "INVALID_TYPE");
  ExpectError(post(R"({"name":"n","key":"k","type":"str"})"), 400, "VALUE_REQUIRED");
  ExpectError(post(R"({"name":"n","key":"k","type":"bool","default_value":true})"), 400,
              "INVALID_VALUE");
  ExpectError(post(R"({"name":"n","key":"k","type":"bool","default_value":"yes"})"), 400,
              "INVALID_VALUE");
  ExpectError(post(R"({"name":"n","key":"k","type":"int","default_value":"1.5"})"), 400,
              "INVALID_VALUE");
  ExpectError(
      post(
          R"({"name":"n","key":"k","type":"str","default_value":"x","allow_override_level":"all"})"),
      400, "INVALID_ALLOW_OVERRIDE_LEVEL");
  ExpectError(post(R"({"name":)"), 400, "INVALID_REQUEST_BODY");
  ExpectError(post(R"(["x"])"), 400, "INVALID_REQUEST_BODY");
  auto res = post(R"({"name":"n","key":"k","type":"str"})");
  EXPECT_EQ(res.json["errors"][0]["field"], "default_value");
  // Nothing was created along the way.
  EXPECT_EQ(OrgFlags(CreateOrg()), Json::object());
}

TEST_P(KindeFeatureFlagsTest, KeyIsUnique) {
  CreateFlag("beta", "str", "x");
  auto res = server_.Kinde("POST", "/api/v1/feature_flags",
                           R"({"name":"Other","key":"beta","type":"int","default_value":"1"})");
  ExpectError(res, 400, "FEATURE_FLAG_KEY_EXISTS");
  EXPECT_EQ(OrgFlags(CreateOrg())["beta"], (Json{{"type", "str"}, {"value", "x"}}));
}

TEST_P(KindeFeatureFlagsTest, ValuesAreCheckedAgainstTheType) {
  CreateFlag("b", "bool", "true");
  CreateFlag("i", "int", "0");
  CreateFlag("s", "str", "");
  std::string org = CreateOrg();
  const std::vector<std::tuple<std::string, std::string, bool>> cases = {
      {"b", "true", true}, {"b", "false", true}, {"b", "True", false},
      {"b", "1", false},   {"b", "yes", false},  {"i", "0", true},
      {"i", "-12", true},  {"i", "007", true},   {"i", "1.0", false},
      {"i", "-", false},   {"i", "+1", false},   {"i", "1e3", false},
      {"i", " 1", false},  {"i", "abc", false},  {"s", "anything at all", true},
      {"s", "1.5", true},  {"s", "true", true},
  };
  for (const auto& [key, value, ok] : cases) {
    auto res = Override(org, key, value);
    if (ok) {
      ExpectSuccess(res);
      EXPECT_EQ(OrgFlags(org)[key]["value"], value) << key << "=" << value;
    } else {
      ExpectError(res, 400, "INVALID_VALUE");
    }
  }
}

TEST_P(KindeFeatureFlagsTest, UpdateTakesEveryInputFromTheQuery) {
  CreateFlag("beta", "str", "x");
  auto res = UpdateFlag("beta",
                        "name=Beta%202&description=now%20an%20int&type=int&allow_override_level=org"
                        "&default_value=-3");
  ExpectSuccess(res);
  EXPECT_EQ(OrgFlags(CreateOrg())["beta"], (Json{{"type", "int"}, {"value", "-3"}}));
}

TEST_P(KindeFeatureFlagsTest, UpdateErrors) {
  CreateFlag("beta", "str", "x");
  const std::string all = "name=n&description=d&type=str&allow_override_level=org&default_value=v";
  ExpectSuccess(UpdateFlag("beta", all));
  const std::vector<std::pair<std::string, std::string>> params = {{"name", "n"},
                                                                   {"description", "d"},
                                                                   {"type", "str"},
                                                                   {"allow_override_level", "org"},
                                                                   {"default_value", "v"}};
  for (const auto& [missing, code] : std::vector<std::pair<std::string, std::string>>{
           {"name", "NAME_REQUIRED"},
           {"description", "DESCRIPTION_REQUIRED"},
           {"type", "TYPE_REQUIRED"},
           {"allow_override_level", "ALLOW_OVERRIDE_LEVEL_REQUIRED"},
           {"default_value", "DEFAULT_VALUE_REQUIRED"}}) {
    std::string query;
    for (const auto& [name, value] : params) {
      if (name != missing) query += (query.empty() ? "" : "&") + name + "=" + value;
    }
    ExpectError(UpdateFlag("beta", query), 400, code);
    ExpectError(UpdateFlag("beta", query + "&" + missing + "="), 400, code);  // empty is absent
  }
  ExpectError(
      UpdateFlag("beta", "name=n&description=d&type=list&allow_override_level=org&default_value=v"),
      400, "INVALID_TYPE");
  // `usr` is a creation-only level.
  ExpectError(
      UpdateFlag("beta", "name=n&description=d&type=str&allow_override_level=usr&default_value=v"),
      400, "INVALID_ALLOW_OVERRIDE_LEVEL");
  ExpectError(
      UpdateFlag("beta", "name=n&description=d&type=bool&allow_override_level=org&default_value=v"),
      400, "INVALID_VALUE");
  ExpectError(UpdateFlag("nope", all), 400, "FEATURE_FLAG_NOT_FOUND");
  auto res = UpdateFlag("nope", all);
  EXPECT_EQ(res.json["errors"][0]["message"], "Feature flag not found");
  EXPECT_EQ(OrgFlags(CreateOrg())["beta"]["value"], "v");
}

TEST_P(KindeFeatureFlagsTest, TypeChangeNeedsEveryOverrideToParse) {
  CreateFlag("limit", "str", "1");
  std::string a = CreateOrg({{"name", "a"}});
  std::string b = CreateOrg({{"name", "b"}});
  ExpectSuccess(Override(a, "limit", "5"));
  ExpectSuccess(Override(b, "limit", "many"));
  const std::string to_int =
      "name=Limit&description=d&type=int&allow_override_level=org&default_value=2";
  ExpectError(UpdateFlag("limit", to_int), 400, "INVALID_VALUE");
  EXPECT_EQ(OrgFlags(a)["limit"], (Json{{"type", "str"}, {"value", "5"}}));
  ExpectSuccess(Override(b, "limit", "7"));
  ExpectSuccess(UpdateFlag("limit", to_int));
  EXPECT_EQ(OrgFlags(a)["limit"], (Json{{"type", "int"}, {"value", "5"}}));
  EXPECT_EQ(OrgFlags(b)["limit"], (Json{{"type", "int"}, {"value", "7"}}));
}

TEST_P(KindeFeatureFlagsTest, LevelEnvDeletesOverridesAndForbidsNewOnes) {
  CreateFlag("beta", "bool", "false");
  std::string org = CreateOrg();
  ExpectSuccess(Override(org, "beta", "true"));
  // Going to env removes the overrides, whatever their values' fit with the new type.
  ExpectSuccess(
      UpdateFlag("beta", "name=n&description=d&type=int&allow_override_level=env&default_value=3"));
  EXPECT_EQ(OrgFlags(org)["beta"], (Json{{"type", "int"}, {"value", "3"}}));
  ExpectError(Override(org, "beta", "4"), 400, "FEATURE_FLAG_OVERRIDE_NOT_ALLOWED");
  ExpectSuccess(
      UpdateFlag("beta", "name=n&description=d&type=int&allow_override_level=org&default_value=3"));
  EXPECT_EQ(OrgFlags(org)["beta"]["value"], "3");
  ExpectSuccess(Override(org, "beta", "4"));
}

TEST_P(KindeFeatureFlagsTest, DeleteRemovesTheFlagAndItsOverrides) {
  CreateFlag("beta", "str", "x");
  CreateFlag("gamma", "str", "y");
  std::string org = CreateOrg();
  ExpectSuccess(Override(org, "beta", "over"));
  ExpectSuccess(server_.Kinde("DELETE", "/api/v1/feature_flags/beta"));
  EXPECT_EQ(OrgFlags(org), (Json{{"gamma", {{"type", "str"}, {"value", "y"}}}}));
  ExpectError(server_.Kinde("DELETE", "/api/v1/feature_flags/beta"), 400, "FEATURE_FLAG_NOT_FOUND");
  // A new flag with the same key starts without the old override.
  CreateFlag("beta", "str", "fresh");
  EXPECT_EQ(OrgFlags(org)["beta"]["value"], "fresh");
}

TEST_P(KindeFeatureFlagsTest, DefinitionsHaveNoReadRoute) {
  CreateFlag("beta", "str", "x");
  for (const char* path : {"/api/v1/feature_flags", "/api/v1/feature_flags/beta"}) {
    auto res = server_.Kinde("GET", path);
    EXPECT_EQ(res.status, 404) << path;
    EXPECT_EQ(res.json["errors"]["code"], "ROUTE_NOT_FOUND") << path;
  }
}

// --- organization overrides ----------------------------------------------------------------------

TEST_P(KindeFeatureFlagsTest, OrganizationListHasEveryFlagWithItsEffectiveValue) {
  std::string org = CreateOrg();
  auto res = server_.Kinde("GET", "/api/v1/organizations/" + org + "/feature_flags");
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(res.json,
            (Json{{"code", "OK"}, {"message", "Success"}, {"feature_flags", Json::object()}}));
  CreateFlag("a", "str", "da");
  CreateFlag("b", "int", "1", "usr");
  CreateFlag("c", "bool", "false", "env");
  ExpectSuccess(Override(org, "b", "2"));
  EXPECT_EQ(OrgFlags(org), (Json{{"a", {{"type", "str"}, {"value", "da"}}},
                                 {"b", {{"type", "int"}, {"value", "2"}}},
                                 {"c", {{"type", "bool"}, {"value", "false"}}}}));
  ExpectError(server_.Kinde("GET", "/api/v1/organizations/org_nope/feature_flags"), 400,
              "ORGANIZATION_NOT_FOUND");
}

TEST_P(KindeFeatureFlagsTest, OverridesBelongToOneOrganization) {
  CreateFlag("beta", "str", "default");
  std::string a = CreateOrg({{"name", "a"}});
  std::string b = CreateOrg({{"name", "b"}});
  ExpectSuccess(Override(a, "beta", "for a"));
  EXPECT_EQ(OrgFlags(a)["beta"]["value"], "for a");
  EXPECT_EQ(OrgFlags(b)["beta"]["value"], "default");
  ExpectSuccess(Override(a, "beta", "again"));
  EXPECT_EQ(OrgFlags(a)["beta"]["value"], "again");
}

TEST_P(KindeFeatureFlagsTest, PatchOverrideErrors) {
  CreateFlag("beta", "int", "1");
  CreateFlag("envonly", "str", "x", "env");
  std::string org = CreateOrg();
  auto base = "/api/v1/organizations/" + org + "/feature_flags/";
  ExpectError(server_.Kinde("PATCH", base + "beta"), 400, "VALUE_REQUIRED");
  ExpectError(server_.Kinde("PATCH", base + "beta?value="), 400, "VALUE_REQUIRED");
  ExpectError(server_.Kinde("PATCH", base + "nope?value=1"), 400, "FEATURE_FLAG_NOT_FOUND");
  ExpectError(server_.Kinde("PATCH", base + "beta?value=one"), 400, "INVALID_VALUE");
  auto res = server_.Kinde("PATCH", base + "envonly?value=y");
  ExpectError(res, 400, "FEATURE_FLAG_OVERRIDE_NOT_ALLOWED");
  EXPECT_EQ(res.json["errors"][0]["message"],
            "Feature flag cannot be overridden for organizations");
  ExpectError(server_.Kinde("PATCH", "/api/v1/organizations/org_nope/feature_flags/beta?value=1"),
              400, "ORGANIZATION_NOT_FOUND");
  EXPECT_EQ(OrgFlags(org), (Json{{"beta", {{"type", "int"}, {"value", "1"}}},
                                 {"envonly", {{"type", "str"}, {"value", "x"}}}}));
}

TEST_P(KindeFeatureFlagsTest, DeleteOneOverride) {
  CreateFlag("a", "str", "da");
  CreateFlag("b", "str", "db");
  std::string org = CreateOrg();
  ExpectSuccess(Override(org, "a", "x"));
  ExpectSuccess(Override(org, "b", "y"));
  ExpectSuccess(server_.Kinde("DELETE", "/api/v1/organizations/" + org + "/feature_flags/a"));
  EXPECT_EQ(OrgFlags(org), (Json{{"a", {{"type", "str"}, {"value", "da"}}},
                                 {"b", {{"type", "str"}, {"value", "y"}}}}));
  // No override left: still success.
  ExpectSuccess(server_.Kinde("DELETE", "/api/v1/organizations/" + org + "/feature_flags/a"));
  ExpectError(server_.Kinde("DELETE", "/api/v1/organizations/" + org + "/feature_flags/nope"), 400,
              "FEATURE_FLAG_NOT_FOUND");
  ExpectError(server_.Kinde("DELETE", "/api/v1/organizations/org_nope/feature_flags/a"), 400,
              "ORGANIZATION_NOT_FOUND");
}

TEST_P(KindeFeatureFlagsTest, DeleteAllOverridesOfOneOrganization) {
  CreateFlag("a", "str", "da");
  CreateFlag("b", "str", "db");
  std::string org = CreateOrg({{"name", "a"}});
  std::string other = CreateOrg({{"name", "b"}});
  ExpectSuccess(Override(org, "a", "x"));
  ExpectSuccess(Override(org, "b", "y"));
  ExpectSuccess(Override(other, "a", "z"));
  ExpectSuccess(server_.Kinde("DELETE", "/api/v1/organizations/" + org + "/feature_flags"));
  EXPECT_EQ(OrgFlags(org), (Json{{"a", {{"type", "str"}, {"value", "da"}}},
                                 {"b", {{"type", "str"}, {"value", "db"}}}}));
  EXPECT_EQ(OrgFlags(other)["a"]["value"], "z");
  ExpectSuccess(server_.Kinde("DELETE", "/api/v1/organizations/" + org + "/feature_flags"));
  ExpectError(server_.Kinde("DELETE", "/api/v1/organizations/org_nope/feature_flags"), 400,
              "ORGANIZATION_NOT_FOUND");
}

TEST_P(KindeFeatureFlagsTest, DeletingAnOrganizationRemovesItsOverrides) {
  CreateFlag("limit", "str", "1");
  std::string org = CreateOrg();
  ExpectSuccess(Override(org, "limit", "many"));
  ExpectSuccess(server_.Kinde("DELETE", "/api/v1/organization/" + org));
  // The deleted organization's override ("many") would block this type change if it remained.
  ExpectSuccess(UpdateFlag(
      "limit", "name=n&description=d&type=int&allow_override_level=org&default_value=2"));
}

// --- feature_flags on organization create --------------------------------------------------------

TEST_P(KindeFeatureFlagsTest, OrganizationCreateWritesOverrides) {
  CreateFlag("b", "bool", "false");
  CreateFlag("i", "int", "0", "usr");
  CreateFlag("s", "str", "x");
  CreateFlag("untouched", "str", "u");
  std::string org =
      CreateOrg({{"name", "Acme"}, {"feature_flags", {{"b", true}, {"i", 42}, {"s", "hello"}}}});
  EXPECT_EQ(OrgFlags(org), (Json{{"b", {{"type", "bool"}, {"value", "true"}}},
                                 {"i", {{"type", "int"}, {"value", "42"}}},
                                 {"s", {{"type", "str"}, {"value", "hello"}}},
                                 {"untouched", {{"type", "str"}, {"value", "u"}}}}));
  std::string plain = CreateOrg({{"name", "Plain"}, {"feature_flags", Json::object()}});
  EXPECT_EQ(OrgFlags(plain)["b"]["value"], "false");
}

TEST_P(KindeFeatureFlagsTest, OrganizationCreateWithOneBadFlagCreatesNothing) {
  CreateFlag("b", "bool", "false");
  CreateFlag("envonly", "str", "x", "env");
  auto create = [&](const Json& flags) {
    return server_.Kinde(
        "POST", "/api/v1/organization",
        Json{{"name", "Acme"}, {"handle", "acme"}, {"feature_flags", flags}}.dump());
  };
  ExpectError(create({{"b", true}, {"nope", "x"}}), 400, "FEATURE_FLAG_NOT_FOUND");
  ExpectError(create({{"b", "maybe"}}), 400, "INVALID_VALUE");
  ExpectError(create({{"b", 1}}), 400, "INVALID_VALUE");
  ExpectError(create({{"b", true}, {"envonly", "y"}}), 400, "FEATURE_FLAG_OVERRIDE_NOT_ALLOWED");
  ExpectError(create({{"b", Json::array({true})}}), 400, "INVALID_FEATURE_FLAGS");
  ExpectError(create({{"b", nullptr}}), 400, "INVALID_FEATURE_FLAGS");
  ExpectError(create("b=true"), 400, "INVALID_FEATURE_FLAGS");
  auto list = server_.Kinde("GET", "/api/v1/organizations");
  EXPECT_EQ(list.json["organizations"].size(), 0u) << list.body;
  // The handle was never taken.
  auto res = create({{"b", true}});
  EXPECT_EQ(res.status, 200) << res.body;
}

// --- access --------------------------------------------------------------------------------------

TEST_P(KindeFeatureFlagsTest, EveryRouteRequiresItsScope) {
  CreateFlag("beta", "str", "x");
  std::string org = CreateOrg();
  const std::vector<std::tuple<std::string, std::string, std::string>> routes = {
      {"POST", "/api/v1/feature_flags", "create:feature_flags"},
      {"PUT", "/api/v1/feature_flags/beta", "update:feature_flags"},
      {"DELETE", "/api/v1/feature_flags/beta", "delete:feature_flags"},
      {"GET", "/api/v1/organizations/" + org + "/feature_flags", "read:organization_feature_flags"},
      {"DELETE", "/api/v1/organizations/" + org + "/feature_flags",
       "delete:organization_feature_flags"},
      {"DELETE", "/api/v1/organizations/" + org + "/feature_flags/beta",
       "delete:organization_feature_flags"},
      {"PATCH", "/api/v1/organizations/" + org + "/feature_flags/beta?value=y",
       "update:organization_feature_flags"},
  };
  const std::string unrelated = KindeTokenWith(server_, {"read:organizations"});
  for (const auto& [method, path, scope] : routes) {
    auto res = server_.Send(method, path, "", {{"Authorization", "Bearer " + unrelated}});
    EXPECT_EQ(res.status, 403) << method << " " << path;
    EXPECT_EQ(res.json,
              (Json{{"errors",
                     {{{"code", "FORBIDDEN"}, {"message", "Missing required scope: " + scope}}}}}))
        << method << " " << path;
    auto unauthenticated = server_.Send(method, path);
    EXPECT_EQ(unauthenticated.status, 401) << method << " " << path;
    // The route's own scope is enough: whatever the answer, it is not a refusal of access.
    const std::string token = KindeTokenWith(server_, {scope});
    auto allowed = server_.Send(method, path, "", {{"Authorization", "Bearer " + token}});
    EXPECT_NE(allowed.status, 403) << method << " " << path << " " << allowed.body;
    EXPECT_NE(allowed.status, 401) << method << " " << path << " " << allowed.body;
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, KindeFeatureFlagsTest, ::testing::ValuesIn(AvailableBackends()),
                         BackendName);

}  // namespace
}  // namespace orgd::testing
