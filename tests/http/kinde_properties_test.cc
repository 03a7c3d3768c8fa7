// The Kinde dialect's property routes (contracts/kinde.md §3.9, §3.13.5): definitions, categories
// and organization values, end to end, with the cursor pagination of §1.6.
#include <gtest/gtest.h>

#include <cctype>
#include <cstdio>
#include <string>
#include <tuple>
#include <vector>

#include "tests/http/kinde_calls.h"
#include "tests/support/test_server.h"

namespace orgd::testing {
namespace {

using Json = nlohmann::json;

bool IsHex(const std::string& s) {
  return s.find_first_not_of("0123456789abcdef") == std::string::npos;
}

class KindePropertiesTest : public ::testing::TestWithParam<std::string>,
                            protected KindeAssertions {
 protected:
  TestServer server_{GetParam()};

  std::string CreateOrg(const std::string& name = "Acme") {
    auto res = server_.Kinde("POST", "/api/v1/organization", Json{{"name", name}}.dump());
    EXPECT_EQ(res.status, 200) << res.body;
    return res.json["organization"]["code"];
  }
  std::string CreateCategory(const std::string& name = "General",
                             const std::string& context = "org") {
    auto res = server_.Kinde("POST", "/api/v1/property_categories",
                             Json{{"name", name}, {"context", context}}.dump());
    EXPECT_EQ(res.status, 201) << res.body;
    return res.json["category"]["id"];
  }
  std::string CreateProperty(const std::string& key, const std::string& context,
                             const std::string& category) {
    auto res = server_.Kinde("POST", "/api/v1/properties",
                             Json{{"name", "Property " + key},
                                  {"key", key},
                                  {"type", "single_line_text"},
                                  {"context", context},
                                  {"is_private", false},
                                  {"category_id", category}}
                                 .dump());
    EXPECT_EQ(res.status, 201) << res.body;
    return res.json["property"]["id"];
  }
  Json List(const std::string& target) {
    auto res = server_.Kinde("GET", target);
    EXPECT_EQ(res.status, 200) << res.body;
    return res.json;
  }
  static std::vector<std::string> Ids(const Json& list, const std::string& items) {
    std::vector<std::string> ids;
    for (const auto& item : list[items]) ids.push_back(item["id"]);
    return ids;
  }
  // key → value (null when unset) of every org property of `org`.
  Json OrgValues(const std::string& org) {
    Json values = Json::object();
    const Json list = List("/api/v1/organizations/" + org + "/properties");
    for (const auto& p : list["properties"]) {
      values[p["key"].get<std::string>()] = p["value"];
    }
    return values;
  }
};

// --- categories ----------------------------------------------------------------------------------

TEST_P(KindePropertiesTest, CategoryCreateAnswers201WithItsId) {
  auto res =
      server_.Kinde("POST", "/api/v1/property_categories", R"({"name":"Billing","context":"org"})");
  ASSERT_EQ(res.status, 201) << res.body;
  EXPECT_EQ(res.json["code"], "OK");
  EXPECT_EQ(res.json["message"], "Success");
  std::string id = res.json["category"]["id"];
  ASSERT_EQ(id.size(), 36u) << id;
  EXPECT_EQ(id.substr(0, 4), "cat_");
  EXPECT_TRUE(IsHex(id.substr(4))) << id;
  EXPECT_EQ(res.json["category"].size(), 1u);
  EXPECT_EQ(List("/api/v1/property_categories"),
            (Json{{"code", "OK"},
                  {"message", "Success"},
                  {"categories", {{{"id", id}, {"name", "Billing"}}}},
                  {"has_more", false}}));
}

TEST_P(KindePropertiesTest, CategoryCreateValidation) {
  auto post = [&](const std::string& body) {
    return server_.Kinde("POST", "/api/v1/property_categories", body);
  };
  ExpectError(post(R"({"context":"org"})"), 400, "NAME_REQUIRED");
  ExpectError(post(R"({"name":"","context":"org"})"), 400, "NAME_REQUIRED");
  ExpectError(post(R"({"name":"n"})"), 400, "CONTEXT_REQUIRED");
  ExpectError(post(R"({"name":"n","context":"team"})"), 400, "INVALID_CONTEXT");
  ExpectError(post(R"({"name":"n","context":1})"), 400, "INVALID_CONTEXT");
  ExpectError(post(R"({"name":)"), 400, "INVALID_REQUEST_BODY");
  EXPECT_EQ(List("/api/v1/property_categories")["categories"], Json::array());
  for (const char* context : {"org", "usr", "app"}) {
    EXPECT_EQ(post(Json{{"name", "n"}, {"context", context}}.dump()).status, 201) << context;
  }
}

TEST_P(KindePropertiesTest, CategoryUpdateRenames) {
  std::string id = CreateCategory("Old");
  ExpectSuccess(server_.Kinde("PUT", "/api/v1/property_categories/" + id, R"({"name":"New"})"));
  EXPECT_EQ(List("/api/v1/property_categories")["categories"][0]["name"], "New");
  ExpectError(server_.Kinde("PUT", "/api/v1/property_categories/" + id, R"({})"), 400,
              "NAME_REQUIRED");
  ExpectError(server_.Kinde("PUT", "/api/v1/property_categories/" + id, ""), 400, "NAME_REQUIRED");
  ExpectError(server_.Kinde("PUT", "/api/v1/property_categories/cat_nope", R"({"name":"x"})"), 400,
              "CATEGORY_NOT_FOUND");
  auto res = server_.Kinde("PUT", "/api/v1/property_categories/cat_nope", R"({"name":"x"})");
  EXPECT_EQ(res.json["errors"][0]["message"], "Category not found");
}

TEST_P(KindePropertiesTest, CategoryListFiltersByContext) {
  std::string org = CreateCategory("o", "org");
  std::string usr = CreateCategory("u", "usr");
  CreateCategory("a", "app");
  EXPECT_EQ(Ids(List("/api/v1/property_categories?context=org"), "categories"),
            (std::vector<std::string>{org}));
  EXPECT_EQ(Ids(List("/api/v1/property_categories?context=usr"), "categories"),
            (std::vector<std::string>{usr}));
  EXPECT_EQ(List("/api/v1/property_categories")["categories"].size(), 3u);
  // The category list's filter enum is usr | org.
  ExpectError(server_.Kinde("GET", "/api/v1/property_categories?context=app"), 400,
              "INVALID_CONTEXT");
}

TEST_P(KindePropertiesTest, CategoryCursorPagination) {
  for (int i = 0; i < 5; ++i) CreateCategory("c" + std::to_string(i));
  std::vector<std::string> all =
      Ids(List("/api/v1/property_categories?page_size=500"), "categories");
  ASSERT_EQ(all.size(), 5u);
  Json page = List("/api/v1/property_categories?page_size=2&starting_after=" + all[1]);
  EXPECT_EQ(Ids(page, "categories"), (std::vector<std::string>{all[2], all[3]}));
  EXPECT_EQ(page["has_more"], true);
  page = List("/api/v1/property_categories?page_size=2&ending_before=" + all[2]);
  EXPECT_EQ(Ids(page, "categories"), (std::vector<std::string>{all[0], all[1]}));
  EXPECT_EQ(page["has_more"], false);
  ExpectError(server_.Kinde("GET", "/api/v1/property_categories?starting_after=cat_nope"), 400,
              "INVALID_CURSOR");
  ExpectError(server_.Kinde("GET", "/api/v1/property_categories?starting_after=" + all[0] +
                                       "&ending_before=" + all[3]),
              400, "TOO_MANY_PARAMETERS");
}

TEST_P(KindePropertiesTest, CategoriesHaveNoDeleteRoute) {
  std::string id = CreateCategory();
  auto res = server_.Kinde("DELETE", "/api/v1/property_categories/" + id);
  EXPECT_EQ(res.status, 404);
  EXPECT_EQ(res.json["errors"]["code"], "ROUTE_NOT_FOUND");
  EXPECT_EQ(List("/api/v1/property_categories")["categories"].size(), 1u);
}

// --- property definitions ------------------------------------------------------------------------

TEST_P(KindePropertiesTest, PropertyCreateAnswers201AndListsTheObject) {
  std::string category = CreateCategory();
  auto res = server_.Kinde("POST", "/api/v1/properties",
                           Json{{"name", "Town"},
                                {"key", "kp_town"},
                                {"type", "multi_line_text"},
                                {"context", "org"},
                                {"is_private", true},
                                {"category_id", category},
                                {"description", "Where it is"}}
                               .dump());
  ASSERT_EQ(res.status, 201) << res.body;
  EXPECT_EQ(res.json["code"], "OK");
  EXPECT_EQ(res.json["message"], "Success");
  std::string id = res.json["property"]["id"];
  ASSERT_EQ(id.size(), 37u) << id;
  EXPECT_EQ(id.substr(0, 5), "prop_");
  EXPECT_TRUE(IsHex(id.substr(5))) << id;
  EXPECT_EQ(List("/api/v1/properties"), (Json{{"code", "OK"},
                                              {"message", "Success"},
                                              {"properties",
                                               {{{"id", id},
                                                 {"key", "kp_town"},
                                                 {"name", "Town"},
                                                 {"is_private", true},
                                                 {"description", "Where it is"},
                                                 {"is_kinde_property", false}}}},
                                              {"has_more", false}}));
  std::string plain = CreateProperty("plain", "usr", category);
  EXPECT_EQ(List("/api/v1/properties?context=usr")["properties"],
            (Json{{{"id", plain},
                   {"key", "plain"},
                   {"name", "Property plain"},
                   {"is_private", false},
                   {"description", nullptr},
                   {"is_kinde_property", false}}}));
}

TEST_P(KindePropertiesTest, PropertyCreateValidation) {
  std::string category = CreateCategory();
  const Json valid = {{"name", "n"},      {"key", "k"},          {"type", "single_line_text"},
                      {"context", "org"}, {"is_private", false}, {"category_id", category}};
  auto post = [&](const Json& body) {
    return server_.Kinde("POST", "/api/v1/properties", body.dump());
  };
  for (const auto& [field, code] :
       std::vector<std::pair<std::string, std::string>>{{"name", "NAME_REQUIRED"},
                                                        {"key", "KEY_REQUIRED"},
                                                        {"type", "TYPE_REQUIRED"},
                                                        {"context", "CONTEXT_REQUIRED"},
                                                        {"is_private", "IS_PRIVATE_REQUIRED"},
                                                        {"category_id", "CATEGORY_ID_REQUIRED"}}) {
    Json body = valid;
    body.erase(field);
    ExpectError(post(body), 400, code);
  }
  auto with = [&](const std::string& field, const Json& value) {
    Json body = valid;
    body[field] = value;
    return post(body);
  };
  ExpectError(with("name", ""), 400, "NAME_REQUIRED");
  ExpectError(with("key", ""), 400, "KEY_REQUIRED");
  ExpectError(with("key", "two words"), 400, "INVALID_KEY");
  ExpectError(with("type", "rich_text"), 400, "INVALID_TYPE");
  ExpectError(with("context", "team"), 400, "INVALID_CONTEXT");
  ExpectError(with("is_private", "no"), 400, "INVALID_IS_PRIVATE");
  ExpectError(with("category_id", 5), 400, "INVALID_CATEGORY_ID");
  ExpectError(with("category_id", "cat_nope"), 400, "CATEGORY_NOT_FOUND");
  ExpectError(server_.Kinde("POST", "/api/v1/properties", "[]"), 400, "INVALID_REQUEST_BODY");
  EXPECT_EQ(List("/api/v1/properties")["properties"], Json::array());
  EXPECT_EQ(post(valid).status, 201);
  ExpectError(with("name", "other"), 400, "PROPERTY_KEY_EXISTS");
  EXPECT_EQ(List("/api/v1/properties")["properties"].size(), 1u);
}

TEST_P(KindePropertiesTest, PropertyUpdateWritesTheChangeableFields) {
  std::string first = CreateCategory("first");
  std::string second = CreateCategory("second");
  std::string id = CreateProperty("town", "org", first);
  ExpectSuccess(server_.Kinde("PUT", "/api/v1/properties/" + id,
                              Json{{"name", "Town"},
                                   {"is_private", true},
                                   {"category_id", second},
                                   {"description", "d"},
                                   {"key", "ignored"},
                                   {"context", "usr"},
                                   {"type", "multi_line_text"}}
                                  .dump()));
  Json item = List("/api/v1/properties")["properties"][0];
  EXPECT_EQ(item, (Json{{"id", id},
                        {"key", "town"},
                        {"name", "Town"},
                        {"is_private", true},
                        {"description", "d"},
                        {"is_kinde_property", false}}));
  // Still an org property: key, type and context cannot change.
  EXPECT_TRUE(OrgValues(CreateOrg()).contains("town"));
  // An absent description is kept; null clears it.
  ExpectSuccess(
      server_.Kinde("PUT", "/api/v1/properties/" + id,
                    Json{{"name", "Town"}, {"is_private", false}, {"category_id", second}}.dump()));
  EXPECT_EQ(List("/api/v1/properties")["properties"][0]["description"], "d");
  ExpectSuccess(server_.Kinde("PUT", "/api/v1/properties/" + id,
                              Json{{"name", "Town"},
                                   {"is_private", false},
                                   {"category_id", second},
                                   {"description", nullptr}}
                                  .dump()));
  EXPECT_EQ(List("/api/v1/properties")["properties"][0]["description"], nullptr);
}

TEST_P(KindePropertiesTest, PropertyUpdateErrors) {
  std::string category = CreateCategory();
  std::string id = CreateProperty("town", "org", category);
  auto put = [&](const std::string& target, const Json& body) {
    return server_.Kinde("PUT", target, body.dump());
  };
  const Json valid = {{"name", "n"}, {"is_private", false}, {"category_id", category}};
  for (const auto& [field, code] :
       std::vector<std::pair<std::string, std::string>>{{"name", "NAME_REQUIRED"},
                                                        {"is_private", "IS_PRIVATE_REQUIRED"},
                                                        {"category_id", "CATEGORY_ID_REQUIRED"}}) {
    Json body = valid;
    body.erase(field);
    ExpectError(put("/api/v1/properties/" + id, body), 400, code);
  }
  ExpectError(put("/api/v1/properties/prop_nope", valid), 400, "PROPERTY_NOT_FOUND");
  Json bad_category = valid;
  bad_category["category_id"] = "cat_nope";
  ExpectError(put("/api/v1/properties/" + id, bad_category), 400, "CATEGORY_NOT_FOUND");
  ExpectError(put("/api/v1/properties/prop_nope", bad_category), 400, "PROPERTY_NOT_FOUND");
  EXPECT_EQ(List("/api/v1/properties")["properties"][0]["name"], "Property town");
}

TEST_P(KindePropertiesTest, PropertyDeleteRemovesItAndItsValues) {
  std::string category = CreateCategory();
  std::string id = CreateProperty("town", "org", category);
  std::string org = CreateOrg();
  ExpectSuccess(
      server_.Kinde("PUT", "/api/v1/organizations/" + org + "/properties/town?value=Leeds"));
  ExpectSuccess(server_.Kinde("DELETE", "/api/v1/properties/" + id));
  EXPECT_EQ(List("/api/v1/properties")["properties"], Json::array());
  EXPECT_EQ(OrgValues(org), Json::object());
  ExpectError(server_.Kinde("DELETE", "/api/v1/properties/" + id), 400, "PROPERTY_NOT_FOUND");
  // A new property with the same key starts without the old value.
  CreateProperty("town", "org", category);
  EXPECT_EQ(OrgValues(org), (Json{{"town", nullptr}}));
}

TEST_P(KindePropertiesTest, PropertyListFiltersByContext) {
  std::string category = CreateCategory();
  std::string o = CreateProperty("o", "org", category);
  std::string u = CreateProperty("u", "usr", category);
  std::string a = CreateProperty("a", "app", category);
  EXPECT_EQ(Ids(List("/api/v1/properties?context=org"), "properties"),
            (std::vector<std::string>{o}));
  EXPECT_EQ(Ids(List("/api/v1/properties?context=usr"), "properties"),
            (std::vector<std::string>{u}));
  EXPECT_EQ(Ids(List("/api/v1/properties?context=app"), "properties"),
            (std::vector<std::string>{a}));
  ExpectError(server_.Kinde("GET", "/api/v1/properties?context=team"), 400, "INVALID_CONTEXT");
}

TEST_P(KindePropertiesTest, PropertyListPagesForwardWithStartingAfter) {
  std::string category = CreateCategory();
  for (int i = 0; i < 7; ++i) CreateProperty("k" + std::to_string(i), "org", category);
  // The order is creation order; with ids minted at random, ties within a millisecond go by id,
  // so the reference order is the server's own full list.
  std::vector<std::string> all = Ids(List("/api/v1/properties?page_size=500"), "properties");
  ASSERT_EQ(all.size(), 7u);
  EXPECT_EQ(List("/api/v1/properties")["has_more"], false);  // default page size 10
  std::vector<std::string> seen;
  std::string after;
  std::vector<bool> has_more;
  for (int pages = 0; pages < 5; ++pages) {
    Json page =
        List("/api/v1/properties?page_size=3" + (after.empty() ? "" : "&starting_after=" + after));
    for (const std::string& id : Ids(page, "properties")) seen.push_back(id);
    has_more.push_back(page["has_more"]);
    if (!page["has_more"].get<bool>()) break;
    after = seen.back();
  }
  EXPECT_EQ(seen, all);
  EXPECT_EQ(has_more, (std::vector<bool>{true, true, false}));
}

TEST_P(KindePropertiesTest, PropertyListPagesBackwardWithEndingBefore) {
  std::string category = CreateCategory();
  for (int i = 0; i < 7; ++i) CreateProperty("k" + std::to_string(i), "org", category);
  std::vector<std::string> all = Ids(List("/api/v1/properties?page_size=500"), "properties");
  Json page = List("/api/v1/properties?page_size=3&ending_before=" + all[6]);
  EXPECT_EQ(Ids(page, "properties"), (std::vector<std::string>{all[3], all[4], all[5]}));
  EXPECT_EQ(page["has_more"], true);
  page = List("/api/v1/properties?page_size=3&ending_before=" + all[3]);
  EXPECT_EQ(Ids(page, "properties"), (std::vector<std::string>{all[0], all[1], all[2]}));
  EXPECT_EQ(page["has_more"], false);
  page = List("/api/v1/properties?page_size=3&ending_before=" + all[0]);
  EXPECT_EQ(page["properties"], Json::array());
  EXPECT_EQ(page["has_more"], false);
  page = List("/api/v1/properties?page_size=3&starting_after=" + all[6]);
  EXPECT_EQ(page["properties"], Json::array());
  EXPECT_EQ(page["has_more"], false);
}

TEST_P(KindePropertiesTest, PropertyListErrors) {
  std::string category = CreateCategory();
  std::string id = CreateProperty("k", "org", category);
  auto res =
      server_.Kinde("GET", "/api/v1/properties?starting_after=" + id + "&ending_before=" + id);
  ExpectError(res, 400, "TOO_MANY_PARAMETERS");
  EXPECT_EQ(res.json["errors"][0]["message"],
            "Only one of starting_after or ending_before may be specified");
  ExpectError(server_.Kinde("GET", "/api/v1/properties?starting_after=prop_nope"), 400,
              "INVALID_CURSOR");
  ExpectError(server_.Kinde("GET", "/api/v1/properties?ending_before=prop_nope"), 400,
              "INVALID_CURSOR");
  ExpectError(server_.Kinde("GET", "/api/v1/properties?starting_after=" + category), 400,
              "INVALID_CURSOR");
  ExpectError(server_.Kinde("GET", "/api/v1/properties?page_size=0"), 400, "INVALID_PAGE_SIZE");
  ExpectError(server_.Kinde("GET", "/api/v1/properties?page_size=x"), 400, "INVALID_PAGE_SIZE");
  ExpectError(server_.Kinde("GET", "/api/v1/properties?page_size=501"), 400,
              "PAGE_SIZE_LIMIT_EXCEEDED");
  // Empty values count as absent.
  EXPECT_EQ(Ids(List("/api/v1/properties?starting_after=&ending_before=&context="), "properties"),
            (std::vector<std::string>{id}));
}

// --- organization values -------------------------------------------------------------------------

TEST_P(KindePropertiesTest, OrgValuesListEveryOrgProperty) {
  std::string category = CreateCategory();
  std::string org = CreateOrg();
  auto res = server_.Kinde("GET", "/api/v1/organizations/" + org + "/properties");
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(res.json, (Json{{"code", "OK"},
                            {"message", "Success"},
                            {"properties", Json::array()},
                            {"next_token", nullptr}}));
  std::string town = CreateProperty("town", "org", category);
  CreateProperty("nickname", "usr", category);
  ExpectSuccess(
      server_.Kinde("PUT", "/api/v1/organizations/" + org + "/properties/town?value=West%20side"));
  EXPECT_EQ(List("/api/v1/organizations/" + org + "/properties"),
            (Json{{"code", "OK"},
                  {"message", "Success"},
                  {"properties",
                   {{{"id", town},
                     {"name", "Property town"},
                     {"description", nullptr},
                     {"key", "town"},
                     {"value", "West side"}}}},
                  {"next_token", nullptr}}));
  EXPECT_EQ(OrgValues(CreateOrg("Other")), (Json{{"town", nullptr}}));
  ExpectError(server_.Kinde("GET", "/api/v1/organizations/org_nope/properties"), 400,
              "ORGANIZATION_NOT_FOUND");
}

TEST_P(KindePropertiesTest, PatchSetsAndClearsValues) {
  std::string category = CreateCategory();
  for (const char* key : {"a", "b", "c", "d", "e"}) CreateProperty(key, "org", category);
  std::string org = CreateOrg();
  ExpectSuccess(server_.Kinde("PATCH", "/api/v1/organizations/" + org + "/properties",
                              R"({"properties":{"a":"text","b":42,"c":true,"d":"keep"}})"));
  EXPECT_EQ(OrgValues(org),
            (Json{{"a", "text"}, {"b", "42"}, {"c", "true"}, {"d", "keep"}, {"e", nullptr}}));
  ExpectSuccess(server_.Kinde("PATCH", "/api/v1/organizations/" + org + "/properties",
                              R"({"properties":{"a":null,"b":1.5,"e":""}})"));
  EXPECT_EQ(OrgValues(org),
            (Json{{"a", nullptr}, {"b", "1.5"}, {"c", "true"}, {"d", "keep"}, {"e", ""}}));
  ExpectSuccess(server_.Kinde("PATCH", "/api/v1/organizations/" + org + "/properties",
                              R"({"properties":{}})"));
}

TEST_P(KindePropertiesTest, PatchWithOneBadKeyChangesNothing) {
  std::string category = CreateCategory();
  CreateProperty("a", "org", category);
  CreateProperty("b", "org", category);
  CreateProperty("user_only", "usr", category);
  std::string org = CreateOrg();
  ExpectSuccess(
      server_.Kinde("PUT", "/api/v1/organizations/" + org + "/properties/a?value=before"));
  const std::string target = "/api/v1/organizations/" + org + "/properties";
  auto res = server_.Kinde("PATCH", target, R"({"properties":{"a":"after","b":"x","nope":"y"}})");
  ExpectError(res, 400, "PROPERTY_NOT_FOUND");
  EXPECT_EQ(res.json["errors"][0]["message"], "Property not found");
  ExpectError(
      server_.Kinde("PATCH", target, R"({"properties":{"a":"after","b":"x","user_only":"y"}})"),
      400, "INVALID_CONTEXT");
  ExpectError(server_.Kinde("PATCH", target, R"({"properties":{"a":null,"b":{"x":1}}})"), 400,
              "INVALID_PROPERTIES");
  EXPECT_EQ(OrgValues(org), (Json{{"a", "before"}, {"b", nullptr}}));
}

TEST_P(KindePropertiesTest, PatchErrors) {
  std::string category = CreateCategory();
  CreateProperty("a", "org", category);
  std::string org = CreateOrg();
  const std::string target = "/api/v1/organizations/" + org + "/properties";
  ExpectError(server_.Kinde("PATCH", target, R"({})"), 400, "PROPERTIES_REQUIRED");
  ExpectError(server_.Kinde("PATCH", target, ""), 400, "PROPERTIES_REQUIRED");
  ExpectError(server_.Kinde("PATCH", target, R"({"properties":null})"), 400, "PROPERTIES_REQUIRED");
  ExpectError(server_.Kinde("PATCH", target, R"({"properties":["a"]})"), 400, "INVALID_PROPERTIES");
  ExpectError(server_.Kinde("PATCH", target, R"({"properties":)"), 400, "INVALID_REQUEST_BODY");
  ExpectError(server_.Kinde("PATCH", "/api/v1/organizations/org_nope/properties",
                            R"({"properties":{"a":"x"}})"),
              400, "ORGANIZATION_NOT_FOUND");
}

TEST_P(KindePropertiesTest, PutOneValue) {
  std::string category = CreateCategory();
  CreateProperty("town", "org", category);
  CreateProperty("nickname", "usr", category);
  std::string org = CreateOrg();
  const std::string base = "/api/v1/organizations/" + org + "/properties/";
  ExpectSuccess(server_.Kinde("PUT", base + "town?value=Leeds"));
  ExpectSuccess(server_.Kinde("PUT", base + "town?value=York"));
  EXPECT_EQ(OrgValues(org), (Json{{"town", "York"}}));
  ExpectError(server_.Kinde("PUT", base + "town"), 400, "VALUE_REQUIRED");
  ExpectError(server_.Kinde("PUT", base + "town?value="), 400, "VALUE_REQUIRED");
  ExpectError(server_.Kinde("PUT", base + "nope?value=x"), 400, "PROPERTY_NOT_FOUND");
  ExpectError(server_.Kinde("PUT", base + "nickname?value=x"), 400, "INVALID_CONTEXT");
  ExpectError(server_.Kinde("PUT", "/api/v1/organizations/org_nope/properties/town?value=x"), 400,
              "ORGANIZATION_NOT_FOUND");
  EXPECT_EQ(OrgValues(org), (Json{{"town", "York"}}));
}

// --- access --------------------------------------------------------------------------------------

TEST_P(KindePropertiesTest, EveryRouteRequiresItsScope) {
  std::string category = CreateCategory();
  std::string property = CreateProperty("town", "org", category);
  std::string org = CreateOrg();
  const std::vector<std::tuple<std::string, std::string, std::string>> routes = {
      {"GET", "/api/v1/properties", "read:properties"},
      {"POST", "/api/v1/properties", "create:properties"},
      {"PUT", "/api/v1/properties/" + property, "update:properties"},
      {"GET", "/api/v1/property_categories", "read:property_categories"},
      {"POST", "/api/v1/property_categories", "create:property_categories"},
      {"PUT", "/api/v1/property_categories/" + category, "update:property_categories"},
      {"GET", "/api/v1/organizations/" + org + "/properties", "read:organization_properties"},
      {"PATCH", "/api/v1/organizations/" + org + "/properties", "update:organization_properties"},
      {"PUT", "/api/v1/organizations/" + org + "/properties/town?value=x",
       "update:organization_properties"},
      {"DELETE", "/api/v1/properties/" + property, "delete:properties"},
  };
  const std::string unrelated = KindeTokenWith(server_, {"read:organizations"});
  for (const auto& [method, path, scope] : routes) {
    auto res = server_.Send(method, path, "", {{"Authorization", "Bearer " + unrelated}});
    EXPECT_EQ(res.status, 403) << method << " " << path;
    EXPECT_EQ(res.json,
              (Json{{"errors",
                     {{{"code", "FORBIDDEN"}, {"message", "Missing required scope: " + scope}}}}}))
        << method << " " << path;
    EXPECT_EQ(server_.Send(method, path).status, 401) << method << " " << path;
    const std::string token = KindeTokenWith(server_, {scope});
    auto allowed = server_.Send(method, path, "", {{"Authorization", "Bearer " + token}});
    EXPECT_NE(allowed.status, 403) << method << " " << path << " " << allowed.body;
    EXPECT_NE(allowed.status, 401) << method << " " << path << " " << allowed.body;
  }
}

TEST_P(KindePropertiesTest, DeletingAnOrganizationLeavesOtherValues) {
  std::string category = CreateCategory();
  CreateProperty("town", "org", category);
  std::string gone = CreateOrg("Gone");
  std::string kept = CreateOrg("Kept");
  ExpectSuccess(server_.Kinde("PUT", "/api/v1/organizations/" + gone + "/properties/town?value=a"));
  ExpectSuccess(server_.Kinde("PUT", "/api/v1/organizations/" + kept + "/properties/town?value=b"));
  ExpectSuccess(server_.Kinde("DELETE", "/api/v1/organization/" + gone));
  ExpectError(server_.Kinde("GET", "/api/v1/organizations/" + gone + "/properties"), 400,
              "ORGANIZATION_NOT_FOUND");
  EXPECT_EQ(OrgValues(kept), (Json{{"town", "b"}}));
}

INSTANTIATE_TEST_SUITE_P(Backends, KindePropertiesTest, ::testing::ValuesIn(AvailableBackends()),
                         BackendName);

}  // namespace
}  // namespace orgd::testing
