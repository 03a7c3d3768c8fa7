#include "api/kinde/properties.h"

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/json_input.h"
#include "api/json_writer.h"
#include "api/kinde/errors.h"
#include "api/kinde/responses.h"
#include "api/kinde/pagination.h"

namespace orgd::api::kinde {
namespace {

using domain::Property;
using domain::PropertyCategory;
using domain::PropertyCategoryId;
using domain::PropertyContext;
using domain::PropertyId;


// `key` must be present with a string value (else <KEY>_REQUIRED / INVALID_<KEY>).
Result<std::string> RequiredString(const Json& body, std::string_view key) {
  std::optional<std::string> value;
  ORGD_TRY(ReadString(body, key, value));
  if (!value) return FieldError(key, "required");
  return std::move(*value);
}

Result<bool> RequiredBool(const Json& body, std::string_view key) {
  std::optional<bool> value;
  ORGD_TRY(ReadBool(body, key, value));
  if (!value) return FieldError(key, "required");
  return *value;
}

Result<PropertyContext> ParseContext(std::string_view name) {
  auto context = domain::ParsePropertyContext(name);
  if (!context) return FieldError("context", "invalid", "Invalid context");
  return *context;
}

// The cursor query of the two cursor lists (contracts/kinde.md §1.6). `allowed` tells whether a
// context may be used as a filter.
Result<domain::PropertyCursorRequest> ParseCursorQuery(const http::QueryParams& query,
                                                       std::optional<PropertyContext>& context,
                                                       bool (*allowed)(PropertyContext)) {
  auto page_size = ParsePageSize(query);
  if (!page_size) return std::move(page_size).error();
  auto after = SingleQuery(query, "starting_after");
  if (!after) return std::move(after).error();
  auto before = SingleQuery(query, "ending_before");
  if (!before) return std::move(before).error();
  if (*after && *before) {
    return FieldError("ending_before", "too_many_parameters",
                      "Only one of starting_after or ending_before may be specified");
  }
  auto filter = SingleQuery(query, "context");
  if (!filter) return std::move(filter).error();
  if (*filter) {
    auto parsed = ParseContext(**filter);
    if (!parsed) return std::move(parsed).error();
    if (!allowed(*parsed)) return FieldError("context", "invalid", "Invalid context");
    context = *parsed;
  }
  domain::PropertyCursorRequest page{.limit = *page_size};
  if (*after) page.starting_after = std::string(**after);
  if (*before) page.ending_before = std::string(**before);
  return page;
}

bool AnyContext(PropertyContext) { return true; }
// The category list filters by user or organization context only (the spec's enum).
bool UserOrOrgContext(PropertyContext context) { return context != PropertyContext::kApp; }

// The `property` object (contracts/kinde.md §2.2).
void WriteProperty(JsonWriter& w, const Property& property) {
  w.BeginObject();
  w.Field("id", property.id.value());
  w.Field("key", property.key);
  w.Field("name", property.name);
  w.Field("is_private", property.is_private);
  w.Key("description").OptString(property.description);
  w.Field("is_kinde_property", false);
  w.EndObject();
}

// A created entity's envelope: {"code":"OK","message":"Success","<kind>":{"id":…}}.
http::Response CreatedWithId(std::string_view kind, const std::string& id) {
  JsonWriter w(96);
  w.BeginObject().Field("code", "OK").Field("message", "Success");
  w.EscapedKey(kind).BeginObject().Field("id", id).EndObject();
  w.EndObject();
  return http::Response::Json(201, w.Take());
}

}  // namespace

PropertiesHandler::PropertiesHandler(domain::PropertyService& properties)
    : properties_(properties) {}

Result<http::Response> PropertiesHandler::List(const http::Request& request,
                                               const auth::Principal&) {
  domain::PropertyListQuery query;
  auto page = ParseCursorQuery(request.query, query.context, &AnyContext);
  if (!page) return std::move(page).error();
  query.page = std::move(*page);
  auto listed = properties_.List(query);
  if (!listed) return std::move(listed).error();
  JsonWriter w(96 + listed->items.size() * 160);
  w.BeginObject().Field("code", "OK").Field("message", "Success");
  w.Key("properties").BeginArray();
  for (const Property& property : listed->items) WriteProperty(w, property);
  w.EndArray();
  w.Field("has_more", listed->has_more);
  w.EndObject();
  return http::Response::Json(200, w.Take());
}

Result<http::Response> PropertiesHandler::Create(const http::Request& request,
                                                 const auth::Principal&) {
  auto body = ParseBodyObject(request);
  if (!body) return std::move(body).error();
  auto name = RequiredString(*body, "name");
  if (!name) return std::move(name).error();
  auto key = RequiredString(*body, "key");
  if (!key) return std::move(key).error();
  auto type = RequiredString(*body, "type");
  if (!type) return std::move(type).error();
  auto context = RequiredString(*body, "context");
  if (!context) return std::move(context).error();
  auto is_private = RequiredBool(*body, "is_private");
  if (!is_private) return std::move(is_private).error();
  auto category_id = RequiredString(*body, "category_id");
  if (!category_id) return std::move(category_id).error();
  domain::CreatePropertyInput input{.key = std::move(*key),
                                    .name = std::move(*name),
                                    .is_private = *is_private,
                                    .category_id = PropertyCategoryId(std::move(*category_id))};
  std::optional<std::optional<std::string>> description;
  ORGD_TRY(ReadNullableString(*body, "description", description));
  if (description) input.description = std::move(*description);
  auto parsed_type = domain::ParsePropertyType(*type);
  if (!parsed_type) return FieldError("type", "invalid", "Invalid type");
  input.type = *parsed_type;
  auto parsed_context = ParseContext(*context);
  if (!parsed_context) return std::move(parsed_context).error();
  input.context = *parsed_context;

  auto created = properties_.Create(input, IdStyle::kKinde);
  if (!created) return std::move(created).error();
  return CreatedWithId("property", created->id.value());
}

Result<http::Response> PropertiesHandler::Update(const http::Request& request,
                                                 const auth::Principal&) {
  auto body = ParseBodyObject(request);
  if (!body) return std::move(body).error();
  auto name = RequiredString(*body, "name");
  if (!name) return std::move(name).error();
  auto is_private = RequiredBool(*body, "is_private");
  if (!is_private) return std::move(is_private).error();
  auto category_id = RequiredString(*body, "category_id");
  if (!category_id) return std::move(category_id).error();
  // key, type and context cannot change and are ignored; an absent description is kept.
  domain::PropertyUpdate update{.name = std::move(*name),
                                .is_private = *is_private,
                                .category_id = PropertyCategoryId(std::move(*category_id))};
  ORGD_TRY(ReadNullableString(*body, "description", update.description));
  ORGD_TRY(properties_.Update(PropertyId(request.PathParam("property_id")), update));
  return Success();
}

Result<http::Response> PropertiesHandler::Delete(const http::Request& request,
                                                 const auth::Principal&) {
  ORGD_TRY(properties_.Delete(PropertyId(request.PathParam("property_id"))));
  return Success();
}

Result<http::Response> PropertiesHandler::ListCategories(const http::Request& request,
                                                         const auth::Principal&) {
  domain::PropertyCategoryListQuery query;
  auto page = ParseCursorQuery(request.query, query.context, &UserOrOrgContext);
  if (!page) return std::move(page).error();
  query.page = std::move(*page);
  auto listed = properties_.ListCategories(query);
  if (!listed) return std::move(listed).error();
  JsonWriter w(96 + listed->items.size() * 80);
  w.BeginObject().Field("code", "OK").Field("message", "Success");
  w.Key("categories").BeginArray();
  for (const PropertyCategory& category : listed->items) {
    w.BeginObject().Field("id", category.id.value()).Field("name", category.name).EndObject();
  }
  w.EndArray();
  w.Field("has_more", listed->has_more);
  w.EndObject();
  return http::Response::Json(200, w.Take());
}

Result<http::Response> PropertiesHandler::CreateCategory(const http::Request& request,
                                                         const auth::Principal&) {
  auto body = ParseBodyObject(request);
  if (!body) return std::move(body).error();
  auto name = RequiredString(*body, "name");
  if (!name) return std::move(name).error();
  auto context = RequiredString(*body, "context");
  if (!context) return std::move(context).error();
  auto parsed_context = ParseContext(*context);
  if (!parsed_context) return std::move(parsed_context).error();
  auto created = properties_.CreateCategory(std::move(*name), *parsed_context, IdStyle::kKinde);
  if (!created) return std::move(created).error();
  return CreatedWithId("category", created->id.value());
}

Result<http::Response> PropertiesHandler::UpdateCategory(const http::Request& request,
                                                         const auth::Principal&) {
  auto body = ParseBodyObject(request);
  if (!body) return std::move(body).error();
  auto name = RequiredString(*body, "name");
  if (!name) return std::move(name).error();
  ORGD_TRY(properties_.RenameCategory(PropertyCategoryId(request.PathParam("category_id")),
                                      std::move(*name)));
  return Success();
}

Result<http::Response> PropertiesHandler::ListOrgValues(const http::Request& request,
                                                        const auth::Principal&) {
  auto values = properties_.ListOrgValues(OrgId(request.PathParam("org_code")));
  if (!values) return std::move(values).error();
  JsonWriter w(96 + values->size() * 160);
  w.BeginObject().Field("code", "OK").Field("message", "Success");
  w.Key("properties").BeginArray();
  for (const domain::OrgPropertyValue& value : *values) {
    w.BeginObject();
    w.Field("id", value.property.id.value());
    w.Field("name", value.property.name);
    w.Key("description").OptString(value.property.description);
    w.Field("key", value.property.key);
    w.Key("value").OptString(value.value);
    w.EndObject();
  }
  w.EndArray();
  // Unpaginated (contracts/kinde.md §1.6): the envelope's next_token is always null.
  w.Key("next_token").Null();
  w.EndObject();
  return http::Response::Json(200, w.Take());
}

Result<http::Response> PropertiesHandler::SetOrgValues(const http::Request& request,
                                                       const auth::Principal&) {
  auto body = ParseBodyObject(request);
  if (!body) return std::move(body).error();
  auto properties = body->find("properties");
  if (properties == body->end() || properties->is_null())
    return FieldError("properties", "required");
  if (!properties->is_object()) return FieldError("properties", "invalid", "Invalid properties");
  // Values may be strings, numbers or booleans (stored as their string form); null clears.
  std::vector<domain::PropertyValueChange> changes;
  changes.reserve(properties->size());
  for (const auto& [key, value] : properties->items()) {
    domain::PropertyValueChange change{.key = key};
    if (value.is_string()) {
      change.value = value.get<std::string>();
    } else if (value.is_boolean() || value.is_number()) {
      change.value = value.dump();
    } else if (!value.is_null()) {
      return FieldError("properties", "invalid", "Invalid properties");
    }
    changes.push_back(std::move(change));
  }
  ORGD_TRY(properties_.SetOrgValues(OrgId(request.PathParam("org_code")), changes));
  return Success();
}

Result<http::Response> PropertiesHandler::SetOrgValue(const http::Request& request,
                                                      const auth::Principal&) {
  // The value comes in the query; the request has no body (contracts/kinde.md §1.1).
  auto value = SingleQuery(request.query, "value");
  if (!value) return std::move(value).error();
  if (!*value) return FieldError("value", "required");
  ORGD_TRY(properties_.SetOrgValues(
      OrgId(request.PathParam("org_code")),
      {domain::PropertyValueChange{.key = request.PathParam("property_key"),
                                   .value = std::string(**value)}}));
  return Success();
}

void AddPropertyRoutes(RouteTable& routes, domain::PropertyService& properties) {
  using H = PropertiesHandler;
  using http::Method;
  auto h = std::make_shared<H>(properties);
  constexpr Dialect k = Dialect::kKinde;
  routes.Add(Method::kGet, "/api/v1/properties", k, "read:properties", Bind(h, &H::List));
  routes.Add(Method::kPost, "/api/v1/properties", k, "create:properties", Bind(h, &H::Create));
  routes.Add(Method::kPut, "/api/v1/properties/{property_id}", k, "update:properties",
             Bind(h, &H::Update));
  routes.Add(Method::kDelete, "/api/v1/properties/{property_id}", k, "delete:properties",
             Bind(h, &H::Delete));
  routes.Add(Method::kGet, "/api/v1/property_categories", k, "read:property_categories",
             Bind(h, &H::ListCategories));
  routes.Add(Method::kPost, "/api/v1/property_categories", k, "create:property_categories",
             Bind(h, &H::CreateCategory));
  routes.Add(Method::kPut, "/api/v1/property_categories/{category_id}", k,
             "update:property_categories", Bind(h, &H::UpdateCategory));
  routes.Add(Method::kGet, "/api/v1/organizations/{org_code}/properties", k,
             "read:organization_properties", Bind(h, &H::ListOrgValues));
  routes.Add(Method::kPatch, "/api/v1/organizations/{org_code}/properties", k,
             "update:organization_properties", Bind(h, &H::SetOrgValues));
  routes.Add(Method::kPut, "/api/v1/organizations/{org_code}/properties/{property_key}", k,
             "update:organization_properties", Bind(h, &H::SetOrgValue));
}

}  // namespace orgd::api::kinde
