#pragma once

#include <string>
#include <vector>

#include "api/json_writer.h"
#include "domain/model/application.h"
#include "domain/model/membership.h"
#include "domain/model/role.h"
#include "http/response.h"

// JSON of the Logto dialect's application objects (contracts/logto.md §2.6) and of the error
// codes of the application type rules (§3.9.2), shared by /api/applications and
// /api/organizations/{id}/applications.
namespace orgd::api::logto {

// The Application fields, without the closing brace, so that callers can append
// `isAdmin` or `organizationRoles`. The organization application list item must deep-equal the
// POST /api/applications response plus `organizationRoles`, so both use this.
inline void WriteApplicationFields(JsonWriter& w, const domain::Application& app) {
  w.BeginObject();
  w.Field("tenantId", "default");
  w.Field("id", app.id.value());
  w.Field("name", app.name);
  w.Key("description").OptString(app.description);
  w.Field("type", domain::ApplicationTypeName(app.type));
  w.Key("oidcClientMetadata").Raw(app.oidc_client_metadata);
  w.Key("customClientMetadata").Raw(app.custom_client_metadata);
  w.Key("protectedAppMetadata").Null();
  w.Key("customData").Raw(app.custom_data);
  w.Field("isThirdParty", app.is_third_party);
  w.Field("appLevelAccessControlEnabled", false);
  w.Field("createdAt", app.created_at);
}

// `organizationRoles: [{id, name}]` (a Logto role's name is the domain key), key order.
inline void WriteOrganizationRoles(JsonWriter& w, const std::vector<domain::RoleRef>& roles) {
  w.Key("organizationRoles").BeginArray();
  for (const domain::RoleRef& r : roles) {
    w.BeginObject().Field("id", r.id.value()).Field("name", r.key).EndObject();
  }
  w.EndArray();
}

}  // namespace orgd::api::logto
