#include "api/kinde/feature_flags.h"

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "api/json_input.h"
#include "api/json_writer.h"
#include "api/kinde/errors.h"
#include "api/kinde/responses.h"
#include "api/kinde/pagination.h"

namespace orgd::api::kinde {
namespace {

using domain::FeatureFlag;
using domain::FeatureFlagKey;

// A required query parameter of PUT /feature_flags/{key}: absent or empty → <PARAM>_REQUIRED.
Result<std::string> RequiredQuery(const http::QueryParams& query, std::string_view key) {
  auto value = SingleQuery(query, key);
  if (!value) return std::move(value).error();
  if (!*value) return FieldError(key, "required");
  return std::string(**value);
}

Result<domain::FlagType> ParseType(std::string_view name) {
  auto type = domain::ParseFlagType(name);
  if (!type) return FieldError("type", "invalid", "Invalid type");
  return *type;
}

}  // namespace

FeatureFlagsHandler::FeatureFlagsHandler(domain::FeatureFlagService& flags) : flags_(flags) {}

Result<http::Response> FeatureFlagsHandler::Create(const http::Request& request,
                                                   const auth::Principal&) {
  auto body =
      ParseJson(request.body.empty() ? std::string_view("{}") : std::string_view(request.body));
  if (!body) return std::move(body).error();
  if (!body->is_object()) return Error::InvalidArgument("body").WithReason("json");

  FeatureFlag flag;
  std::optional<std::string> name, key, type, default_value;
  ORGD_TRY(ReadString(*body, "name", name));
  if (!name) return FieldError("name", "required");
  ORGD_TRY(ReadString(*body, "key", key));
  if (!key) return FieldError("key", "required");
  ORGD_TRY(ReadString(*body, "type", type));
  if (!type) return FieldError("type", "required");
  // The contract names the default's errors VALUE_REQUIRED and INVALID_VALUE.
  if (auto it = body->find("default_value"); it == body->end() || it->is_null()) {
    return ErrorBody(400, "VALUE_REQUIRED", "Value is required", "default_value");
  } else if (!it->is_string()) {
    return ErrorBody(400, "INVALID_VALUE", "Invalid value", "default_value");
  } else {
    default_value = it->get<std::string>();
  }
  std::optional<std::optional<std::string>> description;
  ORGD_TRY(ReadNullableString(*body, "description", description));
  if (description) flag.description = std::move(*description);
  if (auto it = body->find("allow_override_level"); it != body->end() && !it->is_null()) {
    auto parsed = it->is_string() ? domain::ParseOverrideLevel(it->get_ref<const std::string&>())
                                  : std::nullopt;
    if (!parsed)
      return FieldError("allow_override_level", "invalid", "Invalid allow_override_level");
    flag.allow_override_level = *parsed;
  }
  auto flag_type = ParseType(*type);
  if (!flag_type) return std::move(flag_type).error();

  flag.key = FeatureFlagKey(std::move(*key));
  flag.name = std::move(*name);
  flag.type = *flag_type;
  flag.default_value = std::move(*default_value);
  auto created = flags_.Create(std::move(flag));
  if (!created) return std::move(created).error();
  return http::Response::Json(201, R"({"code":"OK","message":"Success"})");
}

Result<http::Response> FeatureFlagsHandler::Update(const http::Request& request,
                                                   const auth::Principal&) {
  // Every input is a required query parameter (contracts/kinde.md §3.13.4); the body is ignored.
  auto name = RequiredQuery(request.query, "name");
  if (!name) return std::move(name).error();
  auto description = RequiredQuery(request.query, "description");
  if (!description) return std::move(description).error();
  auto type = RequiredQuery(request.query, "type");
  if (!type) return std::move(type).error();
  auto level = RequiredQuery(request.query, "allow_override_level");
  if (!level) return std::move(level).error();
  auto default_value = RequiredQuery(request.query, "default_value");
  if (!default_value) return std::move(default_value).error();

  auto flag_type = ParseType(*type);
  if (!flag_type) return std::move(flag_type).error();
  // `usr` is a creation-only level: the update's enum is env | org.
  auto parsed_level = domain::ParseOverrideLevel(*level);
  if (!parsed_level || *parsed_level == domain::OverrideLevel::kUsr) {
    return FieldError("allow_override_level", "invalid", "Invalid allow_override_level");
  }

  FeatureFlag flag{
      .key = FeatureFlagKey(request.PathParam("feature_flag_key")),
      .name = std::move(*name),
      .description = std::move(*description),
      .type = *flag_type,
      .allow_override_level = *parsed_level,
      .default_value = std::move(*default_value),
  };
  auto updated = flags_.Update(std::move(flag));
  if (!updated) return std::move(updated).error();
  return Success();
}

Result<http::Response> FeatureFlagsHandler::Delete(const http::Request& request,
                                                   const auth::Principal&) {
  ORGD_TRY(flags_.Delete(FeatureFlagKey(request.PathParam("feature_flag_key"))));
  return Success();
}

Result<http::Response> FeatureFlagsHandler::ListForOrganization(const http::Request& request,
                                                                const auth::Principal&) {
  auto flags = flags_.ListForOrganization(OrgId(request.PathParam("org_code")));
  if (!flags) return std::move(flags).error();
  JsonWriter w(96 + flags->size() * 64);
  w.BeginObject().Field("code", "OK").Field("message", "Success");
  // [quirk] A map keyed by flag key whose values are always strings; whether a value is an
  // override is not reported.
  w.Key("feature_flags").BeginObject();
  for (const domain::OrgFeatureFlag& flag : *flags) {
    w.EscapedKey(flag.key.value()).BeginObject();
    w.Field("type", domain::FlagTypeName(flag.type)).Field("value", flag.value);
    w.EndObject();
  }
  w.EndObject().EndObject();
  return http::Response::Json(200, w.Take());
}

Result<http::Response> FeatureFlagsHandler::DeleteOverrides(const http::Request& request,
                                                            const auth::Principal&) {
  ORGD_TRY(flags_.DeleteOverrides(OrgId(request.PathParam("org_code"))));
  return Success();
}

Result<http::Response> FeatureFlagsHandler::DeleteOverride(const http::Request& request,
                                                           const auth::Principal&) {
  ORGD_TRY(flags_.DeleteOverride(OrgId(request.PathParam("org_code")),
                                 FeatureFlagKey(request.PathParam("feature_flag_key"))));
  return Success();
}

Result<http::Response> FeatureFlagsHandler::SetOverride(const http::Request& request,
                                                        const auth::Principal&) {
  // The value comes in the query; the request has no body (contracts/kinde.md §1.1).
  auto value = SingleQuery(request.query, "value");
  if (!value) return std::move(value).error();
  if (!*value) return FieldError("value", "required");
  ORGD_TRY(flags_.SetOverride(OrgId(request.PathParam("org_code")),
                              domain::FeatureFlagOverride{
                                  .key = FeatureFlagKey(request.PathParam("feature_flag_key")),
                                  .value = std::string(**value),
                              }));
  return Success();
}

void AddFeatureFlagRoutes(RouteTable& routes, domain::FeatureFlagService& flags) {
  using H = FeatureFlagsHandler;
  using http::Method;
  auto h = std::make_shared<H>(flags);
  constexpr Dialect k = Dialect::kKinde;
  routes.Add(Method::kPost, "/api/v1/feature_flags", k, "create:feature_flags",
             Bind(h, &H::Create));
  routes.Add(Method::kPut, "/api/v1/feature_flags/{feature_flag_key}", k, "update:feature_flags",
             Bind(h, &H::Update));
  routes.Add(Method::kDelete, "/api/v1/feature_flags/{feature_flag_key}", k, "delete:feature_flags",
             Bind(h, &H::Delete));
  routes.Add(Method::kGet, "/api/v1/organizations/{org_code}/feature_flags", k,
             "read:organization_feature_flags", Bind(h, &H::ListForOrganization));
  routes.Add(Method::kDelete, "/api/v1/organizations/{org_code}/feature_flags", k,
             "delete:organization_feature_flags", Bind(h, &H::DeleteOverrides));
  routes.Add(Method::kDelete, "/api/v1/organizations/{org_code}/feature_flags/{feature_flag_key}",
             k, "delete:organization_feature_flags", Bind(h, &H::DeleteOverride));
  routes.Add(Method::kPatch, "/api/v1/organizations/{org_code}/feature_flags/{feature_flag_key}", k,
             "update:organization_feature_flags", Bind(h, &H::SetOverride));
}

}  // namespace orgd::api::kinde
